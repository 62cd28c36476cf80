"""Platform names lead to their pack: the console's name in every language, the aliases kept
beside the packs, and the code; each name to one pack only."""

from __future__ import annotations

from zhili.platforms import PLATFORMS, names, pack_name, pack_of
from zhili.rules import available_packs


def test_every_bundled_pack_has_a_platform_and_its_names_lead_back_to_it():
    assert set(PLATFORMS) == set(available_packs())
    for code, known in names().items():
        assert code in known and len(known) >= 3
        assert all(pack_of(name) == code for name in known), code


def test_names_people_write():
    for written, code in [("微信视频号", "wechat_channels"), ("视频号", "wechat_channels"),
                          ("微信小店", "wechat_store"), ("拼多多跨境", "pinduoduo_global"),
                          ("天猫国际", "tmall_global"), ("抖音全球购", "douyin_global"),
                          ("速卖通", "aliexpress"), ("AliExpress", "aliexpress"),
                          (" ali express ", "aliexpress"), ("ＡＬＩＥＸＰＲＥＳＳ", "aliexpress"),
                          ("WeChat Channels", "wechat_channels"), ("京东", None)]:
        assert pack_of(written) == code, written


def test_the_console_names_a_pack_by_its_platform():
    from zhili.i18n import use_language

    with use_language("zh-CN"):
        assert pack_name("tmall_global") == "天猫国际"
    with use_language("en"):
        assert pack_name("tmall_global") == "Tmall Global"
    assert pack_name("my_own_pack") == "my_own_pack"


def test_the_documented_names_are_the_names_taken():
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "tables-governance.md").read_text("utf-8")
    documented = {code: {re.sub(r" \(.*\)$", "", n.strip()) for n in listed.split(", ")}
                  for code, listed in re.findall(r"^\| `(\w+)` \| (.+) \|$", doc, re.M)
                  if code in PLATFORMS}
    assert documented == {code: set(known) - {code} for code, known in names().items()}
