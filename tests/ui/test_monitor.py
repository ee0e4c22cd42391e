"""The incident monitor driven as a supervisor uses it, against a real database with the demo shift.

A breach appears in the alert list at the moment its target passes (a fake monotonic clock moves the
desk's time), is acknowledged by keyboard and the log shows who acknowledged it; closing an
incident with a resource still deployed is refused with the reason, then done with one; the
decision-path check flags a required step that was skipped; the monitor model passes Qt's model
tester while live rows arrive; filters and history browse what a supervisor asks for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from supervisor_app.domain.alerts import AlertLevel
from supervisor_app.domain.clocks import TargetKind
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import IncidentLocation, NewIncident, ReferralSource, ResponseRequirement
from supervisor_app.domain.intake import IntakeDetails, assessment_record, complete_intake
from supervisor_app.domain.people import Actor, Role
from supervisor_app.domain.procedures import assess
from supervisor_app.services.context import DeskContext
from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
from supervisor_app.services.incidents import create_incident
from supervisor_app.services.intake import save_assessed_incident
from supervisor_app.services.monitor import load_rows
from supervisor_app.store.models import Deployment, Incident, LogEntry
from supervisor_app.ui.monitor import IncidentMonitorView
from supervisor_app.ui.monitor.model import MonitorColumn
from supervisor_app.ui.runner import Runner
from tests.support.resources import free_resource


class FakeClock:
    """The desk's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def monitor(qtbot: QtBot, desk_context: DeskContext, clock: FakeClock) -> Iterator[IncidentMonitorView]:
    runner = Runner.for_context(desk_context)
    view = IncidentMonitorView(desk_context, runner, clock=clock)
    qtbot.addWidget(view)
    view.resize(1500, 860)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.on_close()
    assert runner.shutdown(5000)


def loaded(qtbot: QtBot, view: IncidentMonitorView) -> None:
    with qtbot.waitSignal(view.sig_loaded, timeout=10_000):
        view.on_shown()


def new_incident(context: DeskContext, incident_type: str = "GAS_ESCAPE_INTERNAL", resource: str = "GAS_ENG") -> int:
    pack = context.pack
    place = pack.gazetteer()[20]
    draft = NewIncident(
        incident_type=incident_type, priority="P1",
        location=IncidentLocation(Coordinate(place.lat, place.lon), place.label), source=ReferralSource.PHONE,
        summary="Strong smell of gas on the landing", required_response=(ResponseRequirement(resource, 1),),
    )
    with context.write_session() as session:
        return create_incident(session, context.actor, draft, pack).incident_id


def deploy_one(context: DeskContext, incident_id: int, resource_type: str = "GAS_ENG") -> int:
    resource_id = free_resource(context, resource_type)
    with context.write_session() as session:
        deployed = deploy_resources(session, context.actor, incident_id,
                                    [DeploymentOrder(resource_id, "voice_radio")], context.pack)
    return deployed.resources[0].deployment_id


def test_a_breach_appears_at_its_moment_is_acknowledged_and_logged(
    qtbot: QtBot, monitor: IncidentMonitorView, desk_context: DeskContext, clock: FakeClock
) -> None:
    incident_id = new_incident(desk_context)
    deployment_id = deploy_one(desk_context, incident_id)
    # The unit was asked 117 s ago: its 2-minute acknowledgement target falls due in about 3 s.
    with desk_context.write_session() as session, session.begin():
        requested = session.scalar(select(Deployment.requested_at).where(Deployment.id == deployment_id))
        assert requested is not None
        session.execute(update(Deployment).where(Deployment.id == deployment_id)
                        .values(requested_at=requested - timedelta(seconds=117)))
    loaded(qtbot, monitor)
    model = monitor.model
    ack = next(c for c in model.clocks_of(incident_id) if c.kind is TargetKind.ACKNOWLEDGE)
    now = model.now()
    assert now is not None and timedelta(0) < ack.due_at - now < timedelta(seconds=4)

    def levels() -> set[AlertLevel]:
        return {a.level for a in monitor.alerts.alerts()
                if a.incident_id == incident_id and a.kind is TargetKind.ACKNOWLEDGE}

    assert levels() == {AlertLevel.NEAR}  # less than a third of the two minutes is left
    clock.seconds += (ack.due_at - now).total_seconds() - 0.2
    monitor.tick()
    assert levels() == {AlertLevel.NEAR}, "not yet: 0.2 s remain"
    clock.seconds += 0.4
    monitor.tick()
    assert levels() == {AlertLevel.BREACH}
    row = monitor.model.row_of(incident_id)
    cell = monitor.model.index(row, MonitorColumn.TO_TARGET)
    assert cell.data().startswith("Ack: ") and cell.data().endswith("late")

    breach = next(a for a in monitor.alerts.alerts() if a.incident_id == incident_id and a.level is AlertLevel.BREACH)
    position = monitor.alerts.alerts().index(breach)
    monitor.alert_table.setFocus()
    monitor.alert_table.selectRow(position)
    qtbot.keyClicks(monitor.alert_note, "Calling the crew on the radio")
    qtbot.waitUntil(lambda: desk_now(desk_context) > ack.due_at, timeout=10_000)  # the database's clock too
    with qtbot.waitSignal(monitor.sig_alert_acknowledged, timeout=10_000):
        qtbot.keyClick(monitor.alert_table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: monitor.alerts.acknowledgement(breach.key) is not None, timeout=10_000)
    acknowledged = monitor.alerts.acknowledgement(breach.key)
    assert acknowledged is not None and acknowledged.username == desk_context.actor.username
    index = monitor.alerts.index(monitor.alerts.alerts().index(breach), 3)
    assert index.data().startswith(desk_context.actor.username)
    with Session(desk_context.engine) as session:
        late = session.scalars(
            select(LogEntry).where(LogEntry.incident_id == incident_id, LogEntry.code == "LATE")).one()
    assert "Alert acknowledged by" in late.text and late.text.endswith("Calling the crew on the radio")
    assert late.author == desk_context.actor.username


