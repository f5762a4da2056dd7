"""What a 双公示 import writes, pinned (issue 17): the stored rows, the change log (images byte for byte), the
audit entries (details, order, the chain), the result, the error list and the error workbook of a ledger full of
the ways clerks get rows wrong, stored once from the code before the per-row work was made faster
(tests/support/sgs_import_pinned.json). Ids, times, the office code and the file's own digest are masked; every
audit entry's after_sha256 is checked against the change-log text it names, and the chain is verified.

To record the file again (only when the import is meant to write something different), run this module with
XUYI_RECORD_PINNED=1."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.sgs_layout import sgs_layout
from xuyi_desktop.services import audit, entities, sgs, sgs_exchange
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.sgs_demo import license_raw, penalty_raw, uscc, write_ledger
from xuyi_desktop.storage.change_log import image_digest
from xuyi_desktop.storage.models import AuditEntry, ChangeLog
from xuyi_desktop.storage.models_sgs import SgsRecord
from xuyi_desktop.storage.snapshots import row_image

TODAY = dt.date(2025, 12, 1)
PINNED = Path(__file__).resolve().parents[1] / "support" / "sgs_import_pinned.json"
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")
_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(\+00:00)?")


def _licence_rows() -> list[dict[str, Any]]:
    day = dt.date(2025, 3, 11)
    rows = [license_raw(i, day + dt.timedelta(days=i)) for i in range(1, 25)]
    rows[1]["社会信用代码"] = rows[1]["xdr_shxym"].lower()  # the same code twice: no clash
    rows[2]["社会信用代码"] = uscc(777)  # two different codes for one field
    rows[3] |= {"yxqz": "2025-06-01", "yxqzi": "2025-05-01"}
    rows[4] |= {"yxqzi": "长期"}
    rows[5] |= {"yxqzi": "2100-01-01"}
    rows[6] |= {"zt": "1", "xklb": "特种"}
    rows[7] |= {"jdrq": 45678, "yxqz": dt.datetime(2025, 2, 3, 0, 0)}
    rows[8] |= {"jdrq": "2099-01-01"}
    rows[9] |= {"jdrq": "2025-13-45"}
    rows[10] |= {"wsh": "许可第12号"}
    rows[11] |= {"wsh": "盱交许〔２０２５〕１号"}  # rows[0]'s number in full-width digits: a duplicate
    rows[12] |= {"xdr_mc": "盱眙" * 120}
    rows[13] |= {"jg": None}
    rows[14] |= {"xdr_shxym": rows[14]["xdr_shxym"][:-1] + ("0" if rows[14]["xdr_shxym"][-1] != "0" else "1")}
    rows[15] |= {"fr_zjhm": 320830198001010011}
    rows[16] |= {"xdr_lb": "企业", "fr_zjlx": "居民身份证", "nr": "  道路   普通货物\n运输 ", "wsh": " 盱交许〔2025〕 17号 "}
    rows[17] |= {"jgdm": "=\"11320830\"&\"0000000\""}  # a formula in a column we read
    rows[18] |= {"wsh": "盱交许〔2024〕900号"}  # registered before the import
    rows[19] |= {"xdr_lb": "外星人"}
    rows[20] |= {"xdr_lb": "自然人", "frdb": None}
    rows[21] |= {"fr_zjhm": rows[21]["fr_zjhm"][:-1] + ("0" if rows[21]["fr_zjhm"][-1] != "0" else "1")}
    rows[22] |= {"xkbh": 123456.0, "bz": "备注  有  空格"}
    return rows


def _penalty_rows() -> list[dict[str, Any]]:
    day = dt.date(2025, 4, 2)
    rows = [penalty_raw(i, day + dt.timedelta(days=i), person=i % 5 == 0) for i in range(1, 31)]
    rows[2] |= {"publicity_class": None}
    rows[3] |= {"publicity_class": "待定"}
    rows[4] |= {"publicity_class": "严重失信", "gsjzq": "2027-01-01"}
    rows[5] |= {"gsjzq": "2035-01-01"}
    rows[6] |= {"publicity_class": "轻微", "gsjzq": "2025-12-01"}
    rows[7] |= {"fk": "abc"}
    rows[8] |= {"fk": "-1"}
    rows[9] |= {"fk": "2000000"}
    rows[10] |= {"fk": "0.1234567"}
    rows[11] |= {"cflb": "警告；打屁股"}
    rows[12] |= {"cflb": "吊销许可证", "fk": None, "publicity_class": None}
    rows[13] |= {"cflb": "警告", "publicity_class": None}
    rows[14] |= {"fk": "0"}
    rows[15] |= {"fk": None}
    rows[16] |= {"wfff": "0.2"}
    rows[17] |= {"cf_yxq": "2024-01-01"}
    rows[18] |= {"xdr_zjhm": "320830198013010017"}  # i = 19: an organisation: a legal person's card is checked too
    rows[19] |= {"xdr_zjhm": 320830198001010011}  # i = 20, a natural person: digits lost
    rows[20] |= {"jdrq": "1985-01-01"}
    rows[21] |= {"jdrq": dt.datetime(2025, 5, 6, 0, 0)}
    rows[22] |= {"fk": "0.5万元", "cflb": "罚款、没收违法所得", "wfff": "1,000"}
    rows[23] |= {"jdrq": None}
    rows[24] |= {"publicity_class": "未知类"}
    rows[25] |= {"wsh": rows[0]["wsh"]}
    rows[26] |= {"sy": "第一行\n第二行  末尾 ", "wfxw": "  超限   运输 "}
    rows[27] |= {"xdr_lb": "个人", "xdr_zjlx": "护照", "xdr_zjhm": "E12345678"}
    rows[28] |= {"publicity_class": None, "yj": "《安全生产法》第九十九条", "fk": "50"}
    return rows


def _write_bad_ledger(path: Path) -> Path:
    """Two sheets as clerks make them: a title line, an unknown 序号 column with formulas, a second column for one
    field, a blank line and a footnote in the table, numbers and dates typed as such."""
    wb = Workbook()
    wb.remove(wb.active)
    for kind, rows in ((RecordKind.LICENSE, _licence_rows()), (RecordKind.PENALTY, _penalty_rows())):
        layout = sgs_layout(kind)
        ws = wb.create_sheet(layout.name)
        fields = [c.field for c in layout.columns]
        extra = ["社会信用代码"] if kind is RecordKind.LICENSE else []
        if kind is RecordKind.LICENSE:
            ws.append(["行政许可信息台账（2025年）"])
        ws.append(["序号", *[c.header for c in layout.columns], *extra])
        first = ws.max_row + 1
        for n, raw in enumerate(rows):
            if kind is RecordKind.LICENSE and n == 20:
                ws.append([])
                ws.append([None, "注：本表由执法系统导出"])
            ws.append([f"=ROW()-{first - 1}", *[raw.get(f) for f in fields], *[raw.get(e) for e in extra]])
        ws.append([None, "填表人：张三", None, None, "审核人：李四"])
    wb.save(path)
    return path


def _mask(ctx: AppContext, value: Any) -> Any:
    if isinstance(value, str):
        return _TIME.sub("T", _ID.sub("U", value)).replace(ctx.office_code, "OFFICE")
    if isinstance(value, dict):
        return {k: _mask(ctx, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(ctx, v) for v in value]
    return value


def _database(ctx: AppContext) -> dict[str, Any]:
    """Rows, change log and audit entries, masked; every after_sha256 checked against its change-log text."""
    with ctx.transaction() as session:
        changes = session.execute(select(ChangeLog).order_by(ChangeLog.seq)).scalars().all()
        by_seq = {c.seq: c for c in changes if c.office_code == ctx.office_code}
        log = [_mask(ctx, [c.seq, c.actor, c.table_name, str(c.record_id), c.action, c.record_version, c.summary,
                           c.before_json, c.after_json]) for c in changes]
        rows = [_mask(ctx, row_image(r)) for r in session.execute(
            select(SgsRecord).order_by(SgsRecord.kind, SgsRecord.wsh, SgsRecord.revision)).scalars()]
        entries = []
        for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
            details = json.loads(e.details_json)
            if "after_sha256" in details:
                assert details["after_sha256"] == image_digest(by_seq[details["change_seq"]].after_json)
                details["after_sha256"] = "matches the change log"
            details.pop("sha256", None)  # the ledger file's digest (openpyxl stamps the time it was saved)
            entries.append(_mask(ctx, [e.seq, e.username, e.action, e.record_table, e.record_id, e.summary, details]))
    report = audit.verify_chain(ctx)
    assert report.ok, report
    return {"rows": rows, "change_log": log, "audit": entries}


def _workbook(path: Path | None) -> list[Any]:
    """Every sheet of the error workbook: values and the fill of every cell that has one."""
    if path is None or not path.exists():
        return []
    out: list[Any] = []
    wb = load_workbook(path)
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type else None
                value = c.value.isoformat() if isinstance(c.value, dt.date) else c.value
                if value is not None or fill:
                    cells.append([c.coordinate, value, fill if isinstance(fill, str) else None])
        out.append([ws.title, cells])
    return out


def _import(ctx: AppContext, ledger: Path, errors: Path, **kwargs: Any) -> dict[str, Any]:
    result = sgs_exchange.import_sgs(ctx, ledger, errors_path=errors, today=TODAY, **kwargs)
    shown = result.to_json()
    for key in ("file", "errors_path", "seconds", "source"):
        shown.pop(key)
    return {"result": _mask(ctx, shown), "errors": [e.to_json() for e in result.errors], "workbook": _workbook(result.errors_path)}


def _prepare(ctx: AppContext) -> None:
    """An entity the first penalty's party is (linked by its code) and a licence already registered."""
    entities.register_entity(ctx, EntityDraft(name="盱眙第1运输有限公司", identifier=uscc(1001)))
    entities.register_entity(ctx, EntityDraft(name="盱眙第5物流有限公司", identifier=uscc(50005)))
    raw = license_raw(19, dt.date(2024, 5, 6)) | {"wsh": "盱交许〔2024〕900号"}
    sgs.add_record(ctx, RecordKind.LICENSE, raw, today=TODAY)


