"""`xuyi demo-data --scenario county`: a believable county training set, made through the services (every rule
holds: identifiers valid, ratings through review and publicity, penalties through the 双公示 rules, commitments
accepted by the credit check, lists confirmed with reasons), so trainers teach on the real screens.

Never syncs: the scenario runs only on an empty database (run twice it would double every record), and it marks
the database (app_setting `training_database`); services.sync.export_package refuses to write a package
from a training database, so not one training record can leave on a USB stick.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft, RelationType
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import audit, credit_lists, sgs
from xuyi_desktop.services import commitments as cm
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.demo_data import ROADS, TOWNSHIPS, _Generator
from xuyi_desktop.services.dishonesty import add_dishonesty
from xuyi_desktop.services.entities import link_person, register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import ORGAN, license_raw, penalty_raw
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.models import AppSetting, Entity
from xuyi_desktop.storage.queries import demo as demo_queries

TRAINING_SETTING = "training_database"
ORGAN_ZF = "盱眙县交通运输综合行政执法大队"

# Long, ordinary names as they stand on county business licences (the 22-character one is the issue's own).
ORG_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("江苏淮河水运集团盱眙县港口物流装卸服务有限公司", ("port_operator", "water_operator")),
    ("盱眙县顺达交通运输有限公司", ("road_operator",)),
    ("盱眙县汽车运输总公司城乡公交客运分公司", ("road_operator",)),
    ("淮安市盱眙恒通危险货物道路运输有限责任公司", ("road_operator",)),
    ("盱眙县马坝镇鑫源货运物流配送有限公司", ("road_operator",)),
    ("江苏盱眙龙虾产业物流冷链运输有限公司", ("road_operator",)),
    ("盱眙县官滩镇宏远汽车驾驶员培训有限公司", ("road_operator",)),
    ("盱眙县天泉湖旅游客运服务有限公司", ("road_operator",)),
    ("江苏都梁路桥工程建设集团有限公司", ("construction_unit",)),
    ("盱眙县交通工程建设有限公司第二工程处", ("construction_unit",)),
    ("淮安市华泰交通建设工程有限公司盱眙分公司", ("construction_unit",)),
    ("盱眙县公路养护工程有限公司", ("maintenance_unit",)),
    ("盱眙县鲍集镇金诚公路养护作业队", ("maintenance_unit",)),
    ("盱眙县淮河镇港务有限公司", ("port_operator",)),
    ("盱眙县旧铺港口装卸搬运服务有限公司", ("port_operator", "road_operator")),
    ("江苏洪泽湖航运有限公司盱眙船务分公司", ("water_operator",)),
    ("盱眙县桂五镇安捷出租汽车有限公司", ("road_operator",)),
    ("盱眙县穆店乡永昌农产品运输专业合作社", ("road_operator",)),
    ("盱眙县河桥镇祥和砂石料水路运输有限公司", ("water_operator", "port_operator")),
    ("盱眙县管镇镇兴隆物流有限公司", ("road_operator",)),
)
DRIVER_TITLES = ("驾驶员", "驾驶员", "驾驶员", "安全管理人员", "押运员")
VIOLATIONS = (
    ("超限运输", "货车超限运输，车货总重超过限值", "《公路法》第七十六条", "罚款人民币五千元", "一般"),
    ("未按规定进行二级维护", "营运车辆逾期未进行二级维护", "《道路运输车辆技术管理规定》第三十一条", "罚款人民币一千元", "轻微"),
    ("非法改装营运车辆", "擅自改装已取得道路运输证的车辆", "《道路运输条例》第六十九条", "罚款人民币八千元", "一般"),
    ("转包、违法分包工程", "将承包的养护工程整体转包", "《公路工程建设项目招标投标管理办法》第七十条", "罚款人民币十万元", "严重"),
    ("未取得道路运输经营许可擅自从事经营", "无证从事道路普通货物运输", "《道路运输条例》第六十三条", "罚款人民币三万元", "严重"),
)


@dataclass
class CountyResult:
    entities: int
    persons: int
    ratings: int
    penalties: int
    commitments: int
    list_members: int
    seconds: float


def is_training_database(session) -> bool:
    row = session.get(AppSetting, TRAINING_SETTING)
    return row is not None and row.value == "1"


def training_database(ctx: AppContext) -> bool:
    with ctx.transaction() as session:
        return is_training_database(session)


class NotForTraining(DomainError):
    def __init__(self, entities: int, training: bool = False) -> None:
        self.message_zh = (
            f"本培训数据库已有{entities}个市场主体（培训数据已生成过）；再生成会重复，请新建一个空数据库"
            if training else
            f"本数据库已有{entities}个市场主体，不是培训数据库；培训数据只能生成在新建的空数据库中"
            "（xuyi --db 培训.db init --admin …），以免与真实数据混在一起")
        self.message_en = "training data only goes into an empty database"
        super().__init__(self.message_zh)


def _working_days_before(day: dt.date, n: int) -> dt.date:
    while n:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def generate_county(
    ctx: AppContext, *, seed: int = 2026, today: dt.date | None = None, progress: Callable[[str], None] | None = None,
) -> CountyResult:
    """Enter the county set (about 30 organisations, 20 persons and their records) as the logged-in administrator."""
    audit.require(ctx, Permission.SETTINGS)
    started = time.perf_counter()
    today = today or dt.date.today()
    last_year = today.year - 1
    say = progress or (lambda _text: None)
    with ctx.transaction() as session:
        count = entity_queries.count_live(session)
        if count:
            raise NotForTraining(count, is_training_database(session))
        session.merge(AppSetting(key=TRAINING_SETTING, value="1"))  # from here on, nothing of it may sync
        taken = demo_queries.all_identifiers(session)
    gen = _Generator(seed, today, taken)

    say("登记市场主体…")
    orgs: list[tuple[str, str, tuple[str, ...]]] = []  # (id, name, categories)
    names: list[tuple[str, tuple[str, ...]]] = list(ORG_NAMES)
    extra_inds: tuple[tuple[str, tuple[str, ...]], ...] = (("货运有限公司", ("road_operator",)), ("物流有限公司", ("road_operator",)),
                  ("交通工程有限公司", ("construction_unit",)), ("航运有限公司", ("water_operator",)))
    brands = "顺恒鑫宏安华泰丰盛祥兴金诚德广佳永瑞康新鸿众海志"
    for i in range(10):
        town = TOWNSHIPS[i % len(TOWNSHIPS)]
        suffix, cats = extra_inds[i % len(extra_inds)]
        names.append((f"盱眙县{town}{brands[i * 2 % len(brands)]}{brands[(i * 2 + 1) % len(brands)]}{suffix}", cats))
    for n, (name, cats) in enumerate(names):
        licences = []
        if "road_operator" in cats or "port_operator" in cats or "water_operator" in cats:
            lic_type = "道路运输经营许可证" if "road_operator" in cats else "港口经营许可证" if "port_operator" in cats else "水路运输许可证"
            # Most valid; every fifth expired last month, every seventh ends within the 30-day warning.
            end = today + dt.timedelta(days=400 + 30 * n)
            if n % 5 == 3:
                end = today - dt.timedelta(days=20 + n)
            elif n % 7 == 2:
                end = today + dt.timedelta(days=5 + n)
            licences.append(LicenceDraft(lic_type, f"苏交运管许可淮字320830{100200 + n:06d}号", end - dt.timedelta(days=4 * 365), end))
        rep, _, _ = gen.person_name()
        detail = register_entity(ctx, EntityDraft(
            name=name, identifier=gen.uscc("320830"), categories=cats, legal_representative=rep,
            address=f"江苏省淮安市盱眙县{TOWNSHIPS[n % len(TOWNSHIPS)]}{ROADS[n % len(ROADS)]}{10 + n * 7}号",
            phone=gen.phone(), licences=tuple(licences),
        ), allow_similar=True)
        orgs.append((str(detail.summary.id), name, cats))
    persons: list[str] = []
    for n in range(20):
        name, _, _ = gen.person_name()
        cat = "key_personnel" if n % 5 == 0 else "road_practitioner"
        detail = register_entity(ctx, EntityDraft(
            name=name, identifier=gen.id_number("320830"), categories=(cat,), phone=gen.phone(),
            address=f"江苏省淮安市盱眙县{TOWNSHIPS[(n * 3) % len(TOWNSHIPS)]}{ROADS[n % len(ROADS)]}{n + 3}号",
        ), allow_similar=True)
        persons.append(str(detail.summary.id))
        org_id = orgs[n % 12][0]
        link_person(ctx, detail.summary.id, _uuid(org_id),
                    RelationType.KEY_PERSONNEL if cat == "key_personnel" else RelationType.EMPLOYEE,
                    title=DRIVER_TITLES[n % len(DRIVER_TITLES)], start_date=today - dt.timedelta(days=200 + 37 * n))

    say("信用评价（审核、公示、生效）…")
    domain_of = {"road_operator": "road_water_operator", "water_operator": "road_water_operator",
                 "construction_unit": "highway_construction", "port_operator": "port_operator",
                 "maintenance_unit": "maintenance_unit"}
    # Scores that give every grade: mostly good, some B, a few C and D (the D ones get a serious penalty below).
    scores = (95, 92, 86, 83, 81, 78, 72, 65, 93, 88, 55, 45, 91, 84, 35, 96, 87, 62, 89, 82)
    publicity_began = today - dt.timedelta(days=40)
    ratings = 0
    low: list[int] = []
    to_effect: list[uuid.UUID] = []
    grades_of: dict[int, list[str]] = {}
    for n, (org_id, _name, cats) in enumerate(orgs[:25]):
        for domain in dict.fromkeys(domain_of[c] for c in cats if c in domain_of):
            score = scores[(n + ratings) % len(scores)]
            if domain == "port_operator" and n == 0:
                score = 71  # the 22-character port company: AA on the road side, B on the port side
            try:
                view = add_rating(ctx, RatingInput(_uuid(org_id), domain, last_year, score=float(score),
                                                   points=_points(domain, score), evaluating_organ="盱眙县交通运输局", decision_date=publicity_began,
                                                   document_no=f"盱交信评〔{last_year}〕{10 + ratings}号"))
                for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY):
                    set_status(ctx, view.id, status, today=publicity_began)
            except DomainError:
                continue  # a scheme's own rule refused this score: the set stays lawful, one rating fewer
            to_effect.append(view.id)
            ratings += 1
            grades_of.setdefault(n, []).append(view.grade)
            if view.grade in ("C", "D"):
                low.append(n)
    _bring_into_effect(ctx, to_effect, today)
    # One rating still in publicity (the 信用评价 page has something to bring into effect).
    try:
        pending = add_rating(ctx, RatingInput(_uuid(orgs[25][0]), domain_of[orgs[25][2][0]], last_year, score=88.0,
                                              points=_points(domain_of[orgs[25][2][0]], 88), evaluating_organ="盱眙县交通运输局"))
        set_status(ctx, pending.id, RatingStatus.REVIEWED, today=today - dt.timedelta(days=3))
        set_status(ctx, pending.id, RatingStatus.PUBLICITY, today=today - dt.timedelta(days=3))
        ratings += 1
    except DomainError:
        pass

    say("行政处罚与行政许可（双公示）…")
    penalties = 0
    wsh = 100
    for n, (org_id, name, _cats) in enumerate(orgs):
        if n % 3 != 1 and n not in low:
            continue
        ident = _identifier(ctx, org_id)
        serious = n in low or n % 9 == 4
        v = VIOLATIONS[3 if serious and n % 2 else 4 if serious else n % 3]
        decided = today - dt.timedelta(days=30 + 11 * n)
        raw = penalty_raw(wsh, decided)
        raw.update(xdr_mc=name, xdr_shxym=ident, wfxw=v[0], sy=v[1], yj=v[2], nr=v[3], publicity_class=v[4],
                   wsh=f"盱交罚〔{decided.year}〕{wsh}号", jg=ORGAN if n % 2 else ORGAN_ZF, lydw=ORGAN)
        wsh += 1
        try:
            rec = sgs.add_record(ctx, RecordKind.PENALTY, raw, today=today)
        except DomainError:
            continue
        penalties += 1
        if n % 4 != 1:  # most decisions were reported in time; the rest are overdue on the 双公示 page
            sgs.mark_reported(ctx, [rec.id], on=min(today, decided + dt.timedelta(days=5)), batch_no=f"PX{decided:%Y%m}", today=today)
    # Due and overdue: decisions of the last days, not yet reported (one due within the deadline, two past it).
    for k, days_ago in enumerate((1, 2, 12, 15)):
        decided = _working_days_before(today, days_ago)
        org_id, name, _ = orgs[(k * 5 + 2) % len(orgs)]
        raw = penalty_raw(wsh, decided)
        raw.update(xdr_mc=name, xdr_shxym=_identifier(ctx, org_id), wsh=f"盱交罚〔{decided.year}〕{wsh}号")
        wsh += 1
        try:
            sgs.add_record(ctx, RecordKind.PENALTY, raw, today=today)
            penalties += 1
        except DomainError:
            pass
        lraw = license_raw(wsh, decided)
        lraw.update(xdr_mc=name, xdr_shxym=_identifier(ctx, org_id), wsh=f"盱交许〔{decided.year}〕{wsh}号")
        wsh += 1
        try:
            sgs.add_record(ctx, RecordKind.LICENSE, lraw, today=today)
        except DomainError:
            pass

    say("信用承诺（履约、违诺、撤销）…")
    commitments = 0
    plans = (
        ("approval_substitute", "licensing", "道路普通货物运输经营许可（告知承诺）", 90),
        ("missing_materials", "licensing", "道路运输证配发（容缺受理）", 30),
        ("voluntary", "tender", "国道G205盱眙段养护工程投标", 60),
        ("voluntary", "awards", f"{today.year}年度诚信运输企业评选申报", 45),
        ("certification_notice", "licensing", "港口经营许可延续（证明事项告知承诺）", 60),
    )
    for n, (org_id, _name, _cats) in enumerate(orgs[:24]):
        if n in low:
            continue
        type_code, area, business, days = plans[n % len(plans)]
        signed = today - dt.timedelta(days=20 + 9 * n)
        try:
            c = cm.add_commitment(ctx, cm.CommitmentInput(_uuid(org_id), type_code, area, business, days,
                                                          signer=gen.person_name()[0], signed_on=signed), today=today)
        except DomainError:
            continue
        commitments += 1
        outcome = n % 6
        if outcome in (0, 3) and signed + dt.timedelta(days=days) <= today:
            cm.fulfil(ctx, c.id, note="按期履约，材料已补齐", on=signed + dt.timedelta(days=days - 1))
        elif outcome == 1:
            cm.violate(ctx, c.id, facts="承诺期限内未补齐驾驶员从业资格证明材料，经核实存在虚假承诺",
                       handling="撤销许可决定，记入失信记录", on=min(today, signed + dt.timedelta(days=10)))
        elif outcome == 5:
            cm.revoke(ctx, c.id, reason="申请人主动撤回申请", on=signed + dt.timedelta(days=2))
        # others stay 履约中 (some past their term: 逾期 on the 信用承诺 page)

    say("失信记录与名单…")
    for n in low[:2]:
        add_dishonesty(ctx, _uuid(orgs[n][0]), occurred_on=today - dt.timedelta(days=60 + n), category="拒不履行行政处罚决定",
                       description="逾期未缴纳罚款，经催告仍不履行", document_no=f"盱交催〔{today.year}〕{n + 1}号", source="县交通运输局")
    members = 0
    for list_type, picks, reason in (
        ("black", low[:1], "信用评价为D级，且有严重失信行政处罚在公示期内"),
        ("watch", low[1:3], "有严重失信行政处罚在公示期内（未达到黑名单标准）"),
        ("red", [n for n, g in grades_of.items() if set(g) == {"AA"} and n % 3 != 1][:3],
         "最近一次信用评价为AA级，无行政处罚在公示期内"),
    ):
        for n in picks:
            try:
                entry = credit_lists.add_entry(ctx, _uuid(orgs[n][0]), list_type, reason=reason, today=today)
                credit_lists.confirm(ctx, entry.id, reason="经局信用工作领导小组审核同意", entered_on=today - dt.timedelta(days=15),
                                     today=today)
                members += 1
            except DomainError:
                continue
    with ctx.transaction() as session:
        audit.write(session, ctx, "demo_data.county", f"生成培训数据（县级场景）：{len(orgs)}个单位、{len(persons)}名个人",
                    details={"seed": seed, "organisations": len(orgs), "persons": len(persons)})
    return CountyResult(len(orgs) + len(persons), len(persons), ratings, penalties, commitments, members,
                        time.perf_counter() - started)


def refuse_if_training(session) -> None:
    """Called by the sync export: a training database never writes a package."""
    if is_training_database(session):
        raise ValidationError(FieldProblem(
            "database", "这是培训数据库（含“生成培训数据”生成的演示数据），不能导出同步包；培训数据不得离开本机",
            "a training database never exports a sync package"))


REVIEWER = "px_reviewer"


def _bring_into_effect(ctx: AppContext, rating_ids: list[uuid.UUID], today: dt.date) -> None:
    """双人复核: the administrator entered the ratings, so a second person brings them into effect — the training
    reviewer account (made here with a random password; an administrator resets it in 用户管理 to teach with it)."""
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users

    if not rating_ids:
        return
    acting = ctx.user
    password = secrets.token_urlsafe(18) + "Aa1!"
    with ctx.transaction() as session:
        exists = users._by_name(session, REVIEWER) is not None
    if exists:
        users.reset_password(ctx, REVIEWER, password)
    else:
        users.create_user(ctx, REVIEWER, password, Role.REVIEWER)
    users.login(ctx, REVIEWER, password)
    try:
        for rating_id in rating_ids:
            set_status(ctx, rating_id, RatingStatus.EFFECTIVE, today=today)
    finally:
        users.logout(ctx)
        ctx.user = acting  # back to the administrator who started the scenario (already logged in)


def _points(domain: str, score: int) -> float | None:
    """道路水路运输经营者 is graded on score and 不良行为记分 together: a few points where the score is low."""
    if domain != "road_water_operator":
        return None
    return 0.0 if score >= 80 else 4.0 if score >= 60 else 12.0


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)


def _identifier(ctx: AppContext, entity_id: str) -> str:
    with ctx.transaction() as session:
        entity = session.get(Entity, _uuid(entity_id))
        assert entity is not None
        return entity.identifier
