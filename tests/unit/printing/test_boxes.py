"""Every printed document places its blocks through the layout engine, which records their boxes: over names
of 1–60 characters and long free text no two boxes overlap (the seal may cover only the issuer's name and
date), nothing leaves the page, and the usual documents — check sheet, commitment form, certificate — stay
one page."""

from __future__ import annotations

import io
import random

import print_docs as F
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.units import mm

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.certificate import look_for, render_certificates
from xuyi_desktop.printing.check_sheet import render_check_sheet
from xuyi_desktop.printing.commitment_form import render_commitment_forms
from xuyi_desktop.printing.fonts import register_fonts
from xuyi_desktop.printing.list_publication import render_list_publication
from xuyi_desktop.printing.publicity import PublicityRow, publicity_list_pdf

NAME_CHARS = "江苏淮安盱眙县港口物流运输装卸服务有限责任公司集团交通建设工程水运汽车客货运输站场码头船务科技发展实业"
TEXT_CHARS = NAME_CHARS + "，。；、：“”（）《》0123456789"
LENGTHS = (1, 2, 5, 10, 14, 18, 20, 22, 26, 30, 36, 44, 52, 60)


@pytest.fixture(scope="module")
def fonts():  # type: ignore[no-untyped-def]
    return register_fonts()


def name_of(length: int, seed: int = 0) -> str:
    if length == 22 and seed == 0:
        return F.LONG_NAME
    rnd = random.Random(length * 7919 + seed)
    return "".join(rnd.choice(NAME_CHARS) for _ in range(length))


def text_of(length: int, seed: int = 0) -> str:
    rnd = random.Random(length * 104729 + seed)
    return "".join(rnd.choice(TEXT_CHARS) for _ in range(length))


def assert_clean(boxes: list[L.Placed], pages: int, *, one_page: bool, what: str) -> None:
    assert boxes, f"{what}: nothing recorded"
    clashes = L.collisions(boxes)
    assert not clashes, f"{what}: overlapping blocks " + "; ".join(f"{a.name}×{b.name} p{a.page}" for a, b in clashes[:5])
    for b in boxes:
        assert 5 * mm <= b.x0 and b.x1 <= L.PAGE_WIDTH - 5 * mm, f"{what}: {b} leaves the page sideways"
        assert 5 * mm <= b.y0 and b.y1 <= L.PAGE_HEIGHT - 5 * mm, f"{what}: {b} leaves the page"
        assert 1 <= b.page <= pages
    if one_page:
        assert pages == 1, f"{what}: {pages} pages"


def commitment(fonts, name: str, text: str = "", organ: str = "盱眙县交通运输局") -> tuple[list[L.Placed], int]:  # type: ignore[no-untyped-def]
    with L.recording() as boxes:
        pages = render_commitment_forms([F.commitment(name, text, organ)], io.BytesIO(), fonts=fonts)
    return boxes, pages


def check_sheet(fonts, name: str, text: str = "") -> tuple[list[L.Placed], int]:  # type: ignore[no-untyped-def]
    with L.recording() as boxes:
        pages = render_check_sheet(F.check_result(name, text), io.BytesIO(), organ="盱眙县交通运输局", checked_by="王小明",
                                   issued_on=F.DAY, qr_payload=F.QR, fonts=fonts)
    return boxes, pages


def certificate(fonts, name: str, grade: str = "AA", document_no: str = "盱交信〔2026〕3号", organ: str = "盱眙县交通运输局") -> tuple[list[L.Placed], int]:  # type: ignore[no-untyped-def]
    with L.recording() as boxes:
        pages = render_certificates([F.certificate(grade, name, document_no, organ)], io.BytesIO(), fonts=fonts)
    return boxes, pages


@pytest.mark.parametrize("length", LENGTHS)
def test_commitment_form_names_of_any_length(fonts, length: int) -> None:  # type: ignore[no-untyped-def]
    boxes, pages = commitment(fonts, name_of(length))
    assert_clean(boxes, pages, one_page=True, what=f"承诺书 name {length}")
    names = {b.name for b in boxes}
    assert {"qr", "seal", "signature", "issuer.party", "issuer.date"} <= names


