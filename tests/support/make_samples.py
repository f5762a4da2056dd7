"""Make the sample files under tests/support/samples (committed; run this only to regenerate them).

    .venv/bin/python tests/support/make_samples.py [ledger] [broken] [sync] [first-release]

- ledger: 双公示台账-外部系统导出.xlsx, a 双公示 ledger as another system exports it (national field codes and
  other headers in another order, extra columns, a merged title row, dates as text and as Excel dates,
  full-width characters, a blank row, a footnote).
- broken: workbooks that are not one (an HTML page saved as .xlsx, a truncated .xlsx, a zip without a sheet).
- sync: a delta package and a snapshot from office XYJ to office XYF1 in the current package format, made by the
  code of this checkout, with XYF1's database and key folder to import them into, and a tampered copy (one byte
  changed). When the package format changes, first move samples/sync to samples/sync-formatN (N: the format the
  packages are in; its test then expects the refusal an old package gets) and keep it, then make sync again.
  samples/sync-format1 holds format-1 packages and a schema-0011 receiver made by main at 139eaaf.
- first-release: a database made by the first release (the first landed commit), built by that commit's own
  code in a temporary git worktree (first_release_builder.py), with what it wrote in expected.json.

Every generated file is deterministic where the format allows it; MANIFEST.json records the commit of the code
that made each sample.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SAMPLES = HERE / "samples"
LEDGER = SAMPLES / "双公示台账-外部系统导出.xlsx"
BROKEN = SAMPLES / "broken"
SYNC = SAMPLES / "sync"
FIRST_RELEASE = SAMPLES / "first-release"
MANIFEST = SAMPLES / "MANIFEST.json"

sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _record(name: str, **info: object) -> None:
    data = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}
    data[name] = {"made": dt.date.today().isoformat(), **info}
    MANIFEST.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _fixed_zip_times(path: Path) -> None:
    """Rewrite an .xlsx with fixed member timestamps (and the saved-at time openpyxl stamps into
    docProps/core.xml), so regenerating it gives the same bytes."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    members = [(info, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-11-30T10:12:45Z", data)
                if info.filename == "docProps/core.xml" else data) for info, data in members]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 12, 1, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(fixed, data)
    path.write_bytes(buf.getvalue())


# --- a 双公示 ledger from another system ---------------------------------------------------------------------

PENALTY_HEADER = [
    "序号", "CF_WSH", "CF_XDR_MC", "行政相对人类别", "统一社会信用代码", "法定代表人", "法定代表人证件类型",
    "法定代表人证件号码", "证件类型", "证件号码", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容",
    "罚款金额（万元）", "处罚决定日期", "处罚有效期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位",
    "数据来源单位统一社会信用代码", "失信程度", "所属乡镇", "录入人", "备注",
]
LICENSE_HEADER = [
    "序号", "行政相对人名称", "XK_XDR_LB", "XK_XDR_SHXYM", "法定代表人", "法人证件类型", "法人证件号码",
    "XK_XKWS", "XK_WSH", "许可类别", "许可证书名称", "许可编号", "许可内容", "许可决定日期", "有效期自", "有效期至",
    "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位", "数据来源单位统一社会信用代码", "办理窗口",
]


def penalty_rows() -> list[list[object]]:
    from xuyi_desktop.services.sgs_demo import ORGAN, ORGAN_CODE, id_card, uscc

    def fw(text: str) -> str:  # the full-width form a Chinese input method types
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)

    org = ["法人及非法人组织", None, None, "身份证"]
    return [
        [1, "盱交罚〔2025〕101号", "盱眙县顺达运输有限公司", org[0], uscc(2001), "王建国", "身份证", id_card(11),
         None, None, "超限运输", "货车超限运输，车货总重超过限值", "《公路法》第七十六条", "罚款", "罚款人民币五千元",
         0.5, dt.datetime(2025, 3, 5), dt.datetime(2026, 3, 5), ORGAN, ORGAN_CODE, ORGAN, ORGAN_CODE, "一般",
         "盱城街道", "张科员", None],
        # Full-width identifier and document number, the date written out in Chinese, the amount as text.
        [2, fw("盱交罚〔2025〕102号"), "盱眙县淮河（物流）有限公司", org[0], fw(uscc(2002).lower()), "李淮河", "身份证",
         id_card(12), None, None, "未按规定维护车辆", "车辆技术状况不符合要求", "《道路运输条例》第七十条",
         "警告；罚款", "警告并罚款人民币二千元", "０.２", "2025年4月18日", "2026年4月18日", ORGAN, ORGAN_CODE, ORGAN,
         ORGAN_CODE, "一般", "马坝镇", "张科员", "已缴纳"],
        [None] * 26,  # a blank line left in the middle of the export
        # A natural person: ID number in the person's columns, a slash date and a date cell stored as 常规 (a number).
        [3, "盱交罚〔2025〕103号", "赵六", "自然人", None, None, None, None, "身份证", id_card(13),
         "无证经营", "未取得道路运输经营许可擅自从事道路运输经营", "《道路运输条例》第六十三条", "罚款",
         "罚款人民币一万元", "1", "2025/06/30", 46202, ORGAN, ORGAN_CODE, ORGAN, ORGAN_CODE, "严重", "旧铺镇",
         "李科员", None],
        [4, "盱交罚〔2025〕104号", "盱眙县顺通公路养护工程队", org[0], uscc(2004), "孙四", "身份证", id_card(14),
         None, None, "超限运输", "货车超限运输", "《公路法》第七十六条", "罚款", "罚款人民币三千元", 0.3,
         "20250721", "2026-07-21", ORGAN, ORGAN_CODE, ORGAN, ORGAN_CODE, "一般", "盱城街道", "李科员", None],
    ]


