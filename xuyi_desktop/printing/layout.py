"""Page geometry after GB/T 9704-2012, text styles, Chinese line breaking (禁则) and the page furniture every
printed document shares: page numbers "— N —", the serial number on every page, the issuing organ and date
with the seal area over the date, signature lines.

All text of the printed documents goes through `layout_lines` / `draw_lines` (or the `CnParagraph`
flowable built on them), so the line-breaking rule and the per-character font fallback apply everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from xuyi_desktop.printing.fonts import BUNDLED_FONT, DocumentFonts, fallback_for, has_glyph

# --- GB/T 9704-2012 geometry (points; the standard gives millimetres) -------------------------------------
PAGE_WIDTH, PAGE_HEIGHT = A4  # 210 × 297 mm
MARGIN_TOP = 37 * mm  # 天头
MARGIN_LEFT = 28 * mm  # 订口
TEXT_WIDTH = 156 * mm  # 版心宽
TEXT_HEIGHT = 225 * mm  # 版心高
MARGIN_RIGHT = PAGE_WIDTH - MARGIN_LEFT - TEXT_WIDTH  # 26 mm
MARGIN_BOTTOM = PAGE_HEIGHT - MARGIN_TOP - TEXT_HEIGHT  # 35 mm
TEXT_LEFT, TEXT_RIGHT = MARGIN_LEFT, MARGIN_LEFT + TEXT_WIDTH
TEXT_TOP, TEXT_BOTTOM = PAGE_HEIGHT - MARGIN_TOP, MARGIN_BOTTOM

BODY_SIZE = 16.0  # 3号 仿宋
TITLE_SIZE = 22.0  # 2号 小标宋
PAGE_NUMBER_SIZE = 14.0  # 4号
SMALL_SIZE = 10.5  # 5号
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH = TEXT_HEIGHT / LINES_PER_PAGE  # ≈ 29 pt
# 28 characters of 16 pt fill the 156 mm line exactly: 27 gaps between them (none after the last), slightly negative.
BODY_CHAR_SPACE = (TEXT_WIDTH - CHARS_PER_LINE * BODY_SIZE) / (CHARS_PER_LINE - 1)
CHAR_PITCH = BODY_SIZE + BODY_CHAR_SPACE  # ≈ 15.8 pt from one character's start to the next
PAGE_NUMBER_GAP = 7 * mm  # 一字线上距版心下边缘 7 mm
SEAL_DIAMETER = 42 * mm  # a county organ's official seal

SEAL_RED = colors.Color(0.80, 0.08, 0.10)
INK = colors.Color(0.08, 0.08, 0.08)
GREY = colors.Color(0.40, 0.40, 0.40)


# --- placed boxes -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Placed:
    """One block as it was put on the page: its name, the page (1-based) and its box in page points
    (x0, y0 bottom left, x1, y1 top right)."""

    name: str
    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Placed, tolerance: float = 0.5) -> bool:
        """True when the two boxes share more than a hair (touching edges are not an overlap)."""
        return (
            self.page == other.page
            and min(self.x1, other.x1) - max(self.x0, other.x0) > tolerance
            and min(self.y1, other.y1) - max(self.y0, other.y0) > tolerance
        )


#: Overlaps the layout means: the official seal is stamped over the issuer's name and the date (GB/T 9704
#: 7.3.5.2 "上压成文日期"), the party's seal over the party's name and the signing date.
SEAL_COVERS = ("issuer.",)

_PLACED: ContextVar[list[Placed] | None] = ContextVar("xuyi_placed", default=None)


@contextmanager
def recording() -> Iterator[list[Placed]]:
    """Collect the boxes of everything drawn inside the block (the documents' own record of their layout,
    for tests and the render check): `with recording() as boxes: render_…(…)`."""
    boxes: list[Placed] = []
    token = _PLACED.set(boxes)
    try:
        yield boxes
    finally:
        _PLACED.reset(token)


def current_recording() -> list[Placed] | None:
    """The list `recording` collects into, if any (a document that renders trial layouts adds the boxes of
    the one it keeps)."""
    return _PLACED.get()


def place(canvas: Canvas, name: str, x0: float, y0: float, x1: float, y1: float) -> None:
    """Record a drawn block (coordinates in the canvas's current user space; stored in page points)."""
    boxes = _PLACED.get()
    if boxes is None:
        return
    ax0, ay0 = canvas.absolutePosition(x0, y0)
    ax1, ay1 = canvas.absolutePosition(x1, y1)
    boxes.append(Placed(name, canvas.getPageNumber(), min(ax0, ax1), min(ay0, ay1), max(ax0, ax1), max(ay0, ay1)))


def collisions(boxes: Iterable[Placed]) -> list[tuple[Placed, Placed]]:
    """Pairs of placed boxes that overlap, except the seal over the issuer's name and date."""
    items = list(boxes)
    out = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if not a.overlaps(b):
                continue
            names = {a.name, b.name}
            if "seal" in names and any(n.startswith(SEAL_COVERS) for n in names - {"seal"}):
                continue
            out.append((a, b))
    return out

# --- Chinese line-breaking rule (GB/T 15834 标点符号用法; 禁则) -------------------------------------------
#: never at the start of a line: 点号 and the closing halves of quotes, brackets and book-title marks
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉］｝”’·％‰,.;:?!)]}%")
#: never at the end of a line: the opening halves
NO_LINE_END = frozenset("（《「『【〔〈［｛“‘([{")
_UNBREAKABLE_PAIRS = ("——", "……")
_ASCII_RUN = re.compile(r"[!-~]+")  # letters, digits and ASCII signs stay together (identifiers, dates, scores)


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float = BODY_SIZE
    leading: float = LINE_PITCH
    align: str = "justify"  # left, right, center, justify, distribute
    first_indent: float = 0.0  # in characters (em): 2 for a body paragraph
    char_space: float = 0.0  # extra space after each character, points (letter-spaced titles)
    color: colors.Color = INK
    bold: bool = False  # stroke the outline (for faces without a bold)

    def with_(self, **changes: object) -> TextStyle:
        return replace(self, **changes)  # type: ignore[arg-type]