@pytest.mark.parametrize("length", LENGTHS)
def test_check_sheet_names_of_any_length(fonts, length: int) -> None:  # type: ignore[no-untyped-def]
    boxes, pages = check_sheet(fonts, name_of(length))
    assert_clean(boxes, pages, one_page=True, what=f"核查结果单 name {length}")
    on_last = {b.name for b in boxes if b.page == pages}
    assert {"qr", "seal", "signature", "issuer.organ"} <= on_last  # together on one page


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("grade", ["AAA", "C"])
def test_certificate_names_of_any_length(fonts, length: int, grade: str) -> None:  # type: ignore[no-untyped-def]
    boxes, pages = certificate(fonts, name_of(length), grade)
    assert_clean(boxes, pages, one_page=True, what=f"证书 {grade} name {length}")


def test_the_22_character_name_stays_beside_the_qr_code_on_the_commitment_form(fonts) -> None:  # type: ignore[no-untyped-def]
    boxes, _ = commitment(fonts, F.LONG_NAME)
    qr = next(b for b in boxes if b.name == "qr")
    seal = next(b for b in boxes if b.name == "seal")
    for b in boxes:
        if b.name in ("issuer.party", "signature", "organ"):
            assert b.x0 >= qr.x1, b  # right of the code, never over it
        if b.name in ("signature", "organ", "organ.label"):
            assert not b.overlaps(seal), b


@pytest.mark.parametrize("length", [80, 200, 400])
def test_long_free_text_wraps_within_its_box(fonts, length: int) -> None:  # type: ignore[no-untyped-def]
    text = text_of(length)
    boxes, pages = commitment(fonts, name_of(30), text, organ="盱眙县交通运输局" + text[:20])
    assert_clean(boxes, pages, one_page=False, what=f"承诺书 text {length}")
    boxes, pages = check_sheet(fonts, name_of(30), text)
    assert_clean(boxes, pages, one_page=False, what=f"核查结果单 text {length}")
    boxes, pages = certificate(fonts, name_of(40), "B", document_no="盱交信〔2026〕3号" + text[:30], organ="盱眙县交通运输局" + text[:16])
    assert_clean(boxes, pages, one_page=True, what=f"证书 text {length}")


@pytest.mark.parametrize("length", [1, 22, 60])
def test_list_publications_and_publicity_lists(fonts, length: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with L.recording() as boxes:
        pages = render_list_publication(F.publication(name_of(length), members=40), io.BytesIO(), fonts=fonts)
    assert_clean(boxes, pages, one_page=False, what=f"名单公布 {length}")
    rows = [PublicityRow(name_of(length, i), "91320830MA1XYZ1234", "AA", 91.5) for i in range(60)]
    with L.recording() as boxes:
        publicity_list_pdf(rows, tmp_path / "p.pdf", period=2025, domain_name="公路建设市场", organ="盱眙县交通运输局",
                           issued_on=F.DAY, serial="S-1", qr_payload=F.QR, contact="联系电话：0517-88221234；地址：盱眙县五墩路1号", fonts=fonts)
    assert_clean(boxes, max(b.page for b in boxes), one_page=False, what=f"公示名单 {length}")
    assert any(b.name == "contact" for b in boxes)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet=NAME_CHARS, min_size=1, max_size=60), extra=st.text(alphabet=TEXT_CHARS, max_size=120))
def test_property_no_document_collides(fonts, name: str, extra: str) -> None:  # type: ignore[no-untyped-def]
    for what, (boxes, pages), one in (
        ("承诺书", commitment(fonts, name), True),
        ("核查结果单", check_sheet(fonts, name), True),
        ("证书", certificate(fonts, name, "AAA"), True),
        ("承诺书+text", commitment(fonts, name, extra), False),
    ):
        assert_clean(boxes, pages, one_page=one, what=what)


def test_certificate_look_follows_the_grade() -> None:
    assert look_for("AAA").festive and look_for("AA").festive and look_for("A").festive
    assert not look_for("B").festive and not look_for("C").festive and not look_for("D").festive


def test_collisions_report_overlaps_and_allow_the_seal_over_the_date() -> None:
    a = L.Placed("signature", 1, 0, 0, 10, 10)
    seal = L.Placed("seal", 1, 5, 5, 20, 20)
    date = L.Placed("issuer.date", 1, 8, 8, 18, 12)
    other_page = L.Placed("text", 2, 0, 0, 10, 10)
    touching = L.Placed("text", 1, 10, 0, 20, 4)
    pairs = L.collisions([a, seal, date, other_page, touching])
    assert [(x.name, y.name) for x, y in pairs] == [("signature", "seal"), ("signature", "issuer.date")]
