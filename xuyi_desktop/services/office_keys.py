"""Signing keys: each installation's own key, approved by an administrator before its prints verify.

Each installation (PC) signs the codes on its printed documents with its own Ed25519 key, created on first use
in the data folder (`keys/office_ed25519.pem`, readable by the owner only). The first time a key signs, it is
registered in the database (`signing_key`) as 待批准: a document it signed verifies as 未经授权, never as 有效,
until an administrator compares the key's fingerprint with the one the PC shows and approves it. Keys are
retired (documents issued up to that day still verify) or revoked (nothing they signed verifies). Every
decision is a change of a business record, so it is audited and travels with sync: every office verifies
against the same set. Set-up mode (no user yet) approves the key it registers, and creating the first
administrator approves the key of the PC it is created on.

Verification looks keys up by the office code printed in the code: this office's keys, peers' keys received
by sync (only rows the peer itself last changed), and the key on a registered peer's office card
(`office.peer_key.<CODE>`). A code also verifies when one of our own approved keys signed it under an earlier
(provisional) office code: only this office holds those private keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.paths import data_dir
from xuyi_desktop.printing import qr
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.unit_of_work import UnitOfWork
from xuyi_desktop.storage.models import AppSetting, utcnow
from xuyi_desktop.storage.models_security import SigningKey, signing_key_id
from xuyi_desktop.storage.queries import commitments as commitment_queries
from xuyi_desktop.storage.queries import ratings as rating_queries
from xuyi_desktop.storage.queries import signing_keys as key_queries

KEY_FOLDER = "keys"
KEY_FILE = "office_ed25519.pem"
SETTING_PEER = "office.peer_key."
KEY_PREFIX = "ed25519:"
TABLE = "signing_key"

_lock = threading.Lock()
_loaded: dict[str, Ed25519PrivateKey] = {}
_PrivateKey = TypeVar("_PrivateKey", Ed25519PrivateKey, X25519PrivateKey)
_T = TypeVar("_T")
_synced: set[tuple[str, str]] = set()


class KeyStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    RETIRED = "retired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {"pending": "待批准", "approved": "已批准", "retired": "已停用", "revoked": "已吊销"}[self.value]


def key_path() -> Path:
    return data_dir() / KEY_FOLDER / KEY_FILE


def installation_name() -> str:
    """The PC's name as the administrator sees it in the key list and `xuyi verify` names it."""
    return (platform.node() or "本机")[:200]


def _key_text(prefix: str, key: Ed25519PublicKey | X25519PublicKey) -> str:
    """`prefix` + base64url of the raw 32 bytes, for the signing and the exchange key alike."""
    return prefix + qr.b64u(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _key_bytes(prefix: str, text: str) -> bytes:
    """The raw bytes of a `_key_text`; ValueError when the text is not a key of that kind."""
    text = text.strip()
    if not text.startswith(prefix):
        raise ValueError(f"not an {prefix} key")
    return qr.b64u_decode(text[len(prefix):])


def public_key_text(key: Ed25519PublicKey) -> str:
    """"ed25519:" + base64url of the raw 32 bytes: short enough to paste into a peer's settings."""
    return _key_text(KEY_PREFIX, key)


def parse_public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_key_bytes(KEY_PREFIX, text))


