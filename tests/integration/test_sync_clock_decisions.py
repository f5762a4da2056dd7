"""Clocks that cannot lie (a PC 30 days fast cannot win over an edit made after its change was seen, and is
warned), and decisions that travel (a conflict resolved at the bureau is closed at the field office)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.storage.models_sync import SyncChange

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import entity_state

USCC, OTHER = "91320830PYQLFT169T", "923208306JU6UCCY4U"
NAME = "盱眙县顺达运输有限公司"


def _send(src, dst, path: Path):  # type: ignore[no-untyped-def]
    with src.active():
        p = sync.export_package(src.ctx, dst.code, path)
    with dst.active():
        return sync.import_package(dst.ctx, p.path)


def _draft(address: str, ident: str = USCC, name: str = NAME) -> EntityDraft:
    return EntityDraft(name=name, identifier=ident, address=address)


def _stamp(office, which) -> int:  # type: ignore[no-untyped-def]
    with office.ctx.transaction() as s:
        return max(int(st) for p, st in s.execute(select(SyncChange.payload, SyncChange.stamp)) if which(json.loads(p)))


def test_a_pc_thirty_days_fast_cannot_win_over_a_later_informed_edit_and_is_warned(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    with bureau.active():
        entity = svc.register_entity(bureau.ctx, _draft("")).summary.id
    _send(bureau, field, tmp_path / "b1.xsync")
    with field.clock(30):
        with field.active():
            svc.update_entity(field.ctx, entity, _draft("快三十天的地址"), expected_version=None)
        _send(field, bureau, tmp_path / "f1.xsync")
    # the bureau has seen the fast office's change; its clerk corrects the address, and registers another entity
    with bureau.active():
        svc.update_entity(bureau.ctx, entity, _draft("淮河路1号"), expected_version=None)
        svc.register_entity(bureau.ctx, _draft("", OTHER, "盱眙县东风货运有限公司"))
    with field.clock(30):
        _send(bureau, field, tmp_path / "b2.xsync")
        _send(field, bureau, tmp_path / "f2.xsync")
    with bureau.active():
        assert svc.get_entity(bureau.ctx, entity).address == "淮河路1号"
    with field.active():
        assert svc.get_entity(field.ctx, entity).address == "淮河路1号"
    assert entity_state(bureau.ctx) == entity_state(field.ctx)
    # the office clock, not only the record's: a later change of another record is ordered after it too
    fast = _stamp(bureau, lambda c: c["office"] == "XYF1")
    later = _stamp(bureau, lambda c: c["office"] == "XYJ" and c["record_id"] != str(entity))
    assert later > fast
    with bureau.active():
        (peer,) = sync.peer_states(bureau.ctx)
        assert peer.clock_note.startswith("单位 XYF1 的电脑时钟比本机快至少"), peer.clock_note
    # the fast PC is told at start
    with field.clock(30), field.active():
        notices = sync.startup_notices(field.ctx)
    assert any(n.startswith("本机时钟比单位 XYJ 的电脑快至少") and "请校正本机的日期和时间" in n for n in notices), notices
    with bureau.active():
        assert not any("本机时钟" in n for n in sync.startup_notices(bureau.ctx))


def test_a_package_stamped_years_ahead_is_refused(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    with field.clock(3 * 365), field.active():
        svc.register_entity(field.ctx, _draft(""))
        p = sync.export_package(field.ctx, "XYJ", tmp_path / "future.xsync")
    with bureau.active(), pytest.raises(sync.PackageRefused) as info:
        sync.import_package(bureau.ctx, p.path)
    assert "时间远在本机时间之后" in info.value.message_zh


@pytest.mark.parametrize("restore", [True, False])
def test_a_conflict_resolved_at_the_bureau_is_closed_at_the_field_office(offices, tmp_path: Path, restore: bool) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    with bureau.active():
        entity = svc.register_entity(bureau.ctx, _draft("")).summary.id
    _send(bureau, field, tmp_path / "b1.xsync")
    with bureau.active():
        svc.update_entity(bureau.ctx, entity, _draft("淮河路1号"), expected_version=None)
    with field.active():
        svc.update_entity(field.ctx, entity, _draft("东风路2号"), expected_version=None)
    _send(bureau, field, tmp_path / "b2.xsync")
    _send(field, bureau, tmp_path / "f2.xsync")
    with bureau.active():
        (at_bureau,) = sync.list_conflicts(bureau.ctx)
    with field.active():
        (at_field,) = sync.list_conflicts(field.ctx)
    assert (at_bureau.field, at_bureau.winner, at_bureau.loser) == (at_field.field, at_field.winner, at_field.loser)
    with bureau.active():
        sync.resolve_conflict(bureau.ctx, at_bureau.id, restore=restore)
        assert sync.list_conflicts(bureau.ctx) == []
    _send(bureau, field, tmp_path / "b3.xsync")  # one exchange
    with field.active():
        assert sync.list_conflicts(field.ctx) == []
        (closed,) = sync.list_conflicts(field.ctx, open_only=False)
        shown = svc.get_entity(field.ctx, entity).address
    assert closed.status == ("restored" if restore else "kept") and closed.resolved_office == "XYJ"
    assert shown == (at_bureau.loser if restore else at_bureau.winner)
    assert entity_state(bureau.ctx) == entity_state(field.ctx)
    # the decision came back to the bureau: nothing new there, nothing reopened
    _send(field, bureau, tmp_path / "f3.xsync")
    with bureau.active():
        assert sync.list_conflicts(bureau.ctx) == []


def test_a_delete_wins_shown_in_words(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    with bureau.active():
        entity = svc.register_entity(bureau.ctx, _draft("")).summary.id
    _send(bureau, field, tmp_path / "b1.xsync")
    with field.active():
        svc.update_entity(field.ctx, entity, _draft("东风路2号"), expected_version=None)
    with bureau.active():
        svc.delete_entity(bureau.ctx, entity, expected_version=None)
    _send(field, bureau, tmp_path / "f1.xsync")
    with bureau.active():
        conflicts = sync.list_conflicts(bureau.ctx)
    assert conflicts and all(c.kind == "delete_edit" for c in conflicts)
    texts = {(c.field, c.winner_text, c.loser_text) for c in conflicts}
    assert ("address", "（记录已删除）", "东风路2号") in texts, texts
    assert not any(t == "True" for _f, w, lo in texts for t in (w, lo))
