"""Four eyes for ratings: the reviewer who brings a rating into effect (生效) is not the person who entered it.

A bureau-wide setting kept with the data (on unless an administrator turns it off). Who entered a rating is
read from its first change-log entry, so a rating received by sync counts the other office's clerk. Set-up
mode (no users yet) has no people to tell apart and is not checked."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models import AppSetting
from xuyi_desktop.storage.queries import audit_changes as change_queries

SETTING = "ratings.four_eyes"


class FourEyesRefused(DomainError):
    def __init__(self, who: str) -> None:
        self.message_zh = f"该信用评价由 {who} 录入，按“双人复核”规定须由另一位审核人使其生效"
        self.message_en = f"four eyes: the rating was entered by {who}; another reviewer must bring it into effect"
        super().__init__(self.message_zh)


def _enabled(session: Session) -> bool:
    row = session.get(AppSetting, SETTING)
    return row is None or row.value != "0"


def four_eyes_enabled(ctx: AppContext) -> bool:
    with ctx.transaction() as session:
        return _enabled(session)


def set_four_eyes(ctx: AppContext, on: bool) -> None:
    """Turn the rule on or off (an administrator's setting; audited)."""
    audit.require(ctx, Permission.SETTINGS)
    with ctx.transaction() as session:
        if _enabled(session) == on:
            return
        session.merge(AppSetting(key=SETTING, value="1" if on else "0"))
        audit.write(session, ctx, "settings.four_eyes",
                    "设置：信用评价须由录入人以外的审核人使其生效（双人复核）" if on else "设置：关闭信用评价双人复核",
                    details={"on": on})


def entered_by(session: Session, table: str, record_id: uuid.UUID) -> str | None:
    return change_queries.first_actor(session, table, record_id)


def check_effect(session: Session, ctx: AppContext, table: str, record_id: uuid.UUID) -> None:
    """Refuse (audited) when the current user entered the record and the rule is on."""
    if ctx.user is None or not _enabled(session):
        return
    who = entered_by(session, table, record_id)
    if who is not None and who == ctx.user.username:
        audit.record_denial(ctx, Permission.RATING_APPROVE, f"双人复核：{who} 录入的评价不能由本人使其生效")
        raise FourEyesRefused(who)