def body_style(fonts: DocumentFonts, **kw: object) -> TextStyle:
    """GB/T 9704 body: 仿宋 16 pt, 28 characters a line, 22 lines a page, paragraphs indented two characters."""
    base = TextStyle(fonts.body.name, BODY_SIZE, LINE_PITCH, "justify", 2.0, BODY_CHAR_SPACE)
    return base.with_(**kw)


def title_style(fonts: DocumentFonts, **kw: object) -> TextStyle:
    """GB/T 9704 title: 小标宋 22 pt, centred; several lines keep a 1.5-line pitch."""
    base = TextStyle(fonts.title.name, TITLE_SIZE, TITLE_SIZE * 1.5, "center", 0.0, 0.0, INK, fonts.title.fake_bold)
    return base.with_(**kw)


def heading_style(fonts: DocumentFonts, **kw: object) -> TextStyle:
    """First-level heading (一、…): 黑体 16 pt."""
    base = TextStyle(fonts.heading.name, BODY_SIZE, LINE_PITCH, "left", 2.0, 0.0, INK, fonts.heading.fake_bold)
    return base.with_(**kw)


def cell_style(fonts: DocumentFonts, size: float = 12.0, **kw: object) -> TextStyle:
    """Text in a table cell (小四 by default)."""
    base = TextStyle(fonts.body.name, size, size * 1.45, "left", 0.0, 0.0)
    return base.with_(**kw)


# --- measuring with per-character font fallback --------------------------------------------------------
def runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split text into (text, font) runs: the primary font where it has the glyph, else the shipped font
    (a system FangSong lacking a rare character of a name must not print a box)."""
    if not text:
        return []
    if not _may_fall_back(font) or all(_has(font, ch) for ch in text):
        return [(text, font)]
    out: list[tuple[str, str]] = []
    for ch in text:
        f = font if _has(font, ch) else (fallback_for(font) or font)
        if out and out[-1][1] == f:
            out[-1] = (out[-1][0] + ch, f)
        else:
            out.append((ch, f))
    return out


@lru_cache(maxsize=64)
def _may_fall_back(font: str) -> bool:
    return font != BUNDLED_FONT


@lru_cache(maxsize=65536)
def _has(font: str, ch: str) -> bool:
    return ch.isspace() or has_glyph(font, ch)


@lru_cache(maxsize=131072)
def _glyph_width(text: str, font: str, size: float) -> float:
    return sum(stringWidth(t, f, size) for t, f in runs(text, font))


def text_width(text: str, style: TextStyle) -> float:
    """Visual width: glyphs plus the style's letter spacing between (not after) the characters."""
    if not text:
        return 0.0
    return _glyph_width(text, style.font, style.size) + style.char_space * (len(text) - 1)


