"""Keep database work off the UI thread, and bring its results back to it.

Modelled on Anki's ``CollectionOp`` and ``taskman.py``:

* Writes run one at a time on ONE dedicated worker thread, in the order they were asked for, so two
  use cases of this desk never race each other for the write lock.
* Reads run on a small thread pool, so a slow report never holds up a refresh.
* Each operation gets its own Session, opened by the runner in the worker thread and closed when the
  operation ends ("one Session per operation and thread, opened outside the data functions").
* ``fn`` runs in the worker and must never touch a widget. It should return plain data (numbers,
  tuples, frozen dataclasses), not ORM objects: those are detached once the session closes.
* ``on_done(result)`` and ``on_error(exception)`` run on the UI thread, delivered through a queued
  signal. If the widget that asked (``owner``, or the object of a bound-method ``on_done``) has been
  deleted meanwhile, the result is dropped quietly.
* Every operation that used a session reports whether the database answered, which drives the
  status bar's connection state.
* :meth:`Runner.shutdown` waits for running work and stops the threads; the main window calls it
  when it closes, so no thread outlives the widgets it reports to.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import shiboken6
from PySide6.QtCore import QDeadlineTimer, QObject, QRunnable, QThread, QThreadPool, QTimer, Signal, Slot
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError
from supervisor_app.services.context import DeskContext

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
DoneCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]

DEFAULT_READ_THREADS = 3
DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

#: Writer threads still finishing a write when their runner shut down (kept alive until they end).
_writes_finishing_after_shutdown: list[QThread] = []


class DatabaseUnavailable(DomainError):
    """A change refused before it was tried, because the desk knows the database is unreachable."""

    def __init__(self, since: datetime) -> None:
        self.since = since
        super().__init__(
            f"Not saved: the database has been unreachable since {since:%H:%M:%S}. Nothing was written; "
            "do it again once the status bar shows \u201cConnected\u201d."
        )


def is_connection_error(error: BaseException) -> bool:
    """True if ``error`` means the database could not be reached (as opposed to a refused action)."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class JobKind(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(eq=False)
class Job:
    """One piece of work: what to run, where to report, and (once run) how it went."""

    kind: JobKind
    fn: Callable[..., Any]
    needs_session: bool
    on_done: DoneCallback | None
    on_error: ErrorCallback | None
    owner: weakref.ReferenceType[QObject] | None
    result: Any = None
    error: BaseException | None = None
    worker_thread_id: int | None = field(default=None, repr=False)

    def execute(self, open_session: SessionFactory) -> None:
        """Run ``fn`` in the current (worker) thread; never raises."""
        self.worker_thread_id = threading.get_ident()
        try:
            if self.needs_session:
                with open_session() as session:
                    self.result = self.fn(session)
            else:
                self.result = self.fn()
        except Exception as error:  # noqa: BLE001 - every failure is reported on the UI thread
            self.error = error

    def owner_alive(self) -> bool:
        if self.owner is None:
            return True
        owner = self.owner()
        return owner is not None and shiboken6.isValid(owner)


class _ReadTask(QRunnable):
    def __init__(self, job: Job, open_session: SessionFactory, finished: Callable[[Job], None]) -> None:
        super().__init__()
        self._job = job
        self._open_session = open_session
        self._finished = finished
        self.setAutoDelete(True)

    def run(self) -> None:
        self._job.execute(self._open_session)
        self._finished(self._job)


