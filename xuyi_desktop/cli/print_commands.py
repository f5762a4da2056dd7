"""`xuyi print …` (certificates, the credit-check sheet, the publicity list, as PDF) and `xuyi verify`."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, print_json, warn_on_success
from xuyi_desktop.domain.ratings import RatingStatus


def register(sub: Any) -> None:
    pr = sub.add_parser("print", help="打印 PDF：信用等级证书、信用核查结果单、公示名单、信用报告、专项信用报告、信用修复告知书 (print documents)")
    psub = pr.add_subparsers(dest="print_command", required=True, metavar="DOCUMENT")

    cert = psub.add_parser("certificate", help="打印一张信用等级证书（仅限已生效的评价）")
    cert.add_argument("rating_id", type=uuid.UUID, metavar="RATING_ID")
    cert.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    cert.add_argument("--preview", action="store_true", help="打印样张（带水印、不编号、无核验码；任何状态均可）")
    cert.add_argument("--reveal", action="store_true", help="自然人证件号码完整打印（需相应权限）")
    cert.set_defaults(func=_certificate)

    batch = psub.add_parser("certificates", help="批量打印某年度某领域全部已生效评价的证书，合为一个 PDF")
    batch.add_argument("--period", required=True, type=int)
    batch.add_argument("--domain", required=True, help="评价领域代码（见 xuyi rating domains）")
    batch.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    batch.set_defaults(func=_certificates)

    check = psub.add_parser("check", help="信用核查并打印结果单")
    check.add_argument("query", help="名称、证件号码或拼音首字母")
    check.add_argument("--business", required=True, help="业务类型代码（见 xuyi businesses）")
    check.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    check.set_defaults(func=_check)

    pub = psub.add_parser("publicity", help="打印某年度某领域的信用评价结果公示名单")
    pub.add_argument("--period", required=True, type=int)
    pub.add_argument("--domain", required=True)
    pub.add_argument(
        "--status", action="append", choices=[RatingStatus.PUBLICITY.value, RatingStatus.EFFECTIVE.value],
        help="列入名单的评价状态，可重复（默认 publicity：公示中）",
    )
    pub.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    pub.set_defaults(func=_publicity)

    report = psub.add_parser("report", help="打印主体的信用报告（基本信息、证照、评价、行政处罚、失信、承诺、核查记录）")
    report.add_argument("entity", metavar="ENTITY", help="市场主体 UUID 或证件号码")
    report.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    report.add_argument("--date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="信息截止日期（默认今天）")
    report.add_argument("--reveal", action="store_true", help="自然人证件号码完整打印（需相应权限，记入操作日志）")
    report.set_defaults(func=_report)

    special = psub.add_parser(
        "special-report", help="打印专项信用报告（替代有无违法违规记录证明）：近N年、所选领域的行政处罚、严重失信名单等",
    )
    special.add_argument("entity", metavar="ENTITY", help="市场主体 UUID 或证件号码")
    rules = _special_rules()
    special.add_argument("--years", required=True, type=int, metavar="N",
                         help=f"查询期限：近N年（1至{rules.max_years if rules else 5}）")
    areas = "、".join(f"{a.name} {a.code}" for a in rules.areas) if rules else "见 resources/reports/special_report.toml"
    special.add_argument(
        "--domain", action="append", default=[], metavar="领域", help=f"查询领域（代码或名称，可重复；不填为全部领域）：{areas}",
    )
    special.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    special.add_argument("--date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="报告期截止日期（默认今天）")
    special.set_defaults(func=_special_report)

    notice = psub.add_parser(
        "repair-notice", help="打印行政处罚的信用修复告知书（两书同达：随处罚决定书送达；首次打印编号，补打沿用原编号）",
    )
    notice.add_argument("penalty_id", type=uuid.UUID, metavar="PENALTY_ID", help="行政处罚记录 ID（任一版本或其 lineage）")
    notice.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    notice.add_argument("--served", action="store_true", help="同时登记已随处罚决定书送达（送达日期见 --on，默认今天）")
    notice.add_argument("--on", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="送达日期（与 --served 同用）")
    notice.set_defaults(func=_repair_notice)

    verify = sub.add_parser("verify", help="离线核验打印文件上的二维码内容（核验码文本、保存它的文件、本系统打印的 PDF（逐个核验其中全部核验码）；- 为标准输入）")
    verify.add_argument("payload", metavar="PAYLOAD_OR_FILE")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_verify)


def _special_rules() -> Any:
    """The 专项信用报告 rules for the help text, from the data file the report reads (None if it is broken: the
    command itself then says what is wrong)."""
    from xuyi_desktop.domain.entities import CATEGORIES
    from xuyi_desktop.domain.reports import AreaFileError, parse_rules
    from xuyi_desktop.paths import resource_path

    path = resource_path("reports", "special_report.toml")
    try:
        return parse_rules(path.read_text(encoding="utf-8"), where=path.name, known_categories=CATEGORIES)
    except (OSError, AreaFileError):
        return None


class _Progress:
    """Progress on stderr: a line every 5 % (or every page for short runs), and Ctrl-C cancels cleanly."""

    def __init__(self) -> None:
        self.stop = False
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        step = max(1, total // 20)
        if done == total or done // step != self.last:
            self.last = done // step
            print(f"打印进度 {done}/{total}", file=sys.stderr, flush=True)

    def cancelled(self) -> bool:
        return self.stop

    def on_sigint(self, *_: object) -> None:
        self.stop = True


def warn_provisional(ctx: Any) -> Any:
    """A document printed under the provisional office code keeps that code in its serial: say so on stderr
    once the print succeeded (the window asks first instead)."""
    from xuyi_desktop.services.print_settings import provisional_warning

    warning = provisional_warning(ctx)
    if warning is not None:
        warn_on_success(f"警告：{warning.message_zh}（xuyi office init） (warning: {warning.message_en})")
    return ctx


def _certificate(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.printing import print_certificate

    ctx = context(args) if args.preview else warn_provisional(context(args))
    out = print_certificate(ctx, args.rating_id, args.out, reveal=args.reveal, preview=args.preview)
    print(f"已生成：{out}")
    return EXIT_OK


def _certificates(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.printing import print_certificates_batch

    ctx = warn_provisional(context(args))
    progress = _Progress()
    previous = signal.signal(signal.SIGINT, progress.on_sigint)
    try:
        out = print_certificates_batch(ctx, args.period, args.domain, args.out, progress=progress, cancelled=progress.cancelled)
    finally:
        signal.signal(signal.SIGINT, previous)
    print(f"已生成：{out}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_check import run_check
    from xuyi_desktop.services.printing import print_credit_check

    ctx = warn_provisional(context(args))
    result = run_check(ctx, args.query, args.business)
    out = print_credit_check(ctx, result, args.out)
    print(f"信用核查 {result.serial}：{result.entity.get('name', '')}；已生成：{out}")
    return EXIT_OK


def _publicity(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.printing import print_publicity_list

    statuses = tuple(RatingStatus(s) for s in (args.status or [RatingStatus.PUBLICITY.value]))
    out = print_publicity_list(warn_provisional(context(args)), args.period, args.domain, args.out, statuses=statuses)
    print(f"已生成：{out}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.reports import print_credit_report

    out = print_credit_report(warn_provisional(context(args)), args.entity, args.out, as_of=args.date, reveal=args.reveal)
    print(f"已生成：{out}")
    return EXIT_OK


def _special_report(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.reports import print_special_report

    out = print_special_report(warn_provisional(context(args)), args.entity, args.out, years=args.years, domains=args.domain, as_of=args.date)
    print(f"已生成：{out}")
    return EXIT_OK


def _repair_notice(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.credit_prints import print_repair_notice
    from xuyi_desktop.services.repair import record_notice_served

    if args.on is not None and not args.served:
        print("错误：--on 是送达日期，须与 --served 同用 (--on needs --served)", file=sys.stderr)
        return 2
    ctx = warn_provisional(context(args))
    printed = print_repair_notice(ctx, args.penalty_id, args.out)
    print(f"已生成：{printed.path}（告知书编号 {printed.serial}{'，补打' if printed.reprint else ''}）")
    if args.served:
        record_notice_served(ctx, args.penalty_id, serial=printed.serial, on=args.on)
        print(f"已登记：信用修复告知书 {printed.serial} 随处罚决定书送达（{(args.on or dt.date.today()).isoformat()}）")
    return EXIT_OK


def _read_payload(arg: str) -> str:
    if arg == "-":
        return sys.stdin.read()
    if not arg.startswith("XY1|"):
        path = Path(arg)
        try:
            if path.is_file():
                return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            pass
    return arg


def _verify(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.printing import is_pdf, verify_payload, verify_pdf

    ctx = context(args)
    path = Path(args.payload)
    if args.payload != "-" and not args.payload.startswith("XY1|") and path.is_file() and is_pdf(path):
        found = verify_pdf(ctx, path)  # PdfUnreadableError is a DomainError: message and exit 1
        ok = bool(found) and all(r.valid for _, r in found)
        if args.json:
            print_json({"file": str(path), "found": len(found), "valid": ok,
                        "results": [_result_json(r) for _, r in found]})
            return EXIT_OK if ok else EXIT_REJECTED
        if not found:
            print(f"无效：文件中没有找到核验码（{path.name} 不是本系统打印的 PDF，或打印于不带文本核验码的版本之前）")
            return EXIT_REJECTED
        if len(found) > 1:
            print(f"{path.name}：找到 {len(found)} 个核验码，{sum(r.valid for _, r in found)} 个有效")
        for i, (_, result) in enumerate(found, 1):
            if len(found) > 1:
                print(f"[{i}/{len(found)}] ", end="")
            _print_result(result)
        return EXIT_OK if ok else EXIT_REJECTED

    result = verify_payload(ctx, _read_payload(args.payload))
    if args.json:
        print_json(_result_json(result))
        return EXIT_OK if result.valid else EXIT_REJECTED
    _print_result(result)
    return EXIT_OK if result.valid else EXIT_REJECTED


def _result_json(result: Any) -> dict[str, Any]:
    from xuyi_desktop.services.printing import describe_facts

    data = result.to_json()
    data["described"] = [{"label": k, "value": v} for k, v in describe_facts(result.doc_type, result.facts)]
    return data


def _print_result(result: Any) -> None:
    from xuyi_desktop.services.printing import describe_facts

    if not result.valid:
        print(f"{result.status_label}：{result.reason_zh}")
        if result.serial:
            print(f"  码中编号：{result.serial}（签发单位 {result.issuer}）")
        _print_signer(result)
        return
    issuer = f"{result.issuer}（{result.issuer_name}）" if result.issuer_name else result.issuer
    print(f"有效：{result.doc_type_label}")
    print(f"  编号：{result.serial}")
    print(f"  签发单位：{issuer}")
    print(f"  签发日期：{result.issued_on.isoformat() if result.issued_on else ''}")
    _print_signer(result)
    for label, value in describe_facts(result.doc_type, result.facts):
        print(f"  {label}：{value}")
    for note in result.notes:
        print(f"  注意：{note}")


def _print_signer(result: Any) -> None:
    """Which PC's key signed it and who approved that key (what a forged print cannot claim)."""
    if result.installation:
        print(f"  签发电脑：{result.installation}（密钥指纹 {result.key_fingerprint}）")
    if result.approved_at:
        print(f"  密钥批准：管理员 {result.approved_by_name or result.approved_by}（{result.approved_by}），"
              f"{result.approved_at.astimezone():%Y-%m-%d}")
