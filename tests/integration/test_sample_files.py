"""Real sample files from tests/support/samples (made by tests/support/make_samples.py): a 双公示 ledger as another
system exports it, workbooks that are not one, sync packages in the current format (and a tampered copy) and in
format 1 of an earlier program, and a database made by the first release."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl.utils.datetime import from_excel

from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.workbooks import FileProblem
from xuyi_desktop.services import sgs, sgs_exchange

SAMPLES = Path(__file__).resolve().parents[1] / "support" / "samples"
LEDGER = SAMPLES / "双公示台账-外部系统导出.xlsx"
BROKEN = sorted((SAMPLES / "broken").glob("*.xlsx"))
SYNC = SAMPLES / "sync"  # packages in the current format
SYNC_FORMAT1 = SAMPLES / "sync-format1"  # made before package format 2 (main at 139eaaf, schema 0011)
FIRST_RELEASE = SAMPLES / "first-release"
TODAY = dt.date(2025, 12, 1)


def _copy(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, folder / source.name))


# --- a 双公示 ledger from another system --------------------------------------------------------------------------


def test_the_messy_ledger_imports_whole(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """National codes and other headers in another order, extra columns, a merged title and an export line above
    the header, a blank row, a footnote, dates as text and as Excel dates, full-width characters."""
    result = sgs_exchange.import_sgs(ctx, _copy(LEDGER, tmp_path), source="执法监督平台", today=TODAY)
    assert result.ok and result.errors == [], [e.to_json() for e in result.errors]
    assert result.imported == 6 and result.sheets == {"行政处罚决定信息(导出)": "行政处罚", "许可信息": "行政许可"}
    assert sorted(result.ignored_columns) == sorted([
        "行政处罚决定信息(导出)：序号", "行政处罚决定信息(导出)：所属乡镇", "行政处罚决定信息(导出)：录入人",
        "许可信息：序号", "许可信息：办理窗口",
    ])
    records = {unicodedata.normalize("NFKC", v.document_no): v for v in sgs.list_records(ctx, today=TODAY)}
    assert sorted(records) == ["盱交罚〔2025〕101号", "盱交罚〔2025〕102号", "盱交罚〔2025〕103号", "盱交罚〔2025〕104号",
                               "盱交许〔2025〕7号", "盱交许〔2025〕8号"]
    values = {n: v.values for n, v in records.items()}
    # Dates written five ways (a date cell, 2025年4月18日, 2025/06/30, 20250721, a day number) read as the dates they name.
    assert [records[f"盱交罚〔2025〕10{i}号"].decided for i in (1, 2, 3, 4)] == [
        dt.date(2025, 3, 5), dt.date(2025, 4, 18), dt.date(2025, 6, 30), dt.date(2025, 7, 21)]
    assert values["盱交罚〔2025〕103号"]["cf_yxq"] == from_excel(46202).date()  # a date cell stored as a number
    assert values["盱交许〔2025〕7号"]["yxqz"] == dt.date(2025, 2, 10) and values["盱交许〔2025〕7号"]["yxqzi"] == dt.date(2029, 2, 9)
    assert values["盱交许〔2025〕8号"]["yxqzi"] == dt.date(2099, 12, 31)
    # A full-width, lower-case 统一社会信用代码 is stored as the national format writes it; a name keeps its （）.
    second = values["盱交罚〔2025〕102号"]
    assert second["xdr_shxym"] == values["盱交许〔2025〕8号"]["xdr_shxym"] and second["xdr_shxym"].isascii()
    assert second["xdr_mc"] == "盱眙县淮河（物流）有限公司" and second["fk"] == Decimal("0.2")
    assert values["盱交罚〔2025〕103号"]["xdr_lb"] != values["盱交罚〔2025〕101号"]["xdr_lb"]  # a natural person


def test_a_document_number_typed_full_width_is_stored_as_the_same_number(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sgs_exchange.import_sgs(ctx, _copy(LEDGER, tmp_path), source="执法监督平台", today=TODAY)
    assert "盱交罚〔2025〕102号" in {v.document_no for v in sgs.list_records(ctx, today=TODAY)}


def test_the_messy_ledger_is_found_by_its_headers_alone(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src, plans = sgs_exchange.plan_file(ctx, _copy(LEDGER, tmp_path))
    assert src.startswith("表头:")
    assert {(p.sheet_name, RecordKind(p.format.code), p.header.row, tuple(p.missing)) for p in plans} == {
        ("行政处罚决定信息(导出)", RecordKind.PENALTY, 3, ()), ("许可信息", RecordKind.LICENSE, 3, ())}


# --- workbooks that are not one ----------------------------------------------------------------------------------


def test_the_broken_samples_are_there() -> None:
    assert [p.name for p in BROKEN] == ["压缩包-没有工作表.xlsx", "复制中断-截断.xlsx", "网页另存-不是xlsx.xlsx"]


# What the clerk reads: why the file cannot be used.
WHY = {"压缩包-没有工作表": "没有找到", "复制中断-截断": "不是有效的 .xlsx 文件", "网页另存-不是xlsx": "不是有效的 .xlsx 文件"}


@pytest.mark.parametrize("sample", BROKEN, ids=lambda p: p.stem)
def test_a_broken_workbook_is_refused_in_chinese_and_nothing_is_written(ctx, tmp_path: Path, sample: Path) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.rating_exchange import import_ratings

    path = _copy(sample, tmp_path)
    with pytest.raises(FileProblem) as sgs_err:
        sgs_exchange.import_sgs(ctx, path, today=TODAY)
    assert WHY[path.stem] in sgs_err.value.message_zh
    with pytest.raises(FileProblem) as rating_err:
        import_ratings(ctx, path)
    assert WHY[path.stem] in rating_err.value.message_zh
    assert sgs.list_records(ctx) == []
    assert not list(tmp_path.glob("*.errors.xlsx"))  # no error workbook for a file that could not be read


@pytest.mark.parametrize("sample", BROKEN, ids=lambda p: p.stem)
def test_the_cli_says_so_on_one_line(database: str, tmp_path: Path, sample: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.cli import main

    path = _copy(sample, tmp_path)
    for command in (["import", "sgs", str(path)], ["import", "ratings", str(path)]):
        assert main(["--db", database, *command]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("错误：") and err[0].endswith(")"), err


# --- sync packages ---------------------------------------------------------------------------------------------------


def _receiver(folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Office XYF1 as it was when the packages were made: its database file and its key folder."""
    from xuyi_desktop.services.context import open_context

    copy = tmp_path / "XYF1"
    shutil.copytree(folder / "receiver-XYF1", copy)
    monkeypatch.setenv("XUYI_DATA_DIR", str(copy / "data"))
    return open_context(str(copy / "xuyi.db"))


