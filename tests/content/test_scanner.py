"""Scanner behaviour: offsets into the original, evasions, context rules, lexicon overrides."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhili.detect.content import load_lexicon, normalize, scan
from zhili.detect.content.lexicon import default_lexicon, parse_lexicon
from zhili.errors import InputError

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")


def kinds(text, **kw):
    return [(f.finding, f.text) for f in scan(text, **kw)]


def test_finding_points_into_the_original_text():
    text = "限时！加 薇❤信：abc_123，電話 ①③⑧-㊀㊁３４ 5678"
    found = scan(text)
    assert found, "expected findings"
    for f in found:
        assert text[f.start:f.end] == f.text
    terms = {f.term for f in found}
    assert {"<wechat_id>", "<mobile_number>"} <= terms
    assert terms & {"微信", "加薇信"}          # the longest contact term there
    mobile = next(f for f in found if f.term == "<mobile_number>")
    assert mobile.text == "①③⑧-㊀㊁３４ 5678"
    assert all((f.provenance.startswith("assumption: ") or "」" in f.provenance) for f in found)


@pytest.mark.parametrize("text", ["微 信", "微-信", "微💬信", "薇信", "威信", "V信", "vx", "weixin",
                                  "Wei Xin", "ＷＥＩＸＩＮ", "徽信", "微。信"])
def test_wechat_evasions(text):
    assert ("off_platform_contact" in {f.finding for f in scan(f"加{text}联系")})


@pytest.mark.parametrize("text", ["13812345678", "一三八一二三四五六七八", "①③⑧①②③④⑤⑥⑦⑧",
                                  "１３８１２３４５６７８", "138-1234-5678", "壹叁捌壹贰叁肆伍陆柒捌",
                                  "138，1234，5678", "+86 13812345678"])
def test_mobile_number_in_other_digit_forms(text):
    assert [f.term for f in scan(f"电话{text}")] == ["<mobile_number>"]


@pytest.mark.parametrize("text", [
    "订单号：13812345678901", "订单号 13812345678", "2025-11-22 13:00", "原价199.00，现价139.00",
    "已售12345件", "QQ糖软软的", "TV信号", "最近上新", "最后一件", "第一次购买", "牛皮纸信封",
    "保质期12个月，美白保湿", "7天无理由", "最佳食用期7天", "益智玩具"])
def test_ordinary_copy_is_not_a_finding(text):
    assert scan(text) == []


def test_wechat_pay_is_allowed_only_with_the_pack_option():
    assert scan("支持微信支付", options={"allow_wechat_pay": True}) == []
    assert kinds("支持微信支付") == [("off_platform_contact", "微信")]


def test_category_decides_category_bound_terms_and_labels():
    assert scan("宝宝益智米粉") == []
    assert kinds("宝宝益智米粉", category="infant_food") == [("infant_food_claim", "益智")]
    assert kinds("辅助降血脂", category="food") == [("medical_claim", "降血脂")]
    assert scan("辅助降血脂。本品不能替代药物", category="health_supplement") == []
    assert scan("用于治疗感冒", category="medicine") == []
    missing = scan("鱼油软胶囊", category="health_supplement")
    assert [(f.finding, f.start, f.end, f.text, f.term) for f in missing] == [
        ("required_label_missing", 0, 0, "", "本品不能替代药物")]


def test_longest_term_wins_within_one_finding():
    assert kinds("最优质的茶") == [("extreme_word", "最优质")]


def test_efficacy_with_time_and_quantity():
    assert kinds("三天瘦十斤") == [("efficacy_promise", "三天瘦十斤")]
    assert kinds("一周美白") == [("efficacy_promise", "一周美白")]


def test_overrides_add_remove_and_allow(tmp_path):
    lex = default_lexicon().with_overrides({
        "add": [{"finding": "extreme_word", "terms": ["爆款之王"]}],
        "remove": ["顶级"],
        "allow": ["全网第一时间"],
    }, file="mine.yaml")
    assert kinds("爆款之王", lexicon=lex) == [("extreme_word", "爆款之王")]
    assert scan("顶级牛皮", lexicon=lex) == []
    assert scan("全网第一时间发货", lexicon=lex) == []
    assert lex.version.endswith("+user")
    added = next(t for t in lex.terms if t.term == "爆款之王")
    assert added.provenance == "assumption: added by the user in mine.yaml"
    path = tmp_path / "extra.yaml"
    path.write_text("remove: [全网第一]\n", encoding="utf-8")
    assert all(t.term != "全网第一" for t in load_lexicon(overrides=[path]).terms)


@pytest.mark.parametrize("doc, message", [
    ({"lexicon": "x", "version": "1", "groups": [{"finding": "nope", "terms": ["a"],
                                                    "assumption": "y"}]}, "expected a finding"),
    ({"lexicon": "x", "version": "1", "groups": [{"finding": "extreme_word", "terms": ["a"]}]},
     "missing provenance"),
    ({"lexicon": "x", "version": "1", "groups": [{"finding": "extreme_word", "terms": ["！"],
                                                    "assumption": "y"}]}, "letters or digits"),
    ({"lexicon": "x", "groups": []}, "missing `version`"),
])
def test_bad_lexicon_is_a_clear_error(doc, message):
    with pytest.raises(InputError, match=message) as err:
        parse_lexicon(doc, file="lex.yaml")
    assert "lex.yaml" in str(err.value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("微信加薇vx最佳第一次13８①二 -，。💬治疗免税AbC")), max_size=40))
def test_offsets_always_slice_the_original(text):
    for f in scan(text, category="health_supplement"):
        assert 0 <= f.start <= f.end <= len(text)
        assert text[f.start:f.end] == f.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalisation_maps_every_kept_character_back(text):
    norm = normalize(text)
    assert len(norm.folded) == len(text)
    assert len(norm.origin) == len(norm.squeezed)
    assert list(norm.origin) == sorted(set(norm.origin))
