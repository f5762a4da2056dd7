"""Anchors of the audit chain: its head (sequence number and hash) signed with this installation's key.

The hash chain alone shows an entry changed in place, but someone holding the database file can delete an
entry and recompute every later hash, or cut off the last entries and roll the counter back: the chain is
whole again. An anchor says "entry N had hash H", signed; a chain that no longer has that hash at N, or ends
before N, was rewritten or cut off. Anchors are made at intervals (every ANCHOR_EVERY entries), at every
print and sync export (when the transaction commits), before every backup (so the backup file holds one),
and travel in every sync package's signed header; the receiving office keeps them (received_from). What
lives only in the same database can be deleted with it: the anchors that count are the ones elsewhere —
a later backup, a package on a USB stick, the heads a peer kept (`xuyi audit anchors --office CODE --out F`
there, `xuyi audit verify --anchor F` here).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from sqlalchemy import event
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.printing import qr
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models import utcnow
from xuyi_desktop.storage.models_security import AuditAnchor
from xuyi_desktop.storage.queries import audit_anchors as anchor_queries
from xuyi_desktop.storage.queries import audit_entries as entry_queries
from xuyi_desktop.storage.queries import signing_keys as key_queries

FORMAT = "XYA1"
ANCHOR_EVERY = 500
ANCHORING_ACTIONS = ("print.", "sync.export", "backup.")
_PENDING = "xuyi.anchor_reason"


def signed_text(office: str, seq: int, entry_hash: str, signed_at: str) -> bytes:
    return f"{FORMAT}|{office}|{seq}|{entry_hash}|{signed_at}".encode()


def stamp(at: dt.datetime) -> str:
    """The signed time, one spelling on every database: UTC with microseconds and a Z."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_dict(a: AuditAnchor) -> dict[str, Any]:
    """The portable form: in a package header, an anchors file, a JSON listing."""
    return {"format": FORMAT, "office": a.office_code, "seq": a.seq, "hash": a.entry_hash,
            "signed_at": stamp(a.signed_at), "reason": a.reason, "key": a.public_key, "sig": a.signature}


def anchor(session: Session, ctx: AppContext, reason: str) -> AuditAnchor | None:
    """Sign the current head of the chain in the caller's transaction (None while the chain is empty)."""
    from xuyi_desktop.services import office_keys

    head = entry_queries.head(session)
    if head is None:
        return None
    seq, entry_hash = head
    existing = anchor_queries.own_anchor(session, ctx.office_code, seq, entry_hash)
    if existing is not None:
        return existing
    key = office_keys.installation_key()
    at = utcnow()
    row = AuditAnchor(
        office_code=ctx.office_code, seq=seq, entry_hash=entry_hash, signed_at=at, reason=reason,
        public_key=office_keys.public_key_text(key.public_key()),
        signature=qr.b64u(key.sign(signed_text(ctx.office_code, seq, entry_hash, stamp(at)))), received_from="",
    )
    session.add(row)
    session.flush()
    return row


def anchor_now(ctx: AppContext, reason: str) -> AuditAnchor | None:
    """An anchor in a transaction of its own (before a backup is taken, so the backup file holds it)."""
    with ctx.transaction() as session:
        return anchor(session, ctx, reason)


def after_append(session: Session, ctx: AppContext, action: str, seqs: list[int]) -> None:
    """Called by services.audit after entries were appended: anchors the chain when the transaction commits if
    an interval was crossed or the action is a print, sync export or backup (once per transaction)."""
    reason = ""
    if action.startswith(ANCHORING_ACTIONS):
        reason = action.split(".")[0]
    elif any(s % ANCHOR_EVERY == 0 for s in seqs):
        reason = "interval"
    if not reason or session.info.get(_PENDING):
        return
    session.info[_PENDING] = reason

    def _at_commit(s: Session) -> None:
        why = s.info.pop(_PENDING, None)
        if why:
            anchor(s, ctx, why)

    event.listen(session, "before_commit", _at_commit, once=True)