def fingerprint(key: Ed25519PublicKey) -> str:
    """What two people compare over the phone: 16 hex digits of SHA-256 in groups of four."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def normalise_fingerprint(text: str) -> str:
    """"abcd-ef01 2345 6789…" → "ABCD EF01 2345 6789"; ValidationError unless 16 hex digits."""
    digits = "".join(ch for ch in text.upper() if ch not in " -:")
    if len(digits) != 16 or any(ch not in "0123456789ABCDEF" for ch in digits):
        raise ValidationError(FieldProblem("fingerprint", "指纹应为16位十六进制数字（如 1A2B 3C4D 5E6F 7081）", "fingerprint: 16 hex digits"))
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def _read_key(path: Path, kind: type[_PrivateKey]) -> _PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, kind):
        raise ValueError(f"{path} is not an {kind.__name__.removesuffix('PrivateKey')} key")
    return key


def _load_or_create(path: Path, kind: type[_PrivateKey]) -> tuple[_PrivateKey, bool]:
    """The key in `path` (the signing or the exchange key), created (mode 0600) if absent. Two processes starting
    at once end up with one key: the file appears only complete, and only once (a hard link, which fails if the
    name exists)."""
    if path.exists():
        return _read_key(path, kind), False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    key = kind.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_key(path, kind), False
        except OSError:  # no hard links here (some network drives): a rename refuses an existing name on Windows
            try:
                if os.name == "nt":
                    os.rename(tmp, path)
                else:
                    os.replace(tmp, path)
            except FileExistsError:
                return _read_key(path, kind), False
    finally:
        if tmp.exists():
            tmp.unlink()
    return key, True


def _cached_key(cache: dict[str, _PrivateKey], path: Path, kind: type[_PrivateKey]) -> _PrivateKey:
    """The key in `path`, read (or created) once per process under the lock, then kept in `cache`. (mypy calls
    cryptography's key classes abstract: `kind` is the class whose generate() and isinstance are used.)"""
    with _lock:
        key = cache.get(str(path))
        if key is None:
            key, _ = _load_or_create(path, kind)
            cache[str(path)] = key
        return key


def installation_key() -> Ed25519PrivateKey:
    """This installation's private key from the data folder (created on first use); no database involved, so
    it may be called inside a transaction (the audit anchors sign with it)."""
    return _cached_key(_loaded, key_path(), Ed25519PrivateKey)  # type: ignore[type-abstract]


def snapshot(row: SigningKey) -> dict[str, Any]:
    """The row image the change log and sync carry."""
    def stamp(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": str(row.id), "office_code": row.office_code, "public_key": row.public_key, "fingerprint": row.fingerprint,
        "installation": row.installation, "data_folder": row.data_folder, "status": row.status,
        "registered_by": row.registered_by, "approved_by": row.approved_by, "approved_by_name": row.approved_by_name,
        "approved_at": stamp(row.approved_at), "retired_at": stamp(row.retired_at), "revoked_at": stamp(row.revoked_at),
        "status_note": row.status_note, "created_office": row.created_office, "updated_office": row.updated_office,
        "version": row.version, "deleted_at": stamp(row.deleted_at),
    }


def _approver(ctx: AppContext) -> tuple[str, str]:
    """(user name, display name) written as the approving administrator."""
    if ctx.user is None:
        return ctx.actor, "初始设置"
    return ctx.user.username, ctx.user.display_name or ctx.user.username


def _register(session: Session, ctx: AppContext, key: Ed25519PublicKey, *, approve: bool, why: str = "",
              approver: tuple[str, str] | None = None) -> SigningKey:
    """The row of `key`, created (pending, or approved when `approve`) if the database does not know it yet."""
    text = public_key_text(key)
    row = key_queries.by_public_key(session, text)
    if row is not None:
        return row
    now = utcnow()
    by, by_name = approver or _approver(ctx)
    row = SigningKey(
        id=signing_key_id(text), office_code=ctx.office_code, public_key=text, fingerprint=fingerprint(key),
        installation=installation_name(), data_folder=str(data_dir())[:500],
        status=(KeyStatus.APPROVED if approve else KeyStatus.PENDING).value, registered_by=ctx.actor,
        approved_by=by if approve else "", approved_by_name=by_name if approve else "",
        approved_at=now if approve else None, status_note=why, created_office=ctx.office_code,
    )
    session.add(row)
    state = "，" + (why or "已批准") if approve else "，待管理员核对指纹后批准；批准前本机打印的文件核验为“未经授权”"
    UnitOfWork(session, ctx).record(row, None, verb="insert", image=snapshot,
                                    summary=f"登记电脑 {row.installation} 的签名密钥，指纹 {row.fingerprint}{state}")
    return row


def office_key(ctx: AppContext) -> Ed25519PrivateKey:
    """This installation's key for what peers check against its office card (sync packages, the card itself):
    no registration needed there, the peer's administrator registered the card. Never for a printed code: prints
    sign with print_key(), whose key an administrator must approve before they verify."""
    return installation_key()


def print_key(ctx: AppContext) -> Ed25519PrivateKey:
    """This installation's key for printed codes, registered in the database the first time it signs one
    (待批准, except in set-up mode): its prints verify only once an administrator approved it.
    Call it outside any open transaction."""
    key = installation_key()
    marker = (str(key_path()), ctx.url)
    with _lock:
        if marker in _synced:
            return key
    with ctx.transaction() as session:
        _register(session, ctx, key.public_key(), approve=ctx.setup_mode,
                  why="初始设置（尚无用户）时登记，自动批准" if ctx.setup_mode else "")
    with _lock:
        _synced.add(marker)
    return key


def approve_on_setup(ctx: AppContext, username: str, display_name: str) -> None:
    """Creating the first administrator approves the key of the PC it is created on (audited): the person who
    sets up the database vouches for the PC doing it."""
    key = installation_key()
    why, by = "创建首位管理员时批准本机密钥", (username, display_name or username)
    with ctx.transaction() as session:
        row = _register(session, ctx, key.public_key(), approve=True, why=why, approver=by)
        if row.status == KeyStatus.PENDING.value:
            _decide(session, ctx, row, KeyStatus.APPROVED, why, approver=by)


def sign(ctx: AppContext, data: bytes) -> bytes:
    return print_key(ctx).sign(data)


def office_public_key(ctx: AppContext) -> str:
    """The text to give peers (creating the key pair if this office has none yet)."""
    return public_key_text(office_key(ctx).public_key())


# --- key management (administrators) ---------------------------------------------------------------------


@dataclass(frozen=True)
class KeyView:
    id: uuid.UUID
    office_code: str
    fingerprint: str
    installation: str
    data_folder: str
    status: KeyStatus
    registered_at: dt.datetime
    registered_by: str
    approved_by: str
    approved_by_name: str
    approved_at: dt.datetime | None
    retired_at: dt.datetime | None
    revoked_at: dt.datetime | None
    note: str
    this_pc: bool

    def to_json(self) -> dict[str, Any]:
        def stamp(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": str(self.id), "office_code": self.office_code, "fingerprint": self.fingerprint,
            "installation": self.installation, "data_folder": self.data_folder, "status": self.status.value,
            "status_label": self.status.label, "registered_at": stamp(self.registered_at), "registered_by": self.registered_by,
            "approved_by": self.approved_by, "approved_by_name": self.approved_by_name, "approved_at": stamp(self.approved_at),
            "retired_at": stamp(self.retired_at), "revoked_at": stamp(self.revoked_at), "note": self.note,
            "this_pc": self.this_pc,
        }


def _view(row: SigningKey, own: str | None) -> KeyView:
    return KeyView(
        row.id, row.office_code, row.fingerprint, row.installation, row.data_folder, KeyStatus(row.status), row.created_at,
        row.registered_by, row.approved_by, row.approved_by_name, row.approved_at, row.retired_at, row.revoked_at,
        row.status_note, row.public_key == own,
    )


def this_installation(ctx: AppContext) -> KeyView:
    """This PC's key and its state: what a clerk reads out to the administrator (any logged-in user)."""
    audit.require(ctx, Permission.VIEW)
    key = print_key(ctx)
    text = public_key_text(key.public_key())
    with ctx.transaction() as session:
        row = key_queries.by_public_key(session, text)
        if row is None:  # print_key registered it; gone only if the database was changed behind our back
            raise KeyStateError("本机签名密钥未在数据库中登记，请重新打开程序", "this PC's key is not registered")
        return _view(row, text)


def list_keys(ctx: AppContext, *, all_offices: bool = False) -> list[KeyView]:
    """The office's signing keys (every office's with all_offices), pending first, then by registration."""
    audit.require(ctx, Permission.KEYS)
    own = public_key_text(installation_key().public_key()) if key_path().exists() else None
    order = {KeyStatus.PENDING.value: 0, KeyStatus.APPROVED.value: 1, KeyStatus.RETIRED.value: 2, KeyStatus.REVOKED.value: 3}
    with ctx.transaction() as session:
        rows = key_queries.live_keys(session, None if all_offices else ctx.office_code)
        return [_view(r, own) for r in sorted(rows, key=lambda r: (r.office_code != ctx.office_code, r.office_code,
                                                                     order.get(r.status, 9), r.created_at))]


class KeyStateError(DomainError):
    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)


