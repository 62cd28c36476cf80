"""The document registry: which documents each pack requires, of whom, and what a failure
triggers. The data is ``requirements.yaml`` next to this module, every entry with provenance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..i18n import _
from ..rules.names import Name, lookup, parse_section
from ..sources import Source, parse_sources

REGISTRY_FILE = Path(__file__).with_name("requirements.yaml")
# The ways a required document can fail; each may map to a rule code of the pack.
FAILURES = ("missing", "expired", "noncompliant", "falsified", "overdue")
NAME_KINDS = ("doc_types", "categories")


@dataclass(frozen=True)
class Provenance:
    source: Source | None = None
    quote: str | None = None
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    pack: str
    doc_type: str
    categories: frozenset[str] | None  # None: every subject of the pack
    per: str  # "subject" or "batch"
    consequences: Mapping[str, str | None]  # failure -> rule code of the pack (None: nothing)
    provenance: Provenance
    parts: tuple[str, ...] = ()  # core materials that together make the document
    variants: tuple[str, ...] = ()  # alternative forms, any one of which will do
    max_age_days: int | None = None  # counts at most this long after submission
    appeal_material: str | None = None  # not a standing requirement: material for an appeal

    def applies_to(self, categories: Iterable[str]) -> bool:
        return self.categories is None or bool(self.categories & set(categories))

    def code_for(self, failure: str) -> str | None:
        return self.consequences.get(failure)

    @property
    def forms(self) -> tuple[str, ...]:
        """The document types that are this document whole: itself and each variant
        (a circulation proof is an offline or an online on-sale proof, either will do)."""
        return (self.doc_type, *self.variants)


@dataclass(frozen=True)
class Registry:
    notice_months: int
    notice_provenance: Provenance
    requirements: Mapping[str, tuple[Requirement, ...]]  # pack -> standing requirements
    part_specs: Mapping[tuple[str, str], Requirement]  # (pack, part doc_type) -> its spec
    names: Mapping[str, Mapping[str, Name]] = dataclass_field(default_factory=dict)

    def name(self, kind: str, code: str) -> Name:
        """What a person reads for a document type (``doc_types``, parts and variants
        included) or a subject category (``categories``), in the current language."""
        return lookup(self.names, kind, code)

    def used_codes(self) -> dict[str, set[str]]:
        """Every document type and category the registry can show a person."""
        doc_types: set[str] = {part for (_pack, part) in self.part_specs}
        categories: set[str] = set()
        for reqs in self.requirements.values():
            for r in reqs:
                doc_types.update((r.doc_type, *r.parts, *r.variants))
                categories.update(r.categories or ())
        return {"doc_types": doc_types, "categories": categories}

    def for_pack(self, pack: str) -> tuple[Requirement, ...]:
        return self.requirements.get(pack, ())

    def required_of(self, pack: str, categories: Iterable[str]) -> list[Requirement]:
        """The standing requirements (not appeal materials) a subject of ``pack`` must meet."""
        cats = set(categories)
        return [r for r in self.for_pack(pack) if r.appeal_material is None and r.applies_to(cats)]

    def appeal_materials(self, pack: str) -> list[Requirement]:
        return [r for r in self.for_pack(pack) if r.appeal_material is not None]

    def requirement_of(self, pack: str, doc_type: str) -> Requirement | None:
        """The standing requirement a document type fulfils: itself, or the one it is part of."""
        for r in self.for_pack(pack):
            if doc_type in r.forms or doc_type in r.parts:
                return r
        return None

    def spec(self, pack: str, doc_type: str) -> Requirement | None:
        for r in self.for_pack(pack):
            if r.doc_type == doc_type:
                return r
        return self.part_specs.get((pack, doc_type))


def _fail(path: str, message: str) -> InputError:
    return InputError(message, file=str(REGISTRY_FILE.name), path=path)


def _provenance(node: Mapping[str, Any], sources: Mapping[str, Source],
                path: str) -> Provenance:
    assumptions = tuple(str(v).strip() for k, v in node.items()
                        if k == "assumption" or k.endswith("_assumption"))
    ref = node.get("source")
    if ref is None:
        if not assumptions:
            raise _fail(path, _("no provenance: give `source` and `quote`, or `assumption`"))
        return Provenance(assumptions=assumptions)
    if ref not in sources or not str(node.get("quote", "")).strip():
        raise _fail(path, _("`source` must be one of %(value)s with its `quote`")
                          % {"value": ', '.join(sources)})
    return Provenance(sources[ref], str(node["quote"]).strip(), assumptions)


def _requirement(pack: str, node: Any, sources: Mapping[str, Source],
                 path: str) -> Requirement:
    if not isinstance(node, Mapping) or not node.get("doc_type"):
        raise _fail(path, _("expected a mapping with `doc_type`"))
    cats = node.get("categories")
    if cats != "any" and not (isinstance(cats, list) and cats):
        raise _fail(f"{path}.categories", _("expected `any` or a list of categories"))
    per = node.get("per", "subject")
    if per not in ("subject", "batch"):
        raise _fail(f"{path}.per", _("expected subject or batch"))
    consequences = dict(node.get("consequences") or {})
    for failure in consequences:
        if failure not in FAILURES:
            raise _fail(f"{path}.consequences.{failure}",
                        _("unknown failure; expected one of: %(value)s")
                        % {"value": ', '.join(FAILURES)})
    return Requirement(
        pack=pack, doc_type=str(node["doc_type"]),
        categories=None if cats == "any" else frozenset(str(c) for c in cats), per=per,
        consequences=consequences, provenance=_provenance(node, sources, path),
        parts=tuple(node.get("parts") or ()), variants=tuple(node.get("variants") or ()),
        max_age_days=node.get("max_age_days"), appeal_material=node.get("appeal_material"),
    )


def parse_registry(doc: Mapping[str, Any]) -> Registry:
    sources = parse_sources(doc.get("sources"), _fail)
    notice = doc["notice_before_expiry"]
    requirements: dict[str, tuple[Requirement, ...]] = {}
    parts: dict[tuple[str, str], Requirement] = {}
    for pack, entries in doc["packs"].items():
        standing = []
        for i, node in enumerate(entries):
            req = _requirement(str(pack), node, sources, f"packs.{pack}[{i}]")
            if node.get("part_of"):
                parts[(req.pack, req.doc_type)] = req
            else:
                standing.append(req)
        requirements[str(pack)] = tuple(standing)
    for (pack, part), _where in parts.items():
        if not any(part in r.parts for r in requirements[pack]):
            raise _fail(f"packs.{pack}",
                        _("%(part)s is part_of a document that does not list it") % {"part": part})
    registry = Registry(int(notice["months"]),
                        _provenance(notice, sources, "notice_before_expiry"), requirements,
                        parts, parse_section(doc.get("names"), NAME_KINDS, _fail))
    used = registry.used_codes()
    for kind, entries in registry.names.items():
        for code in sorted(set(entries) - used[kind]):
            raise _fail(f"names.{kind}.{code}", _("no requirement uses this code"))
    return registry


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    return parse_registry(yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8")))