@pytest.fixture
def receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    context = _receiver(SYNC, monkeypatch, tmp_path)
    yield context
    context.close()


@pytest.fixture
def receiver_format1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    context = _receiver(SYNC_FORMAT1, monkeypatch, tmp_path)
    yield context
    context.close()


def _expected(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.sqlite_only("the receiving office is a sample SQLite file")
@pytest.mark.parametrize("package", ["XYJ-to-XYF1-delta.xsync", "XYJ-to-XYF1-snapshot.xsync"])
def test_a_package_imports(receiver, tmp_path: Path, package: str) -> None:  # type: ignore[no-untyped-def]
    from sync_offices import business_dump

    from xuyi_desktop.services import entities, sync

    expected = _expected(SYNC)
    done = sync.import_package(receiver, _copy(SYNC / package, tmp_path))
    assert done.status == "applied" and done.sender == "XYJ" and done.conflicts == 0
    assert done.applied == expected["delta_changes" if "delta" in package else "snapshot_changes"]
    assert {t: len(rows) for t, rows in business_dump(receiver).items()} == expected["rows"]
    for identifier, want in expected["entities"].items():
        hits = [h.name for h in entities.find_entities(receiver, identifier)]
        assert hits == ([] if want["deleted"] else [want["name"]]), identifier
    org = entities.get_entity(receiver, "91320830PYQLFT169T")
    assert org.address == expected["address"]
    assert sync.import_package(receiver, tmp_path / package).status == "nothing_new"


@pytest.mark.sqlite_only("the receiving office is a sample SQLite file")
def test_the_tampered_package_is_refused_and_nothing_changes(receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sync_offices import business_dump

    from xuyi_desktop.services import sync
    from xuyi_desktop.sync.format import PackageRefused

    good = (SYNC / "XYJ-to-XYF1-delta.xsync").read_bytes()
    bad = (SYNC / "XYJ-to-XYF1-delta.tampered.xsync").read_bytes()
    assert len(bad) == len(good) and [i for i, (x, y) in enumerate(zip(good, bad, strict=True)) if x != y] == [
        _expected(SYNC)["tampered_byte_offset"]]  # exactly one byte differs
    before = business_dump(receiver)
    with pytest.raises(PackageRefused) as refused:
        sync.import_package(receiver, _copy(SYNC / "XYJ-to-XYF1-delta.tampered.xsync", tmp_path))
    assert "旧版本" not in refused.value.message_zh  # refused for what was done to it, not for its age
    assert business_dump(receiver) == before
    # The untouched package is still taken afterwards: the refusal left nothing half done.
    assert sync.import_package(receiver, _copy(SYNC / "XYJ-to-XYF1-delta.xsync", tmp_path)).status == "applied"


@pytest.mark.sqlite_only("the receiving office is a sample SQLite file")
@pytest.mark.parametrize("package", ["XYJ-to-XYF1-delta.xsync", "XYJ-to-XYF1-snapshot.xsync"])
def test_a_format_1_package_is_refused_with_the_upgrade_message(receiver_format1, tmp_path: Path, package: str) -> None:  # type: ignore[no-untyped-def]
    """Packages of the program before format 2, into that program's own database (schema 0011, upgraded on
    opening): refused with a message that says what to do, nothing written."""
    from sync_offices import business_dump

    from xuyi_desktop.services import sync
    from xuyi_desktop.storage.migrate import current_revision, head_revision
    from xuyi_desktop.sync.format import PackageRefused

    assert receiver_format1.office_code == "XYF1" and receiver_format1.safety_copy is not None
    assert current_revision(receiver_format1.engine) == head_revision()
    before = business_dump(receiver_format1)
    with pytest.raises(PackageRefused) as refused:
        sync.import_package(receiver_format1, _copy(SYNC_FORMAT1 / package, tmp_path))
    assert "旧版本" in refused.value.message_zh and "格式版本 1" in refused.value.message_zh
    assert "升级" in refused.value.message_zh
    assert business_dump(receiver_format1) == before


# --- a database made by the first release --------------------------------------------------------------------------


@pytest.mark.sqlite_only("the first release wrote an SQLite file")
def test_the_first_release_database_opens_with_every_row_intact(tmp_path: Path) -> None:
    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.services import entities
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.storage.migrate import current_revision, head_revision

    expected = json.loads((FIRST_RELEASE / "expected.json").read_text(encoding="utf-8"))
    assert (expected["program_version"], expected["revision"]) == ("0.1.0", "0001")
    db = _copy(FIRST_RELEASE / "xuyi.db", tmp_path)
    ctx = open_context(str(db))
    try:
        assert ctx.safety_copy is not None and ctx.safety_copy.exists()  # the upgrade kept a copy first
        assert current_revision(ctx.engine) == head_revision()
        office = expected["rows"]["office"][0]
        assert ctx.office_code == office["code"] and ctx.office_provisional
        by_id = {r["id"]: r for r in expected["rows"]["entity"]}
        names = {r["identifier"]: r["name"] for r in by_id.values()}
        live = [r for r in by_id.values() if r["deleted_at"] is None]
        for row in live:
            detail = entities.get_entity(ctx, row["identifier"], reveal=True)
            assert (detail.summary.name, detail.summary.version, detail.created_office) == (row["name"], row["version"], office["code"])
            assert detail.summary.id.hex == row["id"]
            assert [h.name for h in entities.find_entities(ctx, row["name"])][:1] == [row["name"]]
        org = entities.get_entity(ctx, "91320830PYQLFT169T", reveal=True)
        assert org.address == "盱眙县淮河北路18号" and org.summary.version == 2
        assert [(x.licence_type, x.number) for x in org.licences] == [("道路运输经营许可证", "320830000001")]
        assert len(entities.entity_history(ctx, org.summary.id)) == 2
        pilot = entities.get_entity(ctx, "91350100M000100Y4A")
        assert pilot.check_override_reason == "2015年福建试点代码，营业执照原件核对无误"
        assert entities.find_entities(ctx, "已注销汽车维修厂") == []  # the tombstone stays out of the search
        assert entities.find_entities(ctx, "sdys")[0].name == names["91320830PYQLFT169T"]  # pinyin initials index
        created = entities.register_entity(ctx, EntityDraft(name="新登记公司", identifier="12320830770000437A"))
        assert created.created_office == office["code"]
    finally:
        ctx.close()

    # Raw rows: every column the first release wrote still holds what it wrote.
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        for table, rows in expected["rows"].items():
            if table == "counter":
                continue  # counters move on (the registration above took the next search key)
            columns = list(rows[0]) if rows else []
            now = {tuple(str(r[c]) for c in columns) for r in conn.execute(f"SELECT * FROM {table}")}
            for old in rows:
                assert tuple(str(old[c]) for c in columns) in now, (table, old)
    finally:
        conn.close()
