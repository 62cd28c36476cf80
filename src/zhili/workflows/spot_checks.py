"""The "神买" spot-check programme (抽检), 微信小店严打无货源店铺 2026-03-24.

Four steps, each a pure function:

1. :func:`qualify` checks every supplier record against the criteria and gives the reason for
   every rejection;
2. :func:`choose_suppliers` picks the programme's suppliers among the qualified ones;
3. :func:`sampling_plan` draws a reproducible (seeded) plan of mystery purchases, weighted by
   the category and the risk of each listing;
4. :func:`violations_from_results` turns failed results into ``spot_check_failed`` violations
   of the selling subject, with deterministic ids ``spot_check_failed:SUBJECT:ITEM:DATE``.

The criteria's numbers are the pack's data (:meth:`SupplierCriteria.from_pack` reads a pack's
``programmes.yaml``); the
sampling weights are the programme operator's choice and are always passed in.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..events import Event, SpotCheckResult, Violation, in_time_order
from ..i18n import _
from ..textfiles import read_text
from ..timekit import DEFAULT_ZONE, local_date

VIOLATION_CODE = "spot_check_failed"


@dataclass(frozen=True, slots=True)
class SupplierCriteria:
    """What a testing supplier must meet, and how many the programme selects."""

    accreditations: tuple[str, ...]  # every one required, e.g. ("CNAS", "CMA")
    min_years_registered: int
    min_registered_capital: Decimal  # CNY
    min_own_labs: int
    suppliers_selected: int

    @classmethod
    def from_pack(cls, pack_dir: str | Path) -> SupplierCriteria:
        """The criteria a pack states in its ``programmes.yaml`` (each value with provenance)."""
        path = Path(pack_dir) / "programmes.yaml"
        if not path.is_file():
            raise InputError(_("this pack has no spot-check programme"), file=str(path))
        doc = yaml.safe_load(read_text(path)) or {}
        node = doc.get("spot_check_suppliers")
        if not isinstance(node, Mapping):
            raise InputError(_("missing: spot_check_suppliers"), file=str(path))
        for name, spec in node.items():
            if not isinstance(spec, Mapping) or "value" not in spec or not (
                    ("source" in spec and spec.get("quote")) or spec.get("assumption")):
                raise InputError(_("expected {value, source, quote} or {value, assumption}"),
                                 file=str(path), path=f"spot_check_suppliers.{name}")
        try:
            return cls.from_mapping({k: v["value"] for k, v in node.items()})
        except InputError as err:
            raise err.within(file=str(path), path="spot_check_suppliers") from None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> SupplierCriteria:
        try:
            return cls(
                accreditations=tuple(str(a) for a in raw["accreditations"]),
                min_years_registered=int(raw["min_years_registered"]),
                min_registered_capital=Decimal(str(raw["min_registered_capital"])),
                min_own_labs=int(raw["min_own_labs"]),
                suppliers_selected=int(raw["suppliers_selected"]),
            )
        except KeyError as err:
            raise InputError(_("missing: the supplier criteria need %(value)s")
                             % {"value": err.args[0]}) from None
        except (TypeError, ValueError, InvalidOperation) as err:
            raise InputError(_("supplier criteria: %(err)s") % {"err": err}) from None


@dataclass(frozen=True, slots=True)
class Supplier:
    """A testing supplier's record as it applied. ``None`` means the record does not say."""

    id: str
    accreditations: frozenset[str]
    registered_on: dt.date | None
    registered_capital: Decimal | None
    own_labs: int | None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str = "suppliers") -> Supplier:
        """One record: ``id``, ``accreditations`` (list), ``registered_on`` (date),
        ``registered_capital`` (CNY) and ``own_labs``."""
        known = {"id", "name", "accreditations", "registered_on", "registered_capital",
                 "own_labs"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InputError(_("unknown field; allowed: %(value)s")
                             % {"value": ', '.join(sorted(known))},
                             path=f"{where}.{unknown[0]}")
        if not raw.get("id"):
            raise InputError(_("missing: every supplier record needs `id`"), path=f"{where}.id")
        sid = str(raw["id"])
        try:
            on = raw.get("registered_on")
            registered_on = None if on is None else (
                on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on)))
            capital = raw.get("registered_capital")
            labs = raw.get("own_labs")
            if isinstance(labs, bool) or (labs is not None and not isinstance(labs, int)):
                raise ValueError(f"own_labs must be a whole number, got {labs!r}")
            accreditations = raw.get("accreditations") or ()
            if isinstance(accreditations, str):
                raise ValueError("accreditations must be a list, e.g. [CNAS, CMA]")
            return cls(
                id=sid,
                accreditations=frozenset(str(a).upper() for a in accreditations),
                registered_on=registered_on,
                registered_capital=None if capital is None else Decimal(str(capital)),
                own_labs=labs,
            )
        except (TypeError, ValueError, InvalidOperation) as err:
            raise InputError(_("supplier %(sid)s: %(err)s")
                             % {"sid": sid, "err": err}, path=where) from None


