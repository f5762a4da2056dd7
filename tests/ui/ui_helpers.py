"""Identifiers the UI tests type (valid unless named otherwise)."""

from __future__ import annotations

USCC_A = "91320830PYQLFT169T"
USCC_B = "923208306JU6UCCY4U"
USCC_C = "12320830770000437A"
ID_PERSON = "320830199001011236"
USCC_WRONG_CHECK = "91320830PYQLFT169U"

BULK_ROWS = 3000  # "a few thousand": enough for many pages of 200
