"""Lexicons as versioned data: loading, validation, user overrides and the compiled automaton.

The packaged lexicon (``data/lexicon.yaml``) holds term groups, allowed phrases, required labels
and the settings of the pattern detectors, each with its provenance. Users layer overrides on
it (``add`` terms, ``remove`` terms, ``allow`` phrases) without editing it. All terms and
phrases are stored in the squeezed form of :mod:`.normalize`, so they match text written with
every evasion that normalisation undoes; homophone/look-alike variants and pinyin are
generated here.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...errors import InputError
from ...i18n import _
from ...sources import Source, parse_sources
from ...textfiles import os_reason
from .context import RULES
from .normalize import squeeze, squeeze_many

FINDINGS = (
    "extreme_word", "medical_claim", "efficacy_promise", "off_platform_contact",
    "duty_free_claim", "infant_food_claim", "parallel_import_claim", "required_label_missing",
)
DETECTORS = ("mobile_number", "qq_number", "wechat_id", "url", "efficacy_pattern")
PACKAGED = Path(__file__).with_name("data") / "lexicon.yaml"


@dataclass(frozen=True, slots=True)
class Term:
    term: str                            # the lexicon term as written (the canonical form)
    finding: str
    group: str
    provenance: str
    categories: frozenset[str] | None = None      # only for texts of these categories
    except_categories: frozenset[str] = frozenset()

    def applies(self, category: str | None) -> bool:
        if self.categories is not None and category not in self.categories:
            return False
        return category not in self.except_categories


@dataclass(frozen=True, slots=True)
class Phrase:
    phrase: str
    group: str
    provenance: str
    categories: frozenset[str] | None = None
    option: str | None = None            # allowed only when this pack option is true

    def applies(self, category: str | None, options: Mapping[str, Any]) -> bool:
        if self.categories is not None and category not in self.categories:
            return False
        return self.option is None or bool(options.get(self.option))


@dataclass(frozen=True, slots=True)
class RequiredLabel:
    category: str
    label: str
    provenance: str
    alternatives: tuple[str, ...] = ()     # other regulated wordings that satisfy it


@dataclass(frozen=True, slots=True)
class Pattern:
    """One string in the automaton and everything it stands for."""
    text: str
    terms: tuple[Term, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    latin_start: bool = False            # needs a non-letter before it in the text
    latin_end: bool = False


@dataclass(frozen=True)
class Lexicon:
    name: str
    version: str
    terms: tuple[Term, ...]
    allow: tuple[Phrase, ...]
    labels: tuple[RequiredLabel, ...]
    detectors: Mapping[str, Mapping[str, Any]]
    detector_provenance: Mapping[str, str]
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    expandable: frozenset[str] = frozenset()      # groups whose terms get variants
    pinyin_groups: frozenset[str] = frozenset()   # groups whose terms get pinyin
    context: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)   # see .context
    context_provenance: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def patterns(self) -> tuple[Pattern, ...]:
        # Every term and phrase squeezed in one pass of the normaliser (not one call each).
        squeezed = squeeze_many([t.term for t in self.terms] + [ph.phrase for ph in self.allow])
        terms: dict[str, list[Term]] = {}
        phrases: dict[str, list[Phrase]] = {}
        for term, base in zip(self.terms, squeezed, strict=False):
            for form in self._forms(term, base):
                terms.setdefault(form, []).append(term)
        for phrase, form in zip(self.allow, squeezed[len(self.terms):], strict=True):
            phrases.setdefault(form, []).append(phrase)
        return tuple(Pattern(text, tuple(terms.get(text, ())), tuple(phrases.get(text, ())),
                             text[0].isascii() and text[0].isalnum(),
                             text[-1].isascii() and text[-1].isalnum())
                     for text in {**terms, **phrases})

    def _forms(self, term: Term, base: str) -> set[str]:
        """The squeezed forms that match ``term`` (``base``: the term squeezed)."""
        forms = {base}
        if term.group in self.expandable:
            choices = [(ch, *self.variants.get(ch, ())) for ch in base]
            forms.update(squeeze("".join(combo)) for combo in itertools.product(*choices))
        if term.group in self.pinyin_groups:
            forms.add(squeeze("".join(_pinyin(term.term))))
        return {f for f in forms if f}

    def label_for(self, category: str | None) -> tuple[RequiredLabel, ...]:
        return tuple(label for label in self.labels if label.category == category)

    def with_overrides(self, doc: Any, *, file: str | None = None) -> Lexicon:
        """This lexicon with a user override document applied (see docs/content.md)."""
        return _apply_overrides(self, doc, file or "(overrides)")


def _failing(file: str) -> Callable[[str, str], InputError]:
    return lambda path, message: InputError(message, file=file, path=path)


PINYIN = Path(__file__).with_name("data") / "pinyin.json"


@lru_cache(maxsize=1)
def _known_pinyin() -> Mapping[str, str]:
    """The pinyin of the packaged lexicon's pinyin terms, as pypinyin gives it (a test keeps
    the file equal to it): loading pypinyin costs more than the rest of the lexicon."""
    return dict(json.loads(PINYIN.read_text(encoding="utf-8")))


def _pinyin(text: str) -> list[str]:
    known = _known_pinyin().get(text)
    if known is not None:
        return [known]
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text)


# How a finding's provenance names an assumption (the text follows, its spaces folded).
ASSUMED = "assumption: "


def provenance(spec: Mapping[str, Any], sources: Mapping[str, Source], *,
               file: str, path: str) -> str:
    """``title (date): 「quote」`` or ``assumption: why`` from a mapping that has one of them."""
    if "source" in spec:
        ref = spec["source"]
        if ref not in sources:
            raise InputError(_("unknown source %(ref)r; declare it under `sources`")
                             % {"ref": ref}, file=file,
                             path=f"{path}.source")
        if not isinstance(spec.get("quote"), str) or not spec["quote"].strip():
            raise InputError(_("a `source` needs the `quote` it comes from"), file=file,
                             path=f"{path}.quote")
        return f"{sources[ref].cite()}: 「{spec['quote'].strip()}」"
    if isinstance(spec.get("assumption"), str) and spec["assumption"].strip():
        return f"{ASSUMED}{' '.join(spec['assumption'].split())}"
    raise InputError(_("missing provenance: give `source` and `quote`, or `assumption`"),
                     file=file, path=path)


def _strings(value: Any, *, file: str, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InputError(_("expected a non-empty list of strings"), file=file, path=path)
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str | int) or not squeeze(str(item)):
            raise InputError(_("expected a word or phrase with letters or digits, got %(item)r")
                             % {"item": item},
                             file=file, path=f"{path}[{i}]")
        out.append(str(item))
    return tuple(out)


def _composed(spec: Mapping[str, Any], key: str, *, file: str, path: str) -> tuple[str, ...]:
    """The words of ``spec[key]`` and of ``spec['compose']``: a list of word lists whose every
    concatenation (one word from each list, in order) is a word too."""
    words = list(_strings(spec[key], file=file, path=f"{path}.{key}")) if key in spec else []
    if "compose" in spec:
        parts = spec["compose"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise InputError(_("expected a list of at least two word lists"), file=file,
                             path=f"{path}.compose")
        lists = [_strings(part, file=file, path=f"{path}.compose[{i}]")
                 for i, part in enumerate(parts)]
        words += ["".join(combo) for combo in itertools.product(*lists)]
    if not words:
        raise InputError(_("expected `%(key)s` or `compose`") % {"key": key}, file=file, path=path)
    return tuple(words)


def _mapping(value: Any, allowed: Iterable[str], *, file: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(_("expected a mapping, got %(value)r")
                         % {"value": value}, file=file, path=path)
    unknown = set(value) - set(allowed)
    if unknown:
        raise InputError(_("unknown field %(value)r; allowed: %(value2)s")
                         % {"value": sorted(unknown)[0], "value2": ', '.join(sorted(allowed))},
                         file=file, path=path)
    return value


def _categories(value: Any, *, file: str, path: str) -> frozenset[str] | None:
    return None if value is None else frozenset(_strings(value, file=file, path=path))


_PROV = ("source", "quote", "assumption")


def _group(spec: Any, i: int, sources: Mapping[str, Source], file: str,
           path: str = "groups") -> tuple[str, list[Term], bool, bool]:
    p = f"{path}[{i}]"
    spec = _mapping(spec, ("id", "finding", "terms", "compose", "categories", "except_categories",
                           "expand", "pinyin", *_PROV), file=file, path=p)
    finding = spec.get("finding")
    if finding not in FINDINGS or finding == "required_label_missing":
        raise InputError(_("expected a finding, one of: %(value)s; got %(finding)r")
                         % {"value": ', '.join(FINDINGS[:-1]), "finding": finding},
                         file=file, path=f"{p}.finding")
    group = str(spec.get("id") or f"{path}[{i}]")
    prov = provenance(spec, sources, file=file, path=p)
    cats = _categories(spec.get("categories"), file=file, path=f"{p}.categories")
    excepts = _categories(spec.get("except_categories"), file=file,
                          path=f"{p}.except_categories") or frozenset()
    terms = [Term(t, finding, group, prov, cats, excepts)
             for t in _composed(spec, "terms", file=file, path=p)]
    return group, terms, bool(spec.get("expand")), bool(spec.get("pinyin"))


def _phrases(spec: Any, i: int, sources: Mapping[str, Source], file: str,
             path: str = "allow") -> list[Phrase]:
    p = f"{path}[{i}]"
    spec = _mapping(spec, ("id", "phrases", "compose", "categories", "option", *_PROV), file=file,
                    path=p)
    prov = provenance(spec, sources, file=file, path=p)
    cats = _categories(spec.get("categories"), file=file, path=f"{p}.categories")
    option = spec.get("option")
    if option is not None and not isinstance(option, str):
        raise InputError(_("expected an option name"), file=file, path=f"{p}.option")
    group = str(spec.get("id") or p)
    return [Phrase(s, group, prov, cats, option)
            for s in _composed(spec, "phrases", file=file, path=p)]


def parse_lexicon(doc: Any, *, file: str) -> Lexicon:
    """A lexicon from its YAML document, validated; errors name the file and the field."""
    top = _mapping(doc, ("lexicon", "version", "sources", "variants", "groups", "allow",
                         "required_labels", "detectors", "context"), file=file, path="(top)")
    for key in ("lexicon", "version", "groups"):
        if key not in top:
            raise InputError(_("missing `%(key)s`") % {"key": key}, file=file, path=key)
    sources = parse_sources(top.get("sources") or {}, _failing(file))
    variants = {str(ch): _strings(v, file=file, path=f"variants.{ch}")
                for ch, v in _mapping(top.get("variants", {}), top.get("variants", {}) or (),
                                      file=file, path="variants").items()}
    terms: list[Term] = []
    expandable, pinyin = set(), set()
    if not isinstance(top["groups"], list):
        raise InputError(_("expected a list of term groups"), file=file, path="groups")
    for i, spec in enumerate(top["groups"]):
        group, group_terms, expand, with_pinyin = _group(spec, i, sources, file)
        terms.extend(group_terms)
        if expand:
            expandable.add(group)
        if with_pinyin:
            pinyin.add(group)
    allow = [ph for i, spec in enumerate(top.get("allow") or [])
             for ph in _phrases(spec, i, sources, file)]
    labels = []
    for i, spec in enumerate(top.get("required_labels") or []):
        p = f"required_labels[{i}]"
        spec = _mapping(spec, ("category", "label", "alternatives", *_PROV), file=file, path=p)
        if not spec.get("category") or not spec.get("label"):
            raise InputError(_("a required label needs `category` and `label`"), file=file, path=p)
        alternatives = (_strings(spec["alternatives"], file=file, path=f"{p}.alternatives")
                        if "alternatives" in spec else ())
        labels.append(RequiredLabel(str(spec["category"]), str(spec["label"]),
                                    provenance(spec, sources, file=file, path=p), alternatives))
    detectors, det_prov = _settings(top, "detectors", DETECTORS, sources, file)
    context, context_prov = _settings(top, "context", RULES, sources, file)
    return Lexicon(str(top["lexicon"]), str(top["version"]), tuple(terms), tuple(allow),
                   tuple(labels), detectors, det_prov, variants, frozenset(expandable),
                   frozenset(pinyin), context, context_prov)


def _settings(top: Mapping[str, Any], key: str, names: Sequence[str],
              sources: Mapping[str, Source],
              file: str) -> tuple[dict[str, Mapping[str, Any]], dict[str, str]]:
    """The ``detectors`` or ``context`` section: per name, its settings and its provenance."""
    settings: dict[str, Mapping[str, Any]] = {}
    prov: dict[str, str] = {}
    for name, spec in _mapping(top.get(key, {}), names, file=file, path=key).items():
        if not isinstance(spec, Mapping):
            raise InputError(_("expected a mapping"), file=file, path=f"{key}.{name}")
        prov[name] = provenance(spec, sources, file=file, path=f"{key}.{name}")
        settings[name] = {k: v for k, v in spec.items() if k not in _PROV}
    return settings, prov


def _apply_overrides(base: Lexicon, doc: Any, file: str) -> Lexicon:
    top = _mapping(doc, ("version", "sources", "add", "remove", "allow"), file=file,
                   path="(top)")
    # A user's override names its sources loosely (a title, or a mapping with one).
    sources = {str(k): Source(str(v.get("title") or v.get("file") or k))
               if isinstance(v, Mapping) else Source(str(v))
               for k, v in (top.get("sources") or {}).items()}
    terms = list(base.terms)
    expandable, pinyin = set(base.expandable), set(base.pinyin_groups)
    if top.get("remove") is not None:
        gone = {squeeze(t) for t in _strings(top["remove"], file=file, path="remove")}
        terms = [t for t in terms if squeeze(t.term) not in gone]
    for i, spec in enumerate(_list(top.get("add"), file, "add")):
        if isinstance(spec, Mapping) and not (set(spec) & set(_PROV)):
            spec = {**spec, "assumption": f"added by the user in {file}"}
        group, group_terms, expand, with_pinyin = _group(spec, i, sources, file, "add")
        terms.extend(group_terms)
        if expand:
            expandable.add(group)
        if with_pinyin:
            pinyin.add(group)
    allow = list(base.allow)
    for i, spec in enumerate(_list(top.get("allow"), file, "allow")):
        if isinstance(spec, str):
            spec = {"phrases": [spec]}
        if isinstance(spec, Mapping) and not (set(spec) & set(_PROV)):
            spec = {**spec, "assumption": f"allowed by the user in {file}"}
        allow.extend(_phrases(spec, i, sources, file))
    version = f"{base.version}+{top['version']}" if top.get("version") else f"{base.version}+user"
    return replace(base, version=version, terms=tuple(terms), allow=tuple(allow),
                   expandable=frozenset(expandable), pinyin_groups=frozenset(pinyin))


def _list(value: Any, file: str, path: str) -> Sequence[Any]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(_("expected a list"), file=file, path=path)
    return value


# libyaml's loader when PyYAML was built with it (it is, in the wheels): ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)
    except OSError as err:
        raise InputError(_("cannot read the file: %(reason)s")
                         % {"reason": os_reason(err)}, file=str(path)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(_("not valid YAML: %(value)s")
                         % {"value": getattr(err, 'problem', err)}, file=str(path),
                         path=f"line {mark.line + 1}" if mark else None) from None


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return parse_lexicon(_read_yaml(PACKAGED), file=str(PACKAGED))


def load_lexicon(path: str | Path | None = None,
                 overrides: Iterable[str | Path] = ()) -> Lexicon:
    """The packaged lexicon (or the one at ``path``), with override files applied in order."""
    lex = default_lexicon() if path is None else parse_lexicon(_read_yaml(Path(path)),
                                                                file=str(path))
    for extra in overrides:
        lex = lex.with_overrides(_read_yaml(Path(extra)), file=str(extra))
    return lex
