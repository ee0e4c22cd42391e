"""Keyring or encrypted file, with the environment over either: which is used, and why."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from keyring.backends import chainer, fail, null

from supervisor_app.secrets import (
    FILE_NAME,
    SERVICE,
    EncryptedFileStore,
    KeyringStore,
    KeyringUnavailable,
    PassphraseNeeded,
    SecretStoreReadOnly,
    open_keyring,
    open_secret_store,
)
from tests.support.keyrings import InsecureKeyring, LockedKeyring, MemoryKeyring, UnrunnableKeyring, UseKeyring

PASSPHRASE = "orchard lantern tuesday"
DB_NAME = "database:desk@db1:5432/supervisor"


def _no_passphrase(new_file: bool) -> str:
    raise AssertionError("the passphrase was asked for")


def test_a_usable_keyring_keeps_the_secrets(tmp_path: Path, use_keyring: UseKeyring) -> None:
    backend = use_keyring(MemoryKeyring())
    assert isinstance(backend, MemoryKeyring)
    opened = open_secret_store(tmp_path, passphrase=_no_passphrase, environ={})
    assert opened.keyring_problem is None
    assert isinstance(opened.primary, KeyringStore)
    assert opened.summary().startswith("Secrets are kept in the operating system's keyring (tests.support.keyrings")
    opened.store.set(DB_NAME, "kept-in-the-keyring")
    opened.store.set("channel:smtp", "smtp-credential")
    assert backend.entries == {(SERVICE, DB_NAME): "kept-in-the-keyring", (SERVICE, "channel:smtp"): "smtp-credential"}
    assert opened.store.get(DB_NAME) == "kept-in-the-keyring"
    assert opened.store.delete("channel:smtp") is True
    assert opened.store.delete("channel:smtp") is False
    assert opened.store.get("channel:smtp") is None
    assert not (tmp_path / FILE_NAME).exists()


def test_without_a_keyring_the_encrypted_file_is_used_and_the_reason_given(tmp_path: Path) -> None:
    asked: list[bool] = []

    def passphrase(new_file: bool) -> str:
        asked.append(new_file)
        return PASSPHRASE

    opened = open_secret_store(tmp_path, passphrase=passphrase, environ={})  # the fail backend, from the fixture
    assert isinstance(opened.primary, EncryptedFileStore)
    problem = opened.keyring_problem
    assert problem is not None and problem.detail == "the keyring library found no keyring backend"
    assert opened.summary() == (
        "No keyring service on this machine (the keyring library found no keyring backend); "
        f"secrets are kept in the encrypted file {tmp_path / FILE_NAME}, protected by a passphrase."
    )
    message = str(problem)  # what the desk shows the person who looks after the machine
    assert message.startswith("No usable keyring service on this machine")
    assert "encrypted secrets file protected by a passphrase" in message
    assert "SUPERVISOR_SECRETS_PASSPHRASE" in message and "SUPERVISOR_DB_PASSWORD" in message
    assert asked == []  # nothing asked until a secret is needed
    opened.store.set(DB_NAME, "kept-in-the-file")
    assert asked == [True]
    assert open_secret_store(tmp_path, passphrase=lambda _new: PASSPHRASE, environ={}).store.get(DB_NAME) == (
        "kept-in-the-file"
    )


@pytest.mark.parametrize(
    ("backend", "detail"),
    [
        (fail.Keyring(), "found no keyring backend"),
        (null.Keyring(), "keyring.backends.null.Keyring is not a secure keyring (priority -1)"),
        (InsecureKeyring(), "InsecureKeyring is not a secure keyring (priority 0.5)"),
        (UnrunnableKeyring(), "cannot run here: The Secret Service daemon is neither running nor activatable"),
        (LockedKeyring(), "LockedKeyring failed: the collection is locked"),
    ],
    ids=["fail", "null", "plaintext-like", "no-dbus", "locked"],
)
def test_every_kind_of_missing_keyring_is_recognised(
    tmp_path: Path, use_keyring: UseKeyring, backend: MemoryKeyring, detail: str
) -> None:
    use_keyring(backend)
    with pytest.raises(KeyringUnavailable) as unavailable:
        open_keyring(environ={})
    assert detail in unavailable.value.detail
    opened = open_secret_store(tmp_path, passphrase=lambda _new: PASSPHRASE, environ={})
    assert isinstance(opened.primary, EncryptedFileStore)
    assert opened.keyring_problem is not None and detail in opened.summary()


class _EmptyChainer(chainer.ChainerBackend):
    viable = False  # never discovered; chosen explicitly below
    backends: list[MemoryKeyring] = []


class _OneChained(chainer.ChainerBackend):
    viable = False
    backends = [MemoryKeyring()]


def test_a_chainer_with_nothing_to_chain_is_no_keyring(use_keyring: UseKeyring) -> None:
    use_keyring(_EmptyChainer())
    with pytest.raises(KeyringUnavailable, match="found no keyring backend to use"):
        open_keyring(environ={})
    use_keyring(_OneChained())
    assert isinstance(open_keyring(environ={}), KeyringStore)


def test_a_keyring_package_that_cannot_be_loaded_is_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # as in a frozen build that left it out
    with pytest.raises(KeyringUnavailable, match="the keyring library cannot be loaded: ModuleNotFoundError"):
        open_keyring(environ={})


def test_a_frozen_build_respects_an_explicit_backend_choice() -> None:
    with pytest.raises(KeyringUnavailable) as unavailable:
        open_keyring(environ={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}, frozen=True)
    assert unavailable.value.detail == (
        "the keyring library found no keyring backend, as PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring chooses"
    )


@pytest.mark.skipif(
    sys.platform != "linux" or bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS")),
    reason="needs Linux without a D-Bus session, so that the Secret Service cannot be reached",
)
def test_a_frozen_build_tries_the_platform_keyring_by_name_before_giving_up() -> None:
    with pytest.raises(KeyringUnavailable) as unavailable:
        open_keyring(environ={}, frozen=True)
    assert "keyring.backends.SecretService.Keyring" in unavailable.value.detail


def test_environment_variables_come_first_and_are_read_only(tmp_path: Path) -> None:
    environ = {"SUPERVISOR_DB_PASSWORD": "from-the-service-account", "SUPERVISOR_SECRET_CHANNEL_SMTP": "smtp-env"}
    opened = open_secret_store(tmp_path, passphrase=None, environ=environ)
    assert opened.store.get(DB_NAME) == "from-the-service-account"  # no passphrase needed for these
    assert opened.store.get("channel:smtp") == "smtp-env"
    assert opened.source_of(DB_NAME) == "the environment variable SUPERVISOR_DB_PASSWORD"
    assert opened.source_of("channel:mqtt") == opened.primary.where
    assert opened.environment.present() == ["SUPERVISOR_DB_PASSWORD", "SUPERVISOR_SECRET_CHANNEL_SMTP"]
    with pytest.raises(SecretStoreReadOnly, match="SUPERVISOR_DB_PASSWORD; the desk cannot change it"):
        opened.environment.set(DB_NAME, "x")
    with pytest.raises(PassphraseNeeded, match="set SUPERVISOR_SECRETS_PASSPHRASE"):
        opened.store.set("channel:mqtt", "mqtt-credential")  # the file needs a passphrase no one can give


def test_a_service_account_gives_the_file_passphrase_in_the_environment(tmp_path: Path) -> None:
    environ = {"SUPERVISOR_SECRETS_PASSPHRASE": PASSPHRASE}
    open_secret_store(tmp_path, passphrase=_no_passphrase, environ=environ).store.set("channel:mqtt", "mqtt-1234")
    reopened = open_secret_store(tmp_path, passphrase=None, environ=environ)
    assert reopened.store.get("channel:mqtt") == "mqtt-1234"
    locked = open_secret_store(tmp_path, passphrase=None, environ={})
    with pytest.raises(PassphraseNeeded, match=str(tmp_path / FILE_NAME)):
        locked.store.get("channel:mqtt")