def _by_fingerprint(session: Session, ctx: AppContext, text: str) -> SigningKey:
    fp = normalise_fingerprint(text)
    rows = key_queries.by_fingerprint(session, fp)
    if not rows:
        raise ValidationError(FieldProblem("fingerprint", f"没有指纹为 {fp} 的签名密钥（请在要批准的电脑上查看本机指纹）", "no key with that fingerprint"))
    own = [r for r in rows if r.office_code == ctx.office_code]
    if not own:
        raise KeyStateError(f"指纹为 {fp} 的密钥属于单位 {rows[0].office_code}，只能由该单位的管理员管理",
                            "that key belongs to another office")
    return own[0]


_ALLOWED = {
    KeyStatus.APPROVED: {KeyStatus.PENDING},
    KeyStatus.RETIRED: {KeyStatus.APPROVED},
    KeyStatus.REVOKED: {KeyStatus.PENDING, KeyStatus.APPROVED, KeyStatus.RETIRED},
}
_VERB = {KeyStatus.APPROVED: "批准", KeyStatus.RETIRED: "停用", KeyStatus.REVOKED: "吊销"}


def may_change(current: KeyStatus, to: KeyStatus) -> bool:
    """Whether a key in `current` may be approved / retired / revoked (`to`): what _decide accepts, for the
    buttons of the keys panel."""
    return current in _ALLOWED.get(to, set())


