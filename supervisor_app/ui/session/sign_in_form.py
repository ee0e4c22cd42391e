"""The username-and-password form used to sign in, to unlock a locked desk and to take it over.

Enter in the username moves to the password; Enter in the password signs in. The password field
is cleared as soon as the form hands it over, so it stays on screen no longer than needed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.ui.icons import tinted_pixmap
from supervisor_app.ui.theme import DARK, Theme

FORM_WIDTH = 440


def centred(widget: QWidget) -> QHBoxLayout:
    """``widget`` in the middle of a row. (An alignment flag would size it by its size hint and cut
    wrapped text short; stretches let the layout ask the height it needs for its width.)"""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    return row


class SignInForm(QFrame):
    """A card with a heading, a username, a password, a message line and its buttons."""

    #: (username, password) when the person asks to sign in.
    sig_submitted = Signal(str, str)

    def __init__(self, heading: str, submit_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SignInCard")
        self.setFixedWidth(FORM_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        self._busy = False
        self._theme = DARK

        self.icon = QLabel(self)
        self.icon.setObjectName("SignInIcon")
        self.heading = QLabel(heading, self)
        self.heading.setObjectName("SignInHeading")
        self.detail = QLabel("", self)
        self.detail.setObjectName("SignInDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)

        self.username = QLineEdit(self)
        self.username.setObjectName("sign-in-username")
        self.username.setPlaceholderText("e.g. aino.virtanen")
        self.username.setMaxLength(64)
        self.username.setAccessibleName("Username")
        self.password = QLineEdit(self)
        self.password.setObjectName("sign-in-password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(256)
        self.password.setAccessibleName("Password")
        self.password.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)

        self.message = QLabel("", self)
        self.message.setObjectName("SignInMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setProperty("severity", "info")
        self.message.hide()

        self.submit = QPushButton(submit_text, self)
        self.submit.setObjectName("sign-in-submit")
        self.submit.setDefault(True)
        self.submit.setAutoDefault(True)
        self.submit.setMinimumWidth(110)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(8)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.submit)

        self.hint = QLabel("", self)
        self.hint.setObjectName("SignInHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint.hide()

        heading_row = QHBoxLayout()
        heading_row.setSpacing(12)
        heading_row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.setSpacing(4)
        titles.addWidget(self.heading)
        titles.addWidget(self.detail)
        heading_row.addLayout(titles, 1)

        fields = QFormLayout()
        fields.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        fields.setHorizontalSpacing(12)
        fields.setVerticalSpacing(10)
        self.username_label = QLabel("&Username", self)
        self.username_label.setBuddy(self.username)
        password_label = QLabel("&Password", self)
        password_label.setBuddy(self.password)
        fields.addRow(self.username_label, self.username)
        fields.addRow(password_label, self.password)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(16)
        layout.addLayout(heading_row)
        layout.addLayout(fields)
        layout.addWidget(self.message)
        layout.addLayout(self.buttons)
        layout.addWidget(self.hint)

        self.username.returnPressed.connect(self._username_entered)
        self.password.returnPressed.connect(self._submit)
        self.submit.clicked.connect(self._submit)
        self.on_theme_changed(self._theme)

    # Set up by the owner

    def set_detail(self, text: str) -> None:
        self.detail.setText(text)
        self.detail.setVisible(bool(text))

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def set_username(self, username: str, *, fixed: bool = False) -> None:
        """Fill in the username; ``fixed`` shows it but lets nobody change it (unlocking)."""
        self.username.setText(username)
        self.username.setReadOnly(fixed)
        self.username.setFocusPolicy(Qt.FocusPolicy.NoFocus if fixed else Qt.FocusPolicy.StrongFocus)
        self.username.setProperty("fixed", fixed)
        self._repolish(self.username)

    def add_button(self, button: QPushButton) -> None:
        """A secondary button, to the left of the main one."""
        button.setAutoDefault(False)
        self.buttons.insertWidget(1, button)

    def focus_first_empty(self) -> None:
        field = self.username if not self.username.text() and not self.username.isReadOnly() else self.password
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self.password.clear()
        self.show_message("")
        self.set_busy(False)

    # Feedback

    def set_busy(self, busy: bool, text: str = "Checking\u2026") -> None:
        self._busy = busy
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.submit.setEnabled(not busy)
        if busy:
            self.show_message(text, "info")

    @property
    def busy(self) -> bool:
        return self._busy

    def show_message(self, text: str, severity: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("severity", severity)
        self._repolish(self.message)
        self.message.setVisible(bool(text))

    def show_refusal(self, text: str) -> None:
        """Sign-in refused: say why, clear the password and put the cursor back in it."""
        self.set_busy(False)
        self.show_message(text, "error")
        self.password.clear()
        self.focus_first_empty()

    def on_theme_changed(self, theme: Theme) -> None:
        self._theme = theme
        self.icon.setPixmap(tinted_pixmap("user", theme.accent, 40))

    # Internals

    @Slot()
    def _username_entered(self) -> None:
        if self.username.text().strip():
            self.password.setFocus(Qt.FocusReason.TabFocusReason)

    @Slot()
    def _submit(self) -> None:
        if self._busy:
            return
        username = self.username.text().strip()
        if not username:
            self.show_message("Enter your username.", "error")
            self.username.setFocus()
            return
        if not self.password.text():
            self.show_message("Enter your password.", "error")
            self.password.setFocus()
            return
        password = self.password.text()
        self.password.clear()
        self.set_busy(True)
        self.sig_submitted.emit(username, password)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
