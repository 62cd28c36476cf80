"""Decisions worded as the platform's notice would word them, in the reader's language.

The engine records what it decided as structured fields (kind, rule, detail, inputs,
provenance); this module, at the edge, turns them into a sentence a merchant recognises —
「信用分 12 → 4，进入累计扣分 8 分档（信用分 2 < x ≤ 4）：关闭精选联盟权限、延长结算周期」 —
using the pack's names for every code, and cites the source by its title, date and quote.
A decision kind it does not know reads as the engine's own sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .i18n import N_, _, current_language
from .rules.names import Name
from .sources import citation
from .timekit import fmt, parse_instant

if TYPE_CHECKING:                    # annotations only: `zhili scan` reads names without the engine
    from .engine import Decision
    from .rules import Pack

# Codes the engine and its mechanisms use beside a pack's own (decision kinds, rule references
# that are not rules, the events that lift a sanction).
KINDS = {
    "violation": N_("violation"), "deduction": N_("deduction"), "band": N_("band"),
    "fee": N_("fee"), "sanction": N_("sanction"), "hold": N_("hold"), "notice": N_("notice"),
    "lift": N_("lifted"), "release": N_("released"), "action": N_("action"),
    "reset": N_("year reset"), "recovery": N_("recovery"), "appeal": N_("appeal"),
    "refund": N_("refund"), "restore": N_("restored"), "association": N_("association"),
}
REFERENCES = {
    "appeals": N_("Appeals"), "association": N_("Associated accounts"),
    "recovery": N_("Score recovery"), "documents": N_("Documents"),
    "funds.deposit_shortfall": N_("Deposit shortfall"), "bands": N_("Credit tiers"),
}
EVENTS = {
    "rectification_completed": N_("rectification is completed"),
    "document_accepted": N_("an accepted document is on file"),
    "appeal_or_settlement": N_("an appeal or settlement ends it"),
    "deposit_paid": N_("the deposit is paid up"),
    "document_submitted": N_("a document is submitted"),
    "appeal_decided": N_("the appeal is decided"),
}
NOTICES = {"document_expiring": N_("Document about to expire")}
APPEAL_STATES = {"open": N_("open"), "awaiting_material": N_("awaiting material"),
                 "granted": N_("granted"), "rejected": N_("rejected"),
                 "rejected_late": N_("rejected: filed after the appeal window"),
                 "lapsed": N_("lapsed")}


def kind_name(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


def _join(names: list[str]) -> str:
    return ("、" if current_language() != "en" else ", ").join(names)


def _num(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def rule_name(pack: Pack, ref: str) -> Name:
    """The name of what a decision cites as its rule: a rule code, or ``bands.X``,
    ``ladders.L.S``, ``ladders.L.escalation``, ``scores.S.reset`` and the engine's own."""
    head, _dot, rest = ref.partition(".")
    if ref in pack.rules:
        return pack.name("rules", ref)
    if head == "bands" and rest:
        return pack.name("bands", rest)
    if head == "ladders" and rest:
        ladder, _dot, step = rest.partition(".")
        if step == "escalation":
            score = next((lad.score for lad in pack.ladders if lad.name == ladder), ladder)
            return _here(ref, _("%(score)s: repeated sanctions escalate") % {
                "score": pack.name("scores", score)})
        return pack.name("steps", rest)
    if head == "scores" and rest.endswith(".reset"):
        return _here(ref, _("%(score)s: natural-year reset") % {
            "score": pack.name("scores", rest.removesuffix(".reset"))})
    if ref in REFERENCES:
        return _here(ref, _(REFERENCES[ref]))
    return Name(ref, ref, ref)


def _here(code: str, text: str) -> Name:
    """A name worded by the catalog in the current language (not one of the pack's)."""
    return Name(code, text, text)


def _sanction(pack: Pack, name: str) -> str:
    kind, _colon, scope = name.partition(":")
    text = str(pack.name("sanctions", kind))
    return _("%(sanction)s (%(scope)s)") % {"sanction": text, "scope": scope} if scope else text


