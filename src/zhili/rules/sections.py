"""Builders for the sections of a pack: scores, bands, recovery, ladders, funds, association,
appeals, rules, determinations and content mappings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..events import EVENT_TYPES
from ..i18n import _
from .loader import CONSEQUENCE_KEYS, PROVENANCE_KEYS, Builder
from .model import (
    Appeals,
    Association,
    AssociationTier,
    Band,
    Bands,
    ContentMapping,
    Determination,
    Funds,
    Ladder,
    LadderStep,
    Recovery,
    RepeatSpec,
    Rule,
    ScoreDef,
    Variant,
)
from .params import Param, Provenance

FINDINGS = ("extreme_word", "medical_claim", "efficacy_promise", "off_platform_contact",
            "duty_free_claim", "infant_food_claim", "required_label_missing")


def scores(b: Builder, node: Any) -> dict[str, ScoreDef]:
    out = {}
    for name, spec in b.mapping(node or {}, "scores").items():
        p = f"scores.{name}"
        b.mapping(spec, p, ("start", "floor", "direction", "reset"), ("start",))
        prov = b.prov(spec, p, None)
        direction = spec.get("direction", "down")
        reset = spec.get("reset", "natural_year")
        if direction not in ("down", "up"):
            raise b.fail(f"{p}.direction", _("expected down or up"))
        if reset not in ("natural_year", "never"):
            raise b.fail(f"{p}.reset", _("expected natural_year or never"))
        out[name] = ScoreDef(name, b.param(spec["start"], f"{p}.start", prov),
                             b.opt_param(spec, "floor", p, prov), direction, reset)
    return out


def bands(b: Builder, node: Any) -> Bands | None:
    if node is None:
        return None
    b.mapping(node, "bands", ("score", "fee_mode", "levels"), ("score", "fee_mode", "levels"))
    prov = b.prov(node, "bands", None)
    fee_mode = b.param(node["fee_mode"], "bands.fee_mode", prov, str)
    if fee_mode.value not in ("cumulative", "per_entry"):
        raise b.fail("bands.fee_mode", _("expected cumulative or per_entry"))
    levels = []
    for name, spec in b.mapping(node["levels"], "bands.levels").items():
        p = f"bands.levels.{name}"
        b.mapping(spec, p, ("upto", "fee", "sanctions"), ("upto",))
        lp = b.prov(spec, p, prov)
        levels.append(Band(name, b.param(spec["upto"], f"{p}.upto", lp),
                           b.opt_param(spec, "fee", p, lp),
                           b.sanctions(spec.get("sanctions"), f"{p}.sanctions", lp),
                           lp or Provenance()))
    uptos = [lv.upto.value for lv in levels]
    if uptos != sorted(uptos, reverse=True):
        raise b.fail("bands.levels", _("levels must go from shallowest (highest upto) to deepest"))
    return Bands(node["score"], fee_mode, tuple(levels))


def recovery(b: Builder, node: Any) -> Recovery | None:
    if node is None:
        return None
    keys = ("score", "cycle_days", "min_live_hours", "min_transactions", "points")
    b.mapping(node, "recovery", keys, keys)
    prov = b.prov(node, "recovery", None)
    cycle, hours, transactions, points = (b.param(node[k], f"recovery.{k}", prov)
                                          for k in keys[1:])
    return Recovery(node["score"], cycle, hours, transactions, points, prov or Provenance())


def ladders(b: Builder, node: Any) -> tuple[Ladder, ...]:
    out = []
    for name, spec in b.mapping(node or {}, "ladders").items():
        p = f"ladders.{name}"
        b.mapping(spec, p, ("score", "steps", "escalation"), ("score", "steps"))
        prov = b.prov(spec, p, None)
        steps = []
        for sname, step in b.mapping(spec["steps"], f"{p}.steps").items():
            sp = f"{p}.steps.{sname}"
            b.mapping(step, sp, ("below", "at_least", "sanctions", "applies"))
            sprov = b.prov(step, sp, prov)
            applies = step.get("applies", "while_inside")
            if applies not in ("while_inside", "each_deduction"):
                raise b.fail(f"{sp}.applies", _("expected while_inside or each_deduction"))
            steps.append(LadderStep(sname, b.opt_param(step, "below", sp, sprov),
                                    b.opt_param(step, "at_least", sp, sprov),
                                    b.sanctions(step.get("sanctions"), f"{sp}.sanctions", sprov),
                                    applies == "each_deduction"))
        esc = spec.get("escalation")
        if esc is not None:
            ep = f"{p}.escalation"
            b.mapping(esc, ep, ("counts", "count", "sanctions"), ("counts", "count", "sanctions"))
            eprov = b.prov(esc, ep, prov)
            out.append(Ladder(name, spec["score"], tuple(steps), esc["counts"],
                              b.param(esc["count"], f"{ep}.count", eprov),
                              b.sanctions(esc["sanctions"], f"{ep}.sanctions", eprov)))
        else:
            out.append(Ladder(name, spec["score"], tuple(steps), None, None, ()))
    return tuple(out)


def funds(b: Builder, node: Any) -> Funds | None:
    if node is None:
        return None
    b.mapping(node, "funds", ("fee_account", "shortfall_hold"), ("fee_account",))
    return Funds(node["fee_account"], node.get("shortfall_hold"),
                 b.prov(node, "funds", None) or Provenance())


def _occurrences(b: Builder, spec: Mapping[str, Any], path: str, prov: Provenance | None):
    if "nth" in spec:
        first = b.param(spec["nth"], f"{path}.nth", prov)
        return first, first
    first = b.param(spec.get("from"), f"{path}.from", prov)
    return first, b.opt_param(spec, "to", path, prov)


def association(b: Builder, node: Any) -> Association | None:
    if node is None:
        return None
    b.mapping(node, "association", ("extended_from", "extended_via", "score", "tiers"),
              ("extended_from", "extended_via", "score", "tiers"))
    prov = b.prov(node, "association", None)
    tiers = []
    for i, spec in enumerate(node["tiers"]):
        p = f"association.tiers[{i}]"
        b.mapping(spec, p, ("nth", "from", "to", "main", "others", "members"))
        tp = b.prov(spec, p, prov)
        first, last = _occurrences(b, spec, p, tp)
        parts = {k: b.consequences(b.mapping(spec.get(k, {}), f"{p}.{k}", CONSEQUENCE_KEYS),
                                   f"{p}.{k}", tp) for k in ("main", "others", "members")}
        tiers.append(AssociationTier(first, last, **parts))
    return Association(b.param(node["extended_from"], "association.extended_from", prov, str),
                       b.names(node["extended_via"], "association.extended_via"),
                       node["score"], tuple(tiers), prov or Provenance())


def appeals(b: Builder, node: Any) -> Appeals | None:
    if node is None:
        return None
    keys = ("window_days", "due_working_days", "complex_due_working_days", "material_hours")
    b.mapping(node, "appeals", keys, keys)
    prov = b.prov(node, "appeals", None)
    window, due, complex_due, material = (b.param(node[k], f"appeals.{k}", prov) for k in keys)
    return Appeals(window, due, complex_due, material, prov or Provenance())


def rule(b: Builder, code: str, spec: Any) -> Rule:
    p = f"rules.{code}"
    b.mapping(spec, p, (*CONSEQUENCE_KEYS, "meaning", "flags", "repeats", "scope"),
              ("meaning",))
    prov = b.prov(spec, p, None)
    if prov is None:
        raise b.fail(p, _("a rule needs `source` and `quote`, or `assumption`"))
    flags = {}
    for flag, fspec in b.mapping(spec.get("flags", {}), f"{p}.flags").items():
        fp = f"{p}.flags.{flag}"
        b.mapping(fspec, fp, ("add", "replace"))
        mode = "replace" if "replace" in fspec else "add"
        inner = b.mapping(fspec.get(mode, {}), f"{fp}.{mode}", CONSEQUENCE_KEYS)
        flags[flag] = Variant(b.consequences(inner, f"{fp}.{mode}", b.prov(fspec, fp, prov)),
                              replace=mode == "replace")
    repeats = None
    if spec.get("repeats") is not None:
        rp = f"{p}.repeats"
        r = b.mapping(spec["repeats"], rp, ("window", "rolling_days", "counter", "per_scope",
                                            "tiers"), ("window", "tiers"))
        rprov = b.prov(r, rp, prov)
        if r["window"] not in ("natural_year", "all_time", "rolling"):
            raise b.fail(f"{rp}.window", _("expected natural_year, all_time or rolling"))
        tiers = []
        for i, t in enumerate(r["tiers"]):
            tp = f"{rp}.tiers[{i}]"
            b.mapping(t, tp, ("nth", "from", "to", "add", "replace"))
            tprov = b.prov(t, tp, rprov)
            first, last = _occurrences(b, t, tp, tprov)
            mode = "replace" if "replace" in t else "add"
            inner = b.mapping(t.get(mode, {}), f"{tp}.{mode}", CONSEQUENCE_KEYS)
            tiers.append(Variant(b.consequences(inner, f"{tp}.{mode}", tprov),
                                 replace=mode == "replace", first=first, last=last))
        repeats = RepeatSpec(r["window"], b.opt_param(r, "rolling_days", rp, rprov),
                             r.get("counter", code), bool(r.get("per_scope")), tuple(tiers),
                             rprov or Provenance())
    return Rule(code, str(spec["meaning"]), prov, b.consequences(spec, p, prov), flags,
                repeats, spec.get("scope"))


def determinations(b: Builder, node: Any, rules: Mapping[str, Rule]) -> tuple[Determination, ...]:
    out = []
    for i, spec in enumerate(node or []):
        p = f"determinations[{i}]"
        b.mapping(spec, p, ("event", "when", "rule", "id", "scope"), ("event", "rule"))
        if spec["event"] not in EVENT_TYPES:
            raise b.fail(f"{p}.event", _("unknown event type %(event)r")
                                       % {"event": spec['event']})
        if spec["rule"] not in rules:
            raise b.fail(f"{p}.rule", _("no rule %(rule)r in this pack") % {"rule": spec['rule']})
        id_from = spec.get("id", "event")
        if id_from not in ("event", "derived"):
            raise b.fail(f"{p}.id", _("expected event or derived"))
        out.append(Determination(spec["event"], dict(spec.get("when", {})), spec["rule"],
                                 id_from, spec.get("scope")))
    return tuple(out)


def content(b: Builder, node: Any, rules: Mapping[str, Rule]):
    if node is None:
        return {}, {}
    b.mapping(node, "content", ("findings", "options"))

    def known(code: Any, path: str) -> str | None:
        if code is not None and code not in rules:
            raise b.fail(path, _("no rule %(code)r in this pack") % {"code": code})
        return code

    out = {}
    for finding, spec in b.mapping(node.get("findings", {}), "content.findings").items():
        p = f"content.findings.{finding}"
        if finding not in FINDINGS:
            raise b.fail(p, _("unknown finding; expected one of: %(value)s")
                            % {"value": ', '.join(FINDINGS)})
        spec = {"rule": None} if spec is None else spec
        b.mapping(spec, p, ("rule", "categories", "channels"))
        cats = {c: known(r, f"{p}.categories.{c}")
                for c, r in b.mapping(spec.get("categories", {}), f"{p}.categories").items()}
        channels = None
        if spec.get("channels") is not None:
            channels = {c: known(r, f"{p}.channels.{c}")
                        for c, r in b.mapping(spec["channels"], f"{p}.channels").items()}
        out[finding] = ContentMapping(finding, known(spec.get("rule"), f"{p}.rule"), cats,
                                      channels)
    return out, dict(b.mapping(node.get("options", {}), "content.options"))


def detectors(b: Builder, node: Any) -> dict[str, Param]:
    """Detector thresholds (rates, counts, windows): ``detectors.RULE.NAME`` parameters."""
    top = b.prov(node, "detectors", None) if node else None
    out: dict[str, Param] = {}
    for key, spec in b.mapping(node or {}, "detectors").items():
        if key in PROVENANCE_KEYS:
            continue
        path = f"detectors.{key}"
        if isinstance(spec, Mapping) and not ("value" in spec or "values" in spec):
            prov = b.prov(spec, path, top)
            for sub, leaf in spec.items():
                if sub not in PROVENANCE_KEYS:
                    out[f"{key}.{sub}"] = b.param(leaf, f"{path}.{sub}", prov, (int, float, str))
        else:
            out[str(key)] = b.param(spec, path, top, (int, float, str))
    return out
