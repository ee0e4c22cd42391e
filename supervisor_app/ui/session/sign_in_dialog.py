"""The first thing a desk shows: who is signing in. Nothing of the organisation's data is shown
until the password has been checked (in the background, so the window never freezes)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from supervisor_app.domain.people import Actor
from supervisor_app.services.context import OpenedDatabase
from supervisor_app.services.sign_in import sign_in
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import refusal_text
from supervisor_app.ui.session.sign_in_form import SignInForm, centred

APP_TITLE = "Incident Supervisor"


class SignInDialog(QDialog):
    """Accepted once someone has signed in (:attr:`actor`); rejected if the person quits."""

    def __init__(self, database: OpenedDatabase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SignInDialog")
        self.setWindowTitle(f"Sign in \u2014 {APP_TITLE}")
        self.database = database
        self.actor: Actor | None = None
        self.runner = Runner(database.read_session, database.write_session, read_threads=1, parent=self)

        settings = database.settings
        self.organisation = QLabel(database.pack.name, self)
        self.organisation.setObjectName("SignInOrganisation")
        self.organisation.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.form = SignInForm("Sign in", "&Sign in", self)
        self.form.set_detail(f"Desk {settings.desk_name} \u00b7 {database.database_label}")
        self.form.set_username(settings.user)
        self.form.set_hint(database.sign_in_hint)
        self.quit_button = QPushButton("&Quit", self)
        self.quit_button.setObjectName("sign-in-quit")
        self.quit_button.clicked.connect(self.reject)
        self.form.add_button(self.quit_button)
        self.form.sig_submitted.connect(self._attempt)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 32, 40, 32)
        layout.setSpacing(16)
        layout.addStretch(1)
        layout.addWidget(self.organisation)
        layout.addLayout(centred(self.form))
        layout.addStretch(2)
        self.form.focus_first_empty()

    @Slot(str, str)
    def _attempt(self, username: str, password: str) -> None:
        desk, timezone = self.database.settings.desk_name, self.database.pack.timezone
        self.runner.run_write(
            lambda session: sign_in(session, username, password, desk, timezone=timezone),
            self._signed_in,
            self._refused,
            owner=self,
        )

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.form.set_busy(True, f"Signed in as {actor.label}. Opening the desk\u2026")
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.form.show_refusal(refusal_text(error, self.database.database_label))

    def done(self, result: int) -> None:
        self.runner.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.runner.shutdown()
        super().closeEvent(event)
