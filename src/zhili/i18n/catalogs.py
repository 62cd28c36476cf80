"""The translation catalogs: gettext ``.po`` files, compiled when first used.

The ``.po`` sources are what the repository keeps and what translators edit; a fresh checkout
or ``pip install -e .`` needs no build step. Parsing a ``.po`` takes a noticeable fraction of a
second, so the compiled catalog is kept in the user's cache folder under the hash of its
source: later runs load it in about a millisecond, and an edited ``.po`` gets a new hash, so a
stale compiled file is never read. Where the cache cannot be written, the catalog is compiled
in memory each run.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import os
from functools import cache
from pathlib import Path

from platformdirs import user_cache_path

from .language import LANGUAGES

DOMAIN = "zhili"
LOCALE_DIR = Path(__file__).parent / "locale"
CACHE_ENV = "ZHILI_CACHE_DIR"


def catalog_path(tag: str) -> Path | None:
    folder = LANGUAGES[tag][0]
    return None if folder is None else LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or user_cache_path("zhili")) / "i18n"


def compile_po(source: bytes, locale: str) -> bytes:
    # Babel is imported here, not at the top: a run that finds its catalog cached never needs it.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    # Fuzzy entries are guesses nobody has checked; gettext's own msgfmt leaves them out too.
    write_mo(compiled, catalog, use_fuzzy=False)
    return compiled.getvalue()


@cache
def translations(tag: str) -> gettext.NullTranslations:
    """The compiled catalog for a supported tag (the source language translates to itself)."""
    path = catalog_path(tag)
    folder = LANGUAGES[tag][0]
    if path is None or folder is None:
        return gettext.NullTranslations()
    source = path.read_bytes()
    cached = cache_dir() / f"{DOMAIN}-{folder}-{hashlib.sha256(source).hexdigest()[:32]}.mo"
    try:
        with cached.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    except OSError:  # not there yet, unreadable or damaged: compile it again
        pass
    compiled = compile_po(source, folder)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(compiled)
        partial.replace(cached)  # atomic: a concurrent reader sees all of it or nothing
    except OSError:
        pass
    return gettext.GNUTranslations(io.BytesIO(compiled))
