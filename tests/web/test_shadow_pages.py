"""The shadow pages: the comparison over time, a subject's differences, admins only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from zhili.api import create_app
from zhili.api.auth import create_key
from zhili.histories import parse_history, read_yaml
from zhili.store import StateService, open_store
from zhili.timekit import parse_instant

ROOT = Path(__file__).resolve().parents[2]
NOW = parse_instant("2026-06-30 12:00")


@pytest.fixture(scope="module")
def site():
    raw = read_yaml(ROOT / "examples" / "history.yaml")
    raw.setdefault("pack", "wechat_channels")
    _, subjects, events = parse_history(raw, "history.yaml", "")
    store = open_store("memory://")
    for subject in subjects.values():
        store.put_subject("wechat_channels", subject)
    states = StateService(store)
    states.ingest(events, pack="wechat_channels")
    store.put_shadow("per-entry", "wechat_channels", {"params": {"bands.fee_mode": "per_entry"}},
                     NOW)
    app = create_app(store=store, states=states, clock=lambda: NOW)
    keys = {role: create_key(store, role, "lin_beauty" if role == "merchant" else None)[1]
            for role in ("admin", "reviewer", "merchant")}
    return app, keys


def signed_in(site, role: str) -> TestClient:
    app, keys = site
    client = TestClient(app)
    assert client.post("/login", data={"key": keys[role]},
                       follow_redirects=False).status_code == 303
    return client


def test_the_shadow_page_shows_where_it_diverges_over_time(site):
    client = signed_in(site, "admin")
    listed = client.get("/shadows")
    assert listed.status_code == 200 and 'href="/shadows/per-entry"' in listed.text
    assert "影子规则" in listed.text and "视频号" in listed.text
    page = client.get("/shadows/per-entry")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count('<svg class="chart"') == 2  # divergence and money over time
    assert "bands.fee_mode" in html and "per_entry" in html
    assert 'data-subject="zhao_snacks"' in html and 'data-subject="lin_beauty"' in html
    assert 'data-subject="wu_live"' not in html  # fares the same
    assert "/shadows/per-entry/subjects/zhao_snacks?as_of=" in html


def test_a_subjects_differences_are_one_click_away(site):
    client = signed_in(site, "admin")
    page = client.get("/shadows/per-entry/subjects/zhao_snacks?as_of=2026-06-30 12:00")
    assert page.status_code == 200, page.text
    assert page.text.count('class="violation difference') == 4
    assert "仅影子规则" in page.text and "bands.fee_mode" in page.text
    same = client.get("/shadows/per-entry/subjects/wu_live")
    assert same.status_code == 200 and "相同" in same.text


@pytest.mark.parametrize("role", ["reviewer", "merchant"])
def test_only_admins_see_shadows(site, role):
    client = signed_in(site, role)
    assert 'href="/shadows"' not in client.get("/appeals").text
    for path in ("/shadows", "/shadows/per-entry", "/shadows/per-entry/subjects/lin_beauty"):
        assert client.get(path).status_code == 403, path


def test_an_unknown_shadow_or_subject_is_404(site):
    client = signed_in(site, "admin")
    assert client.get("/shadows/nothing").status_code == 404
    assert client.get("/shadows/per-entry/subjects/nobody").status_code == 404


@pytest.mark.parametrize(("lang", "named"), [("zh-CN", "信用分档"), ("en", "Credit tiers")])
def test_the_causes_column_names_the_parameter_as_the_page_does(site, lang, named):
    """A subject's row says which parameter made it fare differently by the name the page's
    table of changes uses; the code stays in the tooltip."""
    import re

    html = signed_in(site, "admin").get("/shadows/per-entry",
                                        headers={"Accept-Language": lang}).text
    row = re.search(r'<tr data-subject="zhao_snacks">(.*?)</tr>', html, re.S)
    assert row is not None
    causes = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)[-1]
    assert f'<span title="bands.fee_mode" data-allow-codes>{named} · bands.fee_mode</span>' \
        in causes
    assert "<code>" not in causes
    changes = re.search(r'<td title="bands.fee_mode" data-allow-codes>(.*?)</td>', html)
    assert changes is not None and changes.group(1) == f"{named} · bands.fee_mode"


def test_a_value_that_is_a_word_is_explained_beside_it(site):
    html = signed_in(site, "admin").get("/shadows/per-entry").text
    assert "升入更高档位时补缴差额 (cumulative)" in html
    assert "每次进入档位都收取该档全额违约金 (per_entry)" in html
