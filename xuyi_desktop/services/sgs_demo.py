"""Synthetic 双公示 records and ledgers (valid identifiers, realistic fields) for tests, demos and bench/import.py."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xuyi_desktop.domain.identifiers import USCC_CHARSET, id_check_char, uscc_check_char
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.sgs_layout import sgs_layout
from xuyi_desktop.exchange.workbooks import save_workbook
from xuyi_desktop.services.context import AppContext

ORGAN = "盱眙县交通运输局"


def uscc(n: int, prefix: str = "91320830") -> str:
    """A valid 统一社会信用代码 numbered n (deterministic)."""
    body = ""
    for _ in range(9):
        body = USCC_CHARSET[n % 31] + body
        n //= 31
    first17 = prefix + body[:9]
    return first17 + uscc_check_char(first17)


def id_card(n: int, born: dt.date = dt.date(1980, 1, 1)) -> str:
    first17 = f"320830{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


ORGAN_CODE = uscc(1, prefix="11320830")


def penalty_raw(i: int, decided: dt.date, *, person: bool = False) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "xdr_mc": f"盱眙第{i}运输有限公司" if not person else f"张{i}",
        "xdr_lb": "自然人" if person else "法人及非法人组织",
        "wsh": f"盱交罚〔{decided.year}〕{i}号", "wfxw": "超限运输", "sy": "货车超限运输，车货总重超过限值",
        "yj": "《公路法》第七十六条", "cflb": "罚款", "nr": "罚款人民币五千元", "fk": "0.5", "jdrq": decided.isoformat(),
        "jg": ORGAN, "jgdm": ORGAN_CODE, "lydw": ORGAN, "lydwdm": ORGAN_CODE, "publicity_class": "一般",
        "cf_yxq": (decided + dt.timedelta(days=365)).isoformat(),
    }
    if person:
        raw.update(xdr_zjlx="身份证", xdr_zjhm=id_card(i))
    else:
        raw.update(xdr_shxym=uscc(1000 + i), frdb=f"李{i}", fr_zjlx="身份证", fr_zjhm=id_card(i + 500))
    return raw


def license_raw(i: int, decided: dt.date) -> dict[str, Any]:
    return {
        "xdr_mc": f"盱眙第{i}物流有限公司", "xdr_lb": "法人及非法人组织", "xdr_shxym": uscc(50000 + i), "frdb": f"王{i}",
        "fr_zjlx": "身份证", "fr_zjhm": id_card(i + 700), "xkws": "道路运输经营许可决定书",
        "wsh": f"盱交许〔{decided.year}〕{i}号", "xklb": "普通", "xkzs": "道路运输经营许可证", "xkbh": f"320830{i:06d}",
        "nr": "道路普通货物运输", "jdrq": decided.isoformat(), "yxqz": decided.isoformat(),
        "yxqzi": (decided.replace(year=decided.year + 4)).isoformat(), "jg": ORGAN, "jgdm": ORGAN_CODE, "zt": "有效",
        "lydw": ORGAN, "lydwdm": ORGAN_CODE,
    }


def ledger_rows(kind: RecordKind, n: int, start: dt.date, *, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(1, n + 1):
        day = start + dt.timedelta(days=rng.randrange(0, 300))
        yield license_raw(i, day) if kind is RecordKind.LICENSE else penalty_raw(i, day, person=i % 5 == 0)


def write_ledger(
    path: Path,
    *,
    licenses: int = 0,
    penalties: int = 0,
    start: dt.date = dt.date(2025, 1, 2),
    bad: dict[tuple[RecordKind, int], dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Path:
    """A ledger .xlsx as another system would export it (streamed: 100,000 rows in tens of MiB).
    `bad[(kind, i)]` overrides fields of row i (1-based) to make it wrong; `headers` renames columns."""
    wb = Workbook(write_only=True)
    for kind, count in ((RecordKind.LICENSE, licenses), (RecordKind.PENALTY, penalties)):
        if not count:
            continue
        layout = sgs_layout(kind)
        ws = wb.create_sheet(layout.name)
        ws.append([(headers or {}).get(c.header, c.header) for c in layout.columns])
        for i, raw in enumerate(ledger_rows(kind, count, start), start=1):
            if bad and (kind, i) in bad:
                raw = {**raw, **bad[(kind, i)]}
            ws.append([raw.get(c.field) for c in layout.columns])
    save_workbook(wb, path)
    return path


def refuse_from_batch(ctx: AppContext, batch_no: str, count: int, *, reason: str, on: dt.date, source: str) -> int:
    """Mark the first `count` records of a reported batch as refused by the platform (a demo's 反馈 file), through
    services.sgs.reject_in in one transaction; returns how many were marked."""
    from sqlalchemy import select

    from xuyi_desktop.services import sgs
    from xuyi_desktop.storage.models_sgs import SgsRecord

    with ctx.transaction() as session:
        rows = session.execute(select(SgsRecord).where(SgsRecord.batch_no == batch_no).limit(count)).scalars().all()
        for row in rows:
            sgs.reject_in(session, ctx, row, reason=reason, on=on, source=source)
        return len(rows)
