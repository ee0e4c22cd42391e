"""A desk's sync stack: load a snapshot, follow the change feed, reload only what changed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from functools import reduce

from sqlalchemy.exc import DBAPIError

from supervisor_app.domain.changes import Changes, EntityKind
from supervisor_app.domain.presence import HEARTBEAT_EVERY
from supervisor_app.services.context import DeskContext
from supervisor_app.services.desk_overview import LATEST_LOG_LIMIT
from supervisor_app.services.live_rows import load_snapshot, reload_rows
from supervisor_app.services.presence import heartbeat, leave_desk, load_presence, register_desk
from supervisor_app.store.change_feed import ChangeFeed, FeedState, FeedStatus
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
        heartbeat_every: timedelta = HEARTBEAT_EVERY,
        host: str = "",
    ) -> None:
        self._context = context
        self._on_applied = on_applied
        self._on_state = on_state
        self._log_limit = log_limit
        self._heartbeat_every = heartbeat_every.total_seconds()
        self._host = host
        self._presence_thread = threading.Thread(target=self._keep_presence, name="desk-presence", daemon=True)
        self._stopping = threading.Event()
        self._feed: ChangeFeed | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self.state: LiveState | None = None

    def start(self) -> LiveState:
        """Say this desk is on line, load the snapshot (on the calling thread), and follow changes."""
        with self._context.write_session() as session:
            register_desk(session, self._context.actor, host=self._host)
        with self._context.read_session() as session:
            snapshot = load_snapshot(session, self._context.actor, log_limit=self._log_limit)
        state = LiveState(snapshot, self._log_limit)
        with self._context.read_session() as session:
            state.set_presence(load_presence(session, self._context.actor))
        feed = ChangeFeed(self._context.engine, after_seq=snapshot.seq, on_notices=self._apply, on_state=self._on_state)
        with self._lock:
            if self._stopped:  # stop() was called while the snapshot loaded: start nothing
                return state
            self.state, self._feed = state, feed
            feed.start()
            self._presence_thread.start()
        return state

    def stop(self) -> None:
        """Stop following changes, and leave: this desk's claims go with it."""
        with self._lock:
            self._stopped = True
            feed = self._feed
        self._stopping.set()
        if self._presence_thread.is_alive():
            self._presence_thread.join(5)
        if feed is not None:
            feed.stop()
            if feed.status.state is FeedState.LOST:
                # No goodbye to a database that is not there: on a dropped network it would hang the
                # closing window for the connect timeout, and silence says the desk has gone soon enough.
                return
            try:
                with self._context.write_session() as session:
                    leave_desk(session, self._context.actor)
            except DBAPIError:
                log.info("could not say goodbye to the database; this desk will be taken as gone when it stays silent")

    def _keep_presence(self) -> None:
        """Say this desk is alive and reread who else is, every heartbeat, until stopped."""
        while not self._stopping.wait(self._heartbeat_every):
            actor = self._context.actor  # read each time: a hand-over changes who is at the desk
            try:
                with self._context.write_session() as session:
                    if not heartbeat(session, actor):
                        with self._context.write_session() as again:
                            register_desk(again, actor, host=self._host)
                self._reload_presence(seq=self.state.seq if self.state else 0)
            except DBAPIError:
                log.debug("heartbeat failed; the change feed reports the lost connection", exc_info=True)

    def _reload_presence(self, seq: int) -> None:
        assert self.state is not None
        with self._context.read_session() as session:
            presence = load_presence(session, self._context.actor)
        if self.state.set_presence(presence):
            self._on_applied(Applied(seq, None, presence=presence), [])

    @property
    def feed_status(self) -> FeedStatus | None:
        return self._feed.status if self._feed else None

    def _apply(self, notices: list[ChangeNotice]) -> None:
        assert self.state is not None
        changes = reduce(lambda merged, notice: merged | notice.changes, notices, Changes())
        with self._context.read_session() as session:
            rows = reload_rows(session, self._context.actor, changes)
        applied = self.state.apply(rows, notices[-1].seq, notices[-1].committed_at)
        if changes.touches(EntityKind.DESK) or changes.touches(EntityKind.CLAIM):
            with self._context.read_session() as session:
                presence = load_presence(session, self._context.actor)
            if self.state.set_presence(presence):
                applied = replace(applied, presence=presence)
        self._on_applied(applied, notices)