def for_package(session: Session, ctx: AppContext) -> dict[str, Any] | None:
    """THE hook for sync export: the anchor to put in the package's signed header (now, in the export's
    transaction). The receiver keeps it (`receive`)."""
    made = anchor(session, ctx, "sync_export")
    return as_dict(made) if made is not None else None


def _trusted_keys(session: Session, office: str) -> set[str]:
    from xuyi_desktop.services import office_keys

    texts = key_queries.public_key_texts(session, office, revoked=False)
    card = office_keys.peer_signing_key(session, office)
    if card is not None:
        texts.add(office_keys.public_key_text(card))
    return texts


def _signature_ok(data: dict[str, Any]) -> bool:
    from xuyi_desktop.services import office_keys

    try:
        key = office_keys.parse_public_key(str(data["key"]))
        key.verify(qr.b64u_decode(str(data["sig"])),
                   signed_text(str(data["office"]), int(data["seq"]), str(data["hash"]), str(data["signed_at"])))
        return True
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False


def receive(session: Session, ctx: AppContext, sender: str, data: Any) -> bool:
    """THE hook for sync import: keep the sender's anchor from the package header (signed by a key we know for
    the sender). Returns whether it was kept."""
    if not isinstance(data, dict) or str(data.get("office")) != sender or not _signature_ok(data):
        return False
    if str(data["key"]) not in _trusted_keys(session, sender):
        return False
    seq, entry_hash = int(data["seq"]), str(data["hash"])
    if not anchor_queries.received_exists(session, sender, seq, entry_hash):
        session.add(AuditAnchor(office_code=sender, seq=seq, entry_hash=entry_hash,
                                signed_at=dt.datetime.fromisoformat(str(data["signed_at"])), reason=str(data.get("reason", "")),
                                public_key=str(data["key"]), signature=str(data["sig"]), received_from=sender))
    return True


# --- checking a chain against anchors ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorCheck:
    checked: int
    first_problem_seq: int | None = None
    reason_zh: str = ""
    reason_en: str = ""
    skipped: int = 0  # anchors of other offices, or signed by a key not known here

    @property
    def ok(self) -> bool:
        return self.first_problem_seq is None


class AnchorFileError(DomainError):
    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)


def _own_keys(session: Session, ctx: AppContext) -> set[str]:
    from xuyi_desktop.services import office_keys

    texts = key_queries.public_key_texts(session, ctx.office_code)
    if office_keys.key_path().exists():
        texts.add(office_keys.public_key_text(office_keys.installation_key().public_key()))
    return texts


def check(session: Session, ctx: AppContext, anchors: list[tuple[str, dict[str, Any]]], *, own_codes: set[str] | None = None) -> AnchorCheck:
    """Hold the chain in `session` against anchors (where-from label, anchor): every anchor of this office
    signed by one of its keys must name an entry that exists with that hash."""
    keys = _own_keys(session, ctx)
    codes = own_codes or {ctx.office_code}
    checked = skipped = 0
    for source, a in sorted(anchors, key=lambda item: int(item[1].get("seq", 0))):
        if str(a.get("office")) not in codes or str(a.get("key")) not in keys or not _signature_ok(a):
            skipped += 1
            continue
        seq, want = int(a["seq"]), str(a["hash"])
        have = entry_queries.hash_at(session, seq)
        when = str(a.get("signed_at", ""))[:19].replace("T", " ")
        if have is None:
            last = entry_queries.last_seq(session) or 0
            return AnchorCheck(checked, seq,
                               f"{source}（{when} 签名）记录日志已到第{seq}条，而本库的第{seq}条不存在（现只到第{last}条）：日志被删除或截断",
                               f"anchor from {source} names entry {seq}, which is missing (chain ends at {last})", skipped)
        if have != want:
            return AnchorCheck(checked, seq,
                               f"第{seq}条日志与{source}（{when} 签名）记录的不符：此前的日志被改写",
                               f"entry {seq} differs from the anchor in {source}: the chain was rewritten", skipped)
        checked += 1
    return AnchorCheck(checked, None, skipped=skipped)


