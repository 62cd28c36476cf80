"""The language of a request (?lang=, cookie, Accept-Language, default) and the Jinja hook."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2 import DictLoader, Environment

from zhili.api import create_app
from zhili.i18n import _, install_jinja, use_language
from zhili.i18n.asgi import COOKIE, LanguageMiddleware
from zhili.store import open_store


@pytest.fixture
def app(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    app = FastAPI()
    app.add_middleware(LanguageMiddleware)

    @app.get("/sync")
    def sync() -> dict[str, str]:  # runs in a worker thread
        return {"title": _("Rule packs")}

    gates = {"en": asyncio.Event(), "zh-CN": asyncio.Event()}

    @app.get("/slow")
    async def slow(wait_for: str) -> dict[str, str]:
        gates["en" if wait_for == "zh-CN" else "zh-CN"].set()
        await asyncio.wait_for(gates[wait_for].wait(), 5)
        return {"title": _("Rule packs")}

    return app


def test_the_request_chooses_its_language(app):
    client = TestClient(app)
    assert client.get("/sync").json() == {"title": "规则包"}
    response = client.get("/sync", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.json() == {"title": "Rule packs"}
    assert response.headers["content-language"] == "en"
    assert COOKIE not in response.cookies
    # ?lang= wins over the browser and is remembered for the next pages.
    chosen = client.get("/sync?lang=zh", headers={"Accept-Language": "en"})
    assert chosen.json() == {"title": "规则包"}
    assert chosen.cookies[COOKIE] == "zh-CN"
    assert client.get("/sync", headers={"Accept-Language": "en"}).json() == {"title": "规则包"}
    client.cookies.set(COOKIE, "en")
    assert client.get("/sync").json() == {"title": "Rule packs"}
    # An unknown ?lang= or cookie value falls back to the next source rather than failing.
    client.cookies.set(COOKIE, "xx")
    assert client.get("/sync?lang=xx").json() == {"title": "规则包"}


def test_concurrent_requests_keep_their_own_language(app, run_async):
    async def both() -> list[str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            replies = await asyncio.gather(
                client.get("/slow?wait_for=zh-CN&lang=en"),
                client.get("/slow?wait_for=en&lang=zh-CN"))
        return [r.json()["title"] for r in replies]

    assert run_async(both()) == ["Rule packs", "规则包"]


def test_templates_translate_with_trans_blocks_and_calls(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    env = Environment(loader=DictLoader({"t.html": (
        '<html lang="{{ current_language() }}">{{ _("Rule packs") }}|'
        "{% trans %}  Rule\n packs {% endtrans %}|{{ languages['en'] }}</html>")}),
        autoescape=True)
    install_jinja(env)
    assert env.get_template("t.html").render() == '<html lang="zh-CN">规则包|规则包|English</html>'
    with use_language("en"):
        assert env.get_template("t.html").render() == (
            '<html lang="en">Rule packs|Rule packs|English</html>')


def test_console_pages_declare_their_language(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    client = TestClient(create_app(store=open_store("memory://")))
    assert '<html lang="zh-CN">' in client.get("/login").text
    english = client.get("/login?lang=en")
    assert '<html lang="en">' in english.text
    assert english.headers["content-language"] == "en"


def test_decisions_carry_their_notice_in_the_request_language(monkeypatch):
    from zhili.api.auth import create_key
    from zhili.engine import Subject

    monkeypatch.delenv("ZHILI_LANG", raising=False)
    store = open_store("memory://")
    store.put_subject("wechat_channels", Subject.from_mapping(
        "c1", {"kind": "creator", "deposit": 20000}))
    client = TestClient(create_app(store=store))
    key = {"Authorization": f"Bearer {create_key(store, 'admin')[1]}"}
    posted = client.post("/v1/events", headers=key, json=[{
        "id": "v1", "at": "2026-03-02 10:00", "type": "violation", "subject": "c1",
        "code": "false_health_claim", "item": "sku-9"}])
    assert posted.status_code == 200, posted.text

    def notices(**headers: str) -> list[str]:
        got = client.get("/v1/subjects/c1/decisions?as_of=2026-03-03T00:00:00%2B08:00",
                         headers={**key, **headers})
        assert got.status_code == 200, got.text
        return [d["explanation"]["notice"] for d in got.json()]

    assert "普通商品宣称保健功能：信用分 12 → 8（扣 4 分）" in notices()
    assert "Ordinary goods claiming health functions: Credit score 12 → 8 (−4)" in notices(
        **{"Accept-Language": "en"})
    signed_in = client.post("/login", data={"key": key["Authorization"].removeprefix("Bearer ")})
    assert signed_in.status_code == 200, signed_in.text
    page = client.get("/subjects/c1?as_of=2026-03-03%2000:00")
    assert page.status_code == 200
    assert "普通商品宣称保健功能：信用分 12 → 8（扣 4 分）" in page.text
