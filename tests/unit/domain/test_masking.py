"""Masking of ID numbers and phone numbers (SPEC §2): what lists, prints and exports show."""

from __future__ import annotations

import pytest

from xuyi_desktop.domain.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("320830199001011236", "320830********1236"),  # 18 digits: first 6, last 4
        ("32083019900101123X", "320830********123X"),  # the check character stays readable
        ("320830900101123", "320830*****1123"),  # an old 15-digit number
        ("91320830PYQLFT169T", "913208********169T"),  # any long identifier is cut the same way
        ("12345678901", "123456*8901"),  # 11 characters: one hidden
    ],
)
def test_id_numbers_keep_the_first_six_and_the_last_four(value: str, shown: str) -> None:
    assert mask_id_number(value) == shown
    assert len(shown) == len(value)


@pytest.mark.parametrize("value", ["1", "1234567890", "32083019"])
def test_short_id_values_are_hidden_whole(value: str) -> None:
    """Ten characters or fewer: keeping six and four would show everything, so nothing is shown."""
    assert mask_id_number(value) == "*" * len(value)


@pytest.mark.parametrize("value", [None, ""])
def test_nothing_to_mask_stays_as_it_is(value: str | None) -> None:
    assert mask_id_number(value) == value
    assert mask_phone(value) == value


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),  # surrounding spaces do not shift the mask
        ("051780812345", "051*****2345"),  # a landline with its area code
        ("80812345", "808*2345"),
    ],
)
def test_phones_keep_the_first_three_and_the_last_four(value: str, shown: str) -> None:
    assert mask_phone(value) == shown


@pytest.mark.parametrize("value", ["1234567", "110", " 12 "])
def test_short_phone_numbers_are_hidden_whole(value: str) -> None:
    assert mask_phone(value) == "*" * len(value.strip())


def test_no_digit_of_the_middle_leaks() -> None:
    number = "320830199001011236"
    masked = mask_id_number(number)
    assert masked is not None and "19900101" not in masked and masked.count("*") == 8
