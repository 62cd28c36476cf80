"""Association (视频号橱窗达人违规管理规则 2025): subjects linked by a licence, and from a date by a legal
representative, device or IP, or by an observed link, share the consequences of a member's
violations. Links are (effective from, subject, subject); None: from any date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from .. import events as ev
from ..rules import Pack
from ..rules.model import covers
from ..timekit import natural_year, parse_instant
from .book import SubjectBook
from .effects import prov_of
from .records import ViolationRecord
from .subjects import Subject

if TYPE_CHECKING:
    from .fold import ComponentFold

Link = tuple[dt.datetime | None, str, str]


@lru_cache(maxsize=256)
def instant(value: str, tz: str) -> dt.datetime:
    """A pack's date parameter as an instant (parsed once: links compare it per event)."""
    return parse_instant(value, tz)


def attribute_links(pack: Pack, subjects: Mapping[str, Subject]) -> list[Link]:
    """Links from shared attributes: a licence links at any date, the others from the date
    the extended association applies."""
    assoc = pack.association
    if assoc is None:
        return []
    if len(subjects) < 2:
        return []
    extended = instant(assoc.extended_from.value, pack.timezone)
    links: list[Link] = []
    ordered = sorted(subjects.values(), key=lambda s: s.id)
    keys = {s.id: set(s.link_keys(assoc.extended_via)) for s in ordered}
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            shared = keys[a.id] & keys[b.id]
            if shared:  # a licence links at any date; the other attributes from a date
                licence = any(kind == "licence" for kind, _ in shared)
                links.append((None if licence else extended, a.id, b.id))
    return links


def link_observed(fold: ComponentFold, e: ev.LinkObserved) -> None:
    assoc = fold.pack.association
    fold.touch(e.subject or "", e.at)
    fold.book(e.other)
    if assoc is None:
        return
    effective = e.at
    if e.via in assoc.extended_via:
        effective = max(e.at, instant(assoc.extended_from.value, fold.pack.timezone))
    fold.own("links").append((effective, e.subject or "", e.other))


def group_of(fold: ComponentFold, sid: str, t: dt.datetime) -> set[str]:
    """The subjects linked to ``sid`` at ``t``, through any chain of links."""
    group, frontier = {sid}, [sid]
    while frontier:
        current = frontier.pop()
        for effective, a, b in fold.links:
            if effective is not None and effective > t:
                continue
            other = b if a == current else a if b == current else None
            if other is not None and other not in group:
                group.add(other)
                frontier.append(other)
    return group


def group_violation(fold: ComponentFold, book: SubjectBook, rec: ViolationRecord) -> None:
    """Any member's violation counts against the group (视频号橱窗达人违规管理规则 2025, 任一账号违规将触发连带处罚):
    the main account's own included, with or without a credit deduction. The tier of its
    occurrence in the natural year applies to every member; the main account's part to the
    main account unless it is the violator itself (one act is not deducted twice); the linked
    accounts' part to every other member, the violator included."""
    assoc = fold.pack.association
    assert assoc is not None
    members = group_of(fold, rec.subject, rec.at)
    mains = sorted(m for m in members if fold.book(m).subject.main)
    if len(members) < 2:
        return
    year = natural_year(rec.at, fold.pack.timezone)
    n = 1 + sum(1 for t, v in fold.group_violations
                if v in members and natural_year(t, fold.pack.timezone) == year)
    fold.own("group_violations").append((rec.at, rec.subject))
    tier = next((t for t in assoc.tiers if covers(t.first, t.last, n, rec.at)), None)
    why = f"group violation {n} in {year} by {rec.subject} (group: {', '.join(sorted(members))})"
    fold.effects.decide(book, rec.at, "association", "association", rec.id,
                        {"group": sorted(members), "main": mains, "occurrence": n}, why,
                        prov_of(assoc), {"members": sorted(members), "occurrence": n})
    if tier is None:
        return
    for sid in sorted(members):
        target = fold.touch(sid, rec.at)
        parts = [tier.members]
        if sid not in mains:
            parts.append(tier.others)
        elif sid != rec.subject:
            parts.append(tier.main)
        for cons in parts:
            fold.consequences(target, cons, rec.at, "association", rec.id, rec, why)
