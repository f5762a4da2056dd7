"""`xuyi commitment …` (信用承诺: types, areas, add, list, overdue, fulfil, violate, revoke, export, indicator)
and `xuyi print commitment ID` / `xuyi print commitments …` (the 信用承诺书 as PDF)."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
from pathlib import Path
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def register(sub: Any) -> None:
    cm = sub.add_parser("commitment", help="信用承诺：登记、践诺、违诺、逾期跟踪、公示导出 (credit commitments)")
    csub = cm.add_subparsers(dest="commitment_command", required=True, metavar="ACTION")

    types = csub.add_parser("types", help="承诺类型（code 与名称）")
    types.add_argument("--json", action="store_true")
    types.set_defaults(func=_types)

    areas = csub.add_parser("areas", help="应用领域（code 与名称）")
    areas.add_argument("--json", action="store_true")
    areas.set_defaults(func=_areas)

    add = csub.add_parser("add", help="登记一份信用承诺（履约中），分配承诺书编号")
    add.add_argument("--entity", required=True, help="市场主体：统一社会信用代码、身份证号码或 ID")
    add.add_argument("--type", required=True, dest="type_code", help="承诺类型 code（见 types）")
    add.add_argument("--area", required=True, dest="area_code", help="应用领域 code（见 areas）")
    add.add_argument("--business", required=True, help="承诺涉及的业务，如许可申请编号")
    add.add_argument("--term-days", required=True, type=int, help="履约期限（天，自签署次日起算）")
    add.add_argument("--item", action="append", dest="items", help="承诺事项，可重复（默认取该类型的默认事项）")
    add.add_argument("--signer", default="", help="签署人（默认法定代表人）")
    add.add_argument("--signed-on", type=_date, help="签署日期 YYYY-MM-DD（默认今天）")
    add.add_argument("--override-reason", default="",
                     help="信用核查不予受理时，审核人员决定例外受理的理由（须审核权限，记入操作日志）")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_add)

    ls = csub.add_parser("list", help="列出信用承诺（新的在前）")
    ls.add_argument("--entity")
    ls.add_argument("--status", help="active/fulfilled/violated/revoked 或 履约中/已践诺/违诺/撤销")
    ls.add_argument("--overdue", action="store_true", help="只列逾期未办结的（履约期限已过、仍在履约中）")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)

    od = csub.add_parser("overdue", help="逾期未办结的承诺（待跟踪核查）")
    od.add_argument("--json", action="store_true")
    od.set_defaults(func=_overdue)

    show = csub.add_parser("show", help="查看一份承诺（ID 或编号）")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)

    ful = csub.add_parser("fulfil", help="履约中 → 已践诺")
    ful.add_argument("id", metavar="ID")
    ful.add_argument("--note", default="")
    ful.add_argument("--on", type=_date, help="办结日期（默认今天）")
    ful.add_argument("--json", action="store_true")
    ful.set_defaults(func=_fulfil)

    vio = csub.add_parser("violate", help="履约中 → 违诺（同时记入失信记录）")
    vio.add_argument("id", metavar="ID")
    vio.add_argument("--facts", required=True, help="违诺事实")
    vio.add_argument("--handling", default="", help="处理情况")
    vio.add_argument("--penalty-no", default="", help="处罚决定书文号")
    vio.add_argument("--on", "--date", dest="on", type=_date, help="违诺日期（失信记录记这一天；默认今天）")
    vio.add_argument("--json", action="store_true")
    vio.set_defaults(func=_violate)

    rev = csub.add_parser("revoke", help="履约中 → 撤销（须审核权限）")
    rev.add_argument("id", metavar="ID")
    rev.add_argument("--reason", required=True)
    rev.add_argument("--json", action="store_true")
    rev.set_defaults(func=_revoke)

    exp = csub.add_parser("export", help="导出信用承诺公示 .xlsx（自然人证件号码脱敏），附应用领域指标")
    exp.add_argument("--from", dest="start", required=True, type=_date)
    exp.add_argument("--to", dest="end", required=True, type=_date)
    exp.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(func=_export)

    ind = csub.add_parser("indicator", help="指标：期间内有信用承诺的应用领域数")
    ind.add_argument("--from", dest="start", required=True, type=_date)
    ind.add_argument("--to", dest="end", required=True, type=_date)
    ind.add_argument("--unit", help="只统计该单位受理的承诺（单位名称，见 resources/units.toml）")
    ind.add_argument("--json", action="store_true")
    ind.set_defaults(func=_indicator)

    # `xuyi print commitment ID` and `xuyi print commitments`: added to the print group's subcommands.
    printer = sub.choices.get("print")
    if printer is not None:
        psub = next(a for a in printer._actions if isinstance(a, argparse._SubParsersAction))
        one = psub.add_parser("commitment", help="打印一份信用承诺书（ID 或编号）")
        one.add_argument("id", metavar="ID")
        one.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
        one.add_argument("--preview", action="store_true", help="打印样张（带水印、不编号、无核验码）")
        one.add_argument("--reveal", action="store_true", help="自然人证件号码完整打印（需相应权限）")
        one.set_defaults(func=_print_one)
        many = psub.add_parser("commitments", help="批量打印信用承诺书，合为一个 PDF（ID 列表，或按条件）")
        many.add_argument("ids", nargs="*", metavar="ID")
        many.add_argument("--entity")
        many.add_argument("--status")
        many.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
        many.set_defaults(func=_print_many)


def _types(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import catalogue

    items = [{"code": t.code, "name": t.name, "title": t.title, "template": t.template, "items": list(t.items)} for t in catalogue().types]
    if args.json:
        print_json(items)
    else:
        for t in items:
            print(f"{t['code']}\t{t['name']}")
    return EXIT_OK


def _areas(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import catalogue

    items = [{"code": a.code, "name": a.name} for a in catalogue().areas]
    if args.json:
        print_json(items)
    else:
        for a in items:
            print(f"{a['code']}\t{a['name']}")
    return EXIT_OK


def _print_view(view: Any, as_json: bool) -> None:
    if as_json:
        print_json(view.to_json())
        return
    print(f"{view.serial}\t{view.status.label}\t{view.entity_name}\t{view.type_name}\t{view.area_name}\t{view.business}\t履约期限至 {view.term_until.isoformat()}")
    print(f"  ID：{view.id}")
    for w in view.warnings:
        print(f"  注意：{w}")


def _add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import CommitmentInput, add_commitment

    view = add_commitment(context(args), CommitmentInput(
        args.entity, args.type_code, args.area_code, args.business, args.term_days, tuple(args.items or ()),
        signer=args.signer, signed_on=args.signed_on, override_reason=args.override_reason,
    ))
    _print_view(view, args.json)
    return EXIT_OK


def _print_list(views: list[Any], as_json: bool) -> None:
    if as_json:
        print_json([v.to_json() for v in views])
        return
    for v in views:
        flag = "（逾期）" if v.overdue else ""
        print(f"{v.id}\t{v.serial}\t{v.status.label}{flag}\t{v.entity_name}\t{v.type_name}\t{v.area_name}\t{v.business}\t{v.term_until.isoformat()}")
    print(f"共 {len(views)} 份")


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import list_commitments

    _print_list(list_commitments(context(args), entity=args.entity, status=args.status, overdue=args.overdue), args.json)
    return EXIT_OK


def _overdue(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import overdue_commitments

    _print_list(overdue_commitments(context(args)), args.json)
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import get_commitment

    _print_view(get_commitment(context(args), args.id), args.json)
    return EXIT_OK


def _fulfil(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import fulfil

    _print_view(fulfil(context(args), args.id, note=args.note, on=args.on), args.json)
    return EXIT_OK


def _violate(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import violate

    _print_view(violate(context(args), args.id, facts=args.facts, handling=args.handling, penalty_document_no=args.penalty_no, on=args.on), args.json)
    return EXIT_OK


def _revoke(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import revoke

    _print_view(revoke(context(args), args.id, reason=args.reason), args.json)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import export_publicity

    count, indicator = export_publicity(context(args), args.out, args.start, args.end)
    if args.json:
        print_json({"rows": count, "file": str(args.out), "indicator": indicator.to_json()})
    else:
        print(f"已导出 {count} 条：{args.out}")
        print(indicator.text())
    return EXIT_OK


def _indicator(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.commitments import area_indicator

    indicator = area_indicator(context(args), args.start, args.end, args.unit)
    if args.json:
        print_json(indicator.to_json())
    else:
        print(indicator.text())
    return EXIT_OK


def _print_one(args: argparse.Namespace) -> int:
    from xuyi_desktop.cli.print_commands import warn_provisional
    from xuyi_desktop.services.commitments import print_commitment

    ctx = context(args) if args.preview else warn_provisional(context(args))
    out = print_commitment(ctx, args.id, args.out, reveal=args.reveal, preview=args.preview)
    print(f"已生成：{out}")
    return EXIT_OK


def _print_many(args: argparse.Namespace) -> int:
    from xuyi_desktop.cli.print_commands import _Progress, warn_provisional
    from xuyi_desktop.services.commitments import list_commitments, print_commitment_batch

    ctx = warn_provisional(context(args))
    ids: list[Any] = list(args.ids)
    if not ids:
        ids = [v.id for v in reversed(list_commitments(ctx, entity=args.entity, status=args.status, limit=100_000))]
    progress = _Progress()
    previous = signal.signal(signal.SIGINT, progress.on_sigint)
    try:
        done = print_commitment_batch(ctx, ids, args.out, progress=progress, cancelled=progress.cancelled)
    finally:
        signal.signal(signal.SIGINT, previous)
    print(f"已生成：{done.path}（{done.printed}份）")
    if done.left_out:
        print(done.left_out_text())
    return EXIT_OK
