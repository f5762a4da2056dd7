"""Sync use cases: export a package to a peer, import one (with a preview), the backlog, conflicts.

Permissions: export needs EXPORT, import needs ENTITY_EDIT, resolving a conflict needs SYNC_RESOLVE.
Every export, import and refusal is audited."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import attachments, audit, audit_anchor, office_keys
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.migrate import head_revision
from xuyi_desktop.storage.models import Office, utcnow
from xuyi_desktop.storage.models_sync import SyncChange, SyncConflict, SyncPackage
from xuyi_desktop.storage.snapshots import row_image
from xuyi_desktop.sync import apply as applier
from xuyi_desktop.sync import crypto, export, importing
from xuyi_desktop.sync import format as fmt
from xuyi_desktop.sync.format import PackageRefused

TABLE_LABELS = {"entity": "市场主体", "entity_relation": "人员关联", "rating": "信用评价", "licence": "许可证",
                "rating_attachment": "评价附件", "attachment_content": "附件内容"}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    receiver: str
    changes: int
    ranges: dict[str, list[int]]
    size: int
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "package_id": self.package_id, "receiver": self.receiver, "changes": self.changes,
                "ranges": self.ranges, "size": self.size, "kind": self.kind}


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
    per_table: dict[str, int] = field(default_factory=dict)
    missing: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def message_zh(self) -> str:
        if self.status == "nothing_new":
            return f"同步包（来自 {self.sender}）中没有新的变更：已全部导入过，数据未改变"
        text = f"来自 {self.sender} 的同步包：新变更 {self.applied} 条已应用"
        if self.duplicates:
            text += f"，{self.duplicates} 条此前已收到（未重复应用）"
        if self.conflicts:
            text += f"，冲突 {self.conflicts} 处（已记入冲突记录，待审核）"
        if self.held:
            text += f"；{self.held} 条因缺少前面的同步包暂存待补：" + missing_text(self.missing)
        return text

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "sender": self.sender, "package_id": self.package_id, "changes": self.changes,
                "applied": self.applied, "held": self.held, "duplicates": self.duplicates, "conflicts": self.conflicts,
                "per_table": self.per_table, "missing": {k: [list(r) for r in v] for k, v in self.missing.items()},
                "message": self.message_zh}


def missing_text(missing: dict[str, list[tuple[int, int]]]) -> str:
    return "；".join(f"缺少单位 {o} 的第 {'、'.join(f'{a}' if a == b else f'{a}–{b}' for a, b in r)} 号变更"
                    for o, r in sorted(missing.items()))


def _local_code(ctx: AppContext) -> str:
    if ctx.office_provisional or ctx.office_code.startswith("TMP-"):
        raise ValidationError(FieldProblem("office", "请先用“office init”设置本单位代码，再进行同步", "run office init first"))
    return ctx.office_code


def _peer(session: Session, code: str) -> Office:
    office = session.execute(select(Office).where(Office.code == code, Office.is_local.is_(False))).scalar_one_or_none()
    if office is None or office_keys.peer_exchange_key(session, code) is None:
        raise ValidationError(FieldProblem("to", f"单位 {code} 未登记（请先导入其单位名片）", f"office {code} is not registered"))
    return office


def export_package(ctx: AppContext, to: str, out: Path, *, snapshot: bool = False,
                   progress: fmt.Progress | None = None, cancelled: fmt.Cancelled | None = None) -> ExportResult:
    """Write one package with every change `to` has not acknowledged (a snapshot: every change known).
    progress(done, total) reports the steps; cancelled() true rolls everything back and writes no file."""
    audit.require(ctx, Permission.EXPORT)
    local = _local_code(ctx)
    to = to.strip().upper()
    signing = office_keys.office_key(ctx)
    package_id = str(uuid.uuid4())
    kind = "snapshot" if snapshot else "delta"
    out = Path(out)
    if out.is_dir():
        out = out / f"xuyi-sync-{local}-to-{to}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}-{package_id[:8]}.xsync"
    with ctx.transaction() as session:
        _peer(session, to)
        xkey = office_keys.peer_exchange_key(session, to)
        assert xkey is not None
        attachments.adopt_local_files(session, ctx)  # files attached before their bytes were kept in the database
        export.absorb_local(session, local, cancelled=cancelled,
                            progress=None if progress is None else (lambda d, t: progress(d, 2 * t + 1)))
        fmt.check(cancelled)
        lines = list(export.changes_for(session, to, snapshot=snapshot))
        fmt.check(cancelled)
        ranges, _ = export.ranges_of(lines)
        manifest = {
            "format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION, "schema_version": head_revision(),
            "sender": local, "receiver": to, "package_id": package_id, "kind": kind,
            "created_at": utcnow().isoformat(), "ranges": ranges, "count": len(lines),
            "have": export.have(session, local),
        }
        inner = export.build_inner(manifest, lines)
        header: dict[str, Any] = {"format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION, "sender": local,
                                  "receiver": to, "package_id": package_id, "kind": kind,
                                  "created_at": manifest["created_at"],
                                  "audit_anchor": audit_anchor.for_package(session, ctx)}  # issue 21: signed chain head
        sealed, ciphertext = crypto.seal(inner, xkey, importing.aad_of(header))
        header["sealed"] = sealed
        header["payload_sha256"] = fmt.sha256(ciphertext)
        header_bytes = fmt.canonical(header)
        data = fmt.write_zip([(fmt.HEADER, header_bytes), (fmt.SIGNATURE, crypto.sign(signing, header_bytes)),
                              (fmt.PAYLOAD, ciphertext)])
        fmt.check(cancelled)
        export.atomic_write(out, data)
        if progress is not None:
            progress(1, 1)
        session.add(SyncPackage(package_id=package_id, direction="out", kind=kind, peer=to, file_name=str(out),
                                file_sha256=fmt.sha256(data), status="written", changes=len(lines),
                                ranges_json=json.dumps(ranges)))
        audit.write(session, ctx, "sync.export", f"导出{'全量' if snapshot else ''}同步包给 {to}：{len(lines)} 条变更",
                    details={"package_id": package_id, "receiver": to, "ranges": ranges, "file": str(out), "size": len(data)})
    return ExportResult(out, package_id, to, len(lines), ranges, len(data), kind)


class _Rollback(Exception):
    pass


def import_package(ctx: AppContext, path: Path, *, preview: bool = False, progress: fmt.Progress | None = None,
                   cancelled: fmt.Cancelled | None = None) -> ImportResult:
    """Verify the whole package, then apply it in one transaction (preview: compute the same, roll back).
    progress(done, total) is called after each batch; when cancelled() turns true the transaction is rolled
    back and SyncCancelled raised: the database is as before."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    path = Path(path)
    try:
        local = _local_code(ctx)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PackageRefused(f"无法读取同步包文件：{path}", f"cannot read {path}", code="io") from exc
        own = office_keys.office_exchange_key()
        with ctx.transaction() as session:
            verified = importing.verify(data, session, local, own)
    except PackageRefused as exc:
        if not preview:
            with ctx.transaction() as session:
                audit.write(session, ctx, "sync.refused", f"拒绝导入同步包 {path.name}：{exc.message_zh}",
                            details={"file": str(path), "reason": exc.code, "message": exc.message_en})
        raise
    session = ctx.sessions()
    result: ImportResult | None = None
    try:
        with session.begin():
            result = _apply(session, ctx, local, verified, path, progress, cancelled)
            if preview:
                result.status = "preview"
                raise _Rollback()
    except _Rollback:
        pass
    finally:
        session.close()
    assert result is not None
    return result


