"""Property: three offices edit at random and exchange packages in random order (some twice, some delayed,
some lost on the way), take backups and restore them (with the program, or by copying the file back, as an
administrator of a server would), while one PC's clock runs 30 days fast and another's 2 days slow; after a
few final exchanges every office holds identical business data, nothing is held back or aside, and no
overwritten value is lost."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage.models_sync import SyncChange, SyncConflict
from xuyi_desktop.sync.conflicts import change_key, modified_fields

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from databases import on_postgresql
from sync_offices import entity_state, make_offices

CODES = ["XYJ", "XYF1", "XYF2"]
IDS = {"XYJ": "91320830PYQLFT169T", "XYF1": "923208306JU6UCCY4U", "XYF2": "320830199001011236"}
NAMES = {"XYJ": "盱眙县顺达运输有限公司", "XYF1": "盱眙县东风货运有限公司", "XYF2": "张三"}
VALUES = ["淮河路1号", "东风路2号", "盱城街道3号", "马坝镇4号"]

op = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 2), st.sampled_from(["address", "notes"]),
              st.sampled_from(VALUES)),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 2), st.just(""), st.just("")),
    st.tuples(st.just("send"), st.integers(0, 2), st.integers(0, 2), st.just(""), st.just("")),
    st.tuples(st.just("deliver"), st.integers(0, 50), st.integers(0, 1), st.just(""), st.just("")),
    st.tuples(st.just("lose"), st.integers(0, 50), st.integers(0, 1), st.just(""), st.just("")),
    st.tuples(st.just("backup"), st.integers(0, 2), st.integers(0, 2), st.just(""), st.just("")),
    st.tuples(st.just("restore"), st.integers(0, 2), st.integers(0, 1), st.just(""), st.just("")),
)
SKEW_DAYS = {"XYJ": 0.0, "XYF1": -2.0, "XYF2": 30.0}
FINAL_ROUNDS = 3


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(op, min_size=5, max_size=30))
def test_three_offices_converge_and_lose_nothing(ops: list[tuple[str, int, int, str, str]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="xuyi-sync-prop-"))
    offices = make_offices(root, CODES)
    try:
        ids: dict[str, uuid.UUID] = {}
        backups: dict[int, str] = {}
        for o in offices:
            o.skew_days = SKEW_DAYS[o.code]
        for o in offices:  # each office registers one entity of its own
            with o.active():
                ids[o.code] = svc.register_entity(o.ctx, EntityDraft(name=NAMES[o.code], identifier=IDS[o.code])).summary.id
        outbox: list[tuple[int, Path]] = []
        n = 0
        for kind, x, y, fld, value in ops:
            if kind == "edit" or kind == "delete":
                o, target = offices[x], ids[CODES[y]]
                with o.active():
                    try:
                        cur = svc.get_entity(o.ctx, target, reveal=True)
                    except NotFoundError:
                        continue
                    if cur.summary.id is None:
                        continue
                    try:
                        if kind == "delete":
                            svc.delete_entity(o.ctx, target, expected_version=None)
                        else:
                            draft = EntityDraft(name=NAMES[CODES[y]], identifier=IDS[CODES[y]],
                                                address=value if fld == "address" else cur.address,
                                                notes=value if fld == "notes" else cur.notes)
                            svc.update_entity(o.ctx, target, draft, expected_version=None, allow_similar=True)
                    except NotFoundError:
                        continue
            elif kind == "send" and x != y:
                n += 1
                with offices[x].active():
                    r = sync.export_package(offices[x].ctx, CODES[y], root / f"p{n}.xsync")
                outbox.append((y, r.path))
            elif kind == "deliver" and outbox:
                y, path = outbox.pop(x % len(outbox))  # random order: any pending package
                with offices[y].active():
                    sync.import_package(offices[y].ctx, path)
                if y == 1:  # some twice
                    outbox.append((y, path))
            elif kind == "lose" and outbox:
                outbox.pop(x % len(outbox))  # the stick is lost
            elif kind == "backup":
                n += 1
                backups[x] = offices[x].backup(f"backup{n}")
            elif kind == "restore" and x in backups:
                offices[x].restore(backups[x], by_program=bool(y) and not on_postgresql())
        for y, path in outbox:  # the delayed ones arrive at last
            with offices[y].active():
                sync.import_package(offices[y].ctx, path)
        for _ in range(FINAL_ROUNDS):  # final all-to-all rounds
            for src in offices:
                for dst in offices:
                    if src is dst:
                        continue
                    n += 1
                    with src.active():
                        r = sync.export_package(src.ctx, dst.code, root / f"f{n}.xsync")
                    with dst.active():
                        sync.import_package(dst.ctx, r.path)
        states = [entity_state(o.ctx) for o in offices]
        assert states[0] == states[1] == states[2]
        for o in offices:
            with o.active():
                assert sync.missing_changes(o.ctx) == {} and sync.aside_changes(o.ctx) == [], o.code
        # nothing overwritten silently: every value some change wrote is the final value, or was seen by a
        # later change that replaced it, or is in a conflict log
        changes = []
        logged: set[tuple[str, str, str]] = set()
        for o in offices:
            with o.ctx.transaction() as s:
                changes += [json.loads(p) for p in s.execute(select(SyncChange.payload)).scalars()]
                for c in s.execute(select(SyncConflict)).scalars():
                    logged.add((str(c.record_id), c.field, c.loser_json or "null"))
        unique = {c["id"]: c for c in changes}.values()
        final = states[0]
        for c in unique:
            for f in modified_fields(c):
                v = c["after"][f]
                rid = c["record_id"]
                if final[rid].get(f) == v:
                    continue
                later = [d for d in unique if d["record_id"] == rid and f in modified_fields(d)
                         and change_key(d) > change_key(c) and (d.get("before") or {}).get(f) == v]
                assert later or (rid, f, json.dumps(v, ensure_ascii=False)) in logged, (c, f)
    finally:
        for o in offices:
            o.close()
        shutil.rmtree(root, ignore_errors=True)
