"""The catalogs cover the code: every msgid in Python and the templates has a zh-CN translation,
with nothing fuzzy, obsolete or left over, and the same placeholders as its msgid."""

from __future__ import annotations

from babel.messages.catalog import Catalog

from zhili.i18n import N_, _, ngettext, use_language
from zhili.i18n.catalogs import translations
from zhili.i18n.tooling import extract, problems, read


def test_every_message_has_a_chinese_translation():
    template = extract()
    assert len(template) > 0, "extraction found no messages: babel.cfg does not match the tree"
    assert problems(read("zh-CN"), template) == []


def test_problems_names_what_is_missing_fuzzy_obsolete_and_left_over():
    template = Catalog()
    template.add("Rule packs", locations=[("cli.py", 3)])
    template.add("Fees %(n)s", locations=[("cli.py", 4)])
    template.add("Held", locations=[("cli.py", 5)])
    catalog = Catalog(locale="zh_CN")
    catalog.add("Fees %(n)s", "费用 %(m)s", flags=["python-format"])
    catalog.add("Held", "冻结", flags=["fuzzy"])
    catalog.add("Gone", "旧")
    catalog.obsolete["Older"] = catalog.get("Gone")
    found = problems(catalog, template)
    assert "untranslated: 'Rule packs' (cli.py:3)" in found
    assert "fuzzy: 'Held'" in found
    assert "no longer used: 'Gone'" in found
    assert "obsolete: 'Gone'" in found
    assert any(p.startswith("placeholders of 'Fees %(n)s'") for p in found)


def test_zh_cn_is_the_default_and_english_is_the_msgid(monkeypatch):
    monkeypatch.delenv("ZHILI_LANG", raising=False)
    assert _("Rule packs") == "规则包"
    with use_language("en"):
        assert _("Rule packs") == "Rule packs"
    # A message the catalog does not know reads as its English msgid rather than failing.
    assert _("no such message, ever") == "no such message, ever"
    assert N_("Rule packs") == "Rule packs"


def test_plural_forms_follow_each_language():
    with use_language("en"):
        assert ngettext("%(n)d rule", "%(n)d rules", 1) == "%(n)d rule"
        assert ngettext("%(n)d rule", "%(n)d rules", 2) == "%(n)d rules"
    # Chinese has one form; the gettext plural rule of the catalog's header says so.
    assert translations("zh-CN").plural(1) == translations("zh-CN").plural(5) == 0