@dataclass(frozen=True, slots=True)
class Qualification:
    supplier: Supplier
    reasons: tuple[str, ...]  # why it was rejected; empty when qualified

    @property
    def qualified(self) -> bool:
        return not self.reasons


def full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (a 29 February start completes on 28 February)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def qualify(suppliers: Iterable[Supplier], criteria: SupplierCriteria,
            as_of: dt.date) -> list[Qualification]:
    """Every supplier with every criterion it fails (nothing unstated is presumed met)."""
    out = []
    for s in suppliers:
        reasons = [f"no {name} accreditation" for name in criteria.accreditations
                   if name.upper() not in s.accreditations]
        if s.registered_on is None:
            reasons.append("registration date not stated")
        elif (years := full_years(s.registered_on, as_of)) < criteria.min_years_registered:
            reasons.append(f"registered {years} full years by {as_of}, needs "
                           f"{criteria.min_years_registered}")
        if s.registered_capital is None:
            reasons.append("registered capital not stated")
        elif s.registered_capital < criteria.min_registered_capital:
            reasons.append(f"registered capital {s.registered_capital} CNY, needs at least "
                           f"{criteria.min_registered_capital}")
        if s.own_labs is None:
            reasons.append("number of own laboratories not stated")
        elif s.own_labs < criteria.min_own_labs:
            reasons.append(f"{s.own_labs} own laboratories, needs at least "
                           f"{criteria.min_own_labs}")
        out.append(Qualification(s, tuple(reasons)))
    return out


def choose_suppliers(qualifications: Iterable[Qualification],
                     criteria: SupplierCriteria) -> list[Supplier]:
    """The programme's suppliers among the qualified ones.

    The source names only the criteria, not how to choose among those who meet them; our
    documented choice is the most testing capacity first (own laboratories, then registered
    capital, then the longest registration), with the id breaking ties so the choice is stable.
    """
    qualified = [q.supplier for q in qualifications if q.qualified]
    if len(qualified) < criteria.suppliers_selected:
        raise InputError(_("%(n)s supplier(s) qualify; the programme selects "
                           "%(suppliers_selected)s")
                         % {"n": len(qualified), "suppliers_selected": criteria.suppliers_selected})
    qualified.sort(key=lambda s: (-(s.own_labs or 0), -(s.registered_capital or 0),
                                  s.registered_on or dt.date.max, s.id))
    return qualified[: criteria.suppliers_selected]


@dataclass(frozen=True, slots=True)
class Listing:
    """An item on sale that may be bought in a mystery purchase."""

    subject: str
    item: str
    category: str
    risk: str  # a risk level named in the weights, e.g. low | medium | high


@dataclass(frozen=True, slots=True)
class SamplingWeights:
    """How strongly category and risk pull a listing into the plan (weight = product)."""

    category: Mapping[str, float]
    risk: Mapping[str, float]
    other_category: float = 1.0  # categories not named in ``category``

    def of(self, listing: Listing) -> float:
        if listing.risk not in self.risk:
            raise InputError(_("listing %(subject)s/%(item)s: unknown risk level %(risk)r; "
                               "expected one of: %(value)s")
                             % {"subject": listing.subject, "item": listing.item,
                                "risk": listing.risk, "value": ', '.join(self.risk)})
        weight = self.category.get(listing.category, self.other_category) * self.risk[listing.risk]
        if not math.isfinite(weight) or weight < 0:
            raise InputError(_("listing %(subject)s/%(item)s: weight must be a finite number ≥ "
                               "0, got %(weight)s")
                             % {"subject": listing.subject, "item": listing.item, "weight": weight})
        return weight


