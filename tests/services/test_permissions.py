"""Every service refuses every role without its permission, and then writes nothing.

The cases are generated from the permission table and from the services' own source: a new
service that opens a transaction for an action with no case here fails
``test_every_service_action_has_a_refusal_case``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import supervisor_app.services
from supervisor_app.domain.people import PERMISSIONS, Action, Actor, PermissionDenied, Role, permitted
from supervisor_app.domain.referrals import read_referral
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.alerts import acknowledge_alert
from supervisor_app.services.audit_verification import verify_audit
from supervisor_app.services.desk_overview import load_overview
from supervisor_app.services.escalations import escalate_incident
from supervisor_app.services.external_requests import request_external
from supervisor_app.services.incident_lifecycle import change_incident_status
from supervisor_app.services.incidents import add_log_entry, create_incident
from supervisor_app.services.outbox import claim_due_messages
from supervisor_app.services.presence import claim_incident, register_desk
from supervisor_app.services.referrals import receive_referral
from supervisor_app.services.resources import assign_resource, change_resource_status
from supervisor_app.services.users import add_user
from tests.services.conftest import Organisation, actor_with, backdate, make_incident, new_incident, row_counts

Call = Callable[[Session, Actor, Organisation, OrganisationPack, int], object]

SERVICE_CALLS: dict[Action, Call] = {
    Action.CREATE_INCIDENT: lambda s, a, org, pack, inc: create_incident(s, a, new_incident(pack), pack),
    Action.ADD_LOG_ENTRY: lambda s, a, org, pack, inc: add_log_entry(s, a, inc, "NOTE", "text", pack),
    Action.CHANGE_RESOURCE_STATUS: lambda s, a, org, pack, inc: change_resource_status(
        s, a, next(iter(org.resource_ids.values())), "off_duty"
    ),
    Action.VIEW_INCIDENTS: lambda s, a, org, pack, inc: load_overview(s, a),
    Action.CLAIM_INCIDENT: lambda s, a, org, pack, inc: _claim(s, a, pack, inc),
    Action.VERIFY_AUDIT: lambda s, a, org, pack, inc: verify_audit(s, a),
    Action.MANAGE_USERS: lambda s, a, org, pack, inc: add_user(
        s, a, f"new.user{inc}", "New User", ["operator"], "river-lantern-42-copper"),
    Action.ASSIGN_RESOURCE: lambda s, a, org, pack, inc: assign_resource(
        s, a, inc, next(iter(org.resource_ids.values())), pack, channel="voice_radio"
    ),
    Action.SEND_MESSAGES: lambda s, a, org, pack, inc: claim_due_messages(s, a),
    Action.REQUEST_EXTERNAL: lambda s, a, org, pack, inc: request_external(
        s, a, inc, organisation="HELSINKI_POLICE", request="traffic_control", channel="voice_phone",
        reason="Traffic diverted round the incident", pack=pack,
    ),
    Action.RECEIVE_REFERRAL: lambda s, a, org, pack, inc: receive_referral(
        s, a, read_referral(f'{{"partner": "P", "reference": "R{inc}", "summary": "S", "address": "A"}}'), pack
    ),
    Action.MANAGE_INCIDENT: lambda s, a, org, pack, inc: change_incident_status(
        s, a, inc, "on_hold", "Waiting for the key holder to arrive", pack
    ),
    Action.ACKNOWLEDGE_ALERT: lambda s, a, org, pack, inc: _acknowledge(s, a, org, pack, inc),
    Action.ESCALATE_INCIDENT: lambda s, a, org, pack, inc: escalate_incident(
        s, a, inc, target="duty_manager", reason="The caller is asking for a manager", channel="voice_phone", pack=pack
    ),
}


def _acknowledge(session: Session, actor: Actor, org: Organisation, pack: OrganisationPack, incident_id: int) -> None:
    """Acknowledge the on-scene breach of an incident received two days ago (nobody is on scene)."""
    backdate(org, incident_id, timedelta(days=2))
    acknowledge_alert(session, actor, incident_id, f"{incident_id}/-/on_scene/breach", "Seen", pack)


def _claim(session: Session, actor: Actor, pack: OrganisationPack, incident_id: int) -> None:
    if permitted(actor, Action.CLAIM_INCIDENT):  # a claim needs the desk on line first
        register_desk(session, actor)
    claim_incident(session, actor, incident_id, timezone=pack.timezone)


def _actions_used_by_services() -> set[Action]:
    package = Path(supervisor_app.services.__file__).parent
    names = set()
    for source in package.glob("*.py"):
        names |= set(re.findall(r"transaction\(\s*session,\s*actor,\s*Action\.([A-Z_]+)", source.read_text()))
    return {Action[name] for name in names}


def test_every_service_action_has_a_refusal_case() -> None:
    used = _actions_used_by_services()
    assert used, "no service transactions found: the scan is broken"
    assert used <= set(SERVICE_CALLS), f"services without permission tests: {used - set(SERVICE_CALLS)}"


REFUSALS = [(action, role) for action in SERVICE_CALLS for role in Role if action not in PERMISSIONS[role]]


@pytest.mark.parametrize(("action", "role"), REFUSALS, ids=[f"{a.value}-{r.value}" for a, r in REFUSALS])
def test_role_without_permission_is_refused_and_nothing_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, action: Action, role: Role
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(PermissionDenied, match=action.value):
        SERVICE_CALLS[action](session, actor_with(role), organisation, pack, incident_id)
    assert row_counts(organisation.engine) == before


@pytest.mark.parametrize("action", list(SERVICE_CALLS))
def test_role_with_permission_succeeds(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, action: Action
) -> None:
    role = next(r for r in Role if action in PERMISSIONS[r])
    incident_id = make_incident(organisation, pack, supervisor)
    with organisation.session() as session:
        SERVICE_CALLS[action](session, actor_with(role), organisation, pack, incident_id)


@pytest.mark.parametrize("action", list(SERVICE_CALLS))
def test_an_actor_with_no_role_is_refused_everything(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, action: Action
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(PermissionDenied, match="no role"):
        SERVICE_CALLS[action](session, actor_with(), organisation, pack, incident_id)
    assert row_counts(organisation.engine) == before
