"""The scenario runner behind `zhili test`: cases in the format of docs/scenarios.md.

A file is a YAML list of cases; each case names a pack, subjects, events (and optionally
orders) and expectations at instants. A case passes when every expectation holds.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .engine import Ledger, Subject, SubjectState, replay
from .errors import InputError
from .events import Event
from .histories import check_keys, parse_history, read_yaml, timed_entries
from .i18n import _
from .rules import Pack
from .scenario_match import (
    check_shape,
    decision_matches,
    describe_decisions,
    describe_holds,
    hold_matches,
)
from .timekit import bare_date, is_date_only, local_date, parse_instant

CASE_KEYS = ("name", "pack", "params", "subjects", "events", "orders", "orders_file", "expect",
             "candidate", "expect_candidate", "impact")
EXPECT_KEYS = ("at", "subject", "score", "fees", "held", "sanctions", "not_sanctions",
               "violations", "appeal", "notices", "not_notices", "deposit", "outstanding",
               "required_deposit", "holds", "not_holds", "decisions", "not_decisions")


@dataclass
class Case:
    name: str
    file: str
    index: int
    pack: Pack
    subjects: dict[str, Subject]
    events: list[Event]
    expect: list[Mapping[str, Any]]
    orders: Any = None
    candidate: Pack | None = None       # a candidate rule set (docs/impact.md)
    expect_candidate: list[Mapping[str, Any]] = field(default_factory=list)
    impact: list[Mapping[str, Any]] = field(default_factory=list)


@dataclass
class Failure:
    case: str
    at: str
    subject: str
    key: str
    expected: Any
    actual: Any

    def describe(self) -> str:
        return "  " + _("at %(at)s, subject %(subject)s: %(key)s\n"
                        "    expected: %(expected)s\n"
                        "    actual:   %(actual)s") % {
            "at": self.at, "subject": self.subject, "key": self.key,
            "expected": self.expected, "actual": self.actual}


@dataclass
class CaseResult:
    case: Case
    failures: list[Failure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def scenario_files(paths: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # In a folder, scenario files are the YAML lists of cases; pack definitions and
            # example histories beside them are mappings.
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")
                              and _is_case_list(p)))
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(_("no such file or folder"), file=str(path))
    return out


def _is_case_list(path: Path) -> bool:
    try:
        return isinstance(read_yaml(path), list)
    except InputError:
        return True  # let load_cases report where it is broken


def load_cases(path: Path) -> list[Case]:
    file = str(path)
    doc = read_yaml(path)
    if not isinstance(doc, list):
        raise InputError(_("expected a YAML list of cases"), file=file)
    return [_case(raw, file, i, path.parent) for i, raw in enumerate(doc)]


def _case(raw: Any, file: str, i: int, folder: Path) -> Case:
    where = f"case[{i}]"
    if not isinstance(raw, Mapping):
        raise InputError(_("expected a case mapping"), file=file, path=where)
    name = str(raw.get("name") or where)
    where = f"case {name!r}"
    check_keys(raw, CASE_KEYS, ("pack", "expect"), file, where)
    pack, subjects, events = parse_history(raw, file, where)
    expect = _checks(raw["expect"], pack, file, f"{where}.expect")
    candidate = None
    if raw.get("candidate") is not None:
        from .impact.cases import candidate_pack

        candidate = candidate_pack(raw["candidate"], raw, file, f"{where}.candidate", folder)
    elif raw.get("expect_candidate") or raw.get("impact"):
        raise InputError(_("`expect_candidate` and `impact` need a `candidate`"), file=file,
                         path=f"{where}.candidate")
    expect_candidate = _checks(raw.get("expect_candidate") or [], pack, file,
                               f"{where}.expect_candidate")
    impact = raw.get("impact") or []
    if impact:
        from .impact.cases import check_impact

        check_impact(impact, pack, file, f"{where}.impact")
    orders = None
    if raw.get("orders") is not None or raw.get("orders_file") is not None:
        from .detect.orders import load_orders

        source = raw.get("orders")
        if raw.get("orders_file") is not None:
            source = str(folder / str(raw["orders_file"]))
        try:
            orders = load_orders(source, tz=pack.timezone)
        except InputError as err:
            raise err.within(file=file, path=f"{where}.orders") from None
    return Case(name, file, i, pack, subjects, events, expect, orders, candidate,
                expect_candidate, list(impact))


def _checks(expect: Any, pack: Pack, file: str, where: str) -> list[Mapping[str, Any]]:
    """A list of checks, validated: known keys, an instant and a subject each."""
    checks = timed_entries(expect, EXPECT_KEYS, pack.timezone, file, where)
    for j, check in enumerate(checks):
        check_shape(check, file, f"{where}[{j}]")
    return checks


def run_case(case: Case) -> CaseResult:
    """Run one case; an input error found while folding names the file and the case."""
    try:
        return _run(case)
    except InputError as err:
        raise err.within(file=case.file, path=f"case {case.name!r}") from None


def _fold(case: Case, pack: Pack) -> Ledger:
    """The case's history under ``pack``, with what its order rules raise on the orders."""
    events = list(case.events)
    tz = pack.timezone
    if case.orders is not None:
        from .detect.orders import violations_from_orders

        checks = [*case.expect, *case.expect_candidate, *case.impact]
        until = max(parse_instant(c["at"], tz) for c in checks)
        events += violations_from_orders(case.orders, pack, until=until, events=events)
    return replay(events, pack, case.subjects)