def _decide(session: Session, ctx: AppContext, row: SigningKey, to: KeyStatus, note: str,
            approver: tuple[str, str] | None = None) -> None:
    current = KeyStatus(row.status)
    if current is to:
        raise KeyStateError(f"该密钥已是“{to.label}”状态", f"key already {to.value}")
    if current not in _ALLOWED[to]:
        raise KeyStateError(f"“{current.label}”的密钥不能{_VERB[to]}", f"cannot move a {current.value} key to {to.value}")
    before = snapshot(row)
    now = utcnow()
    row.status = to.value
    if to is KeyStatus.APPROVED:
        (row.approved_by, row.approved_by_name), row.approved_at = approver or _approver(ctx), now
    elif to is KeyStatus.RETIRED:
        row.retired_at = now
    else:
        row.revoked_at = now
    if note:
        row.status_note = note[:1000]
    UnitOfWork(session, ctx).record(
        row, before, image=snapshot,
        summary=f"{_VERB[to]}电脑 {row.installation} 的签名密钥，指纹 {row.fingerprint}" + (f"：{note}" if note else ""),
    )


def _change(ctx: AppContext, fp: str, to: KeyStatus, note: str) -> KeyView:
    audit.require(ctx, Permission.KEYS)
    own = public_key_text(installation_key().public_key()) if key_path().exists() else None
    with ctx.transaction() as session:
        row = _by_fingerprint(session, ctx, fp)
        _decide(session, ctx, row, to, note.strip())
        return _view(row, own)


def approve_key(ctx: AppContext, fp: str, note: str = "") -> KeyView:
    """Approve a pending key after comparing its fingerprint with the one its PC shows (管理密钥 right)."""
    return _change(ctx, fp, KeyStatus.APPROVED, note)


def retire_key(ctx: AppContext, fp: str, note: str = "") -> KeyView:
    """Stop a key signing (PC replaced): what it issued up to today still verifies."""
    return _change(ctx, fp, KeyStatus.RETIRED, note)


