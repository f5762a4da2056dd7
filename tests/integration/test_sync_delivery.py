"""Delivery you can see: what the sender knows of each package and change (已发出未确认 with its age,
acknowledged, superseded) in `sync status --json` and `office list --json`, a reminder after N silent days,
and the messages of item 8 in the clerk's words."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.sync import export as ex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

IDS = ["91320830PYQLFT169T", "923208306JU6UCCY4U", "320830199001011236"]


def _cli(office, capsys, *argv: str):  # type: ignore[no-untyped-def]
    capsys.readouterr()
    with office.active():
        code = main(["--db", office.db, *argv])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def _export(src, dst, path: Path):  # type: ignore[no-untyped-def]
    with src.active():
        return sync.export_package(src.ctx, dst.code, path)


def _import(dst, path: Path, **kw):  # type: ignore[no-untyped-def]
    with dst.active():
        return sync.import_package(dst.ctx, path, **kw)


def test_a_package_never_imported_stays_sent_unconfirmed_with_its_age(offices, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[0]))
    lost = _export(bureau, field, tmp_path / "lost.xsync")  # the stick is lost: never imported
    with bureau.clock(3):  # three days later
        status = _cli(bureau, capsys, "sync", "status", "--json")
        offices_json = _cli(bureau, capsys, "office", "list", "--json")
    (peer,) = status["peers"]
    assert peer["code"] == "XYF1" and peer["state"] == "unacknowledged"
    assert peer["label"].startswith("已发出未确认：1 条变更，最早一包 3 天前发出"), peer["label"]
    assert peer["unacknowledged_changes"] == 1 and 2.9 < peer["unacknowledged_days"] < 3.1
    (pkg,) = status["packages"]
    assert pkg["status"] == "sent" and pkg["status_label"] == "已发出未确认" and pkg["package_id"] == lost.package_id
    listed = {o["code"]: o for o in offices_json}
    assert listed["XYF1"]["sync"]["state"] == "unacknowledged" and "sync" not in listed["XYJ"]
    assert listed["XYF1"]["sync"]["label"] == peer["label"]

    # a second package carries the same change again: the lost one is superseded by it
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县东风货运有限公司", identifier=IDS[1]))
    second = _export(bureau, field, tmp_path / "second.xsync")
    assert second.changes == 2
    with bureau.active():
        by_id = {h.package_id: h for h in sync.package_history(bureau.ctx)}
    assert by_id[lost.package_id].status == "superseded" and by_id[second.package_id].status == "sent"

    # the field office imports it; its next package says so: acknowledged, nothing outstanding
    assert _import(field, second.path).applied == 2
    _import(bureau, _export(field, bureau, tmp_path / "reply.xsync").path)
    with bureau.active():
        by_id = {h.package_id: h for h in sync.package_history(bureau.ctx)}
        (state,) = sync.peer_states(bureau.ctx)
    assert by_id[second.package_id].status == "acknowledged" and by_id[second.package_id].acknowledged_at is not None
    assert by_id[lost.package_id].status == "superseded"
    assert state.state == "acknowledged" and state.unacknowledged == 0 and state.waiting == 0
    assert state.label == "已确认：对方已收到发出的全部变更"


def test_the_receiver_says_what_it_lacks_and_gets_it_without_asking(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[0]))
    _import(field, _export(bureau, field, tmp_path / "p1.xsync").path)
    _import(bureau, _export(field, bureau, tmp_path / "r1.xsync").path)  # acknowledged
    # a report that the field office lost it (as after a restore): the bureau believes the lower number
    with field.ctx.transaction() as s:
        ex.put_ack(s, "XYF1", "XYJ", seq=0)
    reply = _export(field, bureau, tmp_path / "r2.xsync")
    _import(bureau, reply.path)
    with bureau.active():
        (state,) = sync.peer_states(bureau.ctx)
    assert state.waiting == 1 and state.unacknowledged == 1, state
    assert state.label == "对方报告已没有此前确认收到的 1 条变更（可能恢复了备份），下一个同步包将自动重发"
    again = _export(bureau, field, tmp_path / "p2.xsync")
    assert again.changes == 1 and again.ranges == {"XYJ": [1, 1]}


def test_a_silent_peer_is_named_after_n_days(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    _import(bureau, _export(field, bureau, tmp_path / "hello.xsync").path)
    with bureau.active():
        assert sync.startup_notices(bureau.ctx) == []
    with bureau.clock(8), bureau.active():
        (state,) = sync.peer_states(bureau.ctx)
        notices = sync.startup_notices(bureau.ctx)
    assert state.silent_days == 8
    assert state.reminder.startswith("已 8 天未收到单位 XYF1（测试单位XYF1）的同步包"), state.reminder
    assert notices == [state.reminder]


def test_item_8_messages_in_the_clerks_words(offices, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bureau, field = offices
    with bureau.active():
        d = svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[0]))
    p1 = _export(bureau, field, tmp_path / "p1.xsync")
    with bureau.active():
        svc.update_entity(bureau.ctx, d.summary.id, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[0],
                                                                 address="淮河路1号"), expected_version=None)
    with bureau.ctx.transaction() as s:  # as if p1 had been acknowledged: p2 carries only the edit
        ex.put_ack(s, "XYF1", "XYJ", seq=1)
    p2 = _export(bureau, field, tmp_path / "p2.xsync")
    preview = _import(field, p2.path, preview=True)
    assert "1 条变更因缺少前面的同步包暂存待补" in preview.message_zh and "已应用" not in preview.message_zh
    held = _import(field, p2.path)
    assert held.status == "held"
    # the same package again: nothing new, but a change is still waiting: not "数据未改变" alone
    again = _import(field, p2.path)
    assert again.status == "nothing_new"
    assert again.message_zh.startswith("同步包（来自 XYJ）中没有可以应用的新变更；仍有 1 条变更因缺少前面的同步包暂存待补"), again.message_zh
    # a preview never says 已应用
    preview = _import(field, p1.path, preview=True)
    assert "将应用新变更 2 条（尚未写入" in preview.message_zh and "已应用" not in preview.message_zh
    assert _import(field, p1.path).applied == 2
    # editing a record deleted meanwhile: 已被删除, not 未找到
    with field.active():
        svc.delete_entity(field.ctx, d.summary.id, expected_version=None)
        with pytest.raises(Exception) as info:
            svc.update_entity(field.ctx, d.summary.id, EntityDraft(name="盱眙县顺达运输有限公司", identifier=IDS[0],
                                                                    address="东风路2号"), expected_version=None)
    assert "已被删除" in info.value.message_zh and "未找到" not in info.value.message_zh  # type: ignore[attr-defined]
