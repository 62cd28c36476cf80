"""From a ``content_published`` event to the violations its findings are on a pack.

The pack decides what a finding is (``pack.content_rule``; None means evidence only) and which
content options apply (``pack.content_options``). Findings that map to the same rule make one
violation, with every finding as evidence, and a deterministic id ``CODE:SUBJECT:SCOPE:DATE``
(SCOPE: the event's item or ``store``; DATE: the local date in the pack's time zone), so the same
content scanned twice, or two posts on one item and day, raise the rule once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ...events import ContentPublished, Violation
from .lexicon import Lexicon
from .scanner import Finding, scan

# (A) off-platform diversion of health content is the aggravated case of the WeChat Channels rules
# ("涉及金融、健康类内容导流"): the text's category is a health one, or it makes a medical claim.
# On wechat_channels the flag means a permanent ban, so the reading is a pack content option,
# INFER_OPTION (default true), that a pack or a user can switch off (docs/content.md).
HEALTH_CATEGORIES = frozenset({"health_supplement", "health_food", "medicine", "medical_device",
                               "infant_formula", "infant_food"})
INFER_OPTION = "infer_finance_or_health"


class ContentPack(Protocol):
    code: str
    version: str
    timezone: str

    @property
    def content_options(self) -> Mapping[str, Any]: ...

    def content_rule(self, finding: str, *, channel: str,
                     category: str | None) -> str | None: ...


def violations_for(event: ContentPublished, pack: ContentPack, *,
                   lexicon: Lexicon | None = None) -> list[Violation]:
    findings = scan(event.text, category=event.category, options=pack.content_options,
                    lexicon=lexicon)
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        rule = pack.content_rule(f.finding, channel=event.channel, category=event.category)
        if rule:
            by_rule.setdefault(rule, []).append(f)
    if not by_rule:
        return []
    date = event.at.astimezone(ZoneInfo(pack.timezone)).date().isoformat()
    scope = event.item or "store"
    health = bool(pack.content_options.get(INFER_OPTION, True)) and (
        event.category in HEALTH_CATEGORIES or any(f.finding == "medical_claim" for f in findings))
    out = []
    for code, hits in by_rule.items():
        diversion = any(f.finding == "off_platform_contact" for f in hits)
        out.append(Violation(
            id=f"{code}:{event.subject}:{scope}:{date}",
            at=event.at,
            subject=event.subject,
            code=code,
            item=event.item,
            flags=("finance_or_health",) if diversion and health else (),
            evidence={
                "findings": [f.to_dict() for f in hits],
                "channel": event.channel,
                "content_event": event.id,
            },
        ))
    return out
