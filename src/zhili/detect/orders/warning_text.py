"""An early warning's sentence in the reader's language, rendered from its fields.

Warnings are kept as fields (``EarlyWarning.to_fields``, also what the console records), so the
sentence is made where it is shown: the CLI in its ``--lang``, the console and API in the
request's. Sanction names come from the pack's ``names:`` section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...i18n import _, ngettext


def render(w: Mapping[str, Any]) -> str:
    """``w``: the fields of an ``EarlyWarning`` (its ``to_fields()`` or ``to_dict()``)."""
    head = _streak_head(w) if w.get("streak_days") else _rate_head(w)
    return _("%(head)s: %(tail)s") % {"head": head, "tail": _tail(w)}


def _percent(rate: float) -> str:
    return f"{100 * rate:.1f}%"


def _rate_head(w: Mapping[str, Any]) -> str:
    values = {"scope": w["scope"], "count": w["events"], "orders": w["orders"],
              "rate": _percent(w["rate"]) if w["orders"] else "—"}
    if w.get("metric") == "sold_not_shipped":
        return ngettext("%(scope)s: %(count)d sold-not-shipped order in %(orders)d orders "
                        "(%(rate)s)",
                        "%(scope)s: %(count)d sold-not-shipped orders in %(orders)d orders "
                        "(%(rate)s)", w["events"]) % values
    return ngettext("%(scope)s: %(count)d NRD dispute in %(orders)d orders (%(rate)s)",
                    "%(scope)s: %(count)d NRD disputes in %(orders)d orders (%(rate)s)",
                    w["events"]) % values


def _streak_head(w: Mapping[str, Any]) -> str:
    days = list(w["streak_days"])
    return ngettext(
        "%(scope)s: %(run)d day in a row with NRD disputes ≥ %(rate)s and ≥ %(count)d "
        "(%(days)s)",
        "%(scope)s: %(run)d days in a row with NRD disputes ≥ %(rate)s and ≥ %(count)d "
        "(%(days)s)", len(days)) % {
        "scope": w["scope"], "run": len(days), "rate": f"{100 * w['threshold_rate']:g}%",
        "count": w["threshold_count"], "days": ", ".join(days)}


def _sanction(w: Mapping[str, Any]) -> str:
    """The sanction's name from its pack, with how long it lasts."""
    code = w.get("sanction")
    name = code or _("a freeze")
    if code and w.get("pack"):
        from ...rules import load_pack

        name = str(load_pack(w["pack"]).name("sanctions", code))
    if w.get("sanction_permanent"):
        return _("%(sanction)s (permanent)") % {"sanction": name}
    days = w.get("sanction_days")
    if days is not None:
        return ngettext("%(sanction)s (for %(days)s day)", "%(sanction)s (for %(days)s days)",
                        int(days)) % {"sanction": name, "days": f"{days:g}"}
    return name


def _tail(w: Mapping[str, Any]) -> str:
    more = w.get("more_needed")
    if w.get("frozen"):
        return _("frozen now")
    if more is None:
        return _("too few orders in the window to reach the threshold")
    values = {"more": more, "sanction": _sanction(w)}
    if more == 0:
        return _("at the threshold: the next assessment brings %(sanction)s") % values
    if w.get("streak_days"):
        return ngettext("%(more)d more such day brings %(sanction)s",
                        "%(more)d more such days bring %(sanction)s", more) % values
    if w.get("metric") == "sold_not_shipped":
        return ngettext("%(more)d more sold-not-shipped order brings %(sanction)s",
                        "%(more)d more sold-not-shipped orders bring %(sanction)s",
                        more) % values
    return ngettext("%(more)d more dispute brings %(sanction)s",
                    "%(more)d more disputes bring %(sanction)s", more) % values
