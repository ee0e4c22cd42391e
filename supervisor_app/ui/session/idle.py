"""Notice when nobody has touched the desk for a while.

The watcher filters the input events (keys, mouse, wheel, touch) of the desk's windows and remembers
when the last one came; a timer compares that with the idle limit. The clock is a parameter, so a
test can move time on without waiting for it.

It watches each top-level window (``QWindow``), where the platform delivers input first, and not the
whole application: a Python filter on the application is handed every event of every object,
including objects Qt WebEngine is still constructing for the resource map, and wrapping those for
Python crashes the process. Windows are (re)collected whenever the focus moves to another window.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication

Clock = Callable[[], float]

#: Input that shows a person is at the desk. Window activation and repaints do not count.
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.ShortcutOverride,
    }
)
DEFAULT_CHECK_EVERY_MS = 1000


class IdleWatcher(QObject):
    """Emits :attr:`sig_idle` once after ``limit_seconds`` without input; :meth:`restart` re-arms it."""

    sig_idle = Signal()

    def __init__(
        self,
        limit_seconds: float,
        *,
        clock: Clock = time.monotonic,
        check_every_ms: int = DEFAULT_CHECK_EVERY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if limit_seconds <= 0:
            raise ValueError("the idle limit must be positive")
        self.limit_seconds = limit_seconds
        self._clock = clock
        self._last_input = clock()
        self._armed = True
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self.check)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusWindowChanged.connect(self.watch_windows)
        self.watch_windows()
        self._timer.start()

    def watch_windows(self, _focus: QWindow | None = None) -> None:
        """Watch the input of every top-level window the desk's widgets have (harmless to repeat)."""
        if self._stopped:
            return
        for window in _widget_windows():
            window.removeEventFilter(self)  # never twice
            window.installEventFilter(self)

    @property
    def idle_seconds(self) -> float:
        return max(0.0, self._clock() - self._last_input)

    @property
    def armed(self) -> bool:
        return self._armed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in ACTIVITY_EVENTS:
            self._last_input = self._clock()
        return False  # only watching: every event goes on to its widget

    def check(self) -> None:
        """Emit :attr:`sig_idle` if the limit has passed (the timer calls this; tests may too)."""
        if self._armed and self.idle_seconds >= self.limit_seconds:
            self._armed = False
            self.sig_idle.emit()

    def disarm(self) -> None:
        """Stop watching for now (the desk is locked already)."""
        self._armed = False

    def restart(self) -> None:
        """Count from now again (after unlocking)."""
        self._last_input = self._clock()
        self._armed = True

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusWindowChanged.disconnect(self.watch_windows)
        for window in _widget_windows():
            window.removeEventFilter(self)


def _widget_windows() -> list[QWindow]:
    """The windows of the application's top-level widgets (not the ones Qt makes for itself)."""
    windows = (widget.windowHandle() for widget in QApplication.topLevelWidgets())
    return [window for window in windows if window is not None]
