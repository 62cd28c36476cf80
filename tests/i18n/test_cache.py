"""Compiled catalogs are cached under the hash of their source, never read stale."""

from __future__ import annotations

import pytest

from zhili.i18n import catalogs


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv(catalogs.CACHE_ENV, str(tmp_path))
    catalogs.translations.cache_clear()
    yield tmp_path / "i18n"
    catalogs.translations.cache_clear()


def test_the_first_use_compiles_and_caches_later_uses_read_the_cache(fresh, monkeypatch):
    assert catalogs.translations("zh-CN").gettext("Rule packs") == "规则包"
    [cached] = fresh.glob("zhili-zh_CN-*.mo")
    catalogs.translations.cache_clear()

    def refuse(source: bytes, locale: str) -> bytes:
        raise AssertionError("compiled again although the cache holds this source")

    monkeypatch.setattr(catalogs, "compile_po", refuse)
    assert catalogs.translations("zh-CN").gettext("Rule packs") == "规则包"
    assert list(fresh.glob("*.part")) == []
    assert cached.exists()


def test_a_damaged_or_unwritable_cache_is_compiled_around(fresh, monkeypatch):
    catalogs.translations("zh-CN")
    [cached] = fresh.glob("zhili-zh_CN-*.mo")
    cached.write_bytes(b"not a catalog")
    catalogs.translations.cache_clear()
    assert catalogs.translations("zh-CN").gettext("Rule packs") == "规则包"
    blocked = fresh.parent / "file"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv(catalogs.CACHE_ENV, str(blocked))
    catalogs.translations.cache_clear()
    assert catalogs.translations("zh-CN").gettext("Rule packs") == "规则包"


def test_an_edited_catalog_gets_a_new_cache_entry(fresh, tmp_path, monkeypatch):
    catalogs.translations("zh-CN")
    po = catalogs.catalog_path("zh-CN")
    assert po is not None
    edited = tmp_path / "zhili.po"
    edited.write_bytes(po.read_bytes().replace("msgstr \"规则包\"".encode(),
                                               "msgstr \"规则集\"".encode()))
    monkeypatch.setattr(catalogs, "catalog_path", lambda tag: edited)
    catalogs.translations.cache_clear()
    assert catalogs.translations("zh-CN").gettext("Rule packs") == "规则集"
    assert len(list(fresh.glob("zhili-zh_CN-*.mo"))) == 2