def revoke_key(ctx: AppContext, fp: str, reason: str) -> KeyView:
    """Revoke a key (stolen PC, copied data folder, a key nobody should have had): nothing it signed verifies."""
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请写明吊销原因", "a reason is required"))
    return _change(ctx, fp, KeyStatus.REVOKED, reason)


def trust_peer_key(ctx: AppContext, office_code: str, key_text: str) -> str:
    """Record another office's public key so that its printed codes verify here. Returns the fingerprint."""
    audit.require(ctx, Permission.KEYS)
    code = office_code.strip().upper()
    if not code or len(SETTING_PEER + code) > 64 or not qr._PLAIN.fullmatch(code):
        raise ValidationError(FieldProblem("office_code", "单位代码不正确", "bad office code"))
    if code == ctx.office_code:
        raise ValidationError(FieldProblem("office_code", "这是本单位自己的代码", "that is this office's own code"))
    try:
        key = parse_public_key(key_text)
    except ValueError as exc:
        raise ValidationError(FieldProblem("public_key", "公钥格式不正确（应以 ed25519: 开头）", "bad public key")) from exc
    text = public_key_text(key)
    with ctx.transaction() as session:
        row = session.get(AppSetting, SETTING_PEER + code)
        before = row.value if row else None
        if row is None:
            session.add(AppSetting(key=SETTING_PEER + code, value=text))
        else:
            row.value = text
        audit.write(
            session, ctx, "office.peer_key", f"导入单位 {code} 的公钥，指纹 {fingerprint(key)}",
            details={"office": code, "public_key": text, "replaced": before},
        )
    return fingerprint(key)


# --- verification -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    whose: str  # "own", "peer" (a key row of the peer office) or "card" (the peer's registered office card)
    key: Ed25519PublicKey
    row: SigningKey | None


def _parsed(text: str) -> Ed25519PublicKey | None:
    try:
        return parse_public_key(text)
    except ValueError:
        return None


def keys_for(session: Session, ctx: AppContext, office_code: str) -> list[_Candidate]:
    """Every key that may have signed a code naming `office_code`. Our own keys come first when the code names
    this office, and are tried last otherwise (a code signed with our key was issued here under an earlier code).
    A peer's key row counts only when the peer itself made its last change (one office cannot vouch for
    another's keys)."""
    rows = key_queries.live_keys(session)
    own = [_Candidate("own", k, r) for r in rows if r.office_code == ctx.office_code and (k := _parsed(r.public_key))]
    peers: list[_Candidate] = []
    if office_code != ctx.office_code:
        peers = [_Candidate("peer", k, r) for r in rows
                 if r.office_code == office_code and r.updated_office == office_code and (k := _parsed(r.public_key))]
        card = session.get(AppSetting, SETTING_PEER + office_code)
        known = {r.public_key for r in rows if r.office_code == office_code}
        if card is not None and card.value not in known and (k := _parsed(card.value)):
            peers.append(_Candidate("card", k, None))
        return peers + own
    return own


# What a verification says: valid, or why not (the status word the CLI and the 核验 page show).
OUTCOMES = {
    "valid": "有效", "unauthorised": "未经授权", "key_revoked": "密钥已吊销", "key_retired": "密钥已停用",
    "revoked": "已撤销", "superseded": "已被更正", "expired": "已过期", "not_in_force": "已失效",
    "forged": "无效", "unknown_issuer": "无法核验", "malformed": "无效",
}


