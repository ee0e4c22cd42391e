"""The cover over a locked desk: nothing of the incidents shows, but the desk stays live beneath.

Two forms: *unlock* (the same person, password only) and *hand over* (another person signs in;
the first person's session ends and the desk passes to the newcomer without closing).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from supervisor_app.domain.people import Actor
from supervisor_app.ui.session.sign_in_form import SignInForm, centred
from supervisor_app.ui.status_bar import roles_text
from supervisor_app.ui.theme import Theme


class LockMode(StrEnum):
    UNLOCK = "unlock"
    HAND_OVER = "hand over"


class LockScreen(QWidget):
    """An opaque cover for the window; the owner places it over everything but the status bar."""

    #: The signed-in person's password, to unlock.
    sig_unlock = Signal(str)
    #: (username, password) of the person taking the desk over.
    sig_hand_over = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        self.mode = LockMode.UNLOCK
        self._actor: Actor | None = None
        self._why = ""

        self.form = SignInForm("Desk locked", "&Unlock", self)
        self.switch_button = QPushButton("Hand &over to someone else", self)
        self.switch_button.setObjectName("lock-switch-mode")
        self.switch_button.clicked.connect(self._switch_mode)
        self.form.add_button(self.switch_button)
        self.form.sig_submitted.connect(self._submitted)

        self.live = QLabel("", self)
        self.live.setObjectName("LockLive")
        self.live.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.live.setTextFormat(Qt.TextFormat.PlainText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(14)
        layout.addStretch(2)
        layout.addLayout(centred(self.form))
        layout.addWidget(self.live)
        layout.addStretch(3)
        self.hide()

    def show_for(self, actor: Actor, why: str, mode: LockMode = LockMode.UNLOCK) -> None:
        """Cover the window for ``actor``'s locked session; ``why`` says when and why it locked."""
        self._actor, self._why = actor, why
        self.set_mode(mode)
        self.show()
        self.raise_()
        self.form.focus_first_empty()

    def set_mode(self, mode: LockMode) -> None:
        assert self._actor is not None
        self.mode = mode
        actor = self._actor
        self.form.reset()
        if mode is LockMode.UNLOCK:
            self.form.heading.setText("Desk locked")
            self.form.set_detail(f"{self._why}\n{actor.label} ({roles_text(actor)}) is signed in here.")
            self.form.set_username(actor.username, fixed=True)
            self.form.submit.setText("&Unlock")
            self.switch_button.setText("Hand &over to someone else")
        else:
            self.form.heading.setText(f"Hand over desk {actor.desk}")
            self.form.set_detail(
                f"The incoming person signs in. {actor.label}'s session ends, and the incidents this "
                "desk has claimed pass to the newcomer. The desk stays open and live."
            )
            self.form.set_username("", fixed=False)
            self.form.submit.setText("&Take over the desk")
            self.switch_button.setText(f"&Back to unlock as {actor.label}")
        self.form.focus_first_empty()

    def set_live_summary(self, text: str) -> None:
        self.live.setText(text)

    def on_theme_changed(self, theme: Theme) -> None:
        self.form.on_theme_changed(theme)

    @Slot()
    def _switch_mode(self) -> None:
        self.set_mode(LockMode.HAND_OVER if self.mode is LockMode.UNLOCK else LockMode.UNLOCK)

    @Slot(str, str)
    def _submitted(self, username: str, password: str) -> None:
        if self.mode is LockMode.UNLOCK:
            self.sig_unlock.emit(password)
        else:
            self.sig_hand_over.emit(username, password)
