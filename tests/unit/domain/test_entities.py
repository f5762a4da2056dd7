"""Entity draft rules: normalisation, kind inference, categories, licences, phone."""

from __future__ import annotations

import datetime as dt

import pytest

from xuyi_desktop.domain.entities import EntityDraft, EntityKind, LicenceDraft, check_entity_draft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.search_keys import fold, name_key, pinyin_keys


def test_kind_and_region_are_inferred_from_the_identifier() -> None:
    org = check_entity_draft(EntityDraft(name=" 盱眙县顺达运输有限公司 ", identifier="９１３２０８３０ＰＹＱＬＦＴ１６９Ｔ")).draft
    assert org.kind is EntityKind.ORG and org.identifier == "91320830PYQLFT169T" and org.region_code == "320830"
    assert org.name == "盱眙县顺达运输有限公司"
    person = check_entity_draft(EntityDraft(name="张三", identifier="320830199001011236")).draft
    assert person.kind is EntityKind.PERSON and person.region_code == "320830"


def test_every_broken_field_is_named() -> None:
    with pytest.raises(ValidationError) as info:
        check_entity_draft(EntityDraft(name="", identifier="91320830PYQLFT169U", phone="12345", categories=("飞机",)))
    fields = {p.field for p in info.value.problems}
    assert fields == {"name", "identifier", "phone", "categories"}


def test_category_must_fit_the_kind() -> None:
    with pytest.raises(ValidationError) as info:
        check_entity_draft(EntityDraft(name="张三", identifier="320830199001011236", categories=("道路运输经营者",)))
    assert "不适用于个人" in info.value.message_zh
    ok = check_entity_draft(EntityDraft(name="张三", identifier="320830199001011236", categories=("道路运输从业人员", "road_practitioner")))
    assert ok.draft.categories == ("road_practitioner",)


def test_licence_dates_in_order() -> None:
    bad = LicenceDraft("道路运输经营许可证", "320830000001", dt.date(2026, 1, 1), dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as info:
        check_entity_draft(EntityDraft(name="甲公司", identifier="91320830PYQLFT169T", licences=(bad,)))
    assert info.value.for_field("licences")


def test_check_char_override_needs_a_reason() -> None:
    draft = EntityDraft(name="甲公司", identifier="91320830PYQLFT169U")
    with pytest.raises(ValidationError):
        check_entity_draft(draft)
    checked = check_entity_draft(draft, override_reason="福建试点代码，核对原件无误")
    assert checked.check_char_overridden and checked.warnings


def test_search_keys() -> None:
    assert pinyin_keys("盱眙交通") == ("xuyijiaotong", "xyjt")
    assert fold("ＡＢＣ（盱眙）物流") == "abc盱眙物流"
    assert name_key("盱眙县顺达运输有限责任公司") == name_key("盱眙县顺达运输有限公司")
