"""`xuyi backup`, `xuyi restore`, `xuyi check` and `xuyi backup-settings`.

`check` without arguments checks the database itself; it keeps its own options few on purpose, so a
later credit check (`xuyi check QUERY --business CODE`) can add an optional positional QUERY beside it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, print_json
from xuyi_desktop.cli.rating_commands import add_credit_check_arguments, is_credit_check, run_credit_check
from xuyi_desktop.domain.errors import DomainError

PASSPHRASE_ENV = "XUYI_BACKUP_PASSPHRASE"


class PassphraseRequired(DomainError):
    message_zh = f"需要备份口令：请设置环境变量 {PASSPHRASE_ENV}，或在终端中运行以便输入"
    message_en = f"backup passphrase required: set {PASSPHRASE_ENV} or run in a terminal"


class PassphraseMismatch(DomainError):
    message_zh = "两次输入的备份口令不一致，未做备份"
    message_en = "the two passphrases differ; nothing was backed up"


def register(sub: Any) -> None:
    backup = sub.add_parser("backup", help="备份数据库（SQLite 在线备份，可加密） (back up the database)")
    backup.add_argument("--out", type=Path, metavar="FILE", help="备份文件，或文件夹（已存在或不带扩展名），默认为备份设置中的文件夹")
    backup.add_argument(
        "--encrypt", action="store_true", help=f"用口令加密（scrypt + AES-GCM；口令取自 {PASSPHRASE_ENV} 或提示输入两次）"
    )
    backup.set_defaults(func=_backup)

    restore = sub.add_parser("restore", help="从备份恢复数据库，恢复前的数据库会另存一份 (restore from a backup)")
    restore.add_argument("file", type=Path, metavar="FILE", help="备份文件（加密备份的口令取自环境变量或提示输入）")
    restore.add_argument("--force", action="store_true", help="备份中有记录未经本程序被改动时仍然恢复（记入操作日志）")
    restore.set_defaults(func=_restore)

    check = sub.add_parser(
        "check", help="不带参数：检查数据库完整性；带查询：信用核查 QUERY --business CODE (integrity check, or credit check)"
    )
    check.add_argument("--json", action="store_true")
    add_credit_check_arguments(check)
    check.set_defaults(func=_check)

    settings = sub.add_parser("backup-settings", help="查看或修改备份文件夹和自动备份保留份数 (backup settings)")
    settings.add_argument("--folder", metavar="DIR", help="备份文件夹（空字符串 \"\" 恢复默认）")
    settings.add_argument("--keep", type=int, metavar="N", help="自动备份保留的份数")
    settings.add_argument("--json", action="store_true")
    settings.set_defaults(func=_settings)


def _passphrase(*, confirm: bool) -> str:
    """From the environment (scripts) or typed twice at a prompt; never echoed, never logged."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise PassphraseRequired()
    first = getpass.getpass("备份口令 (backup passphrase): ")
    if confirm and getpass.getpass("再次输入备份口令 (again): ") != first:
        raise PassphraseMismatch()
    return first


def _backup(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services.audit import require
    from xuyi_desktop.services.backup import backup_now

    ctx = context(args)
    require(ctx, Permission.BACKUP)  # before asking for a passphrase
    passphrase = _passphrase(confirm=True) if args.encrypt else None
    started = time.perf_counter()
    path = backup_now(ctx, args.out, passphrase)
    seconds = time.perf_counter() - started
    size = path.stat().st_size
    print(
        f"已备份到 {path}（{size / 1024 / 1024:.1f} MB，用时 {seconds:.1f} 秒{'，已加密' if passphrase else ''}）"
        f" (backup written: {size} bytes in {seconds:.1f} s)"
    )
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services.audit import require
    from xuyi_desktop.services.backup import restore_database
    from xuyi_desktop.storage.backup import is_encrypted

    ctx = context(args)
    require(ctx, Permission.BACKUP)
    passphrase = _passphrase(confirm=False) if is_encrypted(args.file) else None
    result = restore_database(args.db, args.file, passphrase, actor_ctx=ctx, force=args.force)
    print(f"已从备份恢复数据库 (restored): {result.database}")
    if result.pre_restore_copy:
        print(f"恢复前的数据库已另存为 (previous database kept as): {result.pre_restore_copy}")
    if result.backup_revision != result.revision:
        print(f"备份的架构版本 {result.backup_revision} 已升级到 {result.revision} (schema upgraded)")
    print("请重新登录 (log in again): 用户和密码以备份中的为准")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.backup import check_database

    if is_credit_check(args):  # `xuyi check QUERY|--batch F|--consortium A,B --business CODE`: the credit check
        return run_credit_check(args)

    from xuyi_desktop.cli.rating_commands import calendar_notice

    ctx = context(args)
    report = check_database(ctx)
    notice = calendar_notice(ctx)  # administrators, from 1 November: next year's holidays missing
    if args.json:
        print_json({**report.as_dict(), "notices": [notice] if notice else []})
    else:
        print(f"数据库 (database): {report.location}")
        for item in report.items:
            print(f"{'正常' if item.ok else '异常'}\t{item.label_zh}：{item.detail_zh} ({item.detail_en})")
        if notice:
            print(f"提示\t节假日安排：{notice}")
    if report.ok:
        return EXIT_OK
    names = "；".join(f"{p.label_zh}：{p.detail_zh}" for p in report.problems)
    print(f"错误：数据库检查未通过：{names} (check failed: {', '.join(p.name for p in report.problems)})", file=sys.stderr)
    return EXIT_REJECTED


def _settings(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.backup import backup_settings, set_backup_settings

    ctx = context(args)
    if args.folder is not None or args.keep is not None:
        current = set_backup_settings(ctx, folder=args.folder, keep=args.keep)
    else:
        current = backup_settings(ctx)
    last = current.last_auto.astimezone().strftime("%Y-%m-%d %H:%M:%S") if current.last_auto else None
    if args.json:
        print_json({"folder": str(current.folder), "keep": current.keep, "last_auto": last, "folder_is_default": current.folder_is_default})
    else:
        print(f"备份文件夹 (folder): {current.folder}{'（默认）' if current.folder_is_default else ''}")
        print(f"自动备份保留份数 (keep): {current.keep}")
        print(f"上次自动备份 (last automatic backup): {last or '尚无'}")
    return EXIT_OK
