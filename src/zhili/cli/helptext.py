"""``--help`` in the reader's language.

Click and Typer keep a command's help (its docstring or ``help=``) and each option's help as
plain English strings, fixed when the command is built. These classes render them through the
catalog (``zhili.i18n``) at the moment help is shown, by then in the language of ``--lang`` or
``ZHILI_LANG``: the English text is the msgid. ``help_texts`` lists every one of them, for the
catalog's extraction (``python -m zhili.i18n update``) and for the test that fails on a help
text without its translation. Typer's own words around them (the usage line, panel titles,
usage errors) are reworded by ``clickwords``; a run takes the language its ``--lang`` names
from its start, so that an error in parsing the command line reads in it too.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from ..i18n import N_, gettext, match_language, use_language
from .clickwords import UsageError, reword_error, set_panel_words, shown_type, usage_line

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
    for param in command.params:
        # Shown in the language of the moment it is read (an instance attribute: Typer makes
        # the parameter objects, so their class is not ours to choose).
        param.display_type_rich = partial(shown_type, param)
    set_panel_words()


def _help_option(option: Any) -> Any:
    """Click's ``--help`` option, made afresh for each context, in the current language."""
    if option is not None:
        option.help = gettext(HELP_OPTION)
        option.display_type_rich = partial(shown_type, option)
    return option


def _language_asked(args: Sequence[str]) -> str | None:
    """The language ``--lang`` names in a command line, if it names a known one (an unknown
    one is refused with a message when the option itself is read)."""
    for at, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and at + 1 < len(args):
            return match_language(args[at + 1])
        if arg.startswith("--lang="):
            return match_language(arg.partition("=")[2])
    return None


class _Translated:
    """Help and usage errors in the current language, for a Typer command or group (mixed in
    before it)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _translate(self)
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        prefix, pieces = usage_line(self.collect_usage_pieces(ctx))  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, pieces, prefix=prefix)

    # Usage errors are raised while a command line is parsed (make_context) and while a group
    # picks its subcommand (invoke): reworded there, in the run's language.
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except UsageError as error:
            reword_error(error)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except UsageError as error:
            reword_error(error)
            raise


class TranslatedCommand(_Translated, TyperCommand):
    pass


class TranslatedGroup(_Translated, TyperGroup):
    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        # The whole run, its parsing and the error it may print included, in the language
        # asked for; the --lang option's own callback then checks the value.
        asked = _language_asked(sys.argv[1:] if args is None else list(args))
        with use_language(asked):
            set_panel_words()
            return super().main(args, *rest, **kwargs)


class TranslatedTyper(typer.Typer):
    """A Typer app whose commands and groups show their help in the reader's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", TranslatedGroup)
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", TranslatedCommand)
        return super().command(*args, **kwargs)
