"""Command line `xuyi`: the same service functions the desktop calls, for scripts and administrators.

Exit codes: 0 success, 1 rejected input (one line, Chinese then English), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from xuyi_desktop import __version__
from xuyi_desktop.domain.entities import EntityDraft, EntityKind, EntityStatus, LicenceDraft
from xuyi_desktop.domain.errors import DomainError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xuyi", description="盱眙县信用交通 命令行 (Xuyi credit transport CLI)")
    p.add_argument("--db", help="数据库文件路径或 SQLAlchemy URL（默认：用户数据目录下的 xuyi.db；也可用环境变量 XUYI_DB）")
    p.add_argument("--version", action="version", version=f"xuyi {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("init", help="创建或升级数据库 (create or upgrade the database)")

    demo = sub.add_parser("demo-data", help="生成演示数据 (generate synthetic demo data)")
    demo.add_argument("--entities", type=int, required=True, help="生成的市场主体数量")
    demo.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成同样的数据）")

    entity = sub.add_parser("entity", help="市场主体：登记、查询、查看 (market entities)")
    esub = entity.add_subparsers(dest="entity_command", required=True, metavar="ACTION")

    add = esub.add_parser("add", help="登记市场主体")
    add.add_argument("--name", required=True, help="名称或姓名")
    add.add_argument("--id", dest="identifier", required=True, help="统一社会信用代码或身份证号码")
    add.add_argument("--kind", choices=["org", "person"], help="单位或个人（省略时由证件号码判断）")
    add.add_argument("--category", action="append", default=[], help="主体类别（代码或中文名称，可重复）")
    add.add_argument("--legal-rep", default="", help="法定代表人或负责人")
    add.add_argument("--address", default="")
    add.add_argument("--phone", default="")
    add.add_argument("--region", default="", help="行政区划代码（省略时取自证件号码）")
    add.add_argument("--notes", default="")
    add.add_argument("--licence", action="append", default=[], metavar="TYPE:NUMBER[:FROM:TO]", help="证照，如 道路运输经营许可证:320830000001:2024-01-01:2028-01-01")
    add.add_argument("--allow-similar", action="store_true", help="名称相近时仍然登记")
    add.add_argument("--override-check-reason", metavar="REASON", help="校验位不符但确属合法代码时，填写人工确认理由")
    add.add_argument("--json", action="store_true")

    find = esub.add_parser("find", help="按名称片段、证件号码或拼音查找")
    find.add_argument("query")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--reveal", action="store_true", help="显示完整身份证号和电话（默认脱敏）")
    find.add_argument("--json", action="store_true")

    show = esub.add_parser("show", help="查看一个主体（UUID 或证件号码）")
    show.add_argument("id", metavar="ID")
    show.add_argument("--reveal", action="store_true")
    show.add_argument("--history", action="store_true", help="同时显示修改记录")
    show.add_argument("--json", action="store_true")
    return p


def _parse_licence(text: str) -> LicenceDraft:
    import datetime as dt

    parts = text.split(":")
    if len(parts) not in (2, 4):
        raise argparse.ArgumentTypeError(f"证照格式应为 类型:编号[:起始日期:截止日期]，收到 {text}")
    dates = [dt.date.fromisoformat(p) if p else None for p in parts[2:4]] if len(parts) == 4 else [None, None]
    return LicenceDraft(parts[0], parts[1], dates[0], dates[1])


def _cmd_init(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.entities import count_entities
    from xuyi_desktop.storage.migrate import current_revision

    ctx = open_context(args.db)
    print(f"数据库 (database): {ctx.location}")
    print(f"架构版本 (schema revision): {current_revision(ctx.engine)}")
    print(f"办公室 (office): {ctx.office_name} {ctx.office_code}" + ("（临时）" if ctx.office_provisional else ""))
    print(f"市场主体 (entities): {count_entities(ctx)}")
    if ctx.safety_copy:
        print(f"升级前备份 (copy before upgrade): {ctx.safety_copy}")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.demo_data import generate_demo_data

    if args.entities < 1:
        print("错误：数量必须大于0 (--entities must be positive)", file=sys.stderr)
        return EXIT_REJECTED
    ctx = open_context(args.db)
    last = [time.monotonic()]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= 2 or done == total:
            last[0] = time.monotonic()
            print(f"已生成 {done}/{total} ({done * 100 // total}%)", file=sys.stderr, flush=True)

    result = generate_demo_data(ctx, args.entities, seed=args.seed, progress=progress)
    print(
        f"已生成 {result.entities} 个市场主体（单位 {result.organisations}，个人 {result.persons}），用时 {result.seconds:.1f} 秒"
        f" (generated {result.entities} entities in {result.seconds:.1f} s)"
    )
    return EXIT_OK


def _summary_line(s: Any) -> str:
    cats = "、".join(s.category_labels)
    return f"{s.name}\t{s.identifier}\t{s.kind_label}\t{s.status_label}\t{cats}\t{s.id}"


def _cmd_entity(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import entities as svc
    from xuyi_desktop.services.context import open_context

    ctx = open_context(args.db)
    if args.entity_command == "add":
        draft = EntityDraft(
            name=args.name,
            identifier=args.identifier,
            kind=EntityKind(args.kind) if args.kind else None,
            categories=tuple(args.category),
            legal_representative=args.legal_rep,
            address=args.address,
            phone=args.phone,
            region_code=args.region,
            status=EntityStatus.ACTIVE,
            notes=args.notes,
            licences=tuple(_parse_licence(x) for x in args.licence),
        )
        detail = svc.register_entity(ctx, draft, allow_similar=args.allow_similar, override_reason=args.override_check_reason)
        for warning in detail.warnings:
            print(f"提示：{warning}", file=sys.stderr)
        if args.json:
            _print_json(detail.to_json())
        else:
            print("已登记 (registered): " + _summary_line(detail.summary))
        return EXIT_OK
    if args.entity_command == "find":
        hits = svc.find_entities(ctx, args.query, limit=args.limit, reveal=args.reveal)
        if args.json:
            _print_json([h.to_json() for h in hits])
        else:
            for h in hits:
                print(_summary_line(h))
            print(f"共 {len(hits)} 条 ({len(hits)} hits)", file=sys.stderr)
        return EXIT_OK
    if args.entity_command == "show":
        detail = svc.get_entity(ctx, args.id, reveal=args.reveal)
        history = svc.entity_history(ctx, detail.summary.id) if args.history else []
        if args.json:
            data = detail.to_json()
            if args.history:
                data["history"] = [
                    {"at": h.at.isoformat(), "actor": h.actor, "office": h.office_code, "action": h.action, "version": h.version, "summary": h.summary}
                    for h in history
                ]
            _print_json(data)
        else:
            s = detail.summary
            print(f"名称: {s.name}\n证件号码: {s.identifier}\n类型: {s.kind_label}\n状态: {s.status_label}" + ("（已删除）" if detail.deleted else ""))
            print(f"类别: {'、'.join(s.category_labels)}\n法定代表人/负责人: {s.legal_representative}\n地址: {detail.address}\n电话: {s.phone}")
            print(f"行政区划: {s.region_code}\n版本: {s.version}\nID: {s.id}")
            for lic in detail.licences:
                print(f"证照: {lic.licence_type} {lic.number} {lic.valid_from or ''}—{lic.valid_to or ''}")
            for h in history:
                print(f"{h.at.astimezone():%Y-%m-%d %H:%M} {h.office_code} {h.actor} v{h.version} {h.summary}")
        return EXIT_OK
    raise AssertionError(args.entity_command)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr] # a Windows console without UTF-8 must not crash us
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for usage errors
        return int(exc.code or 0)
    handlers = {"init": _cmd_init, "demo-data": _cmd_demo, "entity": _cmd_entity}
    try:
        return handlers[args.command](args)
    except argparse.ArgumentTypeError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except DomainError as exc:
        print(f"错误：{exc.message_zh} ({exc.message_en})", file=sys.stderr)
        return EXIT_REJECTED


if __name__ == "__main__":
    sys.exit(main())
