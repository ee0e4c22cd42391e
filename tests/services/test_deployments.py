"""Deploying a set of resources with their messages; the outbox; acknowledgements from units."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.messages import MAX_AUTOMATIC_ATTEMPTS
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
from supervisor_app.services.errors import Conflict
from supervisor_app.services.outbox import (
    ACK_UNMATCHED,
    claim_due_messages,
    record_acknowledgement,
    record_failed,
    record_sent,
    resend,
)
from supervisor_app.store.models import AuditEvent, Deployment, Incident, LogEntry, Message, Resource
from tests.services.conftest import Organisation, make_incident, row_counts


@pytest.fixture
def incident_id(organisation: Organisation, pack: OrganisationPack, supervisor: Actor) -> int:
    return make_incident(organisation, pack, supervisor)


def ids(org: Organisation, *call_signs: str) -> list[int]:
    return [org.resource_ids[c] for c in call_signs]


def test_a_set_is_deployed_each_by_its_channel_with_its_message(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    g11, g12, g13 = ids(organisation, "G11", "G12", "G13")
    orders = [DeploymentOrder(g11, "mdt"), DeploymentOrder(g12, "voice_radio"), DeploymentOrder(g13, "sms")]
    with organisation.session() as session:
        deployed = deploy_resources(session, supervisor, incident_id, orders, pack)
    assert [(d.call_sign, d.channel, d.message_status.value) for d in deployed.resources] == [
        ("G11", "mdt", "queued"), ("G12", "voice_radio", "passed"), ("G13", "sms", "queued")]
    assert len(deployed.queued_message_ids) == 2
    with Session(organisation.engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.status == "resource_assigned"
        statuses = session.scalars(select(Resource.status).where(Resource.id.in_([g11, g12, g13]))).all()
        assert set(statuses) == {"assigned"}
        messages = {m.channel: m for m in session.scalars(select(Message)).all()}
        assert messages["mdt"].recipient == "G11"
        assert messages["mdt"].body.startswith(f"{incident.reference} {incident.priority} ")
        assert incident.address in messages["mdt"].body and "Acknowledge within 3 min" in messages["mdt"].body
        assert messages["sms"].recipient == "+358 50 555 0003" and len(messages["sms"].body) <= 160
        assert messages["voice_radio"].body.startswith("G12, this is control.")
        assert messages["voice_radio"].sent_at is not None
        log = session.scalars(select(LogEntry.text).where(
            LogEntry.incident_id == incident_id, LogEntry.code == "DEPLOY").order_by(LogEntry.id)).all()
        assert log[0].startswith("G11 deployed by Mobile data terminal to ")
        assert log[1].endswith("Passed by sup.one by radio (virve talk group).")
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "resource.assign")).all()
        assert len(audit) == 3 and {a.detail["call_sign"] for a in audit} == {"G11", "G12", "G13"}


def test_a_set_with_one_resource_taken_meanwhile_is_refused_whole_naming_who_took_it(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    g11, g12 = ids(organisation, "G11", "G12")
    other_desk = Actor.of("sup.two", [Role.SUPERVISOR], "desk-2")
    other_incident = make_incident(organisation, pack, other_desk)
    with organisation.session() as session:
        deploy_resources(session, other_desk, other_incident, [DeploymentOrder(g12, "mdt")], pack)
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(Conflict) as refused:
        deploy_resources(session, supervisor, incident_id, [DeploymentOrder(g11, "mdt"), DeploymentOrder(g12, "mdt")],
                         pack)
    assert "G12 was assigned to INC-" in str(refused.value) and "by sup.two at desk desk-2" in str(refused.value)
    assert "Nothing was deployed" in str(refused.value)
    assert row_counts(organisation.engine) == before
    with Session(organisation.engine) as session:
        resource = session.get(Resource, g11)
        assert resource is not None and resource.status == "available"  # not half taken


@pytest.mark.parametrize(
    ("orders", "message"),
    [
        ([], "at least one resource"),
        ([("G11", "pigeon")], "one of voice_radio, voice_phone, mdt, sms, email"),
        ([("G11", "mdt"), ("G11", "sms")], "each resource once"),
    ],
)
def test_bad_orders_are_refused_before_anything_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int,
    orders: list[tuple[str, str]], message: str,
) -> None:
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(InvalidValue, match=message):
        deploy_resources(session, supervisor, incident_id,
                         [DeploymentOrder(organisation.resource_ids[c], ch) for c, ch in orders], pack)
    assert row_counts(organisation.engine) == before


def _deploy_by_mdt(org: Organisation, pack: OrganisationPack, actor: Actor, incident_id: int, call_sign: str) -> int:
    with org.session() as session:
        deployed = deploy_resources(session, actor, incident_id, [DeploymentOrder(org.resource_ids[call_sign], "mdt")],
                                    pack)
    return deployed.resources[0].message_id


def test_the_outbox_leases_sends_retries_and_gives_up_saying_so(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    message_id = _deploy_by_mdt(organisation, pack, supervisor, incident_id, "G11")
    with organisation.session() as session:
        claimed = claim_due_messages(session, supervisor)
    assert [(c.message_id, c.recipient, c.attempt) for c in claimed] == [(message_id, "G11", 1)]
    with organisation.session() as session:
        assert claim_due_messages(session, supervisor) == []  # leased to the first dispatcher
    with organisation.session() as session:
        record_failed(session, supervisor, message_id, "The broker at 127.0.0.1:1883 did not answer.",
                      retryable=True)
    with Session(organisation.engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.status == "queued" and message.last_error
        assert message.next_attempt_at is not None and message.next_attempt_at > message.created_at
    for _ in range(MAX_AUTOMATIC_ATTEMPTS - 1):  # every further try fails too
        with organisation.engine.begin() as conn:  # the retry time has come
            conn.execute(Message.__table__.update().values(next_attempt_at=None))
        with organisation.session() as session:
            assert [c.message_id for c in claim_due_messages(session, supervisor)] == [message_id]
        with organisation.session() as session:
            record_failed(session, supervisor, message_id, "The broker did not answer.", retryable=True)
    with Session(organisation.engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and (message.status, message.attempts) == ("failed", MAX_AUTOMATIC_ATTEMPTS)
        note = session.scalars(select(LogEntry.text).where(LogEntry.code == "NOTE")).one()
        assert note == ("Message to G11 by mdt failed after 5 tries: The broker did not answer. "
                        "Re-send it or choose another channel.")
    with organisation.session() as session:
        new_id = resend(session, supervisor, message_id, pack, channel="voice_radio")
    with Session(organisation.engine) as session:
        old, new = session.get(Message, message_id), session.get(Message, new_id)
        assert old is not None and new is not None
        assert (old.status, new.status, new.channel, new.recipient) == ("failed", "passed", "voice_radio", "G11")


def test_a_refusal_that_cannot_succeed_is_not_retried(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    message_id = _deploy_by_mdt(organisation, pack, supervisor, incident_id, "G11")
    with organisation.session() as session:
        claim_due_messages(session, supervisor)
    with organisation.session() as session:
        record_failed(session, supervisor, message_id, "550 mailbox unavailable", retryable=False)
    with Session(organisation.engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.status == "failed" and message.next_attempt_at is None


def test_an_acknowledgement_moves_the_deployment_and_its_message_on(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, operator: Actor, incident_id: int
) -> None:
    message_id = _deploy_by_mdt(organisation, pack, supervisor, incident_id, "G11")
    with organisation.session() as session:
        claim_due_messages(session, supervisor)
    with organisation.session() as session:
        record_sent(session, supervisor, message_id, "mid-7")
    with Session(organisation.engine) as session:
        deployment_id = session.scalars(select(Deployment.id)).one()
    with organisation.session() as session:
        recorded = record_acknowledgement(session, operator, call_sign="G11", deployment_id=deployment_id,
                                          message_id=message_id)
    assert recorded.matched
    with Session(organisation.engine) as session:
        deployment = session.get(Deployment, deployment_id)
        message = session.get(Message, message_id)
        assert deployment is not None and message is not None
        assert (deployment.status, message.status) == ("acknowledged", "acknowledged")
        assert deployment.acknowledged_at == message.acknowledged_at
        ack = session.scalars(select(LogEntry.text).where(LogEntry.code == "ACK")).one()
        assert ack == "G11 acknowledged the deployment."


@pytest.mark.parametrize("case", ["unknown", "wrong unit", "twice"])
def test_an_acknowledgement_that_matches_nothing_is_audited_and_changes_nothing(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, operator: Actor, incident_id: int,
    case: str,
) -> None:
    _deploy_by_mdt(organisation, pack, supervisor, incident_id, "G11")
    with Session(organisation.engine) as session:
        deployment_id = session.scalars(select(Deployment.id)).one()
    call_sign, target = {"unknown": ("G11", 987_654), "wrong unit": ("G12", deployment_id),
                         "twice": ("G11", deployment_id)}[case]
    if case == "twice":
        with organisation.session() as session:
            assert record_acknowledgement(session, operator, call_sign="G11", deployment_id=deployment_id).matched
    before = row_counts(organisation.engine)
    with organisation.session() as session:
        recorded = record_acknowledgement(session, operator, call_sign=call_sign, deployment_id=target)
    assert not recorded.matched and recorded.reason
    after = row_counts(organisation.engine)
    assert after.pop("audit_events") == before.pop("audit_events") + 1
    assert after == before
    with Session(organisation.engine) as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == ACK_UNMATCHED and event.detail["reason"] == recorded.reason


def test_deployments_not_acknowledged_in_time_or_whose_message_failed_are_listed_for_chasing(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, operator: Actor, incident_id: int
) -> None:
    from datetime import timedelta

    from supervisor_app.services.outbox import awaiting_acknowledgement

    mdt_message = _deploy_by_mdt(organisation, pack, supervisor, incident_id, "G11")
    sms_message = _deploy_by_mdt(organisation, pack, supervisor, incident_id, "G12")
    with organisation.session() as session:
        assert awaiting_acknowledgement(session, supervisor, pack) == []  # sent just now: not overdue
    with organisation.session() as session:
        claim_due_messages(session, supervisor)
    with organisation.session() as session:
        record_failed(session, supervisor, sms_message, "The broker refused the login.", retryable=False)
    with organisation.session() as session:
        listed = awaiting_acknowledgement(session, supervisor, pack)
    assert [(a.call_sign, a.message_status.value, a.overdue) for a in listed] == [("G12", "failed", False)]
    late = timedelta(seconds=pack.policies.deployment.acknowledgement_timeout_seconds + 1)
    with Session(organisation.engine) as session, session.begin():  # as if deployed that long ago
        for deployment in session.scalars(select(Deployment)):
            session.execute(Deployment.__table__.update().where(Deployment.id == deployment.id)
                            .values(requested_at=deployment.requested_at - late))
    with organisation.session() as session:
        listed = awaiting_acknowledgement(session, supervisor, pack)
    assert [(a.call_sign, a.overdue) for a in listed] == [("G11", True), ("G12", True)]
    now = listed[0].requested_at + late
    assert listed[0].describe(now).startswith("G11 \u00b7 INC-") and "not acknowledged" in listed[0].describe(now)
    assert "failed: The broker refused the login." in listed[1].describe(now)
    with Session(organisation.engine) as session:
        g11_deployment = session.scalars(select(Deployment.id).join(Message, Message.deployment_id == Deployment.id)
                                         .where(Message.id == mdt_message)).one()
    with organisation.session() as session:
        record_acknowledgement(session, operator, call_sign="G11", deployment_id=g11_deployment)
    with organisation.session() as session:
        assert [a.call_sign for a in awaiting_acknowledgement(session, supervisor, pack)] == ["G12"]