@dataclass(frozen=True, slots=True)
class MysteryPurchase:
    id: str
    listing: Listing
    supplier: str
    weight: float

    def result_event(self, at: str | dt.datetime, result: str) -> dict[str, Any]:
        """The ``spot_check_result`` event the supplier's report becomes."""
        return {"type": "spot_check_result", "at": at, "subject": self.listing.subject,
                "item": self.listing.item, "result": result, "supplier": self.supplier}


def sampling_plan(listings: Iterable[Listing], weights: SamplingWeights,
                  suppliers: Sequence[Supplier | str], purchases: int, seed: int,
                  plan_id: str = "plan") -> list[MysteryPurchase]:
    """Draw ``purchases`` distinct listings, each with probability growing with its weight.

    Weighted sampling without replacement (Efraimidis-Spirakis: key = u^(1/w), keep the
    largest keys), over the listings in a canonical order, so that the plan depends only on the
    seed and the set of listings, never on the order they were given in. Zero-weight listings
    are never drawn. Suppliers take the purchases in turn.
    """
    if purchases < 0:
        raise InputError(_("the number of purchases must be ≥ 0, got %(purchases)s")
                         % {"purchases": purchases})
    names = [s if isinstance(s, str) else s.id for s in suppliers]
    if not names:
        raise InputError(_("a sampling plan needs at least one supplier"))
    unique = {(x.subject, x.item): x for x in listings}
    rng = random.Random(seed)
    keyed = []
    for key in sorted(unique):
        listing = unique[key]
        weight = weights.of(listing)
        draw = rng.random()  # drawn for every listing, so a zero weight shifts nothing
        if weight > 0:
            keyed.append((draw ** (1.0 / weight), key, listing, weight))
    keyed.sort(key=lambda k: (-k[0], k[1]))
    return [
        MysteryPurchase(id=f"{plan_id}-{n + 1:03d}", listing=listing,
                        supplier=names[n % len(names)], weight=weight)
        for n, (_, _, listing, weight) in enumerate(keyed[:purchases])
    ]


def violation_id(subject: str, item: str, at: dt.datetime, tz: str = DEFAULT_ZONE) -> str:
    return f"{VIOLATION_CODE}:{subject}:{item}:{local_date(at, tz).isoformat()}"


def violations_from_results(results: Iterable[Event],
                            suppliers: Collection[str] | None = None,
                            tz: str = DEFAULT_ZONE) -> list[Violation]:
    """One ``spot_check_failed`` violation per failed item, subject and local day.

    Other events are ignored, so a whole event stream may be passed.
    With ``suppliers``, a result reported by a supplier outside the programme is an error.
    """
    out: dict[str, Violation] = {}
    for result in in_time_order(results):
        if not isinstance(result, SpotCheckResult):
            continue
        if suppliers is not None and result.supplier not in suppliers:
            raise InputError(_("supplier %(supplier)r is not in the programme (%(value)s)")
                             % {"supplier": result.supplier, "value": ', '.join(sorted(suppliers))},
                             path=f"events.{result.id}")
        if result.result != "fail" or result.subject is None:
            continue
        vid = violation_id(result.subject, result.item, result.at, tz)
        evidence: dict[str, Any] = {"scope": result.item, "result": result.id}
        if result.supplier:
            evidence["supplier"] = result.supplier
        out.setdefault(vid, Violation(id=vid, at=result.at, subject=result.subject,
                                      code=VIOLATION_CODE, item=result.item, evidence=evidence))
    return list(out.values())


def parse_listing(raw: Mapping[str, Any], where: str = "listings") -> Listing:
    missing = [k for k in ("subject", "item", "category", "risk") if raw.get(k) in (None, "")]
    if missing:
        raise InputError(_("missing: a listing needs `%(value)s`")
                         % {"value": missing[0]}, path=f"{where}.{missing[0]}")
    return Listing(str(raw["subject"]), str(raw["item"]), str(raw["category"]), str(raw["risk"]))
