"""The desk's live connection to the shared database, adapted to Qt.

:class:`LiveSync` runs the sync stack (:class:`supervisor_app.sync.desk_sync.DeskSync`): the
snapshot loads on a runner thread, then the change feed's thread reports each applied batch. Its
signals are emitted from those threads and Qt delivers them on the UI thread, where views update
their models precisely. Nothing here touches a widget.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from supervisor_app.services.context import DeskContext
from supervisor_app.store.change_log import ChangeNotice
from supervisor_app.sync.desk_sync import DeskSync
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.runner import Runner

log = logging.getLogger(__name__)

RETRY_START_MS = 5_000


class LiveSync(QObject):
    #: The snapshot is loaded and changes are followed from here on (LiveState).
    sig_started = Signal(object)
    #: A batch of other desks' (or this desk's) changes was applied (Applied, LiveState).
    sig_applied = Signal(object, object)
    #: The change feed lost the database or has it back (FeedStatus).
    sig_connection = Signal(object)
    #: Starting failed; it is retried every few seconds (the exception).
    sig_start_failed = Signal(object)

    def __init__(self, context: DeskContext, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._sync = DeskSync(context, on_applied=self._on_feed_applied, on_state=self.sig_connection.emit)
        self._stopped = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_START_MS)
        self._retry.timeout.connect(self.start)

    @property
    def state(self) -> LiveState | None:
        return self._sync.state

    def start(self) -> None:
        """Load the snapshot in the background, then follow changes."""
        if self._stopped:
            return
        self._runner.run_read(
            self._sync.start, self._on_started, self._on_start_failed, owner=self, needs_session=False
        )

    def stop(self) -> None:
        """Stop following changes; the feed's thread ends before this returns."""
        self._stopped = True
        self._retry.stop()
        self._sync.stop()

    def _on_started(self, state: LiveState) -> None:
        if self._stopped:
            self._sync.stop()
            return
        self.sig_started.emit(state)

    def _on_start_failed(self, error: BaseException) -> None:
        log.warning("live updates could not start: %s", error)
        self.sig_start_failed.emit(error)
        if not self._stopped:
            self._retry.start()

    def _on_feed_applied(self, applied: Applied, _notices: list[ChangeNotice]) -> None:
        # On the feed's thread: only emit. Qt queues the signal to the UI thread.
        if not applied.is_empty and self._sync.state is not None:
            self.sig_applied.emit(applied, self._sync.state)
