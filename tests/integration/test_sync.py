"""Offline sync between offices: convergence (hypothesis), refusals that leave data untouched, exactly-once."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.sync import format as fmt
from xuyi_desktop.sync.format import PackageRefused

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import business_dump, entity_state, make_offices, write_zip

IDS = ["91320830PYQLFT169T", "923208306JU6UCCY4U", "320830199001011236"]
ADDRESSES = ["淮河路1号", "东风路2号", "盱城街道3号", "马坝镇4号"]


def _draft(ident: str, name: str, address: str = "", notes: str = "") -> EntityDraft:
    return EntityDraft(name=name, identifier=ident, address=address, notes=notes)


@pytest.fixture
def pair(tmp_path: Path):  # type: ignore[no-untyped-def]
    offices = make_offices(tmp_path / "offices", ["XYJ", "XYF1", "XYF2"])
    yield offices
    for o in offices:
        o.close()


def _export(src, to, path):  # type: ignore[no-untyped-def]
    with src.active():
        return sync.export_package(src.ctx, to.code, path)


def _import(dst, path, **kw):  # type: ignore[no-untyped-def]
    with dst.active():
        return sync.import_package(dst.ctx, path, **kw)


def test_round_trip_exactly_once_and_search(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = pair
    with a.active():
        svc.register_entity(a.ctx, _draft(IDS[0], "盱眙县顺达运输有限公司"))
    p = _export(a, b, tmp_path / "p1.xsync")
    assert _import(b, p.path, preview=True).status == "preview"
    first = _import(b, p.path)
    assert first.applied == 1 and first.status == "applied"
    again = _import(b, p.path)
    assert again.status == "nothing_new" and "没有新的变更" in again.message_zh
    with b.active():
        assert [e.name for e in svc.find_entities(b.ctx, "顺达运输")] == ["盱眙县顺达运输有限公司"]
    # a second package repeats the unacknowledged change: applied once only
    p2 = _export(a, b, tmp_path / "p2.xsync")
    assert p2.changes == 1 and _import(b, p2.path).status == "nothing_new"
    # b's next package carries its acknowledgement: a then sends nothing old
    _import(a, _export(b, a, tmp_path / "back.xsync").path)
    assert _export(a, b, tmp_path / "p3.xsync").changes == 0


def test_gap_is_held_until_filled(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = pair
    with a.active():
        d = svc.register_entity(a.ctx, _draft(IDS[0], "盱眙县顺达运输有限公司"))
    p1 = _export(a, b, tmp_path / "p1.xsync")
    with a.active():
        svc.update_entity(a.ctx, d.summary.id, _draft(IDS[0], "盱眙县顺达运输有限公司", "淮河路1号"), expected_version=None)
    # a package with only seq 2: build it by acknowledging seq 1 on a's side by hand
    from xuyi_desktop.sync import export as ex
    with a.ctx.transaction() as s:
        ex.put_ack(s, "XYF1", "XYJ", seq=1)
    p2 = _export(a, b, tmp_path / "p2.xsync")
    held = _import(b, p2.path)
    assert held.status == "held" and held.held == 1 and "缺少单位 XYJ 的第 1 号变更" in held.message_zh
    with b.active():
        assert sync.missing_changes(b.ctx) == {"XYJ": [(1, 1)]}
    filled = _import(b, p1.path)
    assert filled.applied == 2 and filled.held == 0
    assert entity_state(a.ctx) == entity_state(b.ctx)


def _tamper(data: bytes) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def _rewrite_outer(data: bytes, change: Any) -> bytes:
    members = zipfile.ZipFile(io.BytesIO(data))
    items = [(n, members.read(n)) for n in members.namelist()]
    return write_zip(change(items))


def _with_version(items: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    out = []
    for n, d in items:
        if n == fmt.HEADER:
            h = json.loads(d)
            h["format_version"] = 99
            d = fmt.canonical(h)
        out.append((n, d))
    return out


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("tampered", "同步包"),
        ("truncated", "不完整或已损坏"),
        ("receiver", "不是本单位"),
        ("unregistered", "未在本机登记"),
        ("version", "格式版本 99，本程序只认识 2），请先升级本机程序"),
        ("escape", "指向包外的路径"),
    ],
)
def test_bad_packages_are_refused_and_change_nothing(pair, tmp_path: Path, case: str, expect: str) -> None:  # type: ignore[no-untyped-def]
    a, b, c = pair
    with a.active():
        svc.register_entity(a.ctx, _draft(IDS[0], "盱眙县顺达运输有限公司"))
    with b.active():
        svc.register_entity(b.ctx, _draft(IDS[1], "盱眙县东风货运有限公司"))
    target = b
    good = _export(a, b, tmp_path / "good.xsync").path
    data = good.read_bytes()
    if case == "tampered":
        data = _tamper(data)
    elif case == "truncated":
        data = data[: len(data) - 200]
    elif case == "receiver":
        data = _export(a, c, tmp_path / "c.xsync").path.read_bytes()
    elif case == "unregistered":
        from xuyi_desktop.services.offices import office_card, register_office

        (stranger,) = make_offices(tmp_path / "stranger", ["XYF9"])
        with b.active():
            card = office_card(b.ctx)
        with stranger.active():
            register_office(stranger.ctx, card)
            svc.register_entity(stranger.ctx, _draft(IDS[2], "张三"))
        data = _export(stranger, b, tmp_path / "s.xsync").path.read_bytes()
        stranger.close()
    elif case == "version":
        data = _rewrite_outer(data, _with_version)
    elif case == "escape":
        data = _rewrite_outer(data, lambda items: [*items, ("../../evil.txt", b"x")])
    bad = tmp_path / f"bad-{case}.xsync"
    bad.write_bytes(data)
    before = business_dump(target.ctx)
    with pytest.raises(PackageRefused) as info:
        _import(target, bad)
    assert expect in info.value.message_zh
    assert business_dump(target.ctx) == before
    with target.ctx.transaction() as s:
        from xuyi_desktop.storage.models import AuditEntry
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "sync.refused")).scalars().first() is not None


def test_progress_and_cancel_leave_the_database_untouched(pair, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = pair
    monkeypatch.setattr(sync, "BATCH", 2)
    with a.active():
        for i, ident in enumerate(IDS):
            svc.register_entity(a.ctx, _draft(ident, f"盱眙县测试运输有限公司{i}"), allow_similar=True)
    # an export cancelled half-way writes no file and leaves the change bookkeeping as it was
    with a.active(), pytest.raises(fmt.SyncCancelled):
        sync.export_package(a.ctx, b.code, tmp_path / "cancelled.xsync", cancelled=lambda: True)
    assert not (tmp_path / "cancelled.xsync").exists()
    steps: list[tuple[int, int]] = []
    with a.active():
        p = sync.export_package(a.ctx, b.code, tmp_path / "p.xsync", progress=lambda d, t: steps.append((d, t)))
    assert steps and steps[-1] == (1, 1)
    before = business_dump(b.ctx)
    seen: list[tuple[int, int]] = []
    with b.active(), pytest.raises(fmt.SyncCancelled):
        sync.import_package(b.ctx, p.path, progress=lambda d, t: seen.append((d, t)), cancelled=lambda: len(seen) >= 2)
    assert seen == [(0, 3), (2, 3)]  # one batch was applied in the transaction, then rolled back
    assert business_dump(b.ctx) == before
    seen.clear()
    with b.active():
        done = sync.import_package(b.ctx, p.path, progress=lambda d, t: seen.append((d, t)))
    assert done.applied == 3 and seen == [(0, 3), (2, 3), (3, 3)]
    assert entity_state(a.ctx) == entity_state(b.ctx)


def test_ratings_sync_through_generic_row_images(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from sqlalchemy import inspect, text

    from xuyi_desktop.services import ratings

    a, b, _ = pair
    with a.active():
        svc.register_entity(a.ctx, EntityDraft(name="盱眙路桥工程有限公司", identifier=IDS[0],
                                                categories=("construction_unit",)))
        view = ratings.add_rating(a.ctx, ratings.RatingInput(entity=IDS[0], domain="highway_construction",
                                                             period=dt.date.today().year, score=94.9,
                                                             evaluating_organ="盱眙县交通运输局"))
    result = _import(b, _export(a, b, tmp_path / "r1.xsync").path)
    assert result.per_table.get("rating.insert") == 1, result.per_table

    def rows(ctx):  # type: ignore[no-untyped-def]
        with ctx.engine.connect() as conn:
            cols = [c["name"] for c in inspect(conn).get_columns("rating")
                    if c["name"] not in ("created_at", "updated_at", "version", "updated_office")]
            return [tuple(r) for r in conn.execute(text(f"SELECT {', '.join(cols)} FROM rating ORDER BY id"))]

    assert rows(a.ctx) == rows(b.ctx) and len(rows(b.ctx)) == 1
    with b.active():
        assert [r.id for r in ratings.list_ratings(b.ctx, IDS[0])] == [view.id]
    # an edit made at b (a status move) travels back to a
    with b.active():
        from xuyi_desktop.domain.ratings import RatingStatus

        ratings.set_status(b.ctx, view.id, RatingStatus.REVIEWED)
    _import(a, _export(b, a, tmp_path / "r2.xsync").path)
    assert rows(a.ctx) == rows(b.ctx)
    with a.active():
        assert [r.status for r in ratings.list_ratings(a.ctx, IDS[0])] == [RatingStatus.REVIEWED]
