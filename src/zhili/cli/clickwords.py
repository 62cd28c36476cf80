"""Typer's own words in the reader's language: the usage line, the error panel and the usage
errors (a missing argument, an unknown option or command, a value of the wrong type).

Typer carries its own copy of Click, which writes these in English inside f-strings: there is
no gettext hook to install a catalog into. So zhili rewords them where it takes over: the usage
line in ``format_usage``, Typer's panel constants when a run starts (in that run's language),
and an error's message by matching it against the English templates below and formatting the
catalog's wording of the template with the parts it matched. The templates are the msgids; a
message that none matches is shown as it came, and ``tests/i18n`` runs the usual mistakes in
both languages so that a Typer release that rewords one is noticed.
"""

from __future__ import annotations

import re
from functools import cache
from string import Formatter
from typing import Any

from typer import rich_utils

try:  # the copy of Click that recent Typer releases carry, else Click itself
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import UsageError  # type: ignore[assignment,no-redef]

from ..i18n import N_, gettext

# The usage line's placeholders for "any options" and "a subcommand and its arguments".
USAGE_PREFIX = N_("Usage:")
USAGE_WORDS = {"[OPTIONS]": N_("[OPTIONS]"), "COMMAND [ARGS]...": N_("COMMAND [ARGS]...")}

# Typer's words around help texts and errors, by the module constants it reads them from.
PANEL_WORDS = {"ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
               "COMMANDS_PANEL_TITLE": N_("Commands"), "DEFAULT_STRING": N_("[default: {}]"),
               "REQUIRED_LONG_STRING": N_("[required]"), "ENVVAR_STRING": N_("[env var: {}]"),
               "ERRORS_PANEL_TITLE": N_("Error"), "ABORTED_TEXT": N_("Aborted."),
               "DEPRECATED_STRING": N_("(deprecated) "),
               "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help.")}

# Usage errors as Typer (and Pydantic, which converts values for it) write them. A field named
# ``message`` is itself a message, reworded in turn; ``kind`` is one word of KINDS; any other
# field is what the user typed or a name, kept as it is. The more specific template first.
TEMPLATES = (
    N_("Missing argument {name}. {message}"),
    N_("Missing argument {name}."),
    N_("Missing option {name}. {message}"),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Missing command."),
    N_("Choose from:\n\t{choices}"),
    N_("Invalid value for {name}: {message}"),
    N_("Invalid value: {message}"),
    N_("No such option: {name} (Possible options: {choices})"),
    N_("No such option: {name}"),
    N_("No such command {name}. Did you mean {choices}?"),
    N_("No such command {name}."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Option {name} does not take a value."),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Argument {name} takes {count} values."),
    N_("{kind} {name} does not exist."),
    N_("{kind} {name} is a file."),
    N_("{kind} {name} is a directory."),
    N_("{kind} {name} is not readable."),
    N_("{kind} {name} is not writable."),
    N_("Value error, {message}"),
    N_("{value} is not one of {choices}."),
    N_("Value {value} is not a valid {kind}."),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid boolean, unable to interpret input"),
)
# What a path or a value was expected to be, as those templates name it.
KINDS = {"file": N_("file"), "dir": N_("directory"), "path": N_("path"),
         "int": N_("integer"), "float": N_("number")}


# The type Typer shows beside an option or argument (``<int>``), by the name it shows.
TYPE_WORDS = {"str": N_("text value"), "int": N_("integer"), "int range": N_("integer"),
              "float": N_("number"), "float range": N_("number"), "path": N_("path"),
              "list[str]": N_("text, repeatable"), "list[Path]": N_("path, repeatable")}


def shown_type(param: Any, ctx: Any) -> str | None:
    """What Typer shows of ``param``'s type, in the current language: none for a flag (it takes
    no value), a type's name as a word, a metavar or a list of choices as they are."""
    if getattr(param, "is_flag", False):
        return None
    shown = type(param).display_type_rich(param, ctx)
    if shown and shown.startswith("<") and shown.endswith(">") and shown[1:-1] in TYPE_WORDS:
        return f"<{gettext(TYPE_WORDS[shown[1:-1]])}>"
    return shown


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(template):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def reword(message: str) -> str:
    """``message`` (one of Typer's usage errors, in English) in the current language."""
    for template in TEMPLATES:
        found = _pattern(template).match(message)
        if found is None:
            continue
        fields = found.groupdict()
        if "message" in fields:
            fields["message"] = reword(fields["message"])
        if "kind" in fields:
            fields["kind"] = gettext(KINDS.get(fields["kind"], fields["kind"]))
        return gettext(template).format(**fields)
    return message


def reword_error(error: UsageError) -> None:
    """Show a Click exception's message in the current language (its text is computed now, in
    the language of the run, rather than when it is printed)."""
    english = error.format_message()
    shown = reword(english)
    if shown != english:
        error.format_message = lambda: shown  # type: ignore[method-assign]


def set_panel_words() -> None:
    """Typer's panel titles and notes in the current language, for the help or error it draws
    next."""
    for constant, english in PANEL_WORDS.items():
        setattr(rich_utils, constant, gettext(english))


def usage_line(pieces: list[str]) -> tuple[str, str]:
    """The usage line's prefix and arguments, its placeholders in the current language."""
    return (f"{gettext(USAGE_PREFIX)} ",
            " ".join(gettext(USAGE_WORDS[p]) if p in USAGE_WORDS else p for p in pieces))
