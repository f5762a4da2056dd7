"""`xuyi dict kinds|list|show|add|edit|end|reopen KIND …` (字典管理) and `xuyi pick TEXT` (the entity picker).

The same service functions as the desktop's 字典管理 page (services/dictionaries.py) and its entity picker
(services/entity_lookup.py). Administrators edit; everyone may list."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from xuyi_desktop.cli.common import EXIT_OK, context, print_json
from xuyi_desktop.domain.dictionaries import KINDS
from xuyi_desktop.domain.errors import FieldProblem, ValidationError

_KIND_HELP = "字典种类：" + "、".join(f"{k.code}（{k.label}）" for k in KINDS.values())


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD（收到：{text}）") from exc


def register(sub: Any) -> None:
    d = sub.add_parser("dict", help="字典管理：决定机关、权力事项、许可证件类型、乡镇（管理员维护，随同步分发）")
    dsub = d.add_subparsers(dest="dict_command", required=True, metavar="ACTION")
    kinds = dsub.add_parser("kinds", help="字典种类及各自的字段")
    kinds.add_argument("--json", action="store_true")
    kinds.set_defaults(func=_kinds)
    lst = dsub.add_parser("list", help="列出一种字典的条目")
    lst.add_argument("kind", help=_KIND_HELP)
    lst.add_argument("--all", action="store_true", help="也列出已停用的条目")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)
    show = dsub.add_parser("show", help="一个条目的全部字段")
    show.add_argument("kind", help=_KIND_HELP)
    show.add_argument("key", help="名称、代码或编号（id）")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)
    add = dsub.add_parser("add", help="新增条目（管理员）")
    add.add_argument("kind", help=_KIND_HELP)
    add.add_argument("--set", action="append", default=[], metavar="字段=值", help="字段名或中文名（见 xuyi dict kinds）；可重复")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_add)
    edit = dsub.add_parser("edit", help="修改条目（管理员；空值清除该字段；保存后不再标记“待核实”）")
    edit.add_argument("kind", help=_KIND_HELP)
    edit.add_argument("key", help="名称、代码或编号（id）")
    edit.add_argument("--set", action="append", default=[], metavar="字段=值")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(func=_edit)
    end = dsub.add_parser("end", help="停用条目（管理员；已登记的记录不受影响）")
    end.add_argument("kind", help=_KIND_HELP)
    end.add_argument("key", help="名称、代码或编号（id）")
    end.add_argument("--reason", required=True)
    end.add_argument("--on", type=_date, help="停用日期（默认今天）")
    end.set_defaults(func=_end)
    reopen = dsub.add_parser("reopen", help="恢复使用已停用的条目（管理员）")
    reopen.add_argument("kind", help=_KIND_HELP)
    reopen.add_argument("key", help="名称、代码或编号（id）")
    reopen.set_defaults(func=_reopen)

    pick = sub.add_parser("pick", help="查找主体（与窗口中的主体选择框相同）：名称、代码、法定代表人、状态")
    pick.add_argument("text", help="统一社会信用代码、身份证号码（完整）、名称片段或拼音首字母、车牌")
    pick.add_argument("--limit", type=int, default=10)
    pick.add_argument("--json", action="store_true")
    pick.set_defaults(func=_pick)


def _pairs(kind: str, pairs: list[str]) -> dict[str, str]:
    """字段=值 with the field by its name or its Chinese label."""
    from xuyi_desktop.domain.dictionaries import kind_of

    try:
        k = kind_of(kind)
    except KeyError:
        return {}  # the service names the unknown kind
    names = {f.name: f.name for f in k.fields} | {f.label: f.name for f in k.fields}
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValidationError(FieldProblem("set", f"应写成 字段=值（收到：{pair}）", "expected FIELD=VALUE"))
        name = names.get(key.strip())
        if name is None:
            raise ValidationError(FieldProblem("set", f"{k.label}没有“{key.strip()}”这一项，应为：{'、'.join(f.name + '（' + f.label + '）' for f in k.fields)}",
                                               "unknown field"))
        out[name] = value
    return out


def _print(view: Any, as_json: bool) -> None:
    if as_json:
        print_json(view.to_json())
        return
    kind = KINDS[view.kind]
    print(f"{kind.label}：{view.name}（{view.status_label}）  编号 {view.id}")
    for f in kind.fields:
        print(f"  {f.label}：{view.values.get(f.name) or ('待核实' if f.name == 'code' or f.kind == 'uscc' else '')}")
    if view.end_reason:
        print(f"  停用原因：{view.end_reason}")


def _kinds(args: argparse.Namespace) -> int:
    data: list[dict[str, Any]] = [{"kind": k.code, "label": k.label, "note": k.note,
             "fields": [{"name": f.name, "label": f.label, "required": f.required, "choices": [c for c in f.choices if c]} for f in k.fields]}
            for k in KINDS.values()]
    if args.json:
        print_json(data)
    else:
        for k in data:
            fields = "、".join(f"{f['name']}（{f['label']}{'，必填' if f['required'] else ''}）" for f in k["fields"])
            print(f"{k['kind']}  {k['label']}：{fields}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dictionaries import list_entries

    views = list_entries(context(args), args.kind, include_ended=args.all)
    if args.json:
        print_json([v.to_json() for v in views])
        return EXIT_OK
    for v in views:
        extra = "  ".join(f"{KINDS[v.kind].field(n).label}：{x}" for n, x in v.values.items() if x and n not in ("name", "code"))
        code = v.code or "代码待核实"
        print(f"{v.name}  {code}  [{v.status_label}]  {extra}".rstrip())
    print(f"共 {len(views)} 条")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dictionaries import get_entry

    _print(get_entry(context(args), args.kind, args.key), args.json)
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dictionaries import add_entry

    _print(add_entry(context(args), args.kind, _pairs(args.kind, args.set)), args.json)
    return EXIT_OK


def _edit(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dictionaries import edit_entry

    changes = _pairs(args.kind, args.set)
    if not changes:
        raise ValidationError(FieldProblem("set", "请用 --set 字段=值 指明要修改的字段", "nothing to change"))
    _print(edit_entry(context(args), args.kind, args.key, changes), args.json)
    return EXIT_OK


def _end(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dictionaries import end_entry

    view = end_entry(context(args), args.kind, args.key, reason=args.reason, on=args.on)
    print(f"已停用：{view.name}（{view.ended_on}）")
    return EXIT_OK


def _reopen(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.dictionaries import reopen_entry

    view = reopen_entry(context(args), args.kind, args.key)
    print(f"已恢复使用：{view.name}")
    return EXIT_OK


def _pick(args: argparse.Namespace) -> int:
    from xuyi_desktop.services.entity_lookup import pick_entities

    if args.limit < 1:
        raise ValidationError(FieldProblem("limit", "--limit 应为正整数", "limit must be positive"))
    hits = pick_entities(context(args), args.text, limit=args.limit)
    if args.json:
        print_json([h.to_json() for h in hits])
        return EXIT_OK
    for h in hits:
        print(f"{h.id}  {h.label}")
    if not hits:
        print("没有匹配的主体（可用 xuyi entity add 登记）")
    return EXIT_OK
