"""The main window: assembles the views, the menus, the message bar and the status bar.

It knows no view's insides. Views are :class:`~supervisor_app.ui.view_base.DeskView` packages; the
window adds each to a stack and a menu entry, calls their ``on_*`` handlers (refresh, theme,
connection, close) and connects their ``sig_*`` signals to the error path. Everything the window
does has a keyboard shortcut, listed by Help > Keyboard shortcuts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from supervisor_app.comms.desk_links import DeskLinks
from supervisor_app.domain.people import Actor, permitted
from supervisor_app.services.context import DeskContext
from supervisor_app.store.change_feed import FeedState, FeedStatus
from supervisor_app.sync.live_state import LiveState
from supervisor_app.ui.accounts import AccountsView
from supervisor_app.ui.error_messages import CONNECTION_MESSAGE_KEY, connection_lost_message, reconnected_message
from supervisor_app.ui.error_reporting import ErrorReporter
from supervisor_app.ui.help_dialogs import AboutDialog, ShortcutsDialog
from supervisor_app.ui.intake import IntakeView
from supervisor_app.ui.live_sync import LiveSync
from supervisor_app.ui.map import MapView
from supervisor_app.ui.message_bar import MessageBar
from supervisor_app.ui.monitor import IncidentMonitorView
from supervisor_app.ui.overview import OverviewView
from supervisor_app.ui.queue import DeploymentQueueView
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session import DeskSessionController
from supervisor_app.ui.session.idle import Clock
from supervisor_app.ui.status_bar import DeskStatusBar
from supervisor_app.ui.theme import THEMES, Theme, apply_theme, theme_named
from supervisor_app.ui.view_base import DeskView

APP_TITLE = "Incident Supervisor"
MINIMUM_SIZE = QSize(1100, 680)
VIEW_SHORTCUTS = ("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+6", "Ctrl+7", "Ctrl+8", "Ctrl+9")
THEME_SHORTCUTS = {"dark": "Ctrl+Shift+D", "high_contrast": "Ctrl+Shift+H"}


log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    """The desk's window (see module doc)."""

    #: The resource map's page starts loading this long after the live updates start, which is
    #: after the window is on screen; None leaves it until the map is first shown.
    map_after_ms: int | None = 100

    def __init__(
        self,
        context: DeskContext,
        parent: QWidget | None = None,
        *,
        idle_clock: Clock = time.monotonic,
        idle_check_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("DeskMainWindow")
        self.setWindowTitle(f"{context.pack.name} \u00b7 desk {context.settings.desk_name} \u2014 {APP_TITLE}")
        self.setMinimumSize(MINIMUM_SIZE)
        timezone = ZoneInfo(context.pack.timezone)
        self._closed = False
        self.theme: Theme = theme_named(context.settings.theme)
        self.actions_by_name: dict[str, QAction] = {}
        self.views: dict[str, DeskView] = {}
        self._help_windows: dict[str, QWidget] = {}

        self.runner = Runner.for_context(context, parent=self)
        self.live = LiveSync(context, self.runner, parent=self)
        self._live_requested = False
        self.links: DeskLinks | None = None
        self._lost_at_seq: int | None = None  # the feed's position when the connection was lost
        self.error_reporter = ErrorReporter(context.settings.data_dir / "logs", timezone, parent=self)
        self.message_bar = MessageBar(self)
        self.view_stack = QStackedWidget(self)
        self.view_stack.setObjectName("DeskViews")
        self.status = DeskStatusBar(
            database_label=context.database_label,
            desk_name=context.settings.desk_name,
            actor=context.actor,
            timezone=timezone,
            parent=self,
        )
        self.setStatusBar(self.status)

        central = QWidget(self)
        central.setObjectName("DeskCentral")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.setSpacing(6)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.view_stack, 1)
        self.setCentralWidget(central)

        self.session = DeskSessionController(
            context,
            self.runner,
            self,
            clock=idle_clock,
            check_every_ms=idle_check_ms,
            uncovered_bottom=lambda: self.status.height() if self.status.isVisible() else 0,
        )
        self._enabled_before_lock: dict[str, bool] = {}

        self._build_menus()
        self._connect_services()
        self.add_view(OverviewView(context, self.runner, self))
        self.intake_view = IntakeView(context, self.runner, self)
        self.add_view(self.intake_view)
        self.add_view(DeploymentQueueView(context, self.runner, self))
        self.add_view(AccountsView(context, self.runner, self))
        self.monitor_view = IncidentMonitorView(context, self.runner, self)
        self.add_view(self.monitor_view)
        self.map_view = MapView(context, self.runner, self)
        self.add_view(self.map_view)
        self._connect_views()
        self.apply_theme(self.theme)
        self.apply_permissions()

    # Assembly

    def _action(
        self, name: str, text: str, shortcut: str | QKeySequence, slot: Callable[[], object], *, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action-{name}")
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip or text.replace("&", ""))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        self.actions_by_name[name] = action
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(
            self._action(
                "lock", "&Lock desk", "Ctrl+L", self.session.lock_by_hand, tip="Cover the desk until you unlock it"
            )
        )
        file_menu.addAction(
            self._action(
                "hand-over",
                "&Hand over desk\u2026",
                "Ctrl+Shift+L",
                self.session.start_hand_over,
                tip="The incoming person signs in; your session ends and the desk stays open",
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action("quit", "&Quit", "Ctrl+Q", self.close, tip="Close the desk"))

        self.view_menu = menus.addMenu("&View")
        self._view_actions_anchor = self.view_menu.addSeparator()
        self.view_menu.addAction(
            self._action("refresh", "&Refresh", "F5", self.on_refresh, tip="Reload what the view shows")
        )
        self.view_menu.addSeparator()
        theme_group = QActionGroup(self)
        for theme in THEMES.values():
            action = self._action(
                f"theme-{theme.name}",
                f"{theme.label} theme",
                THEME_SHORTCUTS[theme.name],
                lambda *_checked, name=theme.name: self.set_theme(name),
            )
            action.setCheckable(True)
            theme_group.addAction(action)
            self.view_menu.addAction(action)
        self.view_menu.addAction(
            self._action(
                "toggle-theme",
                "&Switch theme",
                "Ctrl+Shift+T",
                self.toggle_theme,
                tip="Switch between the dark and high-contrast themes",
            )
        )
        self.view_menu.addSeparator()
        self.view_menu.addAction(self._action("full-screen", "&Full screen", "F11", self.toggle_full_screen))
        dismiss = self._action(
            "dismiss-message",
            "&Dismiss message",
            "Esc",
            self.message_bar.dismiss,
            tip="Hide the message at the top of the window",
        )
        dismiss.setEnabled(False)
        self.view_menu.addAction(dismiss)

        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self._action("shortcuts", "&Keyboard shortcuts", "F1", self.show_shortcuts))
        help_menu.addAction(self._action("about", "&About Incident Supervisor", "Ctrl+F1", self.show_about))

    def _connect_services(self) -> None:
        runner, status, reporter, bar = self.runner, self.status, self.error_reporter, self.message_bar
        runner.sig_busy_changed.connect(status.on_busy_changed)
        runner.sig_database_reachable.connect(status.on_database_reachable)
        runner.sig_database_reachable.connect(reporter.on_database_reachable)
        runner.sig_database_unreachable.connect(status.on_database_unreachable)
        runner.sig_job_failed.connect(reporter.report)
        reporter.sig_database_unreachable.connect(status.on_database_unreachable)
        reporter.sig_message.connect(bar.show_message)
        status.sig_connection_changed.connect(self.on_connection_changed)
        self.live.sig_connection.connect(self.on_feed_status)
        self.live.sig_started.connect(self.on_live_state)
        self.live.sig_applied.connect(lambda _applied, state: self.on_live_state(state))
        self.live.sig_start_failed.connect(status.on_database_unreachable)
        bar.sig_visibility_changed.connect(self._message_visibility_changed)
        self.session.sig_locked_changed.connect(self.on_locked_changed)
        self.session.sig_actor_changed.connect(self.on_actor_changed)
        self.session.sig_message.connect(bar.show_message)

    def _connect_views(self) -> None:
        """What one view selects, the others follow: the map and the monitor share the selected
        incident, and a location picked on the map goes to the referral being recorded."""
        self.map_view.sig_incident_selected.connect(self.monitor_view.on_select_incident)
        self.monitor_view.sig_incident_selected.connect(self.map_view.on_select_incident)
        self.map_view.sig_location_picked.connect(self._location_picked)

    def _location_picked(self, lat: float, lon: float) -> None:
        self.intake_view.use_location(lat, lon)
        self.show_view(IntakeView.NAME)

    def add_view(self, view: DeskView) -> None:
        """Add ``view`` to the window with a View-menu entry and the next Ctrl+number shortcut."""
        if view.NAME in self.views:
            raise ValueError(f"a view named {view.NAME!r} is already in the window")
        shortcut = VIEW_SHORTCUTS[len(self.views)] if len(self.views) < len(VIEW_SHORTCUTS) else ""
        self.views[view.NAME] = view
        self.view_stack.addWidget(view)
        view.sig_error.connect(self.error_reporter.report)
        action = self._action(
            f"view-{view.NAME}", view.TITLE, shortcut, lambda *_checked, name=view.NAME: self.show_view(name)
        )
        self.view_menu.insertAction(self._view_actions_anchor, action)
        view.on_theme_changed(self.theme)
        action.setVisible(permitted(self.context.actor, view.REQUIRES))

    # Handlers

    def current_view(self) -> DeskView | None:
        widget = self.view_stack.currentWidget()
        return widget if isinstance(widget, DeskView) else None

    def show_view(self, name: str) -> None:
        view = self.views[name]
        if not permitted(self.context.actor, view.REQUIRES):
            return  # its menu entry is hidden; a stray shortcut does nothing
        self.view_stack.setCurrentWidget(view)
        view.on_shown()

    def apply_permissions(self) -> None:
        """Show only the views the signed-in person's roles allow; leave a view they may not see."""
        actor = self.context.actor
        for name, view in self.views.items():
            self.actions_by_name[f"view-{name}"].setVisible(permitted(actor, view.REQUIRES))
        current = self.current_view()
        if current is not None and not permitted(actor, current.REQUIRES):
            allowed = [name for name, view in self.views.items() if permitted(actor, view.REQUIRES)]
            if allowed:
                self.show_view(allowed[0])

    # Session: lock, unlock, hand-over

    def on_locked_changed(self, locked: bool) -> None:
        """While locked nothing but the lock screen takes input: menus, views and shortcuts are off."""
        if locked:
            self._update_lock_summary(self.live.state)
            self._enabled_before_lock = {name: a.isEnabled() for name, a in self.actions_by_name.items()}
            for action in self.actions_by_name.values():
                action.setEnabled(False)
        else:
            for name, action in self.actions_by_name.items():
                action.setEnabled(self._enabled_before_lock.get(name, True))
            self.actions_by_name["dismiss-message"].setEnabled(self.message_bar.isVisible())
        self.menuBar().setEnabled(not locked)
        self.centralWidget().setEnabled(not locked)
        self.status.set_actor(self.context.actor, locked=locked)
        if not locked:
            view = self.current_view()
            if view is not None:
                view.setFocus()

    def on_actor_changed(self, actor: Actor, _handed_over: object = None) -> None:
        if self.links is not None:
            self.links.set_actor(actor)
        self.status.set_actor(actor, locked=self.session.locked)
        self.apply_permissions()
        for view in self.views.values():
            view.on_actor_changed(actor)

    def _message_visibility_changed(self, visible: bool) -> None:
        if not self.session.locked:
            self.actions_by_name["dismiss-message"].setEnabled(visible)

    @Slot()
    def on_refresh(self) -> None:
        view = self.current_view()
        if view is not None:
            view.on_refresh()

    @Slot(bool)
    def on_connection_changed(self, connected: bool) -> None:
        shown = self.message_bar.message
        feed_catching_up = self._lost_at_seq is not None  # it will say "back" itself, with what it caught up
        if connected and not feed_catching_up and shown is not None and shown.key == CONNECTION_MESSAGE_KEY:
            self.message_bar.show_message(reconnected_message(self.status.now()))
        for view in self.views.values():
            view.on_connection_changed(connected)

    def set_theme(self, name: str) -> None:
        self.apply_theme(theme_named(name))

    @Slot()
    def toggle_theme(self) -> None:
        names = list(THEMES)
        self.set_theme(names[(names.index(self.theme.name) + 1) % len(names)])

    def apply_theme(self, theme: Theme) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.theme = theme
        self.actions_by_name[f"theme-{theme.name}"].setChecked(True)
        self.message_bar.on_theme_changed(theme)
        self.status.on_theme_changed(theme)
        self.session.on_theme_changed(theme)
        for view in self.views.values():
            view.on_theme_changed(theme)

    @Slot()
    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    @Slot()
    def show_shortcuts(self) -> None:
        self._show_help_window("shortcuts", lambda: ShortcutsDialog(list(self.actions_by_name.values()), self))

    @Slot()
    def show_about(self) -> None:
        self._show_help_window("about", lambda: AboutDialog(self.context, self))

    def _show_help_window(self, name: str, build: Callable[[], QWidget]) -> None:
        window = self._help_windows.get(name)
        if window is None:
            window = self._help_windows[name] = build()
        window.show()
        window.raise_()
        window.activateWindow()

    # Live updates

    def start_live_updates(self) -> None:
        """Follow other desks' changes (started once the window is on screen, never delaying it)."""
        if not self._live_requested:
            self._live_requested = True
            for view in self.views.values():
                self.live.sig_started.connect(view.on_live_started)
                self.live.sig_applied.connect(view.on_live_applied)
            self.live.start()
            QTimer.singleShot(0, self.start_links)
            if self.map_after_ms is not None:
                QTimer.singleShot(self.map_after_ms, self.map_view.start)

    def start_links(self) -> None:
        """Open the outbox dispatcher and the MDT link (off the UI thread's way: they run on their own)."""
        if self.links is not None or self._closed:
            return
        context = self.context
        try:
            self.links = DeskLinks.open(context.settings, context.engine, context.pack, context.actor)
        except Exception as error:  # noqa: BLE001 - the desk works on without them, and says so
            self.error_reporter.report(error)
            return
        queue = self.views.get("queue")
        if isinstance(queue, DeploymentQueueView):
            queue.sig_deployed.connect(lambda _deployed: self.links.wake() if self.links else None)
        monitor = self.views.get("monitor")
        if isinstance(monitor, IncidentMonitorView):  # an escalation by e-mail or text leaves at once
            monitor.detail.sig_changed.connect(lambda _incident: self.links.wake() if self.links else None)
        if self.links.problem:
            log.warning(self.links.problem)

    def on_live_state(self, state: LiveState) -> None:
        if state.presence is not None:
            self.status.set_presence(state.presence)
        if self.session.locked:
            self._update_lock_summary(state)

    def _update_lock_summary(self, state: LiveState | None) -> None:
        """What the lock screen may say of the live desk beneath it: counts, never details."""
        if state is None:
            self.session.set_live_summary("")
            return
        open_count = len(state.incidents())
        changed = state.as_of.astimezone(self.status.now().tzinfo)
        self.session.set_live_summary(
            f"Live updates continue underneath: {open_count} open incident{'s' if open_count != 1 else ''}, "
            f"last change {changed:%H:%M:%S}."
        )

    def on_feed_status(self, status: FeedStatus) -> None:
        """The change feed is the first to know the database has gone, or is back and caught up."""
        local = status.since.astimezone(self.status.now().tzinfo)
        if status.state is FeedState.LOST:
            self._lost_at_seq = status.caught_up_to
            self.runner.set_offline(local)
            self.status.on_database_unreachable(status.reason)
            self.message_bar.show_message(connection_lost_message(local))
        elif status.state is FeedState.LIVE and self._lost_at_seq is not None:
            caught_up = status.caught_up_to - self._lost_at_seq
            self.runner.set_offline(None)
            self.status.on_database_reachable()  # views refresh; the generic "back" is left to us
            self._lost_at_seq = None
            self.message_bar.show_message(reconnected_message(local, caught_up))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.session.idle.watch_windows()  # the window exists now: its input counts as someone there
        if not self._live_requested:
            QTimer.singleShot(0, self.start_live_updates)

    # Closing

    def shutdown(self) -> None:
        """Stop timers and background work; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        for window in self._help_windows.values():
            window.close()
        for view in self.views.values():
            view.on_close()
        self.status.stop_clock()
        self.session.stop()
        self.live.stop()
        if self.links is not None:
            self.links.close()
            self.links = None
        self.runner.shutdown()
        self.error_reporter.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)