def stored_anchors(session: Session, ctx: AppContext) -> list[tuple[str, dict[str, Any]]]:
    rows = anchor_queries.own_anchors(session)
    return [("本库保存的锚点", as_dict(a)) for a in rows]


def verify_with_anchors(ctx: AppContext, files: list[Path], passphrase: str | None = None) -> AnchorCheck:
    """The anchors stored here and those in `files` (backups, sync packages, anchor files from a peer)."""
    audit.require(ctx, Permission.AUDIT_VIEW)
    external: list[tuple[str, dict[str, Any]]] = []
    for path in files:
        external += anchors_in_file(path, passphrase)
    with ctx.transaction() as session:
        own_codes = {ctx.office_code} | {str(a["office"]) for _, a in stored_anchors(session, ctx)}
        return check(session, ctx, stored_anchors(session, ctx) + external, own_codes=own_codes)


def anchors_in_file(path: Path, passphrase: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Anchors a file carries: a backup (its signed anchors and its last entry), a sync package (the header's
    anchor), or an anchors file written by `xuyi audit anchors --out`."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise AnchorFileError(f"无法读取文件：{path}（{exc.strerror or exc}）", f"cannot read {path}") from None
    from xuyi_desktop.storage import backup as backup_files

    if head.startswith(backup_files.MAGIC) or head == backup_files.SQLITE_MAGIC:
        return _from_backup(path, passphrase)
    if head.startswith(b"PK"):
        return _from_package(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data.get("anchors") if isinstance(data, dict) else data
        assert isinstance(items, list)
    except (UnicodeDecodeError, json.JSONDecodeError, AssertionError, AttributeError) as exc:
        raise AnchorFileError(f"不是备份、同步包或锚点文件：{path.name}", f"not a backup, package or anchors file: {path}") from exc
    return [(f"锚点文件 {path.name}", a) for a in items if isinstance(a, dict)]


def _from_package(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("header.json")
            if info.file_size > 1 << 20:
                raise AnchorFileError(f"同步包的包头过大：{path.name}", "package header too large")
            header = json.loads(zf.read(info).decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnchorFileError(f"无法读取同步包：{path.name}", f"cannot read the package {path}") from exc
    a = header.get("audit_anchor") if isinstance(header, dict) else None
    return [(f"同步包 {path.name}", a)] if isinstance(a, dict) else []


def _from_backup(path: Path, passphrase: str | None) -> list[tuple[str, dict[str, Any]]]:
    from xuyi_desktop.storage import backup as backup_files

    with tempfile.TemporaryDirectory(prefix="xuyi-anchor-") as tmp:
        plain = Path(tmp) / "backup.db"
        backup_files.unpack_backup(path, plain, passphrase)
        label = f"备份 {path.name}"
        conn = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
        try:
            found: list[tuple[str, dict[str, Any]]] = []
            for office, seq, h, at, reason, key, sig in anchor_queries.own_anchors_in_file(conn):
                # SQLite keeps the UTC time without its zone.
                at_utc = dt.datetime.fromisoformat(str(at)).replace(tzinfo=dt.UTC)
                found.append((label, {"office": office, "seq": seq, "hash": h, "reason": reason, "key": key, "sig": sig,
                                      "signed_at": stamp(at_utc)}))
            return found
        except sqlite3.Error as exc:
            raise AnchorFileError(f"无法读取备份中的锚点：{path.name}（{exc}）", f"cannot read anchors in {path}") from None
        finally:
            conn.close()


def held_anchors(ctx: AppContext, office: str | None = None) -> list[dict[str, Any]]:
    """Anchors held here (own, or received from `office`), newest last: what `audit anchors --out` writes."""
    audit.require(ctx, Permission.AUDIT_VIEW)
    with ctx.transaction() as session:
        return [{**as_dict(a), "received_from": a.received_from}
                for a in anchor_queries.held(session, office.strip().upper() if office else None)]