BATCH = 1000  # changes applied per batch (one flush, a few executemany statements, one index update)


def _apply(session: Session, ctx: AppContext, local: str, v: importing.Verified, path: Path,
           progress: fmt.Progress | None = None, cancelled: fmt.Cancelled | None = None) -> ImportResult:
    export.absorb_local(session, local, cancelled=cancelled)
    result = ImportResult("applied", v.sender, v.package_id, changes=len(v.changes))
    sc = SyncChange.__table__
    known: set[uuid.UUID] = set()
    ids = sorted({uuid.UUID(str(c["id"])) for c in v.changes})
    for chunk in _chunks(ids):
        known |= set(session.execute(select(sc.c.id).where(sc.c.id.in_(chunk))).scalars())
    taken: set[tuple[str, int]] = set()
    for origin, (lo, hi) in (v.manifest.get("ranges") or {}).items():
        taken |= {(o, q) for o, q in session.execute(select(sc.c.office_code, sc.c.seq).where(
            sc.c.office_code == origin, sc.c.seq >= int(lo), sc.c.seq <= int(hi)))}
    new_rows: list[dict[str, Any]] = []
    for c in v.changes:
        cid = uuid.UUID(str(c["id"]))
        if c["office"] == local or cid in known:
            result.duplicates += 1
            continue
        if (c["office"], int(c["seq"])) in taken:
            raise PackageRefused(f"单位 {c['office']} 的第 {c['seq']} 号变更与本机已有的不同（编号重复），已拒绝",
                                 "a different change with the same office and seq is known here", code="seq")
        new_rows.append({"id": cid, "office_code": c["office"], "seq": int(c["seq"]), "stamp": int(c["stamp"]),
                         "status": "pending", "package_id": v.package_id,
                         "payload": json.dumps(c, ensure_ascii=False, sort_keys=True)})
        known.add(cid)
        taken.add((c["office"], int(c["seq"])))
    for chunk in _chunks(new_rows, 2000):
        session.execute(insert(sc), chunk)
    have = export.have(session, local)
    per_table: Counter[str] = Counter()
    ready: list[tuple[uuid.UUID, str]] = []
    for cid, origin, seq, payload in session.execute(
            select(sc.c.id, sc.c.office_code, sc.c.seq, sc.c.payload).where(sc.c.status == "pending")
            .order_by(sc.c.office_code, sc.c.seq)):
        if seq != have.get(origin, 0) + 1:
            continue
        have[origin] = seq
        ready.append((cid, payload))
    total = len(ready)
    if progress is not None:
        progress(0, total)
    mark = update(sc).where(sc.c.id == bindparam("cid")).values(status="applied")
    for start in range(0, total, BATCH):
        fmt.check(cancelled)
        part = ready[start : start + BATCH]
        changes = [json.loads(payload) for _, payload in part]
        batch = applier.Batch(session, ctx.search_index, changes)
        for change in changes:
            result.conflicts += applier.apply_change(session, ctx.search_index, change, {}, batch)
            per_table[f"{change['table']}.{change['action']}"] += 1
        batch.finish()
        session.connection().execute(mark, [{"cid": cid} for cid, _ in part])
        session.expunge_all()  # keep the identity map (and every later flush) small
        result.applied += len(part)
        if progress is not None:
            progress(result.applied, total)
    fmt.check(cancelled)
    for origin, seq in have.items():
        export.set_have(session, local, origin, seq)
    for origin, seq in (v.manifest.get("have") or {}).items():
        export.set_have(session, v.sender, origin, int(seq))
    audit_anchor.receive(session, ctx, v.sender, v.header.get("audit_anchor"))  # issue 21: keep the peer's chain head
    session.flush()
    result.held = len(session.execute(select(sc.c.id).where(sc.c.status == "pending")).all())
    result.missing = importing.held_and_missing(session, have)
    result.per_table = dict(per_table)
    if not new_rows and not result.applied:
        result.status = "nothing_new"
    elif result.held:
        result.status = "held"
    session.add(SyncPackage(package_id=v.package_id, direction="in", kind=str(v.header.get("kind", "delta")),
                            peer=v.sender, file_name=str(path), file_sha256=v.file_sha256, status=result.status,
                            changes=len(v.changes), applied=result.applied, held=result.held, conflicts=result.conflicts,
                            ranges_json=json.dumps(v.manifest.get("ranges") or {})))
    audit.write(session, ctx, "sync.import", result.message_zh, details=result.to_json())
    return result


