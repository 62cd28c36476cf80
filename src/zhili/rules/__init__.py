"""Rule packs: the platforms' rules as versioned, validated data with provenance.

``load_pack("wechat_channels")`` reads ``zhili/packs/wechat_channels/pack.yaml``; a path to a
pack file or folder works too. ``params`` overrides any parameter by its dotted name for a
what-if run, without editing the pack. ``version`` loads another version of the pack: a file
``versions/VERSION.yaml`` beside ``pack.yaml`` gives the parameters that version sets
otherwise, each with its own provenance (``docs/packs.md``); ``pack_versions`` lists them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import PackError
from ..i18n import _
from ..sources import parse_sources
from ..textfiles import read_text
from . import names, sections
from .loader import Builder
from .model import Pack, Rule
from .params import Param, Provenance, number_in_quote

__all__ = ["Pack", "Param", "Provenance", "Rule", "available_packs", "load_pack",
           "load_pack_text", "pack_dir", "pack_versions", "number_in_quote",
           "parse_param_assignment"]

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
    raise PackError(_("unknown pack %(code_or_path)r; available: %(known)s")
                    % {"code_or_path": code_or_path, "known": known})


def pack_versions(code_or_path: str) -> list[str]:
    """The versions of a pack one can load: the shipped one first, then those of
    ``versions/*.yaml``, sorted."""
    folder = pack_dir(code_or_path)
    shipped = str(_yaml(str(folder / "pack.yaml")).get("version", ""))
    others = sorted(p.stem for p in (folder / "versions").glob("*.yaml") if p.stem != shipped)
    return [shipped, *others]


def load_pack(code_or_path: str, params: Mapping[str, Any] | None = None,
              version: str | None = None) -> Pack:
    """The pack (``version`` of it: None for the one shipped), validated, with any what-if
    parameter overrides applied."""
    frozen = tuple(sorted((params or {}).items(), key=lambda kv: kv[0]))
    file = str(pack_dir(code_or_path) / "pack.yaml")
    try:
        return _load(file, frozen, version)
    except TypeError:  # unhashable override values: load without the cache
        return _build(file, dict(params or {}), version)


def load_pack_text(text: str, file: str, params: Mapping[str, Any] | None = None) -> Pack:
    """A pack from the text of a pack file kept elsewhere than on disk (a drafted pack stored
    with a shadow), validated like any pack; ``file`` names it in errors."""
    return _build(file, dict(params or {}), text=text)


@lru_cache(maxsize=64)
def _load(file: str, params: tuple[tuple[str, Any], ...], version: str | None) -> Pack:
    return _build(file, dict(params), version)


def _yaml(file: str, text: str | None = None) -> Any:
    try:
        return yaml.safe_load(read_text(file) if text is None else text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise PackError(_("not valid YAML: %(value)s")
                        % {"value": getattr(err, 'problem', err)}, file=file,
                        path=where) from None


VERSION_KEYS = ("version", "based_on", "title", "sources", "params")


def _revision(file: str, doc: Mapping[str, Any], version: str) -> tuple[Mapping[str, Any],
                                                                       str, Mapping[str, Any]]:
    """A version file's (parameters, title, sources), checked against the shipped pack."""
    path = Path(file).parent / "versions" / f"{version}.yaml"
    if not path.is_file():
        known = ", ".join(pack_versions(str(Path(file).parent)))
        raise PackError(_("pack %(value)s has no version %(version)r; available: %(known)s")
                        % {"value": doc.get('pack'), "version": version, "known": known})
    rev = _yaml(str(path))
    where = str(path)
    if not isinstance(rev, Mapping):
        raise PackError(_("expected a mapping {version, based_on, params}"), file=where)
    for key in rev:
        if key not in VERSION_KEYS:
            raise PackError(_("unknown key; expected one of: %(value)s")
                            % {"value": ', '.join(VERSION_KEYS)},
                            file=where, path=str(key))
    if str(rev.get("version")) != version:
        raise PackError(_("expected `version: %(version)s` (the file's name)")
                        % {"version": version}, file=where,
                        path="version")
    if str(rev.get("based_on")) != str(doc.get("version")):
        raise PackError(_("expected `based_on: %(value)s` (the shipped version)")
                        % {"value": doc.get('version')},
                        file=where, path="based_on")
    params = rev.get("params") or {}
    if not isinstance(params, Mapping) or not all(isinstance(v, Mapping) for v in
                                                   params.values()):
        raise PackError(_("expected NAME: {value, source+quote or assumption} for each parameter"),
                        file=where, path="params")
    return params, str(rev.get("title") or doc.get("title", "")), rev.get("sources") or {}


def _build(file: str, overrides: dict[str, Any], version: str | None = None,
           text: str | None = None) -> Pack:
    doc = _yaml(file, text)
    revisions: Mapping[str, Any] = {}
    if version is not None and isinstance(doc, Mapping) and version != str(doc.get("version")):
        revisions, title, extra = _revision(file, doc, version)
        doc = {**doc, "version": version, "title": title,
               "sources": {**(doc.get("sources") or {}), **extra}}
    # errors in a version's parameters name its file
    b = Builder(doc, str(Path(file).parent / "versions" / f"{version}.yaml") if revisions
                else file, overrides, revisions)
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
    if b.revisions:
        raise PackError(_("unknown parameter %(value)r; `zhili rules %(code)s --params` lists "
                          "them")
                        % {"value": sorted(b.revisions)[0], "code": pack.code},
                        file=b.file, path="params")
    if b.overrides:
        unknown = sorted(b.overrides)
        raise PackError(_("unknown parameter %(value)r; `zhili rules %(code)s --params` lists "
                          "them") % {"value": unknown[0], "code": pack.code}, file=file)
    _check_references(b, pack)
    names.check_known(b, pack)
    return pack


def _check_references(b: Builder, pack: Pack) -> None:
    for name in ([pack.bands.score] if pack.bands else []) + \
            ([pack.recovery.score] if pack.recovery else []) + [lad.score for lad in pack.ladders]:
        if name not in pack.scores:
            raise b.fail("scores", _("score %(name)r is used but not defined") % {"name": name})
    for code, rule in pack.rules.items():
        for score, _points in rule.consequences.deduct:
            if score not in pack.scores:
                raise b.fail(f"rules.{code}.deduct.{score}", _("no such score in this pack"))


def parse_param_assignment(text: str) -> tuple[str, Any]:
    """``name=value`` from the command line; the value is read as YAML (numbers, true, text)."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise PackError(_("expected NAME=VALUE, got %(text)r") % {"text": text})
    return name.strip(), yaml.safe_load(raw)
