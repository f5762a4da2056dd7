"""The office's signing key and offline verification of printed codes.

Each installation signs the codes on its printed documents with its own Ed25519 key, created on first use
in the data folder (`keys/office_ed25519.pem`, readable by the owner only). The database remembers every
public key the office has signed with (`office.public_key`, earlier ones under `office.public_key.retired.N`
when the key file was lost or replaced), so documents printed before a key change still verify.

Verification looks keys up by the office code printed in the code: this office's own keys, and peers'
keys kept under `office.peer_key.<CODE>` (added with `trust_peer_key`; the exchange of keys between
offices belongs to the sync issue). A code verifies when any key listed for its office verifies the
signature; because only this office holds its private key, a code that our own key verifies was issued
here even if the office code has changed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.paths import data_dir
from xuyi_desktop.printing import qr
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models import AppSetting, Rating

KEY_FOLDER = "keys"
KEY_FILE = "office_ed25519.pem"
SETTING_PUBLIC = "office.public_key"
SETTING_RETIRED = "office.public_key.retired."
SETTING_PEER = "office.peer_key."
KEY_PREFIX = "ed25519:"

_lock = threading.Lock()
_loaded: dict[str, Ed25519PrivateKey] = {}
_synced: set[tuple[str, str]] = set()


def key_path() -> Path:
    return data_dir() / KEY_FOLDER / KEY_FILE


def public_key_text(key: Ed25519PublicKey) -> str:
    """"ed25519:" + base64url of the raw 32 bytes: short enough to paste into a peer's settings."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_PREFIX + qr.b64u(raw)


def parse_public_key(text: str) -> Ed25519PublicKey:
    text = text.strip()
    if not text.startswith(KEY_PREFIX):
        raise ValueError("not an ed25519: key")
    raw = qr.b64u_decode(text[len(KEY_PREFIX):])
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """What two people compare over the phone: 16 hex digits of SHA-256 in groups of four."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _load_or_create(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The key in `path`, created (mode 0600) if absent. Two processes starting at once end up with one key:
    the file appears only complete, and only once (a hard link, which fails if the name exists)."""
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None), False  # type: ignore[return-value]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    key = Ed25519PrivateKey.generate()
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
            return serialization.load_pem_private_key(path.read_bytes(), password=None), False  # type: ignore[return-value]
        except OSError:  # no hard links here (some network drives): a rename refuses an existing name on Windows
            try:
                if os.name == "nt":
                    os.rename(tmp, path)
                else:
                    os.replace(tmp, path)
            except FileExistsError:
                return serialization.load_pem_private_key(path.read_bytes(), password=None), False  # type: ignore[return-value]
    finally:
        if tmp.exists():
            tmp.unlink()
    return key, True


def _settings(session: Session, prefix: str) -> dict[str, str]:
    rows = session.execute(select(AppSetting).where(AppSetting.key.startswith(prefix))).scalars()
    return {r.key: r.value for r in rows}


def office_key(ctx: AppContext) -> Ed25519PrivateKey:
    """This office's signing key: loaded (or created on first use), and its public half recorded in the
    database. Call it outside any open transaction."""
    path = key_path()
    with _lock:
        key = _loaded.get(str(path))
        created = False
        if key is None:
            key, created = _load_or_create(path)
            _loaded[str(path)] = key
        marker = (str(path), ctx.url)
        if marker in _synced:
            return key
        text = public_key_text(key.public_key())
        with ctx.transaction() as session:
            current = session.get(AppSetting, SETTING_PUBLIC)
            if current is None or current.value != text:
                note = ""
                if current is not None:
                    # The database knew another key (the key file was lost or the database moved): keep
                    # the old public key so documents signed with it still verify.
                    retired = _settings(session, SETTING_RETIRED)
                    if current.value not in retired.values():
                        session.add(AppSetting(key=f"{SETTING_RETIRED}{len(retired) + 1}", value=current.value))
                    current.value = text
                    note = "，原公钥已保留用于核验旧文件"
                else:
                    session.add(AppSetting(key=SETTING_PUBLIC, value=text))
                audit.write(
                    session, ctx, "office.key_created" if created else "office.key_registered",
                    f"本单位签名密钥{'已生成' if created else '已登记'}，指纹 {fingerprint(key.public_key())}{note}",
                    details={"public_key": text},
                )
        _synced.add(marker)
        return key


