"""Column declarations: cell parsers, header matching and row reading, without a workbook or a database."""

from __future__ import annotations

import datetime as dt

import pytest

from xuyi_desktop.exchange import columns as C
from xuyi_desktop.exchange.columns import CellError, Column, Layout

# --- parsers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
def test_blank(value: object) -> None:
    assert C.is_blank(value)


@pytest.mark.parametrize("value", [0, 0.0, "0", " x ", False])
def test_not_blank(value: object) -> None:
    assert not C.is_blank(value)


def test_text_collapses_white_space_and_reads_whole_numbers_without_point() -> None:
    assert C.plain_text("  盱眙县\u3000顺达 \n 运输 ") == "盱眙县 顺达 运输"
    assert C.plain_text(12.0) == "12"
    assert C.plain_text(12.5) == "12.5"


def test_text_length_limit_names_both_lengths() -> None:
    parse = C.text(4)
    assert parse("一二三四") == "一二三四"
    with pytest.raises(CellError) as err:
        parse("一二三四五")
    assert err.value.message_zh == "不能超过4个字符（实际5个）" and err.value.message_en


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91320830PYQLFT169T", "91320830PYQLFT169T"),
        ("９１３２０８３０ｐｙｑｌｆｔ１６９ｔ", "91320830PYQLFT169T"),  # full width, lower case
        (" 320830-1990 0101 1236 ", "320830199001011236"),
        (320830199001011, "320830199001011"),  # a 15-digit number survives Excel's 15 significant digits
    ],
)
def test_identifier_is_normalised(value: object, expected: str) -> None:
    assert C.identifier(value) == expected


@pytest.mark.parametrize("value", [320830199001011236, 3.2083019900101e17, 12.5])
def test_identifier_stored_as_a_number_that_lost_digits_is_refused(value: object) -> None:
    with pytest.raises(CellError, match="保存成了数字"):
        C.identifier(value)


@pytest.mark.parametrize("value", [True, " - "])
def test_identifier_that_is_not_one(value: object) -> None:
    with pytest.raises(CellError):
        C.identifier(value)


@pytest.mark.parametrize("value", [2024, 2024.0, "2024", "2024年", "2024年度", "２０２４年", " 2024 "])
def test_year_spellings(value: object) -> None:
    assert C.year(value) == 2024


@pytest.mark.parametrize(("value", "why"), [(dt.date(2024, 1, 1), "不是日期"), ("24", "四位"), (True, "四位"), (2024.5, "四位")])
def test_year_refusals(value: object, why: str) -> None:
    with pytest.raises(CellError, match=why):
        C.year(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(94.5, 94.5), (3, 3.0), ("94.5", 94.5), ("94.5分", 94.5), ("９４．５分", 94.5), ("1,234", 1234.0), (".5", 0.5), ("-3", -3.0)],
)
def test_number_with_its_unit(value: object, expected: float) -> None:
    assert C.number("分")(value) == expected


@pytest.mark.parametrize("value", ["九十", "94.5元", "1.2.3", True, ""])
def test_number_refusals(value: object) -> None:
    with pytest.raises(CellError, match="应为数字"):
        C.number("分")(value)


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2024, 3, 15),
        dt.datetime(2024, 3, 15, 9, 30),
        "2024-03-15",
        "2024/3/15",
        "2024.3.15",
        "2024年3月15日",
        "2024年3月15",
        "20240315",
        20240315,
        "２０２４－０３－１５",
        " 2024 - 03 - 15 ",
        45366,  # the Excel day number of 2024-03-15 (a date cell formatted as 常规)
        45366.0,
    ],
)
def test_date_spellings(value: object) -> None:
    assert C.date(value) == dt.date(2024, 3, 15)


@pytest.mark.parametrize("serial", [20000, 45292, 45366, 80000])
def test_excel_day_numbers_agree_with_openpyxl(serial: int) -> None:
    from openpyxl.utils.datetime import from_excel

    assert C.date(serial) == from_excel(serial).date()


@pytest.mark.parametrize("value", ["2024-02-30", "2024-13-01", "15/03/2024", "三月十五日", 19999, 1.5])
def test_date_refusals_say_how_to_write_it(value: object) -> None:
    with pytest.raises(CellError, match="请写成 2024-03-15"):
        C.date(value)


def test_choice_by_any_spelling_and_the_refusal_lists_the_options() -> None:
    parse = C.choice(lambda: {"A": "A", "AAA": "AAA", "A级": "A", "ＡＡＡ级".upper(): "AAA"}, "等级")
    assert parse(" a ") == "A"
    assert parse("ａ级") == "A"
    with pytest.raises(CellError) as err:
        parse("E")
    assert err.value.message_zh == "未知的等级：E（可填：A、AAA）"


def test_fold_choice() -> None:
    assert C.fold_choice(" ａ ａ级 ") == "AA级"


# --- headers -------------------------------------------------------------------------------------------------

LAYOUT = Layout(
    "测试",
    (
        Column("name", "单位名称", aliases=("名称", "行政相对人名称"), required=True),
        Column("identifier", "统一社会信用代码", aliases=("社会信用代码", "身份证号码"), parse=C.identifier, required=True),
        Column("score", "得分", parse=C.number("分")),
        Column("day", "日期", parse=C.date),
        Column("remark", "备注"),
    ),
)


