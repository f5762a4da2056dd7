"""What a batch reuses from page to page (issue 17) changes no byte of the file: every document rendered with
the reuse switched off is identical to the one rendered with it (ReportLab's invariant mode fixes the dates
and the file id)."""

from __future__ import annotations

import dataclasses
import io

import print_docs as F
import pytest
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing.certificate import render_certificates
from xuyi_desktop.printing.commitment_form import render_commitment_forms
from xuyi_desktop.printing.fonts import register_fonts

NAMES = (F.LONG_NAME, "盱眙县顺达建设工程有限公司", "张三", "盱眙县金鑫运输有限责任公司盱城分公司")


def _forms() -> list[object]:
    out = []
    for i in range(8):
        d = F.commitment(NAMES[i % len(NAMES)], text="补充说明" * i)
        out.append(dataclasses.replace(d, serial=f"TMP-ABCDEF-CN-2026-{i:06d}", preview=(i == 7)))
    return out


def _render(monkeypatch: pytest.MonkeyPatch, reuse: bool) -> tuple[bytes, bytes]:
    monkeypatch.setattr(rl_config, "invariant", 1)
    if not reuse:
        monkeypatch.setattr(L, "_plain_state", lambda canvas, color: False)
    forms, certs = io.BytesIO(), io.BytesIO()
    render_commitment_forms(_forms(), forms)  # type: ignore[arg-type]
    render_certificates([F.certificate(name=n) for n in NAMES], certs)
    monkeypatch.undo()
    return forms.getvalue(), certs.getvalue()


def test_a_batch_is_byte_for_byte_the_same_with_and_without_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    register_fonts()
    assert _render(monkeypatch, reuse=True) == _render(monkeypatch, reuse=False)


def test_reused_text_lands_where_it_is_drawn_and_translucent_text_is_not_reused() -> None:
    fonts = register_fonts()
    canvas = Canvas(io.BytesIO())
    style = L.TextStyle(fonts.body.name, 12, 12, "left")
    L.draw_text(canvas, 10, 20, "承诺主体", style)
    L.draw_text(canvas, 30.5, 40.25, "承诺主体", style)
    first, second = canvas._code[-8:-4], canvas._code[-4:]
    assert first[2].startswith("BT 1 0 0 1 10 20 Tm") and second[2].startswith("BT 1 0 0 1 30.5 40.25 Tm")
    assert first[2].split(" Tm", 1)[1] == second[2].split(" Tm", 1)[1] and first[:2] == second[:2]
    faint = style.with_(color=colors.Color(0.8, 0.1, 0.1, alpha=0.5))
    L.draw_text(canvas, 10, 20, "盖章", faint)
    canvas.showPage()
    L.draw_text(canvas, 10, 20, "盖章", faint)  # a new page: its transparency state must be declared again
    assert any(op.endswith(" gs") for op in canvas._code)