# --- line breaking --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    text: str
    width: float  # natural visual width
    indent: float  # points
    last: bool  # last line of its paragraph (not justified)


def tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character; an ASCII run (identifier, date, number) is one token;
    a space is its own token; "——" and "……" never split."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        pair = text[i : i + 2]
        if pair in _UNBREAKABLE_PAIRS:
            out.append(pair)
            i += 2
            continue
        if ch == " ":
            out.append(" ")
            i += 1
            continue
        m = _ASCII_RUN.match(text, i)
        if m:
            run = m.group(0)
            # Trailing or leading ASCII punctuation gets the breaking rule of its own.
            core = run.rstrip(",.;:?!)]}%")
            lead = len(core) - len(core.lstrip("([{"))
            if lead:
                out.extend(core[:lead])
            if core[lead:]:
                out.append(core[lead:])
            out.extend(run[len(core) :])
            i = m.end()
            continue
        out.append(ch)
        i += 1
    return out


def clusters(toks: Iterable[str]) -> list[str]:
    """Glue tokens that may not be separated: closing punctuation to what precedes it, opening
    punctuation to what follows it. Every boundary between the returned clusters is a legal break."""
    out: list[str] = []
    pending = ""  # opening punctuation waiting for the next token
    for tok in toks:
        if tok == " ":
            if pending:
                pending += " "  # "( x": no break after an opening mark, space or not
            else:
                out.append(" ")
        elif tok in NO_LINE_END:
            pending += tok
        elif tok[0] in NO_LINE_START and not pending and out and out[-1] != " ":
            out[-1] += tok
        elif tok[0] in NO_LINE_START and not pending and len(out) >= 2 and out[-1] == " ":
            out.pop()  # "word ," : the space and the mark go with the word
            out[-1] += " " + tok
        else:
            out.append(pending + tok)
            pending = ""
    if pending:
        out.append(pending)
    return out


def _trailing_closers(cluster: str) -> str:
    i = len(cluster)
    while i > 0 and cluster[i - 1] in NO_LINE_START:
        i -= 1
    return cluster[i:]


def layout_lines(text: str, style: TextStyle, width: float) -> list[Line]:
    """Break `text` (paragraphs separated by newlines) into lines no wider than `width`, obeying the
    Chinese line-breaking rule: a cluster that does not fit moves to the next line whole (推出); when only
    its closing punctuation overhangs, by no more than half the punctuation's width, it is squeezed in (挤进)."""
    return list(_laid_out(text, style, width))


@lru_cache(maxsize=4096)
def _laid_out(text: str, style: TextStyle, width: float) -> tuple[Line, ...]:
    """The lines of a text, kept: a batch lays the same template paragraphs and labels out on every page
    (issue 17), and the result depends on nothing else (fonts are registered once per process)."""
    lines: list[Line] = []
    for para in text.split("\n"):
        lines.extend(_layout_paragraph(para, style, width))
    return tuple(lines)


