"""The `zhili` command line: a thin layer over the Python API.

Each command group lives in its own module exposing ``register(app)``; this module only wires
them together and turns expected errors into one clear line (never a traceback).
"""

from __future__ import annotations

import importlib
import sys

import typer

from ..errors import ZhiliError

app = typer.Typer(
    name="zhili",
    help="治理 zhili: executable, explainable governance rules of China's e-commerce platforms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules, in the order their commands appear in --help. Each has register(app).
COMMAND_MODULES: tuple[str, ...] = (
    "core",
    "db",
    "serve",
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
