"""This installation's office identity: provisional from the first start until an administrator sets it."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.storage.models import Office
from xuyi_desktop.storage.queries import offices as office_queries
from xuyi_desktop.storage.queries import sync as sync_queries

PROVISIONAL_NAME = "未设置的办公室（临时）"


def ensure_local_office(session: Session) -> Office:
    """Return the local office, creating a provisional one (unique code) on the very first start."""
    office = office_queries.local(session)
    if office is None:
        office = Office(
            code=f"TMP-{secrets.token_hex(3).upper()}", name=PROVISIONAL_NAME, role="field", is_local=True, provisional=True
        )
        session.add(office)
        session.flush()
    return office


# --- Office identity and the office registry (sync, issue 6) --------------------------------------------
#
# Changing the code: while the local office is still provisional (TMP-xxxxxx) and nothing has been
# exported or imported yet, `init_office` REWRITES the provisional code everywhere it was written (change
# log, its sequence counter, created_office/updated_office of every business table); the hash-chained audit
# log keeps the old code, as it must. Once a package has left or arrived, or once a real code is set, a
# different code is refused: peers already know the changes under the old code.

ROLES = {"bureau": "县局", "field": "基层站所"}
CARD_FORMAT = "xuyi-office-card"
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")


class OfficeCodeLocked(DomainError):
    def __init__(self, old: str, new: str) -> None:
        self.message_zh = f"本单位代码已是 {old}，且已与其他单位交换过数据，不能改为 {new}"
        self.message_en = f"office code {old} is already in use by synced data; cannot change it to {new}"
        super().__init__(self.message_zh)


@dataclass(frozen=True)
class OfficeInfo:
    code: str
    name: str
    role: str
    is_local: bool
    provisional: bool
    signing_key: str
    exchange_key: str
    fingerprint: str
    sync: dict[str, Any] | None = field(default=None, compare=False)  # delivery to a peer (services.sync.PeerState)

    def to_json(self) -> dict[str, Any]:
        data = {
            "code": self.code, "name": self.name, "role": self.role, "role_label": ROLES.get(self.role, self.role),
            "local": self.is_local, "provisional": self.provisional, "signing_key": self.signing_key,
            "exchange_key": self.exchange_key, "fingerprint": self.fingerprint,
        }
        if not self.is_local:
            data["sync"] = self.sync
        return data


def _check_code(code: str) -> str:
    code = code.strip().upper()
    if not _CODE.fullmatch(code) or code.startswith("TMP-"):
        raise ValidationError(FieldProblem("code", "单位代码应为 2–32 位大写字母、数字、- 或 _，且不能以 TMP- 开头", "bad office code"))
    return code


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(FieldProblem("role", "角色应为 bureau（县局）或 field（基层站所）", "role must be bureau or field"))
    return role


def init_office(ctx: Any, code: str, name: str, role: str) -> OfficeInfo:
    """Set this installation's office (code, name, role) and make sure it has both key pairs."""
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services import audit, office_keys

    audit.require(ctx, Permission.SETTINGS)
    code, role, name = _check_code(code), _check_role(role), name.strip()
    if not name:
        raise ValidationError(FieldProblem("name", "请填写单位名称", "name required"))
    with ctx.transaction() as session:
        office = ensure_local_office(session)
        old = office.code
        if old != code:
            synced = sync_queries.count_packages(session)
            if not office.provisional or synced:
                raise OfficeCodeLocked(old, code)
            clash = office_queries.by_code(session, code)
            if clash is not None:
                raise ValidationError(FieldProblem("code", f"单位代码 {code} 已登记为其他单位", "code already registered"))
            office_queries.rewrite_code(session, old, code)
            office.code = code
        office.name, office.role, office.provisional = name, role, False
        audit.write(session, ctx, "office.init", f"设置本单位：{code} {name}（{ROLES[role]}）", details={"old_code": old, "code": code, "role": role})
    ctx.office_code, ctx.office_name, ctx.office_provisional = code, name, False
    office_keys.office_key(ctx)
    office_keys.office_exchange_key()
    return local_office_info(ctx)


