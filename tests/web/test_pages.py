"""The console's edges: pages (not JSON) for people, JSON for the API, nothing from a CDN."""

from __future__ import annotations

import re


def test_an_unknown_page_is_a_page_and_the_api_keeps_json(console):
    client, _, _ = console
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="error"' in page.text
    api = client.get("/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"


def test_favicon_is_served(console):
    client, _, _ = console
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")


def test_api_docs_load_their_assets_from_this_server(console):
    client, _, _ = console
    docs = client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_a_bad_as_of_is_answered_with_a_message(console):
    client, _, _ = console
    for path in ("/subjects?as_of=yesterday", "/subjects/wc-00000?as_of=2026-13-45"):
        page = client.get(path)
        assert page.status_code == 422 and "as_of" in page.text, path
    assert "yesterday" in client.get("/subjects?as_of=yesterday").text


def test_scan_offers_the_scanners_categories_and_refuses_others(console):
    client, _, _ = console
    from zhili.api.scanning import scan_categories

    form = client.get("/scan").text
    for category in scan_categories():
        assert f'<option value="{category}"' in form
    refused = client.post("/scan", data={"text": "全网最低价", "category": "spaceships"})
    assert refused.status_code == 422 and "spaceships" in refused.text


def test_scan_page_reads_reviews_for_contact_only(console):
    client, _, _ = console
    form = client.get("/scan").text
    assert '<option value="seller" selected' in form and '<option value="review"' in form
    text = "这是我买过最好的面霜，加我薇信abc_666"
    seller = client.post("/scan", data={"text": text}).text
    review = client.post("/scan", data={"text": text, "source": "review"}).text
    assert 'data-finding="extreme_word"' in seller
    assert 'data-finding="extreme_word"' not in review
    assert 'data-finding="off_platform_contact"' in review
    assert '<option value="review" selected' in review
    refused = client.post("/scan", data={"text": text, "source": "buyer"})
    assert refused.status_code == 422 and "buyer" in refused.text
