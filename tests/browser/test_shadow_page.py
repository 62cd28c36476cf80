"""The shadow page in a real browser: divergence over time as charts, and a subject's
differences one click away (the demo registers WeChat Channels' per-entry fees as a shadow)."""

from __future__ import annotations

import pytest

from .test_every_page import folder

pytestmark = pytest.mark.browser


def test_the_shadow_page_charts_divergence_and_opens_a_subjects_differences(browser,
                                                                            demo_server):
    base, built = demo_server
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN",
                                  extra_http_headers={"Accept-Language": "zh-CN"})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=key]", built.admin_key)
    page.click("button[type=submit]")
    page.wait_for_url("**/subjects")
    page.click("header.top nav a[href='/shadows']")
    page.click("a[href='/shadows/per-entry-fees']")
    assert page.locator("#over-time svg.chart").count() == 2
    assert page.locator("#over-time svg.chart path.series").count() == 6
    changed = int(page.inner_text("#summary .stat:nth-child(2) strong"))
    rows = page.locator("#subjects tbody tr[data-subject]")
    assert changed > 0 and rows.count() == changed
    shots = folder() / "zh-CN"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "shadow.png"), full_page=True)
    subject = rows.first.get_attribute("data-subject")
    counted = int(rows.first.locator("td").nth(5).inner_text())
    rows.first.locator("a").first.click()
    page.wait_for_url(f"**/shadows/per-entry-fees/subjects/{subject}**")
    differences = page.locator("#decisions article.difference")
    assert differences.count() == counted > 0
    assert "bands.fee_mode" in page.inner_text("#decisions")
    page.screenshot(path=str(shots / "shadow-subject.png"), full_page=True)
    context.close()
