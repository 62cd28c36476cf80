"""The thresholds of the order-based rules, read from ``thresholds.yaml`` with provenance.

Code never holds a rule's number: every threshold here is a ``Param`` whose provenance is a
quoted source sentence (checked to contain the number) or a stated assumption.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...errors import PackError
from ...rules.params import Param, Provenance, make_param, number_in_quote

FILE = Path(__file__).with_name("thresholds.yaml")


class Thresholds:
    """The order-rule parameters of one pack: ``th.value("line_nrd_rate.rate")``."""

    def __init__(self, pack: str, params: Mapping[str, Param]):
        self.pack = pack
        self.params = dict(params)

    def param(self, name: str) -> Param:
        try:
            return self.params[name]
        except KeyError:
            raise PackError(f"no order-rule parameter {name!r} for pack {self.pack}",
                            file=str(FILE)) from None

    def value(self, name: str) -> Any:
        return self.param(name).value

    def has(self, rule: str) -> bool:
        return any(name.startswith(f"{rule}.") for name in self.params)

    def evidence(self, rule: str) -> dict[str, Any]:
        """The rule's thresholds with their provenance, as recorded in a violation's evidence."""
        out = {}
        for name, p in self.params.items():
            if name.startswith(f"{rule}."):
                out[name.split(".", 1)[1]] = {"value": p.value, **p.provenance.to_dict()}
        return out


@lru_cache(maxsize=16)
def thresholds_for(pack: str) -> Thresholds:
    doc = _document()
    if pack not in doc:
        return Thresholds(pack, {})
    node = doc[pack]
    sources = node.get("sources", {})
    params: dict[str, Param] = {}
    for key, spec in node.items():
        if key == "sources":
            continue
        if isinstance(spec, Mapping) and "value" not in spec:
            for sub, leaf in spec.items():
                params[f"{key}.{sub}"] = _param(f"{pack}.{key}.{sub}", leaf, sources)
        else:
            params[key] = _param(f"{pack}.{key}", spec, sources)
    return Thresholds(pack, {k: v for k, v in params.items()})


@lru_cache(maxsize=1)
def _document() -> Mapping[str, Any]:
    with open(FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _param(path: str, leaf: Any, sources: Mapping[str, str]) -> Param:
    if not isinstance(leaf, Mapping) or "value" not in leaf:
        raise PackError("expected {value, source+quote | assumption}", file=str(FILE), path=path)
    if "assumption" in leaf:
        prov = Provenance(assumption=str(leaf["assumption"]).strip())
    else:
        ref, quote = leaf.get("source"), leaf.get("quote")
        if ref not in sources or not quote:
            raise PackError("no provenance: give `source` (one of the pack's sources) and "
                            "`quote`, or `assumption`", file=str(FILE), path=path)
        if not number_in_quote(leaf["value"], str(quote)):
            raise PackError(f"{leaf['value']} does not appear in its quote", file=str(FILE),
                            path=path)
        prov = Provenance(ref=str(ref), file=sources[str(ref)], quote=str(quote))
    return make_param(path, [None], [leaf["value"]], prov)
