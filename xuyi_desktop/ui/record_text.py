"""How the record pages word a record, where two pages show the same record (a rating in the entity form's
信用档案 tab and in the profile window) and must say it the same way."""

from __future__ import annotations

from PySide6.QtCore import QObject

from xuyi_desktop.domain.profile import RatingFact


def rating_validity(owner: QObject, r: RatingFact) -> tuple[str, list[str]]:
    """A rating's 有效期 ("from至until", or the end alone, or —) and its notes: why provisional, and a newer
    rating still in publicity. `owner` translates, as the page's own strings do."""
    valid = f"{r.valid_from}至{r.valid_until}" if r.valid_from and r.valid_until else str(r.valid_until or "—")
    notes = [r.reason] if r.reason else []
    if r.publicity_grade:
        notes.append(owner.tr("{0}年度评价{1}级公示中（至{2}）").format(r.publicity_period, r.publicity_grade, r.publicity_until))
    return valid, notes