def license_rows() -> list[list[object]]:
    from xuyi_desktop.services.sgs_demo import ORGAN, ORGAN_CODE, id_card, uscc

    return [
        [1, "盱眙县顺达运输有限公司", "法人及非法人组织", uscc(2001), "王建国", "身份证", id_card(11),
         "道路运输经营许可决定书", "盱交许〔2025〕7号", "普通", "道路运输经营许可证", "320830000107", "道路普通货物运输",
         dt.datetime(2025, 2, 10), "2025.2.10", "2029年2月9日", ORGAN, ORGAN_CODE, "有效", ORGAN, ORGAN_CODE, "政务服务中心3号窗口"],
        [2, "盱眙县淮河（物流）有限公司", "法人及非法人组织", uscc(2002), "李淮河", "身份证", id_card(12),
         "道路运输经营许可决定书", "盱交许〔2025〕8号", "普通", "道路运输经营许可证", "320830000108", "道路普通货物运输",
         "2025-05-06", dt.datetime(2025, 5, 6), "2099/12/31", ORGAN, ORGAN_CODE, "有效", ORGAN, ORGAN_CODE, "政务服务中心3号窗口"],
    ]


def make_ledger() -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    first = wb.active
    wb.remove(first)
    for title, header, rows, heading in (
        ("行政处罚决定信息(导出)", PENALTY_HEADER, penalty_rows(), "盱眙县交通运输局行政处罚决定信息（2025年）"),
        ("许可信息", LICENSE_HEADER, license_rows(), "盱眙县交通运输局行政许可决定信息（2025年）"),
    ):
        ws = wb.create_sheet(title)
        ws.append([heading])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws["A1"].font = Font(bold=True, size=16)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append(["导出时间：2025-11-30 10:12:45", None, None, "导出单位：盱眙县交通运输局"])
        ws.append(header)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows(min_row=4):
            for cell in cells:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd"
        ws.append([])
        ws.append(["注：本表数据导出自行政执法监督平台，仅供报送使用。"])
    LEDGER.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 11, 30, 10, 12, 45)
    wb.save(LEDGER)
    _fixed_zip_times(LEDGER)
    _record(LEDGER.name, commit=_git("rev-parse", "HEAD"), what="a 双公示 ledger as another system exports it")


# --- workbooks that are not one --------------------------------------------------------------------------------

