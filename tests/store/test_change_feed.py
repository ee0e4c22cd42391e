"""The change feed delivers every committed change once, in order, and survives losing its connection."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.incidents import create_incident
from supervisor_app.store.change_feed import ChangeFeed, FeedState
from supervisor_app.store.change_log import ChangeNotice
from supervisor_app.store.engine import make_engine, writer
from tests.services.conftest import new_incident
from tests.support.feed_recorder import Recorder


@pytest.fixture
def feed_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _create(engine: Engine, pack: OrganisationPack, actor: Actor, count: int = 1) -> None:
    for _ in range(count):
        with Session(writer(engine)) as session:
            create_incident(session, actor, new_incident(pack), pack)


def test_feed_delivers_each_change_once_in_order_and_promptly(
    feed_engine: Engine, pack: OrganisationPack, supervisor: Actor
) -> None:
    _create(feed_engine, pack, supervisor, 3)  # before the feed starts: caught up, not lost
    recorder = Recorder()
    feed = ChangeFeed(
        feed_engine, after_seq=1, on_notices=recorder.on_notices, on_state=recorder.on_state, fallback_interval_s=30
    )  # prove the wake-up works without the slow timer
    feed.start()
    try:
        recorder.wait_for(lambda: recorder.seqs == [2, 3])
        assert recorder.states[-1].state is FeedState.LIVE
        delays = []
        for expected in range(4, 9):
            started = time.monotonic()
            _create(feed_engine, pack, supervisor)
            recorder.wait_for(lambda e=expected: recorder.seqs[-1:] == [e])
            delays.append(time.monotonic() - started)
        assert recorder.seqs == list(range(2, 9))
        assert max(delays) < 1.0, delays
        assert feed.position == 8
    finally:
        feed.stop()


@pytest.mark.postgres
def test_feed_recovers_when_the_server_drops_its_connection(
    pg_url: str, pack: OrganisationPack, supervisor: Actor
) -> None:
    engine = make_engine(pg_url)
    recorder = Recorder()
    feed = ChangeFeed(engine, after_seq=0, on_notices=recorder.on_notices, on_state=recorder.on_state)
    feed.start()
    try:
        recorder.wait_for(lambda: recorder.states and recorder.states[-1].state is FeedState.LIVE)
        with engine.connect() as conn:  # the server ends the listening session, as on a restart
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'desk change feed' AND datname = current_database()"
                )
            )
        _create(engine, pack, supervisor, 2)  # committed while the feed is reconnecting or lost
        recorder.wait_for(lambda: recorder.seqs == [1, 2], timeout=15)
        states = [s.state for s in recorder.states]
        assert FeedState.LOST in states and states[-1] is FeedState.LIVE
        lost = next(s for s in recorder.states if s.state is FeedState.LOST)
        assert lost.reason
    finally:
        feed.stop()
        engine.dispose()


def test_a_failing_consumer_loses_nothing(feed_engine: Engine, pack: OrganisationPack, supervisor: Actor) -> None:
    attempts: list[list[int]] = []
    recorder = Recorder()

    def flaky(batch: list[ChangeNotice]) -> None:
        attempts.append([n.seq for n in batch])
        if len(attempts) == 1:
            raise ValueError("a bug in the consumer")
        recorder.on_notices(batch)

    _create(feed_engine, pack, supervisor, 2)
    feed = ChangeFeed(feed_engine, after_seq=0, on_notices=flaky, fallback_interval_s=0.2)
    feed.start()
    try:
        recorder.wait_for(lambda: recorder.seqs == [1, 2])
        assert attempts[0] == [1, 2]
    finally:
        feed.stop()
