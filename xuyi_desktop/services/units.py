"""The unit dictionary (局属各单位, resources/units.toml): the one list every place a unit is typed reads — a user's
unit, a commitment's accepting organ, the 双公示 unit filter, the plan's responsible units, the registers."""

from __future__ import annotations

from functools import lru_cache

from xuyi_desktop.domain.plan import UnitDictionary, parse_units
from xuyi_desktop.paths import resource_path


@lru_cache(maxsize=1)
def unit_dictionary() -> UnitDictionary:
    """Loaded and checked once per process (a broken file raises PlanFileError naming it)."""
    path = resource_path("units.toml")
    return parse_units(path.read_text(encoding="utf-8"), "units.toml")


def unit_names() -> list[str]:
    """The standard names, in the file's order (what a drop-down offers)."""
    return unit_dictionary().names


def canonical_unit(text: str) -> str:
    """A typed unit as its standard name ("执法大队" → "盱眙县交通运输综合行政执法大队"); "" stays ""; UnknownUnit otherwise."""
    return unit_dictionary().canonical(text) if text.strip() else ""


def unit_spellings(text: str) -> tuple[str, ...]:
    """Every spelling a 决定机关 column may use for the unit `text` names (itself only if it is not ours)."""
    return unit_dictionary().names_for(text)


def short_unit_name(name: str) -> str:
    """A unit as a crowded line shows it: a 局属单位 by its shortest spelling (执法大队, 公路中心 …), others by name."""
    unit = unit_dictionary().find(name)
    if unit is None or unit.kind != "局属单位":
        return name
    return min(unit.names, key=len)
