"""A subject's page shows the panels its pack has: documents with their costs; no score
chart for a pack without scores."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from zhili.rules import load_pack
from zhili.web import charts
from zhili.web.documents_view import cost


def test_documents_panel_lists_each_required_document_with_what_it_costs(console):
    client, _, _ = console
    html = client.get("/subjects/tg-00001").text
    panel = html[html.index('id="documents"'):html.index('id="sanctions"')]
    for doc in ("overseas_company_registration", "brand_authorisation_chain", "qc_report"):
        assert f'data-code="{doc}"' in panel
    pack = load_pack("tmall_global")
    expected = cost(pack, "qualification_missing_or_forged", dt.datetime.now(dt.UTC))
    assert "+" in expected  # points count up on Tmall Global: a failure adds them
    assert expected.replace("+", "&#43;") in panel or expected in panel


def test_no_score_card_for_a_pack_without_scores(console):
    client, _, _ = console
    assert not load_pack("wechat_store").scores
    html = client.get("/subjects/ws-00002").text
    assert 'id="scores"' not in html and 'id="sanctions"' in html


def test_month_labels_never_overlap_and_stay_inside_the_chart():
    end = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    for days in (20, 45, 200, 365, 800, 2000):
        start = end - dt.timedelta(days=days)
        for svg in (charts.line_chart([charts.Series("s", [(start, 1.0), (end, 2.0)])], [],
                                      start, end, low=0, high=3, title="t"),
                    charts.timeline([charts.Span("a lane", "x", start, None)], start, end,
                                    title="t")):
            xs = [float(x) for x in re.findall(r'class="axis month" x="([\d.]+)"', svg)]
            assert xs == sorted(xs)
            assert all(b - a >= charts.LABEL_WIDTH for a, b in itertools.pairwise(xs)), (days, xs)
            assert all(charts.LABEL_WIDTH / 2 <= x <= charts.WIDTH - charts.LABEL_WIDTH / 2
                       for x in xs), (days, xs)
