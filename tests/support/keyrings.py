"""Keyring backends for tests: real ``keyring.backend.KeyringBackend`` subclasses.

Both say ``viable = False`` so keyring's own discovery never picks them: a test chooses one
explicitly, with ``keyring.set_keyring`` in the test process or ``PYTHON_KEYRING_BACKEND`` in a
child process. Neither ever touches the keyring of the machine running the tests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import KeyringLocked, PasswordDeleteError

FILE_VARIABLE = "TEST_KEYRING_FILE"

UseKeyring = Callable[[KeyringBackend], KeyringBackend]
"""The ``use_keyring`` fixture: make a backend keyring's current one for the rest of a test."""


class MemoryKeyring(KeyringBackend):
    """A recommended keyring (priority 5) that lives in this process."""

    priority: float = 5
    viable = False

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no {username} in {service}")


class LockedKeyring(MemoryKeyring):
    """A keyring whose collection is locked and cannot be unlocked (no one to type)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked and no prompt is available")


class UnrunnableKeyring(MemoryKeyring):
    """Like the Secret Service backend without a D-Bus session: its priority raises."""

    @properties.classproperty
    def priority(self) -> float:
        raise RuntimeError("The Secret Service daemon is neither running nor activatable through D-Bus")


class InsecureKeyring(MemoryKeyring):
    """A backend the keyring package itself does not recommend (like its plain-text file backends)."""

    priority = 0.5


class FileKeyring(KeyringBackend):
    """A keyring shared between processes through the JSON file named by ``TEST_KEYRING_FILE``."""

    priority: float = 5
    viable = False

    @property
    def _path(self) -> Path:
        return Path(os.environ[FILE_VARIABLE])

    def _entries(self) -> dict[str, str]:
        path = self._path
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[f"{service}/{username}"] = password
        self._path.write_text(json.dumps(entries), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(f"no {username} in {service}")
        self._path.write_text(json.dumps(entries), encoding="utf-8")
