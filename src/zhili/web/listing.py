"""The subjects list of a portfolio: search, filters, sorting and pages over every subject.

A governance team or an agency holds thousands of subjects; the page answers "which of them
need me" without sending all of them to the browser. Each subject's standing comes from the
summaries the store keeps (``zhili.store.summaries``: read in one query, folded only where an
event or the passing of time changed it), its name and licence from the registry, so a page
costs one pass over the portfolio's rows, whatever page is asked for.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api.auth import Principal
from ..api.service import Governance
from ..errors import InputError
from ..i18n import _

PER_PAGE = (25, 50, 100, 200)
SORTS = ("risk", "id", "pack", "score", "band", "fees", "sanctions", "violations", "appeals")
MAX_QUERY = 100  # characters of a search; longer ones are refused, not cut


@dataclass(frozen=True)
class SubjectQuery:
    """What the person asked for, validated: every field comes from the address bar."""

    q: str = ""
    pack: str = ""
    band: str = ""
    sanctioned: bool = False
    appeal: bool = False
    expiring: bool = False
    sort: str = "risk"
    desc: bool = False
    page: int = 1
    per_page: int = 50

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> SubjectQuery:
        q = params.get("q", "").strip()
        if len(q) > MAX_QUERY:
            raise InputError(_("expected at most %(n)d characters") % {"n": MAX_QUERY}, path="q")
        sort = params.get("sort") or "risk"
        if sort not in SORTS:
            raise InputError(_expected_one_of(SORTS), path="sort")
        per_page = _integer(params, "per_page", 50)
        if per_page not in PER_PAGE:
            raise InputError(_expected_one_of(map(str, PER_PAGE)), path="per_page")
        page = _integer(params, "page", 1)
        if page < 1:
            raise InputError(_("expected a page number from 1"), path="page")
        return cls(q=q, pack=params.get("pack", ""), band=params.get("band", ""),
                   sanctioned=_flag(params, "sanctioned"), appeal=_flag(params, "appeal"),
                   expiring=_flag(params, "expiring"), sort=sort,
                   desc=params.get("order") == "desc", page=page, per_page=per_page)

    def link(self, **changes: Any) -> str:
        """This query with ``changes``, as a query string (defaults left out)."""
        values = {**self.__dict__, **changes}
        out = []
        for name, value in values.items():
            if name == "desc":
                if value:
                    out.append("order=desc")
            elif value not in ("", False, None) and value != getattr(SubjectQuery, name):
                out.append(f"{name}={'1' if value is True else _quote(str(value))}")
        return "?" + "&".join(out)


def _integer(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InputError(_("expected a whole number, got %(value)r") % {"value": raw},
                         path=name) from None


def _expected_one_of(values: Iterable[str]) -> str:
    return _("expected one of: %(values)s") % {"values": ", ".join(values)}


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "") in ("1", "true", "on", "yes")


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@dataclass
class Listing:
    rows: list[dict[str, Any]]
    total: int          # subjects matching the query
    everyone: int       # subjects the viewer may see
    page: int
    pages: int
    packs: list[str] = field(default_factory=list)
    bands: list[str] = field(default_factory=list)


def row(sid: str, pack: str, subject: Any, summary: Mapping[str, Any]) -> dict[str, Any]:
    """A subject's row: its registry attributes beside its summary."""
    return {
        "id": sid, "pack": pack, "kind": getattr(subject, "kind", None),
        "name": getattr(subject, "name", None), "licence": getattr(subject, "licence", None),
        **summary,
    }


def _matches(r: Mapping[str, Any], q: SubjectQuery) -> bool:
    if q.q:
        needle = q.q.casefold()
        if not any(needle in str(r[k]).casefold() for k in ("id", "name", "licence") if r[k]):
            return False
    return ((not q.pack or r["pack"] == q.pack) and (not q.band or r["band"] == q.band)
            and (not q.sanctioned or bool(r["sanctions"]))
            and (not q.appeal or r["open_appeals"] > 0)
            and (not q.expiring or r["expiring"] > 0))


def _first_score(r: Mapping[str, Any]) -> float:
    return float(next(iter(r["scores"].values()))) if r["scores"] else math.inf


SORT_KEYS = {
    # Most in need of attention first: sanctions, bad documents, open appeals, violations.
    "risk": lambda r: (-len(r["sanctions"]), -r["bad_documents"], -r["open_appeals"],
                       -r["violations"], -r["expiring"]),
    "id": lambda r: (r["id"],),
    "pack": lambda r: (r["pack"],),
    "score": lambda r: (_first_score(r),),
    "band": lambda r: (r["band"] is None, r["band"] or ""),
    "fees": lambda r: (float(r["fees"] or 0),),
    "sanctions": lambda r: (len(r["sanctions"]),),
    "violations": lambda r: (r["violations"],),
    "appeals": lambda r: (r["open_appeals"],),
}


class RowCache:
    """The rows of the last few (viewer, instant, data) combinations, for a short while.

    Searching, filtering, sorting and paging the same portfolio at the same instant reuse
    one computation. The key holds each pack's event count and the number of subjects, so an
    ingested event or a new subject makes a fresh one; ``ttl`` bounds how long a changed
    attribute of an existing subject (a new name) can go unseen.
    """

    def __init__(self, size: int = 8, ttl: float = 60.0):
        self.size, self.ttl = size, ttl
        self._entries: dict[tuple[Any, ...], tuple[float, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def rows(self, gov: Governance, who: Principal, at: dt.datetime) -> list[dict[str, Any]]:
        registered = gov.subjects(who)
        packs = sorted({pack for pack, _ in registered.values()})
        key = (who.role, who.subject, at, len(registered),
               tuple(gov.store.count_events(pack=p) for p in packs))
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self.ttl:
                return found[1]
        rows = rows_of(gov, who, at, registered)
        with self._lock:
            self._entries[key] = (now, rows)
            while len(self._entries) > self.size:
                self._entries.pop(next(iter(self._entries)))
        return rows


def rows_of(gov: Governance, who: Principal, at: dt.datetime,
            registered: Mapping[str, tuple[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One row per subject the viewer may see that has a history."""
    registered = registered if registered is not None else gov.subjects(who)
    found = gov.summaries_of(who, at)
    return [row(sid, registered[sid][0], registered[sid][1], found[sid])
            for sid in sorted(found) if sid in registered]


def subjects_listing(gov: Governance, who: Principal, at: dt.datetime,
                     query: SubjectQuery, cache: RowCache | None = None) -> Listing:
    rows = cache.rows(gov, who, at) if cache is not None else rows_of(gov, who, at)
    packs = sorted({r["pack"] for r in rows})
    bands = sorted({r["band"] for r in rows if r["band"]})
    if query.pack and query.pack not in packs:
        raise InputError(_expected_one_of(packs), path="pack")
    chosen = [r for r in rows if _matches(r, query)]
    key = SORT_KEYS[query.sort]
    chosen.sort(key=lambda r: r["id"])  # ties keep id order, whichever way the key runs
    chosen.sort(key=key, reverse=query.desc)
    pages = max(1, math.ceil(len(chosen) / query.per_page))
    page = min(query.page, pages)
    start = (page - 1) * query.per_page
    return Listing(chosen[start:start + query.per_page], len(chosen), len(rows), page, pages,
                   packs, bands)
