"""`xuyi entity add|find|show|link|edit|delete`: register, look up, correct and delete market entities, over the same
services the window's entity form and registry page call."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json
from xuyi_desktop.domain.entities import EntityDraft, EntityKind, EntityStatus, LicenceDraft
from xuyi_desktop.domain.errors import DomainError


def register(sub: Any) -> None:
    entity = sub.add_parser("entity", help="市场主体：登记、查询、查看、修改、删除 (market entities)")
    esub = entity.add_subparsers(dest="entity_command", required=True, metavar="ACTION")

    add = esub.add_parser("add", help="登记市场主体")
    add.add_argument("--name", required=True, help="名称或姓名")
    add.add_argument("--id", dest="identifier", required=True, help="统一社会信用代码或身份证号码")
    add.add_argument("--kind", choices=["org", "person"], help="单位或个人（省略时由证件号码判断）")
    add.add_argument("--category", action="append", default=[], help="主体类别（代码或中文名称，可重复）")
    add.add_argument("--legal-rep", default="", help="法定代表人或负责人")
    add.add_argument("--address", default="")
    add.add_argument("--phone", default="")
    add.add_argument("--region", default="", help="行政区划代码（省略时取自证件号码）")
    add.add_argument("--notes", default="")
    add.add_argument("--licence", action="append", default=[], metavar="TYPE:NUMBER[:FROM:TO]", help="证照，如 道路运输经营许可证:320830000001:2024-01-01:2028-01-01")
    add.add_argument("--allow-similar", action="store_true", help="名称相近时仍然登记")
    add.add_argument("--override-check-reason", metavar="REASON", help="校验位不符但确属合法代码时，填写人工确认理由")
    add.add_argument("--lookalike-reason", metavar="REASON",
                     help="名称与已登记主体形似（如混用外文字母）但确属另一主体时，由审核人填写理由（记入操作日志）")
    add.add_argument("--json", action="store_true")

    find = esub.add_parser("find", help="按名称片段、证件号码或拼音查找")
    find.add_argument("query")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--reveal", action="store_true", help="显示完整身份证号和电话（默认脱敏）")
    find.add_argument("--json", action="store_true")

    show = esub.add_parser("show", help="查看一个主体（UUID 或证件号码）")
    show.add_argument("id", metavar="ID")
    show.add_argument("--reveal", action="store_true")
    show.add_argument("--history", action="store_true", help="同时显示修改记录")
    show.add_argument("--json", action="store_true")
    link = esub.add_parser("link", help="把个人关联到单位（驾驶员所属经营者、主要从业人员所属单位）")
    link.add_argument("person", help="个人的 UUID 或身份证号码")
    link.add_argument("org", help="单位的 UUID 或统一社会信用代码")
    link.add_argument("--type", dest="relation_type", choices=["employee", "key_personnel"], default="employee")
    link.add_argument("--title", default="", help="岗位，如 驾驶员、项目经理")

    edit = esub.add_parser("edit", help="修改市场主体（只改给出的字段；给空值则清空该字段）")
    edit.add_argument("id", metavar="ID", help="主体 UUID 或证件号码")
    for option, dest, text in EDIT_FIELDS:
        edit.add_argument(option, dest=dest, metavar="VALUE", help=text)
    edit.add_argument("--category", action="append", metavar="CATEGORY",
                      help="主体类别（代码或中文名称，可重复；给出即替换原有类别，--category \"\" 清空）")
    edit.add_argument("--status", choices=[s.value for s in EntityStatus], help="登记状态：active 存续、cancelled 注销、revoked 吊销")
    edit.add_argument("--expected-version", type=int, metavar="N", help="只在主体仍是第N版时保存（防止覆盖他人的修改）")
    edit.add_argument("--allow-similar", action="store_true", help="改名后与其他主体名称相近时仍然保存")
    edit.add_argument("--override-check-reason", metavar="REASON", help="校验位不符但确属合法代码时，填写人工确认理由")
    edit.add_argument("--json", action="store_true")

    delete = esub.add_parser("delete", help="删除市场主体（保留删除记录并同步到各单位；须写明理由）")
    delete.add_argument("id", metavar="ID", help="主体 UUID 或证件号码")
    delete.add_argument("--reason", required=True, help="删除理由（记入修改记录和操作日志）")
    delete.add_argument("--expected-version", type=int, metavar="N", help="只在主体仍是第N版时删除")
    entity.set_defaults(func=_entity)


# `xuyi entity edit` options: (option, EntityDraft field, help). An empty value clears the field.
EDIT_FIELDS = (
    ("--name", "name", "名称或姓名"),
    ("--identifier", "identifier", "统一社会信用代码或身份证号码"),
    ("--legal-rep", "legal_representative", "法定代表人或负责人"),
    ("--address", "address", "地址"),
    ("--phone", "phone", "联系电话"),
    ("--region", "region_code", "行政区划代码"),
    ("--notes", "notes", "备注"),
)


def _parse_licence(text: str) -> LicenceDraft:
    parts = text.split(":")
    if len(parts) not in (2, 4):
        raise argparse.ArgumentTypeError(f"证照格式应为 类型:编号[:起始日期:截止日期]，收到 {text}")
    dates = [dt.date.fromisoformat(p) if p else None for p in parts[2:4]] if len(parts) == 4 else [None, None]
    return LicenceDraft(parts[0], parts[1], dates[0], dates[1])


def _summary_line(s: Any) -> str:
    cats = "、".join(s.category_labels)
    matched = f"\t〔{s.matched}〕" if s.matched else ""
    return f"{s.name}\t{s.identifier}\t{s.kind_label}\t{s.status_label}\t{cats}\t{s.id}{matched}"


def _entity(args: argparse.Namespace) -> int:
    from xuyi_desktop.services import entities as svc

    ctx = context(args)
    if args.entity_command == "add":
        draft = EntityDraft(
            name=args.name,
            identifier=args.identifier,
            kind=EntityKind(args.kind) if args.kind else None,
            categories=tuple(args.category),
            legal_representative=args.legal_rep,
            address=args.address,
            phone=args.phone,
            region_code=args.region,
            status=EntityStatus.ACTIVE,
            notes=args.notes,
            licences=tuple(_parse_licence(x) for x in args.licence),
        )
        detail = svc.register_entity(ctx, draft, allow_similar=args.allow_similar, override_reason=args.override_check_reason,
                                     lookalike_reason=args.lookalike_reason)
        for warning in detail.warnings:
            print(f"提示：{warning}", file=sys.stderr)
        if args.json:
            print_json(detail.to_json())
        else:
            print("已登记 (registered): " + _summary_line(detail.summary))
        return EXIT_OK
    if args.entity_command == "find":
        hits = svc.find_entities(ctx, args.query, limit=args.limit, reveal=args.reveal)
        if args.json:
            print_json([h.to_json() for h in hits])
        else:
            for h in hits:
                print(_summary_line(h))
            print(f"共 {len(hits)} 条 ({len(hits)} hits)", file=sys.stderr)
        return EXIT_OK
    if args.entity_command == "link":
        from xuyi_desktop.domain.entities import RelationType

        person, org = svc.get_entity(ctx, args.person), svc.get_entity(ctx, args.org)
        svc.link_person(ctx, person.summary.id, org.summary.id, RelationType(args.relation_type), title=args.title)
        print(f"已关联 (linked): {person.summary.name} → {org.summary.name}")
        return EXIT_OK
    if args.entity_command == "show":
        detail = svc.get_entity(ctx, args.id, reveal=args.reveal)
        history = svc.entity_history(ctx, detail.summary.id) if args.history else []
        relations = svc.entity_relations(ctx, detail.summary.id)
        if args.json:
            data = detail.to_json()
            data["relations"] = [
                {"id": str(r.id), "entity_id": str(r.other.id), "name": r.other.name, "identifier": r.other.identifier,
                 "relation_type": r.relation_type.value, "title": r.title}
                for r in relations
            ]
            if args.history:
                data["history"] = [
                    {"at": h.at.isoformat(), "actor": h.actor, "office": h.office_code, "action": h.action, "version": h.version, "summary": h.summary}
                    for h in history
                ]
            print_json(data)
        else:
            s = detail.summary
            print(f"名称: {s.name}\n证件号码: {s.identifier}\n类型: {s.kind_label}\n状态: {s.status_label}" + ("（已删除）" if detail.deleted else ""))
            print(f"类别: {'、'.join(s.category_labels)}\n法定代表人/负责人: {s.legal_representative}\n地址: {detail.address}\n电话: {s.phone}")
            print(f"行政区划: {s.region_code}\n版本: {s.version}\nID: {s.id}")
            for lic in detail.licences:
                print(f"证照: {lic.licence_type} {lic.number} {lic.valid_from or ''}—{lic.valid_to or ''}")
            for r in relations:
                print(f"关联: {r.other.name} {r.other.identifier} {r.relation_type.label} {r.title}")
            for entry in history:
                print(f"{entry.at.astimezone():%Y-%m-%d %H:%M} {entry.office_code} {entry.actor} v{entry.version} {entry.summary}")
        return EXIT_OK
    if args.entity_command == "edit":
        return _edit(ctx, args)
    if args.entity_command == "delete":
        return _delete(ctx, args)
    raise AssertionError(args.entity_command)


class NothingToChange(DomainError):
    message_zh = "未给出要修改的字段（如 --name、--phone、--category；空值表示清空）"
    message_en = "no field to change given"


class ReasonRequired(DomainError):
    message_zh = "请填写删除理由（--reason）"
    message_en = "a reason is required"


def _edit(ctx: Any, args: argparse.Namespace) -> int:
    """Only the fields given change (services.entities.edit_entity, then update_entity as the entity form saves), with
    the version read, so an edit made meanwhile elsewhere is reported instead of overwritten."""
    from xuyi_desktop.services import entities as svc

    changes: dict[str, Any] = {dest: getattr(args, dest) for _, dest, _ in EDIT_FIELDS if getattr(args, dest) is not None}
    if args.category is not None:
        changes["categories"] = tuple(c for c in args.category if c.strip())
    if args.status is not None:
        changes["status"] = EntityStatus(args.status)
    if not changes:
        raise NothingToChange()
    before = svc.get_entity(ctx, args.id).summary.version  # masked read: nothing personal shown, nothing logged
    saved = svc.edit_entity(ctx, args.id, changes, expected_version=args.expected_version, allow_similar=args.allow_similar,
                            override_reason=args.override_check_reason)
    for warning in saved.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    shown = svc.get_entity(ctx, saved.summary.id)  # masked again, as `entity show` prints it
    if args.json:
        print_json(shown.to_json())
    else:
        print(("未改变 (unchanged): " if shown.summary.version == before else "已修改 (updated): ") + _summary_line(shown.summary))
    return EXIT_OK


def _delete(ctx: Any, args: argparse.Namespace) -> int:
    from xuyi_desktop.services import entities as svc

    if not args.reason.strip():
        raise ReasonRequired()
    detail = svc.get_entity(ctx, args.id)
    if detail.deleted:
        raise svc.NotFoundError(args.id)
    s = detail.summary
    svc.delete_entity(ctx, s.id, expected_version=args.expected_version if args.expected_version is not None else s.version,
                      reason=args.reason.strip())
    print(f"已删除 (deleted): {s.name}\t{s.identifier}\t{s.id}")
    return EXIT_OK
