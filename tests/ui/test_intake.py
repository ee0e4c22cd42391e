"""The intake view driven by keyboard alone, from a new referral to a saved, assessed incident."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.procedures import DecisionPath, replay
from supervisor_app.domain.referrals import read_referral
from supervisor_app.services.context import DeskContext
from supervisor_app.services.referrals import receive_referral
from supervisor_app.store.models import AuditEvent, Incident, IncidentLink, LogEntry, Referral
from supervisor_app.ui.intake import IntakeView
from supervisor_app.ui.main_window import MainWindow
from tests.support.procedures import answers_to

ADDRESS = "Aleksanterinkatu 5"


@pytest.fixture
def intake(main_window: MainWindow, qtbot: QtBot) -> IntakeView:
    qtbot.keyClick(main_window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    view = main_window.views["intake"]
    assert isinstance(view, IntakeView)
    assert main_window.current_view() is view
    qtbot.waitUntil(lambda: not main_window.runner.busy_count)
    return view


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard"
    return widget


def type_into_focus(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)


def pick_from_popup(qtbot: QtBot, view: QWidget, typed: str) -> None:
    """Type into the focused field with suggestions, then take the first suggestion (Down, Enter).

    The suggestion list holds the keyboard while it is open, so the keys go to it.
    """
    field = focused()
    qtbot.keyClicks(field, typed)
    completer = field.completer() if hasattr(field, "completer") else None
    assert completer is not None
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    give_back_activation(qtbot, view)


def give_back_activation(qtbot: QtBot, view: QWidget) -> None:
    """The offscreen platform has no window manager to hand activation back to the window when a
    list of suggestions closes (a desktop does); without it the window's shortcuts would not fire."""
    window = view.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def fill_referral(qtbot: QtBot, view: IntakeView, incident_type_words: str) -> None:
    """Ctrl+N, then Tab through the form as a supervisor would, ending in the procedure."""
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert focused() is view.form.source
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.form.incident_type.lineEdit() or focused() is view.form.incident_type
    combo_line = view.form.incident_type.lineEdit()
    qtbot.keyClicks(combo_line, incident_type_words)
    popup = view.form.incident_type.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    give_back_activation(qtbot, view)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.form.contact_name
    type_into_focus(qtbot, "Aino Virtanen")
    press(qtbot, Qt.Key.Key_Tab)
    type_into_focus(qtbot, "+358 40 123 4567")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)  # no organisation: a member of the public
    assert focused() is view.form.address
    pick_from_popup(qtbot, view, ADDRESS)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.form.coordinates
    assert view.form.point() is not None, "picking the address fills in its coordinates"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.form.summary
    type_into_focus(qtbot, "Two people stuck in the lift between floors 3 and 4")
    press(qtbot, Qt.Key.Key_Tab)  # on to the procedure's first question


def answer_text(qtbot: QtBot, view: IntakeView, text: str) -> None:
    assert view.script.editor is not None and focused() is view.script.editor.focus_target()
    type_into_focus(qtbot, text)
    press(qtbot, Qt.Key.Key_Return)


def answer_key(qtbot: QtBot, view: IntakeView, key: Qt.Key) -> None:
    assert view.script.editor is not None, "no question on screen"
    assert view.script.editor.isAncestorOf(focused()), f"the question is not in focus: {focused()!r}"
    press(qtbot, key)


