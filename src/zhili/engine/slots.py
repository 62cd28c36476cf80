"""Objects a fold keeps one of per subject or component, with slots instead of a dictionary.

A fold over millions of subjects holds millions of them, and a slot costs a pointer where a
dictionary costs a table; they pickle as a mapping of their attributes all the same, so that
checkpoints written when these objects still had a dictionary read as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class Slotted:
    __slots__ = ()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(getattr(self, "__dict__", None) or {})
        for cls in type(self).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if name != "__dict__" and hasattr(self, name):
                    state[name] = getattr(self, name)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        kind = type(self)
        for name, value in state.items():
            # What an older checkpoint kept that is now derived (a read-only property) is left
            # out.
            found = getattr(kind, name, None)
            if not isinstance(found, property) or found.fset is not None:
                setattr(self, name, value)


NOTHING: tuple[Any, ...] = ()
"""A list with no entry yet. Most subjects never have a sanction, a fee or an appeal: their
books and folds share this empty tuple until a first entry makes the list their own."""


class _NoKeys(Mapping[Any, Any]):
    """A map with no entry yet, shared in the same way; it has no ``__setitem__``, so a write
    that skipped making the map its own fails loudly instead of writing into every book. It
    pickles as a reference to the one instance."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        return default

    def __contains__(self, key: object) -> bool:
        return False

    def __iter__(self) -> Iterator[Any]:
        return iter(NOTHING)

    def __len__(self) -> int:
        return 0

    def __reduce__(self) -> str:
        return "NO_KEYS"


NO_KEYS: Mapping[Any, Any] = _NoKeys()


def copy_map(found: dict[Any, Any]) -> dict[Any, Any]:
    """A copy of a book's or a fold's own map; the shared empty one stays shared."""
    return found if found is NO_KEYS else dict(found)
