"""The translation catalogs: gettext ``.po`` files compiled in memory when first used.

The ``.po`` sources are what the repository keeps and what translators edit; compiling them at
first use (a few milliseconds) means a fresh checkout or ``pip install -e .`` needs no build
step and a compiled file can never be stale.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from .language import LANGUAGES

DOMAIN = "zhili"
LOCALE_DIR = Path(__file__).parent / "locale"


def catalog_path(tag: str) -> Path | None:
    folder = LANGUAGES[tag][0]
    return None if folder is None else LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(tag: str) -> gettext.NullTranslations:
    """The compiled catalog for a supported tag (the source language translates to itself)."""
    path = catalog_path(tag)
    if path is None:
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=LANGUAGES[tag][0], domain=DOMAIN)
    compiled = io.BytesIO()
    # Fuzzy entries are guesses nobody has checked; gettext's own msgfmt leaves them out too.
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