def _layout_paragraph(para: str, style: TextStyle, width: float) -> list[Line]:
    indent = style.first_indent * style.size + style.first_indent * style.char_space
    cs = style.char_space
    out: list[Line] = []
    cur = ""
    avail = width - indent

    font, size = style.font, style.size
    glyphs = 0.0  # the glyph width of `cur`, summed cluster by cluster

    def finish(last: bool) -> None:
        nonlocal cur, indent, avail, glyphs
        text = cur.rstrip(" ")
        out.append(Line(text, text_width(text, style), indent, last))
        cur, indent, avail, glyphs = "", 0.0, width, 0.0

    pending = clusters(tokens(para))
    pending.reverse()
    while pending:
        cl = pending.pop()
        if cl == " " and not cur:
            continue  # no space at a line start
        trial = cur + cl
        # Measuring every trial line from its start made breaking quadratic in the line's length; the sum
        # of the parts differs from the whole by rounding only, so a cluster that fits with a margin far
        # above that rounding is taken on the sum, and anything near the edge is measured whole as before.
        cl_glyphs = _glyph_width(cl, font, size)
        if glyphs + cl_glyphs + cs * (len(trial) - 1) < avail + 0.01 - 1e-6:
            cur, glyphs = trial, glyphs + cl_glyphs
            continue
        w = text_width(trial, style)
        if w <= avail + 0.01 or not cur:
            if w > avail + 0.01 and not cur and len(cl) > 1:
                # A single cluster wider than the line (a very long identifier): break it by characters.
                pieces = _hard_split(cl, style, avail)
                pending.extend(reversed(pieces[1:]))
                cur = pieces[0]
                glyphs = _glyph_width(cur, font, size)
                continue
            cur = trial
            glyphs = _glyph_width(cur, font, size)
            continue
        closers = _trailing_closers(cl)
        if closers and closers != cl:
            squeeze = w - avail
            if squeeze <= 0.5 * (_glyph_width(closers, style.font, style.size) + cs * len(closers)):
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


def _hard_split(cluster: str, style: TextStyle, avail: float) -> list[str]:
    pieces, cur = [], ""
    for ch in cluster:
        if cur and text_width(cur + ch, style) > avail:
            pieces.append(cur)
            cur = ""
        cur += ch
    pieces.append(cur)
    # Do not leave closing punctuation alone at the start of a piece.
    for i in range(1, len(pieces)):
        while pieces[i] and pieces[i][0] in NO_LINE_START and len(pieces[i - 1]) > 0:
            pieces[i - 1] += pieces[i][0]
            pieces[i] = pieces[i][1:]
    return [p for p in pieces if p]


# --- drawing --------------------------------------------------------------------------------------------
def text_box(x: float, y: float, width: float, size: float) -> tuple[float, float, float, float]:
    """The box of one line of text at baseline y: the em box, a little below the baseline."""
    return x, y - size * 0.14, x + width, y + size * 0.86


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, style: TextStyle, *, char_space: float | None = None,
    name: str | None = None,
) -> None:
    """Draw one line at baseline y from x, with font fallback, letter spacing and the fake bold; with a
    `name`, the line's box is recorded (see `recording`)."""
    if not text:
        return
    cs = style.char_space if char_space is None else char_space
    if name is not None and _PLACED.get() is not None:  # the box is measured only when boxes are recorded
        w = _glyph_width(text, style.font, style.size) + cs * (len(text) - 1)
        place(canvas, name, *text_box(x, y, w, style.size))
    key = (text, style.font, style.size, cs, style.color.rgb(), style.bold)
    cache: dict[tuple[object, ...], tuple[tuple[str, ...], str]] | None = getattr(canvas, _TEXT_CODE, None)
    if cache is None:
        cache = {}
        setattr(canvas, _TEXT_CODE, cache)
    plain = _plain_state(canvas, style.color)
    code = cache.get(key) if plain else None
    if code is not None:
        head, tail = code
        canvas._code.extend(head)
        canvas._code.append(f"BT 1 0 0 1 {fp_str(x, y)} Tm{tail}")
        canvas._code.append("Q")
        return
    start = len(canvas._code)
    _draw_text_object(canvas, x, y, text, style, cs)
    if plain:
        _keep_text_code(cache, key, canvas._code[start:], x, y)


#: Attribute on a canvas: the content-stream operators of each line of text drawn on it, without the position.
_TEXT_CODE = "_xuyi_text_code"


def _plain_state(canvas: Canvas, color: colors.Color) -> bool:
    """True when drawing a line emits no graphics-state resource (an opaque RGB colour in an opaque
    state): its operators then depend on nothing but the text, the style and the position."""
    ext = canvas._extgstate
    return (type(color) is colors.Color and color.alpha == 1 and ext.getValue("ca") == 1
            and ext.getValue("CA") == 1 and getattr(canvas, "_enforceColorSpace", None) is None)


