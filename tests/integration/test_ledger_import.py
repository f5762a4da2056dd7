"""运政/港航 ledgers: the 1,000-row fixture imports (entities, drivers, vehicles), a bad plate or USCC writes nothing
and the error workbook marks the cell, re-importing creates nothing, updates are counted, valid-only and cancel,
exports mask personal data unless revealed, vehicles sync to another office and are found there by plate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from xuyi_desktop.exchange import ledger_layouts as L
from xuyi_desktop.exchange.pipeline import ImportCancelled
from xuyi_desktop.services import entities, fleet, ledger_demo
from xuyi_desktop.services import ledger_exchange as lx
from xuyi_desktop.storage.models import AuditEntry, ChangeLog, Entity, EntityRelation, Licence
from xuyi_desktop.storage.models_fleet import PractitionerQualification, Vehicle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))


def counts(ctx) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return {
            "entities": s.execute(select(func.count()).select_from(Entity).where(Entity.deleted_at.is_(None))).scalar_one(),
            "licences": s.execute(select(func.count()).select_from(Licence)).scalar_one(),
            "vehicles": s.execute(select(func.count()).select_from(Vehicle)).scalar_one(),
            "qualifications": s.execute(select(func.count()).select_from(PractitionerQualification)).scalar_one(),
            "links": s.execute(select(func.count()).select_from(EntityRelation)).scalar_one(),
            "changes": s.execute(select(func.count()).select_from(ChangeLog)).scalar_one(),
        }


def xuyi(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=600, check=False)


@pytest.fixture
def thousand(tmp_path: Path) -> Path:
    return ledger_demo.write_ledger_workbook(tmp_path / "台账.xlsx", entities=400, practitioners=300, vehicles=300)


def test_the_thousand_row_ledger_imports_and_a_second_import_creates_nothing(ctx, thousand: Path) -> None:  # type: ignore[no-untyped-def]
    result = lx.import_ledger(ctx, thousand)
    assert result.ok and result.rows == 1000
    assert result.outcomes == {"entities.created": 400, "practitioners.created": 300, "vehicles.created": 300}
    after = counts(ctx)
    assert (after["entities"], after["licences"], after["vehicles"], after["qualifications"], after["links"]) == (700, 400, 300, 300, 300)
    assert after["changes"] == 400 + 300 + 300 + 300 + 300  # every record written has its change-log entry (sync ships them)

    again = lx.import_ledger(ctx, thousand)
    assert again.ok and again.imported == 0
    assert again.outcomes == {"entities.unchanged": 400, "practitioners.unchanged": 300, "vehicles.unchanged": 300}
    assert counts(ctx) == after  # nothing new, nothing changed
    with ctx.transaction() as s:
        audit = s.execute(select(AuditEntry.summary).where(AuditEntry.action == "import.ledger").order_by(AuditEntry.seq)).scalars().all()
    assert len(audit) == 2 and "未变（跳过） 400" in audit[1]

    # The registry finds a vehicle by its plate and names its operator; a driver has the rating cycle.
    hit = entities.find_entities(ctx, ledger_demo.plate(17))
    assert [h.identifier for h in hit] == [ledger_demo.operator_uscc(17)] and hit[0].matched == f"车辆 {ledger_demo.plate(17)}（黄色）"
    q = fleet.get_qualification(ctx, ledger_demo.driver_id(5))
    assert q is not None and q.cycle_start is not None and q.first_issued_on is not None
    assert (q.cycle_start.month, q.cycle_start.day) == (q.first_issued_on.month, q.first_issued_on.day)
    assert q.employers and "*" in q.identifier


def test_a_changed_row_updates_only_that_record(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = ledger_demo.write_ledger_workbook(tmp_path / "a.xlsx", entities=5, vehicles=3)
    lx.import_ledger(ctx, first)
    changed = ledger_demo.write_ledger_workbook(tmp_path / "b.xlsx", entities=5, vehicles=3, bad={
        (L.ENTITY_SHEET, 2): {"地址": "江苏省淮安市盱眙县淮河镇新地址1号"}, (L.VEHICLE_SHEET, 1): {"核定载质量(吨)": 49},
    })
    result = lx.import_ledger(ctx, changed)
    assert result.outcomes == {"entities.updated": 1, "entities.unchanged": 4, "vehicles.updated": 1, "vehicles.unchanged": 2}
    detail = entities.get_entity(ctx, ledger_demo.operator_uscc(2))
    assert detail.address.endswith("新地址1号")
    assert fleet.get_vehicle(ctx, ledger_demo.plate(1)).tonnage == 49


@pytest.mark.parametrize("sheet,header,value,column", [
    (L.VEHICLE_SHEET, "车牌号", "苏HI2345", "车牌号"),
    (L.ENTITY_SHEET, "统一社会信用代码/身份证号码", "91320830PYQLFT169U", "统一社会信用代码/身份证号码"),
])
def test_one_bad_plate_or_uscc_writes_nothing_and_the_error_workbook_marks_the_cell(
    database: str, tmp_path: Path, sheet: str, header: str, value: str, column: str,
) -> None:
    ledger = ledger_demo.write_ledger_workbook(tmp_path / "bad.xlsx", entities=30, practitioners=20, vehicles=20, bad={(sheet, 6): {header: value}})
    errors = tmp_path / "err.xlsx"
    run = xuyi(database, "import", "ledger", str(ledger), "--errors", str(errors), "--json")
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert data["imported"] == 0 and data["outcomes"] == {}
    assert data["errors"][0]["sheet"] == sheet and data["errors"][0]["row"] == 8 and data["errors"][0]["column"] == column
    assert json.loads(xuyi(database, "vehicle", "list", "--json").stdout) == []
    found = xuyi(database, "entity", "find", ledger_demo.operator_uscc(1), "--json")
    assert json.loads(found.stdout) == []  # nothing written
    ws = load_workbook(errors)[sheet]
    headers = [c.value for c in ws[1]]
    col = headers.index(header) + 1
    assert ws.cell(row=8, column=col).fill.fgColor.rgb == "FFFFC7CE"  # the bad cell is red
    assert ws.cell(row=7, column=col).fill.fgColor.rgb != "FFFFC7CE"
    assert headers[-1] == "原因" and ws.cell(row=8, column=len(headers)).value
    plain = xuyi(database, "import", "ledger", str(ledger))
    assert plain.returncode == 1 and plain.stderr.count("\n") == 1 and plain.stderr.startswith("错误：")


def test_valid_only_writes_the_good_rows_and_cancel_writes_nothing(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ledger = ledger_demo.write_ledger_workbook(tmp_path / "v.xlsx", entities=10, vehicles=10, bad={(L.VEHICLE_SHEET, 3): {"号牌颜色": "紫色"}})
    result = lx.import_ledger(ctx, ledger, valid_only=True)
    assert result.failed_rows == 1 and result.outcomes == {"entities.created": 10, "vehicles.created": 9}
    assert result.errors_path is not None and result.errors_path.exists()

    big = ledger_demo.write_ledger_workbook(tmp_path / "big.xlsx", entities=600, seed=3)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] >= 6  # after about 300 rows were written inside the transaction

    before = counts(ctx)
    with pytest.raises(ImportCancelled):
        lx.import_ledger(ctx, big, progress=lambda d, t: None, cancel=cancel)
    assert counts(ctx) == before


def test_export_masks_personal_data_unless_revealed_and_a_revealed_export_imports_back_unchanged(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lx.import_ledger(ctx, ledger_demo.write_ledger_workbook(tmp_path / "l.xlsx", entities=6, practitioners=4, vehicles=5, vessels=2))
    masked = lx.export_ledger(ctx, tmp_path / "masked.xlsx")
    assert masked.counts == {"entities": 10, "practitioners": 4, "vehicles": 5, "vessels": 2} and not masked.revealed
    ws = load_workbook(masked.path)[L.PRACTITIONER_SHEET]
    ids = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert ids and all("*" in i for i in ids)
    phones = [r[6] for r in load_workbook(masked.path)[L.ENTITY_SHEET].iter_rows(min_row=2, values_only=True)]
    assert all("*" in p for p in phones if p)
    revealed = lx.export_ledger(ctx, tmp_path / "full.xlsx", reveal=True)
    assert all("*" not in r[1] for r in load_workbook(revealed.path)[L.PRACTITIONER_SHEET].iter_rows(min_row=2, values_only=True))
    with ctx.transaction() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.summary).where(AuditEntry.action == "export.ledger")).all()
    assert len(actions) == 2 and "含完整个人信息" in actions[1][1]
    back = lx.import_ledger(ctx, revealed.path)
    assert back.ok and back.imported == 0 and set(back.outcomes) == {
        "entities.unchanged", "practitioners.unchanged", "vehicles.unchanged", "vessels.unchanged"}


def test_a_vehicle_registered_at_one_office_is_found_by_plate_at_another(tmp_path: Path) -> None:
    from sync_offices import make_offices

    from xuyi_desktop.services import sync

    a, b = make_offices(tmp_path / "offices", ["XYJ", "XYF1"])
    try:
        with a.active():
            lx.import_ledger(a.ctx, ledger_demo.write_ledger_workbook(tmp_path / "l.xlsx", entities=3, vehicles=3))
            package = sync.export_package(a.ctx, b.code, tmp_path / "p.xsync")
        with b.active():
            assert sync.import_package(b.ctx, package.path).status == "applied"
            hit = entities.find_entities(b.ctx, ledger_demo.plate(2))
            assert [h.identifier for h in hit] == [ledger_demo.operator_uscc(2)] and "苏H00002" in hit[0].matched
    finally:
        a.close()
        b.close()
