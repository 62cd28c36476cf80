"""The `zhili` command line: a thin layer over the Python API.

Each command group lives in its own module exposing ``register(app)``; this module only wires
them together and turns expected errors into one clear line (never a traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Annotated, Any

import typer

from ..errors import InputWarning, ZhiliError
from ..i18n import ENV_VAR, LANGUAGES, _language, gettext, resolve_language
from .helptext import TranslatedTyper


def options(ctx: typer.Context, lang: Annotated[str | None, typer.Option(
        "--lang", metavar="LANG",
        help=f"Language of tables and messages: {', '.join(LANGUAGES)} (default zh-CN; "
             f"also the {ENV_VAR} environment variable).")] = None) -> None:
    """Options for every command."""
    if lang:
        tag = resolve_language(lang, field="--lang")
    elif os.environ.get(ENV_VAR):
        tag = resolve_language(os.environ[ENV_VAR], field=ENV_VAR)
    else:
        return
    token = _language.set(tag)
    ctx.call_on_close(lambda: _language.reset(token))


class _App(TranslatedTyper):
    """An app whose command modules are imported when its commands are first read (by
    ``app()``, Typer's ``get_command`` or a test runner), not when it is made: importing this
    package stays cheap, and ``main`` can run an app of one module for a standalone command
    (``zhili scan`` runs over large files and does not need the engine that the other modules
    import)."""

    _commands: list[Any]
    _loaded = False

    def __init__(self, modules: tuple[str, ...]) -> None:
        super().__init__(
            name="zhili",
            help="治理 zhili: executable, explainable governance rules of China's e-commerce "
                 "platforms.",
            no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
        self._modules = modules
        self.callback()(options)

    @property
    def registered_commands(self) -> list[Any]:     # type: ignore[override]
        if not self._loaded:
            # Marked first: each module's register() appends through this property.
            self._loaded = True
            for name in self._modules:
                importlib.import_module(f"{__name__}.{name}").register(self)
        return self._commands

    @registered_commands.setter
    def registered_commands(self, value: list[Any]) -> None:
        self._commands = value


# Command modules, in the order their commands appear in --help. Each has register(app).
COMMAND_MODULES: tuple[str, ...] = (
    "core",
    "db",
    "serve",
    "stream",
    "keys",
    "shadow",
    "orders",
    "scan",
    "governance",
    "impact",
)

app = _App(COMMAND_MODULES)

# Commands whose module alone is loaded when they are the command run.
STANDALONE = {"scan": "scan", "publish": "stream", "consume": "stream"}


def _command(argv: list[str]) -> str | None:
    """The command named in ``argv`` (skipping the global options and their values)."""
    args = iter(argv)
    for arg in args:
        if arg == "--lang":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, InputWarning):
        typer.secho(gettext("warning: %(message)s") % {"message": message},
                    fg=typer.colors.YELLOW, err=True)
    else:
        _default_show(message, category, filename, lineno, file, line)


_default_show = warnings.showwarning


def _say_error(message: str) -> None:
    typer.secho(gettext("error: %(message)s") % {"message": message}, fg=typer.colors.RED,
                err=True)


def main() -> None:
    warnings.simplefilter("always", InputWarning)
    warnings.showwarning = _show_warning
    standalone = STANDALONE.get(_command(sys.argv[1:]) or "")
    # A standalone command gets an app of its own for this run: ``app`` itself keeps every
    # command for whatever reads it later in the same process (a test, a program embedding it).
    run = app if standalone is None else _App((standalone,))
    try:
        run()
    except ZhiliError as err:
        _say_error(str(err))
        sys.exit(2)
    except OSError as err:  # a file, directory or port the command could not use
        where = f"{err.filename}: " if err.filename else ""
        from ..textfiles import os_reason

        _say_error(f"{where}{os_reason(err)}")
        sys.exit(2)
