"""The desk locks itself when nobody uses it, stays live underneath, unlocks with the password,
and passes to another person at a hand-over without closing. Time is a fake clock: the tests
move it on instead of waiting fifteen minutes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor, Role
from supervisor_app.services.context import DeskContext
from supervisor_app.services.incidents import add_log_entry
from supervisor_app.services.presence import claim_incident
from supervisor_app.services.sign_in import NOT_RECOGNISED
from supervisor_app.store.models import AuditEvent, Incident, IncidentClaim, User
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.session.controller import idle_limit_seconds
from supervisor_app.ui.session.lock_screen import LockMode

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
MINUTE = 60.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def window(qtbot: QtBot, desk_context: DeskContext, clock: FakeClock) -> Iterator[MainWindow]:
    with Session(desk_context.engine) as session:  # the fixture's actor, with its id, as sign-in gives it
        user = session.scalars(select(User).where(User.username == desk_context.actor.username)).one()
        desk_context.hand_over(replace(desk_context.actor, user_id=user.id))
    window = create_main_window(desk_context, idle_clock=clock, idle_check_ms=10)
    window.show()
    qtbot.waitExposed(window)
    overview = window.views["overview"]
    qtbot.waitUntil(lambda: getattr(overview, "is_live", False) and not window.runner.busy_count, timeout=10_000)
    yield window
    window.close()
    window.deleteLater()


def audit_actions(context: DeskContext, *names: str) -> list[tuple[str, str, dict[str, object]]]:
    with Session(context.engine) as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.detail)
            .where(AuditEvent.action.in_(names))
            .order_by(AuditEvent.id)
        ).all()
    return [(row.action, row.actor, dict(row.detail or {})) for row in rows]


def type_password(qtbot: QtBot, window: MainWindow, password: str) -> None:
    field = window.session.lock_screen.form.password
    assert window.session.lock_screen.focusWidget() is field or field.hasFocus()
    qtbot.keyClicks(field, password)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_idle_desk_locks_at_the_limit_not_before(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    clock.advance(15 * MINUTE - 1)
    qtbot.wait(60)  # several idle checks
    assert not window.session.locked

    clock.advance(1)
    qtbot.waitUntil(lambda: window.session.locked, timeout=2000)
    cover = window.session.lock_screen
    assert cover.isVisible() and cover.mode is LockMode.UNLOCK
    assert cover.geometry().top() == 0 and cover.width() == window.width()
    assert cover.geometry().bottom() < window.status.geometry().top()  # the status bar stays in sight
    assert "after 15 minutes without use" in cover.form.detail.text()
    assert not window.centralWidget().isEnabled() and not window.menuBar().isEnabled()
    assert not any(action.isEnabled() for action in window.actions_by_name.values())
    assert "locked" in window.status.user.text()
    qtbot.waitUntil(lambda: bool(audit_actions(window.context, "auth.session_locked")), timeout=5000)
    (event,) = audit_actions(window.context, "auth.session_locked")
    assert event[1] == "demo.supervisor" and event[2]["reason"] == "idle"


def test_input_keeps_the_desk_open(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    clock.advance(10 * MINUTE)
    handle = window.windowHandle()  # input arrives at the window first, as from the platform
    assert handle is not None
    qtbot.keyClick(handle, Qt.Key.Key_Down)  # someone is there
    clock.advance(10 * MINUTE)
    qtbot.wait(60)
    assert not window.session.locked
    qtbot.mouseMove(handle, window.views["overview"].mapTo(window, window.views["overview"].rect().center()))
    clock.advance(14 * MINUTE)
    qtbot.wait(60)
    assert not window.session.locked


def test_the_idle_limit_never_exceeds_thirty_minutes() -> None:
    assert idle_limit_seconds(15) == 15 * MINUTE
    assert idle_limit_seconds(60) == 30 * MINUTE
    assert idle_limit_seconds(0) == 1 * MINUTE


def test_live_data_keeps_updating_under_the_lock_and_the_password_unlocks(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, desk_context: DeskContext
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.session.locked
    overview = window.views["overview"]
    with Session(desk_context.engine) as session:
        incident_id = session.scalars(
            select(Incident.id).where(Incident.status.in_([s.value for s in OPEN_INCIDENT_STATUSES]))
        ).first()
    assert incident_id is not None
    other = Actor.of("aino.virtanen", [Role.SUPERVISOR], "desk-7")
    with desk_context.write_session() as session:
        add_log_entry(session, other, incident_id, "NOTE", "Written while desk-1 was locked", desk_context.pack)
    qtbot.waitUntil(
        lambda: overview.log_model.rowCount() > 0 and "while desk-1 was locked" in str(overview.log_model.line(0).text),
        timeout=10_000,
    )
    assert "Live updates continue underneath" in window.session.lock_screen.live.text()

    type_password(qtbot, window, "not the password at all")
    qtbot.waitUntil(lambda: not window.session.lock_screen.form.busy, timeout=5000)
    assert window.session.lock_screen.form.message.text() == NOT_RECOGNISED
    assert window.session.locked

    type_password(qtbot, window, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: not window.session.locked, timeout=5000)
    assert window.centralWidget().isEnabled() and window.menuBar().isEnabled()
    assert window.actions_by_name["quit"].isEnabled()
    assert "locked" not in window.status.user.text()
    events = audit_actions(desk_context, "auth.session_locked", "auth.failed", "auth.unlocked")
    assert [e[0] for e in events] == ["auth.session_locked", "auth.failed", "auth.unlocked"]
    assert events[0][2]["reason"] == "by hand"

    clock.advance(15 * MINUTE)  # the idle watch starts again from the unlock
    qtbot.waitUntil(lambda: window.session.locked, timeout=2000)


def test_five_wrong_passwords_lock_the_account_and_someone_else_can_take_over(
    qtbot: QtBot, window: MainWindow, desk_context: DeskContext
) -> None:
    window.session.lock_by_hand()
    form = window.session.lock_screen.form
    for attempt in range(5):
        form.show_message("")
        type_password(qtbot, window, f"wrong password number {attempt}")
        qtbot.waitUntil(lambda: bool(form.message.text()) and not form.busy, timeout=5000)
    assert "locked until" in form.message.text()
    type_password(qtbot, window, DEMO_PASSWORD)  # the right one, too late
    qtbot.waitUntil(lambda: not form.busy, timeout=5000)
    assert "locked until" in form.message.text() and window.session.locked

    qtbot.mouseClick(window.session.lock_screen.switch_button, Qt.MouseButton.LeftButton)
    assert window.session.lock_screen.mode is LockMode.HAND_OVER
    qtbot.keyClicks(form.username, "demo.operator")
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    assert form.password.hasFocus() or window.session.lock_screen.focusWidget() is form.password
    qtbot.keyClicks(form.password, DEMO_PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.session.locked, timeout=5000)
    assert window.context.actor.username == "demo.operator"


def test_hand_over_passes_the_desk_and_its_claims_without_closing(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, desk_context: DeskContext
) -> None:
    with Session(desk_context.engine) as session:
        incident_id = session.scalars(
            select(Incident.id).where(Incident.status.in_([s.value for s in OPEN_INCIDENT_STATUSES]))
        ).first()
    assert incident_id is not None
    with desk_context.write_session() as session:
        claim_incident(session, desk_context.actor, incident_id, timezone=desk_context.pack.timezone)
    live_before = window.live

    qtbot.keyClick(window, Qt.Key.Key_L, CTRL_SHIFT)  # File > Hand over desk…
    cover = window.session.lock_screen
    assert window.session.locked and cover.mode is LockMode.HAND_OVER
    assert cover.form.focusWidget() is cover.form.username or cover.form.username.hasFocus()
    qtbot.keyClicks(cover.form.username, "demo.admin")
    qtbot.keyClick(cover.form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(cover.form.password, DEMO_PASSWORD)
    qtbot.keyClick(cover.form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.session.locked, timeout=5000)

    assert window.isVisible() and window.live is live_before  # the same desk, still live
    assert window.context.actor.username == "demo.admin"
    assert "Demo Administrator" in window.status.user.text()
    assert window.actions_by_name["view-accounts"].isVisible()  # administrators manage accounts
    assert "handed over to Demo Administrator" in window.message_bar.headline_text()
    with Session(desk_context.engine) as session:
        claim = session.get(IncidentClaim, incident_id)
        assert claim is not None and claim.username == "demo.admin"
    signed_out = audit_actions(desk_context, "auth.signed_out")
    assert [(e[1], e[2]["reason"], e[2]["to"]) for e in signed_out] == [("demo.supervisor", "hand-over", "demo.admin")]
    handed = [e for e in audit_actions(desk_context, "incident.view") if e[2].get("event") == "desk handed over"]
    assert handed and handed[-1][1] == "demo.admin" and handed[-1][2]["incidents"] == [incident_id]