def desk_now(context: DeskContext):  # type: ignore[no-untyped-def]
    from supervisor_app.store.types import db_now

    with Session(context.engine) as session:
        return session.scalar(select(db_now()))


def test_closing_with_a_resource_still_deployed_is_refused_then_done_with_a_reason(
    qtbot: QtBot, monitor: IncidentMonitorView, desk_context: DeskContext
) -> None:
    incident_id = new_incident(desk_context)
    deploy_one(desk_context, incident_id)
    loaded(qtbot, monitor)
    monitor.select_incident(incident_id)
    detail = monitor.detail
    qtbot.waitUntil(lambda: detail.detail is not None and detail.detail.incident.incident_id == incident_id,
                    timeout=10_000)
    detail.setFocus()
    qtbot.keyClick(detail, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert detail.tabs.currentIndex() == 4
    detail.disposition.setCurrentIndex(detail.disposition.findData("MADE_SAFE"))
    qtbot.keyClicks(detail.close_note, "Isolated at the meter")
    with qtbot.waitSignal(detail.sig_refused, timeout=10_000) as refused:
        qtbot.mouseClick(detail.close_button, Qt.MouseButton.LeftButton)
    assert "still has resources deployed: " in refused.args[0] and "has not acknowledged" in refused.args[0]
    assert "give a reason" in refused.args[0] and refused.args[0].endswith("Nothing was changed.")
    with Session(desk_context.engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.status == "resource_assigned" and incident.closed_at is None
    qtbot.keyClicks(detail.uncleared_reason, "Crew confirmed safe by phone, stood down")
    with qtbot.waitSignal(monitor.sig_rows_applied, timeout=10_000,
                          check_params_cb=lambda rows: incident_id in rows.gone_ids):
        qtbot.mouseClick(detail.close_button, Qt.MouseButton.LeftButton)
    assert monitor.model.row_of(incident_id) < 0
    with Session(desk_context.engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.status == "closed" and incident.disposition_code == "MADE_SAFE"
        codes = session.scalars(select(LogEntry.code).where(LogEntry.incident_id == incident_id)
                                .order_by(LogEntry.id)).all()
    assert codes[-2:] == ["STDN", "CLOSE"]


CANNOT_LEAVE = [
    ("caller_account", "Smell of gas on every floor since this morning"),
    ("smell_where", "whole_building"),
    ("anyone_unwell", "no"),
    ("everyone_out", "no"),
    ("can_leave", "no"),
]


def test_the_decision_path_check_flags_a_skipped_step_until_it_is_done(
    qtbot: QtBot, monitor: IncidentMonitorView, desk_context: DeskContext
) -> None:
    pack = desk_context.pack
    procedure = pack.procedure("GAS_ESCAPE_INTERNAL")
    place = pack.gazetteer()[30]
    details = IntakeDetails("GAS_ESCAPE_INTERNAL", IncidentLocation(Coordinate(place.lat, place.lon), place.label),
                            ReferralSource.PHONE, "Gas through the whole building; a neighbour cannot leave")
    intake = complete_intake(details, procedure, assess(procedure, CANNOT_LEAVE),
                             checks_confirmed=["VULNERABLE_REGISTER"], advice_given=True)
    with desk_context.write_session() as session:
        incident_id = save_assessed_incident(session, desk_context.actor, intake, pack).incident_id
    loaded(qtbot, monitor)
    monitor.select_incident(incident_id)
    detail = monitor.detail
    qtbot.waitUntil(lambda: detail.detail is not None and detail.detail.incident.incident_id == incident_id,
                    timeout=10_000)
    steps = [detail.decision_steps.item(i).text() for i in range(detail.decision_steps.count())]
    assert detail.decision_summary.text().startswith("\u2716 1 required step(s) not done")
    assert any(s.startswith("\u2716 Escalation to HELSINKI_RESCUE") for s in steps), steps
    assert any(s.startswith("\u2713 Vulnerable customer register checked") for s in steps), steps

    # A record whose mandatory check was never confirmed (as an imported one may be) is flagged too.
    record = assessment_record(intake)
    checks = record["checks"]
    assert isinstance(checks, list)
    checks[0]["confirmed"] = False
    with desk_context.write_session() as session, session.begin():
        session.execute(update(Incident).where(Incident.id == incident_id)
                        .values(assessment=json.loads(json.dumps(record))))
    with qtbot.waitSignal(detail.sig_loaded, timeout=10_000):
        detail.reload()
    steps = [detail.decision_steps.item(i).text() for i in range(detail.decision_steps.count())]
    assert detail.decision_summary.text().startswith("\u2716 2 required step(s) not done")
    assert any(s.startswith("\u2716 Vulnerable customer register checked") for s in steps), steps

    # The escalation the outcome asks for, made from the Escalate tab, ticks its step.
    detail.setFocus()
    qtbot.keyClick(detail, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert detail.tabs.currentIndex() == 3
    detail.escalation_target.setCurrentIndex(detail.escalation_target.findData("HELSINKI_RESCUE"))
    detail.escalation_reason.setFocus()
    qtbot.keyClicks(detail.escalation_reason, "People cannot leave a building with a gas escape")
    with qtbot.waitSignal(detail.sig_loaded, timeout=10_000):
        qtbot.keyClick(detail.escalation_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: detail.escalations.count() == 1, timeout=10_000)
    steps = [detail.decision_steps.item(i).text() for i in range(detail.decision_steps.count())]
    assert any(s.startswith("\u2713 Escalation to HELSINKI_RESCUE") for s in steps), steps
    assert detail.decision_summary.text().startswith("\u2716 1 required step(s) not done")


def test_the_monitor_model_passes_the_model_tester_while_live_rows_arrive(
    qtbot: QtBot, qtmodeltester, monitor: IncidentMonitorView, desk_context: DeskContext  # type: ignore[no-untyped-def]
) -> None:
    loaded(qtbot, monitor)
    qtmodeltester.check(monitor.model, force_py=True)
    before = monitor.model.rowCount()
    incident_id = new_incident(desk_context)
    with Session(desk_context.engine) as session:
        actor = desk_context.actor
        rows = load_rows(session, actor, [incident_id], desk_context.pack)
    monitor.apply_rows(rows)
    assert monitor.model.rowCount() == before + 1
    deploy_one(desk_context, incident_id)
    with Session(desk_context.engine) as session:
        rows = load_rows(session, desk_context.actor, [incident_id], desk_context.pack)
    monitor.apply_rows(rows)
    row = monitor.model.row_at(monitor.model.row_of(incident_id))
    assert row is not None and row.status == "resource_assigned" and len(row.resources) == 1
    qtmodeltester.check(monitor.model, force_py=True)


def test_filters_narrow_the_table_and_history_pages_closed_incidents(
    qtbot: QtBot, monitor: IncidentMonitorView, desk_context: DeskContext
) -> None:
    loaded(qtbot, monitor)
    total = monitor.model.rowCount()
    assert total > 10
    monitor.filter_priority.setCurrentIndex(monitor.filter_priority.findData("P1"))
    shown = [monitor.model.row_at(i) for i in range(monitor.model.rowCount())]
    assert shown and all(row is not None and row.priority == "P1" for row in shown)
    assert monitor.status_line.text().startswith(f"{total:,} open")
    monitor.filter_priority.setCurrentIndex(0)
    first = monitor.model.row_at(0)
    assert first is not None
    monitor.filter_text.setFocus()
    qtbot.keyClicks(monitor.filter_text, first.reference)
    assert monitor.model.rowCount() == 1
    monitor.filter_text.clear()

    with qtbot.waitSignal(monitor.sig_history_loaded, timeout=10_000) as first_page:
        qtbot.keyClick(monitor.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert monitor.history and len(first_page.args[0].rows) == 200
    rows = [monitor.model.row_at(i) for i in range(monitor.model.rowCount())]
    assert all(row is not None and row.status in ("closed", "cancelled") for row in rows)
    created = [row.created_at for row in rows if row is not None]
    assert created == sorted(created, reverse=True)
    with qtbot.waitSignal(monitor.sig_history_loaded, timeout=10_000):
        monitor.table.scrollToBottom()
        monitor.model.fetchMore(monitor.table.rootIndex())
    with Session(desk_context.engine) as session:
        closed = session.scalar(select(func.count()).select_from(Incident)
                                .where(Incident.status.in_(["closed", "cancelled"])))
    assert closed is not None and closed > 200
    assert monitor.model.rowCount() == min(400, closed)
    ids = [row.incident_id for row in monitor.model.rows()]
    assert len(set(ids)) == len(ids), "no incident twice across pages"
    qtbot.keyClick(monitor.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not monitor.history and monitor.model.rowCount() == total, timeout=10_000)


def test_another_desks_change_reaches_the_monitor_through_the_live_feed(
    qtbot: QtBot, main_window, desk_context: DeskContext  # type: ignore[no-untyped-def]
) -> None:
    monitor = main_window.views["monitor"]
    assert isinstance(monitor, IncidentMonitorView)
    with qtbot.waitSignal(monitor.sig_loaded, timeout=10_000):
        qtbot.keyClick(main_window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_view() is monitor
    other = Actor.of("sup.two", [Role.SUPERVISOR], "desk-2")
    place = desk_context.pack.gazetteer()[5]
    draft = NewIncident(
        incident_type="LIFT_ENTRAPMENT", priority="P1",
        location=IncidentLocation(Coordinate(place.lat, place.lon), place.label), source=ReferralSource.PHONE,
        summary="Two people stuck between floors", required_response=(ResponseRequirement("LIFT_ENG", 1),),
    )
    with desk_context.write_session() as session:
        created = create_incident(session, other, draft, desk_context.pack)
    qtbot.waitUntil(lambda: monitor.model.row_of(created.incident_id) >= 0, timeout=10_000)
    deploy_one(desk_context, created.incident_id, "LIFT_ENG")

    def deployed() -> bool:
        row = monitor.model.row_at(monitor.model.row_of(created.incident_id))
        return row is not None and row.status == "resource_assigned" and len(row.resources) == 1

    qtbot.waitUntil(deployed, timeout=10_000)


def _colours_in(image: QImage, rect: QRect) -> set[tuple[int, int, int]]:
    return {QColor(image.pixel(x, y)).getRgb()[:3] for x in range(rect.left(), rect.right() + 1)
            for y in range(rect.top(), rect.bottom() + 1)}


def test_cells_are_painted_with_their_colours_and_the_selection_with_the_highlight(
    qtbot: QtBot, monitor: IncidentMonitorView
) -> None:
    loaded(qtbot, monitor)
    model, table = monitor.model, monitor.table
    late = next(position for position in range(model.rowCount())
                if model.data(model.index(position, MonitorColumn.TO_TARGET), Qt.ItemDataRole.ForegroundRole))
    table.scrollTo(model.index(late, 0))
    image = table.viewport().grab().toImage()
    danger = QColor(model.data(model.index(late, MonitorColumn.TO_TARGET), Qt.ItemDataRole.ForegroundRole))
    late_cell = table.visualRect(model.index(late, MonitorColumn.TO_TARGET))
    assert danger.getRgb()[:3] in _colours_in(image, late_cell)  # the late clock's text, in its colour
    text = str(model.data(model.index(late, MonitorColumn.TO_TARGET)))
    assert text.endswith("late")

    table.selectRow(late)
    image = table.viewport().grab().toImage()
    highlight = table.palette().color(QPalette.ColorRole.Highlight).getRgb()[:3]
    status_cell = table.visualRect(model.index(late, MonitorColumn.STATUS))
    assert QColor(image.pixel(status_cell.right() - 2, status_cell.center().y())).getRgb()[:3] == highlight
    icon_area = QRect(status_cell.left() + 6, status_cell.top() + 4, 16, status_cell.height() - 8)
    on_highlight = table.palette().color(QPalette.ColorRole.HighlightedText).getRgb()[:3]
    assert on_highlight in _colours_in(image, icon_area)  # the muted status icon stays visible on the highlight
    other = table.visualRect(model.index(late + 1 if late + 1 < model.rowCount() else late - 1, MonitorColumn.STATUS))
    assert QColor(image.pixel(other.right() - 2, other.center().y())).getRgb()[:3] != highlight


def test_a_text_wider_than_its_cell_is_elided_and_laid_out_once(qtbot: QtBot, monitor: IncidentMonitorView) -> None:
    loaded(qtbot, monitor)
    table = monitor.table
    table.setColumnWidth(MonitorColumn.LOCATION, 60)
    for _ in range(2):
        table.viewport().repaint()
    texts = monitor.cells._texts
    shown = [laid_out.text() for (text, width, _b, _h), (laid_out, _top) in texts.items() if width < 60 and text]
    assert shown and any(text.endswith("\u2026") for text in shown)
    before = len(texts)
    table.viewport().repaint()
    assert len(texts) == before  # nothing laid out again
