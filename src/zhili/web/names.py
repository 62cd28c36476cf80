"""Names people read for the codes the console shows (rules, sanctions, bands, findings,
document types, scores, roles, states), in the reader's language. The names of a pack's codes
come from the pack (``Pack.name``) and those of documents from the registry; the console's own
words (roles, states, kinds of decision) from its catalog. Codes stay at hand in a tooltip; a
code nothing names shows as itself rather than disappearing."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import notices
from ..i18n import N_, _, current_language
from ..notices import event_name

# Words of the console itself (not of any pack): roles, sort keys, document and appeal states.
ROLES = {"admin": N_("administrator"), "reviewer": N_("reviewer"), "merchant": N_("merchant")}
SORTS = {"risk": N_("most at risk"), "id": N_("subject ID"), "pack": N_("platform"),
         "score": N_("score"), "band": N_("band"), "fees": N_("fees"),
         "sanctions": N_("active sanctions"), "violations": N_("violations"),
         "appeals": N_("open appeals")}
STATES = {"valid": N_("valid"), "expiring": N_("expiring soon"),
          "pending_review": N_("under review"), "incomplete": N_("incomplete"),
          "missing": N_("missing"), "expired": N_("expired"),
          "noncompliant": N_("non-compliant"), "falsified": N_("falsified"),
          "overdue": N_("overdue"), "open": N_("open"),
          "awaiting_material": N_("awaiting material"), "granted": N_("granted"),
          "denied": N_("denied"), "rejected": N_("rejected"), "lapsed": N_("lapsed"),
          "rejected_late": N_("rejected: filed after the appeal window")}
SUBJECT_KINDS = {"creator": N_("creator"), "store": N_("store"), "agency": N_("agency"),
                 "service_provider": N_("service provider")}
# Product categories the content scanner knows that no document requirement names.
CATEGORIES = {"infant_formula": N_("infant formula"), "medical_device": N_("medical devices"),
              "medicine": N_("medicines"), "health_supplement": N_("health supplements"),
              "infant_food": N_("infant food")}
# Notices the document mechanism sends whatever the pack.
MECHANISM_NOTICES = {"document_expiring": N_("document about to expire")}
# Flags a violation may carry that make a rule's consequences heavier (the same in every pack).
FLAGS = {"severe": N_("serious circumstances"),
         "duty_free_claim": N_("a false duty-free claim on cross-border goods"),
         "finance_or_health": N_("finance or health content steered off the platform")}
CONSOLE_WORDS = {"state": STATES, "kind": SUBJECT_KINDS, "flag": FLAGS}
# The console's singular kinds → the pack's ``names:`` sections and the registry's.
PACK_KINDS = {"rule": "rules", "score": "scores", "band": "bands", "sanction": "sanctions",
              "notice": "notices", "account": "accounts", "action": "actions",
              "finding": "findings", "step": "steps"}
REGISTRY_KINDS = {"document": "doc_types", "category": "categories"}


def role_name(role: str) -> str:
    return _(ROLES[role]) if role in ROLES else role


def sort_names() -> dict[str, str]:
    return {k: _(v) for k, v in SORTS.items()}


def _packs(code: str | None) -> list[Any]:
    from ..rules import available_packs, load_pack

    shipped = available_packs()
    return [load_pack(c) for c in ([code] if code else shipped) if c in shipped]


def _named(source: Any, kind: str, code: str) -> str | None:
    """``source.name`` (a pack's or the document registry's) when it names ``code``."""
    text = str(source.name(kind, code))
    return text if text != code else None


def name(kind: str, code: str | None, pack: str | None = None) -> str:
    """The name of ``code`` of ``kind`` in the current language; the code if nothing names
    it. ``pack`` narrows the search to one pack (else the first pack that names it).

    Packs, the registry and the catalogs are shipped with the process and never change while
    it runs, so each (kind, code, pack, language) is looked up once: a page of 50 subjects
    names hundreds of codes."""
    if code is None:
        return ""
    return _name(kind, code, pack, current_language())


@lru_cache(maxsize=8192)
def _name(kind: str, code: str, pack: str | None, language: str) -> str:
    """``name`` for the language ``current_language()`` returns while it runs (the key)."""
    if kind in CONSOLE_WORDS:
        words = CONSOLE_WORDS[kind]
        return _(words[code]) if code in words else code
    if kind in REGISTRY_KINDS:
        from ..documents import load_registry

        found = _named(load_registry(), REGISTRY_KINDS[kind], code)
        if found is None and kind == "category" and code in CATEGORIES:
            found = _(CATEGORIES[code])
        return found or code
    if kind == "decision":
        return notices.kind_name(code)
    section = PACK_KINDS.get(kind)
    if section is None:
        return code
    # The scanner's findings are the same in every pack: another pack's name will do.
    sources = [*_packs(pack), *(_packs(None) if pack and kind == "finding" else ())]
    for source in sources:
        # A decision's rule may be a band, a ladder step or a mechanism ("association").
        found = (str(notices.rule_name(source, code)) if kind == "rule"
                 else _named(source, section, code))
        if found and found != code:
            return found
    if kind == "notice" and code in MECHANISM_NOTICES:
        return _(MECHANISM_NOTICES[code])
    if kind == "sanction" and ":" in code:  # an item-scoped sanction: "delist_item:sku-9"
        base, _sep, scope = code.partition(":")
        named = name(kind, base, pack)
        return f"{named}:{scope}" if named != base else code
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
    return _("until %(event)s") % {"event": event_name(event)}

