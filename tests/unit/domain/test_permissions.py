"""Roles and rights: the one table the services read for the CLI and the window alike."""

from __future__ import annotations

import pytest

from xuyi_desktop.domain.permissions import (
    ROLE_PERMISSIONS,
    SEES_ALL_UNITS,
    Permission,
    Role,
    list_unit,
    role_allows,
)

ORGAN = "盱眙县交通运输综合行政执法大队"


def test_every_role_and_right_has_a_chinese_label() -> None:
    assert [r.label for r in Role] == ["窗口经办人", "审核人", "管理员", "查询"]
    labels = [p.label for p in Permission]
    assert len(set(labels)) == len(labels) == len(Permission)
    assert all(label and not label.isascii() for label in labels)


def test_every_role_has_a_row() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_roles_are_nested_viewer_clerk_reviewer_admin() -> None:
    viewer, clerk, reviewer, admin = (ROLE_PERMISSIONS[r] for r in (Role.VIEWER, Role.CLERK, Role.REVIEWER, Role.ADMIN))
    assert viewer < clerk < reviewer < admin
    assert admin == frozenset(Permission)


def test_a_viewer_only_looks() -> None:
    assert ROLE_PERMISSIONS[Role.VIEWER] == {Permission.VIEW}
    assert not role_allows(Role.VIEWER, Permission.REVEAL_PERSONAL)
    assert not role_allows(Role.VIEWER, Permission.EXPORT)


def test_a_clerk_registers_prints_and_exports_but_approves_nothing() -> None:
    for right in (Permission.VIEW, Permission.ENTITY_EDIT, Permission.REVEAL_PERSONAL, Permission.PRINT, Permission.EXPORT):
        assert role_allows(Role.CLERK, right), right
    for right in (Permission.RATING_APPROVE, Permission.SYNC_RESOLVE, Permission.REPAIR_APPROVE, Permission.AUDIT_VIEW,
                  Permission.USER_MANAGE, Permission.SETTINGS, Permission.BACKUP, Permission.KEYS):
        assert not role_allows(Role.CLERK, right), right


def test_a_reviewer_approves_and_reads_the_log_but_does_not_administer() -> None:
    for right in (Permission.RATING_APPROVE, Permission.SYNC_RESOLVE, Permission.REPAIR_APPROVE, Permission.AUDIT_VIEW):
        assert role_allows(Role.REVIEWER, right), right
    for right in (Permission.USER_MANAGE, Permission.SETTINGS, Permission.BACKUP, Permission.KEYS):
        assert not role_allows(Role.REVIEWER, right), right


@pytest.mark.parametrize("right", list(Permission))
def test_an_administrator_may_do_everything(right: Permission) -> None:
    assert role_allows(Role.ADMIN, right)


def test_roles_and_rights_are_stored_by_their_value() -> None:
    assert Role("clerk") is Role.CLERK and Permission("audit_view") is Permission.AUDIT_VIEW
    with pytest.raises(ValueError):
        Role("superuser")


def test_supervisors_see_every_unit() -> None:
    assert SEES_ALL_UNITS == {Role.ADMIN, Role.REVIEWER}


@pytest.mark.parametrize(
    ("role", "unit", "restricted", "expected"),
    [
        (Role.CLERK, ORGAN, True, ORGAN),
        (Role.VIEWER, f"  {ORGAN}\t", True, ORGAN),  # stored with stray spaces: the unit itself counts
        (Role.CLERK, ORGAN, False, None),  # the bureau has not limited lists
        (Role.CLERK, "", True, None),  # a clerk of no unit sees every unit's records
        (Role.CLERK, "   ", True, None),
        (Role.REVIEWER, ORGAN, True, None),
        (Role.ADMIN, ORGAN, True, None),
    ],
)
def test_list_unit(role: Role, unit: str, restricted: bool, expected: str | None) -> None:
    assert list_unit(role, unit, restricted) == expected