def _scenario(tmp_path: Path, new_db: Any) -> dict[str, Any]:
    bad = _write_bad_ledger(tmp_path / "台账-有误.xlsx")
    clean = write_ledger(tmp_path / "台账.xlsx", licenses=20, penalties=25, start=dt.date(2025, 1, 2))
    out: dict[str, Any] = {}
    for name, ledger, kwargs in (("all_or_nothing_bad", bad, {}), ("valid_only_bad", bad, {"valid_only": True}),
                                 ("clean", clean, {})):
        ctx = open_context(new_db(name))
        try:
            _prepare(ctx)
            out[name] = _import(ctx, ledger, tmp_path / f"{name}.errors.xlsx", **kwargs)
            out[name]["database"] = _database(ctx)
            if name == "clean":  # the same file again: every row is a duplicate now, nothing is written
                out["clean_again"] = _import(ctx, ledger, tmp_path / "again.errors.xlsx")
                out["clean_again"]["database_size"] = {k: len(v) for k, v in _database(ctx).items()}
        finally:
            ctx.close()
    return out


def test_import_writes_what_it_wrote_before(tmp_path: Path, new_db, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small batches: the rows, change-log rows and audit entries cross several flushes.
    monkeypatch.setattr(sgs.BulkInserter, "FLUSH_EVERY", 7)
    monkeypatch.setattr(audit.AuditBatch, "FLUSH_EVERY", 5)
    got = json.loads(json.dumps(_scenario(tmp_path, new_db), ensure_ascii=False, default=str))
    if os.environ.get("XUYI_RECORD_PINNED"):
        PINNED.write_text(json.dumps(got, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(PINNED.read_text(encoding="utf-8"))
    assert got.keys() == expected.keys()
    for name in expected:
        for part in expected[name]:
            assert got[name][part] == expected[name][part], (name, part)
    bad = expected["valid_only_bad"]
    assert bad["result"]["imported"] >= 15 and bad["result"]["failed_rows"] >= 30  # the scenario is what it claims
    assert expected["all_or_nothing_bad"]["result"]["imported"] == 0
    assert expected["clean"]["result"]["imported"] == 45
