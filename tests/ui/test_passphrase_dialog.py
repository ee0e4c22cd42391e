"""The secrets file's passphrase, asked in a window when the machine has no keyring."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from supervisor_app.ui.session.passphrase_dialog import PassphraseDialog


def test_a_new_file_needs_a_long_enough_passphrase_typed_twice(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PassphraseDialog(tmp_path / "secrets.enc", new_file=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, "too short")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.isVisible() and "at least 12 characters" in dialog.message.text()

    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, "the lamps on Esplanadi")
    qtbot.keyClicks(dialog.confirm, "the lamps on Esplanade")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert dialog.isVisible() and "differ" in dialog.message.text()

    qtbot.keyClicks(dialog.confirm, "the lamps on Esplanadi")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert dialog.passphrase.text() == "the lamps on Esplanadi"


def test_an_existing_file_asks_once_and_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PassphraseDialog(tmp_path / "secrets.enc", new_file=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.confirm.isHidden()
    labels = " ".join(label.text() for label in dialog.findChildren(type(dialog.message)))
    assert "no keyring service" in labels and str(tmp_path / "secrets.enc") in labels
    qtbot.keyClicks(dialog.passphrase, "whatever it was")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
