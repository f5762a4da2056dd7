"""Command line `xuyi`: the same service functions the desktop calls, for scripts and administrators.

Each command group lives in its own module with a `register(subparsers)` function that sets the handler
as `func`. Exit codes: 0 success, 1 rejected input (one line, Chinese then English), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DatabaseError

from xuyi_desktop import __version__
from xuyi_desktop.cli import (
    backup_commands,
    commitment_commands,
    credit_commands,
    database_commands,
    entity_commands,
    exchange_commands,
    plan_commands,
    print_commands,
    profile_commands,
    rating_commands,
    sgs_commands,
    sync_commands,
    user_commands,
)
from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from xuyi_desktop.domain.errors import DomainError

COMMAND_MODULES = (
    database_commands, entity_commands, user_commands, backup_commands, rating_commands, exchange_commands, print_commands,
    commitment_commands,  # after print_commands: adds `print commitment(s)` to the print group
    sgs_commands,  # after exchange_commands: adds `import sgs` / `export sgs` to those groups
    sync_commands,
    profile_commands,
    credit_commands,
    plan_commands,  # after print, export and sgs: adds `print tasks|indicators`, `export yearbook`, `stats completeness`
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xuyi", description="盱眙县信用交通 命令行 (Xuyi credit transport CLI)")
    parser.add_argument("--db", help="数据库文件路径或 SQLAlchemy URL（默认：用户数据目录下的 xuyi.db；也可用环境变量 XUYI_DB）")
    parser.add_argument("--user", help="登录用户名（也可用环境变量 XUYI_USER；密码取自 XUYI_PASSWORD 或提示输入）")
    parser.add_argument("--version", action="version", version=f"xuyi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # A Windows console without UTF-8 must degrade, not crash.
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for usage errors
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except argparse.ArgumentTypeError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except DomainError as exc:
        print(f"错误：{exc.message_zh} ({exc.message_en})", file=sys.stderr)
        return EXIT_REJECTED
    except DatabaseError as exc:
        # A file damaged where SQLite keeps the schema cannot even be opened (seen once the schema outgrew its first
        # page): say so in one line instead of a traceback, whatever the command.
        if not any(w in str(exc) for w in ("malformed", "not a database", "file is encrypted")):
            raise
        print("错误：数据库检查未通过：数据库文件完整性：文件已损坏，无法打开，请从备份恢复（xuyi restore FILE）"
              " (database file is damaged and cannot be opened)", file=sys.stderr)
        return EXIT_REJECTED
    except BrokenPipeError:  # `xuyi … | head`: the reader left; not an error of ours
        sys.stderr.close()
        return EXIT_OK
