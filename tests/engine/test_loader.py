"""Pack loading: validation errors name the file, the path inside it and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhili.errors import PackError
from zhili.rules import load_pack, parse_param_assignment
from zhili.rules.params import number_in_quote

# Refusals are matched by their English text.
pytestmark = pytest.mark.usefixtures("english")

MINIMAL = """
pack: tiny
version: "1"
timezone: Asia/Shanghai
subject_kind: creator
sources:
  S1: {title: 测试规则, date: 2026-01-02}
scores:
  credit: {start: {value: 12, source: S1, quote: "初始分值 12 分"}, floor: {value: 0, assumption: "no floor is given"}}
rules:
  r1:
    meaning: test
    source: S1
    quote: "扣除信用分 4 分"
    deduct: {credit: 4}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_pack_loads_with_provenance(tmp_path: Path) -> None:
    pack = load_pack(str(write(tmp_path, MINIMAL)))
    param = pack.params["rules.r1.deduct.credit"]
    assert param.value == 4 and param.provenance.quote == "扣除信用分 4 分"
    assert pack.params["scores.credit.floor"].provenance.assumption == "no floor is given"


def test_a_number_without_provenance_is_an_error_naming_its_path(tmp_path: Path) -> None:
    text = MINIMAL.replace('    source: S1\n    quote: "扣除信用分 4 分"\n', "")
    with pytest.raises(PackError) as err:
        load_pack(str(write(tmp_path, text)))
    assert "pack.yaml" in str(err.value) and "rules.r1" in str(err.value)


def test_an_unknown_key_names_the_path_and_the_expected_keys(tmp_path: Path) -> None:
    text = MINIMAL.replace("deduct: {credit: 4}", "deduct: {credit: 4}\n    penalty: 3")
    with pytest.raises(PackError, match=r"rules\.r1\.penalty: unknown key; expected one of"):
        load_pack(str(write(tmp_path, text)))


def test_a_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    text = MINIMAL.replace("deduct: {credit: 4}", "deduct: {credit: four}")
    with pytest.raises(PackError, match=r"rules\.r1\.deduct\.credit: expected"):
        load_pack(str(write(tmp_path, text)))


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="line"):
        load_pack(str(write(tmp_path, MINIMAL + "\n  : [unclosed\n")))


def test_a_deduction_of_an_undefined_score(tmp_path: Path) -> None:
    text = MINIMAL.replace("deduct: {credit: 4}", "deduct: {karma: 4}")
    with pytest.raises(PackError, match="no such score"):
        load_pack(str(write(tmp_path, text)))


def test_overrides_replace_a_value_and_unknown_ones_are_refused() -> None:
    pack = load_pack("wechat_channels", {"rules.false_health_claim.deduct.credit": 6})
    param = pack.params["rules.false_health_claim.deduct.credit"]
    assert param.value == 6 and param.provenance.override
    assert load_pack("wechat_channels").params["rules.false_health_claim.deduct.credit"].value == 4
    with pytest.raises(PackError, match="unknown parameter"):
        load_pack("wechat_channels", {"rules.nope": 1})


def test_dated_values_apply_from_their_effective_date(tmp_path: Path) -> None:
    from zhili.timekit import parse_instant

    text = MINIMAL.replace("deduct: {credit: 4}", "deduct:\n      credit:\n        values:\n"
                           "          - {from: 2025-01-01, value: 4}\n"
                           "          - {from: 2027-01-01, value: 6}")
    param = load_pack(str(write(tmp_path, text))).params["rules.r1.deduct.credit"]
    assert param.at(parse_instant("2026-06-01 00:00")) == 4
    assert param.at(parse_instant("2027-01-01 00:00")) == 6


def test_unknown_pack_lists_the_available_ones() -> None:
    with pytest.raises(PackError, match="available: .*wechat_channels"):
        load_pack("nope")


def test_param_assignments_parse_values_as_yaml() -> None:
    assert parse_param_assignment("bands.fee_mode=per_entry") == ("bands.fee_mode", "per_entry")
    assert parse_param_assignment("a.b=6") == ("a.b", 6)
    with pytest.raises(PackError):
        parse_param_assignment("no-equals")


@pytest.mark.parametrize(("value", "quote", "found"), [
    (15, "冻结佣金账户 15 天", True), (0.5, "订单金额的 50%", True), (2, "二次违规", True),
    (1, "首次违规", True), (7, "冻结佣金账户 15 天", False),
])
def test_numbers_are_looked_for_in_their_quotes(value, quote, found) -> None:
    assert number_in_quote(value, quote) is found


def test_detector_thresholds_are_parameters_with_provenance(tmp_path: Path) -> None:
    text = MINIMAL + """detectors:
  source: S1
  quote: "纠纷率≥10%且纠纷订单量≥10单"
  line_nrd_rate: {rate: 0.10, min_count: 10}
  window_days: {value: 30, assumption: "the source names no window; 30 days"}
"""
    pack = load_pack(str(write(tmp_path, text)))
    assert pack.detectors["line_nrd_rate.rate"].value == 0.10
    assert pack.detectors["window_days"].provenance.assumption
    assert "detectors.line_nrd_rate.min_count" in pack.params
    pack = load_pack(str(write(tmp_path, text)), {"detectors.line_nrd_rate.min_count": 20})
    assert pack.detectors["line_nrd_rate.min_count"].value == 20
