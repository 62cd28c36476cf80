"""Matching what a scenario file expects against what the engine recorded: balances, the holds
in force, and the details of decisions (an appeal's ``on_time``, a fee's or a release's amount).

A person writes `2000`, `all`, `true` or `2026-03-09 10:00`; the engine keeps a ``Decimal``, a
marker, a ``bool`` or an aware instant. ``same`` compares them as the person meant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .engine import Decision, Hold
from .engine.records import _jsonable
from .errors import InputError
from .i18n import _
from .timekit import is_date_only, local_date, parse_instant

# What a hold expectation may name, and the record field each one reads.
HOLD_KEYS = ("account", "amount", "scope", "until", "rule", "cause", "end")
# A decision expectation names its kind; `rule`, `cause` and `at` read the decision itself,
# every other key one field of the decision's details.
DECISION_OWN = ("kind", "rule", "cause", "at")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def same(expected: Any, actual: Any, tz: str) -> bool:
    """True when ``actual`` (as recorded) is what ``expected`` (as written) says."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(actual, bool) or isinstance(expected, bool):
        return expected is actual
    if isinstance(actual, dt.datetime):
        if is_date_only(expected):
            day = expected if isinstance(expected, dt.date) else dt.date.fromisoformat(
                str(expected).strip())
            return local_date(actual, tz) == day
        try:
            return parse_instant(expected, tz) == actual
        except InputError:
            return False
    if isinstance(actual, Decimal | int | float):
        number = _decimal(expected)
        return number is not None and number == _decimal(actual)
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):  # the fields named
        return all(k in actual and same(v, actual[k], tz) for k, v in expected.items())
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(
            same(e, a, tz) for e, a in zip(expected, actual, strict=True))
    return str(expected) == str(actual)


def hold_matches(wanted: Mapping[str, Any], hold: Hold, tz: str) -> bool:
    for key, value in wanted.items():
        actual = getattr(hold, key)
        if key == "amount" and actual is None:
            actual = "all"  # a hold on the whole account (or on amounts not known)
        if not same(value, actual, tz):
            return False
    return True


def decision_matches(wanted: Mapping[str, Any], decision: Decision, tz: str) -> bool:
    for key, value in wanted.items():
        if key in DECISION_OWN:
            actual = getattr(decision, key)
        elif key in decision.detail:
            actual = decision.detail[key]
        else:
            return False
        if not same(value, actual, tz):
            return False
    return True


def describe_holds(holds: Iterable[Hold]) -> list[str] | str:
    out = [f"{h.account}" + (f":{h.scope}" if h.scope else "")
           + f" {h.amount if h.amount is not None else 'all'}" for h in holds]
    return out or "none active"


def describe_decisions(decisions: Iterable[Decision], kind: Any) -> list[str] | str:
    out = [f"{d.kind} {d.rule} {_jsonable(dict(d.detail))}" for d in decisions if d.kind == kind]
    return out or f"no {kind} decision"


def check_shape(check: Mapping[str, Any], file: str, path: str) -> None:
    """The new keys' shapes, checked when the file is read (errors name file and field)."""
    for key in ("deposit", "outstanding", "required_deposit"):
        if key in check and _decimal(check[key]) is None:
            raise InputError(_("expected an amount in CNY"), file=file, path=f"{path}.{key}")
    for key, allowed in (("holds", HOLD_KEYS), ("not_holds", HOLD_KEYS), ("decisions", None),
                         ("not_decisions", None)):
        if key not in check:
            continue
        items = check[key]
        if not isinstance(items, list):
            raise InputError(_("expected a list of mappings"), file=file, path=f"{path}.{key}")
        for k, item in enumerate(items):
            where = f"{path}.{key}[{k}]"
            if not isinstance(item, Mapping) or not item:
                raise InputError(_("expected a mapping of fields to match"), file=file, path=where)
            if allowed is not None:
                for field in item:
                    if field not in allowed:
                        raise InputError(_("unknown key; expected one of: %(value)s")
                                         % {"value": ', '.join(allowed)},
                                         file=file, path=f"{where}.{field}")
            elif "kind" not in item:
                raise InputError(_("missing required key (the decision's kind: fee, hold, "
                                   "release, sanction, lift, appeal, ...)"), file=file,
                                 path=f"{where}.kind")
