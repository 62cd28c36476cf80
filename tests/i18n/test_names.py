"""Every code a person sees has a Chinese and an English name, and the loaders check them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zhili.documents.registry import load_registry, parse_registry
from zhili.errors import InputError, PackError
from zhili.i18n import use_language
from zhili.rules import available_packs, load_pack, pack_dir
from zhili.rules.names import missing


@pytest.mark.parametrize("code", available_packs())
def test_every_code_a_pack_uses_has_both_names(code):
    pack = load_pack(code)
    assert missing(pack) == [], f"{code}: codes without names"
    for kind, entries in pack.names.items():
        for name in entries.values():
            assert name.zh != name.en, f"{code}: names.{kind}.{name.code} is not translated"


def test_every_document_type_and_category_has_both_names():
    registry = load_registry()
    used = registry.used_codes()
    assert used["doc_types"] and used["categories"]
    for kind, codes in used.items():
        assert sorted(codes - set(registry.names.get(kind, {}))) == [], kind


def test_a_name_reads_in_the_current_language_with_its_code_beside_it(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    pack = load_pack("wechat_channels")
    name = pack.name("sanctions", "suspend_new_listings")
    assert str(name) == "暂停橱窗新增商品"
    assert name.labelled() == "暂停橱窗新增商品 (suspend_new_listings)"
    with use_language("en"):
        assert str(name) == "New showcase listings suspended"
        assert f"{pack.name('bands', 'band_8')}" == "4-point tier"
    # A code nothing names reads as itself rather than disappearing.
    assert str(pack.name("sanctions", "no_such_kind")) == "no_such_kind"
    assert pack.name("sanctions", "no_such_kind").labelled() == "no_such_kind"


def _pack_with_names(tmp_path: Path, names: object) -> Path:
    doc = yaml.safe_load((pack_dir("wechat_store") / "pack.yaml").read_text(encoding="utf-8"))
    doc["names"] = names
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder / "pack.yaml"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("names", "path", "message"), [
    ({"rules": {"drop_shipping": {"zh": "Drop shipping", "en": "Drop shipping"}}},
     "names.rules.drop_shipping.zh", "expected the Chinese name"),
    ({"rules": {"drop_shipping": {"zh": "无货源经营", "en": " "}}},
     "names.rules.drop_shipping.en", "expected the English name"),
    ({"rules": {"drop_shipping": {"zh": "无货源经营"}}},
     "names.rules.drop_shipping", "expected {zh: Chinese name, en: English name}"),
    ({"rulez": {}}, "names.rulez", "unknown kind"),
    ({"rules": {"no_such_rule": {"zh": "无", "en": "None"}}},
     "names.rules.no_such_rule", "no such rule in this pack"),
])
def test_the_pack_loader_refuses_bad_names(tmp_path, names, path, message):
    file = _pack_with_names(tmp_path, names)
    with pytest.raises(PackError) as err:
        load_pack(str(file))
    assert str(file) in str(err.value) and path in str(err.value)
    assert message in str(err.value)


@pytest.mark.usefixtures("english")
def test_the_registry_refuses_a_name_no_requirement_uses():
    from zhili.documents.registry import REGISTRY_FILE

    doc = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    doc["names"]["doc_types"]["passport"] = {"zh": "护照", "en": "Passport"}
    with pytest.raises(InputError, match="names.doc_types.passport: no requirement uses"):
        parse_registry(doc)


def test_the_console_looks_each_name_up_once_per_language(monkeypatch):
    from zhili import rules
    from zhili.web.names import name

    with use_language("zh-CN"):
        zh = name("sanction", "suspend_new_listings", "wechat_channels")
    with use_language("en"):
        en = name("sanction", "suspend_new_listings", "wechat_channels")
    assert (zh, en) == ("暂停橱窗新增商品", "New showcase listings suspended")

    def listing_again() -> list[str]:
        raise AssertionError("the pack folder was listed again")

    monkeypatch.setattr(rules, "available_packs", listing_again)
    with use_language("zh-CN"):
        assert name("sanction", "suspend_new_listings", "wechat_channels") == zh
    with use_language("en"):
        assert name("sanction", "suspend_new_listings", "wechat_channels") == en
