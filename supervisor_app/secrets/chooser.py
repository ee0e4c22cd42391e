"""Choosing where a desk's secrets live, and saying why.

Environment variables come first, read-only (service accounts); then the OS keyring if this
machine has a usable one; otherwise the encrypted file in the settings folder. Its passphrase
comes from ``SUPERVISOR_SECRETS_PASSPHRASE`` if set, else from whoever the caller can ask (a
prompt at the terminal, a dialog at the desk), and only when the file is first needed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from supervisor_app.secrets.base import SecretStore
from supervisor_app.secrets.encrypted_file import FILE_NAME, AskPassphrase, EncryptedFileStore, PassphraseNeeded
from supervisor_app.secrets.environment import PASSPHRASE_VARIABLE, EnvironmentStore
from supervisor_app.secrets.keyring_store import KeyringUnavailable, open_keyring


class LayeredStore(SecretStore):
    """Environment variables over a writable store: reads look at the environment first."""

    def __init__(self, environment: EnvironmentStore, primary: SecretStore) -> None:
        self.environment = environment
        self.primary = primary

    def get(self, name: str) -> str | None:
        found = self.environment.get(name)
        return found if found is not None else self.primary.get(name)

    def set(self, name: str, value: str) -> None:
        self.primary.set(name, value)

    def delete(self, name: str) -> bool:
        return self.primary.delete(name)

    @property
    def where(self) -> str:
        return self.primary.where

    @property
    def writable(self) -> bool:
        return self.primary.writable


@dataclass(frozen=True)
class OpenedSecrets:
    store: LayeredStore
    keyring_problem: KeyringUnavailable | None  # why the keyring is not used; None when it is

    @property
    def primary(self) -> SecretStore:
        return self.store.primary

    @property
    def environment(self) -> EnvironmentStore:
        return self.store.environment

    def summary(self) -> str:
        """Which store is in use and why, in one sentence for the status command or the desk."""
        if self.keyring_problem is None:
            return f"Secrets are kept in {self.primary.where}."
        return (
            f"No keyring service on this machine ({self.keyring_problem.detail}); "
            f"secrets are kept in {self.primary.where}."
        )

    def source_of(self, name: str) -> str:
        """Where a read of ``name`` would come from: the environment variable, or the store."""
        variable = self.environment.provides(name)
        return f"the environment variable {variable}" if variable else self.primary.where


def _passphrase_source(path: Path, ask: AskPassphrase | None, environ: Mapping[str, str]) -> AskPassphrase:
    def passphrase(new_file: bool) -> str:
        from_environment = environ.get(PASSPHRASE_VARIABLE)
        if from_environment:
            return from_environment
        if ask is None:
            raise PassphraseNeeded(path)
        return ask(new_file)

    return passphrase


def open_secret_store(
    config_dir: Path,
    *,
    passphrase: AskPassphrase | None = None,
    environ: Mapping[str, str] = os.environ,
    frozen: bool | None = None,
) -> OpenedSecrets:
    """The desk's secrets: the environment over the keyring, or over the encrypted file when this
    machine has no usable keyring (``keyring_problem`` then says why).

    ``passphrase(new_file)`` is called at most once, when the file is first read or created, and
    only if ``SUPERVISOR_SECRETS_PASSPHRASE`` is not set; ``new_file`` is True when the answer will
    create the file (ask twice). Without it, a file that needs opening raises ``PassphraseNeeded``.
    """
    environment = EnvironmentStore(environ)
    primary: SecretStore
    try:
        primary = open_keyring(environ=environ, frozen=frozen)
        problem = None
    except KeyringUnavailable as exc:
        problem = exc
        path = config_dir / FILE_NAME
        primary = EncryptedFileStore(path, _passphrase_source(path, passphrase, environ))
    return OpenedSecrets(LayeredStore(environment, primary), problem)