def sign(ctx: AppContext, data: bytes) -> bytes:
    return office_key(ctx).sign(data)


def office_public_key(ctx: AppContext) -> str:
    """The text to give peers (creating the key pair if this office has none yet)."""
    return public_key_text(office_key(ctx).public_key())


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


def keys_for(session: Session, ctx: AppContext, office_code: str) -> list[tuple[str, Ed25519PublicKey]]:
    """Every key that may have signed a code naming `office_code`: (whose, key). Our own keys come first
    when the code names this office, and are tried last otherwise (see the module note)."""
    own: list[tuple[str, Ed25519PublicKey]] = []
    current = session.get(AppSetting, SETTING_PUBLIC)
    texts = ([current.value] if current else []) + [v for _, v in sorted(_settings(session, SETTING_RETIRED).items())]
    for text in texts:
        try:
            own.append(("own", parse_public_key(text)))
        except ValueError:
            continue
    peers: list[tuple[str, Ed25519PublicKey]] = []
    peer = session.get(AppSetting, SETTING_PEER + office_code)
    if peer is not None:
        try:
            peers.append(("peer", parse_public_key(peer.value)))
        except ValueError:
            pass
    return own + peers if office_code == ctx.office_code else peers + own


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

    @property
    def doc_type_label(self) -> str:
        return qr.DOC_TYPES.get(self.doc_type, self.doc_type)

    def to_json(self) -> dict[str, object]:
        return {
            "valid": self.valid, "issuer": self.issuer, "issuer_name": self.issuer_name,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None, "doc_type": self.doc_type,
            "doc_type_label": self.doc_type_label, "serial": self.serial, "facts": self.facts,
            "reason_zh": self.reason_zh, "notes": list(self.notes),
        }


def verify_payload(ctx: AppContext, text: str, *, today: dt.date | None = None) -> VerifyResult:
    """Check a scanned code offline. Valid means: well formed, and signed by a key this office trusts for
    the issuing office named in it. Notes add what the local records say (revoked, expired)."""
    audit.require(ctx, Permission.VIEW)
    try:
        p = qr.parse_payload(text)
    except qr.PayloadFormatError:
        return VerifyResult(False, "", None, {}, "不是本系统的核验码，或内容不完整")
    base = {"issuer": p.office, "issued_on": p.issued_on, "facts": p.facts, "doc_type": p.doc_type, "serial": p.serial}
    if p.doc_type not in qr.DOC_TYPES:
        return VerifyResult(False, reason_zh=f"未知的文件类型 {p.doc_type}", **base)  # type: ignore[arg-type]
    with ctx.transaction() as session:
        candidates = keys_for(session, ctx, p.office)
        signer = None
        for whose, key in candidates:
            try:
                key.verify(p.signature, p.signed_text.encode("utf-8"))
                signer = whose
                break
            except InvalidSignature:
                continue
        if signer is None:
            if p.office != ctx.office_code and not any(w == "peer" for w, _ in candidates):
                return VerifyResult(False, reason_zh=f"本机没有签发单位 {p.office} 的公钥，无法核验", **base)  # type: ignore[arg-type]
            return VerifyResult(False, reason_zh="签名不符：内容被改动，或并非该单位签发", **base)  # type: ignore[arg-type]
        notes = _local_notes(session, p, today or dt.date.today())
    issuer_name = ctx.office_name if signer == "own" else ""
    who = f"本单位（{p.office}）" if signer == "own" else f"单位 {p.office}"
    return VerifyResult(
        True, reason_zh=f"签名有效：{qr.DOC_TYPES[p.doc_type]} {p.serial}，由{who}于{p.issued_on.isoformat()}签发",
        issuer_name=issuer_name, notes=tuple(notes), **base,  # type: ignore[arg-type]
    )


