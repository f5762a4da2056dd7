"""Several offices in one test process: each has its own database and data folder (its own keys)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from xuyi_desktop.services.context import AppContext, open_context

from databases import DatabaseFactory

BUSINESS_TABLES = ("entity", "entity_category", "licence", "entity_relation", "rating", "dishonesty_record")


@dataclass
class TestOffice:
    code: str
    folder: Path
    ctx: AppContext
    db: str  # what --db takes: the office's file (SQLite run) or its own database on the test server
    factory: DatabaseFactory

    @contextlib.contextmanager
    def active(self) -> Iterator[AppContext]:
        old = os.environ.get("XUYI_DATA_DIR")
        os.environ["XUYI_DATA_DIR"] = str(self.folder / "data")
        try:
            yield self.ctx
        finally:
            if old is None:
                os.environ.pop("XUYI_DATA_DIR", None)
            else:
                os.environ["XUYI_DATA_DIR"] = old

    def close(self) -> None:
        self.ctx.close()
        self.factory.drop_all()


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
