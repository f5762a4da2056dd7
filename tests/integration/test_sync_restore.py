"""Recovery without a person: an office that restores a backup taken before an import gets back, in the next
exchange, every change it lost (its peers' and its own), and new changes made after the restore never collide
with the numbers it had handed out before."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from databases import on_postgresql
from sync_offices import entity_state

IDS = ["91320830PYQLFT169T", "923208306JU6UCCY4U", "320830199001011236", "320830198001011231"]


def _send(src, dst, path: Path):  # type: ignore[no-untyped-def]
    with src.active():
        p = sync.export_package(src.ctx, dst.code, path)
    with dst.active():
        return sync.import_package(dst.ctx, p.path)


def _names(office) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(e["name"] for e in entity_state(office.ctx).values() if not e["deleted"])


@pytest.mark.parametrize("how", ["program", "copied_file"])
def test_restore_before_an_import_gets_everything_back_in_one_exchange(offices, tmp_path: Path, how: str) -> None:  # type: ignore[no-untyped-def]
    if how == "program" and on_postgresql():
        pytest.skip("the program's restore works on SQLite files; a server is restored by its administrator")
    bureau, field = offices
    with field.active():
        svc.register_entity(field.ctx, EntityDraft(name="盱眙县东风货运有限公司", identifier=IDS[0]))
    backup = bureau.backup("before-import")
    _send(field, bureau, tmp_path / "f1.xsync")
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[1]))
    _send(bureau, field, tmp_path / "b1.xsync")  # the field office now has the bureau's change and its ack
    assert _names(field) == ["盱眙县东风货运有限公司", "盱眙县顺达运输有限公司"]

    bureau.restore(backup, by_program=how == "program")
    assert _names(bureau) == []  # lost: the field office's change and its own
    with bureau.active():  # a change made after the restore, before any exchange
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县马坝客运站", identifier=IDS[2]))

    # the next exchange in both directions, nothing else, gives the bureau back what it lost
    _send(bureau, field, tmp_path / "b2.xsync")
    back = _send(field, bureau, tmp_path / "f2.xsync")
    assert back.applied == 2, back.to_json()
    expected = ["盱眙县东风货运有限公司", "盱眙县顺达运输有限公司", "盱眙县马坝客运站"]
    assert _names(bureau) == expected
    with bureau.active():
        assert sync.missing_changes(bureau.ctx) == {}
    # the bureau's next package carries its new change (a copied-back file: under its new numbers; the field
    # office held it aside until then), and both sides agree that nothing is outstanding
    _send(bureau, field, tmp_path / "b3.xsync")
    assert _names(field) == expected
    assert entity_state(bureau.ctx) == entity_state(field.ctx)
    _send(field, bureau, tmp_path / "f3.xsync")
    with bureau.active():
        states = {p.code: p for p in sync.peer_states(bureau.ctx)}
    assert states["XYF1"].unacknowledged == 0 and states["XYF1"].waiting == 0, states["XYF1"]
    with field.active():
        states = {p.code: p for p in sync.peer_states(field.ctx)}
    assert states["XYJ"].unacknowledged == 0 and states["XYJ"].waiting == 0, states["XYJ"]
    with bureau.active():
        edited = svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县第四运输公司", identifier=IDS[3]))
    _send(bureau, field, tmp_path / "b4.xsync")
    with field.active():
        assert svc.get_entity(field.ctx, edited.summary.id).summary.name == "盱眙县第四运输公司"


def test_copied_back_file_whose_new_changes_left_first_is_straightened_out(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The worst case: the database file was copied back by hand (no trace of a restore in it), the office
    made a change and sent it before hearing from anyone. Its number is taken at the peer by the change that
    was lost: the peer holds the new one aside instead of refusing the package, says so, and the office
    renumbers; nothing is lost and nothing is blocked."""
    bureau, field = offices
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[0]))
    backup = bureau.backup("early")
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县东风货运有限公司", identifier=IDS[1]))
    _send(bureau, field, tmp_path / "b1.xsync")
    bureau.restore(backup, by_program=False)
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县马坝客运站", identifier=IDS[2]))
    clash = _send(bureau, field, tmp_path / "b2.xsync")
    assert clash.aside == 1 and "暂存" in clash.message_zh, clash.to_json()
    with field.active():
        assert [(a.stream, a.seq) for a in sync.aside_changes(field.ctx)] == [("XYJ", 2)]
    # the field office's reply says so and brings the lost change; the bureau renumbers its new one
    _send(field, bureau, tmp_path / "f1.xsync")
    assert _names(bureau) == ["盱眙县东风货运有限公司", "盱眙县顺达运输有限公司", "盱眙县马坝客运站"]
    _send(bureau, field, tmp_path / "b3.xsync")
    expected = ["盱眙县东风货运有限公司", "盱眙县顺达运输有限公司", "盱眙县马坝客运站"]
    assert _names(bureau) == _names(field) == expected
    assert entity_state(bureau.ctx) == entity_state(field.ctx)
    with field.active():
        assert sync.aside_changes(field.ctx) == []
        assert sync.missing_changes(field.ctx) == {}