@dataclass(frozen=True)
class VerifyResult:
    valid: bool
    issuer: str  # office code in the code
    issued_on: dt.date | None
    facts: dict[str, str]
    reason_zh: str
    doc_type: str = ""
    serial: str = ""
    issuer_name: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    status: str = "malformed"
    installation: str = ""
    key_fingerprint: str = ""
    approved_by: str = ""
    approved_by_name: str = ""
    approved_at: dt.datetime | None = None

    @property
    def doc_type_label(self) -> str:
        return qr.DOC_TYPES.get(self.doc_type, self.doc_type)

    @property
    def status_label(self) -> str:
        return OUTCOMES.get(self.status, "无效")

    def to_json(self) -> dict[str, object]:
        return {
            "valid": self.valid, "status": self.status, "status_label": self.status_label, "issuer": self.issuer,
            "issuer_name": self.issuer_name, "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "doc_type": self.doc_type, "doc_type_label": self.doc_type_label, "serial": self.serial, "facts": self.facts,
            "reason_zh": self.reason_zh, "notes": list(self.notes), "installation": self.installation,
            "key_fingerprint": self.key_fingerprint, "approved_by": self.approved_by,
            "approved_by_name": self.approved_by_name,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
        }


def verify_payload(ctx: AppContext, text: str, *, today: dt.date | None = None) -> VerifyResult:
    """Check a scanned code offline. 有效 means all of: well formed; signed by a key of the issuing office that
    an administrator approved (and had not retired before the issue date, nor revoked); and the document is
    still what it says (not revoked, superseded or expired by the records here). Anything else is not valid,
    with the reason."""
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    try:
        p = qr.parse_payload(text)
    except qr.PayloadFormatError:
        return VerifyResult(False, "", None, {}, "不是本系统的核验码，或内容不完整")
    base: dict[str, Any] = {"issuer": p.office, "issued_on": p.issued_on, "facts": p.facts, "doc_type": p.doc_type,
                            "serial": p.serial}
    if p.doc_type not in qr.DOC_TYPES:
        return VerifyResult(False, reason_zh=f"未知的文件类型 {p.doc_type}", **base)
    with ctx.transaction() as session:
        candidates = keys_for(session, ctx, p.office)
        signer: _Candidate | None = None
        for c in candidates:
            try:
                c.key.verify(p.signature, p.signed_text.encode("utf-8"))
                signer = c
                break
            except InvalidSignature:
                continue
        if signer is None:
            if p.office != ctx.office_code and not any(c.whose != "own" for c in candidates):
                return VerifyResult(False, reason_zh=f"本机没有签发单位 {p.office} 的公钥，无法核验", status="unknown_issuer", **base)
            return VerifyResult(False, reason_zh="签名不符：内容被改动，或并非该单位签发", status="forged", **base)
        row = signer.row
        who: dict[str, Any] = {}
        if row is not None:
            who = {"installation": row.installation, "key_fingerprint": row.fingerprint, "approved_by": row.approved_by,
                   "approved_by_name": row.approved_by_name, "approved_at": row.approved_at}
        else:
            who = {"installation": f"单位 {p.office} 名片登记的密钥", "key_fingerprint": fingerprint(signer.key)}
        base.update(who)
        base["issuer_name"] = ctx.office_name if signer.whose == "own" else ""
        key_problem = _key_problem(row, p.issued_on)
        if key_problem is not None:
            status, reason = key_problem
            return VerifyResult(False, reason_zh=reason, status=status, **base)
        state = _document_state(session, p, today)
    label = qr.DOC_TYPES[p.doc_type]
    if state is not None:
        status, reason = state
        return VerifyResult(False, reason_zh=f"签名属实，但{reason}", status=status, **base)
    issuer = f"本单位（{p.office}）" if signer.whose == "own" else f"单位 {p.office}"
    return VerifyResult(True, reason_zh=f"签名有效：{label} {p.serial}，由{issuer}于{p.issued_on.isoformat()}签发",
                        status="valid", **base)


def _key_problem(row: SigningKey | None, issued_on: dt.date) -> tuple[str, str] | None:
    if row is None:  # a peer's office-card key, registered by an administrator here
        return None
    status = KeyStatus(row.status)
    where = f"电脑 {row.installation} 的签名密钥（指纹 {row.fingerprint}）"
    if status is KeyStatus.PENDING:
        return "unauthorised", f"未经授权：签发它的{where}尚未经管理员批准，该文件不能作为有效凭证"
    if status is KeyStatus.REVOKED:
        when = row.revoked_at.astimezone().date().isoformat() if row.revoked_at else ""
        note = f"（{row.status_note}）" if row.status_note else ""
        return "key_revoked", f"签发它的{where}已于 {when} 被吊销{note}：该密钥签发的文件一律无效"
    if status is KeyStatus.RETIRED and row.retired_at is not None and issued_on > row.retired_at.astimezone().date():
        return "key_retired", f"签发它的{where}已于 {row.retired_at.astimezone().date().isoformat()} 停用，此后签发的文件无效"
    return None


