"""Commitment rules: states, terms, items, the shipped catalogue and its editable templates."""

from __future__ import annotations

import datetime as dt

import pytest

from xuyi_desktop.domain.commitments import (
    PLACEHOLDERS,
    CatalogueError,
    CommitmentStatus,
    check_template,
    check_transition,
    clean_items,
    fill_template,
    is_overdue,
    numbered,
    parse_catalogue,
    template_placeholders,
    term_until,
)
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.paths import resource_path

FOLDER = resource_path("commitments")


def test_only_active_commitments_get_an_outcome() -> None:
    for target in (CommitmentStatus.FULFILLED, CommitmentStatus.VIOLATED, CommitmentStatus.REVOKED):
        check_transition(CommitmentStatus.ACTIVE, target)
        for final in (CommitmentStatus.FULFILLED, CommitmentStatus.VIOLATED, CommitmentStatus.REVOKED):
            with pytest.raises(ValidationError):
                check_transition(final, target)
    assert [s.label for s in CommitmentStatus] == ["履约中", "已践诺", "违诺", "撤销"]
    assert CommitmentStatus.parse("违诺") is CommitmentStatus.VIOLATED and CommitmentStatus.parse("active") is CommitmentStatus.ACTIVE
    with pytest.raises(ValidationError):
        CommitmentStatus.parse("done")


def test_term_and_overdue() -> None:
    signed = dt.date(2026, 1, 31)
    assert term_until(signed, 30) == dt.date(2026, 3, 2)
    until = term_until(signed, 1)
    assert not is_overdue(CommitmentStatus.ACTIVE, until, until)
    assert is_overdue(CommitmentStatus.ACTIVE, until, until + dt.timedelta(days=1))
    assert not is_overdue(CommitmentStatus.FULFILLED, until, until + dt.timedelta(days=99))
    for bad in (0, -1, 3651):
        with pytest.raises(ValidationError):
            term_until(signed, bad)


def test_items_are_cleaned_and_numbered() -> None:
    assert clean_items(["一、真实", " 2. 完整 ", "", "（3）有效"]) == ("真实", "完整", "有效")
    with pytest.raises(ValidationError):
        clean_items(["", "  "])
    assert numbered(["a"] * 12)[10:] == ["十一、a", "十二、a"]


def test_shipped_catalogue_and_templates_are_complete() -> None:
    cat = parse_catalogue((FOLDER / "types.toml").read_text(encoding="utf-8"), (FOLDER / "areas.toml").read_text(encoding="utf-8"))
    names = {t.name for t in cat.types}
    assert {"审批替代型（告知承诺）", "容缺受理型", "行业自律型", "主动型", "信用修复型", "证明事项告知承诺"} == names
    assert {a.name for a in cat.areas} >= {"行政许可", "资金申请", "评优评先", "招投标"}
    for t in cat.types:
        text = (FOLDER / "templates" / t.template).read_text(encoding="utf-8")
        check_template(t.template, text)
        assert "items" in template_placeholders(text) and t.items
        values = {p: f"<{p}>" for p in PLACEHOLDERS}
        paragraphs = fill_template(t.template, text, values, t.items)
        joined = "".join(paragraphs)
        assert "${" not in joined and "#" not in joined and "<business>" in joined and "<consequences>" in joined
        assert paragraphs[0] == "<organ>：" and any(p.startswith("一、") for p in paragraphs)


def test_template_with_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(CatalogueError, match=r"\$\{enity_name\}"):
        fill_template("x.txt", "# note\n${enity_name}承诺", {}, ["a"])
    assert fill_template("x.txt", "${organ}：\n\n${items}\n\n第一行\n第二行", {"organ": "局"}, ["甲", "乙"]) == ["局：", "一、甲", "二、乙", "第一行 第二行"]


def test_catalogue_errors_name_the_problem() -> None:
    with pytest.raises(CatalogueError, match="code"):
        parse_catalogue('[[type]]\ncode = "Bad Code"\nname = "x"\ntemplate = "t"', '[[area]]\ncode = "a"\nname = "A"')
    with pytest.raises(CatalogueError, match="重复"):
        parse_catalogue('[[type]]\ncode = "a"\nname = "x"\ntemplate = "t"', '[[area]]\ncode = "a"\nname = "A"\n[[area]]\ncode = "a"\nname = "B"')
