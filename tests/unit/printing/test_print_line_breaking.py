"""Line breaking sums the widths of the clusters instead of measuring every trial line whole (issue 17):
the lines must be exactly those of measuring whole, which this file keeps as the reference."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.fonts import register_fonts

ALPHABET = "盱眙县交通运输局信用承诺书江苏淮河水运集团港口物流装卸服务有限公司，。、；：（）《》“”——……ABC123 -/.𠀾"


def reference(para: str, style: L.TextStyle, width: float) -> list[L.Line]:
    """The breaking as it was: every trial line measured from its start."""
    indent = style.first_indent * style.size + style.first_indent * style.char_space
    cs, out, cur, avail = style.char_space, [], "", width - indent

    def finish(last: bool) -> None:
        nonlocal cur, indent, avail
        text = cur.rstrip(" ")
        out.append(L.Line(text, L.text_width(text, style), indent, last))
        cur, indent, avail = "", 0.0, width

    pending = L.clusters(L.tokens(para))
    pending.reverse()
    while pending:
        cl = pending.pop()
        if cl == " " and not cur:
            continue
        trial = cur + cl
        w = L.text_width(trial, style)
        if w <= avail + 0.01 or not cur:
            if w > avail + 0.01 and not cur and len(cl) > 1:
                pieces = L._hard_split(cl, style, avail)
                pending.extend(reversed(pieces[1:]))
                cur = pieces[0]
                continue
            cur = trial
            continue
        closers = L._trailing_closers(cl)
        if closers and closers != cl:
            if w - avail <= 0.5 * (L._glyph_width(closers, style.font, style.size) + cs * len(closers)):
                cur = trial
                finish(False)
                continue
        finish(False)
        pending.append(cl)
    if cur or not out:
        finish(True)
    else:
        out[-1] = replace(out[-1], last=True)
    return out


@pytest.fixture(scope="module")
def styles() -> list[L.TextStyle]:
    fonts = register_fonts()
    return [L.body_style(fonts), L.body_style(fonts, size=14.0, leading=22.0, char_space=0.0), L.cell_style(fonts, 12),
            L.title_style(fonts, char_space=1.5)]


@settings(max_examples=300, deadline=None)
@given(text=st.text(ALPHABET, min_size=0, max_size=160), which=st.integers(0, 3),
       width=st.sampled_from([40.0, 60.0, 147.4, 300.0, L.TEXT_WIDTH]))
def test_summed_widths_break_exactly_as_measuring_whole(styles, text: str, which: int, width: float) -> None:  # type: ignore[no-untyped-def]
    style = styles[which]
    assert L._layout_paragraph(text, style, width) == reference(text, style, width)


def test_a_line_filled_to_the_edge_breaks_as_before(styles) -> None:  # type: ignore[no-untyped-def]
    style = styles[0]  # 28 characters of 16 pt fill the 156 mm line exactly (negative letter spacing)
    for n in range(1, 90):
        text = "盱" * n + "，。" + "眙" * (n % 7)
        assert L._layout_paragraph(text, style, L.TEXT_WIDTH) == reference(text, style, L.TEXT_WIDTH)