def make_broken() -> None:
    BROKEN.mkdir(parents=True, exist_ok=True)
    # Web systems often send an HTML table named .xlsx.
    (BROKEN / "网页另存-不是xlsx.xlsx").write_text(
        "<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>行政相对人名称</td><td>决定文书号</td></tr>"
        "<tr><td>盱眙县顺达运输有限公司</td><td>盱交罚〔2025〕101号</td></tr></table></body></html>\n", encoding="utf-8")
    # A copy cut off half way (a USB stick pulled out).
    whole = LEDGER.read_bytes()
    (BROKEN / "复制中断-截断.xlsx").write_bytes(whole[: len(whole) // 2])
    # A valid zip with the package parts of a workbook but no worksheet in it.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name: str, text: str) -> None:
            z.writestr(zipfile.ZipInfo(name, date_time=(2025, 12, 1, 9, 0, 0)), text)

        put("[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            "</Types>")
        put("_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>")
        put("xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets/></workbook>')
        put("xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')
    (BROKEN / "压缩包-没有工作表.xlsx").write_bytes(buf.getvalue())
    _record("broken", commit=_git("rev-parse", "HEAD"), what="not a zip (HTML), a truncated .xlsx, a zip without a sheet")


# --- sync packages ---------------------------------------------------------------------------------------------

SYNC_ENTITIES = [
    ("91320830PYQLFT169T", "盱眙县顺达运输有限公司", ("road_operator",)),
    ("923208306JU6UCCY4U", "盱眙县顺通公路养护工程队", ()),
    ("320830199001011236", "张三", ("road_practitioner",)),
]


def make_sync() -> None:
    from sync_offices import business_dump, make_offices

    from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft, RelationType
    from xuyi_desktop.services import entities as svc
    from xuyi_desktop.services import sync

    work = Path(tempfile.mkdtemp(prefix="xuyi-sync-samples-"))
    try:
        sender, receiver = make_offices(work, ["XYJ", "XYF1"])
        with sender.active():
            ids = {}
            for ident, name, cats in SYNC_ENTITIES:
                licences = (LicenceDraft("道路运输经营许可证", "320830000001", dt.date(2024, 1, 1), dt.date(2028, 1, 1)),) \
                    if cats == ("road_operator",) else ()
                ids[ident] = svc.register_entity(sender.ctx, EntityDraft(name=name, identifier=ident, categories=cats,
                                                                         licences=licences, phone="13812345678" if ident.startswith("3208") else ""))
            org, person = ids["91320830PYQLFT169T"], ids["320830199001011236"]
            svc.link_person(sender.ctx, person.summary.id, org.summary.id, RelationType.EMPLOYEE, title="驾驶员")
            svc.update_entity(sender.ctx, org.summary.id, EntityDraft(
                name=org.summary.name, identifier="91320830PYQLFT169T", categories=("road_operator",), address="盱眙县淮河北路18号",
                licences=(LicenceDraft("道路运输经营许可证", "320830000001", dt.date(2024, 1, 1), dt.date(2028, 1, 1)),),
            ), expected_version=None)
            svc.delete_entity(sender.ctx, ids["923208306JU6UCCY4U"].summary.id, expected_version=None, reason="重复登记")
            delta = sync.export_package(sender.ctx, "XYF1", work / "delta.xsync")
            snapshot = sync.export_package(sender.ctx, "XYF1", work / "snapshot.xsync", snapshot=True)
            sent = business_dump(sender.ctx)
        expected = {
            "delta_changes": delta.changes, "snapshot_changes": snapshot.changes,
            "rows": {table: len(rows) for table, rows in sent.items()},
            "entities": {d.summary.identifier: {"name": d.summary.name, "deleted": ident == "923208306JU6UCCY4U"}
                         for ident, d in ids.items()},
            "address": "盱眙县淮河北路18号",
        }
        receiver.ctx.close()
        sender.ctx.close()
        db = Path(receiver.db)
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        if SYNC.exists():
            shutil.rmtree(SYNC)
        (SYNC / "receiver-XYF1").mkdir(parents=True)
        shutil.copyfile(db, SYNC / "receiver-XYF1" / "xuyi.db")
        shutil.copytree(receiver.folder / "data" / "keys", SYNC / "receiver-XYF1" / "data" / "keys")
        shutil.copyfile(delta.path, SYNC / "XYJ-to-XYF1-delta.xsync")
        shutil.copyfile(snapshot.path, SYNC / "XYJ-to-XYF1-snapshot.xsync")
        # One byte in the middle of the encrypted payload changed: the header and its signature are intact,
        # so only the payload's checksum (or the decryption) can catch it.
        data = bytearray(delta.path.read_bytes())
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
            info = z.getinfo("payload.bin")
        name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)  # the local header's own
        at = info.header_offset + 30 + name_len + extra_len + info.file_size // 2
        data[at] ^= 0x01
        (SYNC / "XYJ-to-XYF1-delta.tampered.xsync").write_bytes(bytes(data))
        expected["tampered_byte_offset"] = at
        (SYNC / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        from xuyi_desktop.sync.format import FORMAT_VERSION

        _record("sync", commit=_git("rev-parse", "HEAD"), format_version=FORMAT_VERSION,
                what="delta + snapshot XYJ→XYF1, receiver database and keys, tampered copy")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- a database made by the first release ---------------------------------------------------------------------

def make_first_release() -> None:
    first = _git("rev-list", "--max-parents=0", "HEAD").splitlines()[-1]
    checkout = Path(tempfile.mkdtemp(prefix="xuyi-first-release-")) / "src"
    _git("worktree", "add", "--detach", str(checkout), first)
    try:
        out = Path(tempfile.mkdtemp(prefix="xuyi-first-release-db-"))
        env = {k: v for k, v in os.environ.items() if k not in ("XUYI_DB", "PYTHONPATH")}
        env.update(PYTHONPATH=str(checkout), XUYI_DATA_DIR=str(out / "data"))
        subprocess.run([sys.executable, str(HERE / "first_release_builder.py"), str(out)], cwd=out, env=env, check=True)
        if FIRST_RELEASE.exists():
            shutil.rmtree(FIRST_RELEASE)
        FIRST_RELEASE.mkdir(parents=True)
        shutil.copyfile(out / "xuyi.db", FIRST_RELEASE / "xuyi.db")
        shutil.copyfile(out / "expected.json", FIRST_RELEASE / "expected.json")
        shutil.rmtree(out, ignore_errors=True)
        _record("first-release", commit=first, what="xuyi.db made by the first landed commit's own services")
    finally:
        _git("worktree", "remove", "--force", str(checkout))


STEPS = {"ledger": make_ledger, "broken": make_broken, "sync": make_sync, "first-release": make_first_release}

if __name__ == "__main__":
    for step in sys.argv[1:] or list(STEPS):
        STEPS[step]()
        print(f"made: {step}")
