"""The test databases themselves: copies (SQLite) or clones (PostgreSQL) of one template migrated once per run.
What a copy must still be: at head, without an office until its first start, each with an office of its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import databases
import pytest

from xuyi_desktop.services.context import open_context
from xuyi_desktop.storage.database import make_engine, resolve_db_url
from xuyi_desktop.storage.migrate import current_revision, head_revision


def test_every_copy_is_at_head_and_gets_an_office_of_its_own(new_db) -> None:  # type: ignore[no-untyped-def]
    first, second = new_db("one"), new_db("two")
    codes = []
    for db in (first, second):
        ctx = open_context(db)
        try:
            assert current_revision(ctx.engine) == head_revision() and ctx.safety_copy is None
            assert ctx.office_provisional and ctx.setup_mode
            codes.append(ctx.office_code)
        finally:
            ctx.close()
    assert codes[0] != codes[1] and all(c.startswith("TMP-") for c in codes)


def test_a_copy_has_no_office_until_its_first_start(new_db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    engine = make_engine(resolve_db_url(new_db("untouched")))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM office")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM change_log")).scalar() == 0
    finally:
        engine.dispose()


def test_empty_gives_a_database_no_migration_has_touched(new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("bare", empty=True)
    if not databases.on_postgresql():
        assert not Path(db).exists()
    engine = make_engine(resolve_db_url(db))
    try:
        assert current_revision(engine) is None
    finally:
        engine.dispose()


def test_a_name_is_given_once(new_db) -> None:  # type: ignore[no-untyped-def]
    new_db("twice")
    if databases.on_postgresql():
        new_db("twice")  # a new database under a new server name each time
    else:
        with pytest.raises(FileExistsError):
            new_db("twice")


@pytest.mark.sqlite_only("the template is an SQLite file")
def test_the_template_file_is_whole_on_its_own(tmp_path: Path) -> None:
    template = databases.sqlite_template()
    assert [p.name for p in template.parent.iterdir() if p.name.startswith(template.name)] == [template.name]
    alone = tmp_path / "alone.db"  # the main file copied without anything beside it (opening the template would add -shm)
    alone.write_bytes(template.read_bytes())
    conn = sqlite3.connect(alone)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # as the program leaves its files
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    finally:
        conn.close()


def test_the_program_hashes_passwords_at_full_cost_tests_do_not() -> None:
    """The suite swaps in argon2's cheapest profile (conftest); the program keeps its own parameters."""
    import subprocess
    import sys

    from xuyi_desktop.services import users

    assert users._hasher.memory_cost == 8  # this test runs under the cheap hasher
    program = subprocess.run(
        [sys.executable, "-c", "from xuyi_desktop.services import users; h = users._hasher; "
         "print(h.memory_cost, h.time_cost, h.parallelism, h.type.name)"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout.split()
    assert program == ["65536", "3", "4", "ID"]
