"""`xuyi office …` (this office and the office registry) and `xuyi sync …` (packages between offices)."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json


def register(sub: Any) -> None:
    office = sub.add_parser("office", help="本单位与单位登记 (this office and the office registry)")
    osub = office.add_subparsers(dest="office_command", required=True, metavar="ACTION")
    init = osub.add_parser("init", help="设置本单位代码、名称和角色 (set this office)")
    init.add_argument("--code", required=True)
    init.add_argument("--name", required=True)
    init.add_argument("--role", required=True, choices=["bureau", "field"])
    init.set_defaults(func=_init)
    card = osub.add_parser("card", help="导出本单位名片（代码、名称、公钥） (write this office's card)")
    card.add_argument("--out", type=Path, required=True, metavar="FILE")
    card.set_defaults(func=_card)
    reg = osub.add_parser("register", help="登记（信任）另一单位的名片 (trust a peer's card)")
    reg.add_argument("file", type=Path, metavar="FILE")
    reg.set_defaults(func=_register)
    lst = osub.add_parser("list", help="列出本单位和已登记的单位 (list offices)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)
    prn = osub.add_parser("print-settings", help="文书上的出具机关和异议受理联系方式；不带参数时显示 (organ and objection contact on prints)")
    prn.add_argument("--organ", metavar="NAME", help="出具文书的机关名称（空字符串：用本单位名称）")
    prn.add_argument("--objection-phone", metavar="PHONE", help="异议受理电话")
    prn.add_argument("--objection-address", metavar="ADDRESS", help="异议受理地址")
    prn.add_argument("--json", action="store_true")
    prn.set_defaults(func=_print_settings)

    sync = sub.add_parser("sync", help="与其他单位交换同步包 (exchange sync packages)")
    ssub = sync.add_subparsers(dest="sync_command", required=True, metavar="ACTION")
    exp = ssub.add_parser("export", help="导出发给某单位的同步包 (write a package for a peer)")
    exp.add_argument("--to", required=True, metavar="PEER")
    exp.add_argument("--out", type=Path, required=True, metavar="FILE|DIR")
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(func=_export, snapshot=False)
    snap = ssub.add_parser("snapshot", help="导出全量同步包，供新单位初始化 (whole registry for a new office)")
    snap.add_argument("--to", required=True, metavar="PEER")
    snap.add_argument("--out", type=Path, required=True, metavar="FILE|DIR")
    snap.add_argument("--json", action="store_true")
    snap.set_defaults(func=_export, snapshot=True)
    imp = ssub.add_parser("import", help="导入同步包 (import a package)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--preview", action="store_true", help="只预览将发生的变化，不写入")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=_import)
    status = ssub.add_parser("status", help="各单位的发出与确认情况、同步包记录、缺少的变更和待处理冲突 (delivery, history, missing, conflicts)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)
    resolve = ssub.add_parser("resolve", help="审核人处理冲突 (reviewer resolves a conflict)")
    resolve.add_argument("conflict", type=uuid.UUID)
    resolve.add_argument("--restore", action="store_true", help="恢复被覆盖的值（作为新的修改同步出去）")
    resolve.set_defaults(func=_resolve)


def _init(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.offices import init_office

    info = init_office(context(args), args.code, args.name, args.role)
    print(f"本单位已设置：{info.code} {info.name}（{info.role}），签名公钥指纹 {info.fingerprint}")
    return EXIT_OK


def _card(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.offices import write_card

    path = write_card(context(args), args.out)
    print(f"已写出本单位名片：{path}")
    return EXIT_OK


def _register(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.offices import read_card, register_office

    info = register_office(context(args), read_card(args.file))
    print(f"已登记单位 {info.code} {info.name}，公钥指纹 {info.fingerprint}（请与对方核对）")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.offices import list_offices

    offices = list_offices(context(args))
    if args.json:
        print_json([o.to_json() for o in offices])
    else:
        for o in offices:
            state = "本单位" if o.is_local else (o.sync or {}).get("label", "")
            print(f"{'*' if o.is_local else ' '} {o.code}\t{o.name}\t{o.role}\t{o.fingerprint}\t{state}")
    return EXIT_OK


def _print_settings(args: argparse.Namespace) -> int:
    """The same service as 文件 → 本单位设置… in the window; only the options given change."""
    from dataclasses import asdict

    from xuyi_desktop.services.print_settings import get_print_settings, set_print_settings

    ctx = context(args)
    changes = {k: v for k, v in (("organ_name", args.organ), ("objection_phone", args.objection_phone),
                                 ("objection_address", args.objection_address)) if v is not None}
    settings = set_print_settings(ctx, **changes) if changes else get_print_settings(ctx)
    if args.json:
        print_json(asdict(settings))
    else:
        print(f"出具机关：{settings.organ_name or '（本单位名称）'}")
        print(f"异议受理：{settings.objection_contact() or '（未设置）'}")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sync import export_package

    result = export_package(context(args), args.to, args.out, snapshot=args.snapshot)
    if args.json:
        print_json(result.to_json())
    else:
        print(f"已导出同步包 {result.path}：{result.changes} 条变更，{result.size} 字节，发给 {result.receiver}")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sync import import_package

    result = import_package(context(args), args.file, preview=args.preview)
    if args.json:
        print_json(result.to_json())
    else:
        print(("预览（未写入）：" if args.preview else "") + result.message_zh)
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import sync

    ctx = context(args)
    peers = sync.peer_states(ctx)
    history = sync.package_history(ctx)
    missing = sync.missing_changes(ctx)
    aside = sync.aside_changes(ctx)
    conflicts = sync.list_conflicts(ctx)
    notices = sync.startup_notices(ctx)
    if args.json:
        print_json({"peers": [p.to_json() for p in peers], "notices": notices,
                    "packages": [h.to_json() for h in history],
                    "missing": {k: [list(r) for r in v] for k, v in missing.items()},
                    "aside": [{"stream": a.stream, "seq": a.seq, "at": a.at.isoformat()} for a in aside],
                    "conflicts": [c.to_json() for c in conflicts]})
        return EXIT_OK
    for n in notices:
        print(f"提醒：{n}")
    for p in peers:
        print(f"单位 {p.code} {p.name}：{p.label}")
    for h in history:
        print(f"{h.at.astimezone():%Y-%m-%d %H:%M} {'发出' if h.direction == 'out' else '收到'} {h.peer} "
              f"{h.status_label} {h.changes} 条变更")
    print("缺少：" + (sync.missing_text(missing) if missing else "无"))
    for a in aside:
        print(f"暂存：{sync.stream_text(a.stream)} 的第 {a.seq} 号变更与本机已有的不同，待对方重新编号")
    for c in conflicts:
        print(f"冲突 {c.id} {sync.TABLE_LABELS.get(c.table_name, c.table_name)}.{c.field}: 保留 {c.winner_text}"
              f"（{c.winner_office}），另一值 {c.loser_text}（{c.loser_office}）")
    return EXIT_OK


def _resolve(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sync import resolve_conflict

    resolve_conflict(context(args), args.conflict, restore=args.restore)
    print("冲突已处理")
    return EXIT_OK
