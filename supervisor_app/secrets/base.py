"""What every place that keeps the desk's secrets offers, and the errors they raise."""

from __future__ import annotations

import abc


class SecretsError(Exception):
    """A secret that cannot be read or kept; the message says what to do and never holds a secret."""


class SecretStoreReadOnly(SecretsError):
    """The secret comes from a place the desk cannot change (environment variables)."""


class SecretStore(abc.ABC):
    """Secrets by name (``database:...``, ``channel:...``), kept somewhere other than in plain text."""

    @abc.abstractmethod
    def get(self, name: str) -> str | None:
        """The secret called ``name``, or None if there is none."""

    @abc.abstractmethod
    def set(self, name: str, value: str) -> None:
        """Keep ``value`` as the secret called ``name``, replacing any earlier one."""

    @abc.abstractmethod
    def delete(self, name: str) -> bool:
        """Forget the secret called ``name``; False if there was none."""

    @property
    @abc.abstractmethod
    def where(self) -> str:
        """Where the secrets live, in words for the person looking after the desk."""

    @property
    @abc.abstractmethod
    def writable(self) -> bool:
        """Whether ``set`` and ``delete`` can work here."""