def _local_notes(session: Session, p: qr.Payload, today: dt.date) -> list[str]:
    notes: list[str] = []
    until = p.facts.get("to")
    if until:
        try:
            if dt.date.fromisoformat(until) < today:
                notes.append(f"已过有效期（有效期至 {until}）")
        except ValueError:
            pass
    if p.doc_type == "CERT":
        rating = session.execute(select(Rating).where(Rating.certificate_serial == p.serial)).scalar_one_or_none()
        if rating is not None and rating.status != RatingStatus.EFFECTIVE.value:
            notes.append(f"本机记录显示该评价现为“{RatingStatus(rating.status).label}”状态，证书不再代表当前等级")
    return notes




# --- Package encryption (sync, issue 6): an X25519 key pair beside the signing key -------------------------
# Sync packages are encrypted to the receiving office: a fresh AES-GCM key sealed with X25519 to the
# receiver's public key. The private half lives in the data folder (`keys/office_x25519.pem`, owner only);
# peers' public halves are kept under `office.peer_xkey.<CODE>`, next to their Ed25519 keys.

XKEY_FILE = "office_x25519.pem"
SETTING_PEER_X = "office.peer_xkey."
XKEY_PREFIX = "x25519:"
_loaded_x: dict[str, object] = {}


def exchange_key_path() -> Path:
    return data_dir() / KEY_FOLDER / XKEY_FILE


def office_exchange_key() -> X25519PrivateKey:
    """This office's X25519 private key, created (mode 0600, appearing only whole) on first use."""
    path = exchange_key_path()
    with _lock:
        key = _loaded_x.get(str(path))
        if key is None:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                new = X25519PrivateKey.generate()
                pem = new.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
                    fh.flush()
                    os.fsync(fh.fileno())
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass
                except OSError:
                    os.replace(tmp, path)
                finally:
                    tmp.unlink(missing_ok=True)
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, X25519PrivateKey):
                raise ValueError(f"{path} is not an X25519 key")
            _loaded_x[str(path)] = key
        return key  # type: ignore[return-value]


def exchange_public_text(key: X25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return XKEY_PREFIX + qr.b64u(raw)


def parse_exchange_key(text: str) -> X25519PublicKey:
    text = text.strip()
    if not text.startswith(XKEY_PREFIX):
        raise ValueError("not an x25519: key")
    return X25519PublicKey.from_public_bytes(qr.b64u_decode(text[len(XKEY_PREFIX):]))


def peer_signing_key(session: Session, office_code: str) -> Ed25519PublicKey | None:
    """The registered Ed25519 key of a peer office (the same entry printed codes are verified with)."""
    row = session.get(AppSetting, SETTING_PEER + office_code)
    if row is None:
        return None
    try:
        return parse_public_key(row.value)
    except ValueError:
        return None


def peer_exchange_key(session: Session, office_code: str) -> X25519PublicKey | None:
    row = session.get(AppSetting, SETTING_PEER_X + office_code)
    if row is None:
        return None
    try:
        return parse_exchange_key(row.value)
    except ValueError:
        return None


def store_peer_keys(session: Session, office_code: str, signing_text: str, exchange_text: str) -> None:
    """Record both public keys of a peer in the caller's transaction (the caller checks and audits)."""
    for key, value in ((SETTING_PEER + office_code, signing_text), (SETTING_PEER_X + office_code, exchange_text)):
        row = session.get(AppSetting, key)
        if row is None:
            session.add(AppSetting(key=key, value=value))
        else:
            row.value = value
