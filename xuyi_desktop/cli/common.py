"""What every command shares: exit codes, JSON output, opening the context and logging in."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.services.context import AppContext, open_context

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsersGone(DomainError):
    message_zh = ("数据库中没有任何用户，但操作日志记录过用户：用户表可能被人绕过本程序删除。"
                  "请勿继续使用此数据库，请从备份恢复到新文件（xuyi --db 新文件 restore 备份），并检查操作日志")
    message_en = "no users, but the audit log records users: the user table was emptied outside the program"


class LoginRequired(DomainError):
    message_zh = "需要登录：请使用 --user 用户名（密码取自 XUYI_PASSWORD 或提示输入），或设置 XUYI_USER"
    message_en = "login required: --user NAME or XUYI_USER, password from XUYI_PASSWORD or a prompt"


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def read_secret(env_var: str, prompt: str) -> str:
    """A password from the environment (for scripts) or typed at a prompt (never echoed, never logged)."""
    value = os.environ.get(env_var)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise LoginRequired()
    return getpass.getpass(prompt)


def context(args: argparse.Namespace, *, login: bool = True) -> AppContext:
    """Open the database named by --db (or XUYI_DB, or the default), upgrading it if needed, and log in.

    In set-up mode (no user yet) the CLI acts as the audited identity "system"."""
    from xuyi_desktop.services.users import login as do_login

    ctx = open_context(args.db)
    if login and not ctx.setup_mode and _no_users(ctx):
        raise UsersGone()
    username = getattr(args, "user", None) or os.environ.get("XUYI_USER")
    if login and (username or not ctx.setup_mode):
        if not username:
            raise LoginRequired()
        try:
            do_login(ctx, username, read_secret("XUYI_PASSWORD", f"{username} 的密码: "))
        finally:
            if ctx.deferred_audit:  # tried while another program held the write lock: written before we exit
                import atexit

                atexit.register(_write_deferred, ctx)
    return ctx


def _write_deferred(ctx: AppContext) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from xuyi_desktop.services.audit import flush_deferred

    if not ctx.deferred_audit:
        return
    try:
        with ctx.transaction() as session:
            flush_deferred(session, ctx)
    except SQLAlchemyError:
        print("注意：数据库仍忙，本次登录记录未能写入操作日志 (login not yet recorded: database busy)", file=sys.stderr)


def _no_users(ctx: AppContext) -> bool:
    from sqlalchemy import exists, select

    from xuyi_desktop.storage.models import AppUser

    with ctx.transaction() as session:
        return not session.execute(select(exists().where(AppUser.id.is_not(None)))).scalar()


#: Warnings for stderr once the command has succeeded (a refused command prints its one 错误 line only).
PENDING_WARNINGS: list[str] = []


def warn_on_success(text: str) -> None:
    if text not in PENDING_WARNINGS:
        PENDING_WARNINGS.append(text)


def flush_warnings(succeeded: bool) -> None:
    if succeeded:
        for text in PENDING_WARNINGS:
            print(text, file=sys.stderr)
    PENDING_WARNINGS.clear()