class _WriteThread(QThread):
    """The one thread that runs writes, strictly one after another."""

    def __init__(self, open_session: SessionFactory, finished: Callable[[Job], None], parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("database-writer")
        self._open_session = open_session
        self._finished = finished
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()

    def submit(self, job: Job) -> None:
        self._jobs.put(job)

    def stop_after_queued(self) -> None:
        """Finish what is queued, then end the thread."""
        self._jobs.put(None)

    def run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job.execute(self._open_session)
            self._finished(job)


class Runner(QObject):
    """Runs database work in the background and reports on the UI thread (see module doc)."""

    #: Number of operations asked for and not yet delivered (for a busy indicator).
    sig_busy_changed = Signal(int)
    #: An operation with a session completed: the database answered.
    sig_database_reachable = Signal()
    #: An operation failed because the database could not be reached; carries the error.
    sig_database_unreachable = Signal(object)
    #: An operation failed and nobody passed ``on_error``; carries the error for the error path.
    sig_job_failed = Signal(object)

    _sig_job_finished = Signal(object)  # emitted in a worker thread; queued to the UI thread

    def __init__(
        self,
        read_session: SessionFactory,
        write_session: SessionFactory,
        *,
        read_threads: int = DEFAULT_READ_THREADS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runner")
        self._read_session = read_session
        self._write_session = write_session
        self._read_pool = QThreadPool(self)
        self._read_pool.setObjectName("database-readers")
        self._read_pool.setMaxThreadCount(max(1, read_threads))
        self._write_thread: _WriteThread | None = None
        self._busy = 0
        self._closed = False
        self._offline_since: datetime | None = None
        self._sig_job_finished.connect(self._deliver)

    @classmethod
    def for_context(cls, context: DeskContext, *, parent: QObject | None = None) -> Runner:
        return cls(context.read_session, context.write_session, parent=parent)

    @property
    def busy_count(self) -> int:
        return self._busy

    @property
    def is_shut_down(self) -> bool:
        return self._closed

    def run_read(
        self,
        fn: Callable[..., Any],
        on_done: DoneCallback | None = None,
        on_error: ErrorCallback | None = None,
        *,
        owner: QObject | None = None,
        needs_session: bool = True,
    ) -> bool:
        """Run ``fn(session)`` (or ``fn()`` with ``needs_session=False``) on a reader thread.

        Returns False, running nothing, once the runner has been shut down.
        """
        job = self._make_job(JobKind.READ, fn, on_done, on_error, owner, needs_session)
        if job is None:
            return False
        self._read_pool.start(_ReadTask(job, self._read_session, self._sig_job_finished.emit))
        return True

    def run_write(
        self,
        fn: Callable[..., Any],
        on_done: DoneCallback | None = None,
        on_error: ErrorCallback | None = None,
        *,
        owner: QObject | None = None,
        needs_session: bool = True,
    ) -> bool:
        """Run ``fn(session)`` on the writer thread, after every write asked for before it.

        ``fn`` is a service call (services own their transaction); the session takes the write
        lock up front on SQLite. Returns False, running nothing, once the runner has been shut down.
        """
        job = self._make_job(JobKind.WRITE, fn, on_done, on_error, owner, needs_session)
        if job is None:
            return False
        if self._offline_since is not None:
            # Refused whole, at once, rather than half-tried against a server that is not there.
            job.error = DatabaseUnavailable(self._offline_since)
            QTimer.singleShot(0, lambda: self._deliver(job))
            return True
        if self._write_thread is None:
            self._write_thread = _WriteThread(self._write_session, self._sig_job_finished.emit, self)
            self._write_thread.start()
        self._write_thread.submit(job)
        return True

    def set_offline(self, since: datetime | None) -> None:
        """While ``since`` is set (the database unreachable since then), writes are refused at once."""
        self._offline_since = since

    def shutdown(self, timeout_ms: int = DEFAULT_SHUTDOWN_TIMEOUT_MS) -> bool:
        """Refuse new work, wait up to ``timeout_ms`` for running work, stop the threads.

        Results still on their way are dropped: the widgets they were for are closing. Returns
        True if every thread ended in time. Calling it again does nothing more.
        """
        if self._closed:
            return True
        self._closed = True
        deadline = QDeadlineTimer(timeout_ms)
        ended = True
        if self._write_thread is not None:
            self._write_thread.stop_after_queued()
            ended = self._write_thread.wait(deadline)
            if not ended:
                log.error("A database write was still running after %d ms at shutdown.", timeout_ms)
                # Destroying a running QThread aborts the process: let it finish on its own.
                self._write_thread.setParent(None)
                _writes_finishing_after_shutdown.append(self._write_thread)
                self._write_thread.finished.connect(
                    lambda thread=self._write_thread: _writes_finishing_after_shutdown.remove(thread)
                )
        remaining = max(0, int(deadline.remainingTime()))
        if not self._read_pool.waitForDone(remaining):
            log.error("A database read was still running after %d ms at shutdown.", timeout_ms)
            ended = False
        if self._busy:
            self._busy = 0
            self.sig_busy_changed.emit(0)
        return ended

    def _make_job(
        self,
        kind: JobKind,
        fn: Callable[..., Any],
        on_done: DoneCallback | None,
        on_error: ErrorCallback | None,
        owner: QObject | None,
        needs_session: bool,
    ) -> Job | None:
        if self._closed:
            log.warning("Ignored a %s asked for after shutdown: %r", kind.value, fn)
            return None
        if owner is None:
            bound_to = getattr(on_done, "__self__", None)
            owner = bound_to if isinstance(bound_to, QObject) else None
        owner_ref = weakref.ref(owner) if owner is not None else None
        job = Job(kind, fn, needs_session, on_done, on_error, owner_ref)
        self._busy += 1
        self.sig_busy_changed.emit(self._busy)
        return job

    @Slot(object)
    def _deliver(self, job: Job) -> None:
        """On the UI thread: report the outcome of ``job`` to whoever asked."""
        if self._closed:
            return
        self._busy = max(0, self._busy - 1)
        self.sig_busy_changed.emit(self._busy)
        error = job.error
        if job.needs_session:
            if error is None:
                self.sig_database_reachable.emit()
            elif is_connection_error(error):
                self.sig_database_unreachable.emit(error)
        if not job.owner_alive():
            log.debug("Dropped the result of %r: the widget that asked for it is gone.", job.fn)
            return
        try:
            if error is None:
                if job.on_done is not None:
                    job.on_done(job.result)
            elif job.on_error is not None:
                job.on_error(error)
            else:
                self.sig_job_failed.emit(error)
        except Exception as callback_error:  # noqa: BLE001 - a broken handler must not stop the desk
            self.sig_job_failed.emit(callback_error)
