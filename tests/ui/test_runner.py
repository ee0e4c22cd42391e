"""The runner: work off the UI thread, results on it, writes in order, errors reported, clean shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError
from supervisor_app.services.context import DeskContext
from supervisor_app.store.models import Incident
from supervisor_app.ui.runner import Runner, is_connection_error


class _FakeSession:
    """Stands in for a Session where a test only needs to see that one was opened and closed."""

    opened: list[_FakeSession] = []

    def __init__(self) -> None:
        self.closed = False
        _FakeSession.opened.append(self)

    def __enter__(self) -> _FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    """A runner on fake sessions; shut down after the test."""
    _FakeSession.opened.clear()
    runner = Runner(_FakeSession, _FakeSession)  # type: ignore[arg-type]
    yield runner
    assert runner.shutdown(5000)


@pytest.fixture
def desk_runner(qtbot: QtBot, desk_context: DeskContext) -> Iterator[Runner]:
    """A runner on the seeded desk database; shut down after the test."""
    runner = Runner.for_context(desk_context)
    yield runner
    assert runner.shutdown(5000)


def _wait_for(qtbot: QtBot, results: list[Any], count: int = 1) -> None:
    qtbot.waitUntil(lambda: len(results) >= count, timeout=5000)


@pytest.mark.parametrize("kind", ["read", "write"])
def test_work_runs_off_the_ui_thread_and_results_arrive_on_it(qtbot: QtBot, desk_runner: Runner, kind: str) -> None:
    ui_thread = threading.get_ident()
    seen: dict[str, Any] = {}

    def count_incidents(session: Session) -> int:
        seen["worker"] = threading.get_ident()
        seen["session"] = session
        return int(session.scalar(select(func.count()).select_from(Incident)) or 0)

    def on_done(count: int) -> None:
        seen["delivered_on"] = threading.get_ident()
        seen["count"] = count

    submit = desk_runner.run_read if kind == "read" else desk_runner.run_write
    assert submit(count_incidents, on_done)
    qtbot.waitUntil(lambda: "count" in seen, timeout=5000)
    assert seen["worker"] != ui_thread
    assert seen["delivered_on"] == ui_thread
    assert isinstance(seen["session"], Session)
    assert seen["count"] > 0


def test_each_operation_gets_its_own_session_which_is_closed_after(qtbot: QtBot, runner: Runner) -> None:
    results: list[Any] = []
    for _ in range(3):
        runner.run_read(lambda session: session, results.append)
    _wait_for(qtbot, results, 3)
    assert len({id(s) for s in results}) == 3
    assert all(s.closed for s in results)


def test_fn_without_session_opens_none(qtbot: QtBot, runner: Runner) -> None:
    results: list[Any] = []
    runner.run_read(lambda: 42, results.append, needs_session=False)
    _wait_for(qtbot, results)
    assert results == [42]
    assert _FakeSession.opened == []


def test_writes_run_one_at_a_time_in_order_on_one_thread(qtbot: QtBot, runner: Runner) -> None:
    running = threading.Lock()
    overlaps: list[int] = []
    threads: set[int] = set()
    done: list[int] = []

    def write(number: int) -> Any:
        def work(_session: object) -> int:
            if not running.acquire(blocking=False):
                overlaps.append(number)
                return number
            try:
                threads.add(threading.get_ident())
                time.sleep(0.005)
            finally:
                running.release()
            return number
        return work

    for number in range(8):
        runner.run_write(write(number), done.append)
    _wait_for(qtbot, done, 8)
    assert done == list(range(8))
    assert overlaps == []
    assert len(threads) == 1


def test_busy_count_rises_and_returns_to_zero(qtbot: QtBot, runner: Runner) -> None:
    counts: list[int] = []
    runner.sig_busy_changed.connect(counts.append)
    results: list[Any] = []
    runner.run_read(lambda _s: 1, results.append)
    runner.run_write(lambda _s: 2, results.append)
    _wait_for(qtbot, results, 2)
    assert max(counts) == 2
    assert counts[-1] == 0
    assert runner.busy_count == 0


def test_errors_go_to_on_error_on_the_ui_thread(qtbot: QtBot, runner: Runner) -> None:
    errors: list[tuple[BaseException, int]] = []

    def refuse(_session: object) -> None:
        raise DomainError("G11 is off duty and cannot be assigned.")

    runner.run_write(refuse, lambda _r: None, lambda e: errors.append((e, threading.get_ident())))
    _wait_for(qtbot, errors)
    error, thread = errors[0]
    assert isinstance(error, DomainError)
    assert thread == threading.get_ident()


def test_errors_without_a_handler_are_reported_by_signal(qtbot: QtBot, runner: Runner) -> None:
    with qtbot.waitSignal(runner.sig_job_failed, timeout=5000) as blocker:
        runner.run_read(lambda _s: 1 / 0)
    assert isinstance(blocker.args[0], ZeroDivisionError)


def test_a_failing_result_handler_is_reported_not_raised(qtbot: QtBot, runner: Runner) -> None:
    def broken_handler(_result: object) -> None:
        raise ValueError("handler bug")

    with qtbot.waitSignal(runner.sig_job_failed, timeout=5000) as blocker:
        runner.run_read(lambda _s: 1, broken_handler)
    assert isinstance(blocker.args[0], ValueError)


def test_connection_failures_and_successes_are_announced(qtbot: QtBot, runner: Runner) -> None:
    def unreachable(_session: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    with qtbot.waitSignal(runner.sig_database_unreachable, timeout=5000) as blocker:
        runner.run_read(unreachable, on_error=lambda _e: None)
    assert is_connection_error(blocker.args[0])
    with qtbot.waitSignal(runner.sig_database_reachable, timeout=5000):
        runner.run_read(lambda _s: 1)


def test_results_for_a_deleted_owner_are_dropped(qtbot: QtBot, runner: Runner) -> None:
    gate = threading.Event()
    delivered: list[Any] = []
    owner = QWidget()
    runner.run_read(lambda _s: gate.wait(5), delivered.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: runner.busy_count == 0, timeout=5000)
    assert delivered == []


def _alive(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_shutdown_waits_for_running_work_and_refuses_new_work(qtbot: QtBot) -> None:
    runner = Runner(_FakeSession, _FakeSession)  # type: ignore[arg-type]
    finished = threading.Event()

    def slow(_session: object) -> None:
        time.sleep(0.2)
        finished.set()

    runner.run_write(slow)
    runner.run_read(slow)
    assert runner.shutdown(5000)
    assert finished.is_set()
    assert runner.is_shut_down
    assert runner.run_read(lambda _s: 1) is False
    assert runner.run_write(lambda _s: 1) is False


def test_reads_see_the_real_database(qtbot: QtBot, desk_runner: Runner, desk_context: DeskContext) -> None:
    results: list[Any] = []
    desk_runner.run_read(lambda session: session.execute(text("SELECT 1")).scalar_one(), results.append)
    _wait_for(qtbot, results)
    assert results == [1]
