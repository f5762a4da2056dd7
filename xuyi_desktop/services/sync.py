"""Sync use cases: export a package to a peer, import one (with a preview), delivery state per peer, the
backlog, conflicts and the decisions on them, and the notices shown at start.

Permissions: export needs EXPORT, import needs ENTITY_EDIT, resolving a conflict needs SYNC_RESOLVE.
Every export, import and refusal is audited.

Delivery. Every package carries what its sender holds (`have`, per stream), the gaps it is waiting to fill
(`missing`), changes it holds aside (`clash`) and the packages it has imported from the receiver (`received`).
The receiver takes that report as the truth about the sender, even when it says less than before (a restore,
a lost package): what a peer is sent next is always everything it has not reported having, so a lost or
undone delivery is repaired by the next exchange without anyone asking. An outgoing package is `sent`
(已发出未确认) until the peer reports having imported it (`acknowledged`), or a later package carries everything
it carried (`superseded`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import attachments, audit, audit_anchor, office_keys
from xuyi_desktop.services.bulk_gc import fewer_gc_passes
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage import change_log, entity_writes, sync_writes
from xuyi_desktop.storage.migrate import head_revision
from xuyi_desktop.storage.models import Office, utcnow
from xuyi_desktop.storage.models_sync import (
    SyncAside,
    SyncChange,
    SyncConflict,
    SyncDecision,
    SyncPackage,
    SyncPeer,
    decision_id,
)
from xuyi_desktop.storage.queries import offices as office_queries
from xuyi_desktop.storage.queries import sync as sync_queries
from xuyi_desktop.storage.snapshots import row_image
from xuyi_desktop.sync import apply as applier
from xuyi_desktop.sync import clock as hlc
from xuyi_desktop.sync import conflicts as merge_fields
from xuyi_desktop.sync import crypto, export, importing, records
from xuyi_desktop.sync import format as fmt
from xuyi_desktop.sync.clock import OfficeClock
from xuyi_desktop.sync.format import PackageRefused
from xuyi_desktop.sync.settings import settings

TABLE_LABELS = {t.table: t.label for t in records.RECORDS.values()} | {"licence": "许可证"}
OUT_STATUS = {"sent": "已发出未确认", "acknowledged": "已确认收到", "superseded": "已被后续包取代", "written": "已发出未确认"}
IN_STATUS = {"applied": "已导入", "held": "已导入（部分暂存待补）", "nothing_new": "无新变更", "preview": "预览"}
RECEIVED_REPORTED = 50  # package ids of the receiver's last packages named in each package


def status_label(direction: str, status: str) -> str:
    return (OUT_STATUS if direction == "out" else IN_STATUS).get(status, status)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    receiver: str
    changes: int
    ranges: dict[str, list[int]]
    size: int
    kind: str
    local_only: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "package_id": self.package_id, "receiver": self.receiver, "changes": self.changes,
                "ranges": self.ranges, "size": self.size, "kind": self.kind, "status": "sent",
                "status_label": OUT_STATUS["sent"]}


@dataclass
class ImportResult:
    status: str  # applied | held | nothing_new | preview
    sender: str
    package_id: str
    changes: int = 0
    applied: int = 0
    held: int = 0
    duplicates: int = 0
    conflicts: int = 0
    aside: int = 0
    new: int = 0  # changes this package brought that were not here before (applied now or held)
    per_table: dict[str, int] = field(default_factory=dict)
    missing: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    preview: bool = False

    @property
    def message_zh(self) -> str:
        waiting = f"{self.held} 条变更因缺少前面的同步包暂存待补（{missing_text(self.missing)}）" if self.held else ""
        if self.applied == 0 and not self.aside and not self.notes:
            unchanged = "导入后数据暂不改变" if self.preview else "数据暂未改变"
            if self.new:
                return f"来自 {self.sender} 的同步包：{waiting}，{unchanged}；收到缺少的同步包后自动应用"
            if self.held:
                return f"同步包（来自 {self.sender}）中没有可以应用的新变更；仍有 {waiting}，{unchanged}"
            if self.preview:
                return f"同步包（来自 {self.sender}）中没有新的变更：已全部导入过，导入后数据不会改变"
            return f"同步包（来自 {self.sender}）中没有新的变更：已全部导入过，数据未改变"
        if self.preview:
            text = f"来自 {self.sender} 的同步包：将应用新变更 {self.applied} 条（尚未写入，确认导入后才生效）"
        else:
            text = f"来自 {self.sender} 的同步包：新变更 {self.applied} 条已应用"
        if self.duplicates:
            text += f"，{self.duplicates} 条此前已收到（{'不会' if self.preview else '未'}重复应用）"
        if self.conflicts:
            text += f"，冲突 {self.conflicts} 处（{'导入后' if self.preview else '已'}记入冲突记录，待审核）"
        if self.aside:
            text += (f"，{self.aside} 条与本机已有的变更编号相同（对方可能从备份恢复过数据库）：已暂存，"
                     "待对方下一个同步包自动理顺")
        if waiting:
            text += "；" + waiting
        for note in self.notes:
            text += "；" + note
        return text

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "sender": self.sender, "package_id": self.package_id, "changes": self.changes,
                "applied": self.applied, "held": self.held, "duplicates": self.duplicates, "conflicts": self.conflicts,
                "aside": self.aside, "new": self.new, "per_table": self.per_table,
                "missing": {k: [list(r) for r in v] for k, v in self.missing.items()}, "notes": self.notes,
                "message": self.message_zh}


def stream_text(stream: str) -> str:
    office, _, suffix = stream.partition("~")
    return f"单位 {office}" + (f"（恢复备份后的编号序列 {suffix}）" if suffix else "")


def missing_text(missing: dict[str, list[tuple[int, int]]]) -> str:
    return "；".join(f"缺少{stream_text(o)} 的第 {'、'.join(f'{a}' if a == b else f'{a}–{b}' for a, b in r)} 号变更"
                    for o, r in sorted(missing.items()))


def _local_code(ctx: AppContext) -> str:
    if ctx.office_provisional or ctx.office_code.startswith("TMP-"):
        raise ValidationError(FieldProblem("office", "请先用“office init”设置本单位代码，再进行同步", "run office init first"))
    return ctx.office_code


def _peer(session: Session, code: str) -> Office:
    office = office_queries.peer(session, code)
    if office is None or office_keys.peer_exchange_key(session, code) is None:
        raise ValidationError(FieldProblem("to", f"单位 {code} 未登记（请先导入其单位名片）", f"office {code} is not registered"))
    return office


def _chunks(items: list[Any], n: int = 500) -> list[list[Any]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


def _batches(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while part := list(itertools.islice(it, n)):
        yield part


# --- what this office reports in every package --------------------------------------------------------------

def gaps(session: Session, have: dict[str, int]) -> dict[str, list[tuple[int, int]]]:
    """Per stream, the positions missing before the changes held in the backlog."""
    result: dict[str, list[tuple[int, int]]] = {}
    streams = sync_queries.pending_streams(session)
    for stream in sorted(streams):
        expected = have.get(stream, 0) + 1
        for seq, _status, _id in export.position_rows(session, stream, have.get(stream, 0)):
            if seq > expected:
                result.setdefault(stream, []).append((expected, seq - 1))
            expected = seq + 1
    return result


def _aside_report(session: Session) -> list[list[Any]]:
    return [[a.office_code, int(a.seq), str(a.held_id), str(a.id)]
            for a in sync_queries.asides_in_order(session, limit=1000)]


def _received_from(session: Session, peer: str) -> list[str]:
    return sync_queries.received_ids(session, peer, RECEIVED_REPORTED)


# --- export ---------------------------------------------------------------------------------------------------

def _supersede(session: Session, to: str, plan: list[export.Outgoing]) -> None:
    """Earlier packages to `to` still unconfirmed whose every change is in the new one (or acknowledged)."""
    new = {o.stream: o for o in plan}
    reported = export.acks(session, to)
    for p in sync_queries.sent_to(session, to):
        carried = True
        for stream, (lo, hi) in (json.loads(p.ranges_json or "{}") or {}).items():
            ack = reported.get(stream)
            done = ack.seq if ack is not None else 0
            if hi <= done:
                continue
            o = new.get(stream)
            if o is None or o.lo > max(lo, done + 1) or o.hi < hi:
                carried = False
                break
        if carried:
            p.status = "superseded"




@fewer_gc_passes
def export_package(ctx: AppContext, to: str, out: Path, *, snapshot: bool = False,
                   progress: fmt.Progress | None = None, cancelled: fmt.Cancelled | None = None) -> ExportResult:
    """Write one package with every change `to` has not reported having (a snapshot: every change known).
    progress(done, total) reports the steps; cancelled() true rolls everything back and writes no file."""
    audit.require(ctx, Permission.EXPORT)
    local = _local_code(ctx)
    to = to.strip().upper()
    signing = office_keys.office_key(ctx)
    package_id = str(uuid.uuid4())
    kind = "snapshot" if snapshot else "delta"
    out = Path(out)
    if out.is_dir():
        out = out / f"xuyi-sync-{local}-to-{to}-{hlc.physical_now().astimezone():%Y%m%d-%H%M%S}-{package_id[:8]}.xsync"
    with ctx.transaction() as session:
        from xuyi_desktop.services.county_demo import refuse_if_training

        refuse_if_training(session)  # training data never leaves in a package
        _peer(session, to)
        xkey = office_keys.peer_exchange_key(session, to)
        assert xkey is not None
        clock = OfficeClock(session)
        attachments.adopt_local_files(session, ctx)  # files attached before their bytes were kept in the database
        absorbed = export.absorb_local(session, local, clock, cancelled=cancelled,
                                       progress=None if progress is None else (lambda d, t: progress(d, 2 * t + 1)))
        fmt.check(cancelled)
        peer_row = session.get(SyncPeer, to)
        plan = export.outgoing(session, to, snapshot=snapshot, receiver_stream=peer_row.stream if peer_row else "")
        count = sum(o.count for o in plan)
        ranges = {o.stream: [o.lo, o.hi] for o in plan}
        stamp, created = clock.now(), hlc.physical_now()
        have = export.have(session, local)
        manifest = {
            "format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION, "schema_version": head_revision(),
            "records_version": records.RECORDS_VERSION, "sender": local, "receiver": to, "package_id": package_id,
            "kind": kind, "created_at": created.isoformat(), "clock": stamp, "ranges": ranges, "count": count,
            "stream": export.own_stream(session, local), "have": have,
            "missing": {k: [list(r) for r in v] for k, v in gaps(session, have).items()},
            "clash": _aside_report(session), "received": _received_from(session, to),
        }
        header: dict[str, Any] = {"format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION, "sender": local,
                                  "receiver": to, "package_id": package_id, "kind": kind,
                                  "created_at": manifest["created_at"], "clock": stamp,
                                  "audit_anchor": audit_anchor.for_package(session, ctx)}  # the signed chain head
        sealed, encryptor = crypto.seal_stream(xkey, importing.aad_of(header))
        header["sealed"] = sealed

        def sign_header(sizes: dict[str, Any]) -> tuple[bytes, bytes]:
            data = fmt.canonical(dict(header, **sizes))
            return data, crypto.sign(signing, data)

        lines = itertools.chain([fmt.canonical(manifest)],
                                (p.encode("utf-8") for p in export.payloads(session, plan)))
        try:
            written = fmt.write_package(out, lines, encryptor, sign_header, cancelled)
        except OSError as exc:
            raise ValidationError(FieldProblem("out", f"无法写入同步包文件 {out}：{exc.strerror or exc}",
                                               f"cannot write {out}: {exc}")) from None
        if progress is not None:
            progress(1, 1)
        _supersede(session, to, plan)
        export.sent(session, to, plan)
        session.add(SyncPackage(package_id=package_id, direction="out", kind=kind, peer=to, file_name=str(out),
                                file_sha256=written.file_sha256, status="sent", changes=count,
                                ranges_json=json.dumps(ranges), clock=stamp, at=created))
        clock.save()
        audit.write(session, ctx, "sync.export", f"导出{'全量' if snapshot else ''}同步包给 {to}：{count} 条变更",
                    details={"package_id": package_id, "receiver": to, "ranges": ranges, "file": str(out),
                             "size": written.size, "new_stream": absorbed.new_stream.new if absorbed.new_stream else None})
    return ExportResult(out, package_id, to, count, ranges, written.size, kind, absorbed.local_only)


# --- import ---------------------------------------------------------------------------------------------------

class _Rollback(Exception):
    pass


def _refusal(exc: BaseException) -> PackageRefused:
    """Anything that is not already a clear refusal, as one: never a traceback for a file from a USB stick."""
    if isinstance(exc, PackageRefused):
        return exc
    return PackageRefused(f"同步包无法导入（{type(exc).__name__}），数据库未作任何改动；请把该文件交给系统管理员检查",
                          f"package could not be imported: {type(exc).__name__}: {str(exc)[:200]}", code="error")


def _audit_refusal(ctx: AppContext, path: Path, exc: PackageRefused) -> None:
    with ctx.transaction() as session:
        audit.write(session, ctx, "sync.refused", f"拒绝导入同步包 {path.name}：{exc.message_zh}",
                    details={"file": str(path), "reason": exc.code, "message": exc.message_en})


def _peer_keys(session: Session, code: str) -> tuple[Any, Any]:
    """The signing and exchange keys registered here for office `code` (what a package's signature is checked
    against); sync.importing.verify asks through this, so the key store stays a service."""
    return office_keys.peer_signing_key(session, code), office_keys.peer_exchange_key(session, code)


@fewer_gc_passes
def import_package(ctx: AppContext, path: Path, *, preview: bool = False, progress: fmt.Progress | None = None,
                   cancelled: fmt.Cancelled | None = None) -> ImportResult:
    """Verify the whole package, then apply it in one transaction (preview: compute the same, roll back).
    progress(done, total) is called after each batch; when cancelled() turns true the transaction is rolled
    back and SyncCancelled raised: the database is as before. Anything wrong with the file is a
    PackageRefused (audited, unless a preview), never another exception."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    path = Path(path)
    local = _local_code(ctx)
    conf = settings()
    try:
        own = office_keys.office_exchange_key()
        with ctx.transaction() as session:
            max_stamp = max(hlc.physical_us(), OfficeClock(session).value) + conf.max_future_us
            verified = importing.verify(path, session, local, own, conf.limits, max_stamp, _peer_keys)
    except DomainError as exc:
        if isinstance(exc, PackageRefused) and not preview:
            _audit_refusal(ctx, path, exc)
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file must never show a traceback
        refused = _refusal(exc)
        if not preview:
            _audit_refusal(ctx, path, refused)
        raise refused from None
    session = ctx.sessions()
    result: ImportResult | None = None
    try:
        with session.begin():
            result = _apply(session, ctx, local, verified, path, progress, cancelled, preview)
            if preview:
                raise _Rollback()
    except _Rollback:
        pass
    except fmt.SyncCancelled:
        raise
    except DomainError as exc:
        if isinstance(exc, PackageRefused) and not preview:
            _audit_refusal(ctx, path, exc)
        raise
    except Exception as exc:  # noqa: BLE001 - rolled back; the clerk gets one line, the audit log the detail
        refused = _refusal(exc)
        if not preview:
            _audit_refusal(ctx, path, refused)
        raise refused from None
    finally:
        session.close()
    assert result is not None
    return result


