"""Test helpers: run chunk_writer.py as a real process, and check that only whole transactions are on disk."""

from __future__ import annotations

import queue
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from xuyi_desktop.services.demo_data import LICENCE_BY_CATEGORY

WRITER = Path(__file__).resolve().parent / "chunk_writer.py"


class WriterProcess:
    """The writer subprocess; its stdout is read on a thread, so waiting never blocks past a timeout."""

    def __init__(self, db: Path, *, chunk: int, seed: int = 1, entities: int = 10_000_000) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(db), "--entities", str(entities), "--chunk", str(chunk), "--seed", str(seed)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self.committed = 0  # the last total the writer reported as committed
        self.ready = False
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._pump = threading.Thread(target=self._read, daemon=True)
        self._pump.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def _take(self, line: str) -> None:
        self.ready = self.ready or line == "ready"
        if line.startswith("committed "):
            self.committed = int(line.split()[1])

    def wait_for(self, done: str | int, timeout: float = 120) -> None:
        """Until the line "ready" (done="ready") or until at least `done` entities are reported committed."""
        deadline = time.monotonic() + timeout
        while True:
            if done == "ready" and self.ready:
                return
            if isinstance(done, int) and self.committed >= done:
                return
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"writer did not reach {done!r} within {timeout} s") from None
            if line is None:
                raise AssertionError(f"writer ended early: {self.stderr()}")
            self._take(line)

    def kill(self) -> int:
        """SIGKILL (TerminateProcess on Windows); afterwards `committed` holds everything it reported."""
        self.proc.kill()
        code = self.proc.wait(timeout=30)
        self._pump.join(timeout=30)
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self._take(line)
        return code

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read() if self.proc.poll() is not None else ""


def scalar(db: Path, sql: str) -> object:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def entity_count(db: Path) -> int:
    return int(scalar(db, "SELECT count(*) FROM entity"))  # type: ignore[arg-type]


def invariants(db: Path) -> dict[str, object]:
    """Facts that hold exactly when every demo-data transaction is fully present or fully absent."""
    conn = sqlite3.connect(db)
    try:
        def one(sql: str) -> object:
            return conn.execute(sql).fetchone()[0]

        licensed = ",".join(f"'{c}'" for c in LICENCE_BY_CATEGORY)
        facts: dict[str, object] = {
            "integrity": [r[0] for r in conn.execute("PRAGMA integrity_check")],
            "foreign_keys": conn.execute("PRAGMA foreign_key_check").fetchall(),
            "entities": one("SELECT count(*) FROM entity"),
            "fts_rows": one("SELECT count(*) FROM entity_fts"),
            "categories": one("SELECT count(*) FROM entity_category"),
            "licences": one("SELECT count(*) FROM licence"),
            "licensed_categories": one(f"SELECT count(*) FROM entity_category WHERE category IN ({licensed})"),
            "max_search_key": one("SELECT coalesce(max(search_key), 0) FROM entity"),
            "counter": one("SELECT coalesce(max(value), 0) FROM counter WHERE name = 'entity_search_key'"),
        }
        try:  # FTS5's own consistency check of the index against its shadow tables
            conn.execute("INSERT INTO entity_fts(entity_fts) VALUES('integrity-check')")
            facts["fts_integrity"] = "ok"
        except sqlite3.DatabaseError as exc:
            facts["fts_integrity"] = str(exc)
        conn.rollback()
        return facts
    finally:
        conn.close()


def assert_whole_transactions(facts: dict[str, object], chunk: int) -> None:
    """Every chunk is one transaction: nothing torn, every derived row present exactly when its entity is."""
    n = facts["entities"]
    assert facts["integrity"] == ["ok"], facts
    assert facts["foreign_keys"] == [], facts
    assert facts["fts_integrity"] == "ok", facts
    assert isinstance(n, int) and n % chunk == 0, facts
    assert facts["fts_rows"] == n and facts["categories"] == n, facts
    assert facts["licences"] == facts["licensed_categories"], facts
    assert facts["counter"] == facts["max_search_key"] == n, facts
