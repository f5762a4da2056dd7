"""Running the plan from the command line: `xuyi task …` (the annex-2 tracker), the registers (`xuyi campaign|
training|scenario|model|website …`), `xuyi indicators`, `xuyi monthly-report …`, `xuyi todo`, `xuyi units`,
`xuyi stats completeness`, `xuyi print tasks|indicators` and `xuyi export yearbook`."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json
from xuyi_desktop.cli.exchange_commands import command_group


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD（收到：{text}）") from exc


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"年度应为四位年份（收到：{text}）")
    return int(text)


def _percent(text: str) -> int:
    try:
        value = int(text.rstrip("%％"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"完成比例应为 0 到 100 的整数（收到：{text}）") from exc
    return value


def _subparsers(parser: argparse.ArgumentParser, dest: str) -> Any:
    return parser.add_subparsers(dest=dest, required=True, metavar="ACTION")


def _list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=_year)
    p.add_argument("--unit", help="单位名称（见 xuyi units）")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", type=Path, metavar="FILE.xlsx", help="导出为 .xlsx")


def register(sub: Any) -> None:
    # --- the task tracker ---
    task = sub.add_parser("task", help="“信用交通县”建设任务（方案附件2）：列表、进展报送、逾期提醒")
    tsub = _subparsers(task, "task_command")
    tl = tsub.add_parser("list", help="任务列表及完成情况")
    tl.add_argument("--unit", help="只列该单位负责的任务，状态为该单位的")
    tl.add_argument("--status", choices=["not_started", "in_progress", "done", "overdue"])
    tl.add_argument("--plan", help="方案期（默认当前或最近一期，如 2023-2025）")
    tl.add_argument("--date", type=_date, help="按该日计算状态（默认今天）")
    tl.add_argument("--json", action="store_true")
    tl.set_defaults(func=_task_list)
    ts = tsub.add_parser("show", help="一项任务的详情、各单位情况和进展记录")
    ts.add_argument("id", help="任务编号，如 3.7 或 三(7)")
    ts.add_argument("--plan")
    ts.add_argument("--date", type=_date)
    ts.add_argument("--json", action="store_true")
    ts.set_defaults(func=_task_show)
    tr = tsub.add_parser("report", help="报送一项任务的进展（可附佐证材料）")
    tr.add_argument("id", help="任务编号，如 3.7 或 三(7)")
    tr.add_argument("--unit", required=True, help="报送单位")
    tr.add_argument("--text", required=True, help="进展情况")
    tr.add_argument("--percent", type=_percent, help="完成比例 0–100（100 即完成）")
    tr.add_argument("--milestone", default="", help="节点，如“已印发实施方案”")
    tr.add_argument("--done", action="store_true", help="本单位承担的部分已完成")
    tr.add_argument("--on", type=_date, help="报送日期（默认今天）")
    tr.add_argument("--attach", action="append", default=[], type=Path, metavar="FILE", help="佐证材料，可重复")
    tr.add_argument("--plan")
    tr.add_argument("--json", action="store_true")
    tr.set_defaults(func=_task_report)
    tw = tsub.add_parser("warnings", help="逾期和即将到期的任务")
    tw.add_argument("--date", type=_date)
    tw.add_argument("--json", action="store_true")
    tw.set_defaults(func=_task_warnings)

    # --- registers ---
    cp = sub.add_parser("campaign", help="诚信宣传活动台账")
    csub = _subparsers(cp, "campaign_command")
    ca = csub.add_parser("add", help="登记一次宣传活动")
    ca.add_argument("--date", type=_date, required=True, dest="held_on")
    ca.add_argument("--end", type=_date, dest="ends_on")
    ca.add_argument("--kind", required=True, help="活动类型（见 resources/plan/registers.toml）")
    ca.add_argument("--theme", required=True)
    ca.add_argument("--place", default="")
    ca.add_argument("--unit", default="")
    ca.add_argument("--reach", type=int, help="覆盖人数")
    ca.add_argument("--media", action="append", default=[], help="媒体报道链接或说明，可重复")
    ca.add_argument("--notes", default="")
    ca.add_argument("--photo", action="append", default=[], type=Path, metavar="FILE")
    ca.add_argument("--json", action="store_true")
    ca.set_defaults(func=_campaign_add)
    _list_args(cl := csub.add_parser("list", help="宣传活动列表（--out 导出）"))
    cl.set_defaults(func=_register_list, register="campaign")

    tp = sub.add_parser("training", help="信用培训台账（参训人员、培训证明）")
    trsub = _subparsers(tp, "training_command")
    ta = trsub.add_parser("add", help="登记一次培训")
    ta.add_argument("--date", type=_date, required=True, dest="held_on")
    ta.add_argument("--kind", required=True)
    ta.add_argument("--topic", required=True)
    ta.add_argument("--trainer", default="")
    ta.add_argument("--place", default="")
    ta.add_argument("--unit", default="")
    ta.add_argument("--hours", type=float)
    ta.add_argument("--notes", default="")
    ta.add_argument("--json", action="store_true")
    ta.set_defaults(func=_training_add)
    tat = trsub.add_parser("attendee", help="登记参训人员及培训证明")
    tat.add_argument("training_id")
    tat.add_argument("--entity", help="已登记主体（UUID 或证件号码）")
    tat.add_argument("--name", default="", help="姓名")
    tat.add_argument("--org", default="", help="所在单位")
    tat.add_argument("--certificate", default="", help="培训证明编号")
    tat.add_argument("--certificate-date", type=_date)
    tat.add_argument("--certificate-file", type=Path)
    tat.add_argument("--json", action="store_true")
    tat.set_defaults(func=_training_attendee)
    tcert = trsub.add_parser("certificates", help="某主体的培训证明（信用修复申请材料）")
    tcert.add_argument("entity")
    tcert.add_argument("--repair-only", action="store_true", help="只列信用修复培训的证明")
    tcert.add_argument("--json", action="store_true")
    tcert.set_defaults(func=_training_certificates)
    _list_args(tl2 := trsub.add_parser("list", help="培训列表（--out 导出）"))
    tl2.set_defaults(func=_register_list, register="training")

    sp = sub.add_parser("scenario", help="“信易+”应用场景台账（受益主体和金额）")
    ssub = _subparsers(sp, "scenario_command")
    sa = ssub.add_parser("add", help="登记一个应用场景")
    sa.add_argument("--name", required=True)
    sa.add_argument("--type", required=True, dest="business_type")
    sa.add_argument("--start", type=_date, required=True)
    sa.add_argument("--end", type=_date)
    sa.add_argument("--unit", default="")
    sa.add_argument("--description", default="")
    sa.add_argument("--measures", default="")
    sa.add_argument("--json", action="store_true")
    sa.set_defaults(func=_scenario_add)
    sb = ssub.add_parser("benefit", help="登记受益主体（措施和金额）")
    sb.add_argument("scenario_id")
    sb.add_argument("--date", type=_date, required=True)
    sb.add_argument("--measure", required=True)
    sb.add_argument("--entity")
    sb.add_argument("--beneficiary", default="")
    sb.add_argument("--amount", type=float, help="金额（万元）")
    sb.add_argument("--note", default="")
    sb.add_argument("--json", action="store_true")
    sb.set_defaults(func=_scenario_benefit)
    _list_args(sl := ssub.add_parser("list", help="场景列表（--out 导出）"))
    sl.set_defaults(func=_register_list, register="scenario")

    mp = sub.add_parser("model", help="诚信典型、示范企业和诚信评选推荐对象")
    msub = _subparsers(mp, "model_command")
    ma = msub.add_parser("add", help="登记推荐对象")
    ma.add_argument("--kind", required=True)
    ma.add_argument("--date", type=_date, required=True)
    ma.add_argument("--entity")
    ma.add_argument("--name", default="")
    ma.add_argument("--unit", default="")
    ma.add_argument("--edition", default="", help="评选届次（第四届、第五届）")
    ma.add_argument("--reason", required=True)
    ma.add_argument("--json", action="store_true")
    ma.set_defaults(func=_model_add)
    mo = msub.add_parser("outcome", help="登记结果：recommended / selected / not_selected / pending")
    mo.add_argument("id")
    mo.add_argument("--outcome", required=True)
    mo.add_argument("--date", type=_date)
    mo.add_argument("--note", default="")
    mo.set_defaults(func=_model_outcome)
    _list_args(ml := msub.add_parser("list", help="推荐对象列表（--out 导出）"))
    ml.set_defaults(func=_register_list, register="model")

    wp = sub.add_parser("website", help="信用网站信息报送（谁生产、谁审核）")
    wsub = _subparsers(wp, "website_command")
    wa = wsub.add_parser("add", help="报送一条信息（待审核）")
    wa.add_argument("--kind", required=True)
    wa.add_argument("--title", required=True)
    wa.add_argument("--content", required=True)
    wa.add_argument("--unit", default="")
    wa.add_argument("--json", action="store_true")
    wa.set_defaults(func=_website_add)
    wr = wsub.add_parser("review", help="审核（须审核权限，且不能审核本人报送的信息）")
    wr.add_argument("id")
    g = wr.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true")
    g.add_argument("--return", dest="return_", action="store_true", help="退回修改")
    wr.add_argument("--note", default="")
    wr.set_defaults(func=_website_review)
    wpub = wsub.add_parser("publish", help="发布已审核的信息")
    wpub.add_argument("id")
    wpub.add_argument("--url", default="")
    wpub.set_defaults(func=_website_publish)
    _list_args(wl := wsub.add_parser("list", help="信息列表（--out 导出）"))
    wl.add_argument("--status", choices=["submitted", "approved", "returned", "published"])
    wl.set_defaults(func=_register_list, register="website")

    # --- indicators, monthly reports, to-do, units ---
    ind = sub.add_parser("indicators", help="指标看板：方案目标和市考核得分项（目标、实际、是否达标）")
    ind.add_argument("--year", type=_year, required=True)
    ind.add_argument("--unit")
    ind.add_argument("--as-of", type=_date, help="按该日统计（默认今天）")
    ind.add_argument("--json", action="store_true")
    ind.set_defaults(func=_indicators)
    mr = sub.add_parser("monthly-report", help="“双公示”月报报送登记")
    mrsub = _subparsers(mr, "monthly_command")
    mra = mrsub.add_parser("add", help="登记某月月报已报送")
    mra.add_argument("--month", required=True, help="YYYY-MM")
    mra.add_argument("--unit", default="", help="单位（默认全局，即全局的月报）")
    mra.add_argument("--on", type=_date)
    mra.add_argument("--note", default="")
    mra.add_argument("--json", action="store_true")
    mra.set_defaults(func=_monthly_add)
    mrl = mrsub.add_parser("list")
    mrl.add_argument("--year", type=_year)
    mrl.add_argument("--json", action="store_true")
    mrl.set_defaults(func=_monthly_list)
    todo = sub.add_parser("todo", help="待办事项：即将到期和已逾期的记录")
    todo.add_argument("--date", type=_date, help="按该日计算（默认今天）")
    todo.add_argument("--json", action="store_true")
    todo.set_defaults(func=_todo)
    units = sub.add_parser("units", help="单位字典（局属各单位）")
    units.add_argument("--json", action="store_true")
    units.set_defaults(func=_units)
    stats = command_group(sub, "stats", "统计指标 (indicators)")
    sc = stats.add_parser("completeness", help="各类记录的数据内容完整率")
    sc.add_argument("--year", type=_year)
    sc.add_argument("--from", dest="date_from", type=_date)
    sc.add_argument("--to", dest="date_to", type=_date)
    sc.add_argument("--unit")
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(func=_completeness)

    # --- print and export ---
    printer = sub.choices.get("print")
    if printer is not None:
        psub = next(a for a in printer._actions if isinstance(a, argparse._SubParsersAction))
        pt = psub.add_parser("tasks", help="打印建设任务进展情况（领导小组会议用）")
        pt.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
        pt.add_argument("--plan")
        pt.set_defaults(func=_print_tasks)
        pi = psub.add_parser("indicators", help="打印年度指标完成情况（一页，含图表）")
        pi.add_argument("--year", type=_year, required=True)
        pi.add_argument("--unit")
        pi.add_argument("--as-of", type=_date)
        pi.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
        pi.set_defaults(func=_print_indicators)
    exp = command_group(sub, "export", "导出 (export spreadsheets)")
    yb = exp.add_parser("yearbook", help="年度统计工作簿（市考核佐证材料）")
    yb.add_argument("--year", type=_year, required=True)
    yb.add_argument("--unit")
    yb.add_argument("--as-of", type=_date)
    yb.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    yb.set_defaults(func=_yearbook)


# --- handlers ----------------------------------------------------------------------------------------------

def _task_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.domain.plan import TaskStatus
    from xuyi_desktop.services.plan_tasks import list_tasks

    views = list_tasks(context(args), unit=args.unit, plan=args.plan, today=args.date,
                       status=TaskStatus(args.status) if args.status else None)
    if args.json:
        print_json([{k: v for k, v in view.to_json().items() if k != "reports"} for view in views])
    else:
        for v in views:
            t = v.task
            print(f"{t.label}\t{v.status.label}\t{t.deadline}\t{t.item_name}\t{t.responsible}")
    return EXIT_OK


def _task_show(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_tasks import get_task

    view = get_task(context(args), args.id, plan=args.plan, today=args.date)
    if args.json:
        print_json(view.to_json())
    else:
        t = view.task
        print(f"任务{t.label} {t.item_name}（{view.status.label}）\n{t.content}\n完成时间：{t.deadline}（{t.due}）\n责任部门：{t.responsible}")
        for s in view.standings:
            print(f"  {s.unit}：{s.status.label}，{s.reason}")
        for r in view.reports:
            print(f"  {r.reported_on} {r.unit}：{r.text}" + (f"（{r.percent}%）" if r.percent is not None else ""))
    return EXIT_OK


def _task_report(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_tasks import report_progress

    view = report_progress(context(args), args.id, unit=args.unit, text=args.text, percent=args.percent,
                           milestone=args.milestone, completed=args.done, on=args.on, attachments=args.attach, plan=args.plan)
    if args.json:
        print_json(view.to_json())
    else:
        print(f"已报送任务进展：{view.task_id} {view.unit}" + ("（已完成）" if view.completed else "") + (f"，附件{len(view.files)}个" if view.files else ""))
    return EXIT_OK


def _task_warnings(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_tasks import warnings

    items = warnings(context(args), today=args.date)
    if args.json:
        print_json([{"task": w.task.id, "label": w.task.label, "unit": w.unit, "status": w.status.value,
                     "due": w.due.isoformat() if w.due else None, "reason": w.reason} for w in items])
    else:
        for w in items:
            print(w.text())
    return EXIT_OK


def _print_result(args: argparse.Namespace, what: str, new_id: uuid.UUID) -> int:
    if getattr(args, "json", False):
        print_json({"id": str(new_id)})
    else:
        print(f"已登记{what}：{new_id}")
    return EXIT_OK


def _campaign_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import add_campaign

    new_id = add_campaign(context(args), held_on=args.held_on, ends_on=args.ends_on, kind=args.kind, theme=args.theme,
                          place=args.place, unit=args.unit, reach=args.reach, media_links="\n".join(args.media),
                          notes=args.notes, photos=args.photo)
    return _print_result(args, "宣传活动", new_id)


def _training_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import add_training

    new_id = add_training(context(args), held_on=args.held_on, kind=args.kind, topic=args.topic, trainer=args.trainer,
                          place=args.place, unit=args.unit, hours=args.hours, notes=args.notes)
    return _print_result(args, "信用培训", new_id)


def _training_attendee(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import add_attendee

    new_id = add_attendee(context(args), args.training_id, entity=args.entity, person_name=args.name, org_name=args.org,
                          certificate_no=args.certificate, certificate_on=args.certificate_date,
                          certificate_file=args.certificate_file)
    return _print_result(args, "参训人员", new_id)


def _training_certificates(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import find_training_certificates

    certs = find_training_certificates(context(args), args.entity, repair_only=args.repair_only)
    if args.json:
        print_json([c.to_json() for c in certs])
    else:
        for c in certs:
            print(f"{c.certificate_no}\t{c.held_on}\t{c.training_kind}\t{c.topic}\t{c.holder}")
        if not certs:
            print("没有培训证明")
    return EXIT_OK


def _scenario_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import add_scenario

    new_id = add_scenario(context(args), name=args.name, business_type=args.business_type, started_on=args.start,
                          ended_on=args.end, unit=args.unit, description=args.description, measures=args.measures)
    return _print_result(args, "“信易+”场景", new_id)


def _scenario_benefit(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import add_benefit

    new_id = add_benefit(context(args), args.scenario_id, granted_on=args.date, measure=args.measure, entity=args.entity,
                         beneficiary=args.beneficiary, amount_wan=args.amount, note=args.note)
    return _print_result(args, "受益主体", new_id)


def _model_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import add_model

    new_id = add_model(context(args), kind=args.kind, nominated_on=args.date, entity=args.entity, name=args.name,
                       unit=args.unit, edition=args.edition, reason=args.reason)
    return _print_result(args, "推荐对象", new_id)


def _model_outcome(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import OUTCOMES, set_model_outcome

    set_model_outcome(context(args), args.id, outcome=args.outcome, on=args.date, note=args.note)
    print(f"已登记结果：{OUTCOMES.get(args.outcome, args.outcome)}")
    return EXIT_OK


def _website_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import submit_website_item

    new_id = submit_website_item(context(args), kind=args.kind, title=args.title, content=args.content, unit=args.unit)
    return _print_result(args, "信用网站信息（待审核）", new_id)


def _website_review(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import review_website_item

    review_website_item(context(args), args.id, approve=args.approve, note=args.note)
    print("已审核通过" if args.approve else "已退回修改")
    return EXIT_OK


def _website_publish(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import publish_website_item

    publish_website_item(context(args), args.id, url=args.url)
    print("已发布")
    return EXIT_OK


def _register_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_registers import REGISTERS, export_register, list_register

    ctx = context(args)
    if args.out:
        n = export_register(ctx, args.register, args.out, year=args.year, unit=args.unit)
        print(f"已导出{REGISTERS[args.register].label} {n} 条：{args.out}")
        return EXIT_OK
    rows = list_register(ctx, args.register, year=args.year, unit=args.unit, status=getattr(args, "status", None))
    if args.json:
        print_json(rows)
    else:
        spec = REGISTERS[args.register]
        for r in rows:
            print("\t".join(str(r.get(k) if r.get(k) is not None else "") for k, _, _ in spec.columns[:5]) + f"\t{r['id']}")
    return EXIT_OK


def _indicators(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.indicators import plan_indicators

    report = plan_indicators(context(args), year=args.year, unit=args.unit, as_of=args.as_of)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"{report.year}年度指标（{report.unit or '全局'}，截至{report.as_of}）：达标 {report.met_count}/{report.judged_count}")
        for f in report.figures:
            print(f"{f.definition.name}\t目标{f.definition.target_text()}\t实际{f.actual_text}\t{f.met_text}")
    return EXIT_OK


def _monthly_add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.indicators import add_monthly_report

    view = add_monthly_report(context(args), args.month, unit=args.unit, on=args.on, note=args.note)
    if args.json:
        print_json(view.to_json())
    else:
        print(f"已登记{view.month}双公示月报（{view.unit or '全局'}，{view.submitted_on}，{'按时' if view.on_time else '逾期'}）")
    return EXIT_OK


def _monthly_list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.indicators import list_monthly_reports

    views = list_monthly_reports(context(args), year=args.year)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for v in views:
            print(f"{v.month}\t{v.unit or '全局'}\t{v.submitted_on}\t{'按时' if v.on_time else '逾期'}")
    return EXIT_OK


def _todo(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.todo import todo_items

    items = todo_items(context(args), today=args.date)
    if args.json:
        print_json([i.to_json() for i in items])
    else:
        for i in items:
            print(f"{'【逾期】' if i.overdue else ''}{i.kind_label}\t{i.due or ''}\t{i.title}\t{i.note}")
        if not items:
            print("没有待办事项")
    return EXIT_OK


def _units(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.units import unit_dictionary

    d = unit_dictionary()
    if args.json:
        print_json({"units": [{"name": u.name, "kind": u.kind, "aliases": list(u.aliases)} for u in d.units],
                    "groups": [{"name": g.name, "members": list(g.members), "expected": g.expected} for g in d.groups]})
    else:
        for u in d.units:
            print(f"{u.name}\t{u.kind}\t{'、'.join(u.aliases)}")
    return EXIT_OK


def _completeness(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.completeness import completeness

    if args.year:
        start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    elif args.date_from and args.date_to:
        start, end = args.date_from, args.date_to
    else:
        raise argparse.ArgumentTypeError("请给出 --year，或 --from 和 --to")
    figures = completeness(context(args), date_from=start, date_to=end, unit=args.unit)
    if args.json:
        print_json(figures.to_json())
    else:
        rate = "—" if figures.rate is None else f"{figures.rate * 100:.1f}%"
        print(f"{start}～{end}{('，' + args.unit) if args.unit else ''}：信用记录数据内容完整率 {rate}"
              f"（{figures.fields_filled}/{figures.fields_total} 项）")
        for k in figures.kinds:
            r = "—" if k.rate is None else f"{k.rate * 100:.1f}%"
            print(f"  {k.label}：{r}（{k.records} 条，缺项 {len(k.incomplete)} 条）" + ("" if k.counted else "（不分单位，未计）"))
    return EXIT_OK


def _print_tasks(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.plan_tasks import print_progress_summary

    out = print_progress_summary(context(args), args.out, plan=args.plan)
    print(f"已生成：{out}")
    return EXIT_OK


def _print_indicators(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.indicators import print_indicators

    out = print_indicators(context(args), args.out, year=args.year, unit=args.unit, as_of=args.as_of)
    print(f"已生成：{out}")
    return EXIT_OK


def _yearbook(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.yearbook import export_yearbook

    out = export_yearbook(context(args), args.out, year=args.year, unit=args.unit, as_of=args.as_of)
    print(f"已导出：{out}")
    return EXIT_OK