def _when(pack: Pack, value: Any) -> str:
    if not value:
        return ""
    at = parse_instant(value) if isinstance(value, str) else value
    return fmt(at, pack.timezone)


def _deduction(pack: Pack, d: Decision) -> str:
    x = d.detail
    values = {"rule": rule_name(pack, d.rule), "score": pack.name("scores", x["score"]),
              "before": _num(x["before"]), "after": _num(x["after"]), "points": _num(x["points"])}
    if float(x["after"]) > float(x["before"]):
        return _("%(rule)s: %(score)s %(before)s → %(after)s (+%(points)s)") % values
    return _("%(rule)s: %(score)s %(before)s → %(after)s (−%(points)s)") % values


def _band(pack: Pack, d: Decision) -> str:
    x = d.detail
    bands = pack.bands
    level = next((b for b in bands.levels if b.name == x["band"]), None) if bands else None
    score_code = bands.score if bands else ""
    sanctions = _join([_sanction(pack, s.kind) for s in level.sanctions]) if level else ""
    values = {"score": pack.name("scores", score_code), "band": pack.name("bands", x["band"]),
              "after": _num(x["score"]), "range": x.get("range", ""),
              "upto": _num(x.get("upto", "")), "sanctions": sanctions or _("no sanction")}
    change = (_("%(score)s %(before)s → %(after)s") % {**values, "before": _num(x["before"])}
              if "before" in x else _("%(score)s %(after)s") % values)
    if x.get("passed"):
        # The score went below this band in the same step: its sanctions apply all the same
        # ("this band or below"), but the score is not in its range.
        text = _("%(change)s: passes the %(band)s (%(score)s ≤ %(upto)s), whose sanctions "
                 "apply too: %(sanctions)s")
    else:
        text = _("%(change)s: enters the %(band)s (%(score)s %(range)s): %(sanctions)s")
    return text % {**values, "change": change}


def _fee(pack: Pack, d: Decision) -> str:
    x = d.detail
    values = {"amount": _num(x["amount"]), "rule": rule_name(pack, d.rule),
              "outstanding": _num(x.get("outstanding", 0))}
    text = _("Fee of %(amount)s CNY (%(rule)s)") % values
    if float(x.get("outstanding") or 0) > 0:
        text += _("; the deposit is short, %(outstanding)s CNY still owed") % values
    return text


def _sanction_decision(pack: Pack, d: Decision) -> str:
    x = d.detail
    what = _sanction(pack, x["sanction"])
    lasts = x.get("lasts")
    if lasts == "permanent":
        return _("%(sanction)s, permanently") % {"sanction": what}
    if x.get("end"):
        return _("%(sanction)s until %(end)s") % {"sanction": what, "end": _when(pack, x["end"])}
    if lasts == "band":
        return _("%(sanction)s, while the score stays in this tier or below") % {
            "sanction": what}
    if lasts == "below":
        return _("%(sanction)s, while the score stays below the threshold") % {
            "sanction": what}
    if x.get("until"):
        return _("%(sanction)s, until %(event)s") % {"sanction": what,
                                                      "event": event_name(x["until"])}
    return what


def _hold(pack: Pack, d: Decision) -> str:
    x = d.detail
    values = {"account": pack.name("accounts", x["account"]), "amount": _num(x.get("amount")),
              "end": _when(pack, x.get("end"))}
    what = (_("whole %(account)s held") if x.get("amount") in (None, "all")
            else _("%(amount)s CNY of %(account)s held")) % values
    if x.get("end"):
        return _("%(what)s until %(end)s") % {**values, "what": what}
    if d.rule == "funds.deposit_shortfall":
        return _("%(what)s until %(event)s") % {"what": what, "event": _(EVENTS["deposit_paid"])}
    if x.get("until"):
        return _("%(what)s until %(event)s") % {"what": what, "event": event_name(x["until"])}
    return what


def event_name(code: str) -> str:
    """The event that lifts a sanction or releases a hold, as people say it."""
    return _(EVENTS[code]) if code in EVENTS else code


def _notice(pack: Pack, d: Decision) -> str:
    code = d.detail["notice"]
    return _(NOTICES[code]) if code in NOTICES else str(pack.name("notices", code))


