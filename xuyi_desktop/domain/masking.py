"""Masking of personal data for lists, prints and exports (SPEC §2)."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str | None:
    """Keep the first 6 and last 4 characters: 320830********1234."""
    if not value:
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """Keep the first 3 and last 4 digits: 138****5678."""
    if not value:
        return value
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
