"""Folds and components as bytes: a checkpoint to restore instead of folding again.

The pack and the shared effects are not written: they are code and parameters the reader
already has, named by a persistent id and given back on load.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from typing import Any

from ..errors import InputError
from ..i18n import _
from ..rules import Pack
from .component import Component
from .effects import Effects

_SHARED = ("pack", "effects")


class _Pickler(pickle.Pickler):
    """Shared objects are written as a reference by name. They are found through the
    dispatch table, by their type, so pickling calls back into Python once per shared
    object's type met, not once per object written (a ``persistent_id`` would be called for
    each of the hundreds of objects a component holds, and cost more than the pickling)."""

    def __init__(self, file: io.BytesIO, shared: dict[str, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        names = {id(v): k for k, v in shared.items()}

        def by_name(obj: Any) -> Any:
            name = names.get(id(obj))
            if name is None:  # another object of a shared one's type: written by value
                return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
            return _shared, (name,)

        self.dispatch_table = copyreg.dispatch_table.copy()
        for value in shared.values():
            self.dispatch_table[type(value)] = by_name


def _shared(name: str) -> Any:
    """Stands for a shared object in a pickle; ``_Unpickler`` gives the object itself."""
    raise pickle.UnpicklingError(f"shared object {name!r} read without its reader")


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: dict[str, Any]):
        super().__init__(file)
        self.shared = shared

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_shared":
            return self.shared_by_name
        return super().find_class(module, name)

    def shared_by_name(self, name: str) -> Any:
        if name in self.shared:
            return self.shared[name]
        raise pickle.UnpicklingError(f"unknown shared object {name!r}")

    def persistent_load(self, pid: Any) -> Any:  # checkpoints written before by reference
        return self.shared_by_name(pid)


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
        raise InputError(_("checkpoint is of %(code)s %(version)s, not %(code2)s %(version2)s")
                         % {"code": code, "version": version, "code2": pack.code,
                            "version2": pack.version})
    component = load(buffer, pack=pack, effects=effects)
    assert isinstance(component, Component)
    return component
