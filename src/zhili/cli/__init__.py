"""The `zhili` command line: a thin layer over the Python API.

Each command group lives in its own module exposing ``register(app)``; this module only wires
them together and turns expected errors into one clear line (never a traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated

import typer

from ..errors import ZhiliError
from ..i18n import ENV_VAR, LANGUAGES, _language, resolve_language

app = typer.Typer(
    name="zhili",
    help="治理 zhili: executable, explainable governance rules of China's e-commerce platforms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
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


# Command modules, in the order their commands appear in --help. Each has register(app).
COMMAND_MODULES: tuple[str, ...] = (
    "core",
    "db",
    "serve",
    "keys",
    "orders",
    "scan",
    "governance",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    try:
        app()
    except ZhiliError as err:
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except OSError as err:  # a file, directory or port the command could not use
        where = f"{err.filename}: " if err.filename else ""
        typer.secho(f"error: {where}{err.strerror or err}", fg=typer.colors.RED, err=True)
        sys.exit(2)
