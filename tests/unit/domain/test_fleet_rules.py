"""Plates (incl. new-energy), colours, 船舶识别号, certificate numbers, driver cycles, points and overload rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.fleet import (
    QualificationDraft,
    VehicleDraft,
    VesselDraft,
    check_plate,
    check_plate_colour,
    check_qualification,
    check_vehicle,
    check_vessel,
    check_vessel_id,
    driver_cycle,
    normalise_plate,
    parse_plate_rules,
)
from xuyi_desktop.domain.overload import (
    CountedNotice,
    NoticeState,
    due_date,
    is_overdue,
    list_candidates,
    notice_state,
    parse_overload_rules,
)
from xuyi_desktop.domain.points import PointsFileError, parse_point_rules, standing

RES = Path(__file__).resolve().parents[3] / "resources"
RULES = parse_plate_rules((RES / "fleet" / "plates.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("plate", ["苏H12345", "苏HA1234", "苏 h·12345", "苏H1234挂", "京AD12345", "苏HFA1234", "苏H12345D", "粤B0000F"])
def test_valid_plates(plate: str) -> None:
    assert check_plate(plate, RULES).ok, plate


@pytest.mark.parametrize("plate,why", [
    ("", "为空"), ("X苏12345", "省份简称"), ("苏I12345", "发牌机关"), ("苏H1234O", "I 或 O"), ("苏H1234", "长度"),
    ("苏HA12345", "新能源"), ("苏H1234D5", "新能源"), ("苏HD123", "长度"), ("苏H123456", "新能源"),
])
def test_invalid_plates_say_why(plate: str, why: str) -> None:
    result = check_plate(plate, RULES)
    assert not result.ok and why in result.problems[0].message_zh


def test_new_energy_plates_are_flagged_and_need_a_green_colour() -> None:
    assert check_plate("苏HD12345", RULES).new_energy and not check_plate("苏H12345", RULES).new_energy
    assert check_plate_colour("渐变绿", RULES, new_energy=True) == ("渐变绿色", [])
    assert check_plate_colour("黄绿双拼色", RULES, new_energy=True)[0] == "黄绿色"
    colour, problems = check_plate_colour("蓝", RULES, new_energy=True)
    assert colour == "蓝色" and "新能源" in problems[0].message_zh
    assert check_plate_colour("绿色", RULES, new_energy=False)[1], "a 7-character plate cannot be green"
    assert check_plate_colour("紫色", RULES, new_energy=False)[1][0].message_zh.startswith("未知的号牌颜色")
    assert normalise_plate("ｓｕ苏ｈ－12345") == "SU苏H12345"


def test_vessel_identification_number() -> None:
    assert check_vessel_id("cn 2012 0012 345", RULES) == ("CN20120012345", [])
    assert check_vessel_id("CN2012001234", RULES)[1], "10 digits is one short"
    assert check_vessel_id("CN201200123456", RULES)[1], "12 digits is one too many"
    assert "年份" in check_vessel_id("CN18990012345", RULES)[1][0].message_zh
    assert check_vessel_id("US20120012345", RULES)[1]


def test_vehicle_and_vessel_drafts_name_every_broken_field() -> None:
    ok = check_vehicle(VehicleDraft("x", "苏h12345", "黄", "3208 3001 2345", "重型半挂牵引车", tonnage=40), RULES)
    assert (ok.plate, ok.plate_colour, ok.transport_cert_no, ok.status) == ("苏H12345", "黄色", "320830012345", "active")
    with pytest.raises(ValidationError) as exc:
        check_vehicle(VehicleDraft("x", "苏H12345", "紫", tonnage=900, status="飞行",
                                   cert_valid_from=dt.date(2025, 2, 1), cert_valid_to=dt.date(2025, 1, 1)), RULES)
    assert {p.field for p in exc.value.problems} == {"plate_colour", "tonnage", "status", "valid_to"}
    v = check_vessel(VesselDraft("x", " 苏盱眙货 1234 ", "CN20120012345", gross_tonnage=500), RULES)
    assert v.name == "苏盱眙货 1234"
    with pytest.raises(ValidationError):
        check_vessel(VesselDraft("x", "", "CN2012"), RULES)


def test_qualification_and_the_driver_cycle() -> None:
    q = check_qualification(QualificationDraft("3208 3019 8001 0112 34", "道路货物运输驾驶员", dt.date(2015, 3, 31)))
    assert q.cert_no == "320830198001011234"
    with pytest.raises(ValidationError):
        check_qualification(QualificationDraft("", first_issued_on=dt.date(2999, 1, 1)))
    first = dt.date(2015, 3, 31)
    assert driver_cycle(first, dt.date(2026, 3, 30)) == (dt.date(2025, 3, 31), dt.date(2026, 3, 30))
    assert driver_cycle(first, dt.date(2026, 3, 31)) == (dt.date(2026, 3, 31), dt.date(2027, 3, 30))
    assert driver_cycle(first, dt.date(2015, 1, 1)) == (first, dt.date(2016, 3, 30))
    leap = dt.date(2016, 2, 29)
    assert driver_cycle(leap, dt.date(2017, 3, 1))[0] == dt.date(2017, 2, 28)


def test_point_rules_tiers_and_clamping() -> None:
    rules = parse_point_rules((RES / "points" / "points.toml").read_text(encoding="utf-8"))
    assert rules.rule("kf-01").points < 0 and rules.rule("JF-01").points > 0
    s = standing(rules, [100, 5, -10, 10])
    assert (s.balance, s.tier.name, s.entries) == (105, "诚信良好", 4)
    assert standing(rules, [100, -200]).balance == rules.floor
    assert standing(rules, [100, 500]).balance == rules.ceiling
    assert rules.rule("KF-02").value(-12) == -12
    with pytest.raises(ValidationError):
        rules.rule("KF-02").value(-30)
    with pytest.raises(ValidationError):
        rules.rule("NOPE")
    assert rules.subject_of(["road_practitioner"]) == "driver" and rules.subject_of(["port_operator"]) == "enterprise"
    with pytest.raises(PointsFileError):
        parse_point_rules('name = "x"\ninitial = 100\n[[rule]]\ncode = "A"\nname = "a"\npoints = 1\n[[rule]]\ncode = "A"\nname = "b"\npoints = 2\n[[tier]]\ncode="x"\nname="x"\nmin_points=0\n')


def test_overload_states_deadlines_and_list_counts() -> None:
    rules = parse_overload_rules((RES / "overload" / "overload.toml").read_text(encoding="utf-8"))
    got = dt.date(2026, 3, 1)
    assert notice_state(matched=False, interviewed_on=None, result="") is NoticeState.UNMATCHED
    assert notice_state(matched=True, interviewed_on=got, result="") is NoticeState.RECTIFYING
    assert notice_state(matched=True, interviewed_on=got, result="已卸载整改") is NoticeState.CLOSED
    due = due_date(rules, received_on=got, interviewed_on=None, rectify_by=None)
    assert due == got + dt.timedelta(days=rules.interview_within_days)
    assert is_overdue(NoticeState.OPEN, due, due + dt.timedelta(days=1)) and not is_overdue(NoticeState.OPEN, due, due)
    assert not is_overdue(NoticeState.CLOSED, due, due + dt.timedelta(days=99))
    today = dt.date(2026, 6, 30)
    four = [CountedNotice(str(i), dt.date(2026, 1 + i, 1), f"ZC{i}", "v1", "op1", "d1") for i in range(4)]
    old = [CountedNotice("old", dt.date(2025, 6, 30), "ZCold", "v2", "op2", None)]
    three = [CountedNotice(f"t{i}", dt.date(2026, 2, 1 + i), f"T{i}", "v2", "op2", None) for i in range(3)]
    found = list_candidates(rules, four + old + three, today, plates={"v1": "苏H12345"})
    assert [(c.entity_id, c.case_code, len(c.notices)) for c in found] == [("op1", "1", 4), ("d1", "2", 4)]
    assert "苏H12345" in found[0].reason and "ZC0" in found[0].reason