BATCH = 1000  # changes applied per batch (one flush, a few executemany statements, one index update)


@dataclass
class _Placed:
    new: int = 0
    duplicates: int = 0
    aside: int = 0
    streams: set[str] = field(default_factory=set)
    holes: dict[str, int] = field(default_factory=dict)  # stream -> first position a moved change left empty


def _all_held(session: Session, v: importing.Verified, own: str) -> bool:
    """Whether every change of the package is held here at its own position (or is of this office's stream):
    what the per-change loop of _place would count as duplicates, one query per stream instead."""
    for stream, items in v.positions.items():
        if stream == own:
            continue
        lo, hi = min(p for p, _ in items), max(p for p, _ in items)
        held = sync_writes.held_ids_between(session.connection(), stream, lo, hi)
        if len(held) < len(items) or any(held.get(p) != cid.replace("-", "").lower() for p, cid in items):
            return False
    return bool(v.positions) or v.count == 0


def _place(session: Session, v: importing.Verified, own: str, cancelled: fmt.Cancelled | None) -> _Placed:
    """Put every received change where it belongs: known (a duplicate), moved by its origin to a new stream
    (re-homed here too), its position taken by another change (aside), or new (pending)."""
    placed = _Placed()
    if _all_held(session, v, own):  # a re-import: every change is a duplicate, the file need not be read again
        placed.duplicates = v.count
    # Each change as verify saw it (stream, position, id, stamp) beside its line read again from the file: the line
    # is what the backlog keeps, not parsed here (the read ends where verify's did, with the same checks).
    for part in ([] if placed.duplicates else _batches(v.entries_with_texts(), 2000)):
        fmt.check(cancelled)
        cids = [uuid.UUID(e[2]) for e, _text in part]  # each id parsed once
        ids = sorted(set(cids))
        known: dict[uuid.UUID, tuple[str, int]] = {}
        for chunk in _chunks(ids):
            for cid, stream, seq in sync_queries.positions_of(session, chunk):
                known[cid] = (stream, int(seq))
        wanted: dict[str, list[int]] = defaultdict(list)
        for e, _text in part:
            wanted[e[0]].append(e[1])
        taken: dict[tuple[str, int], uuid.UUID] = {}
        for stream, positions in wanted.items():
            for chunk in _chunks(sorted(set(positions))):
                for seq, cid in sync_queries.holders_at(session, stream, chunk):
                    taken[(stream, int(seq))] = cid
        rows: list[tuple[Any, ...]] = []
        for ((stream, pos, _id, stamp), text), cid in zip(part, cids, strict=True):
            where = known.get(cid)
            if stream == own or where == (stream, pos):
                placed.duplicates += 1
                continue
            holder = taken.get((stream, pos))
            # Kept as the sender wrote it: a package carries each change as the canonical JSON of the sender's
            # backlog (merge_fields.dumps), parsed and checked by verify; encoding it again gave the same text.
            payload = text
            if holder is not None and holder != cid:
                if session.get(SyncAside, cid) is None:
                    session.add(SyncAside(id=cid, office_code=stream, seq=pos, held_id=holder, package_id=v.package_id,
                                          payload=payload))
                    session.flush()
                placed.aside += 1
                continue
            if where is not None:  # its origin renumbered it (a new stream after a restore): follow
                old_stream, old_pos = where
                sync_queries.move_change(session, cid, stream, pos, payload)
                placed.holes[old_stream] = min(placed.holes.get(old_stream, old_pos), old_pos)
                placed.streams.add(stream)
                taken[(stream, pos)] = cid
                known[cid] = (stream, pos)
                continue
            rows.append((cid, stream, pos, stamp, "pending", v.package_id, payload))
            known[cid] = (stream, pos)
            taken[(stream, pos)] = cid
            placed.streams.add(stream)
        if rows:  # plain tuples, one DB-API executemany (sync_queries.insert_changes, without per-row dicts)
            change_log.insert_rows(session.connection(), export.SYNC_CHANGE, export.SYNC_CHANGE_COLUMNS, rows)
            placed.new += len(rows)
    # changes held aside earlier: taken in once their position is free, dropped once known elsewhere
    for a in sync_queries.asides(session):
        if session.get(SyncChange, a.id) is not None:
            sync_queries.delete_aside(session, a.id)
            continue
        free = sync_queries.position_free(session, a.office_code, a.seq)
        if free and a.office_code != own:
            c = json.loads(a.payload)
            sync_queries.insert_changes(session, [{"id": a.id, "office_code": a.office_code, "seq": a.seq,
                                                   "stamp": int(c["stamp"]), "status": "pending",
                                                   "package_id": a.package_id, "payload": a.payload}])
            sync_queries.delete_aside(session, a.id)
            placed.streams.add(a.office_code)
    placed.aside = sync_queries.count_aside_of_package(session, v.package_id)
    return placed


