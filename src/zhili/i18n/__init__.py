"""Messages in the reader's language: Chinese first (zh-CN), English on request.

Call sites write English msgids — ``_("Rule packs")``, ``ngettext("%(n)d rule", "%(n)d rules",
n) % {"n": n}`` — and the catalog in ``locale/zh_CN/LC_MESSAGES/zhili.po`` gives the Chinese.
``N_("…")`` marks a string for extraction where it is defined and translated later (module
constants). The language is per context (a contextvar), so concurrent requests of the API and
console each read their own; outside any ``use_language`` it comes from ``ZHILI_LANG``, then
zh-CN. docs/i18n.md describes the catalog workflow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .catalogs import translations
from .language import (
    DEFAULT,
    ENV_VAR,
    LANGUAGES,
    SOURCE,
    environment_language,
    match_language,
    negotiate,
    resolve_language,
)

__all__ = [
    "DEFAULT", "ENV_VAR", "LANGUAGES", "SOURCE", "N_", "_", "current_language", "gettext",
    "install_jinja", "match_language", "negotiate", "ngettext", "resolve_language",
    "use_language",
]

_language: ContextVar[str | None] = ContextVar("zhili_language", default=None)


def current_language() -> str:
    """The tag messages are rendered in here and now: ``zh-CN`` or ``en``."""
    return _language.get() or environment_language()


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Render messages in ``lang`` inside the block (None keeps the surrounding language).

    Accepts the spellings people use (``zh``, ``zh_CN``, ``en-US``); an unknown one is an
    :class:`~zhili.errors.InputError`.
    """
    tag = resolve_language(lang) if lang else current_language()
    token = _language.set(tag)
    try:
        yield tag
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (translate with ``_`` where
    it is shown, once the reader's language is known)."""
    return message


def install_jinja(env: Any) -> None:
    """Let templates in ``env`` write ``{{ _("…") }}``, ``{{ ngettext(…) }}`` and ``{% trans %}``.

    The callables are the new-style ones (``_("%(n)s rules", n=3)`` formats and escapes), and
    whitespace inside ``{% trans %}`` blocks is trimmed, matching how babel.cfg extracts them.
    ``current_language()`` and ``languages`` (tag → own name) are there for a language switch.
    """
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)
    env.globals["current_language"] = current_language
    env.globals["languages"] = {tag: own for tag, (_folder, own) in LANGUAGES.items()}
