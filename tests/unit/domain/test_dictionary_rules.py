"""domain/dictionaries.py: the rules of one entry, the starter file, the fixed ids, the suggested 处罚内容."""

from __future__ import annotations

import pytest

from xuyi_desktop.domain import dictionaries as d
from xuyi_desktop.paths import resource_path


def _valid_uscc() -> str:
    from xuyi_desktop.domain.identifiers import uscc_check_char

    first17 = "11320830MB0000003"
    return first17 + uscc_check_char(first17)


def test_kinds_are_named_by_code_or_label() -> None:
    assert d.kind_of("township") is d.kind_of("乡镇（街道）") is d.KINDS["township"]
    with pytest.raises(KeyError):
        d.kind_of("colours")


def test_an_entry_is_checked_field_by_field() -> None:
    organ = d.KINDS["organ"]
    values, problems = d.check_entry(organ, {"unit": "执法大队", "name": "盱眙县交通运输局", "code": " " + _valid_uscc().lower(),
                                             "source_name": "盱眙县交通运输局"})
    assert not problems and values["code"] == _valid_uscc() and values["source_code"] == ""
    _, problems = d.check_entry(organ, {"unit": "执法大队", "name": "x", "source_name": "y", "code": _valid_uscc()[:-1] + "0"})
    assert [p.field for p in problems] == ["code"]
    _, problems = d.check_entry(d.KINDS["township"], {"name": "马坝镇", "code": "320831100000"})
    assert [p.field for p in problems] == ["code"] and "320830" in problems[0].message_zh
    values, problems = d.check_entry(d.KINDS["township"], {"name": "马坝镇", "code": "３２０８３０１００００0"})  # full-width
    assert not problems and values["code"] == "320830100000"
    _, problems = d.check_entry(d.KINDS["power_item"], {"category": "奖励", "name": "x", "legal_basis": "y", "colour": "z"})
    assert {p.field for p in problems} == {"category", "colour"}
    _, problems = d.check_entry(d.KINDS["power_item"], {"category": "许可", "name": "x", "legal_basis": "y", "publicity_class": "一般"})
    assert [p.field for p in problems] == ["publicity_class"]
    _, problems = d.check_entry(d.KINDS["licence_type"], {})
    assert [p.field for p in problems] == ["name"]


def test_what_makes_two_entries_the_same_and_the_fixed_ids() -> None:
    assert d.entry_key("organ", {"unit": "盱眙县交通运输局", "name": "a"}) == d.entry_key("organ", {"unit": "盱眙县交通运输局", "name": "b"})
    assert d.entry_key("power_item", {"category": "处罚", "name": "x"}) != d.entry_key("power_item", {"category": "许可", "name": "x"})
    one = d.starter_id("township", {"name": "马坝镇"})
    assert one == d.starter_id("township", {"name": " 马坝镇 ", "code": "320830100000"})
    assert one != d.starter_id("township", {"name": "官滩镇"})


def test_the_shipped_starter_file_is_whole_and_marked() -> None:
    text = resource_path("dictionaries", "starter.toml").read_text(encoding="utf-8")
    entries = d.parse_starter(text, "starter.toml")
    kinds = [k.code for k, _ in entries]
    assert kinds.count("township") == 14 and kinds.count("organ") == 4 and kinds.count("power_item") == 14
    assert "待核实" in text[:400]  # the file says what its entries are
    with pytest.raises(d.StarterFileError, match="第2条重复"):
        d.parse_starter('[[township]]\nname = "马坝镇"\n[[township]]\nname = "马坝镇"\n', "t")
    with pytest.raises(d.StarterFileError, match="未知的字典种类"):
        d.parse_starter('[[colour]]\nname = "红"\n', "t")


@pytest.mark.parametrize(("categories", "amount", "said"), [
    ("罚款", "0.2", "罚款人民币2000元"),
    ("罚款；警告", "０.０５", "罚款人民币500元；警告"),
    ("警告", "", "警告"),
    ("罚款", "", ""),
    ("罚款", "NaN", ""),
    ("罚款", "0", ""),
    ("", "1", ""),
])
def test_the_suggested_content(categories: str, amount: str, said: str) -> None:
    assert d.suggested_content(categories, amount) == said
