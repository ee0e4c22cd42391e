"""Secrets in the operating system's keyring, through the ``keyring`` package.

Windows Credential Manager, the macOS Keychain, or a Secret Service (GNOME Keyring, KWallet) on
Linux. Entries are filed under the service ``incident-supervisor`` with the secret's name as
the user name.

``open_keyring`` refuses, with ``KeyringUnavailable``, a keyring that would not keep secrets
safely or at all: the ``keyring`` package cannot be loaded; it found no backend (its ``fail``
backend, or a chainer with nothing to chain); the backend is not one it recommends (priority
below 1: the null backend, plain-text file backends); or the backend fails when first used
(no D-Bus session, a locked collection no one can unlock). In a frozen build, where the
package's entry-point discovery can find nothing, the platform's own backend is tried by name
before giving up, unless ``PYTHON_KEYRING_BACKEND`` chose a backend explicitly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from supervisor_app.secrets.base import SecretsError, SecretStore
from supervisor_app.secrets.environment import (
    DATABASE_PASSWORD_VARIABLE,
    PASSPHRASE_VARIABLE,
    SECRET_VARIABLE_PREFIX,
)

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "incident-supervisor"
PROBE_NAME = "keyring-check"
BACKEND_VARIABLE = "PYTHON_KEYRING_BACKEND"
NATIVE_BACKENDS = {
    "win32": "keyring.backends.Windows.WinVaultKeyring",
    "darwin": "keyring.backends.macOS.Keyring",
}
LINUX_BACKEND = "keyring.backends.SecretService.Keyring"


def platform_keyring() -> str:
    """What the operating system's keyring is called where this runs."""
    if sys.platform == "win32":
        return "Windows Credential Manager"
    if sys.platform == "darwin":
        return "the macOS Keychain"
    return "a Secret Service (GNOME Keyring or KWallet) on the user's D-Bus session"


class KeyringUnavailable(SecretsError):
    """There is no keyring this desk can use; ``detail`` says what is missing."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"No usable keyring service on this machine ({detail}). The desk keeps passwords in "
            f"{platform_keyring()}; make one available to this user, or use one of two alternatives: "
            f"an encrypted secrets file protected by a passphrase (the desk asks for it; a service account "
            f"sets {PASSPHRASE_VARIABLE}), or environment variables for a service account "
            f"({DATABASE_PASSWORD_VARIABLE}, {SECRET_VARIABLE_PREFIX}<NAME>)."
        )
        self.detail = detail


def backend_name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _priority(backend: KeyringBackend) -> float:
    return float(type(backend).priority)  # raises RuntimeError (or worse) if it cannot run here


def unusable_reason(backend: KeyringBackend) -> str | None:
    """Why ``backend`` cannot keep the desk's secrets, or None if it can."""
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return "the keyring library found no keyring backend"
    try:
        if isinstance(backend, chainer.ChainerBackend):
            chained: list[KeyringBackend] = list(type(backend).backends)
            if not chained:
                return "the keyring library found no keyring backend to use"
            priority = max(_priority(each) for each in chained)
        else:
            priority = _priority(backend)
    except Exception as exc:  # noqa: BLE001 - a backend says it cannot run by raising from its priority
        return f"the keyring backend {backend_name(backend)} cannot run here: {exc}"
    if priority < 1:
        return f"the keyring backend {backend_name(backend)} is not a secure keyring (priority {priority:g})"
    return None


def _native_backend() -> tuple[KeyringBackend | None, str]:
    from keyring.core import load_keyring

    name = NATIVE_BACKENDS.get(sys.platform, LINUX_BACKEND)
    try:
        backend = load_keyring(name)
    except Exception as exc:  # noqa: BLE001 - missing module, missing library, no service: all mean "not here"
        return None, f"{name} cannot run here either: {exc}"
    problem = unusable_reason(backend)
    return (None, problem) if problem else (backend, "")


class KeyringStore(SecretStore):
    def __init__(self, backend: KeyringBackend) -> None:
        self.backend = backend

    @property
    def where(self) -> str:
        return f"the operating system's keyring ({backend_name(self.backend)}), service {SERVICE!r}"

    @property
    def writable(self) -> bool:
        return True

    def _failed(self, exc: Exception) -> KeyringUnavailable:
        detail = str(exc) or type(exc).__name__
        return KeyringUnavailable(f"the keyring backend {backend_name(self.backend)} failed: {detail}")

    def get(self, name: str) -> str | None:
        try:
            return self.backend.get_password(SERVICE, name)
        except Exception as exc:  # KeyringError, or a D-Bus or OS error the backend let through
            raise self._failed(exc) from exc

    def set(self, name: str, value: str) -> None:
        try:
            self.backend.set_password(SERVICE, name, value)
        except Exception as exc:  # as in get
            raise self._failed(exc) from exc

    def delete(self, name: str) -> bool:
        if self.get(name) is None:
            return False
        try:
            self.backend.delete_password(SERVICE, name)
        except Exception as exc:  # as in get
            raise self._failed(exc) from exc
        return True


def open_keyring(*, environ: Mapping[str, str] = os.environ, frozen: bool | None = None) -> KeyringStore:
    """The OS keyring, checked by reading from it once; ``KeyringUnavailable`` if it cannot be used."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception as exc:  # ImportError, or a broken package in a frozen build
        raise KeyringUnavailable(f"the keyring library cannot be loaded: {type(exc).__name__}: {exc}") from exc
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # discovery runs third-party code
        raise KeyringUnavailable(f"choosing a keyring backend failed: {type(exc).__name__}: {exc}") from exc
    problem = unusable_reason(backend)
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    if problem and frozen and isinstance(backend, fail.Keyring) and not environ.get(BACKEND_VARIABLE):
        native, native_problem = _native_backend()
        if native is not None:
            backend, problem = native, None
        else:
            problem = f"{problem}; {native_problem}"
    if problem:
        chosen = environ.get(BACKEND_VARIABLE)
        raise KeyringUnavailable(f"{problem}, as {BACKEND_VARIABLE}={chosen} chooses" if chosen else problem)
    store = KeyringStore(backend)
    store.get(PROBE_NAME)
    return store