def local_office_info(ctx: Any) -> OfficeInfo:
    from xuyi_desktop.services import office_keys

    key = office_keys.office_key(ctx)
    xkey = office_keys.office_exchange_key()
    with ctx.transaction() as session:
        office = ensure_local_office(session)
        return OfficeInfo(
            office.code, office.name, office.role, True, office.provisional,
            office_keys.public_key_text(key.public_key()), office_keys.exchange_public_text(xkey.public_key()),
            office_keys.fingerprint(key.public_key()),
        )


def office_card(ctx: Any) -> dict[str, Any]:
    """This office's public identity, to hand to the bureau (or from the bureau to every office)."""
    info = local_office_info(ctx)
    if info.provisional:
        raise ValidationError(FieldProblem("code", "请先用 office init 设置本单位代码", "run office init first"))
    return {"format": CARD_FORMAT, "format_version": 1, "code": info.code, "name": info.name, "role": info.role,
            "signing_key": info.signing_key, "exchange_key": info.exchange_key, "fingerprint": info.fingerprint}


def write_card(ctx: Any, out: Path) -> Path:
    card = office_card(ctx)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(out)
    return out


def register_office(ctx: Any, card: dict[str, Any]) -> OfficeInfo:
    """Trust a peer office's card: its code, name, role and both public keys. A changed key is recorded
    (and audited) as a replacement: the administrator is expected to have compared the fingerprint."""
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services import audit, office_keys

    audit.require(ctx, Permission.KEYS)
    bad = ValidationError(FieldProblem("card", "不是有效的单位名片文件", "not a valid office card"))
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT or card.get("format_version") != 1:
        raise bad
    try:
        code, role = _check_code(str(card["code"])), _check_role(str(card["role"]))
        name = str(card["name"]).strip()
        skey = office_keys.parse_public_key(str(card["signing_key"]))
        xkey = office_keys.parse_exchange_key(str(card["exchange_key"]))
    except (KeyError, ValueError) as exc:
        raise bad from exc
    if code == ctx.office_code:
        raise ValidationError(FieldProblem("code", "这是本单位自己的名片", "that is this office's own card"))
    stext, xtext = office_keys.public_key_text(skey), office_keys.exchange_public_text(xkey)
    with ctx.transaction() as session:
        office = office_queries.by_code(session, code)
        before = office_keys.peer_signing_key(session, code)
        if office is None:
            office = Office(code=code, name=name, role=role, is_local=False, provisional=False)
            session.add(office)
        else:
            office.name, office.role = name, role
        office_keys.store_peer_keys(session, code, stext, xtext)
        replaced = before is not None and office_keys.public_key_text(before) != stext
        audit.write(
            session, ctx, "office.register",
            f"登记单位 {code} {name}，指纹 {office_keys.fingerprint(skey)}" + ("（更换了公钥）" if replaced else ""),
            details={"office": code, "signing_key": stext, "exchange_key": xtext, "replaced": replaced},
        )
    return OfficeInfo(code, name, role, False, False, stext, xtext, office_keys.fingerprint(skey))


def read_card(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(FieldProblem("card", f"无法读取单位名片文件：{path}", "cannot read the card file")) from exc
    return data


def list_offices(ctx: Any) -> list[OfficeInfo]:
    """This office, then every registered peer with its sync delivery state (已发出未确认 …)."""
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services import audit, office_keys
    from xuyi_desktop.services.sync import peer_states

    audit.require(ctx, Permission.VIEW)
    local = local_office_info(ctx)
    result = [local]
    states = {p.code: p.to_json() for p in peer_states(ctx)}
    with ctx.transaction() as session:
        for office in office_queries.peers(session):
            skey = office_keys.peer_signing_key(session, office.code)
            xkey = office_keys.peer_exchange_key(session, office.code)
            result.append(OfficeInfo(
                office.code, office.name, office.role, False, office.provisional,
                office_keys.public_key_text(skey) if skey else "", office_keys.exchange_public_text(xkey) if xkey else "",
                office_keys.fingerprint(skey) if skey else "", states.get(office.code),
            ))
    return result
