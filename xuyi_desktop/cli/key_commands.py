"""`xuyi key show|list|approve|retire|revoke`: the signing keys of this office's PCs (administrators)."""

from __future__ import annotations

import argparse
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json


def register(sub: Any) -> None:
    key = sub.add_parser("key", help="签名密钥：本机指纹、批准、停用、吊销 (signing keys of this office's PCs)")
    ksub = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    show = ksub.add_parser("show", help="本机签名密钥的指纹和状态（交给管理员核对）")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)
    lst = ksub.add_parser("list", help="本单位各电脑的签名密钥（需“管理密钥”权限）")
    lst.add_argument("--all-offices", action="store_true", help="也列出经同步收到的其他单位的密钥")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)
    for name, helptext in (("approve", "核对指纹后批准一台电脑的签名密钥"), ("retire", "停用密钥（换电脑）：此前签发的文件仍然有效"),
                           ("revoke", "吊销密钥（电脑丢失、数据目录被复制、不应有的密钥）：其签发的文件一律无效")):
        p = ksub.add_parser(name, help=helptext)
        p.add_argument("fingerprint", help="16位指纹，如 \"1A2B 3C4D 5E6F 7081\"（空格可省略）")
        p.add_argument("--reason" if name == "revoke" else "--note", required=name == "revoke", default="",
                       dest="note", help="吊销原因" if name == "revoke" else "备注")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=_decide, action=name)


def _line(v: Any) -> str:
    approved = f"  批准：{v.approved_by_name or v.approved_by}（{v.approved_by}）{v.approved_at.astimezone():%Y-%m-%d}" if v.approved_at else ""
    here = "  [本机]" if v.this_pc else ""
    return f"{v.fingerprint}  {v.status.label}  {v.office_code}  电脑 {v.installation}{approved}{here}"


def _show(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.office_keys import this_installation

    view = this_installation(context(args))
    if args.json:
        print_json(view.to_json())
    else:
        print(f"本机签名密钥指纹：{view.fingerprint}（{view.status.label}）")
        print(f"  电脑：{view.installation}  数据目录：{view.data_folder}")
        if view.status.value == "pending":
            print("  请管理员在“用户管理 › 签名密钥”核对此指纹后批准（xuyi key approve 指纹）；批准前本机打印的文件核验为“未经授权”")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.office_keys import list_keys

    views = list_keys(context(args), all_offices=args.all_offices)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(_line(v))
    return EXIT_OK


def _decide(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import office_keys

    do: Any = {"approve": office_keys.approve_key, "retire": office_keys.retire_key, "revoke": office_keys.revoke_key}[args.action]
    view = do(context(args), args.fingerprint, args.note)
    if args.json:
        print_json(view.to_json())
    else:
        print(_line(v=view))
    return EXIT_OK
