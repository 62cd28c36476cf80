"""Choosing the language: spellings, Accept-Language, the environment, per-context isolation."""

from __future__ import annotations

import asyncio
import threading

import pytest

from zhili.errors import InputError
from zhili.i18n import _, current_language, match_language, negotiate, use_language


@pytest.mark.parametrize(("value", "tag"), [
    ("zh-CN", "zh-CN"), ("zh_CN", "zh-CN"), ("zh", "zh-CN"), ("zh-Hans-CN", "zh-CN"),
    ("zh_CN.UTF-8", "zh-CN"), ("ZH-cn", "zh-CN"), ("en", "en"), ("en-GB", "en"),
    ("en_US.UTF-8", "en"), ("fr", None), ("", None), (None, None),
])
def test_spellings_people_use(value, tag):
    assert match_language(value) == tag


@pytest.mark.parametrize(("header", "tag"), [
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("fr-FR,fr;q=0.9,en;q=0.5,zh;q=0.7", "zh-CN"),  # weights, not order, decide
    ("de, en;q=0", None),  # q=0 means "not acceptable"
    ("fr, *;q=0.1", None),
    ("en;q=abc, zh", "zh-CN"),  # a malformed weight counts as unacceptable
    ("", None), (None, None),
])
def test_accept_language(header, tag):
    assert negotiate(header) == tag


def test_environment_then_default(monkeypatch):
    monkeypatch.setenv("ZHILI_LANG", "en_US.UTF-8")
    assert current_language() == "en"
    monkeypatch.setenv("ZHILI_LANG", "klingon")  # ignored here; the CLI refuses it
    assert current_language() == "zh-CN"
    monkeypatch.delenv("ZHILI_LANG")
    assert current_language() == "zh-CN"
    with use_language("en"):
        assert current_language() == "en"
        with use_language(None):
            assert current_language() == "en"
        with use_language("zh"):
            assert current_language() == "zh-CN"
        assert current_language() == "en"
    assert current_language() == "zh-CN"


def test_unknown_language_is_an_input_error(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    with pytest.raises(InputError, match="未知的语言 'fr'；可选：zh-CN, en"), \
            use_language("fr"):
        pass
    with use_language("en"), pytest.raises(
            InputError, match="unknown language 'fr'; expected one of zh-CN, en"), \
            use_language("fr"):
        pass


def test_each_thread_and_task_keeps_its_own_language(monkeypatch, run_async):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    barrier = threading.Barrier(2)
    seen: dict[str, str] = {}

    def read(lang: str) -> None:
        with use_language(lang):
            barrier.wait()  # both are inside their block at once
            seen[lang] = _("Rule packs")

    threads = [threading.Thread(target=read, args=(lang,)) for lang in ("en", "zh-CN")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"en": "Rule packs", "zh-CN": "规则包"}

    async def task(lang: str, gate: asyncio.Event, other: asyncio.Event) -> str:
        with use_language(lang):
            gate.set()
            await other.wait()
            return _("Rule packs")

    async def both() -> list[str]:
        a, b = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(task("en", a, b), task("zh", b, a))

    assert run_async(both()) == ["Rule packs", "规则包"]
