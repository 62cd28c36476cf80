"""Context rules and the normaliser's readings, each with cases both ways (a finding, and a
look-alike that is none). These are unit cases of the rules, not the evaluation set."""

from __future__ import annotations

import pytest

from zhili.detect.content import normalize, scan
from zhili.detect.content.lexicon import default_lexicon, parse_lexicon

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")


def kinds(text, **kw):
    return sorted({f.finding for f in scan(text, options={"allow_wechat_pay": True}, **kw)})


CASES = [
    # ordinal: 第一 + a measure word or punctuation counts; a rank does not
    ("第一本书送书签", []), ("点击第一页", []), ("第一，面料柔软；第二，版型好", []),
    ("第一位下单送礼", []), ("第一名顾客五折", []), ("这是我们第一家门店", []),
    ("我们是第一名的品牌", ["extreme_word"]), ("第一品牌", ["extreme_word"]),
    ("销量第一名", ["extreme_word"]), ("第12名", []),
    # titles and names
    ("《最好的我们》实体书", []), ("“最佳拍档”双人套餐", []), ("入住最佳西方酒店", []),
    ("我们是“全网第一”", ["extreme_word"]), ("全网最佳的面霜", ["extreme_word"]),
    ("极品之类的游戏", []), ("极品好茶", ["extreme_word"]),
    # places and designations
    ("威信县特产土豆", []), ("国家级湿地公园门票", []), ("国家级配方", ["extreme_word"]),
    ("加我威信", ["off_platform_contact"]),
    # negation and meta speech
    ("不愧是世界第一的供应商", ["extreme_word"]), ("不是世界第一", []),
    ("本品不能治疗疾病", []), ("治疗失眠", ["medical_claim"]), ("非平行进口", []),
    ("平行进口，价格低", ["parallel_import_claim"]), ("请勿私下交易", []),
    ("私下交易更便宜", ["off_platform_contact"]), ("不满意加微信", ["off_platform_contact"]),
    ("广告法规定不能说最好的", []), ("网传喝茶能治癌，不要相信", []),
    ("卖得最好的并非最好的", []), ("说是全城最好的酒店，名不副实", []),
    ("全城最好的酒店，名副其实", ["extreme_word"]),
    # aspiration, self-comparison and the goods' own best point
    ("我们一直追求做最好的产品", []), ("目标是成为行业第一", []), ("行业第一", ["extreme_word"]),
    ("本店最便宜的一款（与本店其他款比较）", []), ("最便宜的一款", ["extreme_word"]),
    ("最赞的是大床房", []), ("最好的一点是位置", []), ("最好的选择就是它", ["extreme_word"]),
    # styles
    ("治愈系插画本", []), ("治愈失眠", ["medical_claim"]),
    # model and order numbers
    ("型号vx600x", []), ("产品型号WX-3000A", []), ("型号：NO.1-A", []), ("销量NO.1", ["extreme_word"]),
    ("联系我查询订单号20241122001", []), ("联系我：1354321", ["off_platform_contact"]),
    ("加vx领券", ["off_platform_contact"]),
    # advice: 最好用 + what to use advises; + 的 / 了 / the end of a clause ranks
    ("最好用温水清洗", []), ("分区最好用diskgen分", []), ("这款最好用。", ["extreme_word"]),
    ("最好用的面霜", ["extreme_word"]), ("最好的办法是冷藏", []), ("最值得一提的是做工", []),
    # more ordinals: nights, boot order, a list of ranks
    ("第一晚住海景房", []), ("光驱第一启动", []), ("桂林第一第二老的", []),
    ("第一晚就卖爆的第一品牌", ["extreme_word"]),
    # titles in ASCII angle brackets; reported or mocked claims; a seller's aim
    ("<父母是孩子最好的医生>读后感", []), ("父母是孩子最好的医生", ["extreme_word"]),
    ("号称桂林第一的酒店", []), ("什么全球最大的商城，我呸！", []), ("全球最大的商城", ["extreme_word"]),
    ("柳州宾馆致力打造性价比最高的酒店", []), ("性价比最高的酒店", ["extreme_word"]),
    ("国家级的湿地公园", []), ("国家级的配方", ["extreme_word"]),
    # a series, a shop's own range or the goods' own colours compared among themselves
    ("tp系列里面性价比最高的", []), ("粉色最好看", []), ("性价比最高的笔记本", ["extreme_word"]),
    # a first choice: a kind of buyer's (a claim) or one person's own (none)
    ("客户来住的首选", ["extreme_word"]), ("4000元的首选", ["extreme_word"]),
    ("仍是我们的首选", []), ("一直是我的首选", []),
    # parallel imports compared, not claimed
    ("行货比水货贵一些", []), ("水货，价格低", ["parallel_import_claim"]),
    # a number named as an order number after it is not a QQ number
    ("请联系我。174208675是我的订单编号", []), ("联系我：174208675", ["off_platform_contact"]),
    # what a superlative describes: a place, a person, a time or the seller's own rooms (none),
    # or the goods, the shop, the hotel (a claim); the nearest noun decides
    ("去天津最好的皮肤病医院看病", []), ("楼下商场算济南最好的，不错", []), ("酒店最好的一栋楼", []),
    ("最高级的房间尚且如此", []), ("最好的时候入手", []), ("全国最好的医院", []),
    ("是济南最好的宾馆", ["extreme_word"]), ("这家店是济南最好的", ["extreme_word"]),
    ("全城最好的酒店附近的医院", ["extreme_word"]), ("最好的笔记本电脑", ["extreme_word"]),
    ("最繁华的地段", ["extreme_word"]),
    # a claim inside a question that doubts it; a question that presupposes it stays a claim
    ("排名第一是怎么排的？", []), ("凭什么说是最好的？我不信", []),
    ("为什么我们是销量第一？", ["extreme_word"]), ("销量第一，怎么样？", ["extreme_word"]),
    # medical words as the subject of a book, or of a way of thinking
    ("此书讲治病过程，神乎其神", []), ("诊病治病的思路", []), ("本品治疗失眠", ["medical_claim"]),
    ("治病效果好", ["medical_claim"]),
    # a typo of 第一次: 第一 + a verb of buying
    ("thinkpad也是第一买", []), ("第一品牌买一送一", ["extreme_word"]),
    # a place of the goods themselves stays a claim; a seller's thanks rank no goods
    ("位置在古城区最繁华的十全街上", ["extreme_word"]), ("步行就到最繁华的小吃一条街", []),
    ("您的满意是对我们最好的肯定", []), ("最好的面霜", ["extreme_word"]),
    # a term ending in 第一 read "for the first time"; a comma the squeezed view joined
    ("上网收费，这还是在国内第一碰到", []), ("接送服务，第一次听说", []),
    ("国内第一", ["extreme_word"]), ("服务第一", ["extreme_word"]),
    # a list: 第一是 …; an award named; a seller's hope; a doubt about a claim; a denial
    ("第一是热水不够", []), ("被评为当地的最佳婚宴餐厅", []), ("荣获全网销量第一", ["extreme_word"]),
    ("我们希望通过最优质的服务让您满意", []), ("如何确保是最实惠的价格？", []),
    ("应该是最好的宾馆，但我错了", []), ("最值得称赞的是服务", []),
    ("最值得购买的面霜", ["extreme_word"]),
    # one's own first-choice brand; a worst-of; an official star grade
    ("ThinkPad是我的首选品牌", []), ("首选品牌", ["extreme_word"]), ("史上最臭的喇叭", []),
    ("史上最强", ["extreme_word"]), ("泰安市唯一一家四星级酒店", []), ("唯一一家正品店", ["extreme_word"]),
    # required labels in their regulated wordings
    ("鱼油。保健食品不是药物，不能代替药物治疗疾病。", []),
    ("鱼油，本品不能替代药物", []), ("鱼油软胶囊", ["required_label_missing"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_context_rules_both_ways(text, expected):
    category = "health_supplement" if text.startswith("鱼油") else None
    assert kinds(text, category=category) == expected


@pytest.mark.parametrize("text", ["销量ＮＯ．１", "全网No1", "TOP1", "top 1", "TOP①", "第ー品牌",
                                  "最低低价", "全网第１"])
def test_variant_forms_of_extreme_words(text):
    assert kinds(text) == ["extreme_word"]


@pytest.mark.parametrize("text", ["加个V", "加薇", "+V：abc778899", "＋ｖ了解", "加卫星", "加绿泡泡",
                                  "🐧：88776655", "Q号：123456789", "⒱⒳：abc12345", "🅅🅇领券",
                                  "薇：shop8899", "关注公众号领券", "淘宝搜店铺“小林家居”更便宜",
                                  "去我们的京东店买有赠品", "拼夕夕同款更便宜"])
def test_contact_evasions_and_redirection(text):
    assert kinds(text) == ["off_platform_contact"]


@pytest.mark.parametrize(("text", "squeezed"), [
    ("最低低价", "最低价"), ("降血血压", "降血压"), ("一一", "11"), ("⒱⒳", "vx"), ("🅥", "v"),
    ("+V", "加v"), ("🐧", "🐧"), ("第ー", "第1"), ("❶❸", "13"), ("宝宝", "宝")])
def test_normaliser_readings(text, squeezed):
    norm = normalize(text)
    assert norm.squeezed == squeezed
    assert all(0 <= i < len(text) for i in norm.origin) and len(norm.origin) == len(squeezed)


def test_reviews_are_bound_by_contact_rules_only():
    text = "这是我买过最好的面霜，治好了我的痘痘，想要同款加我微信abc_666"
    seller = {f.finding for f in scan(text)}
    review = {f.finding for f in scan(text, source="review")}
    assert {"extreme_word", "medical_claim", "off_platform_contact"} <= seller
    assert review == {"off_platform_contact"}
    assert scan("鱼油软胶囊", category="health_supplement", source="review") == []
    with pytest.raises(ValueError, match="source"):
        scan("x", source="buyer")


def test_lexicon_has_thousands_of_terms_each_with_provenance():
    lex = default_lexicon()
    assert len(lex.terms) >= 5000
    assert all(t.provenance.startswith("assumption: ") or "」" in t.provenance
               for t in lex.terms)
    assert all(".txt" not in t.provenance for t in lex.terms)    # sources by title and date
    assert any(t.provenance.startswith("广告绝对化用语执法指南 (2023-02-25): 「") for t in lex.terms)
    assert set(lex.context) >= {"ordinal", "titles", "negation", "meta", "aspiration"}


def test_compose_generates_every_combination_and_is_validated():
    doc = {"lexicon": "t", "version": "1", "groups": [
        {"finding": "extreme_word", "assumption": "x", "compose": [["全网", "全国"], ["第一", "最低"]]}]}
    assert sorted(t.term for t in parse_lexicon(doc, file="t.yaml").terms) == [
        "全国最低", "全国第一", "全网最低", "全网第一"]
    doc["groups"][0]["compose"] = [["全网"]]
    with pytest.raises(Exception, match="at least two"):
        parse_lexicon(doc, file="t.yaml")


def test_packaged_pinyin_is_what_pypinyin_gives():
    from pypinyin import lazy_pinyin

    from zhili.detect.content.lexicon import _known_pinyin

    lex = default_lexicon()
    wanted = {t.term for t in lex.terms if t.group in lex.pinyin_groups}
    known = _known_pinyin()
    assert set(known) == wanted
    assert all(known[term] == "".join(lazy_pinyin(term)) for term in wanted)
