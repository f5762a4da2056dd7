"""The pure parts of printing/layout.py: GB/T 9704 geometry, break opportunities, clusters, line breaking and
the paragraph flowable's page split. Measuring needs the shipped font's metrics; nothing is drawn here (the
PDFs themselves are checked in tests/integration/test_printing.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from reportlab.lib.units import mm

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.fonts import register_fonts


@pytest.fixture(scope="module")
def fonts():  # type: ignore[no-untyped-def]
    return register_fonts()


@pytest.fixture(scope="module")
def small(fonts) -> L.TextStyle:  # type: ignore[no-untyped-def]
    """10 pt, no letter spacing: every CJK character is exactly 10 pt wide."""
    return L.TextStyle(fonts.body.name, 10, 14, "justify")


# --- geometry -------------------------------------------------------------------------------------------------


def test_gb9704_page_geometry_in_millimetres() -> None:
    assert (round(L.PAGE_WIDTH / mm), round(L.PAGE_HEIGHT / mm)) == (210, 297)
    assert round(L.MARGIN_TOP / mm, 6) == 37 and round(L.MARGIN_LEFT / mm, 6) == 28
    assert round(L.MARGIN_RIGHT / mm, 6) == 26 and round(L.MARGIN_BOTTOM / mm, 6) == 35
    assert round(L.TEXT_WIDTH / mm, 6) == 156 and round(L.TEXT_HEIGHT / mm, 6) == 225
    assert L.TEXT_RIGHT - L.TEXT_LEFT == pytest.approx(L.TEXT_WIDTH)
    assert L.TEXT_TOP - L.TEXT_BOTTOM == pytest.approx(L.TEXT_HEIGHT)


def test_22_lines_of_28_characters() -> None:
    assert L.LINE_PITCH * 22 == pytest.approx(L.TEXT_HEIGHT)
    assert L.CHAR_PITCH * 27 + L.BODY_SIZE == pytest.approx(L.TEXT_WIDTH)  # 28 characters, 27 pitches between


def test_body_title_heading_and_cell_styles(fonts) -> None:  # type: ignore[no-untyped-def]
    body = L.body_style(fonts)
    assert (body.size, body.align, body.first_indent) == (16.0, "justify", 2.0)
    assert body.size + body.char_space == pytest.approx(L.CHAR_PITCH)
    title = L.title_style(fonts)
    assert (title.size, title.leading, title.align) == (22.0, 33.0, "center")
    assert L.heading_style(fonts).font == fonts.heading.name
    cell = L.cell_style(fonts, 10.5, align="center")
    assert (cell.size, cell.leading, cell.align) == (10.5, pytest.approx(10.5 * 1.45), "center")
    assert L.body_style(fonts, first_indent=0).first_indent == 0 and body.first_indent == 2.0  # styles are values


@pytest.mark.parametrize(("day", "text"), [(dt.date(2026, 3, 5), "2026年3月5日"), (dt.date(2025, 12, 31), "2025年12月31日")])
def test_dates_without_leading_zeros(day: dt.date, text: str) -> None:
    assert L.cn_date(day) == text


# --- break opportunities --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "toks"),
    [
        ("盱眙交通", ["盱", "眙", "交", "通"]),
        ("代码91320830PYQLFT169T", ["代", "码", "91320830PYQLFT169T"]),  # an identifier is one token
        ("于2024-03-15", ["于", "2024-03-15"]),
        ("违诺——处理……完毕", ["违", "诺", "——", "处", "理", "……", "完", "毕"]),  # pairs never split
        ("Hello, world (x).", ["Hello", ",", " ", "world", " ", "(", "x", ")", "."]),  # ASCII signs on their own
        ("", []),
    ],
)
def test_tokens(text: str, toks: list[str]) -> None:
    assert L.tokens(text) == toks


def test_tokens_lose_nothing() -> None:
    text = "《盱眙县信用交通》（2026版）第3条：“A级”——91320830PYQLFT169T……完。 x (y), z!"
    assert "".join(L.tokens(text)) == text


@pytest.mark.parametrize(
    ("text", "glued"),
    [
        ("一，二。", ["一，", "二。"]),  # closers go with what precedes them
        ("（星期五）", ["（星", "期", "五）"]),  # openers go with what follows them
        ("“失信”", ["“失", "信”"]),
        ("《盱眙", ["《盱", "眙"]),
        ("word ,", ["word ,"]),  # a space before a mark travels with the word and the mark
        ("( x", ["( x"]),  # no break after an opening mark, space or not
        ("一（", ["一", "（"]),  # an opener with nothing after it stays on its own
    ],
)
def test_clusters(text: str, glued: list[str]) -> None:
    assert L.clusters(L.tokens(text)) == glued


# --- measuring and line breaking ------------------------------------------------------------------------------


def test_text_width_counts_letter_spacing_between_characters_only(fonts) -> None:  # type: ignore[no-untyped-def]
    style = L.TextStyle(fonts.body.name, 10, 14)
    assert L.text_width("一二三", style) == pytest.approx(30.0)
    assert L.text_width("一二三", style.with_(char_space=2)) == pytest.approx(34.0)
    assert L.text_width("", style.with_(char_space=2)) == 0.0


def test_the_shipped_font_is_one_run(fonts) -> None:  # type: ignore[no-untyped-def]
    assert L.runs("盱眙ABC", fonts.body.name) == [("盱眙ABC", fonts.body.name)]
    assert L.runs("", fonts.body.name) == []


def test_lines_fill_the_width_and_the_first_is_indented(fonts) -> None:  # type: ignore[no-untyped-def]
    style = L.TextStyle(fonts.body.name, 10, 14, "justify", first_indent=2)
    lines = L.layout_lines("一" * 25, style, 100.0)
    assert [(len(x.text), x.indent, x.last) for x in lines] == [(8, 20.0, False), (10, 0.0, False), (7, 0.0, True)]
    assert all(x.width <= 100.0 - x.indent + 0.01 for x in lines)


def test_each_paragraph_starts_a_line_and_ends_with_a_last_line(small: L.TextStyle) -> None:
    lines = L.layout_lines("一二三\n\n四五", small, 100.0)
    assert [(x.text, x.last) for x in lines] == [("一二三", True), ("", True), ("四五", True)]


def test_no_space_at_the_start_or_end_of_a_line(small: L.TextStyle) -> None:
    lines = L.layout_lines("abcd efgh ijkl mnop", small.with_(size=10), 45.0)
    assert all(x.text == x.text.strip(" ") for x in lines)
    assert " ".join(x.text for x in lines) == "abcd efgh ijkl mnop"


def test_an_identifier_wider_than_the_line_is_broken_by_characters(small: L.TextStyle) -> None:
    lines = L.layout_lines("91320830PYQLFT169T。", small, 40.0)
    assert "".join(x.text for x in lines) == "91320830PYQLFT169T。"
    assert len(lines) > 1 and all(x.text[:1] not in L.NO_LINE_START for x in lines)
    assert all(x.width <= 40.0 + 0.5 * 10 for x in lines)  # at most a squeezed closer over


def test_a_body_line_holds_28_characters(fonts) -> None:  # type: ignore[no-untyped-def]
    style = L.body_style(fonts, first_indent=0)
    assert len(L.layout_lines("一" * 28, style, L.TEXT_WIDTH)) == 1  # GB/T 9704: 28 characters a line
    assert len(L.layout_lines("一" * 29, style, L.TEXT_WIDTH)) == 2


# --- the flowable ---------------------------------------------------------------------------------------------


def test_paragraph_wraps_and_splits_between_lines(small: L.TextStyle) -> None:
    para = L.CnParagraph("一" * 45, small)
    assert para.wrap(100.0, 1000.0) == (100.0, 5 * 14)
    head, tail = para.split(100.0, 3 * 14 + 5)
    assert head.wrap(100.0, 1000.0)[1] == 3 * 14 and tail.wrap(100.0, 1000.0)[1] == 2 * 14
    assert para.split(100.0, 10.0) == []  # not even one line fits: the whole paragraph moves on
    assert para.split(100.0, 500.0) == []  # everything fits: nothing to split
