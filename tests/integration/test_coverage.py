"""`stats coverage`: per category, entities with a rating in force or a credit record, and completeness, by hand."""

from __future__ import annotations

import datetime as dt

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import entities, points
from xuyi_desktop.services.coverage import coverage
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import id_card, uscc


def test_coverage_and_completeness_by_hand(ctx) -> None:  # type: ignore[no-untyped-def]
    full = EntityDraft(name="盱眙甲运输有限公司", identifier=uscc(1), categories=("road_operator",), legal_representative="甲",
                       address="盱城街道1号", phone="13800000001", licences=(LicenceDraft("道路运输经营许可证", "320830000001"),))
    entities.register_entity(ctx, full)
    entities.register_entity(ctx, EntityDraft(name="盱眙乙运输有限公司", identifier=uscc(2), categories=("road_operator",)))
    entities.register_entity(ctx, EntityDraft(name="盱眙丙运输有限公司", identifier=uscc(3), categories=("road_operator",)))
    entities.register_entity(ctx, EntityDraft(name="丁司机", identifier=id_card(4), categories=("road_practitioner",)))
    # 甲: a rating in force; 乙: only a credit-point record; 丙: nothing.
    r = add_rating(ctx, RatingInput(uscc(1), "road_water_operator", 2025, score=95, points=0))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY):
        set_status(ctx, r.id, status)
    set_status(ctx, r.id, RatingStatus.EFFECTIVE, override_reason="测试")
    points.add_entry(ctx, uscc(2), "JF-01", reason="无违法")
    result = coverage(ctx).to_json()
    road = next(c for c in result["categories"] if c["category"] == "road_operator")
    assert (road["entities"], road["rated"], road["with_record"], road["covered"]) == (3, 1, 2, 2)
    assert road["coverage"] == round(2 / 3, 4)
    # required: name, identifier, categories all filled; recommended (5 fields × 3): 甲 has all 5, 乙 and 丙 region only
    assert road["completeness"]["required"] == 1.0
    assert road["completeness"]["recommended"] == round((5 + 1 + 1) / 15, 4)
    driver = next(c for c in result["categories"] if c["category"] == "road_practitioner")
    assert (driver["entities"], driver["covered"]) == (1, 0)
    assert (result["entities"], result["covered"]) == (4, 2)
    assert next(c for c in result["categories"] if c["category"] == "port_operator")["coverage"] is None
    assert coverage(ctx, today=dt.date(2020, 1, 1)).to_json()["categories"][0]["rated"] == 0  # not in force then
