"""`xuyi user add|list|restrict-lists` and `xuyi audit verify|list`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
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
    eyes = usub.add_parser("four-eyes", help="信用评价双人复核：录入人不能使本人录入的评价生效（默认开启）")
    eyes.add_argument("state", choices=["on", "off", "show"])
    eyes.set_defaults(func=_user_four_eyes)

    audit = sub.add_parser("audit", help="操作日志 (audit trail)")
    asub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = asub.add_parser("verify", help="校验操作日志哈希链和签名锚点，指出第一条被改动、删除或截断的日志")
    verify.add_argument("--anchor", action="append", type=Path, default=[], metavar="FILE",
                        help="对照其中的锚点核验（可重复）：备份文件（加密备份的口令取自 XUYI_BACKUP_PASSPHRASE）、同步包、"
                             "其他单位用 audit anchors --out 导出的锚点文件")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_audit_verify)
    anchors = asub.add_parser("anchors", help="本机保存的日志锚点（本单位的，及从其他单位同步包收到的）")
    anchors.add_argument("--office", help="只列出某单位的锚点（交给该单位核验其日志）")
    anchors.add_argument("--out", type=Path, metavar="FILE.json", help="写入锚点文件（对方用 audit verify --anchor 核验）")
    anchors.add_argument("--json", action="store_true")
    anchors.set_defaults(func=_audit_anchors)
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


def _user_four_eyes(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.four_eyes import four_eyes_enabled, set_four_eyes

    ctx = context(args)
    if args.state != "show":
        set_four_eyes(ctx, args.state == "on")
    print("信用评价双人复核：开启 (four eyes on)" if four_eyes_enabled(ctx) else "信用评价双人复核：关闭 (four eyes off)")
    return EXIT_OK


def _audit_verify(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services.audit import require, verify_chain
    from xuyi_desktop.services.audit_anchor import verify_with_anchors

    ctx = context(args)
    require(ctx, Permission.AUDIT_VIEW)
    report = verify_chain(ctx)
    anchors = None
    if report.ok:
        passphrase = os.environ.get("XUYI_BACKUP_PASSPHRASE")
        anchors = verify_with_anchors(ctx, list(args.anchor), passphrase)
    ok = report.ok and anchors is not None and anchors.ok
    if args.json:
        print_json({"ok": ok, "checked": report.checked, "anchors_checked": anchors.checked if anchors else 0,
                    "first_broken_seq": report.first_broken_seq if not report.ok else (anchors.first_problem_seq if anchors else None),
                    "reason": report.reason_en if not report.ok else (anchors.reason_en if anchors else "")})
    elif ok:
        assert anchors is not None
        print(f"操作日志完整，共校验 {report.checked} 条，与 {anchors.checked} 个签名锚点一致 "
              f"(audit chain intact, {report.checked} entries, {anchors.checked} anchors)")
    elif not report.ok:
        print(f"错误：操作日志被改动：{report.reason_zh} ({report.reason_en})", file=sys.stderr)
    else:
        assert anchors is not None
        print(f"错误：操作日志与锚点不符：{anchors.reason_zh} ({anchors.reason_en})", file=sys.stderr)
    return EXIT_OK if ok else EXIT_REJECTED


def _audit_anchors(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.audit_anchor import held_anchors

    ctx = context(args)
    rows = held_anchors(ctx, args.office)
    if args.out:
        from xuyi_desktop.services.output_files import write_text_file

        write_text_file(args.out, json.dumps({"format": "xuyi-audit-anchors", "anchors": rows}, ensure_ascii=False, indent=1))
        print(f"已写出 {len(rows)} 个锚点：{args.out}")
    elif args.json:
        print_json(rows)
    else:
        for r in rows:
            src = f"收自 {r['received_from']}" if r["received_from"] else "本单位"
            print(f"{r['office']}\t第{r['seq']}条\t{r['hash'][:16]}…\t{r['signed_at']}\t{r['reason']}\t{src}")
    return EXIT_OK


def _audit_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.audit import list_entries

    rows = list_entries(context(args), logins=True if args.logins else None, limit=args.limit)
    if args.json:
        print_json([r.__dict__ for r in rows])
    else:
        for r in rows:
            print(f"{r.seq}\t{r.at.astimezone():%Y-%m-%d %H:%M:%S}\t{r.office_code}\t{r.username}\t{r.action}\t{r.summary}")
    return EXIT_OK