def test_a_full_assessment_by_keyboard_alone_saves_the_incident_with_its_log_and_path(
    intake: IntakeView, qtbot: QtBot, desk_context: DeskContext
) -> None:
    view = intake
    fill_referral(qtbot, view, "trapped")
    assert view.form.incident_type_code == "LIFT_ENTRAPMENT"
    assert view.script.ask_label.text().startswith("Which lift is it")
    answer_text(qtbot, view, "Block B, lift 2, stuck at floor 4")
    answer_key(qtbot, view, Qt.Key.Key_Y)  # someone inside
    answer_key(qtbot, view, Qt.Key.Key_Y)  # in contact
    answer_key(qtbot, view, Qt.Key.Key_N)  # nobody unwell
    answer_key(qtbot, view, Qt.Key.Key_Y)  # a child in the lift
    assessment = view.script.assessment
    assert assessment is not None and assessment.outcome is not None
    assert assessment.outcome.id == "vulnerable_trapped"
    assert view.outcome.priority_chip.text().startswith("P1")
    assert "Escalate to the duty manager" in view.outcome.escalation_label.text()
    assert "Help is on the way" in view.outcome.say_label.text()
    # The cursor moved on to what must be confirmed; Ctrl+S before confirming says what is missing.
    assert focused() is view.outcome.advice_given
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "advice" in view.save_hint.text()
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused().objectName() == "check-SAFEGUARDING_REFERRAL"
    press(qtbot, Qt.Key.Key_Space)
    with qtbot.waitSignal(view.sig_saved, timeout=10_000) as saved_signal:
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = saved_signal.args[0]
    assert view.status_line.text().startswith(f"Saved {saved.reference}")
    assert view.script.assessment is None and view.form.summary.toPlainText() == ""  # ready for the next call

    with Session(desk_context.engine) as session:
        incident = session.get(Incident, saved.incident_id)
        assert incident is not None
        assert (incident.incident_type, incident.priority, incident.status) == (
            "LIFT_ENTRAPMENT",
            "P1",
            "awaiting_resource",
        )
        assert (incident.address, incident.contact_name, incident.created_by) == (
            ADDRESS,
            "Aino Virtanen",
            "demo.supervisor",
        )
        log = session.scalars(select(LogEntry).where(LogEntry.incident_id == incident.id).order_by(LogEntry.id)).all()
        assert [entry.code for entry in log] == [
            "REF",
            "CALLER",
            "ANS",
            "ANS",
            "HAZARD",
            "VULN",
            "ASSESS",
            "ADVICE",
            "CHECK",
        ]
        assert log[1].text == "In the caller's words: Block B, lift 2, stuck at floor 4"
        assert log[5].text.endswith(
            "Is there a child, an elderly or disabled person, or someone pregnant in the lift? Yes"
        )
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == incident.id)).one()
        assert (audit.action, audit.actor, audit.detail["outcome"]) == (
            "incident.create",
            "demo.supervisor",
            "vulnerable_trapped",
        )
        assert incident.assessment is not None
        path = DecisionPath.from_dict(incident.assessment["path"])
        assert [step.node for step in path.steps] == [
            "which_lift",
            "anyone_trapped",
            "in_contact",
            "unwell",
            "vulnerable_in_lift",
        ]
        procedure = desk_context.pack.procedure("LIFT_ENTRAPMENT")
        assert replay(procedure, path).outcome is procedure.node("vulnerable_trapped")


