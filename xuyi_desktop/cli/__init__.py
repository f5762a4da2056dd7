"""Command line `xuyi`: the same service functions the desktop calls, for scripts and administrators.

Each command group lives in its own module with a `register(subparsers)` function that sets the handler
as `func`. Exit codes: 0 success, 1 rejected input (one line, Chinese then English), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from xuyi_desktop import __version__
from xuyi_desktop.cli import (
    backup_commands,
    commitment_commands,
    credit_commands,
    database_commands,
    dict_commands,
    entity_commands,
    exchange_commands,
    fleet_commands,
    key_commands,
    ledger_commands,
    overload_commands,
    plan_commands,
    points_commands,
    print_commands,
    profile_commands,
    rating_commands,
    sgs_commands,
    sync_commands,
    tender_commands,
    user_commands,
)
from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, flush_warnings
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.rating_schemes import SchemeError

COMMAND_MODULES = (
    database_commands, entity_commands, user_commands, backup_commands, rating_commands, exchange_commands, print_commands,
    commitment_commands,  # after print_commands: adds `print commitment(s)` to the print group
    sgs_commands,  # after exchange_commands: adds `import sgs` / `export sgs` to those groups
    sync_commands,
    profile_commands,
    credit_commands,
    tender_commands,
    key_commands,
    fleet_commands,
    ledger_commands,  # after exchange_commands: adds `import entities …` / `export entities …`
    overload_commands,
    points_commands,  # after print_commands: adds `print points`
    plan_commands,  # after print, export and sgs: adds `print tasks|indicators`, `export yearbook`, `stats completeness`
    dict_commands,
)


# Commands whose --out may name a folder (a dated file name is chosen inside it).
OUT_FOLDER_OK = {("backup",), ("sync", "export"), ("sync", "snapshot")}


def _add_force(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    """Every command that writes a file the user names gets --force; without it an existing file is refused."""
    options = {o for a in parser._actions for o in a.option_strings}
    if "--out" in options and "--force" not in options:
        parser.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    if options & {"--out", "--errors"}:
        parser.set_defaults(_out_path=path)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _add_force(sub, (*path, name))


def check_outputs(args: argparse.Namespace) -> None:
    """Before anything runs: output files must be regular files (or new names), an existing --out only with
    --force; folders only where the command takes one. One rule for every command (issue 21)."""
    from xuyi_desktop.services.output_files import check_target

    path = getattr(args, "_out_path", None)
    if path is None:
        return
    force = bool(getattr(args, "force", False))
    if getattr(args, "out", None):
        check_target(Path(args.out), overwrite=force, folder_ok=path in OUT_FOLDER_OK)
    if getattr(args, "errors", None):  # the error report of an import is rewritten on every try
        check_target(Path(args.errors))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xuyi", description="盱眙县信用交通 命令行 (Xuyi credit transport CLI)")
    parser.add_argument("--db", help="数据库文件路径或 SQLAlchemy URL（默认：用户数据目录下的 xuyi.db；也可用环境变量 XUYI_DB）")
    parser.add_argument("--user", help="登录用户名（也可用环境变量 XUYI_USER；密码取自 XUYI_PASSWORD 或提示输入）")
    parser.add_argument("--version", action="version", version=f"xuyi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    _add_force(parser)
    return parser


class _EscapingWriter:
    """stdout/stderr for one command: whatever a name or a file brought in (ESC sequences, BEL, U+202E) is shown
    escaped (\\x1b) instead of being obeyed by the terminal. Everything the CLI prints passes here."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from xuyi_desktop.domain.text_safety import escape_for_terminal

        return self._stream.write(escape_for_terminal(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # A Windows console without UTF-8 must degrade, not crash.
            stream.reconfigure(errors="replace")
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _EscapingWriter(out), _EscapingWriter(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for usage errors
        return int(exc.code or 0)
    try:
        flush_warnings(False)  # none left over from an earlier call in this process
        check_outputs(args)
        code = int(args.func(args))
        flush_warnings(code == EXIT_OK)
        return code
    except argparse.ArgumentTypeError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except DomainError as exc:
        print(f"错误：{exc.message_zh} ({exc.message_en})", file=sys.stderr)
        return EXIT_REJECTED
    except SchemeError as exc:  # an unknown business or domain code, or a scheme file with a mistake: named in Chinese
        print(f"错误：{exc} (unknown code or invalid rules file)", file=sys.stderr)
        return EXIT_REJECTED
    except BrokenPipeError:  # `xuyi … | head`: the reader left; not an error of ours
        sys.stderr.close()
        return EXIT_OK
    except DBAPIError as exc:  # every failure is one line: no traceback reaches the user (issue 21)
        text = str(exc.orig or exc)
        if "locked" in text or "busy" in text:
            print("错误：数据库正忙（另一窗口或程序正在写入，例如正在导入），请稍后再试，本次未做任何更改 "
                  "(database is busy, try again later)", file=sys.stderr)
        elif "malformed" in text or "not a database" in text:
            print("错误：数据库文件完整性检查未通过：文件已损坏，请从备份恢复（xuyi restore 备份文件）"
                  f"（{text.splitlines()[0][:120]}） (database file damaged: restore a backup)", file=sys.stderr)
        else:
            _log_failure()
            print(f"错误：数据库操作失败，本次未做任何更改：{text.splitlines()[0][:200]} (database error)", file=sys.stderr)
        return EXIT_REJECTED
    except OSError as exc:
        where = f"{exc.filename}：" if exc.filename else ""
        print(f"错误：文件操作失败：{where}{exc.strerror or exc} (file error: {exc})", file=sys.stderr)
        return EXIT_REJECTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence; the details go to the log file
        log = _log_failure()
        print(f"错误：程序内部错误（{type(exc).__name__}），本次操作未完成{('，详情已记录在 ' + str(log)) if log else ''} "
              f"(internal error: {type(exc).__name__})", file=sys.stderr)
        return EXIT_REJECTED


def _log_failure() -> Path | None:
    """The traceback of an unexpected failure, appended to <data folder>/logs/cli-errors.log for support."""
    import datetime as dt
    import traceback

    from xuyi_desktop.paths import data_dir

    try:
        folder = data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "cli-errors.log"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat()} {' '.join(sys.argv)}\n{traceback.format_exc()}\n")
        return path
    except OSError:
        return None
