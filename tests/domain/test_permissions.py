from __future__ import annotations

import pytest

from supervisor_app.domain.people import PERMISSIONS, Action, Actor, PermissionDenied, Role, permitted, require


def test_every_action_is_held_by_some_role() -> None:
    held = set().union(*PERMISSIONS.values())
    assert held == set(Action)
    assert set(PERMISSIONS) == set(Role)


def test_refusal_names_the_person_the_action_and_who_may() -> None:
    operator = Actor.of("op.one", [Role.OPERATOR], "desk-2")
    with pytest.raises(PermissionDenied) as refused:
        require(operator, Action.ASSIGN_RESOURCE)
    assert str(refused.value) == (
        "op.one (operator) may not resource.assign. Ask someone with the role supervisor to do it."
    )


def test_roles_combine() -> None:
    both = Actor.of("x", [Role.OPERATOR, Role.SHIFT_LEAD], "d")
    assert permitted(both, Action.CREATE_INCIDENT)
    assert permitted(both, Action.REVIEW_SHIFT)
    assert not permitted(Actor.of("nobody", [], "d"), Action.VIEW_INCIDENTS)
