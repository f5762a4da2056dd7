"""Synthetic 运政/港航 ledgers and overload notifications (valid identifiers, plates and 船舶识别号) in the import
layouts, for tests, demos and bench/import_ledger.py. Deterministic for a seed; streamed, so 100,000 rows are cheap."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xuyi_desktop.exchange import ledger_layouts as L
from xuyi_desktop.exchange.columns import Layout
from xuyi_desktop.exchange.workbooks import save_workbook
from xuyi_desktop.services.demo_data import BRAND_CHARS, GIVEN_CHARS, PREFIXES, ROADS, SURNAMES, TOWNSHIPS
from xuyi_desktop.services.sgs_demo import id_card, uscc

Bad = Mapping[tuple[str, int], Mapping[str, Any]]  # (sheet name, 0-based data row) -> header -> value to write instead


def operator_uscc(i: int) -> str:
    return uscc(100_000 + i)


def driver_id(i: int) -> str:
    return id_card(i, born=dt.date(1965, 1, 1) + dt.timedelta(days=i // 1000 * 37))


def plate(i: int) -> str:
    """苏H00001 … 苏H99999, then 苏HA0000 …: valid, unique, never I or O."""
    if i < 100_000:
        return f"苏H{i:05d}"
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    j = i - 100_000
    return f"苏H{letters[j // 10_000 % len(letters)]}{j % 10_000:04d}"


def ship_id(i: int) -> str:
    return f"CN2010{i:07d}"[:13]


def _sheet(wb: Workbook, layout: Layout, rows: list[dict[str, Any]], bad: Bad) -> None:
    ws = wb.create_sheet(layout.name)
    headers = [c.header for c in layout.columns]
    ws.append(headers)
    for i, row in enumerate(rows):
        fixed = dict(row)
        for header, value in bad.get((layout.name, i), {}).items():
            fixed[header] = value
        ws.append([fixed.get(h) for h in headers])


def ledger_rows(entities: int, practitioners: int, vehicles: int, vessels: int, *, seed: int = 14) -> dict[str, list[dict[str, Any]]]:
    """Rows by sheet name, keyed by header text. Operators are entities 0…; drivers and vehicles belong to them."""
    rng = random.Random(seed)
    operators = max(entities, 1)
    out: dict[str, list[dict[str, Any]]] = {L.ENTITY_SHEET: [], L.PRACTITIONER_SHEET: [], L.VEHICLE_SHEET: [], L.VESSEL_SHEET: []}
    for i in range(entities):
        water = i % 10 == 9
        town = rng.choice(TOWNSHIPS)
        out[L.ENTITY_SHEET].append({
            "名称": f"{rng.choice(PREFIXES)}{rng.choice(BRAND_CHARS)}{rng.choice(BRAND_CHARS)}{'航运' if water else '运输'}{i}号有限公司",
            "统一社会信用代码/身份证号码": operator_uscc(i), "主体类型": "单位",
            "主体类别": "水路运输经营者" if water else "道路运输经营者",
            "法定代表人": rng.choice(SURNAMES) + rng.choice(GIVEN_CHARS),
            "地址": f"江苏省淮安市盱眙县{town}{rng.choice(ROADS)}{rng.randrange(1, 400)}号",
            "联系电话": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", "状态": "存续",
            "证照类型": "水路运输许可证" if water else "道路运输经营许可证",
            "证照编号": f"苏交运管许可淮字320830{i:06d}号",
            "证照有效期自": dt.date(2022, 1, 1) + dt.timedelta(days=i % 700), "证照有效期至": dt.date(2027, 12, 31),
        })
    for i in range(practitioners):
        ident = driver_id(i)
        out[L.PRACTITIONER_SHEET].append({
            "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS), "身份证号码": ident, "从业资格证号": ident,
            "从业资格类别": rng.choice(("道路货物运输驾驶员", "道路旅客运输驾驶员", "道路货物运输驾驶员")),
            "初次领证日期": dt.date(2010, 3, 1) + dt.timedelta(days=(i * 53) % 4000), "有效期至": dt.date(2028, 6, 30),
            "联系电话": f"13{rng.randrange(10**9):09d}", "所属企业统一社会信用代码": operator_uscc(i % operators),
        })
    for i in range(vehicles):
        out[L.VEHICLE_SHEET].append({
            "车牌号": plate(i), "号牌颜色": "黄色", "经营业户统一社会信用代码": operator_uscc(i % operators),
            "道路运输证号": f"320830{i:06d}", "车辆类型": rng.choice(("重型半挂牵引车", "重型厢式货车", "中型普通货车")),
            "核定载质量(吨)": rng.choice((18, 25, 31, 40)), "道路运输证有效期起": dt.date(2023, 1, 1),
            "道路运输证有效期止": dt.date(2027, 1, 1), "营运状态": "营运",
        })
    for i in range(vessels):
        out[L.VESSEL_SHEET].append({
            "船名": f"苏盱眙货{1000 + i}", "船舶识别号": ship_id(i), "经营人统一社会信用代码": operator_uscc((i * 10 + 9) % operators),
            "船舶营业运输证号": f"苏盱XK{i:05d}", "船舶类型": "散货船", "总吨": 499 + i % 300, "载重吨": 900 + i % 500,
        })
    return out


def write_ledger_workbook(path: Path, *, entities: int = 0, practitioners: int = 0, vehicles: int = 0, vessels: int = 0,
                          seed: int = 14, bad: Bad | None = None) -> Path:
    """A workbook with one sheet per non-empty kind, in the template's columns."""
    rows = ledger_rows(entities, practitioners, vehicles, vessels, seed=seed)
    wb = Workbook(write_only=True)
    for layout in (L.entity_layout(), L.practitioner_layout(), L.vehicle_layout(), L.vessel_layout()):
        if rows[layout.name]:
            _sheet(wb, layout, rows[layout.name], bad or {})
    save_workbook(wb, path)
    return path


def write_overload_workbook(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Overload notifications (rows keyed by the 治超抄报 headers)."""
    wb = Workbook(write_only=True)
    _sheet(wb, L.overload_layout(), rows, {})
    save_workbook(wb, path)
    return path