def _keep_text_code(cache: dict[tuple[object, ...], tuple[tuple[str, ...], str]], key: tuple[object, ...],
                    emitted: list[str], x: float, y: float) -> None:
    """Remember what a line emitted ("q", colour, "BT 1 0 0 1 x y Tm … ET", "Q") with the position cut out,
    if it has exactly that shape."""
    prefix = f"BT 1 0 0 1 {fp_str(x, y)} Tm"
    if (len(emitted) >= 3 and emitted[0] == "q" and emitted[-1] == "Q" and emitted[-2].startswith(prefix)
            and not any(" gs" in op or op.startswith("BT") for op in emitted[:-2])):
        cache[key] = (tuple(emitted[:-2]), emitted[-2][len(prefix):])


def _draw_text_object(canvas: Canvas, x: float, y: float, text: str, style: TextStyle, cs: float) -> None:
    canvas.saveState()  # colour, line width and render mode must not leak into what is drawn next
    t = canvas.beginText(x, y)
    t.setCharSpace(cs)
    canvas.setFillColor(style.color)
    if style.bold:
        canvas.setStrokeColor(style.color)
        canvas.setLineWidth(style.size * 0.035)
        t.setTextRenderMode(2)
    for chunk, font in runs(text, style.font):
        t.setFont(font, style.size)
        t.textOut(chunk)
    canvas.drawText(t)
    canvas.restoreState()


def draw_aligned(
    canvas: Canvas, x: float, y: float, width: float, text: str, style: TextStyle, *, name: str | None = None,
) -> None:
    """One line inside [x, x + width] at baseline y, aligned as the style says."""
    w = text_width(text, style)
    align = style.align
    if align == "center":
        draw_text(canvas, x + (width - w) / 2, y, text, style, name=name)
    elif align == "right":
        draw_text(canvas, x + width - w, y, text, style, name=name)
    elif align == "distribute" and len(text) > 1:
        glyphs = _glyph_width(text, style.font, style.size)
        draw_text(canvas, x, y, text, style, char_space=(width - glyphs) / (len(text) - 1), name=name)
    else:
        draw_text(canvas, x, y, text, style, name=name)


def baseline_offset(style: TextStyle) -> float:
    """From the top of a line cell to the baseline, so that the em box sits in the middle of the cell."""
    return style.leading / 2 + style.size * 0.38


def lines_extent(lines: list[Line], width: float, style: TextStyle) -> tuple[float, float]:
    """Left and right edge (from the block's left) of what `draw_lines` draws of these lines."""
    x0, x1 = width, 0.0
    for line in lines:
        if not line.text:
            continue
        avail = width - line.indent
        w = min(line.width, avail) if line.width <= avail + 0.01 or len(line.text) <= 1 else avail
        if style.align == "justify" and not line.last and len(line.text) > 1:
            cs = (avail - _glyph_width(line.text, style.font, style.size)) / (len(line.text) - 1)
            left, right = line.indent, line.indent + (avail if cs - style.char_space <= style.size * 0.3 else w)
        elif style.align == "center":
            left = line.indent + (avail - w) / 2
            right = left + w
        elif style.align in ("right",):
            left, right = line.indent + avail - w, line.indent + avail
        elif style.align == "distribute" and len(line.text) > 1:
            left, right = line.indent, line.indent + avail
        else:
            left, right = line.indent, line.indent + w
        x0, x1 = min(x0, left), max(x1, right)
    return (x0, x1) if x1 > x0 else (0.0, 0.0)


