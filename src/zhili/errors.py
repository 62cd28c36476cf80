"""Errors that reach users: each says where the problem is and what was expected."""

from __future__ import annotations


class ZhiliError(Exception):
    """Base of every error zhili raises on purpose."""


class InputError(ZhiliError):
    """Bad input: names the file, the place inside it and what was expected."""

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None):
        self.message = message
        self.file = file
        self.path = path
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ": ".join(p for p in (self.file, self.path) if p)
        return f"{where}: {self.message}" if where else self.message

    def within(self, *, file: str | None = None, path: str | None = None) -> InputError:
        """The same error, placed inside an outer file or path."""
        inner = self.path
        joined = f"{path}.{inner}" if path and inner else (path or inner)
        return InputError(self.message, file=self.file or file, path=joined)


class PackError(InputError):
    """A rule pack that does not match the pack schema."""


class EventError(InputError):
    """An event that does not match its type."""


class InputWarning(UserWarning):
    """Input that is valid but probably not what was meant (it would otherwise pass silently).

    The CLI prints each as one ``warning:`` line on standard error."""


def warn_input(message: str, *, file: str | None = None, path: str | None = None) -> None:
    """Warn about input, placed like an ``InputError`` (file: path: message)."""
    import warnings

    where = ": ".join(p for p in (file, path) if p)
    warnings.warn(f"{where}: {message}" if where else message, InputWarning, stacklevel=3)
