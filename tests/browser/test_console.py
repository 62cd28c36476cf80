"""The console in a real browser: every page renders, with Chinese text, and works offline."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, demo_server):
    base, _ = demo_server
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    external: list[str] = []
    # The console must need nothing from the internet: any non-loopback request is a defect.
    context.route("**/*", lambda route: (
        route.continue_() if route.request.url.startswith(base)
        else (external.append(route.request.url), route.abort())))
    page = context.new_page()
    yield page
    context.close()
    assert not external, f"the console reached outside: {external}"


def sign_in(page, base, key):
    page.goto(f"{base}/login")
    page.fill("input[name=key]", key)
    page.click("button[type=submit]")


def test_sign_in_is_required_and_a_bad_key_is_refused(page, demo_server):
    base, _ = demo_server
    page.goto(f"{base}/subjects")
    assert page.url.endswith("/login")
    sign_in(page, base, "zk_wrong")
    assert page.locator("p.error[role=alert]").count() == 1


def test_subjects_list_spans_every_pack(page, demo_server, shots):
    base, built = demo_server
    sign_in(page, base, built.admin_key)
    assert page.url.endswith("/subjects")
    cells = page.locator("#subjects tbody td[data-pack]")
    packs = {cells.nth(i).get_attribute("data-pack") for i in range(cells.count())}
    assert packs == set(built.packs)
    page.screenshot(path=str(shots / "subjects.png"), full_page=True)


def test_subject_page_charts_bands_sanctions_and_explanations(page, demo_server, shots):
    base, built = demo_server
    sign_in(page, base, built.admin_key)
    page.goto(f"{base}/subjects/xinghe-lulu")
    chart = page.locator("#scores svg.chart").first
    assert chart.locator("path.series").count() >= 1
    assert chart.locator("line.band").count() == 4  # the four credit bands of the pack
    assert page.locator("#sanctions svg rect.bar").count() >= 1
    assert page.locator("#violations article.violation").count() >= 3
    assert "Violations" in page.inner_text("#violations h2") or \
        "违规记录" in page.inner_text("#violations h2")
    page.screenshot(path=str(shots / "subject.png"), full_page=True)
    _chinese_glyphs_render(page)


def test_merchant_files_an_appeal_from_the_subject_page(page, demo_server, shots):
    base, built = demo_server
    sign_in(page, base, built.merchant_key)
    assert page.url.endswith(f"/subjects/{built.merchant}")
    before = page.locator("#appeals tbody tr").count()
    page.locator("button.appeal").first.click()
    page.wait_for_url(f"**/subjects/{built.merchant}*")
    assert page.locator("#appeals tbody tr").count() == before + 1
    assert page.locator("#appeals tbody [data-status=open]").count() >= 1
    page.goto(f"{base}/subjects/chen-kitchen")  # someone else's subject
    assert page.locator("#error").count() == 1


def test_appeal_queue_shows_sla_countdowns(page, demo_server, shots):
    base, built = demo_server
    sign_in(page, base, built.reviewer_key)
    page.goto(f"{base}/appeals")
    rows = page.locator("#queue tbody tr")
    assert rows.count() >= 2
    countdowns = page.locator("#queue td.countdown").all_inner_texts()
    urgencies = page.locator("#queue td.countdown").evaluate_all(
        "cells => cells.map(c => c.dataset.urgency)")
    assert set(urgencies) <= {"calm", "urgent", "overdue"} and all(countdowns), countdowns
    page.screenshot(path=str(shots / "appeals.png"), full_page=True)
    rows.first.locator("form[action$='/deny'] button").click()
    page.wait_for_url("**/appeals")
    assert page.locator("#queue tbody tr").count() == rows.count()  # one fewer after reload
    assert len(countdowns) - 1 == page.locator("#queue td.countdown").count()


def test_logistics_panel_charts_lines_against_the_threshold(page, demo_server, shots):
    base, built = demo_server
    sign_in(page, base, built.admin_key)
    page.goto(f"{base}/logistics?subject=ae-3c")
    lines = page.locator("#lines article.line")
    assert lines.count() == 3
    assert lines.first.locator("line.band").count() == 1  # the threshold
    assert page.locator("#warnings li").count() >= 1
    page.screenshot(path=str(shots / "logistics.png"), full_page=True)


def test_scan_page_highlights_findings(page, demo_server, shots):
    base, built = demo_server
    sign_in(page, base, built.admin_key)
    page.goto(f"{base}/scan")
    page.fill("textarea[name=text]", "全网最低价！三天瘦十斤，加薇❤信 abc_12345 领优惠")
    page.select_option("select[name=pack]", "wechat_channels")
    page.click("form.scan-form button[type=submit]")
    marks = page.locator("p.scanned mark.finding")
    assert marks.count() >= 2
    kinds = {m.get_attribute("data-finding") for m in marks.all()}
    assert {"off_platform_contact", "efficacy_promise"} <= kinds, kinds
    page.screenshot(path=str(shots / "scan.png"), full_page=True)


def _chinese_glyphs_render(page):
    """A CJK string must not fall back to empty boxes: its width equals that of real glyphs.

    Tofu boxes of a missing font are all one width, so two different strings of the same
    length measure alike; with a CJK font their widths follow the glyphs.
    """
    widths = page.evaluate("""() => {
        const c = document.createElement('canvas').getContext('2d');
        c.font = '20px ' + getComputedStyle(document.body).fontFamily;
        return [c.measureText('治理').width, c.measureText('xx').width];
    }""")
    assert widths[0] > widths[1] * 1.2, widths
