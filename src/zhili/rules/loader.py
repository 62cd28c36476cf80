"""Build a ``Pack`` from YAML, validating as it goes.

Every error names the file, the path inside it and what was expected. Every number becomes a
``Param`` and must carry provenance: its own ``source``+``quote`` or ``assumption``, or one
inherited from the node around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PackError
from ..i18n import _
from ..sources import Source
from .model import (
    Consequences,
    HoldSpec,
    SanctionSpec,
)
from .params import Param, Provenance, make_param, parse_values

PROVENANCE_KEYS = ("source", "quote", "assumption")
ACCOUNTS = ("deposit", "commission", "goods_payment", "subsidy", "all_funds")


class Builder:
    def __init__(self, doc: Mapping[str, Any], file: str, overrides: Mapping[str, Any],
                 revisions: Mapping[str, Any] | None = None):
        self.doc = doc
        self.file = file
        self.overrides = dict(overrides)
        # a pack version's own parameter nodes (value and provenance), by dotted name
        self.revisions = dict(revisions or {})
        self.params: dict[str, Param] = {}
        self.tz = "Asia/Shanghai"
        self.sources: dict[str, Source] = {}

    # -- primitives -------------------------------------------------------------------------
    def fail(self, path: str, message: str) -> PackError:
        return PackError(message, file=self.file, path=path)

    def mapping(self, node: Any, path: str, allowed: tuple[str, ...] = (),
                required: tuple[str, ...] = ()) -> Mapping[str, Any]:
        if not isinstance(node, Mapping):
            raise self.fail(path, _("expected a mapping, got %(name)s")
                                  % {"name": type(node).__name__})
        if allowed:
            for key in node:
                if key not in allowed and key not in PROVENANCE_KEYS:
                    raise self.fail(f"{path}.{key}", _("unknown key; expected one of: %(value)s")
                                                     % {"value": ', '.join(allowed)})
        for key in required:
            if key not in node:
                raise self.fail(f"{path}.{key}", _("missing required key"))
        return node

    def prov(self, node: Any, path: str, inherited: Provenance | None) -> Provenance | None:
        if not isinstance(node, Mapping) or not any(k in node for k in PROVENANCE_KEYS):
            return inherited
        if "assumption" in node:
            text = node["assumption"]
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"{path}.assumption", _("expected the assumption and why, as "
                                                        "text"))
            return Provenance(assumption=text.strip())
        ref = node.get("source")
        quote = node.get("quote")
        if ref not in self.sources:
            raise self.fail(f"{path}.source", _("expected one of the pack's sources "
                                                "(%(value)s), got %(ref)r")
                                              % {"value": ', '.join(self.sources), "ref": ref})
        if not isinstance(quote, str) or not quote.strip():
            raise self.fail(f"{path}.quote", _("a `source` needs the `quote` it comes from"))
        source = self.sources[ref]
        return Provenance(ref=ref, title=source.title, date=source.date, quote=quote.strip())

    def param(self, node: Any, path: str, inherited: Provenance | None,
              kind: type | tuple[type, ...] = (int, float)) -> Param:
        if path in self.revisions:  # another version of the pack: its node, its provenance
            node, inherited = self.revisions.pop(path), None
        provenance = self.prov(node, path, inherited)
        if provenance is None:
            raise self.fail(path, _("no provenance: give `source` and `quote`, or `assumption`"))
        starts, values = parse_values(node, path, self.tz, self.file)
        for v in values:
            if isinstance(v, bool) and kind is not bool or not isinstance(v, kind):
                raise self.fail(path, _("expected %(value)s, got %(v)r")
                                      % {"value": getattr(kind, '__name__', 'a number'), "v": v})
        if path in self.overrides:
            value = self.overrides.pop(path)
            p = make_param(path, [None], [value], Provenance(override=True))
        else:
            p = make_param(path, starts, values, provenance)
        self.params[path] = p
        return p

    def opt_param(self, node: Mapping[str, Any], key: str, path: str,
                  inherited: Provenance | None, kind: Any = (int, float)) -> Param | None:
        if key not in node or node[key] is None:
            return None
        return self.param(node[key], f"{path}.{key}", inherited, kind)

    def names(self, node: Any, path: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if not isinstance(node, list) or not all(isinstance(x, str) for x in node):
            raise self.fail(path, _("expected a list of names"))
        return tuple(node)

    # -- consequences -----------------------------------------------------------------------
    def sanctions(self, node: Any, path: str, inherited: Provenance | None
                  ) -> tuple[SanctionSpec, ...]:
        if node is None:
            return ()
        out = []
        for kind, spec in self.mapping(node, path).items():
            p = f"{path}.{kind}"
            spec = {} if spec is None else spec
            self.mapping(spec, p, ("scope", "days", "permanent", "band_bound", "while_below",
                                   "until", "detail"))
            prov = self.prov(spec, p, inherited)
            timings = [k for k in ("days", "permanent", "band_bound", "while_below", "until")
                       if spec.get(k)]
            if len(timings) != 1:
                raise self.fail(p, _("expected exactly one of days, permanent, band_bound, "
                                     "while_below, until"))
            detail = {k: self.param(v, f"{p}.detail.{k}", prov, (int, float, str))
                      for k, v in self.mapping(spec.get("detail", {}), f"{p}.detail").items()
                      if k not in PROVENANCE_KEYS}
            out.append(SanctionSpec(
                kind=str(kind), scope=spec.get("scope"),
                days=self.opt_param(spec, "days", p, prov),
                permanent=bool(spec.get("permanent")), band_bound=bool(spec.get("band_bound")),
                while_below=bool(spec.get("while_below")), until=spec.get("until"),
                detail=detail, provenance=prov or Provenance(),
            ))
        return tuple(out)

    def holds(self, node: Any, path: str, inherited: Provenance | None) -> tuple[HoldSpec, ...]:
        if node is None:
            return ()
        out = []
        for account, spec in self.mapping(node, path).items():
            p = f"{path}.{account}"
            if account not in ACCOUNTS:
                raise self.fail(p, _("unknown account; expected one of: %(value)s")
                                   % {"value": ', '.join(ACCOUNTS)})
            self.mapping(spec, p, ("amount", "amount_ratio", "days", "until", "scope",
                                   "over_days", "without_amount"))
            if not (spec.get("days") or spec.get("until")):
                raise self.fail(p, _("a hold needs `days` or `until`"))
            without = spec.get("without_amount", "error")
            if without not in ("error", "hold_all"):
                raise self.fail(f"{p}.without_amount", _("expected error or hold_all"))
            if ("over_days" in spec or "without_amount" in spec) and "amount_ratio" not in spec:
                raise self.fail(p, _("`over_days` and `without_amount` go with `amount_ratio`"))
            prov = self.prov(spec, p, inherited)
            out.append(HoldSpec(
                account=account, amount=self.opt_param(spec, "amount", p, prov),
                amount_ratio=self.opt_param(spec, "amount_ratio", p, prov),
                days=self.opt_param(spec, "days", p, prov), until=spec.get("until"),
                provenance=prov or Provenance(), scope=spec.get("scope"),
                over_days=self.opt_param(spec, "over_days", p, prov), without_amount=without,
            ))
        return tuple(out)

    def consequences(self, node: Mapping[str, Any], path: str,
                     inherited: Provenance | None) -> Consequences:
        deduct = tuple(
            (str(score), self.param(v, f"{path}.deduct.{score}", inherited))
            for score, v in self.mapping(node.get("deduct", {}), f"{path}.deduct").items()
            if score not in PROVENANCE_KEYS
        )
        return Consequences(
            deduct=deduct,
            sanctions=self.sanctions(node.get("sanctions"), f"{path}.sanctions", inherited),
            holds=self.holds(node.get("holds"), f"{path}.holds", inherited),
            notices=self.names(node.get("notices"), f"{path}.notices"),
            actions=self.names(node.get("actions"), f"{path}.actions"),
            fee=self.opt_param(node, "fee", path, inherited),
            compensation_ratio=self.opt_param(node, "compensation_ratio", path, inherited),
            raise_deposit_multiple=self.opt_param(node, "raise_deposit_multiple", path,
                                                  inherited),
        )


CONSEQUENCE_KEYS = ("deduct", "sanctions", "holds", "notices", "actions", "fee",
                    "compensation_ratio", "raise_deposit_multiple")
