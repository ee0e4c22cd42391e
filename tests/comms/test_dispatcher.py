"""The desk's side of the MDT link, end to end over the real broker and database.

A deployment's message leaves the outbox through the dispatcher, reaches the unit's terminal with
the incident's place, and the unit's acknowledgement, status and position come back into the
record. Two desks sharing the reports record each one once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from supervisor_app.comms.channels import (
    DeploymentReceived,
    FieldUnitClient,
    MdtLink,
    MqttSettings,
    StatusReported,
    VoiceLog,
)
from supervisor_app.comms.dispatcher import Dispatcher, ReportOutcome, UnitReports
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
from supervisor_app.store.models import Deployment, Incident, LogEntry, Message, Resource
from tests.services.conftest import build_organisation, make_incident

DESK = Actor.of("desk.one", [Role.SUPERVISOR, Role.OPERATOR], "desk-1")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _deploy(engine: Engine, pack: OrganisationPack, channel: str) -> tuple[int, int, int]:
    organisation = build_organisation(engine, pack)
    incident_id = make_incident(organisation, pack, DESK)
    with organisation.session() as session:
        deployed = deploy_resources(
            session, DESK, incident_id, [DeploymentOrder(organisation.resource_ids["G11"], channel)], pack)
    return incident_id, deployed.resources[0].deployment_id, deployed.resources[0].message_id


def test_a_deployment_reaches_the_terminal_and_its_acknowledgement_and_reports_come_back(
    engine: Engine, pack: OrganisationPack, mqtt_settings: MqttSettings, topic_prefix: str
) -> None:
    incident_id, deployment_id, message_id = _deploy(engine, pack, "mdt")
    received: list[DeploymentReceived] = []
    outcomes: list[ReportOutcome] = []
    reports = UnitReports(engine, DESK, on_outcome=outcomes.append)
    link = MdtLink(mqtt_settings, topic_prefix, reports)
    unit = FieldUnitClient(mqtt_settings, topic_prefix, "G11", received.append)
    dispatcher = Dispatcher(engine, DESK, {"mdt": link, "voice_radio": VoiceLog("voice_radio")})
    try:
        assert link.wait_until_connected(5) and unit.wait_until_connected(5)
        report = dispatcher.run_once()
        assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
        wait_for(lambda: bool(received), "the deployment at the terminal")
        deployment = received[0]
        assert (deployment.message_id, deployment.deployment_id) == (message_id, deployment_id)
        with Session(engine) as session:
            incident = session.get(Incident, incident_id)
            assert incident is not None
            assert deployment.location == pytest.approx((incident.lat, incident.lon), abs=1e-6)
            assert deployment.address == incident.address and deployment.incident == incident.reference
        unit.acknowledge(message_id, deployment_id)
        wait_for(lambda: len(outcomes) == 1, "the acknowledgement recorded")
        unit.report_status("en_route", deployment_id)
        unit.report_position(incident.lat + 0.001, incident.lon, speed_kmh=32.0, heading=180.0)
        wait_for(lambda: len(outcomes) == 3, "the status and position recorded")
        assert all(outcome.applied for outcome in outcomes), outcomes
        with Session(engine) as session:
            recorded = session.get(Deployment, deployment_id)
            message = session.get(Message, message_id)
            resource = session.scalars(select(Resource).where(Resource.call_sign == "G11")).one()
            assert recorded is not None and message is not None
            assert (recorded.status, message.status) == ("en_route", "acknowledged")
            assert (resource.status, resource.lat) == ("en_route", pytest.approx(incident.lat + 0.001))
            codes = session.scalars(select(LogEntry.code).where(LogEntry.incident_id == incident_id)
                                    .order_by(LogEntry.id)).all()
            assert codes[-2:] == ["ACK", "ENRT"]
        # The same acknowledgement again (a terminal retrying) is recorded as not matching, not applied twice.
        unit.acknowledge(message_id, deployment_id)
        wait_for(lambda: len(outcomes) == 4, "the repeated acknowledgement handled")
        assert not outcomes[-1].applied and "already en route" in outcomes[-1].detail
    finally:
        dispatcher.stop()
        unit.close()
        reports.stop()


def test_a_channel_the_desk_has_not_set_up_fails_the_message_with_the_reason(
    engine: Engine, pack: OrganisationPack
) -> None:
    _, _, message_id = _deploy(engine, pack, "sms")
    dispatcher = Dispatcher(engine, DESK, {})
    try:
        report = dispatcher.run_once()
    finally:
        dispatcher.stop()
    assert (report.sent, report.failed) == (0, 1)
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.status == "failed"
        assert message.last_error is not None and message.last_error.startswith("no sms channel is set up")


def test_two_desks_sharing_the_reports_record_an_acknowledgement_once(
    engine: Engine, pack: OrganisationPack, mqtt_settings: MqttSettings, topic_prefix: str
) -> None:
    _, deployment_id, message_id = _deploy(engine, pack, "mdt")
    outcomes: list[tuple[str, ReportOutcome]] = []
    lock = threading.Lock()

    def heard(desk: str) -> Callable[[ReportOutcome], None]:
        def record(outcome: ReportOutcome) -> None:
            with lock:
                outcomes.append((desk, outcome))
        return record

    group = f"desks-{topic_prefix.rsplit('/', 1)[-1]}"
    desks = [UnitReports(engine, DESK, on_outcome=heard(name)) for name in ("one", "two")]
    links = [MdtLink(mqtt_settings, topic_prefix, desk, shared_group=group) for desk in desks]
    unit = FieldUnitClient(mqtt_settings, topic_prefix, "G11", lambda _deployment: None)
    try:
        assert all(link.wait_until_connected(5) for link in links) and unit.wait_until_connected(5)
        unit.acknowledge(message_id, deployment_id)
        wait_for(lambda: len(outcomes) >= 1, "one desk to hear the acknowledgement")
        time.sleep(0.5)  # would the other desk hear it too?
        assert len(outcomes) == 1 and outcomes[0][1].applied
    finally:
        for link in links:
            link.close()
        unit.close()
        for desk in desks:
            desk.stop()


def test_an_acknowledgement_that_overtakes_the_channels_answer_is_kept(engine: Engine, pack: OrganisationPack) -> None:
    from supervisor_app.services.outbox import claim_due_messages, record_acknowledgement, record_sent

    _, deployment_id, message_id = _deploy(engine, pack, "mdt")
    with Session(engine) as session:
        claim_due_messages(session, DESK)
    with Session(engine) as session:
        assert record_acknowledgement(session, DESK, call_sign="G11", deployment_id=deployment_id).matched
    with Session(engine) as session:
        record_sent(session, DESK, message_id, "broker-mid-1")
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.status == "acknowledged"
        assert message.sent_at is not None and message.provider_reference == "broker-mid-1"


def test_a_status_report_about_an_earlier_job_does_not_undo_the_new_one(engine: Engine, pack: OrganisationPack) -> None:
    from datetime import UTC, datetime

    _, deployment_id, _ = _deploy(engine, pack, "mdt")
    reports = UnitReports(engine, DESK)
    try:
        stale = reports.apply(StatusReported("G11", deployment_id - 1 if deployment_id > 1 else 999, "available",
                                             datetime.now(UTC)))
        crossed = reports.apply(StatusReported("G11", None, "available", datetime.now(UTC)))
    finally:
        reports.stop()
    assert not stale.applied and "is now on deployment" in stale.detail
    assert not crossed.applied and "re-check by voice" in crossed.detail
    with Session(engine) as session:
        assert session.get(Deployment, deployment_id).status == "requested"  # type: ignore[union-attr]
