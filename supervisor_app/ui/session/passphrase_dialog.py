"""The passphrase of the encrypted secrets file, asked in a window (a desk has no terminal).

Only a machine without a keyring service keeps the desk's secrets in that file; the dialog says so,
and for a new file asks for the passphrase twice.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.secrets import FILE_NAME, MINIMUM_PASSPHRASE_LENGTH, SecretsError
from supervisor_app.ui.map.web_engine import prepare_web_engine

_application: list[QApplication] = []


class PassphraseDialog(QDialog):
    def __init__(self, path: Path, new_file: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PassphraseDialog")
        self.setWindowTitle("Secrets file \u2014 Incident Supervisor")
        self.setMinimumWidth(560)
        self.new_file = new_file
        if new_file:
            text = (
                "There is no keyring service on this machine, so the desk keeps its database password and "
                f"channel credentials in an encrypted file:\n{path}\n\nChoose a passphrase of at least "
                f"{MINIMUM_PASSPHRASE_LENGTH} characters. The desk asks for it each time it starts; "
                "if it is lost, the secrets must be stored again."
            )
        else:
            text = (
                "There is no keyring service on this machine, so the desk's secrets are kept in the "
                f"encrypted file:\n{path}\n\nEnter its passphrase."
            )
        explanation = QLabel(text, self)
        explanation.setWordWrap(True)
        explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.passphrase = self._field("secrets-passphrase")
        self.confirm = self._field("secrets-confirm")
        self.message = QLabel("", self)
        self.message.setObjectName("SignInMessage")
        self.message.setProperty("severity", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        form = QFormLayout()
        form.addRow("&Passphrase", self.passphrase)
        if new_file:
            form.addRow("&Again", self.confirm)
        else:
            self.confirm.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(14)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.passphrase.setFocus()

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        return field

    @Slot()
    def _ok(self) -> None:
        if self.new_file and len(self.passphrase.text()) < MINIMUM_PASSPHRASE_LENGTH:
            self._refuse(f"The passphrase needs at least {MINIMUM_PASSPHRASE_LENGTH} characters.")
        elif self.new_file and self.passphrase.text() != self.confirm.text():
            self._refuse("The two passphrases differ; type the same one twice.")
        elif not self.passphrase.text():
            self._refuse("Enter the passphrase.")
        else:
            self.accept()

    def _refuse(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.confirm.clear()
        self.passphrase.selectAll()
        self.passphrase.setFocus()


def ask_passphrase(config_dir: Path) -> Callable[[bool], str]:
    """``passphrase(new_file)`` for the secret store: asks in a window, only when called (a desk
    with a keyring, or with SUPERVISOR_SECRETS_PASSPHRASE set, never shows it)."""
    path = config_dir / FILE_NAME

    def ask(new_file: bool) -> str:
        if QApplication.instance() is None:
            prepare_web_engine()  # the map's web engine must be set up before the application exists
            _application.append(QApplication(sys.argv[:1]))  # kept: the desk goes on to use it
        dialog = PassphraseDialog(path, new_file)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                raise SecretsError(
                    f"No passphrase was given for the secrets file {path}; the desk cannot reach its "
                    "database without the password kept there."
                )
            return dialog.passphrase.text()
        finally:
            dialog.passphrase.clear()
            dialog.confirm.clear()
            dialog.deleteLater()

    return ask
