"""The error path: every failure is logged in full and told to the person in plain words.

* Uncaught exceptions (``sys.excepthook``, which PySide6 also calls for exceptions raised in slots)
  and failed background operations come here.
* The full traceback goes to a rotating log file, ``<data dir>/logs/desk.log``.
* The person sees a message in the message bar at the top of the window (not a dialog: live
  incidents must never be hidden), without a traceback and with what to do
  (:mod:`supervisor_app.ui.error_messages`).
* A database connection failure also moves the status bar to "Connection lost".
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal, Slot

from supervisor_app.ui.error_messages import PersonMessage, message_for
from supervisor_app.ui.runner import is_connection_error

log = logging.getLogger(__name__)

LOG_FILE_NAME = "desk.log"
LOG_FILE_MAX_BYTES = 2_000_000
LOG_FILE_BACKUPS = 5
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(threadName)s %(name)s: %(message)s"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def open_log_file(log_dir: Path) -> RotatingFileHandler:
    """A rotating log handler writing to ``log_dir/desk.log`` (the folder is created)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        log_dir / LOG_FILE_NAME,
        maxBytes=LOG_FILE_MAX_BYTES,
        backupCount=LOG_FILE_BACKUPS,
        encoding="utf-8",
    )
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    return handler


class ErrorReporter(QObject):
    """Logs failures and turns them into messages for the message bar (see module doc)."""

    #: A message for the person (connected to the message bar).
    sig_message = Signal(object)
    #: The database could not be reached; carries the error (connected to the status bar).
    sig_database_unreachable = Signal(object)

    def __init__(self, log_dir: Path, timezone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timezone = timezone
        self._handler = open_log_file(log_dir)
        self._root = logging.getLogger()
        self._root.addHandler(self._handler)
        self._previous_root_level = self._root.level
        if self._root.level > logging.INFO or self._root.level == logging.NOTSET:
            self._root.setLevel(logging.INFO)
        self._previous_hook: ExceptHook | None = None
        self._outage_logged = False
        self.last_message: PersonMessage | None = None

    @property
    def log_file(self) -> Path:
        return Path(self._handler.baseFilename)

    def install_excepthook(self) -> None:
        """Send uncaught exceptions (including those raised in Qt slots) through :meth:`report`."""
        if self._previous_hook is None:
            self._previous_hook = sys.excepthook
            sys.excepthook = self._excepthook

    def uninstall_excepthook(self) -> None:
        if self._previous_hook is not None:
            if sys.excepthook == self._excepthook:
                sys.excepthook = self._previous_hook
            self._previous_hook = None

    def close(self) -> None:
        """Restore the previous excepthook and stop writing the log file."""
        self.uninstall_excepthook()
        self._root.removeHandler(self._handler)
        self._root.setLevel(self._previous_root_level)
        self._handler.close()

    @Slot(object)
    def report(self, error: BaseException) -> PersonMessage:
        """Log ``error`` with its traceback and tell the person what happened and what to do."""
        at = datetime.now(self._timezone)
        if is_connection_error(error) and self._outage_logged:
            log.warning("Database still unreachable: %s", str(error).splitlines()[0] if str(error) else error)
        else:
            log.error("%s: %s", type(error).__name__, error, exc_info=(type(error), error, error.__traceback__))
            self._outage_logged = is_connection_error(error)
        self._handler.flush()
        message = message_for(error, at=at, log_file=self.log_file)
        self.last_message = message
        if is_connection_error(error):
            self.sig_database_unreachable.emit(error)
        self.sig_message.emit(message)
        return message

    @Slot()
    def on_database_reachable(self) -> None:
        """The database answers again: the next connection failure is logged in full."""
        self._outage_logged = False

    def _excepthook(self, exc_type: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            if self._previous_hook is not None:
                self._previous_hook(exc_type, error, traceback)
            return
        if error.__traceback__ is None and traceback is not None:
            error = error.with_traceback(traceback)
        try:
            self.report(error)
        except Exception:  # noqa: BLE001 - the error path itself must never take the desk down
            sys.__excepthook__(exc_type, error, traceback)