def _ready(session: Session, have: dict[str, int], streams: set[str], own: str) -> list[uuid.UUID]:
    """Pending changes whose every predecessor in their stream is here, in order; raises `have`."""
    streams = streams | set(sync_queries.pending_streams(session))
    ready: list[uuid.UUID] = []
    for stream in sorted(streams - {own}):
        expected = have.get(stream, 0) + 1
        for seq, status, cid in export.position_rows(session, stream, have.get(stream, 0)):
            if seq != expected:
                break
            if status == "pending":
                ready.append(cid)
            expected += 1
        have[stream] = expected - 1
    return ready


def _apply(session: Session, ctx: AppContext, local: str, v: importing.Verified, path: Path,
           progress: fmt.Progress | None = None, cancelled: fmt.Cancelled | None = None,
           preview: bool = False) -> ImportResult:
    clock = OfficeClock(session)
    m = v.manifest
    result = ImportResult("applied", v.sender, v.package_id, changes=v.count, preview=preview)
    # 1. the sender holds more of this office's stream than this office does: this database was restored
    #    without this program noticing (a copied file). Number new changes elsewhere from now on.
    mine = export.own_stream(session, local)
    fork_at = min((int(pos) for stream, pos, _a, _b in m["clash"] if stream == mine), default=None)
    if fork_at is not None or int(m["have"].get(mine, 0)) > export.last_pos(session, mine):
        moved = export.start_stream(session, local, clock, move_from=fork_at)
        result.notes.append(f"单位 {v.sender} 持有本单位更多的变更（本机数据库可能曾从备份恢复）：本单位此后的变更改用新的编号序列"
                            + (f"，{moved.moved} 条已重新编号" if moved.moved else "") + "，缺少的变更将由对方补发")
    absorbed = export.absorb_local(session, local, clock, cancelled=cancelled)
    own = export.own_stream(session, local)
    # 2. place the received changes
    placed = _place(session, v, own, cancelled)
    result.duplicates, result.aside, result.new = placed.duplicates, placed.aside, placed.new
    have = export.have(session, local)
    before = dict(have)
    for stream, hole in placed.holes.items():
        if have.get(stream, 0) >= hole:
            have[stream] = hole - 1
            placed.streams.add(stream)
    # 3. apply what is ready, in batches
    ready = _ready(session, have, placed.streams, own)
    total = len(ready)
    if progress is not None:
        progress(0, total)
    per_table: Counter[str] = Counter()
    for part in _chunks(ready, BATCH):
        fmt.check(cancelled)
        payloads: dict[str, str] = {}
        for chunk in _chunks(part):
            payloads.update(sync_writes.payloads_of(session.connection(), chunk))  # plain values, by hex id
        changes = [json.loads(payloads[cid.hex]) for cid in part]
        batch = applier.Batch(session, ctx.search_index, changes)
        for change in changes:
            result.conflicts += applier.apply_change(session, ctx.search_index, change, {}, batch)
            per_table[f"{change['table']}.{change['action']}"] += 1
            clock.observe(int(change["stamp"]))
        batch.finish()
        sync_writes.mark_applied(session.connection(), part)  # plain tuples, one executemany
        session.expunge_all()  # keep the identity map (and every later flush) small
        result.applied += len(part)
        if progress is not None:
            progress(result.applied, total)
    fmt.check(cancelled)
    for stream, seq in have.items():
        if before.get(stream) != seq:
            export.put_ack(session, local, stream, seq=seq)
    # 4. what the sender reported; a change of the sender's own stream held aside means the sender numbered
    #    again after a restore: it will renumber (it sees our report), and gets the changes it lost from us.
    _take_report(session, v, local)
    for a in sync_queries.asides(session):
        if records.office_of_stream(a.office_code) == v.sender:
            ack = export.acks(session, v.sender).get(a.office_code)
            export.put_ack(session, v.sender, a.office_code, seq=min(ack.seq if ack else 0, int(a.seq) - 1), reported=True)
            peer = session.get(SyncPeer, v.sender)
            if peer is not None and peer.stream == a.office_code:
                peer.stream = ""
    clock.save()
    audit_anchor.receive(session, ctx, v.sender, v.header.get("audit_anchor"))  # keep the peer's signed chain head
    session.flush()
    result.held = sync_queries.count_pending(session)
    result.missing = gaps(session, have)
    result.per_table = dict(per_table)
    if absorbed.new_stream is not None:
        result.notes.append("本机数据库曾从备份恢复：本单位此后的变更改用新的编号序列，恢复前已发出而本机丢失的变更将由其他单位补发")
    if placed.new == 0 and result.applied == 0 and not placed.holes:
        result.status = "nothing_new"
    elif result.held:
        result.status = "held"
    if preview:
        result.status = "preview"
    session.add(SyncPackage(package_id=v.package_id, direction="in", kind=str(v.header.get("kind", "delta")),
                            peer=v.sender, file_name=str(path), file_sha256=v.file_sha256, status=result.status,
                            changes=v.count, applied=result.applied, held=result.held, conflicts=result.conflicts,
                            ranges_json=json.dumps(m.get("ranges") or {}), clock=int(m["clock"]),
                            at=hlc.physical_now()))
    audit.write(session, ctx, "sync.import", result.message_zh, details=result.to_json())
    return result


