"""A sheet row the 双公示 layout typed field by field is not typed a second time by `prepare(typed=True)`
(issue 17): for the kinds it skips, coerce_field's output typed again is itself, and prepare gives the same
values, problems (same words) and warnings either way, on good and broken rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.sgs_layout import sgs_layout
from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS
from xuyi_desktop.services import sgs
from xuyi_desktop.services.sgs_demo import write_ledger

TODAY = dt.date(2025, 12, 1)

_RAW: dict[str, list[Any]] = {
    "date": [dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 12, 30), "2025/3/1", "2025年3月1日", "20250301", 45000, 45000.0,
             "长期", "２０２５－０３－０１"],
    "amount": ["0.5", 0.5, 3, "1,000", "２万元", Decimal("0.500000"), "1E+1", "0", 12.25, "0.000001"],
    "codes": ["罚款", "警告；罚款", "罚款,警告、罚款", ["警告", "罚款"], "没收违法所得/没收非法财物"],
    "docno": ["盱交罚〔２０２５〕１２号", " 盱交罚 〔2025〕 12号 ", "盱交罚字[2025]第0012号"],
    "text": ["  一 段\t文字  ", 12.0, 3.5, dt.datetime(2025, 1, 1), "盱眙县交通运输局", "a\nb"],
}


def _typed_again_is_itself(kind: RecordKind, name: str, raw: Any) -> None:
    try:
        first = rules.coerce_field(kind, name, raw)
    except ValueError:
        return
    second = rules.coerce_field(kind, name, first)
    assert second == first and type(second) is type(first), (name, raw, first, second)
    assert str(second) == str(first)  # a Decimal keeps its exponent


def test_settled_kinds_type_to_themselves() -> None:
    for kind in RecordKind:
        for f in rules.fields_for(kind):
            if f.kind not in rules._SETTLED_KINDS:
                continue
            if f.kind == "code":
                samples = list(rules.CODE_SPELLINGS[f.name]) + list(rules.CODE_SPELLINGS[f.name].values())
            else:
                samples = _RAW[f.kind]
            for raw in samples:
                _typed_again_is_itself(kind, f.name, raw)


def _parsed_rows(path: Path) -> list[tuple[RecordKind, dict[str, Any]]]:
    out: list[tuple[RecordKind, dict[str, Any]]] = []
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws, kind in zip(wb.worksheets, RecordKind):
            layout = sgs_layout(kind)
            header = layout.find_header(list(islice(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS)))
            assert header is not None
            for n, cells in enumerate(ws.iter_rows(min_row=header.row + 1, values_only=True), start=header.row + 1):
                parsed = layout.read_row(cells, header, n, key_field="wsh")
                if parsed is not None and not parsed.note:
                    out.append((kind, parsed.values))
    finally:
        wb.close()
    return out


def test_prepare_typed_answers_as_prepare(tmp_path: Path) -> None:
    bad = {
        (RecordKind.LICENSE, 2): {"jdrq": "2099-01-01", "xdr_shxym": "91320830000001M0X1"},
        (RecordKind.LICENSE, 3): {"xklb": "特殊", "yxqz": "2025/5/1", "yxqzi": "2025/4/1", "wsh": "无文号"},
        (RecordKind.PENALTY, 1): {"fk": "", "cflb": "罚款；警告", "publicity_class": ""},
        (RecordKind.PENALTY, 2): {"fk": "0", "xdr_zjhm": "320830198001017018", "gsjzq": "2020/01/01"},
        (RecordKind.PENALTY, 3): {"wfff": "1.5", "zkdx": "", "cflb": "暂扣许可证件", "publicity_class": "严重"},
        (RecordKind.PENALTY, 4): {"cflb": "罚款", "fk": "１２．５", "wsh": "盱交罚〔２０２５〕９９号", "xdr_lb": "个人"},
    }
    ledger = write_ledger(tmp_path / "l.xlsx", licenses=6, penalties=8, bad=bad)
    rows = _parsed_rows(ledger)
    assert len(rows) == 14
    broken = 0
    for kind, values in rows:
        plain = sgs.prepare(kind, values, today=TODAY)
        typed = sgs.prepare(kind, values, today=TODAY, typed=True)
        assert typed == plain
        broken += bool(plain[1])
    assert broken >= 5  # the broken rows were read and refused the same way
