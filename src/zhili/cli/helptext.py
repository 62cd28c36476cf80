"""``--help`` in the reader's language.

Click and Typer keep a command's help (its docstring or ``help=``) and each option's help as
plain English strings, fixed when the command is built. These classes render them through the
catalog (``zhili.i18n``) at the moment help is shown, by then in the language of ``--lang`` or
``ZHILI_LANG``: the English text is the msgid. ``help_texts`` lists every one of them, for the
catalog's extraction (``python -m zhili.i18n update``) and for the test that fails on a help
text without its translation. The panel titles Typer draws around them are translated too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

from ..i18n import N_, gettext

# Typer's own words around the help texts, by the module constants it reads them from.
PANEL_WORDS = {"ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
               "COMMANDS_PANEL_TITLE": N_("Commands"), "DEFAULT_STRING": N_("[default: {}]"),
               "REQUIRED_LONG_STRING": N_("[required]"), "ENVVAR_STRING": N_("[env var: {}]")}
HELP_OPTION = N_("Show this message and exit.")
_ORIGINAL = "_zhili_help"  # the English help, kept on the object beside the shown one


def help_texts(command: Any, path: tuple[str, ...] = ()
               ) -> Iterator[tuple[str, str]]:
    """``(where, text)`` for every help text of ``command`` (a Click command, as Typer
    builds it) and the commands under it."""
    where = " ".join(("zhili", *path))
    for obj in (command, *command.params):
        text = getattr(obj, _ORIGINAL, None) or getattr(obj, "help", None)
        if text:
            name = "" if obj is command else f" {getattr(obj, 'name', '')}"
            yield f"{where}{name}", text
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from help_texts(sub, (*path, name))


def _translate(command: Any) -> None:
    """Set every help text of ``command`` (and of the commands it lists) to the current
    language; the English one stays on the object, so the next language starts from it."""
    for obj in (command, *command.params, *getattr(command, "commands", {}).values()):
        if not hasattr(obj, _ORIGINAL):
            setattr(obj, _ORIGINAL, getattr(obj, "help", None))
        original = getattr(obj, _ORIGINAL)
        if original:
            obj.help = gettext(original)
    for constant, english in PANEL_WORDS.items():
        setattr(rich_utils, constant, gettext(english))


def _help_option(option: Any) -> Any:
    """Click's ``--help`` option, made afresh for each context, in the current language."""
    if option is not None:
        option.help = gettext(HELP_OPTION)
    return option


class _Translated:
    """Help in the current language, for a Typer command or group (mixed in before it)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _translate(self)
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))  # type: ignore[misc]


class TranslatedCommand(_Translated, TyperCommand):
    pass


class TranslatedGroup(_Translated, TyperGroup):
    pass


class TranslatedTyper(typer.Typer):
    """A Typer app whose commands and groups show their help in the reader's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", TranslatedGroup)
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", TranslatedCommand)
        return super().command(*args, **kwargs)