def _parse_time(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _take_report(session: Session, v: importing.Verified, local: str) -> None:
    """The sender's account of itself: what it holds (its report replaces the previous one, even when it holds
    less: a restore or a lost package), which of our packages it imported, and what the clocks show."""
    m, sender = v.manifest, v.sender
    peer = session.get(SyncPeer, sender)
    if peer is None:
        peer = SyncPeer(peer=sender, report_clock=0, stream="", missing_json="{}", clash_json="[]")
        session.add(peer)
    now_us = hlc.physical_us()
    created = _parse_time(str(m.get("created_at", "")))
    peer.last_heard_at = hlc.from_us(now_us)
    if created is not None:
        peer.last_package_at = created
        peer.their_lead_us = hlc.micros(created) - now_us  # > 0: their clock is ahead of ours by at least this
        mine = sync_queries.latest_out_among(session, sender, m["received"][:RECEIVED_REPORTED])
        if mine is not None:  # they wrote this package after importing ours: our clock is ahead by at least this
            peer.my_lead_us = hlc.micros(mine) - hlc.micros(created)
    fresh = int(m["clock"]) > (peer.report_clock or 0) or m["stream"] != peer.stream or not peer.report_clock
    if not fresh:
        return
    reported = {str(k): int(x) for k, x in m["have"].items()}
    for stream in set(reported) | set(export.acks(session, sender)):
        export.put_ack(session, sender, stream, seq=reported.get(stream, 0), reported=True)
    peer.report_clock, peer.stream = int(m["clock"]), str(m["stream"])
    peer.missing_json = json.dumps(m["missing"], ensure_ascii=False)
    peer.clash_json = json.dumps(m["clash"], ensure_ascii=False)
    received = set(m["received"])
    now = hlc.from_us(now_us)
    for p in sync_queries.open_out_to(session, sender):
        if p.package_id in received:
            p.status, p.acknowledged_at = "acknowledged", now
        elif p.status != "superseded" and all(reported.get(s, 0) >= hi for s, (_lo, hi) in
                                              (json.loads(p.ranges_json or "{}") or {}).items()):
            later = sync_queries.count_out_after(session, sender, p.at)
            if later:
                p.status = "superseded"  # its changes arrived in a later package


# --- history, delivery, backlog -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackageRow:
    at: dt.datetime
    direction: str
    peer: str
    kind: str
    status: str
    changes: int
    applied: int
    held: int
    conflicts: int
    file_name: str
    package_id: str = ""
    acknowledged_at: dt.datetime | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.direction, self.status)

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "direction": self.direction, "peer": self.peer, "kind": self.kind,
                "status": self.status, "status_label": self.status_label, "changes": self.changes,
                "applied": self.applied, "held": self.held, "conflicts": self.conflicts, "file_name": self.file_name,
                "package_id": self.package_id,
                "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None}


