"""`xuyi workdays …`, `xuyi sgs …`, `xuyi import sgs`, `xuyi export sgs`, `xuyi stats sgs`: 双公示 from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, EXIT_REJECTED, context, print_json
from xuyi_desktop.cli.exchange_commands import command_group

MAX_LINES = 20


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD（收到：{text}）") from exc


def _month(text: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.date.fromisoformat(text.strip() + "-01")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"月份应写成 YYYY-MM（收到：{text}）") from exc
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _kind(text: str) -> Any:
    from xuyi_desktop.domain.sgs import RecordKind

    folded = text.strip().upper()
    table = {"XK": RecordKind.LICENSE, "LICENSE": RecordKind.LICENSE, "许可": RecordKind.LICENSE, "行政许可": RecordKind.LICENSE,
             "CF": RecordKind.PENALTY, "PENALTY": RecordKind.PENALTY, "处罚": RecordKind.PENALTY, "行政处罚": RecordKind.PENALTY}
    if folded not in table:
        raise argparse.ArgumentTypeError(f"记录类型应为 XK（行政许可）或 CF（行政处罚）（收到：{text}）")
    return table[folded]


def _status(text: str) -> Any:
    from xuyi_desktop.domain.sgs import ReportStatus

    for s in ReportStatus:
        if text in (s.value, s.label):
            return s
    raise argparse.ArgumentTypeError(f"状态应为 {'、'.join(f'{s.value}（{s.label}）' for s in ReportStatus)}")


def register(sub: Any) -> None:
    wd = sub.add_parser("workdays", help="工作日（按法定节假日安排） (working days)")
    wsub = wd.add_subparsers(dest="workdays_command", required=True, metavar="WHAT")
    add = wsub.add_parser("add", help="DATE 之后第 N 个工作日（DATE 当天不计）")
    add.add_argument("date", type=_date)
    add.add_argument("n", type=int)
    add.set_defaults(func=_workdays_add)
    years = wsub.add_parser("years", help="已载入的节假日安排年份")
    years.add_argument("--json", action="store_true")
    years.set_defaults(func=_workdays_years)
    check = wsub.add_parser("check", help="检查一个年度节假日文件 YYYY.toml（不安装）")
    check.add_argument("file", type=Path)
    check.set_defaults(func=_workdays_check)
    install = wsub.add_parser("install", help="检查并安装一个年度节假日文件 YYYY.toml（管理员；替换同年份）")
    install.add_argument("file", type=Path)
    install.add_argument("--replace", action="store_true", help="替换已有年份（随程序发布的或此前安装的）")
    install.set_defaults(func=_workdays_install)

    sgs = sub.add_parser("sgs", help="双公示：行政许可和行政处罚信息 (licensing and penalty publicity)")
    ssub = sgs.add_subparsers(dest="sgs_command", required=True, metavar="WHAT")
    deadline = ssub.add_parser("deadline", help="某日作出的决定的报送截止日（7个工作日）")
    deadline.add_argument("date", type=_date)
    deadline.set_defaults(func=_deadline)

    sadd = ssub.add_parser("add", help="登记一条行政许可或行政处罚决定")
    sadd.add_argument("--kind", type=_kind, required=True, help="XK（行政许可）或 CF（行政处罚）")
    sadd.add_argument("--set", action="append", default=[], metavar="字段=值",
                      help="字段可用中文名、国标代码（CF_WSH）或字段名（wsh）；可重复")
    sadd.add_argument("--from-json", type=Path, metavar="FILE", help="字段值的 JSON 对象（与 --set 合并）")
    sadd.add_argument("--draft", action="store_true", help="暂存：有误的历史记录照原样保存（计入合规率的不合规数）")
    sadd.add_argument("--party", metavar="主体", help="行政相对人：统一社会信用代码、身份证号码、名称或拼音首字母（名称、代码、法定代表人取自主体库）")
    sadd.add_argument("--item", metavar="事项", help="权力事项的名称、编码或编号（处罚依据、类别、公示类别取自字典）")
    sadd.add_argument("--no-defaults", action="store_true", help="不按本人所属单位填入决定机关和数据来源单位")
    sadd.add_argument("--json", action="store_true")
    sadd.set_defaults(func=_add)

    corr = ssub.add_parser("correct", help="更正一条记录（生成新版本，旧版本保留）")
    corr.add_argument("id", type=uuid.UUID)
    corr.add_argument("--set", action="append", default=[], metavar="字段=值")
    corr.add_argument("--reason", required=True)
    corr.add_argument("--json", action="store_true")
    corr.set_defaults(func=_correct)

    wdr = ssub.add_parser("withdraw", help="标记撤销（不删除）")
    wdr.add_argument("id", type=uuid.UUID)
    wdr.add_argument("--on", type=_date, required=True)
    wdr.add_argument("--reason", required=True)
    wdr.set_defaults(func=_withdraw)

    cls = ssub.add_parser("classify", help="确定行政处罚的失信程度（公示类别），用于“待定”或按规则推定的记录（须审核权限）")
    cls.add_argument("id", type=uuid.UUID)
    cls.add_argument("--class", dest="klass", required=True, help="轻微 / 一般 / 严重")
    cls.add_argument("--reason", required=True)
    cls.add_argument("--json", action="store_true")
    cls.set_defaults(func=_classify)

    lst = ssub.add_parser("list", help="列出记录（当前版本）")
    lst.add_argument("--status", type=_status, help="pending 待报送 / reported 已报送 / overdue 逾期未报 / late 逾期已报")
    lst.add_argument("--kind", type=_kind)
    lst.add_argument("--from", dest="date_from", type=_date)
    lst.add_argument("--to", dest="date_to", type=_date)
    lst.add_argument("--unit", help="决定机关名称或统一社会信用代码")
    lst.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)

    rep = ssub.add_parser("mark-reported", help="标记已报送（报送日期与批次号）")
    rep.add_argument("ids", type=uuid.UUID, nargs="+")
    rep.add_argument("--on", type=_date, required=True)
    rep.add_argument("--batch", required=True)
    rep.add_argument("--json", action="store_true")
    rep.set_defaults(func=_mark_reported)

    tpl = ssub.add_parser("template", help="导入模板（每种记录一张工作表）")
    tpl.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    tpl.set_defaults(func=_template)

    imp = command_group(sub, "import", "导入 (import spreadsheets)")
    isgs = imp.add_parser("sgs", help="导入双公示台账 .xlsx（默认全部或全不；--valid-only 只导入无误的行）")
    isgs.add_argument("file", type=Path)
    isgs.add_argument("--valid-only", action="store_true", help="只导入无误的行（有误的行写入错误报告）")
    isgs.add_argument("--errors", type=Path, metavar="OUT.xlsx")
    isgs.add_argument("--source", help="来源系统名称（用于记住表头对应关系；默认按文件表头识别）")
    isgs.add_argument("--map", action="append", default=[], metavar="表头=字段",
                      help="把文件中的某个表头对应到字段（中文名、国标代码或字段名），会按来源记住")
    isgs.add_argument("--json", action="store_true")
    isgs.set_defaults(func=_import)

    fb = imp.add_parser("sgs-feedback", help="导入上级平台的反馈文件（被退回的记录及原因），将这些记录标为“待重报”")
    fb.add_argument("file", type=Path, help="平台反馈 .xlsx（行政相对人名称、决定文书号、处理结果、失败原因，或 XK_/CF_ 代码表头）")
    fb.add_argument("--json", action="store_true")
    fb.set_defaults(func=_import_feedback)

    exp = command_group(sub, "export", "导出 (export spreadsheets)")
    esgs = exp.add_parser("sgs", help="导出报送批次 .xlsx（--profile 按上级平台模板；默认本系统格式，每种记录一张表），并标记已报送")
    esgs.add_argument("--profile", metavar="NAME", help="导出格式（resources/exchange/profiles 下的文件名，如 jiangsu_sgs_cf，或一个 .toml 文件路径；见 xuyi sgs profiles）")
    esgs.add_argument("--month", type=_month, metavar="YYYY-MM", help="所属月份（代替 --from/--to）")
    esgs.add_argument("--from", dest="date_from", type=_date)
    esgs.add_argument("--to", dest="date_to", type=_date)
    esgs.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    esgs.add_argument("--batch", help="批次号（默认自动生成）")
    esgs.add_argument("--unit", help="零报送说明上的报送单位（默认：当前用户的单位）")
    esgs.add_argument("--public", action="store_true", help="公开版：个人证件号码隐去中间部分，不含已撤销、已过公示期的记录，不标记已报送")
    esgs.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    esgs.add_argument("--json", action="store_true")
    esgs.set_defaults(func=_export)

    pub = exp.add_parser("publication", help="按上级平台的发布格式导出信用评价、信用承诺（含践诺、违诺）、红黑名单、信用修复（如 信用交通江苏）")
    pub.add_argument("--profile", required=True, metavar="NAME", help="导出格式，如 xyjt_jiangsu_commitments（见 xuyi sgs profiles）")
    pub.add_argument("--month", type=_month, metavar="YYYY-MM", help="所属月份（代替 --from/--to）")
    pub.add_argument("--from", dest="date_from", type=_date)
    pub.add_argument("--to", dest="date_to", type=_date)
    pub.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    pub.add_argument("--unit", help="零报送说明上的报送单位（默认：当前用户的单位）")
    pub.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    pub.add_argument("--json", action="store_true")
    pub.set_defaults(func=_publication)

    prof = ssub.add_parser("profiles", help="列出可用的导出格式（上级平台模板）")
    prof.add_argument("--json", action="store_true")
    prof.set_defaults(func=_profiles)

    stats = command_group(sub, "stats", "统计指标 (indicators)")
    ssgs = stats.add_parser("sgs", help="双公示报送率、合规率、及时率和数据完整率")
    ssgs.add_argument("--from", dest="date_from", type=_date, required=True)
    ssgs.add_argument("--to", dest="date_to", type=_date, required=True)
    ssgs.add_argument("--unit", help="决定机关名称或统一社会信用代码")
    ssgs.add_argument("--as-of", type=_date, help="按该日统计（默认今天）")
    ssgs.add_argument("--json", action="store_true")
    ssgs.set_defaults(func=_stats)


def _workdays_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_calendar import working_day_after

    if args.n < 0:
        raise argparse.ArgumentTypeError("N 不能为负数")
    print(working_day_after(args.date, args.n).isoformat())
    return EXIT_OK


def _workdays_years(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_calendar import calendar

    years = calendar().years
    if args.json:
        print_json([{"year": y.year, "notice": y.notice, "published": y.published, "source": y.source} for y in years.values()])
    else:
        for y in years.values():
            print(f"{y.year}\t{y.notice}\t{y.source}")
    return EXIT_OK


def _workdays_check(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_calendar import check_file

    year = check_file(args.file)
    print(f"{year.year}年：{len(year.periods)}个节假日，{sum(len(p.workdays) for p in year.periods)}个调休上班日，检查通过")
    return EXIT_OK


def _workdays_install(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs import install_holidays

    year, changed = install_holidays(context(args), args.file, replace=args.replace)
    print(f"已安装 {year.year} 年节假日安排" + (f"；{changed}条待确认的报送截止日已按节假日安排重新计算" if changed else ""))
    return EXIT_OK


def _deadline(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs import deadline_of

    deadline, tentative = deadline_of(args.date)
    assert deadline is not None
    print(deadline.isoformat() + ("（待确认：该年节假日安排尚未安装，暂按周末计算）" if tentative else ""))
    return EXIT_OK


def _field_name(kind: Any, key: str) -> str:
    from xuyi_desktop.domain import sgs as rules
    from xuyi_desktop.exchange.columns import normalise_header

    wanted = normalise_header(key)
    for f in rules.fields_for(kind):
        names = {f.name, f.codes[0], f.codes[1], f.label, rules.label(kind, f.name)}
        if wanted in {normalise_header(n) for n in names if n}:
            return f.name
    raise argparse.ArgumentTypeError(f"未知字段：{key}（可用中文名、国标代码或字段名）")


def _pairs(kind: Any, items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--set 应写成 字段=值（收到：{item}）")
        out[_field_name(kind, key)] = value
    return out


def _print_record(view: Any, as_json: bool) -> None:
    if as_json:
        print_json(view.to_json())
        return
    print(f"{view.id}\t{view.kind.label}\t{view.document_no}\t{view.name}\t决定 {view.decided}\t"
          f"截止 {view.deadline or '待定'}\t{view.status_text}")
    for w in view.warnings:
        print(f"提示：{w}", file=sys.stderr)


def _add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dictionaries import complete_content, sgs_prefill
    from xuyi_desktop.services.entity_lookup import resolve_entity
    from xuyi_desktop.services.sgs import add_record

    ctx = context(args)
    party = resolve_entity(ctx, args.party) if args.party else None
    raw: dict[str, Any] = sgs_prefill(ctx, args.kind, party=party, item=args.item, unit_defaults=not args.no_defaults)
    if args.from_json:
        data = json.loads(args.from_json.read_text(encoding="utf-8"))
        raw.update({_field_name(args.kind, k): v for k, v in data.items()})
    raw.update(_pairs(args.kind, args.set))
    _print_record(add_record(ctx, args.kind, complete_content(args.kind, raw), draft=args.draft), args.json)
    return EXIT_OK


def _correct(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import sgs

    ctx = context(args)
    kind = sgs.get_record(ctx, args.id).kind
    _print_record(sgs.correct_record(ctx, args.id, _pairs(kind, args.set), reason=args.reason), args.json)
    return EXIT_OK


def _withdraw(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs import withdraw_record

    view = withdraw_record(context(args), args.id, on=args.on, reason=args.reason)
    print(f"已标记撤销：{view.document_no}（{view.withdrawn_on}）")
    return EXIT_OK


def _classify(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs import classify_record

    view = classify_record(context(args), args.id, args.klass, reason=args.reason)
    if args.json:
        print_json(view.to_json())
    else:
        end = f"，公示截止期 {view.publicity_end}" if view.publicity_end else "，不予公示"
        print(f"已确定公示类别：{view.document_no} {args.klass}{end}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs import list_records

    views = list_records(context(args), status=args.status, kind=args.kind, date_from=args.date_from, date_to=args.date_to,
                         unit=args.unit, today=args.today)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            _print_record(v, False)
    return EXIT_OK


def _mark_reported(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs import mark_reported

    views = mark_reported(context(args), args.ids, on=args.on, batch_no=args.batch)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            _print_record(v, False)
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_exchange import write_sgs_template

    print(write_sgs_template(args.out))
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_exchange import import_sgs

    def progress(done: int, total: int) -> None:
        print(f"\r已检查 {done}/{total} 行", end="" if done < total else "\n", file=sys.stderr, flush=True)

    mapping = {}
    for item in args.map:
        header, sep, fld = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--map 应写成 表头=字段（收到：{item}）")
        mapping[header.strip()] = fld.strip()
    result = import_sgs(
        context(args), args.file, valid_only=args.valid_only, errors_path=args.errors, source=args.source,
        mapping=mapping, progress=progress if sys.stderr.isatty() and not args.json else None,
    )
    if args.json:
        print_json(result.to_json())
    else:
        print(f"{result.file.name}：共 {result.rows} 行，导入 {result.imported} 行，有误 {result.failed_rows} 行")
        for e in result.errors[:MAX_LINES]:
            print(f"  第{e.row}行 [{e.sheet}] {e.column}：{e.message_zh}", file=sys.stderr)
        if result.errors_path:
            print(f"错误报告：{result.errors_path}", file=sys.stderr)
        if result.failed_rows and not args.valid_only:
            print("未写入任何数据（可改正后重新导入，或使用 --valid-only 只导入无误的行）", file=sys.stderr)
    return EXIT_OK if result.failed_rows == 0 else EXIT_REJECTED


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    if args.month and (args.date_from or args.date_to):
        raise argparse.ArgumentTypeError("--month 与 --from/--to 只能用一种")
    if args.month:
        return args.month
    if args.date_from and args.date_to:
        return args.date_from, args.date_to
    raise argparse.ArgumentTypeError("请给出 --month YYYY-MM，或 --from 和 --to")


def _publication(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.platform_export import export_publication

    date_from, date_to = _period(args)
    result = export_publication(context(args), args.profile, date_from=date_from, date_to=date_to, out=args.out, unit=args.unit,
                                today=args.today)
    if args.json:
        print_json(result.to_json())
    elif result.zero_report:
        print(f"{result.path}：本期无数据，已生成零报送说明")
    else:
        print(f"{result.path}：{result.rows} 条")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_exchange import export_sgs

    date_from, date_to = _period(args)
    result = export_sgs(context(args), date_from=date_from, date_to=date_to, out=args.out, batch_no=args.batch,
                        public=args.public, profile=args.profile, unit=args.unit, today=args.today)
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    if result.zero_report:
        print(f"{result.path}：本期无数据，已生成零报送说明")
    else:
        print(f"{result.path}：行政许可 {result.licenses} 条，行政处罚 {result.penalties} 条，批次 {result.batch_no or '（公开版）'}")
    if result.held_back:
        print(f"提示：{len(result.held_back)} 条被平台退回的记录尚未更正，仍为“待重报”，未导出：{'、'.join(result.held_back[:MAX_LINES])}", file=sys.stderr)
    if result.incomplete:
        print(f"提示：{len(result.incomplete)} 条缺少平台必填项，未导出也未标记：{'、'.join(result.incomplete[:MAX_LINES])}", file=sys.stderr)
    return EXIT_OK


def _profiles(args: argparse.Namespace) -> int:
    from xuyi_desktop.exchange.profiles import SOURCES, list_profiles

    profiles = list_profiles()
    if args.json:
        print_json([{"name": p.name, "title": p.title, "destination": p.destination, "source": p.source,
                     "columns": p.headers} for p in profiles])
    else:
        for p in profiles:
            print(f"{p.name}\t{p.title}\t{SOURCES[p.source]}\t{len(p.columns)} 列")
    return EXIT_OK


def _import_feedback(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_feedback import import_feedback

    result = import_feedback(context(args), args.file)
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    print(f"{result.file.name}：共 {result.rows} 行，退回待重报 {len(result.marked)} 条，通过 {result.accepted} 条，未匹配 {len(result.unmatched)} 条")
    for line in result.marked[:MAX_LINES]:
        print(f"  待重报：{line.document_no} {line.name}：{line.reason}")
    for line in result.unmatched[:MAX_LINES]:
        print(f"提示：第{line.row}行 {line.document_no} {line.name}：{line.problem}，未处理", file=sys.stderr)
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.sgs_stats import indicators

    result = indicators(context(args), date_from=args.date_from, date_to=args.date_to, unit=args.unit, as_of=args.as_of)
    if args.json:
        print_json(result.to_json())
    else:
        for line in result.lines():
            print(line)
    return EXIT_OK