@pytest.mark.parametrize(
    ("cell", "normal"),
    [("统一社会信用代码", "统一社会信用代码"), (" *单位名称： ", "单位名称"), ("得分（分）", "得分(分)"), ("※ Name ★", "name"), (None, "")],
)
def test_normalise_header(cell: object, normal: str) -> None:
    assert C.normalise_header(cell) == normal


def test_headers_in_any_order_with_aliases_notes_and_extra_columns() -> None:
    found = LAYOUT.match_headers(["序号", "社会信用代码", None, "行政相对人名称（全称）", "得分(分)", "所属乡镇"], row=3)
    assert found.row == 3
    assert found.by_field == {"identifier": [1], "name": [3], "score": [4]}
    assert found.unknown == ["序号", "所属乡镇"]
    assert found.headers == ["序号", "社会信用代码", "", "行政相对人名称（全称）", "得分(分)", "所属乡镇"]
    assert found.column_of("name") == 3 and found.column_of("day") is None


def test_two_columns_for_one_field_are_both_kept() -> None:
    found = LAYOUT.match_headers(["名称", "统一社会信用代码", "身份证号码"], row=1)
    assert found.by_field["identifier"] == [1, 2]


def test_find_header_skips_title_lines() -> None:
    rows = [["盱眙县交通运输局信用评价结果汇总表"], [None, "填报单位：执法大队"], ["单位名称", "统一社会信用代码", "得分"], ["x", "y", "1"]]
    found = LAYOUT.find_header(rows, first_row=1)
    assert found is not None and found.row == 3 and set(found.by_field) == {"name", "identifier", "score"}


def test_find_header_needs_two_known_columns() -> None:
    assert LAYOUT.find_header([["单位名称", "联系人"], ["甲", "乙"]]) is None


def test_missing_required_columns() -> None:
    found = LAYOUT.match_headers(["单位名称", "得分"], row=1)
    assert [c.field for c in LAYOUT.missing(found)] == ["identifier"]
    assert LAYOUT.missing(found, optional=["identifier"]) == []
    assert LAYOUT.column("score").header == "得分"


# --- rows ----------------------------------------------------------------------------------------------------

HEADER = LAYOUT.match_headers(["统一社会信用代码", "单位名称", "得分", "日期", "备注", "其他"], row=2)


def test_a_good_row_with_its_sources() -> None:
    row = LAYOUT.read_row(["91320830PYQLFT169T", "盱眙顺达运输有限公司", "94.5分", "2024/3/15", None, "x"], HEADER, 3)
    assert row is not None and not row.problems and not row.note
    assert row.values == {"identifier": "91320830PYQLFT169T", "name": "盱眙顺达运输有限公司", "score": 94.5,
                          "day": dt.date(2024, 3, 15)}
    assert row.source["name"] == 1 and row.source["remark"] == 4  # an empty cell still knows its column


def test_a_row_with_nothing_in_our_columns_is_skipped() -> None:
    assert LAYOUT.read_row([None, "  ", None, None, None, "只在其他列"], HEADER, 4) is None
    assert LAYOUT.read_row([], HEADER, 4) is None


def test_problems_name_the_column_and_point_at_the_cell() -> None:
    row = LAYOUT.read_row([None, "盱眙顺达运输有限公司", "九十分", "2024-02-30"], HEADER, 5)
    assert row is not None
    assert [(p.field, p.message_zh, p.column) for p in row.problems] == [
        ("identifier", "统一社会信用代码不能为空", 0),
        ("score", "得分：应为数字（收到：九十分）", 2),
        ("day", "日期：日期格式不正确（收到：2024-02-30），请写成 2024-03-15", 3),
    ]


def test_defaults_fill_what_the_sheet_leaves_empty() -> None:
    row = LAYOUT.read_row(["91320830PYQLFT169T", "甲", None], HEADER, 6, defaults={"day": dt.date(2025, 1, 1), "score": 60.0})
    assert row is not None and row.values["day"] == dt.date(2025, 1, 1) and row.values["score"] == 60.0


def test_a_note_line_under_the_table_is_not_parsed() -> None:
    note = LAYOUT.read_row([None, "注：本表由执法大队填报"], HEADER, 9, key_field="identifier")
    assert note is not None and note.note and note.values == {} and note.problems == []
    signed = LAYOUT.read_row([None, "填表人：张三", "审核人：李四"], HEADER, 10, key_field="identifier")
    assert signed is not None and signed.note
    # Without a key field the same line is a row with a missing identifier.
    plain = LAYOUT.read_row([None, "注：本表由执法大队填报"], HEADER, 9)
    assert plain is not None and not plain.note and plain.problems[0].field == "identifier"


def test_the_first_filled_of_two_columns_counts() -> None:
    header = LAYOUT.match_headers(["名称", "统一社会信用代码", "身份证号码"], row=1)
    person = LAYOUT.read_row(["张三", None, "320830199001011236"], header, 2)
    assert person is not None and person.values["identifier"] == "320830199001011236" and person.source["identifier"] == 2


def test_rows_numbers_rows_from_below_the_header() -> None:
    cells = [["91320830PYQLFT169T", "甲"], [None, None], ["91320830PYQLFT169T", "乙"]]
    parsed = list(LAYOUT.rows(cells, HEADER))
    assert [(r.row, r.values["name"]) for r in parsed] == [(3, "甲"), (5, "乙")]
