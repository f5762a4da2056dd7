"""Realistic synthetic data for training databases and benchmarks: valid identifiers, Xuyi places, Chinese names.

Bulk path on purpose: a million entities must take minutes, so rows go in through Core executemany in
chunks, and pinyin keys are computed per name part (cached) instead of per whole name. Demo rows are not
written to the change log: they are synthetic and must never travel to another office by sync.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from xuyi_desktop.domain.identifiers import id_check_char, org_code_check_char, uscc_check_char
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.search_keys import name_key, pinyin_keys
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import SEARCH_KEY_COUNTER
from xuyi_desktop.storage import counters
from xuyi_desktop.storage.models import utcnow
from xuyi_desktop.storage.queries import demo as demo_queries
from xuyi_desktop.storage.search_index import IndexRow

TOWNSHIPS = (
    "盱城街道", "太和街道", "古桑街道", "马坝镇", "官滩镇", "桂五镇", "管镇镇",
    "河桥镇", "鲍集镇", "黄花塘镇", "淮河镇", "旧铺镇", "穆店镇", "天泉湖镇",
)
ROADS = ("东湖路", "五墩路", "山水大道", "都梁路", "淮河路", "金源路", "盱城大道", "宁淮大道", "象山路", "甘泉路")
PREFIXES = ("盱眙县", "盱眙", "盱眙县", "淮安市", "江苏", "盱城", "马坝", "官滩", "桂五", "管镇", "河桥", "鲍集", "旧铺", "穆店", "天泉湖")
BRAND_CHARS = "顺达恒通鑫源宏远安捷运华泰丰盛祥和兴隆金诚信德广利佳美永昌瑞康新宇天成鸿运众合海峰志强明亮国立建平"
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("运输", "road_operator"), ("物流", "road_operator"), ("客运", "road_operator"), ("货运", "road_operator"),
    ("汽车运输", "road_operator"), ("出租汽车", "road_operator"), ("驾驶员培训", "road_operator"),
    ("路桥工程", "construction_unit"), ("建设工程", "construction_unit"), ("交通工程", "construction_unit"),
    ("公路养护", "maintenance_unit"), ("养护工程", "maintenance_unit"),
    ("港口", "port_operator"), ("港务", "port_operator"),
    ("航运", "water_operator"), ("船务", "water_operator"),
    ("交通科技", "research_unit"),
)
SUFFIXES = ("有限公司", "有限公司", "有限责任公司", "股份有限公司", "车队", "合作社")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_CHARS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志红春梅海燕文俊凤英晨阳子涵浩然欣怡宇航思远"
REGION_CODES = ("320830",) * 6 + ("320800", "320803", "320804", "320812", "320826", "320831", "321302", "340103")
LICENCE_BY_CATEGORY = {
    "road_operator": "道路运输经营许可证",
    "water_operator": "水路运输许可证",
    "port_operator": "港口经营许可证",
}
USCC_PREFIXES = ("91",) * 8 + ("92", "93", "12", "52", "Y1", "N2")
_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@cache
def _keys(part: str) -> tuple[str, str]:
    return pinyin_keys(part)


@dataclass
class DemoResult:
    entities: int
    organisations: int
    persons: int
    seconds: float


class _Generator:
    """Draws one entity at a time from a seeded RNG; identifiers unique within the run and checked valid."""

    def __init__(self, seed: int, today: dt.date, taken: set[str]) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.taken = taken

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.taken:
                self.taken.add(value)
                return value

    def uscc(self, region: str) -> str:
        rng = self.rng

        def make() -> str:
            body = "".join(rng.choice(_BODY_CHARS) for _ in range(8))
            first17 = rng.choice(USCC_PREFIXES) + region + body + org_code_check_char(body)
            return first17 + uscc_check_char(first17)

        return self._unique(make)

    def id_number(self, region: str) -> str:
        rng = self.rng

        def make() -> str:
            birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
            first17 = region + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
            return first17 + id_check_char(first17)

        return self._unique(make)

    def person_name(self) -> tuple[str, str, str]:
        rng = self.rng
        surname = rng.choice(SURNAMES)
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        (sp, si), (gp, gi) = _keys(surname), _keys(given)
        return surname + given, sp + gp, si + gi

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def address(self) -> str:
        rng = self.rng
        return f"江苏省淮安市盱眙县{rng.choice(TOWNSHIPS)}{rng.choice(ROADS)}{rng.randrange(1, 400)}号"

    def organisation(self) -> dict[str, object]:
        rng = self.rng
        prefix = rng.choice(PREFIXES)
        brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
        industry, category = rng.choice(INDUSTRIES)
        suffix = rng.choice(SUFFIXES)
        parts = (prefix, brand, industry, suffix)
        keys = [_keys(p) for p in parts]
        name = "".join(parts)
        rep, _, _ = self.person_name()
        return {
            "kind": "org",
            "name": name,
            "identifier": self.uscc(rng.choice(REGION_CODES)),
            "legal_representative": rep,
            "address": self.address(),
            "phone": self.phone(),
            "name_pinyin": "".join(k[0] for k in keys),
            "name_initials": "".join(k[1] for k in keys),
            "name_key": name_key(name),
            "_category": category,
        }

    def person(self) -> dict[str, object]:
        name, full, initials = self.person_name()
        return {
            "kind": "person",
            "name": name,
            "identifier": self.id_number(self.rng.choice(REGION_CODES)),
            "legal_representative": "",
            "address": self.address(),
            "phone": self.phone(),
            "name_pinyin": full,
            "name_initials": initials,
            "name_key": name_key(name),
            "_category": self.rng.choice(("road_practitioner", "road_practitioner", "key_personnel")),
        }


def _chunks(total: int, size: int) -> Iterator[int]:
    done = 0
    while done < total:
        n = min(size, total - done)
        yield n
        done += n


def generate_demo_data(
    ctx: AppContext,
    entities: int,
    *,
    seed: int = 2026,
    person_share: float = 0.3,
    chunk: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Insert `entities` synthetic entities (about 30 % persons) in committed chunks; returns counts and time."""
    import time

    audit.require(ctx, Permission.SETTINGS)
    started = time.perf_counter()
    with ctx.transaction() as session:
        taken = demo_queries.all_identifiers(session)
    gen = _Generator(seed, dt.date.today(), taken)
    office, now = ctx.office_code, utcnow()
    done = orgs = persons = 0
    for n in _chunks(entities, chunk):
        with ctx.transaction() as session:
            first_key = counters.reserve(session, SEARCH_KEY_COUNTER, n)
            rows, cats, lics, index_rows = [], [], [], []
            for i in range(n):
                is_person = gen.rng.random() < person_share
                row = gen.person() if is_person else gen.organisation()
                persons += is_person
                orgs += not is_person
                category = row.pop("_category")
                entity_id = uuid.uuid4()
                row.update(
                    id=entity_id, search_key=first_key + i, region_code=str(row["identifier"])[:6] if is_person else str(row["identifier"])[2:8],
                    status="active", notes="", check_override_reason=None, created_at=now, updated_at=now,
                    created_office=office, updated_office=office, version=1, deleted_at=None,
                )
                rows.append(row)
                cats.append({"entity_id": entity_id, "category": category})
                licence_type = LICENCE_BY_CATEGORY.get(str(category))
                if licence_type:
                    start = dt.date(2020, 1, 1) + dt.timedelta(days=gen.rng.randrange(0, 365 * 6))
                    lics.append({
                        "id": uuid.uuid4(), "entity_id": entity_id, "licence_type": licence_type,
                        "number": f"苏交运管许可淮字{row['region_code']!s}{gen.rng.randrange(10**6):06d}号",
                        "valid_from": start, "valid_to": start.replace(year=start.year + 4),
                        "created_at": now, "updated_at": now, "created_office": office, "updated_office": office,
                        "version": 1, "deleted_at": None,
                    })
                index_rows.append(IndexRow(first_key + i, str(row["name"]), str(row["name_pinyin"]), str(row["name_initials"])))
            demo_queries.insert_generated(session, rows, cats, lics)
            ctx.search_index.bulk_insert(session.connection(), index_rows)
        done += n
        if progress:
            progress(done, entities)
    with ctx.transaction() as session:
        audit.write(session, ctx, "demo_data.generate", f"生成演示数据 {done} 条（种子 {seed}）", details={"entities": done, "seed": seed})
    return DemoResult(done, orgs, persons, time.perf_counter() - started)
