"""Rule packs: the platforms' rules as versioned, validated data with provenance.

``load_pack("wechat_channels")`` reads ``zhili/packs/wechat_channels/pack.yaml``; a path to a
pack file or folder works too. ``params`` overrides any parameter by its dotted name for a
what-if run, without editing the pack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import PackError
from ..textfiles import read_text
from . import names, sections
from .loader import Builder
from .model import Pack, Rule
from .params import Param, Provenance, number_in_quote
from .sources import parse_sources

__all__ = ["Pack", "Param", "Provenance", "Rule", "available_packs", "load_pack", "pack_dir",
           "number_in_quote", "parse_param_assignment"]

PACKS_ROOT = Path(__file__).resolve().parent.parent / "packs"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def available_packs() -> list[str]:
    return sorted(p.name for p in PACKS_ROOT.iterdir() if (p / "pack.yaml").is_file())


def pack_dir(code_or_path: str) -> Path:
    path = Path(code_or_path)
    if path.is_file():
        return path.parent
    if path.is_dir() and (path / "pack.yaml").is_file():
        return path
    if _CODE.match(code_or_path) and (PACKS_ROOT / code_or_path / "pack.yaml").is_file():
        return PACKS_ROOT / code_or_path
    known = ", ".join(available_packs())
    raise PackError(f"unknown pack {code_or_path!r}; available: {known}")


def load_pack(code_or_path: str, params: Mapping[str, Any] | None = None) -> Pack:
    """The pack, validated, with any what-if parameter overrides applied."""
    frozen = tuple(sorted((params or {}).items(), key=lambda kv: kv[0]))
    try:
        return _load(str(pack_dir(code_or_path) / "pack.yaml"), frozen)
    except TypeError:  # unhashable override values: load without the cache
        return _build(str(pack_dir(code_or_path) / "pack.yaml"), dict(params or {}))


@lru_cache(maxsize=64)
def _load(file: str, params: tuple[tuple[str, Any], ...]) -> Pack:
    return _build(file, dict(params))


def _build(file: str, overrides: dict[str, Any]) -> Pack:
    try:
        doc = yaml.safe_load(read_text(file))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise PackError(f"not valid YAML: {getattr(err, 'problem', err)}", file=file,
                        path=where) from None
    b = Builder(doc, file, overrides)
    top = ("pack", "version", "title", "timezone", "subject_kind", "sources", "scores", "bands",
           "recovery", "ladders", "funds", "association", "appeals", "rules", "determinations",
           "content", "detectors", "names")
    b.mapping(doc, "(top)", top, ("pack", "version", "timezone", "subject_kind", "sources",
                                  "rules"))
    b.tz = str(doc["timezone"])
    b.sources = parse_sources(doc["sources"], b.fail)
    rules = {str(code): sections.rule(b, str(code), spec)
             for code, spec in b.mapping(doc["rules"], "rules").items()}
    content, options = sections.content(b, doc.get("content"), rules)
    pack = Pack(
        code=str(doc["pack"]), version=str(doc["version"]), title=str(doc.get("title", "")),
        timezone=b.tz, subject_kind=str(doc["subject_kind"]), sources=b.sources,
        scores=sections.scores(b, doc.get("scores")), rules=rules,
        bands=sections.bands(b, doc.get("bands")), recovery=sections.recovery(b, doc.get("recovery")),
        ladders=sections.ladders(b, doc.get("ladders")), funds=sections.funds(b, doc.get("funds")),
        association=sections.association(b, doc.get("association")),
        appeals=sections.appeals(b, doc.get("appeals")),
        determinations=sections.determinations(b, doc.get("determinations"), rules),
        content=content, content_options=options,
        detectors=sections.detectors(b, doc.get("detectors")), params=b.params, path=file,
        overrides=dict(overrides), names=names.parse(b, doc.get("names")),
    )
    if b.overrides:
        unknown = sorted(b.overrides)
        raise PackError(f"unknown parameter {unknown[0]!r}; `zhili rules {pack.code} --params` "
                        f"lists them", file=file)
    _check_references(b, pack)
    names.check_known(b, pack)
    return pack


def _check_references(b: Builder, pack: Pack) -> None:
    for name in ([pack.bands.score] if pack.bands else []) + \
            ([pack.recovery.score] if pack.recovery else []) + [lad.score for lad in pack.ladders]:
        if name not in pack.scores:
            raise b.fail("scores", f"score {name!r} is used but not defined")
    for code, rule in pack.rules.items():
        for score, _ in rule.consequences.deduct:
            if score not in pack.scores:
                raise b.fail(f"rules.{code}.deduct.{score}", "no such score in this pack")


def parse_param_assignment(text: str) -> tuple[str, Any]:
    """``name=value`` from the command line; the value is read as YAML (numbers, true, text)."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise PackError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), yaml.safe_load(raw)
