"""Every page of the console in both languages, in a real browser, judged by what a person
reads: the page is in the chosen language, no card is empty, no code word stands without its
name, and no two axis labels of a chart overlap. Each page is kept as a screenshot
(``artifacts/screenshots/LANG/NAME.png``, or under ``$ZHILI_SCREENSHOTS``) for a person to look
at; CI keeps the folder as an artifact."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LANGS = ("zh-CN", "en")
SCANNED = "全网最低价！三天瘦十斤，加薇❤信 abc_12345 领优惠"
HAN = re.compile(r"[\u4e00-\u9fff]")
# A code word: lower-case words joined by underscores (freeze_commission_withdrawal, band_8).
CODE_WORD = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
# Codes a person is meant to read as codes: commands and API fields shown in <code>, tooltips
# and ids are not visible text; what is left must be words.
VISIBLE_TEXT = """() => {
  const skip = new Set(['CODE', 'PRE', 'SCRIPT', 'STYLE', 'TITLE', 'TEXTAREA']);
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE || skip.has(node.tagName.toUpperCase())) return;
    if (node.closest('[data-allow-codes]')) return;
    for (const child of node.childNodes) walk(child);
  };
  walk(document.querySelector('main'));
  return out.join(' ');
}"""
EMPTY_CARDS = """() => [...document.querySelectorAll('section.card')].filter(card => {
  const heading = card.querySelector('h1, h2');
  const text = card.innerText.replace(heading ? heading.innerText : '', '').trim();
  return !text && !card.querySelector('svg, table, form, img');
}).map(card => card.id || card.className)"""
OVERLAPS = """() => {
  const found = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const frame = svg.getBoundingClientRect();
    for (const cls of ['month', 'value', 'band-label', 'legend', 'lane']) {
      const boxes = [...svg.querySelectorAll('text.' + cls)].map(t => t.getBoundingClientRect());
      boxes.forEach((a, i) => {
        if (a.left < frame.left - 0.5 || a.right > frame.right + 0.5)
          found.push(`${svg.getAttribute('aria-label')}: a ${cls} label leaves the chart`);
        boxes.slice(i + 1).forEach(b => {
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
            found.push(`${svg.getAttribute('aria-label')}: ${cls} labels overlap`);
        });
      });
    }
  }
  return found;
}"""


def folder() -> Path:
    root = Path(os.environ.get("ZHILI_SCREENSHOTS")
                or Path(__file__).resolve().parents[2] / "artifacts" / "screenshots")
    return root


@pytest.fixture(scope="module")
def signed_in(browser, demo_server):
    """One browser context per language, signed in as an admin."""
    base, built = demo_server
    contexts = {}
    for lang in LANGS:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale=lang,
                                      extra_http_headers={"Accept-Language": lang})
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith(base) else route.abort())
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=key]", built.admin_key)
        page.click("button[type=submit]")
        page.wait_for_url("**/subjects")
        contexts[lang] = page
    yield base, built, contexts
    for page in contexts.values():
        page.context.close()


def pages(built) -> list[tuple[str, str]]:
    """(name, path) of every kind of page, and one subject of each pack."""
    first = {}
    for sid, pack in built.subjects.items():
        first.setdefault(pack, sid)
    return [("subjects", "/subjects"),
            ("subjects-filtered", "/subjects?sanctioned=1&sort=fees&order=desc"),
            *[(f"subject-{pack}", f"/subjects/{sid}") for pack, sid in sorted(first.items())],
            ("appeals", "/appeals"), ("logistics", "/logistics?subject=ae-3c"),
            ("scan", "/scan"), ("shadows", "/shadows"),
            ("shadow", "/shadows/per-entry-fees"), ("not-found", "/no-such-page"),
            ("bad-as-of", "/subjects?as_of=yesterday")]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_reads_well(signed_in, lang):
    base, built, contexts = signed_in
    page = contexts[lang]
    shots = folder() / lang
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for name, path in [*pages(built), ("scan-result", "/scan")]:
        page.goto(base + path)
        if name == "scan-result":
            page.fill("textarea[name=text]", SCANNED)
            page.select_option("select[name=pack]", "wechat_channels")
            page.select_option("select[name=category]", "health_supplement")
            page.click("form.scan-form button[type=submit]")
            assert page.locator("#findings tbody tr").count() >= 2
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        if page.get_attribute("html", "lang") != lang:
            problems.append(f"{name}: page language {page.get_attribute('html', 'lang')}")
        heading = page.inner_text("main h1")
        if lang == "zh-CN" and not HAN.search(heading):
            problems.append(f"{name}: heading not in Chinese: {heading!r}")
        if lang == "en" and HAN.search(page.inner_text("header.top nav")):
            problems.append(f"{name}: Chinese in the English menu")
        codes = sorted(set(CODE_WORD.findall(page.evaluate(VISIBLE_TEXT))))
        if codes:
            problems.append(f"{name}: code words without their names: {codes}")
        empty = page.evaluate(EMPTY_CARDS)
        if empty:
            problems.append(f"{name}: empty cards {empty}")
        problems += [f"{name}: {p}" for p in page.evaluate(OVERLAPS)]
    assert not problems, "\n".join(problems)


def test_logistics_warnings_speak_the_pages_language(signed_in):
    """Early warnings are recorded as fields and said in the reader's language."""
    base, _, contexts = signed_in
    said = {}
    for lang, page in contexts.items():
        page.goto(f"{base}/logistics?subject=ae-3c")
        said[lang] = page.locator("#warnings li").all_inner_texts()
        assert said[lang], lang
    for text in said["zh-CN"]:
        assert HAN.search(text) and not re.search(r"\b(?:disputes?|orders?|more|bring)\b",
                                                  text), text
    for text in said["en"]:
        assert not HAN.search(text) and " in " in text, text


def test_the_language_switch_is_on_every_page_and_keeps_the_page(signed_in):
    base, _, contexts = signed_in
    page = contexts["zh-CN"]
    page.goto(f"{base}/logistics?subject=ae-3c")
    page.click("#lang-switch a[hreflang=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert "subject=ae-3c" in page.url and page.locator("#lines").count() == 1
    page.click("#lang-switch a[hreflang=zh-CN]")
    assert page.get_attribute("html", "lang") == "zh-CN"


def test_api_docs_render_offline(signed_in):
    base, _, contexts = signed_in
    page = contexts["en"]  # the context aborts every request that is not to this server
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 5
    page.screenshot(path=str(folder() / "en" / "docs.png"))
