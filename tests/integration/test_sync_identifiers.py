"""Two offices register the same identifier: a conflict for a reviewer, never a failed import, and the
same outcome whichever package is imported first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.sync.apply import DUPLICATE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import entity_state, make_offices

USCC = "91320830PYQLFT169T"


def _live(ctx) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return sorted((e.identifier, e.name) for e in s.execute(select(Entity).where(Entity.deleted_at.is_(None))).scalars())


@pytest.mark.parametrize("first", ["bureau_first", "field_first"])
def test_same_identifier_in_two_offices_becomes_a_conflict(tmp_path: Path, first: str) -> None:
    a, b = make_offices(tmp_path / "o", ["XYJ", "XYF1"])
    try:
        with a.active():  # created first: keeps the identifier live everywhere
            svc.register_entity(a.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=USCC))
        with b.active():
            svc.register_entity(b.ctx, EntityDraft(name="盱眙顺达运输公司", identifier=USCC))
        with a.active():
            pa = sync.export_package(a.ctx, "XYF1", tmp_path / "a.xsync").path
        with b.active():
            pb = sync.export_package(b.ctx, "XYJ", tmp_path / "b.xsync").path
        steps = [(b, pa), (a, pb)] if first == "bureau_first" else [(a, pb), (b, pa)]
        for office, path in steps:
            with office.active():
                result = sync.import_package(office.ctx, path)
            assert result.status == "applied" and result.conflicts == 1, result.to_json()
        assert entity_state(a.ctx) == entity_state(b.ctx)
        assert _live(a.ctx) == _live(b.ctx) == [(USCC, "盱眙县顺达运输有限公司")]
        for office in (a, b):
            with office.active():
                dup = [c for c in sync.list_conflicts(office.ctx) if c.kind == DUPLICATE]
            assert len(dup) == 1 and dup[0].loser == USCC and dup[0].field == "identifier"
        # the next round trip changes nothing and raises nothing
        with a.active():
            again = sync.export_package(a.ctx, "XYF1", tmp_path / "a2.xsync").path
        with b.active():
            assert sync.import_package(b.ctx, again).status in ("nothing_new", "applied")
        assert entity_state(a.ctx) == entity_state(b.ctx)
    finally:
        a.close()
        b.close()
