"""Search keys from a name: folded text, pinyin and its initials, the near-duplicate key."""

from __future__ import annotations

import pytest

from xuyi_desktop.domain.search_keys import fold, name_key, pinyin_keys


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ＡＢＣ（盱眙）物流", "abc盱眙物流"),  # full-width letters and brackets
        ("盱眙县 顺达·运输—有限公司", "盱眙县顺达运输有限公司"),  # spaces and punctuation dropped
        ("Xuyi Transport Co., Ltd.", "xuyitransportcoltd"),
        ("１２３号", "123号"),  # full-width digits
        ("", ""),
    ],
)
def test_fold_keeps_letters_and_digits_only(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_none_as_empty() -> None:
    assert fold(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("盱眙交通", "xuyijiaotong", "xyjt"),
        ("顺达", "shunda", "sd"),
        ("盱眙ABC物流", "xuyiabcwuliu", "xyabcwl"),  # latin letters are kept, each its own initial
        ("第3车队", "di3chedui", "d3cd"),
        ("（盱眙）", "xuyi", "xy"),
        ("", "", ""),
    ],
)
def test_pinyin_keys(name: str, full: str, initials: str) -> None:
    assert pinyin_keys(name) == (full, initials)


def test_pinyin_keys_ignore_width_and_case() -> None:
    assert pinyin_keys("ＡＢＣ盱眙") == pinyin_keys("abc盱眙")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("盱眙县顺达运输有限责任公司", "盱眙县顺达运输有限公司"),
        ("盱眙县顺达运输股份有限公司", "盱眙县顺达运输公司"),
        ("盱眙县顺达运输（有限公司）", "盱眙县 顺达运输"),
        ("盱眙县马坝农机合作社", "盱眙县马坝农机"),
    ],
)
def test_names_that_differ_in_legal_form_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_the_longest_legal_form_is_removed_not_a_shorter_one_inside_it() -> None:
    assert name_key("盱眙县顺达运输有限责任公司") == "盱眙县顺达运输"
    assert name_key("盱眙县顺达运输股份有限公司") == "盱眙县顺达运输"


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert name_key("公司") == "公司"
    assert name_key("厂") == "厂"


def test_different_names_keep_different_keys() -> None:
    assert name_key("盱眙县顺达运输有限公司") != name_key("盱眙县顺通运输有限公司")
    assert name_key("盱眙县加油站") == "盱眙县加油"  # 站 is a legal-form-like suffix too


def test_pinyin_keys_converting_each_segment_once_gives_what_lazy_pinyin_gives_for_the_whole_name() -> None:
    """pinyin_keys converts each segment of a name once per process (issue 17); polyphones decided by the phrase
    they stand in (重庆, 银行, 长沙, 朝阳, 单县) must come out as pypinyin says for the whole name."""
    from pypinyin import Style, lazy_pinyin

    from xuyi_desktop.domain.search_keys import fold, pinyin_keys

    names = ["重庆长安汽车运输有限公司", "长沙银行", "朝阳区行政服务中心", "盱眙县交通运输局", "银行行长", "乐清市音乐学校",
             "单县单氏运输", "ABC运输（盱眙）有限公司", "Ｘ１２号", "重重叠叠", "的士的确", "会计会议", "蚌埠", "六安市",
             "厦门航空", "曾经曾家", "测试运输有限公司000123", "长江航运", "行行行", "", "ａ"]
    for name in names + names:  # the second pass is answered from the caches
        syllables = lazy_pinyin(fold(name), style=Style.NORMAL, errors=lambda chars: list(chars))
        assert pinyin_keys(name) == ("".join(syllables), "".join(s[0] for s in syllables if s)), name
