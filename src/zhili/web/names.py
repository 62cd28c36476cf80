"""Names people read for the codes the console shows (rules, sanctions, bands, findings,
document types, scores, roles, states), in the reader's language. Codes stay at hand in a
tooltip or a column; a code without a name shows as itself rather than disappearing."""

from __future__ import annotations

from .i18n import _

# Words of the console itself (not of any pack): roles, sort keys, document and appeal states.
ROLES = {"admin": "administrator", "reviewer": "reviewer", "merchant": "merchant"}
SORTS = {"risk": "most at risk", "id": "subject ID", "pack": "platform", "score": "score",
         "band": "band", "fees": "fees", "sanctions": "active sanctions",
         "violations": "violations", "appeals": "open appeals"}
STATES = {"valid": "valid", "expiring": "expiring soon", "pending_review": "under review",
          "incomplete": "incomplete", "missing": "missing", "expired": "expired",
          "noncompliant": "non-compliant", "falsified": "falsified", "overdue": "overdue",
          "open": "open", "awaiting_material": "awaiting material", "granted": "granted",
          "denied": "denied", "lapsed": "lapsed", "rejected_late": "rejected (late)"}


def role_name(role: str) -> str:
    return _(ROLES.get(role, role))


def sort_names() -> dict[str, str]:
    return {k: _(v) for k, v in SORTS.items()}


def state_name(state: str) -> str:
    return _(STATES[state]) if state in STATES else state


# The platforms of the bundled packs, by the names their merchants use.
PLATFORMS = {"wechat_channels": "WeChat Channels", "wechat_store": "WeChat Store",
             "pinduoduo_global": "Pinduoduo cross-border", "tmall_global": "Tmall Global",
             "douyin_global": "Douyin Global", "aliexpress": "AliExpress"}


def pack_name(code: str) -> str:
    """The platform a pack governs; a pack of the user's own shows its code."""
    return _(PLATFORMS[code]) if code in PLATFORMS else code


def name(kind: str, code: str | None) -> str:
    """The name of ``code`` of ``kind`` in the current language; the code if it has none."""
    if code is None:
        return ""
    if kind == "state":
        return state_name(code)
    return code


def lasts_name(lasts: str | None) -> str:
    """How a sanction or hold ends (the engine's words, see ``api.wire.lasts``), for people."""
    if not lasts:
        return "—"
    fixed = {"permanent": _("permanent"), "while in band": _("while the score stays in the band"),
             "while below threshold": _("while the score stays below the threshold"),
             "timed": _("for a fixed time")}
    if lasts in fixed:
        return fixed[lasts]
    event = lasts.removeprefix("until ")
    return _("until %(event)s") % {"event": name("event", event)}
