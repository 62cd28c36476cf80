"""What a person reads for a finding's term: the word or phrase the lexicon matched, or, for
a pattern (a WeChat ID, a mobile number, a web address), what kind of thing the matched text
is. The pattern's own name (``<wechat_id>``) stays in the ``term`` field for programs."""

from __future__ import annotations

from ...i18n import N_, _

PATTERNS = {"<wechat_id>": N_("WeChat ID"), "<mobile_number>": N_("mobile number"),
            "<qq_number>": N_("QQ number"), "<url>": N_("web address"),
            "<efficacy:time+effect>": N_("an effect promised within a time"),
            "<efficacy:effect+quantity>": N_("an effect promised in a quantity")}


def term_label(term: str) -> str:
    """The term as a person reads it, in the current language."""
    return _(PATTERNS[term]) if term in PATTERNS else term
