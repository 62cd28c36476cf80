"""The labelled evaluation set: precision and recall per finding, printed and asserted ≥ 0.95.

Texts are scanned as on a WeChat pack (``allow_wechat_pay``), so "支持微信支付" is a negative.
Run with ``-s`` to see the table; it is also attached to the test report on failure.
"""

from __future__ import annotations

from pathlib import Path

from zhili.detect.content import FINDINGS, scan

EVAL_SET = Path(__file__).with_name("eval_set.tsv")
TARGET = 0.95


def _rows() -> list[tuple[set[str], str | None, str]]:
    rows = []
    for n, line in enumerate(EVAL_SET.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        labels, category, text = line.split("\t")
        expected = set() if labels == "-" else set(labels.split(","))
        assert expected <= set(FINDINGS), f"line {n}: unknown label"
        rows.append((expected, None if category == "-" else category, text))
    return rows


def test_eval_set_has_at_least_400_texts_with_positives_and_negatives():
    rows = _rows()
    assert len(rows) >= 400
    assert sum(1 for e, _, _ in rows if not e) >= 150
    for finding in FINDINGS:
        assert sum(1 for e, _, _ in rows if finding in e) >= 15, finding


def test_precision_and_recall_per_finding():
    rows = _rows()
    got = [{f.finding for f in scan(text, category=cat, options={"allow_wechat_pay": True})}
           for _, cat, text in rows]
    lines = [f"{'finding':<24}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}"]
    failures = []
    for finding in FINDINGS:
        tp = sum(1 for (e, _, _), g in zip(rows, got, strict=True) if finding in e and finding in g)
        fp = sum(1 for (e, _, _), g in zip(rows, got, strict=True)
                 if finding not in e and finding in g)
        fn = sum(1 for (e, _, _), g in zip(rows, got, strict=True)
                 if finding in e and finding not in g)
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        lines.append(f"{finding:<24}{tp:>5}{fp:>5}{fn:>5}{precision:>11.3f}{recall:>8.3f}")
        if precision < TARGET or recall < TARGET:
            failures.append(finding)
    wrong = [f"  expected {sorted(e)} got {sorted(g)}: {text}"
             for (e, _, text), g in zip(rows, got, strict=True) if e != g]
    report = "\n".join(lines + ["texts where the scan disagrees with the label:", *wrong])
    print("\n" + report)
    assert not failures, report
