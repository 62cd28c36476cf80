"""The impact report in a real browser: opened from a file with every request outside it
refused, it shows its charts and speaks Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhili.cli import app

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_the_report_opens_offline_with_its_charts(browser, shots, tmp_path):
    out = tmp_path / "impact.html"
    result = CliRunner().invoke(app, [
        "impact", str(ROOT / "examples" / "history.yaml"), "--pack", "wechat_channels",
        "--as-of", "2026-06-30", "--param", "rules.false_health_claim.deduct.credit=8",
        "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    external: list[str] = []
    context.route("**/*", lambda route: (
        route.continue_() if route.request.url.startswith("file://")
        else (external.append(route.request.url), route.abort())))
    page = context.new_page()
    page.goto(out.as_uri())
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator("svg.bars rect").count() >= 4       # bars of both charts
    text = page.inner_text("body")
    assert "规则差异" in text and "各分档主体数" in text and "lin_beauty" in text
    page.screenshot(path=str(shots / "impact.png"), full_page=True)
    context.close()
    assert not external, f"the report reached outside: {external}"
