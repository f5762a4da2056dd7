"""The 核验 page driven like a USB QR scanner: type the code, Enter → 有效 in green; one changed character →
无效 in red; the line clears and keeps the focus; a printed PDF verifies from the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from rating_flow import step_day
from ui_helpers import USCC_A

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import printing
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.ui.verify_page import INVALID_COLOUR, VALID_COLOUR, VerifyPage


@pytest.fixture
def verify_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    page = VerifyPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(700, 480)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    return page


@pytest.fixture
def certificate(ctx, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    entity = register_entity(ctx, EntityDraft(name="盱眙县顺达建设工程有限公司", identifier=USCC_A, categories=("construction_unit",)))
    rating = add_rating(ctx, RatingInput(entity.summary.id, "highway_construction", 2025, score=96,
                                         decision_date=dt.date.today(), document_no="盱交信〔2026〕3号"))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, rating.id, status, today=step_day(status))
    return printing.print_certificate(ctx, rating.id, tmp_path / "cert.pdf")


def scan(qtbot, page: VerifyPage, text: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(page.verified, timeout=5000):
        qtbot.keyClicks(page.input, text)
        qtbot.keyClick(page.input, Qt.Key.Key_Return)


def test_scanned_code_valid_then_tampered_invalid(qtbot, verify_page: VerifyPage, certificate: Path) -> None:  # type: ignore[no-untyped-def]
    (payload,) = printing.payloads_in_pdf(certificate)
    assert payload.isascii()

    scan(qtbot, verify_page, payload)
    assert verify_page.last_valid is True
    assert verify_page.verdict.text().startswith("有效") and VALID_COLOUR in verify_page.verdict.styleSheet()
    shown = verify_page.details.text()
    assert "盱眙县顺达建设工程有限公司" in shown and "AA级" in shown and "签发" in shown
    assert verify_page.input.text() == "" and verify_page.input.hasFocus()

    i = len(payload) - 10
    tampered = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1 :]
    scan(qtbot, verify_page, tampered)
    assert verify_page.last_valid is False
    assert verify_page.verdict.text().startswith("无效") and INVALID_COLOUR in verify_page.verdict.styleSheet()
    assert verify_page.input.text() == "" and verify_page.input.hasFocus()

    scan(qtbot, verify_page, "hello")
    assert verify_page.verdict.text().startswith("无效")


def test_pdf_file_verifies(qtbot, verify_page: VerifyPage, certificate: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert verify_page.verify_pdf_file(certificate) is True
    assert verify_page.verdict.text().startswith("有效")
    other = tmp_path / "empty.pdf"
    other.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert verify_page.verify_pdf_file(other) is False
    assert verify_page.verdict.text().startswith("无效")
