"""The console's messages go through ``zhili.i18n`` (gettext, zh-CN first) where it exists."""

from __future__ import annotations

from typing import Any

try:
    from ..i18n import _, current_language, install_jinja, ngettext
except ImportError:  # a build without the catalogs: the English msgids as they are
    def current_language() -> str:
        return "en"

    def _(message: str) -> str:
        return message

    def ngettext(singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def install_jinja(env: Any) -> None:
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(_, ngettext, newstyle=True)

__all__ = ["_", "current_language", "install_jinja", "ngettext"]
