"""Secrets for service accounts, from environment variables: the documented mapping."""

from __future__ import annotations

import pytest

from supervisor_app.secrets import EnvironmentStore, SecretStoreReadOnly, variable_for


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("database:desk@db1:5432/supervisor", "SUPERVISOR_DB_PASSWORD"),
        ("database:supervisor_desk@db1:5432,db2:5432/supervisor", "SUPERVISOR_DB_PASSWORD"),
        ("channel:smtp", "SUPERVISOR_SECRET_CHANNEL_SMTP"),
        ("channel:sms-gateway", "SUPERVISOR_SECRET_CHANNEL_SMS_GATEWAY"),
        ("channel:mqtt.broker_2", "SUPERVISOR_SECRET_CHANNEL_MQTT_BROKER_2"),
    ],
)
def test_each_secret_has_one_variable(name: str, variable: str) -> None:
    assert variable_for(name) == variable
    store = EnvironmentStore({variable: "value-from-env"})
    assert store.get(name) == "value-from-env"
    assert store.provides(name) == variable


def test_unset_and_empty_variables_give_nothing() -> None:
    store = EnvironmentStore({"SUPERVISOR_SECRET_CHANNEL_SMTP": "", "SUPERVISOR_DB_URL": "postgresql://x@y/z"})
    assert store.get("channel:smtp") is None and store.provides("channel:smtp") is None
    assert store.get("database:x@y:5432/z") is None
    assert store.present() == []  # SUPERVISOR_DB_URL is an address, not a secret


def test_the_environment_is_never_written() -> None:
    environ = {"SUPERVISOR_SECRET_CHANNEL_SMTP": "value-from-env"}
    store = EnvironmentStore(environ)
    assert not store.writable
    with pytest.raises(SecretStoreReadOnly, match="Change the service account's environment"):
        store.set("channel:smtp", "new")
    with pytest.raises(SecretStoreReadOnly):
        store.delete("channel:smtp")
    assert environ == {"SUPERVISOR_SECRET_CHANNEL_SMTP": "value-from-env"}
