"""The hand counts of the plan's demo year (services/plan_demo.build): what the indicator tests compare with."""

from __future__ import annotations

from typing import Any

from xuyi_desktop.services.plan_demo import AS_OF, ORG_A, ORG_B, YEAR, ZF, build

__all__ = ["AS_OF", "HAND", "ORG_A", "ORG_B", "YEAR", "ZF", "build"]

# Hand counts (see build): 6 decisions in 2025, all past their deadline on AS_OF; P3 never reported; P2 reported a day
# late; L1 breaks a rule (a wrong organ code, kept as a draft); L2 lacks two recommended fields; P4 is the 执法大队's.
HAND: dict[str, Any] = {
    "records": 6, "due": 6, "reported": 5, "compliant": 4, "on_time": 4, "valid": 5,
    "commitment_areas": 2, "campaigns": 3, "trainings": 2, "scenarios": 1, "awards": 1, "monthly_on_time": 1, "monthly_due": 12,
    "commitment_fields": (13, 14),  # filled / applicable over the three 2025 commitments
    "unit": {"records": 1, "due": 1, "reported": 1, "campaigns": 1, "trainings": 1, "commitment_areas": 0, "scenarios": 1},
}


