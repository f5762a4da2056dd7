"""Several offices in one test process: each has its own database and data folder (its own keys)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from databases import DatabaseFactory, on_postgresql
from sqlalchemy import text

from xuyi_desktop.services.context import AppContext, open_context

BUSINESS_TABLES = ("entity", "entity_category", "licence", "entity_relation", "rating", "dishonesty_record")


@dataclass
class TestOffice:
    code: str
    folder: Path
    ctx: AppContext
    db: str  # what --db takes: the office's file (SQLite run) or its own database on the test server
    factory: DatabaseFactory

    skew_days: float = 0.0  # this office's PC clock runs this far ahead while it is active (see clock())

    @contextlib.contextmanager
    def active(self) -> Iterator[AppContext]:
        import datetime as dt

        from xuyi_desktop.services import audit
        from xuyi_desktop.sync import clock

        old = os.environ.get("XUYI_DATA_DIR")
        os.environ["XUYI_DATA_DIR"] = str(self.folder / "data")
        real, offset = audit.utcnow, clock.offset_us
        if self.skew_days:
            skew = dt.timedelta(days=self.skew_days)
            audit.utcnow = lambda: real() + skew  # type: ignore[assignment]
            clock.offset_us = int(self.skew_days * 86400 * 10**6)
        try:
            yield self.ctx
        finally:
            audit.utcnow, clock.offset_us = real, offset  # type: ignore[assignment]
            if old is None:
                os.environ.pop("XUYI_DATA_DIR", None)
            else:
                os.environ["XUYI_DATA_DIR"] = old

    def close(self) -> None:
        self.ctx.close()
        self.factory.drop_all()

    @contextlib.contextmanager
    def clock(self, days: float) -> Iterator[None]:
        """Inside the block, this office's PC clock runs `days` ahead (negative: behind) whenever it is
        active: the times written on its changes and the clock sync reads."""
        old = self.skew_days
        self.skew_days = days
        try:
            yield
        finally:
            self.skew_days = old

    def backup(self, name: str) -> str:
        """A copy of this office's database as it is now: the program's own backup (SQLite), a clone of the
        database (PostgreSQL, where the administrator backs up with pg_dump)."""
        if not on_postgresql():
            from xuyi_desktop.services.backup import backup_now

            with self.active():
                return str(backup_now(self.ctx, out=self.folder / f"{name}.db"))
        from sqlalchemy.engine import make_url

        self.ctx.close()
        try:
            return self.factory.new(name, template=str(make_url(self.db).database))
        finally:
            self.ctx = open_context(self.db)

    def restore(self, backup: str, *, by_program: bool = True) -> None:
        """Put the backup back: with the program's restore (SQLite), or as an administrator would by copying
        the file or the database (no trace of the restore in it)."""
        import shutil

        if not on_postgresql() and by_program:
            from xuyi_desktop.services.backup import restore_database

            with self.active():
                restore_database(self.db, Path(backup), actor_ctx=self.ctx)
        elif not on_postgresql():
            self.ctx.close()
            for side in ("-wal", "-shm"):
                Path(self.db + side).unlink(missing_ok=True)
            shutil.copyfile(backup, self.db)
        else:
            import databases
            from sqlalchemy.engine import make_url

            self.ctx.close()
            databases.create(str(make_url(self.db).database), template=str(make_url(backup).database))
        with self.active():
            self.ctx = open_context(self.db)


def make_offices(root: Path, codes: list[str]) -> list[TestOffice]:
    """Create, init and mutually register offices (the first is the bureau)."""
    from xuyi_desktop.services.offices import init_office, office_card, register_office

    offices = []
    for i, code in enumerate(codes):
        folder = root / code
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["XUYI_DATA_DIR"] = str(folder / "data")
        factory = DatabaseFactory(folder)
        db = factory.new("xuyi")
        ctx = open_context(db)
        office = TestOffice(code, folder, ctx, db, factory)
        with office.active():
            init_office(ctx, code, f"测试单位{code}", "bureau" if i == 0 else "field")
        offices.append(office)
    cards = {}
    for o in offices:
        with o.active():
            cards[o.code] = office_card(o.ctx)
    for o in offices:
        with o.active():
            for code, card in cards.items():
                if code != o.code:
                    register_office(o.ctx, card)
    return offices


def business_dump(ctx: AppContext) -> dict[str, list[Any]]:
    """Every row of the business tables, for before/after comparisons."""
    out: dict[str, list[Any]] = {}
    with ctx.engine.connect() as conn:
        for table in BUSINESS_TABLES:
            out[table] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]
    return out


def entity_state(ctx: AppContext) -> dict[str, Any]:
    """What must be identical in every office: each entity's business fields (not local bookkeeping)."""
    from sqlalchemy import select

    from xuyi_desktop.storage.models import Entity
    from xuyi_desktop.sync.apply import entity_image

    with ctx.transaction() as s:
        result = {}
        for e in s.execute(select(Entity)).scalars():
            image = entity_image(e)
            image["licences"] = sorted((lic["id"], lic["number"]) for lic in image["licences"] if not lic["deleted"])
            result[str(e.id)] = image
        return result


def write_zip(members: list[tuple[str, bytes]], *, compression: int = 0) -> bytes:
    """A zip made by hand (tests of packages that our writer would never make)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()
