"""The platforms the bundled packs govern, by the names people write for them.

The console names each platform (``PLATFORMS``, through the catalog: 视频号, WeChat Channels);
merchants and back offices write other names too (微信视频号, 全球速卖通, AE), kept as data in
``packs/platforms.yaml`` beside the packs. All of them, and the pack's code, lead to the pack, so
that a table's platform column (平台) can say 天猫国际 where a pack code is expected.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import yaml

from .errors import InputError
from .i18n import LANGUAGES, N_, _
from .i18n.catalogs import translations

# The platforms of the bundled packs, by the names the console shows.
PLATFORMS = {"wechat_channels": N_("WeChat Channels"), "wechat_store": N_("WeChat Store"),
             "pinduoduo_global": N_("Pinduoduo cross-border"),
             "tmall_global": N_("Tmall Global"), "douyin_global": N_("Douyin Global"),
             "aliexpress": N_("AliExpress")}
ALIASES_FILE = Path(__file__).parent / "packs" / "platforms.yaml"


def pack_name(code: str) -> str:
    """The platform a pack governs; a pack of the user's own shows its code."""
    return _(PLATFORMS[code]) if code in PLATFORMS else code


def _key(name: str) -> str:
    """A name as compared: full-width letters as ASCII, case and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


@cache
def names() -> dict[str, tuple[str, ...]]:
    """Every name each bundled pack's platform goes by: its code, the console's name in each
    language of the catalog, and the aliases of ``packs/platforms.yaml``."""
    aliases = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8")) or {}
    found = {}
    for code, english in PLATFORMS.items():
        shown = [translations(tag).gettext(english) for tag in LANGUAGES]
        found[code] = tuple(dict.fromkeys([code, *shown, *(str(a) for a in
                                                            aliases.get(code) or ())]))
    return found


@cache
def _by_key() -> dict[str, str]:
    found: dict[str, str] = {}
    for code, known in names().items():
        for name in known:
            other = found.setdefault(_key(name), code)
            if other != code:
                raise ValueError(f"{ALIASES_FILE}: {name!r} names both {other} and {code}")
    return found


def pack_of(platform: str) -> str | None:
    """The code of the bundled pack whose platform ``platform`` names, or None."""
    return _by_key().get(_key(platform))


def platform_pack(platform: str, *, file: str | None = None, path: str | None = None) -> str:
    """What a platform cell means: a bundled pack's code for one of its platform's names, or
    the path of a pack of the user's own as written; anything else is an error that lists the
    names the bundled packs take."""
    code = pack_of(platform)
    if code is not None:
        return code
    if Path(platform).exists():
        return platform
    from .portfolio import listed

    raise InputError(_("unknown platform %(platform)r; the platform column takes %(names)s, "
                       "or the path of a pack.yaml") % {
        "platform": platform,
        "names": listed(f"{pack_name(c)} ({c})" for c in PLATFORMS)}, file=file, path=path)