def test_an_earlier_answer_is_changed_from_the_keyboard_and_the_outcome_follows(
    intake: IntakeView, qtbot: QtBot
) -> None:
    view = intake
    fill_referral(qtbot, view, "trapped")
    answer_text(qtbot, view, "Lift 1")
    answer_key(qtbot, view, Qt.Key.Key_Y)
    answer_key(qtbot, view, Qt.Key.Key_Y)
    answer_key(qtbot, view, Qt.Key.Key_N)
    answer_key(qtbot, view, Qt.Key.Key_N)
    answer_text(qtbot, view, "700")  # more than the procedure allows: refused, stays on the question
    assert "a whole number of minutes from 0 to 600" in view.script.error_label.text()
    assert view.script.ask_label.text() == "How many minutes have they been trapped?"
    view.script.editor.focus_target().clear()  # type: ignore[union-attr]
    answer_text(qtbot, view, "45")
    assert view.script.assessment is not None and view.script.assessment.outcome is not None
    assert view.script.assessment.outcome.id == "long_entrapment"
    # Back to "Is someone inside the lift car right now?" and answer it the other way.
    press(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert focused() is view.script.path_list
    press(qtbot, Qt.Key.Key_Home)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert view.script.ask_label.text() == "Is someone inside the lift car right now?"
    answer_key(qtbot, view, Qt.Key.Key_N)
    assert view.script.assessment.outcome is not None
    assert view.script.assessment.outcome.id == "no_one_trapped"
    assert [s.node for s in view.script.assessment.path.steps] == ["which_lift", "anyone_trapped"]
    assert view.outcome.priority_chip.text().startswith("P2")


def test_a_mandatory_check_left_unticked_is_named_and_nothing_is_saved(
    intake: IntakeView, qtbot: QtBot, desk_context: DeskContext
) -> None:
    view = intake
    fill_referral(qtbot, view, "LIFT_BREAKDOWN")
    assert view.form.incident_type_code == "LIFT_BREAKDOWN"
    procedure = desk_context.pack.procedure("LIFT_BREAKDOWN")
    for node, answer in answers_to(procedure, "reliant_stranded"):
        assert view.script.assessment is not None and view.script.assessment.question is not None
        assert view.script.assessment.question.id == node
        assert view.script.answer(answer)
    with Session(desk_context.engine) as session:
        before = session.scalar(select(Incident.id).order_by(Incident.id.desc()).limit(1))
    press(qtbot, Qt.Key.Key_Space)  # advice read
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "every mandatory check confirmed: Vulnerable customer register" in view.save_hint.text()
    with Session(desk_context.engine) as session:
        assert session.scalar(select(Incident.id).order_by(Incident.id.desc()).limit(1)) == before


def test_a_referral_from_the_queue_is_assessed_and_linked_to_its_duplicate(
    intake: IntakeView, qtbot: QtBot, desk_context: DeskContext
) -> None:
    view = intake
    # A first call about the lift, saved by keyboard as above.
    fill_referral(qtbot, view, "trapped")
    answer_text(qtbot, view, "Lift 2")
    for key in (Qt.Key.Key_Y, Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_N):
        answer_key(qtbot, view, key)
    answer_text(qtbot, view, "5")
    press(qtbot, Qt.Key.Key_Space)
    with qtbot.waitSignal(view.sig_saved, timeout=10_000) as first_saved:
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    first = first_saved.args[0]
    # The lift company's alarm centre refers the same lift through the inbox.
    place = next(p for p in desk_context.pack.gazetteer() if p.label == ADDRESS)
    line = (
        '{"partner": "LIFT_ALARMS", "reference": "LA-77", "source": "alarm", "incident_type": "LIFT_ENTRAPMENT",'
        f' "summary": "Alarm button pressed in lift 2", "address": "{ADDRESS}",'
        f' "location": {{"lat": {place.lat}, "lon": {place.lon}}}}}'
    )
    with Session(desk_context.engine, expire_on_commit=False) as session:
        received = receive_referral(session, desk_context.actor, read_referral(line), desk_context.pack)
    press(qtbot, Qt.Key.Key_F5)  # or wait for the queue's own refresh
    qtbot.waitUntil(lambda: view.queue.count() == 1, timeout=10_000)
    press(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert focused() is view.queue and view.queue.count() == 1
    press(qtbot, Qt.Key.Key_Home)
    with qtbot.waitSignal(view.sig_duplicates_loaded, timeout=10_000) as duplicates:
        press(qtbot, Qt.Key.Key_Return)
    found = [d.reference for d in duplicates.args[0]]
    assert found[0] == first.reference, "the first call, at the same address, is offered first"
    assert view.referral_label.text() == "From the queue: LIFT_ALARMS LA-77 (alarm)"
    assert view.form.incident_type_code == "LIFT_ENTRAPMENT"
    answer_text(qtbot, view, "Lift 2, same as before")
    for key in (Qt.Key.Key_Y, Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_N):
        answer_key(qtbot, view, key)
    answer_text(qtbot, view, "9")
    press(qtbot, Qt.Key.Key_Space)  # advice read
    # Flag it as a duplicate (Alt+L, then the keyboard) and tick the first call (Alt+D, Space).
    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert focused() is view.outcome.validity
    type_into_focus(qtbot, "Dup")  # the list jumps to the item typed
    assert view.outcome.validity.currentData() == "duplicate"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.outcome.validity_reason
    type_into_focus(qtbot, "Alarm centre reporting the call we already have")
    press(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert focused() is view.outcome.duplicates
    press(qtbot, Qt.Key.Key_Space)
    with qtbot.waitSignal(view.sig_saved, timeout=10_000) as second_saved:
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    second = second_saved.args[0]
    with Session(desk_context.engine) as session:
        referral = session.get(Referral, received.referral_id)
        assert referral is not None and (referral.status, referral.incident_id) == ("assessed", second.incident_id)
        link = session.scalars(select(IncidentLink)).one()
        assert (link.incident_id, link.linked_incident_id) == (second.incident_id, first.incident_id)
        incident = session.get(Incident, second.incident_id)
        assert incident is not None and (incident.validity, incident.status) == ("duplicate", "cancelled")
    qtbot.waitUntil(lambda: view.queue.count() == 0)


def test_a_referral_assessed_at_another_desk_leaves_this_desk_queue_without_a_refresh(
    intake: IntakeView, qtbot: QtBot, desk_context: DeskContext
) -> None:
    from supervisor_app.domain.geo import Coordinate
    from supervisor_app.domain.incidents import IncidentLocation, ReferralSource
    from supervisor_app.domain.intake import IntakeDetails, complete_intake
    from supervisor_app.domain.people import Actor, Role
    from supervisor_app.domain.procedures import assess
    from supervisor_app.services.intake import save_assessed_incident

    view = intake
    place = next(p for p in desk_context.pack.gazetteer() if p.label == ADDRESS)
    line = (
        '{"partner": "WEB", "reference": "F-901", "source": "web_form", "summary": "Lift stuck, nobody inside",'
        f' "address": "{ADDRESS}", "location": {{"lat": {place.lat}, "lon": {place.lon}}}}}'
    )
    with Session(desk_context.engine, expire_on_commit=False) as session:
        received = receive_referral(session, desk_context.actor, read_referral(line), desk_context.pack)
    press(qtbot, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: view.queue.count() == 1, timeout=10_000)
    assert "Type not given" in view.queue.item(0).text()

    procedure = desk_context.pack.procedure("LIFT_ENTRAPMENT")
    assessment = assess(procedure, answers_to(procedure, "no_one_trapped"))
    other_desk = Actor.of("op.two", [Role.OPERATOR], "desk-2")
    details = IntakeDetails("LIFT_ENTRAPMENT", IncidentLocation(Coordinate(place.lat, place.lon), ADDRESS),
                            ReferralSource.WEB_FORM, "Lift stuck, nobody inside")
    intake_done = complete_intake(details, procedure, assessment, advice_given=True,
                                  referral_id=received.referral_id)
    with Session(desk_context.engine, expire_on_commit=False) as session:
        save_assessed_incident(session, other_desk, intake_done, desk_context.pack)
    qtbot.waitUntil(lambda: view.queue.count() == 0, timeout=10_000)  # the live feed, not the 15 s refresh


def test_the_priority_and_response_are_overridden_by_keyboard_with_a_reason(
    intake: IntakeView, qtbot: QtBot, desk_context: DeskContext
) -> None:
    view = intake
    fill_referral(qtbot, view, "trapped")
    answer_text(qtbot, view, "Lift 3")
    for key in (Qt.Key.Key_Y, Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_N):
        answer_key(qtbot, view, key)
    answer_text(qtbot, view, "10")  # standard release: P1, one lift engineer
    press(qtbot, Qt.Key.Key_Space)  # advice read
    press(qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert focused() is view.outcome.override
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.outcome.override_priority
    type_into_focus(qtbot, "P2")
    assert view.outcome.override_priority.currentData() == "P2"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused().objectName() == "override-count-LIFT_ENG" or focused().parent().objectName() == (
        "override-count-LIFT_ENG")
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_into_focus(qtbot, "2")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is view.outcome.override_reason
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "reason for the override" in view.save_hint.text()
    type_into_focus(qtbot, "Two cars stuck in the same shaft; engineer already nearby")
    with qtbot.waitSignal(view.sig_saved, timeout=10_000) as saved_signal:
        press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = saved_signal.args[0]
    with Session(desk_context.engine) as session:
        incident = session.get(Incident, saved.incident_id)
        assert incident is not None
        assert (incident.priority, incident.computed_priority) == ("P2", "P1")
        assert incident.required_response == [{"resource_type": "LIFT_ENG", "count": 2,
                                                "capabilities": ["lift_release"]}]
        override = session.scalars(select(LogEntry.text).where(
            LogEntry.incident_id == incident.id, LogEntry.code == "OVERRIDE")).one()
        assert override == ("Recommendation overridden. Reason: Two cars stuck in the same shaft; engineer already "
                            "nearby (priority P1 changed to P2; response changed to 2 x LIFT_ENG (lift_release))")
