"""What this office prints on its documents beyond its code: the issuing organ's name (when a rating names
none), and where the public sends objections to a 公示名单 (phone, address). Stored with the data
(app_setting, one JSON value), set by an administrator at first start or later; every change audited.

Also the guard for printing under a provisional office code (TMP-…): serials printed then carry the
temporary code for good, so the window asks first and the CLI warns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models import AppSetting

SETTING = "print.settings"


@dataclass(frozen=True)
class PrintSettings:
    organ_name: str = ""  # 出具文书的机关名称; empty: the office's name, else 盱眙县交通运输局
    objection_phone: str = ""  # 异议受理电话
    objection_address: str = ""  # 异议受理地址

    def objection_contact(self) -> str:
        """"联系电话：…；通信地址：…" — empty when neither is set."""
        parts = []
        if self.objection_phone.strip():
            parts.append(f"联系电话：{self.objection_phone.strip()}")
        if self.objection_address.strip():
            parts.append(f"通信地址：{self.objection_address.strip()}")
        return "；".join(parts)


def get_print_settings(ctx: AppContext) -> PrintSettings:
    with ctx.transaction() as session:
        row = session.get(AppSetting, SETTING)
    if row is None:
        return PrintSettings()
    try:
        data = json.loads(row.value)
    except ValueError:
        return PrintSettings()
    known = PrintSettings.__dataclass_fields__
    return PrintSettings(**{k: str(v) for k, v in data.items() if k in known})


def set_print_settings(ctx: AppContext, **changes: str) -> PrintSettings:
    """Change some of the settings (an administrator's right; audited)."""
    audit.require(ctx, Permission.SETTINGS)
    current = get_print_settings(ctx)
    new = replace(current, **{k: v.strip() for k, v in changes.items()})
    if new == current:
        return current
    with ctx.transaction() as session:
        session.merge(AppSetting(key=SETTING, value=json.dumps(asdict(new), ensure_ascii=False)))
        audit.write(session, ctx, "settings.print", "设置文书打印信息：" + "；".join(
            f"{label}：{getattr(new, k) or '（空）'}" for k, label in
            (("organ_name", "出具机关"), ("objection_phone", "异议电话"), ("objection_address", "异议地址"))),
            details=asdict(new))
    return new


class ProvisionalOfficeWarning(DomainError):
    """Printing while the office still has its provisional code."""

    def __init__(self, code: str) -> None:
        self.message_zh = (f"本单位代码尚未设置（当前为临时代码 {code}），此时打印的文书编号将永久带有临时代码。"
                           "请管理员先在“本单位设置”中设置单位代码和名称。")
        self.message_en = f"the office still has its provisional code {code}; printed serials will carry it"
        super().__init__(self.message_zh)


def provisional_warning(ctx: AppContext) -> ProvisionalOfficeWarning | None:
    """The warning to give before printing, or None when the office is set up."""
    if getattr(ctx, "office_provisional", False) or str(getattr(ctx, "office_code", "")).startswith("TMP-"):
        return ProvisionalOfficeWarning(ctx.office_code)
    return None


#: Set by the window (ui/print_preview.install_provisional_guard): asks the clerk, True to print anyway.
#: The CLI sets none and warns instead (cli/print_commands.warn_provisional).
ProvisionalGuard = Callable[[AppContext, ProvisionalOfficeWarning], bool]
_guard: ProvisionalGuard | None = None


def set_provisional_guard(guard: ProvisionalGuard | None) -> None:
    global _guard
    _guard = guard


def before_numbered_print(ctx: AppContext) -> None:
    """Called by every print that puts a serial on paper, before the serial is given: under a provisional
    office code the window's guard asks first (once a session); refused → PrintCancelled, nothing written."""
    warning = provisional_warning(ctx)
    if warning is None or _guard is None or getattr(ctx, "provisional_print_confirmed", False):
        return
    if not _guard(ctx, warning):
        from xuyi_desktop.printing.output import PrintCancelled

        raise PrintCancelled()
    ctx.provisional_print_confirmed = True  # type: ignore[attr-defined]  # asked once a session
