"""双公示 field rules: each message names the field and the rule; status from the deadline; publicity periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.sgs import RecordKind, ReportStatus
from xuyi_desktop.services.sgs_demo import license_raw, penalty_raw

TODAY = dt.date(2025, 12, 1)


def check(kind: RecordKind, raw: dict) -> dict[str, list[str]]:
    values, problems = rules.coerce(kind, raw)
    problems += rules.validate(kind, values, today=TODAY)
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p.field, []).append(p.message_zh)
    return out


def test_valid_samples_pass() -> None:
    assert check(RecordKind.PENALTY, penalty_raw(1, dt.date(2025, 3, 3))) == {}
    assert check(RecordKind.PENALTY, penalty_raw(5, dt.date(2025, 3, 3), person=True)) == {}
    assert check(RecordKind.LICENSE, license_raw(1, dt.date(2025, 3, 3))) == {}


def test_mandatory_fields_depend_on_the_relative() -> None:
    raw = penalty_raw(1, dt.date(2025, 3, 3))
    del raw["xdr_shxym"], raw["frdb"]
    got = check(RecordKind.PENALTY, raw)
    assert got["xdr_shxym"] == ["统一社会信用代码：必填，不能为空"]
    assert got["frdb"] == ["法定代表人：必填，不能为空"]
    person = penalty_raw(5, dt.date(2025, 3, 3), person=True)
    del person["xdr_zjhm"]
    assert check(RecordKind.PENALTY, person) == {"xdr_zjhm": ["证件号码：必填，不能为空"]}


def test_identifiers_dates_amounts_and_document_numbers() -> None:
    raw = penalty_raw(1, dt.date(2025, 3, 3))
    raw.update(xdr_shxym=raw["xdr_shxym"][:-1] + ("0" if raw["xdr_shxym"][-1] != "0" else "1"), jdrq="2025-12-02", fk="-3",
               wsh="第12号", cflb="罚款；坐牢")
    got = check(RecordKind.PENALTY, raw)
    assert got["xdr_shxym"][0].startswith("统一社会信用代码：校验位错误")
    assert got["jdrq"] == ["处罚决定日期：不能晚于今天（2025-12-01）"]
    assert got["fk"] == ["罚款金额（万元）：不能为负数"]
    assert "格式应为" in got["wsh"][0] and got["wsh"][0].startswith("行政处罚决定书文号：")
    assert got["cflb"][0].startswith("处罚类别：")
    lic = license_raw(1, dt.date(2025, 3, 3))
    lic.update(yxqz="2025-05-01", yxqzi="2025-04-30", fr_zjhm="320830198001011234")
    got = check(RecordKind.LICENSE, lic)
    assert got["yxqzi"] == ["有效期至：有效期至（2025-04-30）不能早于有效期自（2025-05-01）"]
    assert got["fr_zjhm"][0].startswith("法定代表人证件号码：")


def test_spellings_and_full_width() -> None:
    values, problems = rules.coerce(RecordKind.PENALTY, {"xdr_lb": "法人", "cflb": "警告、罚款", "fk": "０.５万元", "jdrq": "2025/03/15"})
    assert not problems
    assert values == {"xdr_lb": rules.RELATIVE_ORG, "cflb": ["警告", "罚款"], "fk": Decimal("0.5"), "jdrq": dt.date(2025, 3, 15)}
    assert rules.check_docno("盱交罚〔2025〕12号") is None and rules.check_docno("苏交执罚字[2025]第0012号") is None


def test_status_from_deadline() -> None:
    deadline = dt.date(2025, 10, 13)
    assert rules.report_status(deadline, None, dt.date(2025, 10, 13)) is ReportStatus.PENDING
    assert rules.report_status(deadline, None, dt.date(2025, 10, 14)) is ReportStatus.OVERDUE
    assert rules.report_status(deadline, dt.date(2025, 10, 13), dt.date(2025, 12, 1)) is ReportStatus.REPORTED
    assert rules.report_status(deadline, dt.date(2025, 10, 14), dt.date(2025, 12, 1)) is ReportStatus.LATE
    assert [s.label for s in ReportStatus] == ["待报送", "已报送", "逾期未报", "逾期已报"]


def test_publicity_periods_are_data() -> None:
    folder = Path(__file__).resolve().parents[3] / "resources" / "sgs" / "publicity"
    versions = rules.PublicityRuleVersions(tuple(rules.parse_publicity_rules(p.read_text(encoding="utf-8")) for p in folder.glob("*.toml")))
    pr = versions.for_decision(dt.date(2026, 5, 31))
    assert "2026" in pr.label
    decided = dt.date(2026, 5, 31)
    assert pr.end("一般", decided) == dt.date(2027, 5, 31)
    assert pr.end("严重", decided) == dt.date(2029, 5, 31)
    assert pr.end("轻微", decided) is None  # not published as a rule
    assert pr.earliest_repair("一般", decided) == dt.date(2026, 8, 31)
    assert "最长公示1年" in (rules.check_publicity_end(pr, "一般", decided, dt.date(2027, 6, 1)) or "")
    assert "最短公示3个月" in (rules.check_publicity_end(pr, "一般", decided, dt.date(2026, 6, 1)) or "")


@pytest.mark.parametrize("value", ["1e3", "abc", "0.1234567"])
def test_amount_rules(value: str) -> None:
    with pytest.raises(ValueError):
        rules.parse_amount(value if value != "1e3" else "1000000")


def test_decisions_before_april_2026_follow_the_2023_trial_measures() -> None:
    folder = Path(__file__).resolve().parents[3] / "resources" / "sgs" / "publicity"
    versions = rules.PublicityRuleVersions(tuple(rules.parse_publicity_rules(p.read_text(encoding="utf-8")) for p in folder.glob("*.toml")))
    old, new = versions.for_decision(dt.date(2026, 3, 31)), versions.for_decision(dt.date(2026, 4, 1))
    assert "2023" in old.label and "2026" in new.label
    assert old.end("严重", dt.date(2025, 6, 1)) == dt.date(2028, 6, 1)
    # the trial measures had a one-year minimum for work-safety penalties; the 2026 order has none
    assert old.earliest_repair("一般", dt.date(2025, 6, 1), "违反安全生产管理规定") == dt.date(2026, 6, 1)
    assert new.earliest_repair("一般", dt.date(2026, 6, 1), "违反安全生产管理规定") == dt.date(2026, 9, 1)
    # 轻微: never published under the trial measures; a given end date is refused there
    assert "不予公示" in (rules.check_publicity_end(old, "轻微", dt.date(2025, 6, 1), dt.date(2025, 7, 1)) or "")
    assert rules.check_publicity_end(new, "轻微", dt.date(2026, 6, 1), dt.date(2026, 7, 1)) is None


def test_2021_penalty_categories_and_several_per_decision() -> None:
    codes, unknown = rules.split_penalty_categories("罚款；通报批评、吊销许可证件\n限制从业")
    assert codes == ["罚款", "通报批评", "吊销许可证件", "限制从业"] and unknown == []
    codes, unknown = rules.split_penalty_categories("罚款；打板子")
    assert codes == ["罚款"] and unknown == ["打板子"]
    with pytest.raises(ValueError, match="“打板子”不是处罚类别"):
        rules.coerce_field(rules.RecordKind.PENALTY, "cflb", "罚款；打板子")


def test_class_rules_derive_or_leave_pending() -> None:
    from decimal import Decimal

    path = Path(__file__).resolve().parents[3] / "resources" / "sgs" / "class_rules.toml"
    table = rules.parse_class_rules(path.read_text(encoding="utf-8"))
    assert rules.derive_class(table, {"cflb": ["罚款", "吊销许可证件"], "fk": Decimal("1")}).klass == "严重"  # type: ignore[union-attr]
    assert rules.derive_class(table, {"cflb": ["警告"]}).klass == "轻微"  # type: ignore[union-attr]
    assert rules.derive_class(table, {"cflb": ["罚款"], "fk": Decimal("0.2")}).klass == "轻微"  # type: ignore[union-attr]
    assert rules.derive_class(table, {"cflb": ["罚款"], "fk": Decimal("2")}).klass == "一般"  # type: ignore[union-attr]
    assert rules.derive_class(table, {"cflb": ["罚款"], "fk": Decimal("12")}).klass == "严重"  # type: ignore[union-attr]
    assert rules.derive_class(table, {"cflb": ["其他"]}) is None  # 待定: a reviewer decides
