"""The thresholds of the order-based rules: the pack's ``detectors`` parameters.

Code never holds a rule's number: every threshold is a pack parameter (``detectors.RULE.NAME``)
with its provenance — a quoted source sentence, checked to contain the number, or a stated
assumption — and can be overridden for a what-if run like any other parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import PackError
from ...i18n import _
from ...rules import Pack, Param, load_pack


class Thresholds:
    """The order-rule parameters of one pack: ``th.value("line_nrd_rate.rate")``."""

    def __init__(self, pack: str, params: Mapping[str, Param], file: str | None = None):
        self.pack = pack
        self.params = dict(params)
        self.file = file

    def param(self, name: str) -> Param:
        try:
            return self.params[name]
        except KeyError:
            raise PackError(_("pack %(pack)s has no detector parameter detectors.%(name)s")
                            % {"pack": self.pack, "name": name}, file=self.file) from None

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


def thresholds_for(pack: Pack | str) -> Thresholds:
    """The detector thresholds of a pack (a loaded pack, with any overrides, or its code)."""
    if isinstance(pack, str):
        pack = load_pack(pack)
    return Thresholds(pack.code, pack.detectors, pack.path)
