"""Which language a message is read in: the supported tags, their spellings, and negotiation.

Tags are BCP 47 as people and browsers write them (``zh-CN``, ``en``); catalogs sit in gettext
locale folders (``zh_CN``). English is the source language of every msgid, so it needs no
catalog.
"""

from __future__ import annotations

import os

from ..errors import InputError

DEFAULT = "zh-CN"
SOURCE = "en"
# tag -> (gettext locale folder or None for the source language, name in its own language)
LANGUAGES: dict[str, tuple[str | None, str]] = {
    "zh-CN": ("zh_CN", "中文"),
    "en": (None, "English"),
}
ENV_VAR = "ZHILI_LANG"

# Spellings people and browsers use for the languages above. Simplified Chinese is what the
# platforms write in; a Traditional-script request still reads the simplified text better than
# English would.
_ALIASES = {
    "zh": "zh-CN", "zh-cn": "zh-CN", "zh-hans": "zh-CN", "zh-hans-cn": "zh-CN", "zh-sg": "zh-CN",
    "zh-hant": "zh-CN", "zh-tw": "zh-CN", "zh-hk": "zh-CN", "cn": "zh-CN", "chinese": "zh-CN",
    "中文": "zh-CN",
    "en": "en", "english": "en",
}


def match_language(value: str | None) -> str | None:
    """The supported tag ``value`` names (``zh_CN``, ``zh-Hans``, ``en-GB`` …), or None."""
    if not value:
        return None
    key = value.strip().replace("_", "-").lower()
    # POSIX locales carry an encoding or modifier: zh_CN.UTF-8, en_US@euro.
    key = key.split(".")[0].split("@")[0]
    if key in _ALIASES:
        return _ALIASES[key]
    primary = key.split("-")[0]
    return _ALIASES.get(primary)


def resolve_language(value: str, *, field: str = "language") -> str:
    """Like :func:`match_language` for a value a person typed: unknown values are an error."""
    tag = match_language(value)
    if tag is None:
        from . import gettext  # the package, which imports this module first

        raise InputError(gettext("unknown language %(value)r; expected one of %(known)s") % {
            "value": value, "known": ", ".join(LANGUAGES)}, path=field)
    return tag


def environment_language() -> str:
    """The language ``ZHILI_LANG`` asks for, or the default (an unknown value is ignored here;
    the CLI refuses it with a message)."""
    return match_language(os.environ.get(ENV_VAR)) or DEFAULT


def negotiate(accept_language: str | None) -> str | None:
    """The best supported tag for an ``Accept-Language`` header, or None if none is acceptable.

    Weights (``q=``) order the choices; ties keep the header's order, as RFC 9110 intends.
    """
    if not accept_language:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        piece, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0 and piece:
            choices.append((-weight, position, piece))
    for _weight, _position, piece in sorted(choices):
        tag = match_language(piece)
        if tag is not None:
            return tag
    return None
