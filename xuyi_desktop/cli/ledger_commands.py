"""`xuyi import entities|practitioners|vehicles|vessels|ledger FILE`, their templates, and `xuyi export …`: the
运政/港航 ledgers in and out (one import pipeline with 双公示)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, print_json
from xuyi_desktop.cli.exchange_commands import MAX_LINES, command_group

KIND_HELP = {
    "entities": "主体台账（单位和个人，含证照）", "practitioners": "从业人员台账（从业资格证、所属企业）",
    "vehicles": "车辆台账（车牌号、道路运输证）", "vessels": "船舶台账（船舶识别号、营业运输证）",
    "ledger": "同一文件中的全部台账（主体、从业人员、车辆、船舶，按此顺序）",
}


def _kinds(name: str) -> tuple[str, ...]:
    from xuyi_desktop.services.ledger_exchange import KINDS

    return KINDS if name == "ledger" else (name,)


def parse_mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        header, sep, fld = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--map 应写成 表头=字段（收到：{item}）")
        mapping[header.strip()] = fld.strip()
    return mapping


def register(sub: Any) -> None:
    imp = command_group(sub, "import", "导入 (import spreadsheets)")
    for name, text in KIND_HELP.items():
        p = imp.add_parser(name, help=f"导入{text} .xlsx（按证件号码/车牌号/船舶识别号匹配，不重复登记；写 template --out F 生成模板）")
        p.add_argument("file", type=Path, help="台账 .xlsx；写 template 并加 --out 则生成导入模板")
        p.add_argument("--out", type=Path, metavar="FILE.xlsx", help="与 template 一起使用：模板的保存位置")
        p.add_argument("--valid-only", action="store_true", help="只导入无误的行（有误的行写入错误报告）")
        p.add_argument("--errors", type=Path, metavar="OUT.xlsx", help="错误报告路径（默认：<文件名>.errors.xlsx）")
        p.add_argument("--source", help="来源系统名称（用于记住表头对应关系）")
        p.add_argument("--map", action="append", default=[], metavar="表头=字段", help="把文件中的某个表头对应到字段，会按来源记住")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=_import, ledger_kind=name)

    exp = command_group(sub, "export", "导出 (export spreadsheets)")
    for name, text in KIND_HELP.items():
        p = exp.add_parser(name, help=f"导出{text} .xlsx（与导入模板同列；个人证件号码和电话脱敏，--reveal 显示完整）")
        p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
        p.add_argument("--reveal", action="store_true", help="导出完整个人信息（需“查看完整个人信息”权限，记入操作日志）")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=_export, ledger_kind=name)

    stats = command_group(sub, "stats", "统计指标 (indicators)")
    cov = stats.add_parser("coverage", help="信用覆盖率：各类别有有效评价或信用记录的主体占比，登记信息完整率")
    cov.add_argument("--as-of", dest="as_of", type=_as_of, help="按该日统计（默认今天）")
    cov.add_argument("--json", action="store_true")
    cov.set_defaults(func=_coverage)


def _import(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import ledger_exchange as lx

    kinds = _kinds(args.ledger_kind)
    if str(args.file) == "template":
        if args.out is None:
            raise argparse.ArgumentTypeError("生成模板需要 --out FILE.xlsx")
        path = lx.write_ledger_template(args.out, kinds)
        print(f"已生成导入模板 (template written): {path}")
        return EXIT_OK

    def progress(done: int, total: int) -> None:
        print(f"\r已检查 {done}/{total} 行", end="" if done < total else "\n", file=sys.stderr, flush=True)

    result = lx.import_ledger(
        context(args), args.file, kinds, valid_only=args.valid_only, errors_path=args.errors, source=args.source,
        mapping=parse_mapping(args.map), progress=progress if sys.stderr.isatty() and not args.json else None,
    )
    if args.json:
        print_json(result.to_json() | {"summary": lx.outcome_text(result)})
        return EXIT_OK if result.ok else EXIT_REJECTED
    print(f"{result.file.name}：共 {result.rows} 行，{lx.outcome_text(result)}，有误 {result.failed_rows} 行，用时 {result.seconds:.1f} 秒")
    for w in result.warnings[:MAX_LINES]:
        print(f"提示：{w}")
    for e in result.errors[:MAX_LINES]:
        print(f"  第{e.row}行 [{e.sheet}] {e.column}：{e.message_zh}")
    if len(result.errors) > MAX_LINES:
        print(f"  ……另有 {len(result.errors) - MAX_LINES} 处错误，见错误报告")
    if result.ok:
        return EXIT_OK
    written = f"已导入无误的 {result.imported} 行" if args.valid_only else "未写入任何数据"
    print(f"错误：{result.failed_rows} 行有误，{written}；错误报告：{result.errors_path} "
          f"({result.failed_rows} rows rejected; see the error report)", file=sys.stderr)
    return EXIT_REJECTED


def _export(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import ledger_exchange as lx

    result = lx.export_ledger(context(args), args.out, _kinds(args.ledger_kind), reveal=args.reveal)
    if args.json:
        print_json(result.to_json())
    else:
        counts = "，".join(f"{lx.KIND_LABELS[k]} {n} 行" for k, n in result.counts.items())
        print(f"已导出 (exported): {result.path}（{counts}{'，含完整个人信息' if result.revealed else '，个人信息已脱敏'}）")
    return EXIT_OK


def _as_of(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 2025-03-15（收到：{text}）") from exc


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _coverage(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.coverage import coverage

    result = coverage(context(args), today=args.as_of)
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    print(f"信用覆盖率（{result.as_of}）：{result.covered}/{result.entities}，{_pct(result.to_json()['coverage'])}")
    print("类别	主体数	有效评价	有信用记录	覆盖率	必填项完整率	建议项完整率")
    for c in result.categories:
        j = c.to_json()
        print(f"{c.label}\t{c.entities}\t{_pct(j['rated_share'])}\t{c.with_record}\t{_pct(j['coverage'])}\t"
              f"{_pct(j['completeness']['required'])}\t{_pct(j['completeness']['recommended'])}")
    return EXIT_OK