def _chunks(items: list[Any], n: int = 500) -> list[list[Any]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


# --- history, backlog, conflicts ----------------------------------------------------------------------------

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


def package_history(ctx: AppContext, limit: int = 200) -> list[PackageRow]:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        rows = session.execute(select(SyncPackage).order_by(SyncPackage.at.desc()).limit(limit)).scalars()
        return [PackageRow(r.at, r.direction, r.peer, r.kind, r.status, r.changes, r.applied, r.held, r.conflicts,
                           r.file_name) for r in rows]


def missing_changes(ctx: AppContext) -> dict[str, list[tuple[int, int]]]:
    """Per origin office, which change numbers are missing before those held in the backlog."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return importing.held_and_missing(session, export.have(session, ctx.office_code))


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


def list_conflicts(ctx: AppContext, *, open_only: bool = True) -> list[ConflictRow]:
    audit.require(ctx, Permission.VIEW)
    stmt = select(SyncConflict).order_by(SyncConflict.at)
    if open_only:
        stmt = stmt.where(SyncConflict.status == "open")
    with ctx.transaction() as session:
        return [ConflictRow(c.id, c.at, c.table_name, c.record_id, c.field, c.kind,
                            json.loads(c.winner_json) if c.winner_json else None,
                            json.loads(c.loser_json) if c.loser_json else None,
                            c.winner_office, c.loser_office, c.status) for c in session.execute(stmt).scalars()]


def resolve_conflict(ctx: AppContext, conflict_id: uuid.UUID, *, restore: bool) -> None:
    """A reviewer keeps the merged value, or restores the losing one – which is a new change of this office,
    recorded like any edit, that syncs to every other office."""
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
        c.status, c.resolved_by, c.resolved_at = ("restored" if restore else "kept"), ctx.actor, utcnow()
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
                applier._write_entity(session, ctx.search_index, row, image, fake)
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
        audit.write(session, ctx, "sync.resolve", f"处理同步冲突（{c.table_name}.{c.field}）：{'恢复另一值' if restore else '保留当前值'}",
                    record_table=c.table_name, record_id=c.record_id, details={"conflict": str(c.id)})
