"""A desk's sync stack: load a snapshot, follow the change feed, reload only what changed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import reduce

from supervisor_app.domain.changes import Changes
from supervisor_app.services.context import DeskContext
from supervisor_app.services.desk_overview import LATEST_LOG_LIMIT
from supervisor_app.services.live_rows import load_snapshot, reload_rows
from supervisor_app.store.change_feed import ChangeFeed, FeedStatus
from supervisor_app.store.change_log import ChangeNotice
from supervisor_app.sync.live_state import Applied, LiveState

log = logging.getLogger(__name__)

AppliedCallback = Callable[[Applied, list[ChangeNotice]], None]


class DeskSync:
    """Keeps a :class:`LiveState` equal to the database.

    ``on_applied`` runs on the feed's thread after each batch, with what changed and the notices
    it came from; ``on_state`` when the connection is lost or back. Neither may touch widgets:
    the Qt adapter forwards them to the UI thread.
    """

    def __init__(
        self,
        context: DeskContext,
        *,
        on_applied: AppliedCallback = lambda _applied, _notices: None,
        on_state: Callable[[FeedStatus], None] = lambda _status: None,
        log_limit: int = LATEST_LOG_LIMIT,
    ) -> None:
        self._context = context
        self._on_applied = on_applied
        self._on_state = on_state
        self._log_limit = log_limit
        self._feed: ChangeFeed | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self.state: LiveState | None = None

    def start(self) -> LiveState:
        """Load the snapshot (on the calling thread) and start following changes after it."""
        with self._context.read_session() as session:
            snapshot = load_snapshot(session, self._context.actor, log_limit=self._log_limit)
        state = LiveState(snapshot, self._log_limit)
        feed = ChangeFeed(self._context.engine, after_seq=snapshot.seq, on_notices=self._apply, on_state=self._on_state)
        with self._lock:
            if self._stopped:  # stop() was called while the snapshot loaded: start nothing
                return state
            self.state, self._feed = state, feed
            feed.start()
        return state

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            feed = self._feed
        if feed is not None:
            feed.stop()

    @property
    def feed_status(self) -> FeedStatus | None:
        return self._feed.status if self._feed else None

    def _apply(self, notices: list[ChangeNotice]) -> None:
        assert self.state is not None
        changes = reduce(lambda merged, notice: merged | notice.changes, notices, Changes())
        with self._context.read_session() as session:
            rows = reload_rows(session, self._context.actor, changes)
        applied = self.state.apply(rows, notices[-1].seq, notices[-1].committed_at)
        self._on_applied(applied, notices)