def draw_lines(
    canvas: Canvas, lines: list[Line], x: float, top: float, width: float, style: TextStyle, *, name: str | None = None,
) -> float:
    """Draw laid-out lines from `top` downwards; returns the y below the last line. With a `name`, the
    block's box (the lines' cells, from the first top to the last bottom) is recorded."""
    if name is not None and _PLACED.get() is not None and any(line.text for line in lines):  # boxes only when recorded
        left, right = lines_extent(lines, width, style)
        place(canvas, name, x + left, top - len(lines) * style.leading, x + right, top)
    y = top
    for line in lines:
        base = y - baseline_offset(style)
        avail = width - line.indent
        if line.width > avail + 0.01 and len(line.text) > 1:
            # Squeezed in by the breaking rule (挤进): tighten the whole line a little.
            cs = style.char_space - (line.width - avail) / (len(line.text) - 1)
            draw_text(canvas, x + line.indent, base, line.text, style, char_space=cs)
        elif style.align == "justify" and not line.last and len(line.text) > 1:
            glyphs = _glyph_width(line.text, style.font, style.size)
            cs = (avail - glyphs) / (len(line.text) - 1)
            # A line pushed short by the breaking rule spreads a little; a nearly empty one stays ragged.
            if cs - style.char_space > style.size * 0.3:
                cs = style.char_space
            draw_text(canvas, x + line.indent, base, line.text, style, char_space=cs)
        elif style.align in ("center", "right", "distribute"):
            draw_aligned(canvas, x + line.indent, base, avail, line.text, style)
        else:
            draw_text(canvas, x + line.indent, base, line.text, style)
        y -= style.leading
    return y


def draw_paragraph(
    canvas: Canvas, text: str, x: float, top: float, width: float, style: TextStyle, *, name: str | None = None,
) -> float:
    return draw_lines(canvas, layout_lines(text, style, width), x, top, width, style, name=name)


