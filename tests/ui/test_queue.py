"""The deployment queue driven from the keyboard, end to end with the real MQTT broker.

A supervisor opens the queue, opens the recommendation for an incident, sends the proposed unit
by MDT; the unit's terminal (a FieldUnitClient on the broker) receives the deployment with the
incident's place and acknowledges; the deployment, the log and the queue show it, and the unit's
status and position reported over MQTT reach the record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.comms.channels import DeploymentReceived, FieldUnitClient, MqttSettings
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, IncidentLocation, NewIncident, ReferralSource, ResponseRequirement
from supervisor_app.services.context import DeskContext
from supervisor_app.services.incidents import create_incident
from supervisor_app.store.models import Deployment, LogEntry, Resource
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.queue import DeploymentQueueView
from supervisor_app.ui.queue.model import Urgency, describe_left, urgency
from tests.support.resources import free_resource


def test_countdown_words_and_urgency() -> None:
    from datetime import timedelta

    assert describe_left(timedelta(minutes=12, seconds=30)) == "12 min left"
    assert describe_left(timedelta(seconds=40)) == "40 s left"
    assert describe_left(timedelta(minutes=-4)) == "4 min late"
    assert describe_left(timedelta(minutes=75)) == "1 h 15 min left"
    target = timedelta(minutes=45)
    assert urgency(timedelta(minutes=30), target) is Urgency.IN_TIME
    assert urgency(timedelta(minutes=10), target) is Urgency.CLOSE
    assert urgency(timedelta(seconds=0), target) is Urgency.LATE


#: This module's own branch of topics: desks of other tests on the broker never hear its units.
TOPIC_PREFIX = f"test/queue-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def broker(mqtt_broker: tuple[str, int]) -> tuple[str, int]:
    return mqtt_broker


@pytest.fixture
def live_desk(qtbot: QtBot, desk_context: DeskContext, broker: tuple[str, int]) -> Iterator[MainWindow]:
    """The desk with its MDT link to the real broker, on topics of its own (as a training desk would be)."""
    host, port = broker
    context = DeskContext(
        settings=replace(desk_context.settings, mdt_broker=f"{host}:{port}", mdt_topic_prefix=TOPIC_PREFIX),
        engine=desk_context.engine,
        pack=desk_context.pack,
        actor=desk_context.actor,
    )
    window = create_main_window(context)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.views["overview"].is_live and window.links is not None, timeout=10_000)
    assert window.links is not None and window.links.mdt is not None
    assert window.links.mdt.wait_until_connected(5)
    yield window
    window.close()
    window.deleteLater()


def focused() -> object:
    return QApplication.focusWidget()


def test_deploy_from_the_queue_by_keyboard_and_the_unit_acknowledges_over_mqtt(
    qtbot: QtBot, live_desk: MainWindow, desk_context: DeskContext, broker: tuple[str, int]
) -> None:
    window = live_desk
    pack = desk_context.pack
    free_resource(desk_context, "GAS_ENG")  # at least one gas engineer is free, whatever the hour
    place = pack.gazetteer()[10]
    urgent = NewIncident(
        incident_type="GAS_ESCAPE_INTERNAL", priority="P1",
        location=IncidentLocation(Coordinate(place.lat, place.lon), place.label), source=ReferralSource.PHONE,
        summary="Strong smell of gas in the stairwell", contact=Contact("Aino Virtanen", "+358 40 123 4567"),
        required_response=(ResponseRequirement("GAS_ENG", 1),),
    )
    with desk_context.write_session() as session:
        created = create_incident(session, desk_context.actor, urgent, pack)
    view = window.views["queue"]
    assert isinstance(view, DeploymentQueueView)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() is view
    qtbot.waitUntil(lambda: view.model.row_of(created.incident_id) >= 0, timeout=10_000)
    view.table.setFocus()
    view.table.selectRow(view.model.row_of(created.incident_id))
    row = view.model.row_at(view.model.row_of(created.incident_id))
    assert row is not None and row.priority == "P1" and row.missing_text() == "1 \u00d7 GAS_ENG"
    assert view.model.data(view.model.index(view.model.row_of(created.incident_id), 1)).endswith("left")
    with qtbot.waitSignal(view.sig_recommended, timeout=10_000) as recommended:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    found = recommended.args[0]
    proposed = found.recommendation.proposed[0].ranked.candidate
    assert focused() is view.candidates
    chosen = view.candidates.choices()
    assert [(c.call_sign, c.channel) for c in chosen] == [(proposed.call_sign, "mdt")]

    received: list[DeploymentReceived] = []
    host, port = broker
    unit = FieldUnitClient(MqttSettings(host=host, port=port, session_expiry_s=0),
                           TOPIC_PREFIX, proposed.call_sign, received.append)
    try:
        assert unit.wait_until_connected(5)
        with qtbot.waitSignal(view.sig_deployed, timeout=10_000) as deployed_signal:
            qtbot.keyClick(view.candidates, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        deployed = deployed_signal.args[0]
        assert view.result_label.text() == f"Deployed {proposed.call_sign} (MDT) to {created.reference}."
        qtbot.waitUntil(lambda: bool(received), timeout=10_000)
        message = received[0]
        assert message.incident == created.reference
        assert message.location == pytest.approx((place.lat, place.lon), abs=1e-6)
        deployment_id = deployed.resources[0].deployment_id
        unit.acknowledge(message.message_id, deployment_id)
        unit.report_status("en_route", deployment_id)
        unit.report_position(place.lat + 0.002, place.lon, speed_kmh=35.0, heading=180.0)

        def arrived() -> bool:
            with Session(desk_context.engine) as session:
                deployment = session.get(Deployment, deployment_id)
                resource = session.get(Resource, proposed.resource_id)
                return (deployment is not None and resource is not None and deployment.status == "en_route"
                        and resource.lat is not None and abs(resource.lat - (place.lat + 0.002)) < 1e-9)

        qtbot.waitUntil(arrived, timeout=10_000)
        with Session(desk_context.engine) as session:
            codes = session.scalars(select(LogEntry.code).where(LogEntry.incident_id == created.incident_id)
                                    .order_by(LogEntry.id)).all()
            deployment = session.get(Deployment, deployment_id)
            assert deployment is not None and deployment.acknowledged_at is not None
        assert codes[-3:] == ["DEPLOY", "ACK", "ENRT"]
        qtbot.waitUntil(lambda: view.model.row_of(created.incident_id) < 0, timeout=10_000)  # met: off the queue
    finally:
        unit.close()


def test_ask_another_organisation_by_keyboard_and_record_its_answer(
    qtbot: QtBot, main_window: MainWindow, desk_context: DeskContext
) -> None:
    """Alt+X from the queue: only what the pack authorises is offered; the request is recorded as
    said by telephone, then their answer with their reference; the log shows both."""
    from supervisor_app.ui.queue.organisations import OrganisationRequests

    pack = desk_context.pack
    place = pack.gazetteer()[12]
    burst = NewIncident(
        incident_type="WATER_MAIN_BURST", priority="P1",
        location=IncidentLocation(Coordinate(place.lat, place.lon), place.label), source=ReferralSource.PHONE,
        summary="Water pouring across the road", required_response=(ResponseRequirement("WATER_CREW", 1),),
    )
    with desk_context.write_session() as session:
        created = create_incident(session, desk_context.actor, burst, pack)
    window = main_window
    view = window.views["queue"]
    assert isinstance(view, DeploymentQueueView)
    window.show_view("queue")
    qtbot.waitUntil(lambda: view.model.row_of(created.incident_id) >= 0, timeout=10_000)
    view.table.setFocus()
    view.table.selectRow(view.model.row_of(created.incident_id))
    panel = view.organisations
    assert isinstance(panel, OrganisationRequests) and panel.incident_id == created.incident_id
    qtbot.keyClick(view.table, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    assert view.follow_up.currentWidget() is panel and focused() is panel.organisation
    offered = [panel.organisation.itemData(i) for i in range(panel.organisation.count())]
    assert offered == [o.code for o in pack.external_organisations if o.may_request]
    panel.organisation.setCurrentIndex(offered.index("HELSINKI_POLICE"))
    requests = [panel.request.itemData(i) for i in range(panel.request.count())]
    assert requests == pack.external_organisation("HELSINKI_POLICE").may_request
    panel.request.setCurrentIndex(requests.index("traffic_control"))
    assert panel.channel.currentData() == "voice_phone" and panel.contact.text() == "+358 295 470 011"
    panel.reason.setFocus()
    qtbot.keyClicks(panel.reason, "Road flooded, traffic must be held back")
    with qtbot.waitSignal(panel.sig_loaded, timeout=10_000, check_params_cb=lambda rows: len(rows) == 1):
        qtbot.keyClick(panel.reason, Qt.Key.Key_Return)
    assert panel.result.text() == (
        "Asked Helsinki Police Department at +358 295 470 011. Say it now, then record their answer.")
    assert panel.requests.item(0).text().endswith(
        "Helsinki Police Department: traffic control by voice phone, waiting for an answer")
    assert panel.accepted_button.isEnabled()
    panel.their_reference.setFocus()
    qtbot.keyClicks(panel.their_reference, "POL-4471")
    with qtbot.waitSignal(panel.sig_loaded, timeout=10_000,
                          check_params_cb=lambda rows: rows[0].status.value == "accepted"):
        qtbot.keyClick(panel.their_reference, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    assert panel.requests.item(0).text().startswith("\u2713 ")
    assert panel.requests.item(0).text().endswith("accepted, their reference POL-4471")
    assert not panel.accepted_button.isEnabled()
    with Session(desk_context.engine) as session:
        log = session.scalars(select(LogEntry.code).where(LogEntry.incident_id == created.incident_id)
                              .order_by(LogEntry.id)).all()
    assert log[-2:] == ["XREQ", "XRESP"]
