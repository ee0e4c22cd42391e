"""The desk's session: lock when idle or asked, unlock with the password, hand over to another person.

The controller owns the idle watcher and the lock screen and talks to the services through the
runner; the main window listens to :attr:`sig_locked_changed` (to shut its menus and views away)
and :attr:`sig_actor_changed` (to show the newcomer only what their roles allow). Every lock,
unlock, failed attempt and hand-over is audited by the services.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor
from supervisor_app.services.context import DeskContext
from supervisor_app.services.presence import hand_over_desk
from supervisor_app.services.sign_in import SESSION_LOCKED, UNLOCKED, record_session_event, sign_in
from supervisor_app.settings import MAXIMUM_IDLE_LOCK_MINUTES
from supervisor_app.ui.error_messages import PersonMessage, Severity
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import refusal_text
from supervisor_app.ui.session.idle import Clock, IdleWatcher
from supervisor_app.ui.session.lock_screen import LockMode, LockScreen
from supervisor_app.ui.theme import Theme

log = logging.getLogger(__name__)

SESSION_MESSAGE_KEY = "desk-session"


def idle_limit_seconds(minutes: int) -> float:
    """The configured idle time, never more than the maximum whatever a settings file says."""
    return 60.0 * max(1, min(minutes, MAXIMUM_IDLE_LOCK_MINUTES))


class DeskSessionController(QObject):
    """Locks, unlocks and hands over the desk of ``window`` (see module doc)."""

    #: True when the desk locked, False when it is unlocked again.
    sig_locked_changed = Signal(bool)
    #: (actor, handed_over) — someone else took the desk over (or the same person's roles changed).
    sig_actor_changed = Signal(object, object)
    #: Something the person should read in the message bar.
    sig_message = Signal(object)

    def __init__(
        self,
        context: DeskContext,
        runner: Runner,
        window: QWidget,
        *,
        clock: Clock = time.monotonic,
        check_every_ms: int = 1000,
        uncovered_bottom: Callable[[], int] = lambda: 0,
    ) -> None:
        super().__init__(window)
        self.context = context
        self.runner = runner
        self.window = window
        self._timezone = ZoneInfo(context.pack.timezone)
        self._uncovered_bottom = uncovered_bottom
        self.lock_screen = LockScreen(window)
        self.lock_screen.sig_unlock.connect(self._unlock)
        self.lock_screen.sig_hand_over.connect(self._hand_over)
        self.idle = IdleWatcher(
            idle_limit_seconds(context.settings.idle_lock_minutes),
            clock=clock,
            check_every_ms=check_every_ms,
            parent=self,
        )
        self.idle.sig_idle.connect(self._locked_by_idle)
        window.installEventFilter(self)

    @property
    def locked(self) -> bool:
        return self.lock_screen.isVisible()

    # Locking

    def lock(self, why: str, *, mode: LockMode = LockMode.UNLOCK, reason: str = "by hand") -> None:
        """Cover the desk now; the person signed in must unlock it (or someone else take it over)."""
        if self.locked:
            self.lock_screen.set_mode(mode)
            return
        self.idle.disarm()
        self._place_cover()
        self.lock_screen.show_for(self.context.actor, why, mode)
        actor = self.context.actor
        self.runner.run_write(
            lambda session: record_session_event(session, actor, SESSION_LOCKED, reason=reason),
            lambda _result: None,
            lambda error: log.warning("could not audit the desk locking: %s", error),
            owner=self,
        )
        self.sig_locked_changed.emit(True)

    def lock_by_hand(self) -> None:
        self.lock(f"Locked at {self._now():%H:%M} by {self.context.actor.label}.", reason="by hand")

    def start_hand_over(self) -> None:
        """Lock the desk with the hand-over form showing, for the incoming person to sign in."""
        self.lock(
            f"Locked at {self._now():%H:%M} for a hand-over.",
            mode=LockMode.HAND_OVER,
            reason="hand-over",
        )

    @Slot()
    def _locked_by_idle(self) -> None:
        minutes = round(self.idle.limit_seconds / 60)
        self.lock(
            f"Locked at {self._now():%H:%M} after {minutes} minute{'s' if minutes != 1 else ''} without use.",
            reason="idle",
        )

    def _unlocked(self) -> None:
        self.lock_screen.hide()
        self.lock_screen.form.reset()
        self.idle.restart()
        self.sig_locked_changed.emit(False)

    # Unlocking and handing over (the password is checked by the service, failures count to lockout)

    @Slot(str)
    def _unlock(self, password: str) -> None:
        actor, timezone = self.context.actor, self.context.pack.timezone

        def check(session: Session) -> Actor:
            return sign_in(session, actor.username, password, actor.desk, timezone=timezone, success_event=UNLOCKED)

        self.runner.run_write(check, self._unlock_accepted, self._refused, owner=self)

    def _unlock_accepted(self, actor: Actor) -> None:
        if actor.roles != self.context.actor.roles:  # an administrator changed them meanwhile
            self.context.hand_over(actor)
            self.sig_actor_changed.emit(actor, [])
        self._unlocked()

    @Slot(str, str)
    def _hand_over(self, username: str, password: str) -> None:
        outgoing, timezone = self.context.actor, self.context.pack.timezone
        if username == outgoing.username:
            self._unlock(password)
            return

        def take_over(session: Session) -> tuple[Actor, list[int]]:
            incoming = sign_in(session, username, password, outgoing.desk, timezone=timezone)
            return incoming, hand_over_desk(session, outgoing, incoming)

        self.runner.run_write(take_over, self._handed_over, self._refused, owner=self)

    def _handed_over(self, result: tuple[Actor, list[int]]) -> None:
        incoming, handed = result
        outgoing = self.context.actor
        self.context.hand_over(incoming)
        self.sig_actor_changed.emit(incoming, handed)
        self._unlocked()
        claimed = (
            f" The {len(handed)} incident{'s' if len(handed) != 1 else ''} this desk had claimed "
            f"{'are' if len(handed) != 1 else 'is'} now yours."
            if handed
            else ""
        )
        self.sig_message.emit(
            PersonMessage(
                Severity.INFO,
                f"Desk handed over to {incoming.label} at {self._now():%H:%M}.",
                f"{outgoing.label}'s session has ended.{claimed}",
                key=SESSION_MESSAGE_KEY,
            )
        )

    def _refused(self, error: BaseException) -> None:
        self.lock_screen.form.show_refusal(refusal_text(error, self.context.database_label))

    # Live summary and placement

    def set_live_summary(self, text: str) -> None:
        self.lock_screen.set_live_summary(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Resize and self.locked:
            self._place_cover()
        return False

    def _place_cover(self) -> None:
        rect = self.window.rect()
        rect.setBottom(rect.bottom() - self._uncovered_bottom())
        self.lock_screen.setGeometry(rect)
        self.lock_screen.raise_()

    def on_theme_changed(self, theme: Theme) -> None:
        self.lock_screen.on_theme_changed(theme)

    def stop(self) -> None:
        self.idle.stop()

    def _now(self) -> datetime:
        return datetime.now(self._timezone)
