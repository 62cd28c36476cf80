"""Folds and components as bytes: a checkpoint to restore instead of folding again.

The pack and the shared effects are not written: they are code and parameters the reader
already has, named by a persistent id and given back on load.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

from ..errors import InputError
from ..rules import Pack
from .component import Component
from .effects import Effects

_SHARED = ("pack", "effects")


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, shared: dict[str, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = {id(v): k for k, v in shared.items()}

    def persistent_id(self, obj: Any) -> Any:
        return self.shared.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: dict[str, Any]):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        if pid in self.shared:
            return self.shared[pid]
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")


def dump(value: Any, **shared: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, shared).dump(value)
    return buffer.getvalue()


def load(data: bytes | io.BytesIO, **shared: Any) -> Any:
    buffer = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    return _Unpickler(buffer, shared).load()


def dump_component(component: Component) -> bytes:
    """A component's folds and history; its pack's code and version come first."""
    header = pickle.dumps((component.pack.code, component.pack.version),
                          protocol=pickle.HIGHEST_PROTOCOL)
    return header + dump(component, pack=component.pack, effects=component.effects)


def load_component(data: bytes, pack: Pack, effects: Effects) -> Component:
    buffer = io.BytesIO(data)
    code, version = pickle.load(buffer)
    if (code, version) != (pack.code, pack.version):
        raise InputError(f"checkpoint is of {code} {version}, not {pack.code} {pack.version}")
    component = load(buffer, pack=pack, effects=effects)
    assert isinstance(component, Component)
    return component
