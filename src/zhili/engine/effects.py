"""Imposing consequences on a subject's book, each one a decision with its explanation.

Score changes run through the pack's mechanisms: credit bands (sanctions of every band passed,
fees cumulative or per entry, band-bound sanctions lifted on the way back up) and ladders
(traffic limits while below a threshold, bans on each deduction below one, escalation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ..errors import EventError
from ..i18n import _
from ..rules import Pack, Param, Provenance
from ..rules.model import Consequences, HoldSpec, SanctionSpec
from ..timekit import fmt
from .book import SubjectBook
from .records import _EMPTY, Decision, Fields, Hold, Notice, Sanction, ViolationRecord, compact_text
from .slots import NOTHING

of_fields = Fields.of

DAY = dt.timedelta(days=1)


def _num(value: Any) -> Decimal:
    return Decimal(str(value))


def prov_of(*items: Any) -> Mapping[str, Any]:
    """The first provenance found among parameters, specs, provenances and ready mappings."""
    for item in items:
        if item is None:
            continue
        kind = type(item)
        found = (item if kind is dict else item.to_dict() if kind is Provenance
                 else item.provenance.to_dict())
        if found:
            return found
    return _EMPTY


class Effects:
    def __init__(self, pack: Pack, *, keep_decisions: bool = True):
        """``keep_decisions``: write each decision into its subject's book. Without, the books
        hold the state and its timeline only: a ledger that needs a subject's decisions folds
        its component again (``Ledger.decisions``), so a warm fold of millions of subjects does
        not keep the audit trail of all of them."""
        self.pack = pack
        self.keep_decisions = keep_decisions
        self.tz = pack.timezone
        self._rule_provs = {code: r.provenance.to_dict() for code, r in pack.rules.items()}
        self.starts = {n: float(s.start.value) for n, s in pack.scores.items()}
        # (rule, flags, tier) -> merged consequences; merging is pure, so done once per pack
        self.merged: dict[tuple[str, tuple[str, ...], int], Consequences] = {}
        from .clock import Clock

        self.clock = Clock(pack, self)

    # -- decisions ---------------------------------------------------------------------------
    def decide(self, book: SubjectBook, at: dt.datetime, kind: str, rule: str,
               cause: str | None, detail: Mapping[str, Any], text: str,
               provenance: Mapping[str, Any], inputs: Mapping[str, Any] | None = None
               ) -> Decision:
        if not self.keep_decisions:  # made for the caller only (a grant's transitions)
            return Decision(at, book.subject.id, kind, rule, self.pack.code, self.pack.version,
                            cause, detail, text, provenance, inputs or _EMPTY)
        decisions = book.decisions
        first = book.decision_counts.get(at if cause is None else cause)
        if first is None:  # the cause's first decision: nothing equal before it
            book.keyed("decision_counts")[at if cause is None else cause] = len(decisions)
            seq = 0
        else:
            seq = _equal_since(decisions, first, at, kind, rule, cause)
        decision = Decision(at, book.subject.id, kind, rule, self.pack.code, self.pack.version,
                            cause, of_fields(detail),
                            text if text.isascii() else compact_text(text), provenance,
                            of_fields(inputs) if inputs else _EMPTY, seq)
        if decisions is NOTHING:
            book.decisions = [decision]
        else:
            decisions.append(decision)
        return decision

    # -- scores --------------------------------------------------------------------------------
    def deduct(self, book: SubjectBook, score: str, points: Param, at: dt.datetime, rule: str,
               cause: str | None, why: str) -> float:
        definition = self.pack.scores[score]
        n = float(points.at(at))
        old = book.scores[score]
        if definition.direction == "up":
            new = old + n
        else:
            floor = definition.floor.at(at) if definition.floor else float("-inf")
            new = max(floor, old - n)
        sign = "+" if definition.direction == "up" else "−"
        self.decide(book, at, "deduction", rule, cause,
                    {"score": score, "points": n, "before": old, "after": new},
                    f"{score} {old:g} → {new:g}: {why} {sign}{n:g}", prov_of(points),
                    {"score_before": old, "points": n, "floor": getattr(definition.floor,
                                                                          "value", None)})
        self.set_score(book, score, new, at, rule, cause, deduction=True)
        return n

    def set_score(self, book: SubjectBook, score: str, new: float, at: dt.datetime, rule: str,
                  cause: str | None, *, deduction: bool) -> None:
        old = book.scores[score]
        book.set_score(score, new, at)
        bands = self.pack.bands
        if bands and score == bands.score:
            self._bands_after(book, old, new, at, rule, cause)
        for ladder in self.pack.ladders:
            if ladder.score == score:
                self._ladder_after(book, ladder, old, new, at, cause, deduction)

    def _bands_after(self, book: SubjectBook, before: float, score: float, at: dt.datetime,
                     rule: str, cause: str | None) -> None:
        bands = self.pack.bands
        assert bands is not None
        old_depth, new_depth = book.depth, bands.band_of(score, at)
        book.depth = new_depth
        if new_depth < old_depth:  # recovery or reset: band-bound sanctions of left bands lift
            left = set(range(new_depth + 1, old_depth + 1))
            self.lift(book, lambda s: s.band in left, at, "bands", cause,
                      f"{bands.score} back to {score:g}, above the band")
            return
        per_entry = bands.fee_mode.at(at) == "per_entry"
        for depth in range(old_depth + 1, new_depth + 1):
            level = bands.levels[depth - 1]
            upper = bands.levels[depth].upto.at(at) if depth < len(bands.levels) else None
            upto = level.upto.at(at)
            band_text = f"{upper:g} < x ≤ {upto:g}" if upper is not None else f"x ≤ {upto:g}"
            # A score that falls through several bands at once reaches each of them (their
            # sanctions apply "in this band or below") but lies in the range of the last only.
            passed = upper is not None and score <= upper
            self.decide(book, at, "band", f"bands.{level.name}", cause,
                        {"band": level.name, "range": band_text, "score": score,
                         "before": before, "upto": upto, "passed": passed},
                        f"{bands.score} {before:g} → {score:g} passes band {level.name} "
                        f"({bands.score} ≤ {upto:g})" if passed else
                        f"{bands.score} {before:g} → {score:g} enters band {level.name} "
                        f"({band_text})",
                        prov_of(level), {"score": score, "band": band_text})
            for spec in level.sanctions:
                self.impose_sanction(book, spec, at, f"bands.{level.name}", cause, None,
                                     band=depth if spec.band_bound else None)
            if per_entry and level.fee is not None:
                self.charge_fee(book, _num(level.fee.at(at)), at, f"bands.{level.name}", cause,
                                f"fee of band {level.name}, charged on entry",
                                prov_of(level.fee, bands.fee_mode))
        if new_depth > old_depth and not per_entry:
            deepest = bands.levels[new_depth - 1]
            if deepest.fee is not None:
                total = _num(deepest.fee.at(at))
                due = total - book.year_band_fees
                if due > 0:
                    self.charge_fee(
                        book, due, at, f"bands.{deepest.name}", cause,
                        f"band {deepest.name} owes {total} CNY in the year; "
                        f"{book.year_band_fees} already charged",
                        prov_of(deepest.fee, bands.fee_mode),
                        {"band_total": total, "charged_before": book.year_band_fees})
                    book.year_band_fees = total

    def _ladder_after(self, book: SubjectBook, ladder: Any, old: float, new: float,
                      at: dt.datetime, cause: str | None, deduction: bool) -> None:
        for step in ladder.steps:
            below = step.below.at(at) if step.below else None
            at_least = step.at_least.at(at) if step.at_least else None
            inside = (below is not None and new < below) or (at_least is not None
                                                             and new >= at_least)
            key = f"{ladder.name}.{step.name}"
            if step.on_each_deduction:
                if deduction and inside:
                    self._ladder_impose(book, ladder, step, key, new, at, cause)
                continue
            active = any(s.ladder_step == key and s.end is None for s in book.sanctions)
            if inside and not active:
                self._ladder_impose(book, ladder, step, key, new, at, cause)
            elif not inside and active:
                def below_step(s: Sanction, k: str = key) -> bool:
                    return s.ladder_step == k

                self.lift(book, below_step, at, f"ladders.{key}", cause,
                          f"{ladder.score} back to {new:g}")

    def _ladder_impose(self, book: SubjectBook, ladder: Any, step: Any, key: str, score: float,
                       at: dt.datetime, cause: str | None) -> None:
        for spec in step.sanctions:
            self.impose_sanction(book, spec, at, f"ladders.{key}", cause, None,
                                 ladder_step=None if step.on_each_deduction else key,
                                 why=f"{ladder.score} {score:g} is in step {step.name}")
            if ladder.escalate_kind == spec.kind and ladder.escalate_count is not None:
                n = book.ladder_counts.get(ladder.name, 0) + 1
                book.keyed("ladder_counts")[ladder.name] = n
                if n == int(ladder.escalate_count.at(at)):
                    for esc in ladder.escalation:
                        self.impose_sanction(book, esc, at, f"ladders.{ladder.name}.escalation",
                                             cause, None, why=f"{spec.kind} number {n}")

    # -- money ---------------------------------------------------------------------------------
    def charge_fee(self, book: SubjectBook, amount: Decimal, at: dt.datetime, rule: str,
                   cause: str | None, why: str, provenance: Mapping[str, Any],
                   inputs: Mapping[str, Any] | None = None) -> None:
        collected = min(amount, book.deposit)
        book.deposit -= collected
        book.outstanding += amount - collected
        total = (book.fee_totals[-1] if book.fee_totals else Decimal(0)) + amount
        book.add("fee_times", at)
        book.add("fee_totals", total)
        book.note_money(at)
        self.decide(book, at, "fee", rule, cause,
                    {"amount": amount, "collected_from_deposit": collected,
                     "outstanding": book.outstanding},
                    f"fee {amount} CNY: {why}", provenance,
                    {**(inputs or {}), "deposit_before": book.deposit + collected})
        funds = self.pack.funds
        if book.outstanding > 0 and funds and funds.shortfall_hold_account and not any(
                h.until == "deposit_paid" and h.end is None for h in book.holds):
            hold = Hold(funds.shortfall_hold_account, None, at, None, "funds.deposit_shortfall",
                        cause, until="deposit_paid")
            book.add("holds", hold)
            self.decide(book, at, "hold", "funds.deposit_shortfall", cause,
                        {"account": hold.account, "amount": "all", "until": "deposit covers "
                         f"the shortfall of {book.outstanding} CNY"},
                        f"deposit short by {book.outstanding} CNY: whole {hold.account} account "
                        "held until it is paid", prov_of(funds))

    def deposit_paid(self, book: SubjectBook, amount: Decimal, at: dt.datetime,
                     cause: str) -> None:
        book.deposit += amount
        paid = min(book.deposit, book.outstanding)
        book.deposit -= paid
        book.outstanding -= paid
        book.note_money(at)
        if paid and book.outstanding == 0:
            self.release(book, lambda h: h.until == "deposit_paid", at, "funds.deposit_shortfall",
                         cause, "the deposit shortfall is covered")

    # -- sanctions, holds, notices ---------------------------------------------------------------
    def impose_sanction(self, book: SubjectBook, spec: SanctionSpec, at: dt.datetime, rule: str,
                        cause: str | None, record: ViolationRecord | None, *,
                        band: int | None = None, ladder_step: str | None = None,
                        why: str = "", scope: str | None = None) -> Sanction:
        scope = scope if scope is not None else resolve_scope(spec.scope, record)
        end = at + DAY * float(spec.days.at(at)) if spec.days is not None else None
        detail = {k: p.at(at) for k, p in spec.detail.items()} if spec.detail else _EMPTY
        sanction = Sanction(spec.kind, scope, at, end, rule, cause, band=band,
                            ladder_step=ladder_step, until=spec.until, permanent=spec.permanent,
                            detail=detail)
        book.add("sanctions", sanction)
        lasts = ("permanently" if spec.permanent else f"until {fmt(end, self.tz)}" if end
                 else "while the score stays in the band" if band else
                 "while the score stays below the threshold" if ladder_step else
                 f"until {spec.until}")
        self.decide(book, at, "sanction", rule, cause,
                    {"sanction": sanction.name, "start": at, "end": end, "detail": detail,
                     "lasts": "permanent" if spec.permanent else "timed" if end else
                     "band" if band else "below" if ladder_step else "until",
                     "until": spec.until},
                    f"{sanction.name} {lasts}" + (f" ({why})" if why else ""),
                    prov_of(spec, self._rule_prov(rule)),
                    {"days": spec.days.at(at) if spec.days else None})
        return sanction

    def impose_hold(self, book: SubjectBook, spec: HoldSpec, at: dt.datetime, rule: str,
                    cause: str | None, record: ViolationRecord | None) -> None:
        amount: Decimal | None = None
        inputs: dict[str, Any] = {}
        scope = resolve_scope(spec.scope, record)
        of = f"{spec.account} of {scope}" if scope else spec.account
        over = int(spec.over_days.at(at)) if spec.over_days is not None else None
        what = f"the whole {spec.account} account" if scope is None else f"all {of}"
        if spec.amount is not None:
            amount = _num(spec.amount.at(at))
        elif spec.amount_ratio is not None:
            ratio = _num(spec.amount_ratio.at(at))
            basis = f"{of} of the last {over} days" if over is not None else "the amount"
            if record is not None and record.amount is not None:
                amount = (record.amount * ratio).quantize(Decimal("0.01"))
                inputs = {"amount": record.amount, "ratio": ratio}
            elif spec.without_amount == "hold_all":
                # The amounts are not known: the hold is on all of them, and says so.
                what = f"all {basis} (amounts not known; {ratio * 100:g}% of them is due)"
                inputs = {"ratio": ratio, "amount": None}
            else:
                raise EventError(_("rule %(rule)s holds a share of the amount: the violation "
                                   "needs `amount`") % {"rule": rule}, path=f"{cause}.amount")
            if over is not None:
                inputs["over_days"] = over
        if amount is not None:
            what = f"{amount} CNY of {of}"
        end = at + DAY * float(spec.days.at(at)) if spec.days is not None else None
        book.add("holds", Hold(spec.account, amount, at, end, rule, cause, until=spec.until,
                               scope=scope))
        lasts = f"until {fmt(end, self.tz)}" if end else f"until {spec.until}"
        detail: dict[str, Any] = {"account": spec.account,
                                  "amount": amount if amount is not None else "all",
                                  "end": end, "until": spec.until}
        if scope is not None:
            detail["scope"] = scope
        if over is not None:
            detail["over_days"] = over
        self.decide(book, at, "hold", rule, cause, detail, f"hold {what} {lasts}",
                    prov_of(spec, self._rule_prov(rule)), inputs)

    def notice(self, book: SubjectBook, kind: str, at: dt.datetime, rule: str,
               cause: str | None, why: str = "") -> None:
        book.add("notices", Notice(kind, at, rule, cause))
        self.decide(book, at, "notice", rule, cause, {"notice": kind},
                    f"notice: {kind}" + (f" ({why})" if why else ""), self._rule_prov(rule))

    def lift(self, book: SubjectBook, match: Callable[[Sanction], bool], at: dt.datetime,
             rule: str, cause: str | None, why: str) -> None:
        for i, s in enumerate(book.sanctions):
            if s.end is None and s.start <= at and match(s):
                book.sanctions[i] = s._replace(end=at)
                self.decide(book, at, "lift", rule, cause, {"sanction": s.name},
                            f"{s.name} lifted: {why}", {})

    def release(self, book: SubjectBook, match: Callable[[Hold], bool], at: dt.datetime,
                rule: str, cause: str | None, why: str) -> None:
        for i, h in enumerate(book.holds):
            if h.end is None and h.start <= at and match(h):
                book.holds[i] = h._replace(end=at)
                detail = {"account": h.account,
                          "amount": h.amount if h.amount is not None else "all"}
                if h.scope is not None:
                    detail["scope"] = h.scope
                self.decide(book, at, "release", rule, cause, detail,
                            f"hold on {h.account} released: {why}", {})

    def apply(self, book: SubjectBook, cons: Consequences, at: dt.datetime, rule: str,
              cause: str | None, record: ViolationRecord | None, why: str) -> None:
        """Apply a set of consequences."""
        for score, points in cons.deduct:
            self.deduct(book, score, points, at, rule, cause, why)
        if cons.fee is not None:
            self.charge_fee(book, _num(cons.fee.at(at)), at, rule, cause, why, prov_of(cons.fee))
        if cons.compensation_ratio is not None and record is not None:
            if record.amount is None:
                raise EventError(_("rule %(rule)s deducts compensation from the deposit: the "
                                   "violation needs `amount`")
                                 % {"rule": rule}, path=f"{cause}.amount")
            wanted = record.amount * _num(cons.compensation_ratio.at(at))
            amount = min(wanted, book.deposit)
            self.charge_fee(book, amount, at, rule, cause,
                            f"consumer compensation from the deposit (asked {wanted} CNY, "
                            f"deposit {book.deposit} CNY)", prov_of(cons.compensation_ratio))
        if cons.raise_deposit_multiple is not None:
            base = book.subject.base_deposit or Decimal(0)
            multiple = _num(cons.raise_deposit_multiple.at(at))
            book.required_deposit = base * multiple
            book.note_money(at)
            sanction = Sanction("raise_deposit", None, at, None, rule, cause,
                                detail={"required_deposit": base * multiple})
            book.add("sanctions", sanction)
            self.decide(book, at, "sanction", rule, cause,
                        {"sanction": "raise_deposit", "required_deposit": base * multiple},
                        f"deposit raised to {multiple}× the base of {base} CNY",
                        prov_of(cons.raise_deposit_multiple), {"base_deposit": base})
        for spec in cons.sanctions:
            if spec.scope == "$items":  # one sanction per item the determination names
                items = list((record.evidence.get("items") if record else None) or [])
                for item in items or [None]:
                    self.impose_sanction(book, spec, at, rule, cause, record, scope=item)
            else:
                self.impose_sanction(book, spec, at, rule, cause, record)
        for hold in cons.holds:
            self.impose_hold(book, hold, at, rule, cause, record)
        for kind in cons.notices:
            self.notice(book, kind, at, rule, cause)
        for action in cons.actions:
            self.decide(book, at, "action", rule, cause, {"action": action}, f"action: {action}",
                        self._rule_prov(rule))

    def _rule_prov(self, rule: str) -> Mapping[str, Any]:
        return self._rule_provs.get(rule, _EMPTY)


def _equal_since(decisions: list[Decision], first: int, at: dt.datetime, kind: str, rule: str,
                 cause: str | None) -> int:
    """How many decisions from ``first`` on (the first of the cause's, or of the instant's for
    decisions of no cause) have the same cause, kind and rule: a decision's ``seq``. One cause's
    decisions are made while its event folds, so they are counted from the first of them, not
    over the whole timeline."""
    n = 0
    for i in range(first, len(decisions)):
        d = decisions[i]
        if d.cause == cause and d.kind == kind and d.rule == rule and (
                cause is not None or d.at == at):
            n += 1
    return n


def resolve_scope(scope: str | None, record: ViolationRecord | None) -> str | None:
    if scope is None or not scope.startswith("$"):
        return scope
    if record is None:
        return None
    if scope == "$item":
        return record.item
    key = scope[len("$evidence."):] if scope.startswith("$evidence.") else scope[1:]
    value = record.evidence.get(key)
    return None if value is None else str(value)
