"""双公示 Excel exchange: template, all-or-nothing and valid-only import, error workbook, header mapping per
source, cancel, and the reporting batch export (re-opened with openpyxl, converted by LibreOffice if present)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xuyi_desktop.domain.sgs import RecordKind, ReportStatus
from xuyi_desktop.services import sgs, sgs_exchange
from xuyi_desktop.services.sgs_demo import write_ledger
from xuyi_desktop.services.sgs_exchange import ImportCancelled, MappingNeeded

TODAY = dt.date(2025, 12, 1)


def xuyi(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args], capture_output=True, text=True, env=dict(os.environ), timeout=300, check=False
    )


def test_template_has_both_sheets_and_imports_back_empty(tmp_path: Path, ctx) -> None:
    out = sgs_exchange.write_sgs_template(tmp_path / "t.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["行政许可", "行政处罚"]
    assert wb["行政处罚"]["A1"].value == "行政相对人名称"


@pytest.mark.slow
def test_one_bad_row_writes_nothing_then_valid_only_writes_the_good_rows(tmp_path: Path, database: str) -> None:
    ledger = write_ledger(tmp_path / "台账.xlsx", licenses=3, penalties=4, bad={(RecordKind.PENALTY, 2): {"jdrq": "2099-01-01"}})
    assert xuyi(database, "init").returncode == 0
    errors = tmp_path / "err.xlsx"
    first = xuyi(database, "import", "sgs", str(ledger), "--errors", str(errors), "--json")
    assert first.returncode == 1, first.stderr
    data = json.loads(first.stdout)
    assert data["imported"] == 0 and data["failed_rows"] == 1
    assert data["errors"][0]["sheet"] == "行政处罚" and data["errors"][0]["row"] == 3
    assert data["errors"][0]["column"] == "处罚决定日期" and "不能晚于今天" in data["errors"][0]["message"]
    assert json.loads(xuyi(database, "sgs", "list", "--json").stdout) == []  # nothing written

    report = load_workbook(errors)
    ws = report["行政处罚"]
    headers = [c.value for c in ws[1]]
    col = headers.index("处罚决定日期") + 1
    bad_cell = ws.cell(row=3, column=col)
    assert bad_cell.fill.fgColor.rgb == "FFFFC7CE"  # the bad cell is red
    assert ws.cell(row=2, column=col).fill.fgColor.rgb != "FFFFC7CE"
    assert headers[-1] == "原因" and "不能晚于今天" in ws.cell(row=3, column=len(headers)).value
    assert report["错误汇总"].max_row == 1 + len(data["errors"])

    second = xuyi(database, "import", "sgs", str(ledger), "--valid-only", "--errors", str(errors), "--json")
    assert second.returncode == 1
    assert json.loads(second.stdout)["imported"] == 6
    assert len(json.loads(xuyi(database, "sgs", "list", "--json").stdout)) == 6


def test_headers_of_another_system_are_mapped_and_remembered(tmp_path: Path, ctx) -> None:
    # Full-width brackets, national codes and one header nobody knows ("处罚机关名称X").
    ledger = write_ledger(tmp_path / "other.xlsx", penalties=3, headers={
        "行政处罚决定书文号": "CF_WSH", "罚款金额（万元）": "罚款金额(万元)", "处罚机关": "处罚机关名称X", "处罚决定日期": "处罚决定日期 ",
    })
    with pytest.raises(MappingNeeded) as err:
        sgs_exchange.import_sgs(ctx, ledger, source="执法系统", today=TODAY)
    assert err.value.missing == ["jg"] and "处罚机关名称X" in err.value.unknown
    done = sgs_exchange.import_sgs(ctx, ledger, source="执法系统", mapping={"处罚机关名称X": "处罚机关"}, today=TODAY)
    assert done.ok and done.imported == 3
    # Next file from the same source: the mapping is remembered.
    again = write_ledger(tmp_path / "other2.xlsx", penalties=2, start=dt.date(2024, 1, 2), headers={"处罚机关": "处罚机关名称X"})
    sgs_exchange.import_sgs(ctx, again, source="执法系统", today=TODAY)


def test_cancel_leaves_nothing_written(tmp_path: Path, ctx) -> None:
    ledger = write_ledger(tmp_path / "big.xlsx", licenses=150, penalties=150)
    seen: list[tuple[int, int]] = []
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] >= 4  # after about 200 rows were written inside the transaction

    with pytest.raises(ImportCancelled):
        sgs_exchange.import_sgs(ctx, ledger, progress=lambda d, t: seen.append((d, t)), cancel=cancel, today=TODAY)
    assert sgs.list_records(ctx) == []
    done = sgs_exchange.import_sgs(ctx, ledger, progress=lambda d, t: seen.append((d, t)), today=TODAY)
    assert done.imported == 300 and seen[-1][0] == seen[-1][1]


def test_export_batch_marks_reported_and_opens_again(tmp_path: Path, ctx) -> None:
    ledger = write_ledger(tmp_path / "l.xlsx", licenses=2, penalties=5)
    assert sgs_exchange.import_sgs(ctx, ledger, today=TODAY).ok
    out = tmp_path / "batch.xlsx"
    result = sgs_exchange.export_sgs(ctx, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), out=out, batch_no="B-9", today=TODAY)
    assert (result.licenses, result.penalties) == (2, 5)
    assert {v.status for v in sgs.list_records(ctx, today=TODAY)} <= {ReportStatus.REPORTED, ReportStatus.LATE}
    wb = load_workbook(out)
    assert wb.sheetnames == ["行政许可", "行政处罚"]
    assert [c.value for c in wb["行政处罚"][1]][:3] == ["行政相对人名称", "行政相对人类别", "统一社会信用代码"]
    assert wb["行政处罚"].max_row == 6
    # A second batch has nothing new; the public version masks personal ID numbers.
    assert sgs_exchange.export_sgs(ctx, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), out=tmp_path / "b2.xlsx", today=TODAY).penalties == 0
    public = tmp_path / "public.xlsx"
    sgs_exchange.export_sgs(ctx, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), out=public, public=True, today=TODAY)
    ws = load_workbook(public)["行政处罚"]
    id_col = [c.value for c in ws[1]].index("证件号码")
    person_ids = [row[id_col] for row in ws.iter_rows(min_row=2, values_only=True) if row[id_col]]
    assert person_ids and all("*" in v for v in person_ids)

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
    conv = subprocess.run([soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(out)],
                          capture_output=True, text=True, timeout=180, check=False)
    assert conv.returncode == 0, conv.stderr
    assert "盱眙" in (tmp_path / "batch.csv").read_text(encoding="utf-8", errors="replace")
