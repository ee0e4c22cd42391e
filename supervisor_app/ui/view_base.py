"""What every view of the desk declares, so the main window can assemble views without knowing them.

A view is a package under ``supervisor_app/ui/<view>/`` exposing one :class:`DeskView` subclass
with a ``NAME`` (stable, used in code and settings), a ``TITLE`` (for menus), its own ``sig_*``
signals and ``on_*`` handlers. The main window only calls the handlers below and connects signals.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from supervisor_app.domain.people import Action, Actor
from supervisor_app.services.context import DeskContext
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.theme import DARK, Theme


class DeskView(QWidget):
    """Base of the desk's views (see module doc)."""

    NAME: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    #: Shown only to people whose roles allow this (the services check it again on every call).
    REQUIRES: ClassVar[Action] = Action.VIEW_INCIDENTS

    #: A failure the person should hear about (shown in the message bar, logged in full).
    sig_error = Signal(object)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not self.NAME or not self.TITLE:
            raise TypeError(f"{type(self).__name__} must declare NAME and TITLE")
        self.setObjectName(f"view-{self.NAME}")
        self.context = context
        self.runner = runner
        self.theme: Theme = DARK

    def on_refresh(self) -> None:
        """Reload what the view shows (F5)."""

    def on_theme_changed(self, theme: Theme) -> None:
        """Redraw colours that the style sheet cannot reach (icons, painted cells)."""
        self.theme = theme

    def on_connection_changed(self, connected: bool) -> None:
        """The database answers again (True) or stopped answering (False)."""
        if connected:
            self.on_refresh()

    def on_live_started(self, state: LiveState) -> None:
        """Live updates began: ``state`` is current and will be kept so (read it, never change it)."""

    def on_live_applied(self, applied: Applied, state: LiveState) -> None:
        """Changes from any desk were applied to ``state``; ``applied`` says which rows changed."""

    def on_actor_changed(self, actor: Actor) -> None:
        """Someone else took the desk over (or the roles changed): close what the last person had
        open and reload what the newcomer may see."""
        self.on_refresh()

    def on_shown(self) -> None:
        """The view became the one on screen."""

    def on_close(self) -> None:
        """The window is closing: stop timers; the runner is shut down after this."""
