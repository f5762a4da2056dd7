"""`xuyi import ratings …`, `xuyi import ratings-template`, `xuyi export publicity`: spreadsheets in and out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, print_json

MAX_LINES = 20  # problems and warnings printed; the error report has them all


def command_group(sub: Any, name: str, help_text: str) -> Any:
    """The sub-commands of `xuyi NAME`, shared by every module that adds one (the PDF publicity list adds its
    own `export` sub-command through this instead of registering `export` a second time)."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        actions = parser.add_subparsers(dest=f"{name}_command", required=True, metavar="WHAT")
        parser.set_defaults(_subcommands=actions)
    return parser.get_default("_subcommands")


def register(sub: Any) -> None:
    imp = command_group(sub, "import", "导入 (import spreadsheets)")
    ratings = imp.add_parser("ratings", help="导入上级下发的信用评价结果 .xlsx（全部或全不；有误则生成错误报告）")
    ratings.add_argument("file", type=Path, help="评价结果 .xlsx")
    ratings.add_argument("--errors", type=Path, metavar="OUT.xlsx", help="错误报告路径（默认：与输入同目录的 <文件名>.errors.xlsx）")
    ratings.add_argument("--create-missing", action="store_true", help="同时登记系统中没有的主体（需名称和有效证件号码）")
    ratings.add_argument("--domain", help="文件没有“评价领域”列时使用的领域（代码或名称）")
    ratings.add_argument("--period", type=int, help="文件没有“评价年度”列时使用的年度")
    ratings.add_argument("--json", action="store_true")
    ratings.set_defaults(func=_import_ratings)

    template = imp.add_parser("ratings-template", help="生成信用评价结果导入模板（含下拉列表和填写说明）")
    template.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    template.set_defaults(func=_template)

    exp = command_group(sub, "export", "导出 (export spreadsheets)")
    publicity = exp.add_parser("publicity", help="导出公示名单 .xlsx（公示中和已生效的评价；个人身份证号码隐去中间部分）")
    publicity.add_argument("--period", type=int, required=True, help="评价年度")
    publicity.add_argument("--domain", required=True, help="评价领域代码或名称（见 xuyi rating domains）")
    publicity.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    publicity.add_argument("--json", action="store_true")
    publicity.set_defaults(func=_publicity)


def _import_ratings(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.rating_exchange import import_ratings

    def progress(done: int, total: int) -> None:
        print(f"\r已检查 {done}/{total} 行", end="" if done < total else "\n", file=sys.stderr, flush=True)

    result = import_ratings(
        context(args), args.file, create_missing=args.create_missing, errors_path=args.errors,
        default_domain=args.domain, default_period=args.period,
        progress=progress if sys.stderr.isatty() and not args.json else None,
    )
    if args.json:
        print_json(result.to_json())
        return EXIT_OK if result.ok else EXIT_REJECTED
    for w in result.warnings[:MAX_LINES]:
        print(f"提示：{w}", file=sys.stderr)
    if len(result.warnings) > MAX_LINES:
        print(f"提示：……另有 {len(result.warnings) - MAX_LINES} 条提示", file=sys.stderr)
    if result.ignored_columns:
        print(f"提示：未识别的列已忽略：{'、'.join(result.ignored_columns)}", file=sys.stderr)
    if result.ok:
        created = f"，新登记主体 {result.entities_created} 个" if result.entities_created else ""
        print(f"已导入 (imported): {result.imported} 条评价（草稿）{created}，用时 {result.seconds:.1f} 秒")
        return EXIT_OK
    for e in result.errors[:MAX_LINES]:
        where = f"“{e.column}”列" if e.column else ""
        print(f"第{e.row}行{where}：{e.message_zh}", file=sys.stderr)
    if len(result.errors) > MAX_LINES:
        print(f"……另有 {len(result.errors) - MAX_LINES} 处错误", file=sys.stderr)
    print(
        f"错误：{result.rows} 行中有 {result.failed_rows} 行有误，未导入任何数据；错误报告：{result.errors_path} "
        f"({result.failed_rows} of {result.rows} rows rejected, nothing imported; see the error report)",
        file=sys.stderr,
    )
    return EXIT_REJECTED


def _template(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.rating_exchange import write_rating_template

    path = write_rating_template(args.out)
    print(f"已生成导入模板 (template written): {path}")
    return EXIT_OK


def _publicity(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.rating_exchange import export_publicity

    result = export_publicity(context(args), period=args.period, domain=args.domain, out=args.out)
    if args.json:
        print_json(result.to_json())
    else:
        print(f"已导出 (exported): {result.title}，{result.rows} 条 → {result.path}")
    return EXIT_OK
