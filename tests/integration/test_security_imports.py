"""Issue 21, finding 17: cached values of formulas and external links are not imported silently, two columns for
one field that disagree are a bad row naming both, and saving an attachment is audited."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.exchange.workbooks import FileProblem, formula_cells
from xuyi_desktop.services import entities, ledger_demo, ratings
from xuyi_desktop.services import ledger_exchange as lx
from xuyi_desktop.services.rating_exchange import import_ratings
from xuyi_desktop.storage.models import AuditEntry, Entity, Rating

UNIT = "91320830PYQLFT169T"
HEADER = ["序号", "企业名称", "统一社会信用代码", "评价领域", "年度", "总分", "评价机关"]
ROWS: list[list[Any]] = [
    [1, "江苏淮盱路桥工程有限公司", UNIT, "公路水运工程建设从业单位", 2024, 96.5, "淮安市交通运输局"],
]


def _xuyi(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120, stdin=subprocess.DEVNULL, check=False)


def _workbook(path: Path, header: list[Any], rows: list[list[Any]], title: str = "评价结果") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _rewrite(path: Path, change: Any) -> None:
    """Rewrite the zip with `change(name, data) -> data` applied to every member (what Excel would have saved)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
        extra = change("<add>", b"")
        if extra:
            dst.writestr("xl/externalLinks/externalLink1.xml", extra)
    tmp.replace(path)


def _with_formula(path: Path, ref: str, formula: str = "SUM(90,6.5)", sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    """A formula on cell `ref` that keeps the value the cell had as its cached result (Excel's <f> + <v>)."""
    def change(name: str, data: bytes) -> bytes:
        if name != sheet:
            return data
        new, n = re.subn(rb'(<c r="' + ref.encode() + rb'"[^>]*>)', rb"\1<f>" + formula.encode() + rb"</f>", data)
        assert n == 1
        return new
    _rewrite(path, change)
    return path


@pytest.fixture
def unit(ctx):  # type: ignore[no-untyped-def]
    entities.register_entity(ctx, EntityDraft(name="江苏淮盱路桥工程有限公司", identifier=UNIT, categories=("construction_unit",)))
    return ctx


def _ratings(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return s.execute(select(func.count()).select_from(Rating)).scalar_one()


def test_a_formula_in_a_column_read_is_a_bad_cell_naming_row_and_column(unit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _with_formula(_workbook(tmp_path / "评价.xlsx", HEADER, ROWS), "F2")
    assert formula_cells(src) == {"评价结果": {(2, 6)}}
    assert load_workbook(src, data_only=True).active["F2"].value == 96.5  # the cached value openpyxl would take
    result = import_ratings(unit, src)
    assert not result.ok and _ratings(unit) == 0
    assert [(e.row, e.column, e.message_zh) for e in result.errors] == [(2, "总分", "第2行第6列（F列）是公式，请粘贴为数值后再导入")]
    report = load_workbook(result.errors_path)
    assert "是公式" in str(report.active.cell(2, len(HEADER) + 1).value)


def test_a_formula_in_a_column_not_read_is_harmless(unit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _with_formula(_workbook(tmp_path / "评价.xlsx", HEADER, ROWS), "A2", "ROW()-1")  # 序号 =ROW()-1
    result = import_ratings(unit, src)
    assert result.ok, result.errors
    assert _ratings(unit) == 1


def test_the_ledger_pipeline_refuses_a_formula_cell_through_the_cli(database: str, tmp_path: Path) -> None:
    src = ledger_demo.write_ledger_workbook(tmp_path / "台账.xlsx", entities=3)
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    head = next(r for r in range(1, 11) if any(c.value == "名称" for c in ws[r]))
    col = next(c.column_letter for c in ws[head] if c.value == "名称")
    sheet_part = "xl/worksheets/sheet1.xml"
    _with_formula(src, f"{col}{head + 2}", "\"盱眙\"&amp;\"运输\"", sheet_part)
    out = _xuyi(database, "import", "entities", str(src), "--json")
    assert out.returncode == 1, out.stderr
    assert f"第{head + 2}行第" in out.stdout and "是公式，请粘贴为数值后再导入" in out.stdout


def test_a_workbook_with_external_links_is_refused(unit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _workbook(tmp_path / "评价.xlsx", HEADER, ROWS)
    _rewrite(src, lambda name, data: b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
             if name == "<add>" else data)
    with pytest.raises(FileProblem) as refused:
        import_ratings(unit, src)
    assert "外部链接" in refused.value.message_zh and _ratings(unit) == 0


def test_two_columns_for_one_field_must_agree(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = ledger_demo.write_ledger_workbook(tmp_path / "台账.xlsx", entities=3)
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    head = next(r for r in range(1, 11) if any(c.value == "名称" for c in ws[r]))
    name_col = next(c.column for c in ws[head] if c.value == "名称")
    extra = ws.max_column + 1
    ws.cell(head, extra, "企业名称")  # an alias of 名称: a second column for the same field
    for r in range(head + 1, head + 4):
        ws.cell(r, extra, ws.cell(r, name_col).value)  # the same name: fine
    first_name = ws.cell(head + 2, name_col).value
    ws.cell(head + 2, extra, "盱眙另一家运输有限公司")  # a different name on one row
    wb.save(src)

    result = lx.import_ledger(ctx, src)
    assert not result.ok and result.failed_rows == 1
    (error,) = result.errors
    assert error.row == head + 2 and error.column == "企业名称"
    assert f"“名称”列（{first_name}）与“企业名称”列（盱眙另一家运输有限公司）都对应“名称”" in error.message_zh
    with ctx.transaction() as s:
        assert s.execute(select(func.count()).select_from(Entity)).scalar_one() == 0  # all or nothing

    ws.cell(head + 2, extra, first_name)
    wb.save(src)
    assert lx.import_ledger(ctx, src).ok


def test_saving_an_attachment_is_audited(ctx, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    entities.register_entity(ctx, EntityDraft(name="江苏淮盱路桥工程有限公司", identifier=UNIT, categories=("construction_unit",)))
    view = ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=dt.date.today().year, score=96))
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    attachment_id = ratings.attach_file(ctx, view.id, scan)
    out = tmp_path / "另存.pdf"
    done = _xuyi(database, "rating", "attachment-save", str(attachment_id), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == scan.read_bytes()
    with ctx.transaction() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "attachment.save")).scalar_one()
    assert entry.record_id == str(attachment_id) and str(out) in entry.summary and "扫描件.pdf" in entry.summary
