"""`xuyi init` and `xuyi demo-data`."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, read_secret


def register(sub: Any) -> None:
    init = sub.add_parser("init", help="创建或升级数据库 (create or upgrade the database)")
    init.add_argument("--admin", metavar="NAME", help="同时创建第一个管理员（密码取自 XUYI_PASSWORD 或提示输入）")
    init.set_defaults(func=_init)
    demo = sub.add_parser("demo-data", help="生成演示数据 (generate synthetic demo data)")
    demo.add_argument("--entities", type=int, help="生成的市场主体数量（批量演示数据，不经业务规则）")
    demo.add_argument("--scenario", choices=("county",),
                      help="county：县级培训数据（经业务规则生成评价、处罚、承诺、名单；数据库标为培训库，不能同步）")
    demo.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成同样的数据）")
    demo.set_defaults(func=_demo)


def _init(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services.entities import count_entities
    from xuyi_desktop.services.users import create_user, login
    from xuyi_desktop.storage.migrate import current_revision

    ctx = context(args, login=not args.admin)
    if args.admin:
        password = read_secret("XUYI_PASSWORD", f"管理员 {args.admin} 的密码: ")
        create_user(ctx, args.admin, password, Role.ADMIN)
        login(ctx, args.admin, password)
        print(f"已创建管理员 (administrator created): {args.admin}")
    print(f"数据库 (database): {ctx.location}")
    print(f"架构版本 (schema revision): {current_revision(ctx.engine)}")
    print(f"办公室 (office): {ctx.office_name} {ctx.office_code}" + ("（临时）" if ctx.office_provisional else ""))
    print(f"市场主体 (entities): {count_entities(ctx)}")
    if ctx.safety_copy:
        print(f"升级前备份 (copy before upgrade): {ctx.safety_copy}")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.demo_data import generate_demo_data

    if args.scenario:
        return _scenario(args)
    if args.entities is None:
        print("错误：请给出 --entities 数量或 --scenario county (give --entities or --scenario)", file=sys.stderr)
        return 2
    if args.entities < 1:
        print("错误：数量必须大于0 (--entities must be positive)", file=sys.stderr)
        return EXIT_REJECTED
    ctx = context(args)
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


def _scenario(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.county_demo import generate_county

    ctx = context(args)
    result = generate_county(ctx, seed=args.seed, progress=lambda text: print(text, file=sys.stderr, flush=True))
    print(
        f"已生成培训数据：市场主体 {result.entities} 个（其中个人 {result.persons}），信用评价 {result.ratings} 条，"
        f"行政处罚 {result.penalties} 条，信用承诺 {result.commitments} 份，名单成员 {result.list_members} 个，"
        f"用时 {result.seconds:.1f} 秒；本数据库已标为培训数据库，不能导出同步包"
        f" (county training set: {result.entities} entities; this database never exports a sync package)"
    )
    return EXIT_OK
