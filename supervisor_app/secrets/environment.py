"""Secrets from environment variables, for service accounts that have no keyring and no one to type.

The mapping:

- every ``database:...`` secret comes from ``SUPERVISOR_DB_PASSWORD`` (a desk uses one database);
- any other secret comes from ``SUPERVISOR_SECRET_<NAME>``, where ``<NAME>`` is the secret's name
  in capitals with each run of other characters made one ``_``: ``channel:smtp`` from
  ``SUPERVISOR_SECRET_CHANNEL_SMTP``, ``channel:sms-gateway`` from
  ``SUPERVISOR_SECRET_CHANNEL_SMS_GATEWAY``;
- ``SUPERVISOR_SECRETS_PASSPHRASE`` opens the encrypted secrets file (see ``encrypted_file``).

An empty variable counts as unset. The store is read-only: the desk never writes the environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from supervisor_app.secrets.base import SecretStore, SecretStoreReadOnly
from supervisor_app.secrets.names import DATABASE_PREFIX

DATABASE_PASSWORD_VARIABLE = "SUPERVISOR_DB_PASSWORD"
SECRET_VARIABLE_PREFIX = "SUPERVISOR_SECRET_"
PASSPHRASE_VARIABLE = "SUPERVISOR_SECRETS_PASSPHRASE"

_OTHER = re.compile(r"[^A-Z0-9]+")


def variable_for(name: str) -> str:
    """The environment variable a service account sets to give the secret called ``name``."""
    if name.startswith(DATABASE_PREFIX):
        return DATABASE_PASSWORD_VARIABLE
    return SECRET_VARIABLE_PREFIX + _OTHER.sub("_", name.upper()).strip("_")


class EnvironmentStore(SecretStore):
    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def get(self, name: str) -> str | None:
        return self._environ.get(variable_for(name)) or None

    def set(self, name: str, value: str) -> None:
        raise SecretStoreReadOnly(self._read_only(name))

    def delete(self, name: str) -> bool:
        raise SecretStoreReadOnly(self._read_only(name))

    def _read_only(self, name: str) -> str:
        return (
            f"{name} comes from the environment variable {variable_for(name)}; the desk cannot change it. "
            "Change the service account's environment instead."
        )

    def provides(self, name: str) -> str | None:
        """The variable that gives ``name`` in this environment, or None if it is not set."""
        variable = variable_for(name)
        return variable if self._environ.get(variable) else None

    def present(self) -> list[str]:
        """The secret variables set in this environment (names only), for the status report."""
        return sorted(
            key
            for key, value in self._environ.items()
            if value and (key == DATABASE_PASSWORD_VARIABLE or key.startswith(SECRET_VARIABLE_PREFIX))
        )

    @property
    def where(self) -> str:
        return f"environment variables ({DATABASE_PASSWORD_VARIABLE}, {SECRET_VARIABLE_PREFIX}<NAME>)"

    @property
    def writable(self) -> bool:
        return False
