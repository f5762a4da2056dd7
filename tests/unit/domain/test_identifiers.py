"""Identifier rules against the shared test vectors, plus properties that must hold for any input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.identifiers import (
    USCC_CHARSET,
    IdentifierKind,
    check_id_card,
    check_uscc,
    convert_id15,
    id_check_char,
    infer_kind,
    normalise_identifier,
    require_valid_uscc,
    uscc_check_char,
)
from xuyi_desktop.domain.masking import mask_id_number, mask_phone


def test_valid_usccs_pass(identifier_vectors: dict) -> None:
    for value in identifier_vectors["uscc_valid"]:
        result = check_uscc(value)
        assert result.ok, (value, result.problems)
        assert infer_kind(value) is IdentifierKind.USCC


def test_uscc_may_start_with_a_letter(identifier_vectors: dict) -> None:
    letter_first = [v for v in identifier_vectors["uscc_valid"] if v[0].isalpha()]
    assert letter_first, "vectors should include a code starting with a letter"
    assert all(check_uscc(v).ok for v in letter_first)


def test_invalid_usccs_fail_with_a_chinese_reason(identifier_vectors: dict) -> None:
    for case in identifier_vectors["uscc_invalid"]:
        result = check_uscc(case["value"])
        assert not result.ok, case
        assert result.problems[0].message_zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in result.problems[0].message_zh)


def test_wrong_check_character_names_the_expected_one() -> None:
    result = check_uscc("91320830PYQLFT169U")
    assert result.format_ok and not result.check_char_ok
    assert "应为T" in result.problems[0].message_zh


def test_uscc_normalisation(identifier_vectors: dict) -> None:
    for case in identifier_vectors["uscc_normalise"]:
        assert normalise_identifier(case["input"]) == case["normalised"]
        assert check_uscc(case["input"]).ok


def test_check_override_only_for_the_check_character() -> None:
    with pytest.raises(ValidationError):
        require_valid_uscc("91320830PYQLFT169U")
    assert require_valid_uscc("91320830PYQLFT169U", override_reason="2015年福建试点代码，核对营业执照原件").value
    with pytest.raises(ValidationError):  # a malformed code is never overridable
        require_valid_uscc("91320830IYQLFT169T", override_reason="理由")
    with pytest.raises(ValidationError):
        require_valid_uscc("91320830PYQLFT169U", override_reason="   ")


def test_valid_id_numbers_pass(identifier_vectors: dict) -> None:
    for value in identifier_vectors["id_valid"]:
        result = check_id_card(value)
        assert result.ok, (value, result.problems)
        assert infer_kind(value) is IdentifierKind.ID_CARD


def test_invalid_id_numbers_fail(identifier_vectors: dict) -> None:
    for case in identifier_vectors["id_invalid"]:
        assert not check_id_card(case["value"]).ok, case


def test_old_region_code_is_not_checked_against_birth_date() -> None:
    # Xuyi numbers (320830) of people born before 1983 are real; some libraries wrongly refuse them.
    first17 = "32083019500101123"
    assert check_id_card(first17 + id_check_char(first17)).ok


def test_lower_case_x_is_normalised() -> None:
    assert check_id_card("11010519491231002x").value.endswith("X")


def test_15_digit_id_is_converted_and_reported() -> None:
    result = check_id_card("320830900101123")
    assert result.ok
    assert result.converted_from_15 == "320830900101123"
    assert result.value == convert_id15("320830900101123") and result.value.startswith("32083019900101")


def test_birth_date_in_future_relative_to_today() -> None:
    first17 = "32083020300101123"
    value = first17 + id_check_char(first17)
    assert not check_id_card(value, today=dt.date(2026, 11, 26)).ok
    assert check_id_card(value, today=dt.date(2031, 1, 1)).ok


def test_masking(identifier_vectors: dict) -> None:
    example = identifier_vectors["id_masked_example"]
    assert mask_id_number(example["input"]) == example["masked"]
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


_body = st.text(alphabet=USCC_CHARSET, min_size=2, max_size=2).flatmap(
    lambda head: st.tuples(st.just(head), st.from_regex(r"\A[0-9]{6}\Z"), st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9))
)


@given(_body)
def test_any_generated_uscc_with_its_check_char_is_valid(parts: tuple[str, str, str]) -> None:
    first17 = "".join(parts)
    assert check_uscc(first17 + uscc_check_char(first17)).ok


@given(_body, st.sampled_from(USCC_CHARSET))
def test_any_other_check_char_is_refused(parts: tuple[str, str, str], wrong: str) -> None:
    first17 = "".join(parts)
    right = uscc_check_char(first17)
    if wrong != right:
        assert not check_uscc(first17 + wrong).ok


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999))
def test_any_generated_id_number_is_valid_and_single_digit_errors_are_caught(birth: dt.date, order: int) -> None:
    first17 = f"320830{birth:%Y%m%d}{order:03d}"
    value = first17 + id_check_char(first17)
    assert check_id_card(value).ok
    for pos in (0, 7, 16):
        changed = value[:pos] + str((int(value[pos]) + 1) % 10) + value[pos + 1 :]
        assert not check_id_card(changed).ok


@given(st.text(max_size=40))
def test_validators_never_crash(text: str) -> None:
    check_uscc(text)
    check_id_card(text)
    infer_kind(text)
