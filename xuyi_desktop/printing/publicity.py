"""公示名单 PDF: the list of rating results for one period and domain, as a ruled table over as many pages
as it needs, its header repeated on every page, page numbers "— N —" and the serial on every page.

`publicity_list_pdf(rows, out)` takes plain rows so that any caller (the .xlsx export beside it, the
service in services/printing.py) can use it; it writes the file atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table, TableStyle

from xuyi_desktop.domain.identifiers import IdentifierKind, infer_kind
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.ratings import score_text
from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.flow import HEADER_FILL, RULE, ClosingBlock, OfficialDoc, P
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.output import atomic_output, binary_streams

WIDTHS = (12 * mm, 68 * mm, 48 * mm, 14 * mm, 14 * mm)  # 156 mm, the GB/T 9704 text block
LEADING, PAD = 15.0, 3.0  # table text leading and cell padding (top and bottom), points


@dataclass(frozen=True)
class PublicityRow:
    name: str
    identifier: str
    grade: str
    score: float | None = None
    is_person: bool | None = None  # None: decided from the identifier's shape
    direct_grade: str | None = None  # 直接定为D级: shown instead of the score


def _row(item: PublicityRow | Mapping[str, object]) -> PublicityRow:
    if isinstance(item, PublicityRow):
        return item
    score = item.get("score")
    person = item.get("is_person")
    if person is None and item.get("kind") is not None:
        person = item.get("kind") == "person"
    return PublicityRow(
        str(item.get("name", "")), str(item.get("identifier", "") or ""), str(item.get("grade", "") or ""),
        float(score) if score not in (None, "") else None, bool(person) if person is not None else None,  # type: ignore[arg-type]
    )


def is_person(row: PublicityRow) -> bool:
    if row.is_person is not None:
        return row.is_person
    ident = row.identifier.strip()
    if "*" in ident:  # masked already: only personal numbers are
        return True
    return bool(ident) and infer_kind(ident) is IdentifierKind.ID_CARD


def shown_identifier(row: PublicityRow) -> str:
    """A person's ID number is masked (SPEC §2); an organisation's USCC is printed in full."""
    ident = row.identifier.strip()
    if not ident or "*" in ident or not is_person(row):
        return ident
    return mask_id_number(ident) or ""


def _row_height(cells: list[object]) -> float:
    """What the table will make of the row: the tallest cell plus the padding."""
    tallest = LEADING
    for cell, width in zip(cells, WIDTHS, strict=True):
        if isinstance(cell, L.CnParagraph):
            tallest = max(tallest, cell.wrap(width - 8, L.TEXT_HEIGHT)[1])
    return tallest + 2 * PAD


def _pages(header: list[object], rows: list[list[object]], first: float, rest: float) -> list[list[list[object]]]:
    """Group rows into pages: `first` points are free on the first page, `rest` on the others."""
    head = _row_height(header)
    safety = 2.0  # rounding and the thicker outer rule
    groups: list[list[list[object]]] = [[]]
    used, limit = head, first - safety
    for row in rows:
        h = _row_height(row)
        if groups[-1] and used + h > limit:
            groups.append([])
            used, limit = head, rest - safety
        groups[-1].append(row)
        used += h
    return groups




def publicity_list_pdf(
    rows: Iterable[PublicityRow | Mapping[str, object]], out: str | Path, *, title: str | None = None,
    period: int | None = None, domain_name: str | None = None, intro: str | None = None, organ: str = "",
    issued_on: dt.date | None = None, serial: str = "", qr_payload: str | None = None,
    fonts: DocumentFonts | None = None, contact: str = "",
) -> Path:
    """Write the publicity list to `out` (atomically) and return the path.

    rows: PublicityRow or mappings with name, identifier, grade, score and optionally is_person / kind.
    title: defaults to "{period}年度{domain_name}信用评价结果公示名单". intro: a paragraph above the table.
    organ and issued_on: the issuer block at the end (omitted without an organ); serial and qr_payload:
    the serial on every page and the verification code at the end. contact: where objections go (organ,
    phone, address), printed under the table."""
    fonts = fonts or register_fonts()
    items = [_row(r) for r in rows]
    if title is None:
        # Broken where the meaning allows (GB/T 9704: 回行时词意完整); "\n" in a title forces a line.
        title = f"{period}年度{domain_name}\n信用评价结果公示名单" if period and domain_name else "信用评价结果公示名单"
    story: list = [P(title, L.title_style(fonts, leading=L.TITLE_SIZE * 1.6)), Spacer(1, 3 * mm)]
    if intro:
        story.append(P(intro, L.body_style(fonts), space_after=2 * mm))
    used = sum(f.wrap(L.TEXT_WIDTH, L.TEXT_HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in story)

    name_style = L.cell_style(fonts, 11, leading=LEADING)
    head_style = L.cell_style(fonts, 11, leading=LEADING, align="center", font=fonts.heading.name, bold=fonts.heading.fake_bold)
    people = [is_person(r) for r in items]
    ident_head = "身份证号码" if items and all(people) else ("统一社会信用代码" if not any(people) else "统一社会信用代码\n（身份证号码）")
    header: list[object] = [P(c, head_style) for c in ("序号", "主体名称", ident_head, "等级", "得分")]
    body: list[list[object]] = [[str(i), P(r.name, name_style), shown_identifier(r), r.grade, score_text(r.score, r.direct_grade)] for i, r in enumerate(items, 1)]
    if not body:
        body = [["", P("（无）", name_style), "", "", ""]]

    # Paginated here rather than by splitting one long table (which costs time quadratic in its length):
    # one table per page, each with its header, so the header is at the top of every page and nowhere else.
    for k, group in enumerate(_pages(header, body, L.TEXT_HEIGHT - used, L.TEXT_HEIGHT)):
        if k:
            story.append(PageBreak())
        table = Table([header, *group], colWidths=list(WIDTHS), repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), fonts.body.name),
            ("FONTSIZE", (0, 0), (-1, -1), 11),
            ("LEADING", (0, 0), (-1, -1), LEADING),
            ("ALIGN", (0, 0), (0, -1), "CENTER"),
            ("ALIGN", (2, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BOX", (0, 0), (-1, -1), 1.0, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("TOPPADDING", (0, 0), (-1, -1), PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]))
        story.append(table)

    tail: list = []
    if contact:
        tail.append(P(contact, L.cell_style(fonts, 12, leading=18, align="justify"), space_before=3 * mm, name="contact"))
    if organ:
        tail.append(Spacer(1, 6 * mm))
        tail.append(ClosingBlock(fonts, organ, issued_on or dt.date.today(), qr_payload=qr_payload))
    if tail:
        story.append(KeepTogether(tail))

    with atomic_output(Path(out)) as tmp:
        flat = title.replace("\n", "")
        doc = OfficialDoc(tmp, fonts, serial=serial, title=flat, author=organ, subject=flat)
        with binary_streams():
            doc.build(story)
    return Path(out)