def _violation(pack: Pack, d: Decision) -> str:
    n = int(d.detail.get("occurrence") or 1)
    name = rule_name(pack, d.rule)
    if n > 1:
        return _("Violation: %(rule)s (occurrence %(n)d)") % {"rule": name, "n": n}
    return _("Violation: %(rule)s") % {"rule": name}


def _appeal(pack: Pack, d: Decision) -> str:
    x = d.detail
    values = {"appeal": x["appeal"], "status": x["status"], "due": _when(pack, x.get("due")),
              "material_due": _when(pack, x.get("material_due"))}
    if "ignored" in x:
        return _("Appeal %(appeal)s: decision ignored, the appeal is already %(status)s") % {
            **values, "status": _(APPEAL_STATES.get(x["status"], x["status"]))}
    if x["status"] == "open":
        text = _("Appeal %(appeal)s filed; decision due by %(due)s") % values
        if x.get("assumed_weekdays"):
            text += _(" (no holiday calendar for that year: Monday to Friday assumed)")
        return text
    if x["status"] == "awaiting_material":
        return _("Appeal %(appeal)s: more material requested, due by %(material_due)s") % values
    return _("Appeal %(appeal)s: %(status)s") % {
        **values, "status": _(APPEAL_STATES.get(x["status"], x["status"]))}


def _association(pack: Pack, d: Decision) -> str:
    x = d.detail
    return _("Associated accounts (%(group)s): group violation number %(n)d this year") % {
        "group": ", ".join(x["group"]), "n": int(x["occurrence"])}


def _score_change(text: str) -> Callable[[Pack, Decision], str]:
    def render(pack: Pack, d: Decision) -> str:
        x = d.detail
        return _(text) % {"score": pack.name("scores", x["score"]),
                          "before": _num(x["before"]), "after": _num(x["after"])}
    return render


RENDER: Mapping[str, Callable[[Pack, Decision], str]] = {
    "deduction": _deduction,
    "band": _band,
    "fee": _fee,
    "sanction": _sanction_decision,
    "hold": _hold,
    "notice": _notice,
    "violation": _violation,
    "lift": lambda pack, d: _("Lifted: %(sanction)s") % {
        "sanction": _sanction(pack, d.detail["sanction"])},
    "release": lambda pack, d: _("Released: %(account)s") % {
        "account": pack.name("accounts", d.detail["account"])},
    "action": lambda pack, d: str(pack.name("actions", d.detail["action"])),
    "refund": lambda pack, d: _("Appeal granted: %(amount)s CNY of fees refunded") % {
        "amount": _num(d.detail["amount"])},
    "appeal": _appeal,
    "association": _association,
    "reset": _score_change(N_("Natural-year reset: %(score)s %(before)s → %(after)s")),
    "recovery": _score_change(N_("Clean cycle: %(score)s %(before)s → %(after)s")),
    "restore": _score_change(N_("Appeal granted: %(score)s %(before)s → %(after)s")),
}


def notice(decision: Decision, pack: Pack) -> str:
    """The decision as one sentence of a platform notice, in the current language."""
    render = RENDER.get(decision.kind)
    if render is None:
        return decision.text
    try:
        return render(pack, decision)
    except (KeyError, TypeError, ValueError):
        # A decision recorded by an older engine may lack a field: its own sentence still says
        # what happened.
        return decision.text


def assumption(why: str) -> str:
    """A pack's assumption in the reader's language. The shipped packs' assumptions are in the
    catalog (``python -m zhili.i18n update`` reads them from the packs); a pack of the user's
    own shows its text as written."""
    return _(why) if why else why


def source(decision: Decision) -> str:
    """Where the rule comes from: ``title (date): 「quote」``, the assumption, or the override."""
    prov = decision.provenance or {}
    cited = citation(prov)
    if cited:
        return cited
    if prov.get("assumption"):
        return _("Assumption: %(why)s") % {"why": assumption(prov["assumption"])}
    if prov.get("override"):
        return _("A value overridden for a what-if run")
    return ""
