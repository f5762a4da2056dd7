"""The 专项信用报告's rules as pure functions of the profile: the period, the areas and which records are listed."""

from __future__ import annotations

import datetime as dt

import pytest

from xuyi_desktop.domain.entities import CATEGORIES
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.profile import (
    CreditProfile,
    DishonestyFact,
    EntityFacts,
    ListMembership,
    PenaltyFact,
    PenaltyState,
    RepairFact,
)
from xuyi_desktop.domain.reports import AreaFileError, parse_rules, place, report_period, special_report_content
from xuyi_desktop.paths import resource_path

D = dt.date
AS_OF = D(2026, 12, 2)


def rules():  # type: ignore[no-untyped-def]
    path = resource_path("reports", "special_report.toml")
    return parse_rules(path.read_text(encoding="utf-8"), where=path.name, known_categories=CATEGORIES)


def fact(no: str, decided: dt.date, state: PenaltyState = PenaltyState.IN_PUBLICITY, *, facts: str = "超限运输",
         basis: str = "《公路法》第七十六条", repaired_on: dt.date | None = None, simple: bool = False) -> PenaltyFact:
    return PenaltyFact(
        record_id=no, lineage_id=no, document_no=no, decided_on=decided, categories=("罚款",), publicity_class="一般",
        class_source="record", state=state, publicity_end=None, repair_from=None, rules_source="", facts=facts,
        repaired_on=repaired_on, simple_procedure=simple, basis=basis,
    )


def profile(penalties=(), lists=(), dishonesty=(), repairs=(), categories=("road_operator",)) -> CreditProfile:  # type: ignore[no-untyped-def]
    entity = EntityFacts("e1", "盱眙县顺达运输有限公司", "org", "单位", "91320830MA1XXXXXXX", "active", "存续",
                         tuple(categories), (), "", "", "320830")
    return CreditProfile(entity, AS_OF, (), tuple(penalties), tuple(dishonesty), (), (), tuple(lists), tuple(repairs))


def test_period_is_one_to_five_whole_years_back_from_the_date() -> None:
    assert report_period(AS_OF, 3, max_years=5) == (D(2023, 12, 2), AS_OF)
    assert report_period(D(2028, 2, 29), 1, max_years=5) == (D(2027, 2, 28), D(2028, 2, 29))
    for bad in (0, 6, -1, True, "3", 2.5):
        with pytest.raises(ValidationError) as err:
            report_period(AS_OF, bad, max_years=5)
        assert "查询期限应为1至5年" in err.value.message_zh


def test_a_record_is_placed_by_its_words_then_by_the_entitys_only_area() -> None:
    r = rules()
    assert place("未取得港口经营许可从事装卸作业", ("road_operator",), r) == ("port",)
    assert place("货车超限运输", ("port_operator",), r) == ("road_transport",)
    assert place("未按规定报送材料", ("road_operator",), r) == ("road_transport",)  # the entity's one area
    assert place("未按规定报送材料", ("road_operator", "port_operator"), r) == ()  # two areas: undetermined
    assert [a.code for a in r.resolve(["港口", "road_transport", "港口"])] == ["road_transport", "port"]
    assert len(r.resolve([])) == len(r.areas)
    with pytest.raises(ValidationError):
        r.resolve(["航空"])


def test_selection_for_the_period_and_areas() -> None:
    r = rules()
    p = profile(
        penalties=[
            fact("P-live", D(2026, 3, 3)),
            fact("P-repaired", D(2025, 6, 3), PenaltyState.REPAIRED, repaired_on=D(2025, 10, 8)),
            fact("P-expired", D(2024, 2, 5), PenaltyState.EXPIRED),
            fact("P-simple", D(2026, 8, 8), PenaltyState.NOT_PUBLISHED, simple=True),
            fact("P-withdrawn", D(2026, 5, 6), PenaltyState.WITHDRAWN),
            fact("P-old", D(2023, 12, 1), PenaltyState.EXPIRED),
            fact("P-port", D(2026, 4, 9), facts="未经许可从事港口经营", basis="《港口法》"),
        ],
        lists=[
            ListMembership("black", "交通运输失信名单", D(2025, 1, 1), D(2027, 1, 1), "拒不履行处罚决定", "L1"),
            ListMembership("red", "守信激励名单", D(2025, 1, 1), None, "连续三年AA级", "L2"),
            ListMembership("overload", "治超失信名单", D(2020, 1, 1), D(2022, 1, 1), "超限运输", "L3"),  # ended before
        ],
        dishonesty=[DishonestyFact("D1", D(2025, 8, 1), "违反信用承诺", "未按期补齐材料", "", "", None, True)],
        repairs=[RepairFact("dishonesty", "D1", D(2026, 1, 5), "信用修复")],
    )
    c = special_report_content(p, r, years=3)
    assert [x.fact.document_no for x in c.penalties] == ["P-simple", "P-port", "P-live", "P-repaired", "P-expired"]
    assert [x.fact.record_id for x in c.lists] == ["L1"]
    assert [(x.fact.record_id, x.repaired_on) for x in c.dishonesty] == [("D1", D(2026, 1, 5))]
    assert c.repaired_count == 2 and c.simple_count == 1 and c.all_areas and not c.empty

    port = special_report_content(p, r, years=3, areas=["港口"])
    assert [x.fact.document_no for x in port.penalties] == ["P-port"] and not port.all_areas
    # 治超/失信名单 reasons and the 违诺 carry no port word; the entity is a road operator only: not in the port report.
    assert port.lists == () and port.dishonesty == ()
    assert port.digest() != c.digest()

    nothing = special_report_content(profile(), r, years=1)
    assert nothing.empty and nothing.start == D(2025, 12, 2)


def test_a_broken_areas_file_is_refused_with_its_field() -> None:
    good = resource_path("reports", "special_report.toml").read_text(encoding="utf-8")
    with pytest.raises(AreaFileError, match="未知的主体类别"):
        parse_rules(good.replace('categories = ["port_operator"]', 'categories = ["harbour"]'), where="x.toml",
                    known_categories=CATEGORIES)
    with pytest.raises(AreaFileError, match="max_years"):
        parse_rules(good.replace("max_years = 5", "max_years = 0"), where="x.toml", known_categories=CATEGORIES)
    with pytest.raises(AreaFileError, match="重复"):
        parse_rules(good + '\n[[area]]\ncode = "port"\nname = "港口2"\n', where="x.toml", known_categories=CATEGORIES)