class CnParagraph(Flowable):
    """A platypus flowable that lays Chinese text out with `layout_lines` (ReportLab's own Paragraph
    would let "，" start a line). Splits across pages between lines."""

    def __init__(self, text: str, style: TextStyle, *, space_before: float = 0.0, space_after: float = 0.0,
                 _lines: list[Line] | None = None, name: str = "text") -> None:
        super().__init__()
        self.text = text
        self.name = name
        self.style = style
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self._lines = _lines
        self._width = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._lines is None or abs(self._width - availWidth) > 0.01:
            self._lines = layout_lines(self.text, self.style, availWidth)
            self._width = availWidth
        self.width, self.height = availWidth, len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        assert self._lines is not None
        fit = int((availHeight + 0.01) // self.style.leading)
        if fit <= 0 or fit >= len(self._lines):
            return []
        head = CnParagraph(self.text, self.style, space_before=self.spaceBefore, _lines=self._lines[:fit], name=self.name)
        tail = CnParagraph(self.text, self.style, space_after=self.spaceAfter, _lines=self._lines[fit:], name=self.name)
        head._width = tail._width = availWidth
        return [head, tail]

    def draw(self) -> None:
        assert self._lines is not None
        draw_lines(self.canv, self._lines, 0, self.height, self.width, self.style, name=self.name)


# --- page furniture -------------------------------------------------------------------------------------
def cn_date(day: dt.date) -> str:
    """GB/T 9704-2012 writes the date in Arabic numerals without leading zeros: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def draw_page_number(canvas: Canvas, number: int, fonts: DocumentFonts, *, centred: bool = False) -> None:
    """"— N —" in 14 pt, its top 7 mm below the text block; odd pages right, even pages left, each one
    character in from the edge of the text block (GB/T 9704 7.5), or centred on request."""
    style = TextStyle(fonts.title.name, PAGE_NUMBER_SIZE, PAGE_NUMBER_SIZE, "left")
    text = f"— {number} —"
    y = TEXT_BOTTOM - PAGE_NUMBER_GAP - PAGE_NUMBER_SIZE * 0.80
    w = text_width(text, style)
    if centred:
        x = (PAGE_WIDTH - w) / 2
    elif number % 2:
        x = TEXT_RIGHT - PAGE_NUMBER_SIZE - w
    else:
        x = TEXT_LEFT + PAGE_NUMBER_SIZE
    draw_text(canvas, x, y, text, style, name="page_number")


def draw_serial(canvas: Canvas, serial: str, fonts: DocumentFonts, *, label: str = "编号", top: float | None = None) -> None:
    """The document's serial number, top right above the text block, on every page."""
    style = TextStyle(fonts.body.name, SMALL_SIZE, SMALL_SIZE, "right", color=GREY)
    y = (TEXT_TOP + 6 * mm) if top is None else top
    draw_aligned(canvas, TEXT_LEFT, y, TEXT_WIDTH, f"{label}：{serial}", style, name="serial")


def draw_seal_area(
    canvas: Canvas, cx: float, cy: float, font: str, diameter: float = SEAL_DIAMETER, *, label: str = "（盖章）",
) -> None:
    """A faint dashed circle where the official seal goes, with a small hint the stamp will cover."""
    place(canvas, "seal", cx - diameter / 2, cy - diameter / 2, cx + diameter / 2, cy + diameter / 2)
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setStrokeAlpha(0.35)
    canvas.setLineWidth(0.6)
    canvas.setDash(3, 3)
    canvas.circle(cx, cy, diameter / 2, stroke=1, fill=0)
    if label:
        style = TextStyle(font, 9, 9, "left", color=colors.Color(SEAL_RED.red, SEAL_RED.green, SEAL_RED.blue, alpha=0.55))
        draw_text(canvas, cx - text_width(label, style) / 2, cy + diameter / 2 - 8 * mm, label, style)
    canvas.restoreState()


@dataclass(frozen=True)
class IssuerPlacement:
    organ_baseline: float
    date_baseline: float
    seal_centre: tuple[float, float]
    left: float = 0.0  # the leftmost edge of the organ, date and seal
    top: float = 0.0  # the top of the organ's first line or of the seal, whichever is higher


def fit_lines(
    text: str, style: TextStyle, width: float, *, max_lines: int = 2, min_size: float = 10.5,
) -> tuple[TextStyle, list[Line]]:
    """Lay `text` out in `width`: at the style's size on one line if it fits, else the size shrinks a half
    point at a time down to `min_size` while more than one line is needed, allowing up to `max_lines`
    lines; below that the text wraps to as many lines as it takes (a name is never cut)."""
    size = style.size
    while True:
        st = style.with_(size=size, leading=size * style.leading / style.size)
        lines = layout_lines(text, st, width)
        if len(lines) == 1:
            return st, lines
        if size - 0.5 < min_size:
            break
        size -= 0.5
    for size_ in _sizes(style.size, min_size):
        st = style.with_(size=size_, leading=size_ * style.leading / style.size)
        lines = layout_lines(text, st, width)
        if len(lines) <= max_lines:
            return st, lines
    return st, lines


def _sizes(start: float, stop: float) -> list[float]:
    out, size = [], start
    while size >= stop - 1e-9:
        out.append(size)
        size -= 0.5
    return out


@dataclass(frozen=True)
class IssuerLayout:
    """Where `draw_issuer` puts things (measured before drawing, so a block can size itself)."""

    style: TextStyle
    date_text: str
    date_x: float
    date_baseline: float
    organ_style: TextStyle
    organ_lines: tuple[tuple[float, float, str], ...]  # (x, baseline, text)
    seal_centre: tuple[float, float]
    placement: IssuerPlacement


def issuer_layout(
    organ: str, day: dt.date, fonts: DocumentFonts, *, date_baseline: float, right: float = TEXT_RIGHT,
    size: float = BODY_SIZE, left: float | None = None, max_width: float | None = None, seal: bool = True,
) -> IssuerLayout:
    style = TextStyle(fonts.body.name, size, size * 1.8, "left")
    date_text = cn_date(day)
    date_w = text_width(date_text, style)
    date_right = right - 4 * size
    date_x = date_right - date_w
    centre_x = date_x + date_w / 2
    if max_width is None:
        max_width = (right - left) if left is not None else max(SEAL_DIAMETER * 1.6, right - date_x)
    organ_style, lines = fit_lines(organ, style.with_(align="center"), max_width, max_lines=2, min_size=min(size, 12.0))
    organ_w = max((ln.width for ln in lines), default=0.0)
    organ_x = centre_x - organ_w / 2
    if organ_x + organ_w > right:  # a long organ name: keep it inside the text block
        organ_x = right - organ_w
    if left is not None and organ_x < left:
        organ_x = left
    organ_baseline = date_baseline + style.leading
    seal_centre = (centre_x, (organ_baseline + date_baseline) / 2 + size * 0.35 + 2.5 * mm)
    # The last line of the organ sits one line above the date; earlier lines go upwards.
    pitch = organ_style.size * 1.25
    n = len(lines)
    placed_lines = tuple(
        (organ_x + (organ_w - ln.width) / 2, organ_baseline + (n - 1 - i) * pitch, ln.text) for i, ln in enumerate(lines)
    )
    top_organ = organ_baseline + (n - 1) * pitch + organ_style.size * 0.86
    seal_left = seal_centre[0] - SEAL_DIAMETER / 2 if seal else date_x
    seal_top = seal_centre[1] + SEAL_DIAMETER / 2 if seal else 0.0
    placement = IssuerPlacement(organ_baseline, date_baseline, seal_centre, min(organ_x, date_x, seal_left), max(top_organ, seal_top))
    return IssuerLayout(style, date_text, date_x, date_baseline, organ_style, placed_lines, seal_centre, placement)


def draw_issuer(
    canvas: Canvas, organ: str, day: dt.date, fonts: DocumentFonts, *, date_baseline: float,
    right: float = TEXT_RIGHT, size: float = BODY_SIZE, seal: bool = True, seal_label: str = "（盖章）",
    left: float | None = None, max_width: float | None = None,
) -> IssuerPlacement:
    """Issuing organ and date at the bottom right (GB/T 9704 7.3.5.2): the date four characters in from
    the right edge, the organ centred over the date one line above, the seal centred over both so that
    they sit a little below its centre.

    The organ (or, on a commitment form, the party's name) is a box: no wider than `max_width` (default:
    from `left` to `right`, else 1.6 seals); a long name shrinks to fit and then wraps upwards, its last
    line one line above the date."""
    lay = issuer_layout(organ, day, fonts, date_baseline=date_baseline, right=right, size=size, left=left,
                        max_width=max_width, seal=seal)
    draw_laid_issuer(canvas, lay, fonts, seal=seal, seal_label=seal_label)
    return lay.placement


def draw_laid_issuer(canvas: Canvas, lay: IssuerLayout, fonts: DocumentFonts, *, seal: bool = True,
                     seal_label: str = "（盖章）") -> None:
    if seal:
        draw_seal_area(canvas, *lay.seal_centre, fonts.body.name, label=seal_label)
    for x, base, text in lay.organ_lines:
        draw_text(canvas, x, base, text, lay.organ_style, name="issuer.organ")
    draw_text(canvas, lay.date_x, lay.date_baseline, lay.date_text, lay.style, name="issuer.date")


def draw_signature_line(
    canvas: Canvas, x: float, baseline: float, label: str, fonts: DocumentFonts, *, line_width: float = 40 * mm,
    size: float = 12.0, value: str = "",
) -> float:
    """"经办人（签字）：________": a label and a rule to sign on; returns the x after the rule."""
    style = TextStyle(fonts.body.name, size, size, "left")
    draw_text(canvas, x, baseline, label, style)
    x1 = x + text_width(label, style) + 2
    place(canvas, "signature", x, baseline - 3.5, x1 + line_width, baseline + size * 0.86)
    canvas.saveState()
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.5)
    canvas.line(x1, baseline - 3, x1 + line_width, baseline - 3)
    canvas.restoreState()
    if value:
        draw_text(canvas, x1 + 4, baseline, value, style)
    return x1 + line_width


def draw_watermark(canvas: Canvas, text: str, fonts: DocumentFonts, *, note: str = "") -> None:
    """A large diagonal grey word across the page (样张: a preview that proves nothing)."""
    grey = colors.Color(0.55, 0.55, 0.55, alpha=0.22)
    big = TextStyle(fonts.title.name, 150, 150, "left", char_space=40, color=grey)
    small = TextStyle(fonts.body.name, 22, 22, "left", char_space=6, color=grey)
    canvas.saveState()
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(38)
    draw_text(canvas, -text_width(text, big) / 2, -big.size * 0.30, text, big)
    if note:
        draw_text(canvas, -text_width(note, small) / 2, -big.size * 0.30 - 42, note, small)
    canvas.restoreState()
