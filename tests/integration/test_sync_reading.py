"""Bounded, checked reading: every malformed input is one `错误：…` line, exit 1, an audited refusal and an
unchanged database; only declared tables and fields are applied, and a refused package blocks nothing."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.storage.models import AuditEntry
from xuyi_desktop.sync import format as fmt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import business_dump
from sync_packages import change, forge, header_of, nested_json, rewrite_members, set_member_flags

IDS = ["91320830PYQLFT169T", "923208306JU6UCCY4U", "320830199001011236"]


def _refusals(office) -> int:  # type: ignore[no-untyped-def]
    with office.ctx.transaction() as s:
        return int(s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "sync.refused")).scalar())


def _cli_import(office, path: Path, capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    with office.active():
        code = main(["--db", office.db, "sync", "import", str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _genuine(bureau, field, tmp_path: Path) -> bytes:  # type: ignore[no-untyped-def]
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[0]))
        return sync.export_package(bureau.ctx, field.code, tmp_path / "genuine.xsync").path.read_bytes()


def _variants(good: bytes, bureau: Any, field: Any, tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    """name -> (file content, words the refusal must contain)."""
    header = header_of(good)
    old = dict(header, format_version=1)
    newer = dict(header, format_version=3)

    def replace_header(h: dict[str, Any]) -> bytes:
        return rewrite_members(good, lambda items: [(n, fmt.canonical(h) if n == fmt.HEADER else d) for n, d in items])

    deflated = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
    return {
        "empty file": (b"", "不完整或已损坏"),
        "random bytes": (bytes(range(256)) * 40, "不完整或已损坏"),
        "truncated": (good[: len(good) // 2], "不完整或已损坏"),
        "nested json header": (rewrite_members(good, lambda items: [(n, nested_json(30_000) if n == fmt.HEADER else d)
                                                                     for n, d in items]), "包头无法读取"),
        "header not an object": (rewrite_members(good, lambda items: [(n, b"[1, 2]" if n == fmt.HEADER else d)
                                                                       for n, d in items]), "包头无法读取"),
        "encrypted member": (set_member_flags(good, fmt.PAYLOAD, flag_bits=0x1), "另行加密"),
        "unknown method": (set_member_flags(good, fmt.PAYLOAD, method=99), "压缩方式"),
        "deflated members": (deflated.getvalue(), "压缩方式"),
        "extra member": (rewrite_members(good, lambda items: [*items, ("notes.txt", b"x")]), "不应有的文件"),
        "missing member": (rewrite_members(good, lambda items: [(n, d) for n, d in items if n != fmt.SIGNATURE]),
                           "不完整或已损坏"),
        "escaping path": (rewrite_members(good, lambda items: [*items, ("../../evil.txt", b"x")]), "指向包外的路径"),
        "big header": (rewrite_members(good, lambda items: [(n, b" " * 70_000 if n == fmt.HEADER else d)
                                                             for n, d in items]), "大小不对"),
        "older format": (replace_header(old), "旧版本程序制作的"),
        "newer format": (replace_header(newer), "请先升级本机程序"),
        "signature": (replace_header(dict(header, kind="snapshot")), "签名与单位 XYJ 登记的公钥不符"),
    }


def test_every_malformed_file_is_one_line_exit_1_audited_and_changes_nothing(offices, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    good = _genuine(bureau, field, tmp_path)
    before, refused = business_dump(field.ctx), _refusals(field)
    for name, (data, words) in _variants(good, bureau, field, tmp_path).items():
        path = tmp_path / f"bad-{len(name)}-{abs(hash(name))}.xsync"
        path.write_bytes(data)
        code, out, err = _cli_import(field, path, capsys)
        assert code == 1, (name, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误：") and lines[0].endswith(")"), (name, err)
        assert words in lines[0], (name, lines[0])
        assert "Traceback" not in err and not out, name
        refused += 1
        assert _refusals(field) == refused, name
    assert business_dump(field.ctx) == before
    # a folder, and a file that is not there
    for path in (tmp_path, tmp_path / "nowhere.xsync"):
        code, _out, err = _cli_import(field, path, capsys)
        assert code == 1 and err.startswith("错误：") and len(err.strip().splitlines()) == 1, err
    # and the genuine one still imports
    ok = tmp_path / "ok.xsync"
    ok.write_bytes(good)
    code, out, _err = _cli_import(field, ok, capsys)
    assert code == 0 and "新变更 1 条已应用" in out


@pytest.mark.parametrize(("table", "words"), [("app_user", "不允许同步的记录类型“app_user”"),
                                               ("audit_log", "不允许同步的记录类型“audit_log”"),
                                               ("field", "不认识的字段“is_admin”")])
def test_an_unknown_table_or_field_is_refused_and_blocks_nothing(offices, tmp_path: Path, capsys, table: str,
                                                                  words: str) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    if table == "field":
        bad = change("XYJ", 1)
        bad["after"]["is_admin"] = True
    else:
        bad = change("XYJ", 1, table=table, after={"id": "x", "username": "intruder", "role": "admin"})
    forged = forge(bureau, "XYF1", tmp_path / "forged.xsync", [bad])
    before = business_dump(field.ctx)
    code, _out, err = _cli_import(field, forged, capsys)
    assert code == 1 and words in err and "不影响之后的同步包" in err, err
    assert business_dump(field.ctx) == before and _refusals(field) == 1
    # the office's next genuine package (its real change 1) applies
    good = tmp_path / "good.xsync"
    good.write_bytes(_genuine(bureau, field, tmp_path))
    code, out, err = _cli_import(field, good, capsys)
    assert code == 0 and "新变更 1 条已应用" in out, err


def test_a_newer_program_with_a_new_record_kind_is_told_to_upgrade(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    from xuyi_desktop.sync import records

    forged = forge(bureau, "XYF1", tmp_path / "newer.xsync", [change("XYJ", 1, table="credit_repair", after={"id": "x"})],
                   manifest={"records_version": records.RECORDS_VERSION + 1})
    with field.active(), pytest.raises(sync.PackageRefused) as info:
        sync.import_package(field.ctx, forged)
    assert "本机程序不认识的记录类型“credit_repair”" in info.value.message_zh and "请先升级本机程序" in info.value.message_zh


@pytest.mark.parametrize(("case", "words"), [
    ("count", "变更条数与清单不符"),
    ("range", "超出清单范围"),
    ("receiver in manifest", "清单与包头不一致"),
    ("content smaller than it says", "不完整或已损坏"),
    ("content larger than it says", "超过包头中声明的大小"),
    ("garbage line", "变更无法读取"),
])
def test_signed_but_inconsistent_content_is_refused(offices, tmp_path: Path, case: str, words: str) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    c = change("XYJ", 1)
    kw: dict[str, Any] = {}
    if case == "count":
        kw["manifest"] = {"count": 2}
    elif case == "range":
        kw["manifest"] = {"ranges": {"XYJ": [5, 9]}}
    elif case == "receiver in manifest":
        kw["manifest"] = {"receiver": "XYF2"}
    elif case == "garbage line":
        kw["lines"] = [b"\xff\xfe not json"]
    elif case == "content smaller than it says":
        kw["content_delta"] = 5  # more than the truth: the stream ends early
    elif case == "content larger than it says":
        kw["content_delta"] = -5  # less than the truth
    forged = forge(bureau, "XYF1", tmp_path / "x.xsync", [c], **kw)
    before = business_dump(field.ctx)
    with field.active(), pytest.raises(sync.PackageRefused) as info:
        sync.import_package(field.ctx, forged)
    assert words in info.value.message_zh, info.value.message_zh
    assert business_dump(field.ctx) == before
