"""security: signing keys an administrator approves (signing_key), signed audit-chain heads (audit_anchor)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Until now the database silently adopted the key of whatever data folder printed last (app_setting
`office.public_key`, earlier ones as `office.public_key.retired.N`). Those keys are carried over here:
the current one as approved (documents printed with it keep verifying; its note says it came from before
the upgrade, so an administrator can review and revoke it), every earlier one as pending — one of them
may be a key nobody approved, and it verifies nothing until an administrator approves it. The old settings
are left in place (nothing reads them any more); a migration cannot write change-log entries, so the
carried-over keys reach peers with their next change.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_NAMESPACE = uuid.UUID("5b0c1f52-7d43-4f0e-9a57-3c1d1e0a2121")  # storage.models_security.KEY_NAMESPACE


def _fingerprint(text: str) -> str:
    raw = base64.urlsafe_b64decode(text[len("ed25519:"):] + "=" * (-len(text) % 4))
    digest = hashlib.sha256(raw).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_office", sa.String(length=32), nullable=False),
        sa.Column("updated_office", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    keys = op.create_table(
        "signing_key",
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=80), nullable=False),
        sa.Column("fingerprint", sa.String(length=24), nullable=False),
        sa.Column("installation", sa.String(length=200), nullable=False),
        sa.Column("data_folder", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_by_name", sa.String(length=100), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_note", sa.Text(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
        sa.UniqueConstraint("public_key", name=op.f("uq_signing_key_public_key")),
    )
    op.create_index(op.f("ix_signing_key_office_code"), "signing_key", ["office_code"], unique=False)
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=80), nullable=False),
        sa.Column("signature", sa.String(length=120), nullable=False),
        sa.Column("received_from", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
        sa.UniqueConstraint("office_code", "seq", "entry_hash", "received_from", name=op.f("uq_audit_anchor_office_code_seq_entry_hash_received_from")),
    )
    op.create_index("ix_audit_anchor_received_from", "audit_anchor", ["received_from", "office_code", "seq"], unique=False)

    conn = op.get_bind()
    settings: dict[str, str] = dict(conn.execute(sa.text(
        "SELECT key, value FROM app_setting WHERE key = 'office.public_key' OR key LIKE 'office.public_key.retired.%'"
    )).all())
    local = conn.execute(sa.text("SELECT code FROM office WHERE is_local")).scalar()
    if not settings or local is None:
        return
    now = dt.datetime.now(dt.UTC)
    stamp = now.replace(tzinfo=None) if conn.dialect.name == "sqlite" else now
    current = settings.pop("office.public_key", None)
    carried = ([(current, "approved")] if current else []) + [
        (v, "pending") for _, v in sorted(settings.items()) if v != current
    ]
    seen: set[str] = set()
    for text, status in carried:
        if text in seen or not text.startswith("ed25519:"):
            continue
        seen.add(text)
        try:
            fp = _fingerprint(text)
        except (ValueError, TypeError):
            continue
        note = ("升级前本单位使用的签名密钥，升级时沿用（请管理员核对）" if status == "approved"
                else "升级前曾使用的旧密钥，未经批准不予核验")
        conn.execute(keys.insert().values(
            id=uuid.uuid5(_NAMESPACE, text), office_code=local, public_key=text, fingerprint=fp, installation="（升级前）",
            data_folder="", status=status, registered_by="system", approved_by="system" if status == "approved" else "",
            approved_by_name="升级时沿用" if status == "approved" else "", approved_at=stamp if status == "approved" else None,
            retired_at=None, revoked_at=None, status_note=note, created_at=stamp, updated_at=stamp,
            created_office=local, updated_office=local, version=1, deleted_at=None,
        ))


def downgrade() -> None:
    op.drop_index("ix_audit_anchor_received_from", table_name="audit_anchor")
    op.drop_table("audit_anchor")
    op.drop_index(op.f("ix_signing_key_office_code"), table_name="signing_key")
    op.drop_table("signing_key")