def package_history(ctx: AppContext, limit: int = 200) -> list[PackageRow]:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        rows = sync_queries.recent_packages(session, limit)
        return [PackageRow(r.at, r.direction, r.peer, r.kind, r.status, r.changes, r.applied, r.held, r.conflicts,
                           r.file_name, r.package_id, r.acknowledged_at) for r in rows]


def missing_changes(ctx: AppContext) -> dict[str, list[tuple[int, int]]]:
    """Per stream, which change numbers are missing before those held in the backlog."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return gaps(session, export.have(session, ctx.office_code))


@dataclass(frozen=True)
class AsideRow:
    stream: str
    seq: int
    at: dt.datetime


def aside_changes(ctx: AppContext) -> list[AsideRow]:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return [AsideRow(a.office_code, int(a.seq), a.at)
                for a in sync_queries.asides_in_order(session)]


def _age_text(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 24:
        return f"{int(hours // 24)} 天"
    if hours >= 1:
        return f"{int(hours)} 小时"
    return "不到 1 小时"


def _lead_text(us: int) -> str:
    hours = us / 3600e6
    return f"{hours / 24:.0f} 天" if hours >= 48 else f"{hours:.0f} 小时"


@dataclass(frozen=True)
class PeerState:
    """Delivery to one peer, as far as its reports tell."""

    code: str
    name: str
    state: str  # never | acknowledged | unacknowledged
    label: str  # the clerk's words
    packages_sent: int
    last_sent_at: dt.datetime | None
    last_sent_status: str
    unacknowledged: int  # changes sent and not reported as received
    oldest_unacknowledged_at: dt.datetime | None
    waiting: int  # changes the next package will carry
    last_heard_at: dt.datetime | None
    silent_days: int | None
    reported_missing: dict[str, list[list[int]]]
    reminder: str
    clock_note: str

    def to_json(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {"code": self.code, "name": self.name, "state": self.state, "label": self.label,
                "packages_sent": self.packages_sent, "last_sent_at": iso(self.last_sent_at),
                "last_sent_status": self.last_sent_status,
                "last_sent_status_label": OUT_STATUS.get(self.last_sent_status, self.last_sent_status),
                "unacknowledged_changes": self.unacknowledged,
                "oldest_unacknowledged_at": iso(self.oldest_unacknowledged_at),
                "unacknowledged_days": (None if self.oldest_unacknowledged_at is None else
                                        round((hlc.physical_now() - self.oldest_unacknowledged_at).total_seconds() / 86400, 1)),
                "waiting_changes": self.waiting, "last_heard_at": iso(self.last_heard_at),
                "silent_days": self.silent_days, "reported_missing": self.reported_missing,
                "reminder": self.reminder or None, "clock_note": self.clock_note or None}


def _peer_state(session: Session, office: Office, now: dt.datetime, silent_days: int, warn_us: int) -> PeerState:
    code = office.code
    peer = session.get(SyncPeer, code)
    reported = export.acks(session, code)
    unacked = 0
    for stream, ack in reported.items():
        if (ack.sent or 0) > ack.seq:
            unacked += sync_queries.count_applied_between(session, stream, ack.seq, ack.sent)
    plan = export.outgoing(session, code, snapshot=False, receiver_stream=peer.stream if peer else "")
    waiting = sum(o.count for o in plan)
    packages = sync_queries.out_to(session, code)
    oldest: dt.datetime | None = None
    for p in packages:
        if p.status == "acknowledged" or not p.changes:
            continue
        ranges = json.loads(p.ranges_json or "{}") or {}
        if any(hi > (reported[s].seq if s in reported else 0) for s, (_lo, hi) in ranges.items()):
            oldest = p.at
            break
    last = packages[-1] if packages else None
    heard = peer.last_heard_at if peer else None
    since = heard or office.created_at
    silent = int((now - since).total_seconds() // 86400) if since else None
    reminder = ""
    if silent is not None and silent >= silent_days:
        reminder = (f"已 {silent} 天未收到单位 {code}（{office.name}）的同步包（上次收到：{heard.astimezone():%Y-%m-%d}），请联系对方导出并寄送"
                    if heard else f"登记单位 {code}（{office.name}）已 {silent} 天，仍未收到其同步包，请联系对方导出并寄送")
    if not packages:
        state, label = "never", "尚未发出同步包" + (f"（有 {waiting} 条变更待发出）" if waiting else "")
    elif unacked and oldest is None:  # every package that carried them was acknowledged: the peer lost them
        state = "unacknowledged"
        label = f"对方报告已没有此前确认收到的 {unacked} 条变更（可能恢复了备份），下一个同步包将自动重发"
    elif unacked and oldest is not None:  # (None was the branch above)
        state = "unacknowledged"
        label = f"已发出未确认：{unacked} 条变更，最早一包 {_age_text(now - oldest)}前发出"
    else:
        state, label = "acknowledged", "已确认：对方已收到发出的全部变更"
    if packages and waiting > unacked:
        label += f"；另有 {waiting - unacked} 条新变更待发出"
    missing = json.loads(peer.missing_json) if peer else {}
    mine = {s: r for s, r in missing.items() if records.office_of_stream(s) != code}
    if mine:
        label += "；对方报告缺少变更（" + missing_text({s: [tuple(x) for x in r] for s, r in mine.items()}) + "），下一个同步包将自动补发"
    clock_note = ""
    if peer is not None and peer.my_lead_us is not None and peer.my_lead_us > warn_us:
        clock_note = f"本机时钟比单位 {code} 的快至少 {_lead_text(peer.my_lead_us)}"
    elif peer is not None and peer.their_lead_us is not None and peer.their_lead_us > warn_us:
        clock_note = f"单位 {code} 的电脑时钟比本机快至少 {_lead_text(peer.their_lead_us)}"
    return PeerState(code, office.name, state, label, len(packages), last.at if last else None,
                     last.status if last else "", unacked, oldest, waiting, heard, silent,
                     {s: [list(x) for x in r] for s, r in missing.items()}, reminder, clock_note)


def peer_states(ctx: AppContext) -> list[PeerState]:
    """Delivery per registered peer (sync status, office list, the 数据同步 page)."""
    audit.require(ctx, Permission.VIEW)
    conf = settings()
    now = hlc.physical_now()
    with ctx.transaction() as session:
        offices = office_queries.peers(session)
        return [_peer_state(session, o, now, conf.silent_days, conf.warn_ahead_us) for o in offices]


def clock_warnings(ctx: AppContext) -> list[str]:
    """This PC's clock compared with what its peers' packages show (warned at start)."""
    audit.require(ctx, Permission.VIEW)
    conf = settings()
    out: list[str] = []
    explained = False
    with ctx.transaction() as session:
        for peer in sync_queries.peers(session):
            if peer.my_lead_us is not None and peer.my_lead_us > conf.warn_ahead_us:
                out.append(f"本机时钟比单位 {peer.peer} 的电脑快至少 {_lead_text(peer.my_lead_us)}（对方收到本机的同步包之后"
                           "才制作的回包，时间却早于本机的包）：请校正本机的日期和时间，否则同时修改同一记录时，本机的修改会被错误地当作较晚的修改")
            explained = explained or (peer.their_lead_us is not None and peer.their_lead_us > conf.warn_ahead_us)
        office_clock = OfficeClock(session).value
    now = hlc.physical_us()
    if office_clock - now > conf.warn_ahead_us and not explained and not out:
        # the office clock holds the latest time seen here; the PC's clock is now behind it
        out.append(f"本机时钟比本机已记录的最近变更时间还早 {_lead_text(office_clock - now)}：本机的日期可能被调慢了，请核对")
    return out


def startup_notices(ctx: AppContext) -> list[str]:
    """What the window shows at start: a wrong clock, and peers that have been silent too long."""
    if not ctx.can(Permission.VIEW) or ctx.office_provisional:
        return []
    try:
        notices = clock_warnings(ctx)
        notices += [p.reminder for p in peer_states(ctx) if p.reminder]
    except DomainError:
        return []
    return notices


# --- conflicts ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConflictRow:
    id: uuid.UUID
    at: dt.datetime
    table_name: str
    record_id: uuid.UUID
    field: str
    kind: str
    winner: Any
    loser: Any
    winner_office: str
    loser_office: str
    status: str
    resolved_by: str = ""
    resolved_office: str = ""

    @property
    def winner_text(self) -> str:
        return value_text(self.kind, self.field, self.winner, winner=True)

    @property
    def loser_text(self) -> str:
        return value_text(self.kind, self.field, self.loser, winner=False)

    def to_json(self) -> dict[str, Any]:
        return {"id": str(self.id), "at": self.at.isoformat(), "table_name": self.table_name,
                "table_label": TABLE_LABELS.get(self.table_name, self.table_name), "record_id": str(self.record_id),
                "field": self.field, "kind": self.kind, "winner": self.winner, "loser": self.loser,
                "winner_text": self.winner_text, "loser_text": self.loser_text, "winner_office": self.winner_office,
                "loser_office": self.loser_office, "status": self.status, "resolved_by": self.resolved_by,
                "resolved_office": self.resolved_office}


def value_text(kind: str, field_name: str, value: Any, *, winner: bool) -> str:
    """A conflict's value in the clerk's words (a delete's value is not a bare True)."""
    if kind == "delete_edit" and (winner or field_name in merge_fields.DELETE_FIELDS):
        # the winner of a delete-vs-edit conflict is the record's deletion mark (True, or a deletion time)
        return "（记录已删除）" if value else "（记录未删除）"
    if kind == applier.DUPLICATE and winner:
        return f"（保留的另一条记录 {str(value)[:8]}）"
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def list_conflicts(ctx: AppContext, *, open_only: bool = True) -> list[ConflictRow]:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return [ConflictRow(c.id, c.at, c.table_name, c.record_id, c.field, c.kind,
                            json.loads(c.winner_json) if c.winner_json else None,
                            json.loads(c.loser_json) if c.loser_json else None,
                            c.winner_office, c.loser_office, c.status, c.resolved_by, c.resolved_office)
                for c in sync_queries.conflicts(session, open_only=open_only)]


def resolve_conflict(ctx: AppContext, conflict_id: uuid.UUID, *, restore: bool) -> None:
    """A reviewer keeps the merged value, or restores the losing one – which is a new change of this office,
    recorded like any edit, that syncs to every other office. Either way the decision is itself a synced
    record (sync_decision) that closes the same conflict in every office."""
    from xuyi_desktop.services.entities import _index, snapshot
    from xuyi_desktop.storage.models import Entity

    audit.require(ctx, Permission.SYNC_RESOLVE)
    with ctx.transaction() as session:
        c = session.get(SyncConflict, conflict_id)
        if c is None or c.status != "open":
            raise ValidationError(FieldProblem("conflict", "该冲突不存在或已处理", "no such open conflict"))
        if restore and c.kind == applier.DUPLICATE:
            raise ValidationError(FieldProblem("conflict", "两个单位登记了同一证件号码：请核实后在主体页面合并或更正，再标记为已处理",
                                               "duplicate identifier: merge the records, then mark it kept"))
        decision = "restored" if restore else "kept"
        c.status, c.resolved_by, c.resolved_at, c.resolved_office = decision, ctx.actor, utcnow(), ctx.office_code
        if restore:
            loser = json.loads(c.loser_json) if c.loser_json else None
            row, _ = applier.current_image(session, c.table_name, c.record_id)
            if row is None:
                raise ValidationError(FieldProblem("conflict", "记录不存在", "record not found"))
            if c.table_name == "entity":
                assert isinstance(row, Entity)
                before = snapshot(row)
                image = applier.entity_image(row)
                if c.field in ("deleted", "deleted_at") or c.kind == "delete_edit":
                    image["deleted"] = False
                if c.field not in ("deleted", "deleted_at"):
                    image[c.field] = loser
                fake = {"office": ctx.office_code, "at": utcnow().isoformat(), "record_id": str(row.id)}
                entity_writes.apply_image(session, ctx.search_index, row, image, fake)
                row.updated_office = ctx.office_code
                session.flush()
                if row.deleted_at is None:
                    _index(ctx, session, row)
                after = snapshot(row)
            else:
                before = row_image(row)
                image = dict(before, **{c.field: loser})
                applier._write_row(session, type(row), row, image, {"office": ctx.office_code, "record_id": str(row.id)})
                after = row_image(row)
            audit.record_business_change(
                session, ctx, table_name=c.table_name, record_id=c.record_id, action="update",
                record_version=row.version, before=before, after=after, summary=f"同步冲突处理：恢复 {c.field} 的另一值",
            )
        key = c.conflict_key or f"local|{c.id}"
        c.conflict_key = key
        did = decision_id(key)
        d = session.get(SyncDecision, did)
        old = row_image(d) if d is not None else None
        if d is None:
            d = SyncDecision(id=did, conflict_key=key, table_name=c.table_name, record_id=c.record_id, field=c.field,
                             decision=decision, decided_by=ctx.actor, created_office=ctx.office_code,
                             updated_office=ctx.office_code)
            session.add(d)
        else:
            d.decision, d.decided_by, d.updated_office = decision, ctx.actor, ctx.office_code
        session.flush()
        audit.record_business_change(
            session, ctx, table_name="sync_decision", record_id=did, action="insert" if old is None else "update",
            record_version=d.version, before=old, after=row_image(d),
            summary=f"同步冲突处理决定：{TABLE_LABELS.get(c.table_name, c.table_name)}.{c.field} {'恢复另一值' if restore else '保留当前值'}",
        )
        audit.write(session, ctx, "sync.resolve", f"处理同步冲突（{c.table_name}.{c.field}）：{'恢复另一值' if restore else '保留当前值'}",
                    record_table=c.table_name, record_id=c.record_id, details={"conflict": str(c.id), "key": key})
