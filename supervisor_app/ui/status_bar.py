"""The status bar: connection state, database, desk, who is signed in, work in progress, the clock.

The connection state is learnt from the background operations themselves: each one that reaches
the database says "Connected", each one that cannot says "Connection lost since HH:MM:SS" (the
time of the first failure). Views refresh periodically, so a lost connection is noticed within one
refresh interval; live change notices will make this immediate.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStatusBar, QWidget

from supervisor_app.domain.people import Actor
from supervisor_app.services.presence import Presence
from supervisor_app.ui.elided_label import ElidedLabel
from supervisor_app.ui.icons import tinted_pixmap
from supervisor_app.ui.theme import DARK, Theme

ICON_SIZE = 16
BUSY_DELAY_MS = 400  # work shorter than this is not worth a flicker


class ConnectionState(StrEnum):
    UNKNOWN = "unknown"
    OK = "ok"
    LOST = "lost"


def roles_text(actor: Actor) -> str:
    names = sorted(role.value.replace("_", " ").capitalize() for role in actor.roles)
    return ", ".join(names) or "no role"


class StatusItem(QWidget):
    """An icon and a text side by side; the icon repeats what the text says, never replaces it."""

    def __init__(
        self, icon_name: str, text: str = "", *, tooltip: str = "", elide: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.icon_name = icon_name
        self.icon = QLabel(self)
        self.icon.setFixedSize(ICON_SIZE, ICON_SIZE)
        self.label: QLabel = ElidedLabel(text, self, minimum_width=60) if elide else QLabel(text, self)
        self.label.setObjectName("StatusText")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(5)
        layout.addWidget(self.icon)
        layout.addWidget(self.label)
        if tooltip:
            self.setToolTip(tooltip)

    def text(self) -> str:
        return self.label.text()

    def set_icon(self, icon_name: str, colour: str) -> None:
        self.icon_name = icon_name
        self.icon.setPixmap(tinted_pixmap(icon_name, colour, ICON_SIZE))

    def set_state(self, state: str) -> None:
        """Set the ``state`` property the style sheet colours the text by."""
        self.label.setProperty("state", state)
        style = self.label.style()
        style.unpolish(self.label)
        style.polish(self.label)
        self.label.updateGeometry()  # a state's style may change the font, and so the width needed


def _separator(parent: QWidget) -> QFrame:
    line = QFrame(parent)
    line.setObjectName("StatusSeparator")
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFixedHeight(ICON_SIZE)
    return line


class DeskStatusBar(QStatusBar):
    """Always-visible facts about the desk (see module doc)."""

    #: The connection state changed; True when the database answers again.
    sig_connection_changed = Signal(bool)

    def __init__(
        self,
        *,
        database_label: str,
        desk_name: str,
        actor: Actor,
        timezone: ZoneInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self._theme = DARK
        self._timezone = timezone
        self._state = ConnectionState.UNKNOWN
        self._lost_since: datetime | None = None

        self.connection = StatusItem("connection-unknown", "Connecting\u2026", parent=self)
        widest = QFont(self.connection.label.font())
        widest.setBold(True)
        self.connection.label.setMinimumWidth(  # room for the longest state, so nothing is cut or jumps
            QFontMetrics(widest).horizontalAdvance("Connection lost since 88:88:88") + 8
        )
        self.database = StatusItem(
            "database", database_label, tooltip=f"Database: {database_label}", elide=True, parent=self
        )
        self.busy = StatusItem("busy", "", tooltip="Database work in progress", parent=self)
        self.desk = StatusItem("desk", f"Desk: {desk_name}", tooltip="The desk this computer acts as", parent=self)
        self.desks_online = StatusItem("desk", "Desks on line: \u2026", tooltip="Waiting for live updates", parent=self)
        self.user = StatusItem("user", parent=self)
        self.set_actor(actor)
        self.clock = StatusItem("clock", "", tooltip=f"Organisation time ({timezone.key})", parent=self)
        self.clock.label.setObjectName("StatusClock")
        self.busy.setFixedWidth(self.busy.fontMetrics().horizontalAdvance("Working (99)\u2026") + ICON_SIZE + 20)
        self._running = 0
        self._busy_shown = False
        self._busy_delay = QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(BUSY_DELAY_MS)
        self._busy_delay.timeout.connect(self._show_busy)

        self.addWidget(self.connection)
        self.addWidget(_separator(self))
        self.addWidget(self.database, 1)
        self.addWidget(self.busy)
        for item in (self.desks_online, self.desk, self.user, self.clock):
            self.addPermanentWidget(_separator(self))
            self.addPermanentWidget(item)

        self._clock_timer = QTimer(self)
        self._clock_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(1000)
        self._tick()
        self.on_theme_changed(self._theme)

    @property
    def connection_state(self) -> ConnectionState:
        return self._state

    def now(self) -> datetime:
        return datetime.now(self._timezone)

    @Slot()
    def on_database_reachable(self) -> None:
        if self._state is ConnectionState.OK:
            return
        was_lost = self._state is ConnectionState.LOST
        self._state = ConnectionState.OK
        self._lost_since = None
        self._show_connection()
        if was_lost:
            self.sig_connection_changed.emit(True)

    @Slot(object)
    def on_database_unreachable(self, _error: object = None) -> None:
        if self._state is ConnectionState.LOST:
            return
        self._state = ConnectionState.LOST
        self._lost_since = self.now()
        self._show_connection()
        self.sig_connection_changed.emit(False)

    @Slot(int)
    def on_busy_changed(self, running: int) -> None:
        """Show "Working…" only for work that lasts longer than a moment (no flicker every refresh)."""
        self._running = running
        if running and not self._busy_shown:
            if not self._busy_delay.isActive():
                self._busy_delay.start()
        elif running:
            self._show_busy()
        else:
            self._busy_delay.stop()
            self._busy_shown = False
            self.busy.label.setText("")
            self.busy.icon.clear()

    @property
    def busy_text(self) -> str:
        return self.busy.text()

    @Slot()
    def _show_busy(self) -> None:
        if not self._running:
            return
        self._busy_shown = True
        self.busy.label.setText("Working\u2026" if self._running == 1 else f"Working ({self._running})\u2026")
        self.busy.set_icon("busy", self._theme.text_muted)

    def on_theme_changed(self, theme: Theme) -> None:
        self._theme = theme
        for item in (self.database, self.desk, self.user, self.clock):
            item.set_icon(item.icon_name, theme.text_muted)
        if self._busy_shown:
            self.busy.set_icon("busy", theme.text_muted)
        self._show_connection()

    def set_actor(self, actor: Actor, *, locked: bool = False) -> None:
        """Show who is signed in here, and whether the desk is locked."""
        text = f"{actor.label} ({roles_text(actor)})"
        self.user.label.setText(f"{text} \u00b7 locked" if locked else text)
        self.user.setToolTip(f"Signed in as {actor.username}" + (" (desk locked)" if locked else ""))
        self.user.set_state("warning" if locked else "")

    def stop_clock(self) -> None:
        self._clock_timer.stop()

    def set_presence(self, presence: Presence) -> None:
        """Show how many desks are on line; the tooltip says who, and what each is working on."""
        desks = presence.present_desks()
        self.desks_online.label.setText(f"{len(desks)} desk{'s' if len(desks) != 1 else ''} on line")
        claims: dict[str, list[str]] = {}
        for claim in presence.live_claims():
            claims.setdefault(claim.desk, []).append(claim.reference)
        lines = [
            f"{desk.name}: {desk.username}, since {desk.started_at.astimezone(self._timezone):%H:%M}"
            + (f"; working on {', '.join(claims[desk.name])}" if desk.name in claims else "")
            for desk in desks
        ]
        self.desks_online.setToolTip("Desks on line now:\n" + "\n".join(lines))

    def _show_connection(self) -> None:
        item = self.connection
        if self._state is ConnectionState.OK:
            item.label.setText("Connected")
            item.set_icon("connection-ok", self._theme.ok)
            item.setToolTip("The last database operation succeeded.")
        elif self._state is ConnectionState.LOST:
            since = self._lost_since or self.now()
            item.label.setText(f"Connection lost since {since:%H:%M:%S}")
            item.set_icon("connection-lost", self._theme.danger)
            item.setToolTip("The database did not answer. The desk keeps trying at every refresh.")
        else:
            item.label.setText("Connecting\u2026")
            item.set_icon("connection-unknown", self._theme.text_muted)
            item.setToolTip("Waiting for the first answer from the database.")
        item.set_state(self._state.value)

    @Slot()
    def _tick(self) -> None:
        now = self.now()
        self.clock.label.setText(f"{now:%a %d %b}  {now:%H:%M:%S} {now.tzname() or ''}".rstrip())