def _document_state(session: Session, p: qr.Payload, today: dt.date) -> tuple[str, str] | None:
    """What the records here say about the document itself: revoked, superseded, no longer in force, expired."""
    if p.doc_type == "CERT":
        rating = rating_queries.by_certificate_serial(session, p.serial)
        if rating is not None:
            status = RatingStatus(rating.status)
            if status is RatingStatus.REVOKED:
                return "revoked", "该信用评价已被撤销，证书不再有效"
            if status is RatingStatus.SUPERSEDED:
                return "superseded", "该信用评价已被更正后的新评价取代，证书不再有效"
            if status is not RatingStatus.EFFECTIVE:
                return "not_in_force", f"该信用评价现为“{status.label}”状态，证书不再代表当前等级"
    if p.doc_type == "CN":
        row = commitment_queries.by_serial(session, p.serial)
        if row is not None and row.status == "revoked":
            return "revoked", "该信用承诺已被撤销，承诺书不再有效"
    until = p.facts.get("to")
    if until:
        try:
            if dt.date.fromisoformat(until) < today:
                return "expired", f"已过有效期（有效期至 {until}）"
        except ValueError:
            pass
    return None


# --- Package encryption (sync, issue 6): an X25519 key pair beside the signing key -------------------------
# Sync packages are encrypted to the receiving office: a fresh AES-GCM key sealed with X25519 to the
# receiver's public key. The private half lives in the data folder (`keys/office_x25519.pem`, owner only);
# peers' public halves are kept under `office.peer_xkey.<CODE>`, next to their Ed25519 keys.

XKEY_FILE = "office_x25519.pem"
SETTING_PEER_X = "office.peer_xkey."
XKEY_PREFIX = "x25519:"
_loaded_x: dict[str, X25519PrivateKey] = {}


def exchange_key_path() -> Path:
    return data_dir() / KEY_FOLDER / XKEY_FILE


def office_exchange_key() -> X25519PrivateKey:
    """This office's X25519 private key, created (mode 0600, appearing only whole) on first use."""
    return _cached_key(_loaded_x, exchange_key_path(), X25519PrivateKey)  # type: ignore[type-abstract]


def exchange_public_text(key: X25519PublicKey) -> str:
    return _key_text(XKEY_PREFIX, key)


def parse_exchange_key(text: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(_key_bytes(XKEY_PREFIX, text))


def _peer_key(session: Session, setting: str, parse: Callable[[str], _T]) -> _T | None:
    """A peer's public key kept in the settings table; None when absent or unreadable."""
    row = session.get(AppSetting, setting)
    if row is None:
        return None
    try:
        return parse(row.value)
    except ValueError:
        return None


def peer_signing_key(session: Session, office_code: str) -> Ed25519PublicKey | None:
    """The registered Ed25519 key of a peer office (the same entry printed codes are verified with)."""
    return _peer_key(session, SETTING_PEER + office_code, parse_public_key)


def peer_exchange_key(session: Session, office_code: str) -> X25519PublicKey | None:
    return _peer_key(session, SETTING_PEER_X + office_code, parse_exchange_key)


def store_peer_keys(session: Session, office_code: str, signing_text: str, exchange_text: str) -> None:
    """Record both public keys of a peer in the caller's transaction (the caller checks and audits)."""
    for key, value in ((SETTING_PEER + office_code, signing_text), (SETTING_PEER_X + office_code, exchange_text)):
        row = session.get(AppSetting, key)
        if row is None:
            session.add(AppSetting(key=key, value=value))
        else:
            row.value = value
