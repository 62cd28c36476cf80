"""One content scan, as the API and the console show it: findings with the rule they map to.

The scanner finds; the pack decides what a finding means (its rule, by channel and category).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..i18n import _

# Whose text (the scanner's own list; repeated here so that the console and the API can offer
# it without loading the scanner): the seller's own copy, or a buyer's review.
SOURCES = ("seller", "review")


def scanner_available() -> bool:
    try:
        from ..detect.content import scan  # noqa: F401
    except ImportError:
        return False
    return True


def scan_categories() -> list[str]:
    """The product categories the scanner treats differently (terms, allowed phrases and
    required labels of their own); any other category scans as general goods."""
    from ..detect.content.lexicon import default_lexicon

    lex = default_lexicon()
    found: set[str] = {label.category for label in lex.labels}
    for term in lex.terms:
        found |= set(term.categories or ()) | set(term.except_categories)
    for phrase in lex.allow:
        found |= set(phrase.categories or ())
    return sorted(found)


def scan_text(text: str, *, pack: str | None = None, category: str | None = None,
              channel: str | None = None, source: str = "seller") -> list[dict[str, Any]]:
    """``source``: ``seller`` (the seller's own copy, the default) or ``review`` (a buyer's
    review: only contact and spam findings)."""
    from ..detect.content import scan

    loaded = None
    if pack:
        from ..rules import available_packs, load_pack

        if pack not in available_packs():
            raise InputError(_("unknown pack %(pack)r; expected one of: %(value)s")
                             % {"pack": pack, "value": ', '.join(available_packs())}, path="pack")
        loaded = load_pack(pack)
    options = dict(loaded.content_options) if loaded is not None else None
    from ..detect.content.labels import term_label
    from ..web.names import name

    out = []
    for f in scan(text, category=category, options=options, source=source):
        rule = (loaded.content_rule(f.finding, channel=channel, category=category)
                if loaded is not None else None)
        # What a person reads beside the codes: names in the current language.
        out.append({"finding": f.finding, "name": name("finding", f.finding, pack),
                    "start": f.start, "end": f.end, "text": f.text, "term": f.term,
                    "term_name": term_label(f.term), "rule": rule,
                    "rule_name": name("rule", rule, pack) if rule else None,
                    "provenance": f.provenance})
    return out
