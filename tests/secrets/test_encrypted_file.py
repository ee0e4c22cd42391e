"""The encrypted secrets file: round trip, wrong passphrase, damage and tampering, mode, atomic writes."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from supervisor_app.secrets import (
    FILE_NAME,
    CorruptSecretsFile,
    EncryptedFileStore,
    PassphraseTooShort,
    SecretsError,
    WrongPassphrase,
)

PASSPHRASE = "orchard lantern tuesday"
DB_NAME = "database:desk@db1:5432/supervisor"


class Asker:
    """Answers passphrase questions from a list and records whether each was for a new file."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[bool] = []

    def __call__(self, new_file: bool) -> str:
        self.asked.append(new_file)
        return self.answers.pop(0)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / FILE_NAME


def _store_with(path: Path, secrets: dict[str, str]) -> None:
    store = EncryptedFileStore(path, Asker(PASSPHRASE))
    for name, value in secrets.items():
        store.set(name, value)


def _rewrite(path: Path, change: int, *, fix_checksum: bool, value: int | None = None) -> None:
    """Flip one bit at ``change`` (negative: from the end of the body), or set that byte to
    ``value``; optionally recompute the trailing SHA-256 as someone altering it on purpose would."""
    data = bytearray(path.read_bytes())
    body = data[:-32]
    body[change] = body[change] ^ 0x01 if value is None else value
    digest = hashlib.sha256(body).digest() if fix_checksum else data[-32:]
    path.write_bytes(bytes(body) + digest)


def test_round_trip_across_store_instances(path: Path) -> None:
    first = Asker(PASSPHRASE)
    store = EncryptedFileStore(path, first)
    assert store.get(DB_NAME) is None and not path.exists()  # reading nothing asks nothing
    assert first.asked == []
    store.set(DB_NAME, "pässwörd with spaces & symbols %@:/")
    store.set("channel:smtp", "relay-credential-1")
    store.set("channel:smtp", "relay-credential-2")
    assert first.asked == [True]  # asked once, to create the file

    second = Asker(PASSPHRASE)
    reopened = EncryptedFileStore(path, second)
    assert reopened.get(DB_NAME) == "pässwörd with spaces & symbols %@:/"
    assert reopened.get("channel:smtp") == "relay-credential-2"
    assert reopened.get("channel:sms-gateway") is None
    assert reopened.names() == ["channel:smtp", DB_NAME]
    assert reopened.delete("channel:smtp") is True
    assert reopened.delete("channel:smtp") is False
    assert second.asked == [False]  # asked once, to open it

    assert EncryptedFileStore(path, Asker(PASSPHRASE)).names() == [DB_NAME]


def test_names_and_values_are_not_in_the_file_and_each_write_has_a_new_nonce(path: Path) -> None:
    store = EncryptedFileStore(path, Asker(PASSPHRASE))
    store.set("channel:mqtt", "broker-credential-xyz")
    first = path.read_bytes()
    store.set("channel:mqtt", "broker-credential-xyz")
    second = path.read_bytes()
    assert first.startswith(b"INCSUPSECRETS\x01") and second.startswith(b"INCSUPSECRETS\x01")
    assert first != second and first[:-100] != second[:-100]
    for text in ("broker-credential-xyz", "channel:mqtt", "mqtt", PASSPHRASE):
        assert text.encode() not in first


def test_wrong_passphrase_is_refused_and_the_file_is_left_as_it_was(path: Path) -> None:
    _store_with(path, {DB_NAME: "the-real-password"})
    before = path.read_bytes()
    asker = Asker("not the passphrase", PASSPHRASE)
    store = EncryptedFileStore(path, asker)
    with pytest.raises(WrongPassphrase) as refused:
        store.set("channel:smtp", "would-overwrite")
    assert str(path) in str(refused.value) and "does not open" in str(refused.value)
    assert path.read_bytes() == before
    assert store.get(DB_NAME) == "the-real-password"  # asked again, and the right answer opens it
    assert asker.asked == [False, False]


def test_a_passphrase_must_be_long_enough_to_create_the_file(path: Path) -> None:
    with pytest.raises(PassphraseTooShort, match="at least 12 characters"):
        EncryptedFileStore(path, Asker("short")).set("channel:smtp", "value-1234")
    assert not path.exists()


@pytest.mark.parametrize(
    ("change", "value", "fix_checksum", "what"),
    [
        (-5, None, False, "checksum does not match"),  # a flipped bit in the ciphertext: damage
        (-5, None, True, "fail the authentication check"),  # the same, with the checksum recomputed: tampering
        (len(b"INCSUPSECRETS") + 4 + 16 + 16, None, True, "fail the authentication check"),  # the nonce
        (len(b"INCSUPSECRETS"), None, True, "format version"),  # the version
        (len(b"INCSUPSECRETS") + 1, 40, True, "key-derivation settings are out of range"),  # scrypt N = 2**40
    ],
)
def test_a_damaged_or_altered_file_is_refused_naming_it(
    path: Path, change: int, value: int | None, fix_checksum: bool, what: str
) -> None:
    _store_with(path, {DB_NAME: "the-real-password"})
    _rewrite(path, change, fix_checksum=fix_checksum, value=value)
    altered = path.read_bytes()
    store = EncryptedFileStore(path, Asker(PASSPHRASE))
    with pytest.raises(CorruptSecretsFile) as refused:
        store.get(DB_NAME)
    assert str(path) in str(refused.value) and what in str(refused.value)
    with pytest.raises(CorruptSecretsFile):
        store.set("channel:smtp", "value-1234")
    assert path.read_bytes() == altered


@pytest.mark.parametrize("content", [b"", b"INCSUPSECRETS", b"db_url = 'postgresql://x'\n" * 5])
def test_a_file_that_is_not_a_secrets_file_is_refused(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(CorruptSecretsFile, match="not a secrets file, or it is cut short"):
        EncryptedFileStore(path, Asker(PASSPHRASE)).get(DB_NAME)


def test_a_truncated_file_is_refused(path: Path) -> None:
    _store_with(path, {DB_NAME: "the-real-password"})
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(CorruptSecretsFile, match=str(path)):
        EncryptedFileStore(path, Asker(PASSPHRASE)).get(DB_NAME)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_file_is_readable_by_its_owner_only_whatever_the_umask(path: Path) -> None:
    previous = os.umask(0)
    try:
        store = EncryptedFileStore(path, Asker(PASSPHRASE))
        store.set("channel:smtp", "value-1234")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        path.chmod(0o644)
        store.set("channel:smtp", "value-5678")  # a rewrite makes a new file, owner-only again
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700  # the folder the store made
    finally:
        os.umask(previous)


@contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    """Writes past ``limit`` bytes fail with EFBIG (a full disk or quota, as far as the writer can tell)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_failed_write_leaves_the_old_file_intact_and_no_temporary_file(path: Path) -> None:
    _store_with(path, {DB_NAME: "the-real-password"})
    before = path.read_bytes()
    store = EncryptedFileStore(path, Asker(PASSPHRASE))
    with _file_size_limit(4096), pytest.raises(SecretsError) as failed:
        store.set("channel:smtp", "x" * 10_000)
    assert "previous file is unchanged" in str(failed.value) and str(path) in str(failed.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [FILE_NAME]
    assert EncryptedFileStore(path, Asker(PASSPHRASE)).get(DB_NAME) == "the-real-password"
    assert store.get("channel:smtp") is None
