"""`xuyi user add|list|restrict-lists` and `xuyi audit verify|list`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, print_json, read_secret
from xuyi_desktop.domain.permissions import Role


def register(sub: Any) -> None:
    user = sub.add_parser("user", help="用户管理 (users)")
    usub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = usub.add_parser("add", help="新增用户（密码取自 XUYI_NEW_PASSWORD 或提示输入）")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help="clerk 窗口经办人, reviewer 审核人, admin 管理员, viewer 查询")
    add.add_argument("--unit", default="", help="所属单位，如 县交通运输综合执法大队")
    add.add_argument("--display-name", default="")
    add.set_defaults(func=_user_add)
    lst = usub.add_parser("list", help="列出用户")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_user_list)
    scope = usub.add_parser(
        "restrict-lists",
        help="双公示和信用承诺列表是否只显示本单位的记录（窗口经办人和查询用户；管理员、审核人不受限）",
    )
    scope.add_argument("state", choices=["on", "off", "show"], help="on 只看本单位, off 看全部, show 显示当前设置")
    scope.set_defaults(func=_user_restrict_lists)

    audit = sub.add_parser("audit", help="操作日志 (audit trail)")
    asub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = asub.add_parser("verify", help="校验操作日志哈希链，指出第一条被改动的日志")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_audit_verify)
    alist = asub.add_parser("list", help="最新的操作日志")
    alist.add_argument("--limit", type=int, default=50)
    alist.add_argument("--logins", action="store_true", help="只看登录日志")
    alist.add_argument("--json", action="store_true")
    alist.set_defaults(func=_audit_list)


def _user_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.users import create_user

    ctx = context(args)
    password = read_secret("XUYI_NEW_PASSWORD", f"新用户 {args.name} 的密码: ")
    view = create_user(ctx, args.name, password, Role(args.role), unit=args.unit, display_name=args.display_name)
    print(f"已新增用户 (user added): {view.username} {view.role.label} {view.unit}")
    return EXIT_OK


def _user_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.users import list_users

    users = list_users(context(args))
    if args.json:
        print_json([{"username": u.username, "role": u.role.value, "unit": u.unit, "active": u.active, "locked_until": u.locked_until} for u in users])
    else:
        for u in users:
            print(f"{u.username}\t{u.role.label}\t{u.unit}\t{'停用' if not u.active else '正常'}")
    return EXIT_OK


def _user_restrict_lists(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.list_scope import lists_restricted, set_lists_restricted

    ctx = context(args)
    if args.state != "show":
        set_lists_restricted(ctx, args.state == "on")
    on = lists_restricted(ctx)
    print("列表只显示本单位的记录 (lists limited to the user's unit)" if on else "列表显示全部单位的记录 (lists show every unit)")
    return EXIT_OK


def _audit_verify(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services.audit import require, verify_chain

    ctx = context(args)
    require(ctx, Permission.AUDIT_VIEW)
    report = verify_chain(ctx)
    if args.json:
        print_json({"ok": report.ok, "checked": report.checked, "first_broken_seq": report.first_broken_seq, "reason": report.reason_en})
    elif report.ok:
        print(f"操作日志完整，共校验 {report.checked} 条 (audit chain intact, {report.checked} entries)")
    else:
        print(f"错误：操作日志被改动：{report.reason_zh} ({report.reason_en})", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_REJECTED


def _audit_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.audit import list_entries

    rows = list_entries(context(args), logins=True if args.logins else None, limit=args.limit)
    if args.json:
        print_json([r.__dict__ for r in rows])
    else:
        for r in rows:
            print(f"{r.seq}\t{r.at.astimezone():%Y-%m-%d %H:%M:%S}\t{r.office_code}\t{r.username}\t{r.action}\t{r.summary}")
    return EXIT_OK
