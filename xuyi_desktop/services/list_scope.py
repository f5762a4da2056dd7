"""Whether lists are limited to the user's own unit (局属各单位), a bureau-wide setting kept with the data.

The rule (who is limited) is domain.permissions.list_unit; this module stores the switch, reads it for the
current user, and is what the 双公示 and 信用承诺 lists ask before they query."""

from __future__ import annotations

from xuyi_desktop.domain.permissions import Permission, list_unit
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models import AppSetting

SETTING = "lists.restrict_to_unit"


def lists_restricted(ctx: AppContext) -> bool:
    with ctx.transaction() as session:
        row = session.get(AppSetting, SETTING)
        return row is not None and row.value == "1"


def set_lists_restricted(ctx: AppContext, restricted: bool) -> None:
    """Turn the limit on or off for everyone (an administrator's setting; audited)."""
    audit.require(ctx, Permission.SETTINGS)
    with ctx.transaction() as session:
        row = session.get(AppSetting, SETTING)
        before = row is not None and row.value == "1"
        if before == restricted:
            return
        session.merge(AppSetting(key=SETTING, value="1" if restricted else "0"))
        audit.write(
            session, ctx, "settings.list_scope",
            "设置：窗口经办人和查询用户只看本单位的双公示和信用承诺记录" if restricted else "设置：各单位用户可看全部单位的记录",
            details={"restricted": restricted},
        )


def current_list_unit(ctx: AppContext) -> str | None:
    """The unit the current user's lists are limited to, or None (no user, limit off, or a supervising role)."""
    if ctx.user is None:
        return None
    return list_unit(ctx.user.role, ctx.user.unit, lists_restricted(ctx))
