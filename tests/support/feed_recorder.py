"""Records what a change feed delivers, for tests that wait on it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from supervisor_app.store.change_feed import FeedStatus
from supervisor_app.store.change_log import ChangeNotice


class Recorder:
    """What a change feed delivered, and the states it went through."""

    def __init__(self) -> None:
        self.notices: list[ChangeNotice] = []
        self.states: list[FeedStatus] = []
        self.arrived = threading.Condition()

    def on_notices(self, batch: list[ChangeNotice]) -> None:
        with self.arrived:
            self.notices.extend(batch)
            self.arrived.notify_all()

    def on_state(self, status: FeedStatus) -> None:
        with self.arrived:
            self.states.append(status)
            self.arrived.notify_all()

    def wait_for(self, predicate: Callable[[], object], timeout: float = 10.0) -> None:
        with self.arrived:
            assert self.arrived.wait_for(predicate, timeout), f"timed out; states={self.states}"

    @property
    def seqs(self) -> list[int]:
        return [n.seq for n in self.notices]