def _run(case: Case) -> CaseResult:
    ledger = _fold(case, case.pack)
    result = CaseResult(case)
    tz = case.pack.timezone
    for check in case.expect:
        at = parse_instant(check["at"], tz)
        result.failures.extend(_check(case, ledger, check, at, str(check["subject"])))
    if case.candidate is None:
        return result
    from .impact.cases import impact_failures

    candidate = _fold(case, case.candidate)
    for check in case.expect_candidate:
        at = parse_instant(check["at"], tz)
        for f in _check(case, candidate, check, at, str(check["subject"])):
            f.key = f"candidate: {f.key}"
            result.failures.append(f)
    for entry in case.impact:
        result.failures.extend(Failure(case.name, str(entry["at"]), *found) for found in
                               impact_failures(entry, ledger, candidate, tz))
    return result


def _check(case: Case, ledger: Ledger, check: Mapping[str, Any], at: dt.datetime,
           subject: str) -> list[Failure]:
    state = ledger.state(subject, at)
    out: list[Failure] = []

    def fail(key: str, expected: Any, actual: Any) -> None:
        out.append(Failure(case.name, str(check["at"]), subject, key, expected, actual))

    for name, value in (check.get("score") or {}).items():
        actual = state.scores.get(name)
        if actual is None or float(actual) != float(value):
            fail(f"score.{name}", value, _num(actual))
    if "fees" in check and Decimal(str(check["fees"])) != state.fees:
        fail("fees", check["fees"], _num(state.fees))
    for account, value in (check.get("held") or {}).items():
        actual = state.held.get(account)
        if isinstance(value, bool):
            ok = (actual is not None) == value
        else:
            ok = actual is not None and actual is not True and actual == Decimal(str(value))
        if not ok:
            fail(f"held.{account}", value, _num(actual) if actual is not None else "nothing")
    names = [s.name for s in state.sanctions]
    for wanted in check.get("sanctions") or []:
        if not _sanction_match(str(wanted), state):
            fail("sanctions", f"{wanted} active", sorted(names) or "none active")
    for unwanted in check.get("not_sanctions") or []:
        if _sanction_match(str(unwanted), state):
            fail("not_sanctions", f"{unwanted} not active", sorted(names))
    if "violations" in check:
        expected = Counter(str(v) for v in check["violations"] or [])
        actual_v = Counter(v.code for v in state.violations)
        if expected != actual_v:
            fail("violations", sorted(expected.elements()), sorted(actual_v.elements()))
    issued = {n.kind for n in state.notices}
    for kind in check.get("notices") or []:
        if kind not in issued:
            fail("notices", f"{kind} issued", sorted(issued) or "none issued")
    for kind in check.get("not_notices") or []:
        if kind in issued:
            fail("not_notices", f"{kind} not issued", sorted(issued))
    for key, actual_money in (("deposit", state.deposit), ("outstanding", state.outstanding),
                              ("required_deposit", state.required_deposit)):
        if key in check and (actual_money is None or Decimal(str(check[key])) != actual_money):
            fail(key, check[key], _num(actual_money))
    tz = case.pack.timezone
    for wanted_hold in check.get("holds") or []:
        if not any(hold_matches(wanted_hold, h, tz) for h in state.holds):
            fail("holds", dict(wanted_hold), describe_holds(state.holds))
    for unwanted_hold in check.get("not_holds") or []:
        if any(hold_matches(unwanted_hold, h, tz) for h in state.holds):
            fail("not_holds", f"no {dict(unwanted_hold)}", describe_holds(state.holds))
    if check.get("decisions") or check.get("not_decisions"):
        decisions = ledger.decisions(subject, at)
        for wanted_d in check.get("decisions") or []:
            if not any(decision_matches(wanted_d, d, tz) for d in decisions):
                fail("decisions", dict(wanted_d), describe_decisions(decisions, wanted_d["kind"]))
        for unwanted_d in check.get("not_decisions") or []:
            if any(decision_matches(unwanted_d, d, tz) for d in decisions):
                fail("not_decisions", f"no {dict(unwanted_d)}",
                     describe_decisions(decisions, unwanted_d["kind"]))
    if check.get("appeal") is not None:
        out.extend(_check_appeal(case, check, state, subject, tz))
    return out


def _check_appeal(case: Case, check: Mapping[str, Any], state: SubjectState, subject: str,
                  tz: str) -> list[Failure]:
    wanted = check["appeal"]
    found = next((a for a in state.appeals if a.id == str(wanted.get("id"))), None)
    if found is None:
        return [Failure(case.name, str(check["at"]), subject, "appeal",
                        f"appeal {wanted.get('id')}", [a.id for a in state.appeals] or "none")]
    out = []
    if "status" in wanted and wanted["status"] != found.status:
        out.append(Failure(case.name, str(check["at"]), subject, "appeal.status",
                           wanted["status"], found.status))
    if "due" in wanted:
        due = wanted["due"]
        if due is None:
            ok = found.due is None
        elif is_date_only(due):
            ok = found.due is not None and local_date(found.due, tz) == bare_date(due)
        else:
            ok = found.due == parse_instant(due, tz)
        if not ok:
            out.append(Failure(case.name, str(check["at"]), subject, "appeal.due", str(due),
                               found.due.isoformat() if found.due else None))
    return out


def _sanction_match(wanted: str, state: SubjectState) -> bool:
    kind, _, scope = wanted.partition(":")
    return any(s.kind == kind and (not scope or s.scope == scope) for s in state.sanctions)


def _num(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
