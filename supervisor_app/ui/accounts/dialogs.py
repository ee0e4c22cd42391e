"""Adding an account and setting a password. The dialog stays open until the service accepts,
so a refused entry (a taken username, a weak password) is corrected rather than typed again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.credentials import MINIMUM_PASSWORD_LENGTH
from supervisor_app.domain.people import Role

#: How the dialog asks for the change to be made: the values, then (error text or None) when done.
Submit = Callable[[dict[str, object], Callable[[str | None], None]], None]

PASSWORD_RULE = (
    f"At least {MINIMUM_PASSWORD_LENGTH} characters, not containing the username. "
    "A short sentence is easier to remember than a jumble."
)
ROLE_LABELS = {
    Role.OPERATOR: "Operator \u2014 takes referrals, logs, claims incidents",
    Role.SUPERVISOR: "Supervisor \u2014 as operator, and deploys resources",
    Role.DUTY_MANAGER: "Duty manager \u2014 queries and complaints",
    Role.SHIFT_LEAD: "Shift lead \u2014 shift reviews and coaching",
    Role.ADMINISTRATOR: "Administrator \u2014 accounts and the audit trail",
}


def _password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(256)
    field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    return field


class _AccountDialog(QDialog):
    def __init__(self, title: str, submit: Submit, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(520)
        self._submit = submit
        self.message = QLabel("", self)
        self.message.setObjectName("SignInMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("severity", "error")
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(14)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, object]:
        raise NotImplementedError

    def check(self) -> str | None:
        """A problem the person can fix before anything is sent, or None."""
        return None

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @Slot()
    def _ok(self) -> None:
        problem = self.check()
        if problem:
            self.show_error(problem)
            return
        self.buttons.setEnabled(False)
        self.show_error("")
        self._submit(self.values(), self._finished)

    def _finished(self, error: str | None) -> None:
        self.buttons.setEnabled(True)
        if error is None:
            self.accept()
        else:
            self.show_error(error)


class AddAccountDialog(_AccountDialog):
    def __init__(self, submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__("Add an account", submit, parent)
        self.setObjectName("AddAccountDialog")
        self.username = QLineEdit(self)
        self.username.setObjectName("account-username")
        self.username.setPlaceholderText("e.g. aino.virtanen (lower case)")
        self.username.setMaxLength(64)
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("account-name")
        self.display_name.setPlaceholderText("as colleagues know them, e.g. Aino Virtanen")
        self.roles: dict[Role, QCheckBox] = {}
        roles = QGridLayout()
        roles.setVerticalSpacing(6)
        for row, (role, label) in enumerate(ROLE_LABELS.items()):
            box = QCheckBox(label, self)
            box.setObjectName(f"account-role-{role.value}")
            self.roles[role] = box
            roles.addWidget(box, row, 0)
        self.password = _password_field(self, "account-password")
        self.password.setToolTip(PASSWORD_RULE)
        self.confirm = _password_field(self, "account-confirm")
        rule = QLabel(PASSWORD_RULE, self)
        rule.setObjectName("PanelHint")
        rule.setWordWrap(True)
        self.form.addRow("&Username", self.username)
        self.form.addRow("&Name", self.display_name)
        self.form.addRow("Roles", roles)
        self.form.addRow("&Password", self.password)
        self.form.addRow("&Confirm", self.confirm)
        self.form.addRow("", rule)
        for field, label in ((self.username, "Username"), (self.password, "Password"), (self.confirm, "Confirm")):
            field.setAccessibleName(label)

    def values(self) -> dict[str, object]:
        return {
            "username": self.username.text().strip(),
            "display_name": self.display_name.text().strip(),
            "roles": [role for role, box in self.roles.items() if box.isChecked()],
            "password": self.password.text(),
        }

    def check(self) -> str | None:
        if not self.username.text().strip():
            return "Enter a username."
        if not any(box.isChecked() for box in self.roles.values()):
            return "Tick at least one role."
        if self.password.text() != self.confirm.text():
            return "The two passwords differ; type the same password twice."
        return None


class SetPasswordDialog(_AccountDialog):
    def __init__(self, username: str, submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(f"Set a new password for {username}", submit, parent)
        self.setObjectName("SetPasswordDialog")
        self.username = username
        self.password = _password_field(self, "account-password")
        self.confirm = _password_field(self, "account-confirm")
        rule = QLabel(PASSWORD_RULE + " Tell the person in private; it also lifts any lock.", self)
        rule.setObjectName("PanelHint")
        rule.setWordWrap(True)
        self.form.addRow("&New password", self.password)
        self.form.addRow("&Confirm", self.confirm)
        self.form.addRow("", rule)

    def values(self) -> dict[str, object]:
        return {"username": self.username, "password": self.password.text()}

    def check(self) -> str | None:
        if self.password.text() != self.confirm.text():
            return "The two passwords differ; type the same password twice."
        return None
