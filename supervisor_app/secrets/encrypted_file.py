"""Secrets in one encrypted file, for machines without a keyring service.

The file (``secrets.enc`` in the desk's settings folder) is AES-256-GCM encrypted under a key
derived from a passphrase by scrypt. Layout, version 1::

    magic "INCSUPSECRETS"  13 bytes
    version                 1 byte (1)
    scrypt log2(N), r, p    3 bytes
    salt                   16 bytes (random, made with the file)
    passphrase check       16 bytes (the second half of the scrypt output)
    nonce                  12 bytes (random, new on every write)
    ciphertext + GCM tag    the secrets as JSON; everything above is the associated data
    SHA-256                32 bytes of everything above it

The GCM tag authenticates the whole file under the key; the passphrase check tells a wrong
passphrase from an altered file; the trailing digest names damage (a truncated copy, a flipped
bit) before any passphrase is asked for. Names are encrypted along with values.

Every write goes to a temporary file in the same folder, is flushed to disk, and replaces the
old file in one step (``os.replace``), so a failed write leaves the previous file as it was.
The file is readable by its owner only (0600).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from supervisor_app.secrets.base import SecretsError, SecretStore
from supervisor_app.secrets.environment import PASSPHRASE_VARIABLE

FILE_NAME = "secrets.enc"
MAGIC = b"INCSUPSECRETS"
VERSION = 1
MINIMUM_PASSPHRASE_LENGTH = 12
SCRYPT_LOG2_N = 15  # N = 32768, r = 8: 32 MiB and about a tenth of a second per derivation
SCRYPT_R = 8
SCRYPT_P = 1
_SALT = 16
_CHECK = 16
_NONCE = 12
_TAG = 16
_DIGEST = 32
_HEADER = len(MAGIC) + 1 + 3 + _SALT + _CHECK + _NONCE
_MAX_SCRYPT_MEMORY = 1 << 30

AskPassphrase = Callable[[bool], str]
"""Asked with True when the passphrase will create the file (ask twice), False to open it."""


class PassphraseTooShort(SecretsError):
    def __init__(self) -> None:
        super().__init__(
            f"A passphrase for the secrets file needs at least {MINIMUM_PASSPHRASE_LENGTH} characters; "
            "nothing was written. A few unrelated words make a good one."
        )


class WrongPassphrase(SecretsError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The passphrase does not open the secrets file {path}; nothing was changed. Try again; "
            "if the passphrase is lost, delete the file and store the secrets again."
        )
        self.path = path


class CorruptSecretsFile(SecretsError):
    def __init__(self, path: Path, what: str) -> None:
        super().__init__(
            f"The secrets file {path} is damaged or was altered ({what}); the desk will not use it. "
            "Restore it from a backup, or delete it and store the secrets again with `supervisor-app secrets set`."
        )
        self.path = path


class PassphraseNeeded(SecretsError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The secrets file {path} needs its passphrase and there is no one to ask: run at a terminal, "
            f"or set {PASSPHRASE_VARIABLE} for a service account."
        )


@dataclass(frozen=True)
class _Derived:
    salt: bytes
    params: tuple[int, int, int]
    key: bytes
    check: bytes


def _derive(passphrase: str, salt: bytes, params: tuple[int, int, int]) -> tuple[bytes, bytes]:
    log2_n, r, p = params
    material = Scrypt(salt=salt, length=32 + _CHECK, n=1 << log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], material[32:]


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, owner-only; on failure the old file stays."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            if hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), 0o600)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(path.parent)


class EncryptedFileStore(SecretStore):
    """Secrets in ``path``, opened with the passphrase ``ask`` gives (asked once, when first needed)."""

    def __init__(self, path: Path, ask: AskPassphrase) -> None:
        self.path = path
        self._ask = ask
        self._passphrase: str | None = None
        self._derived: _Derived | None = None

    @property
    def where(self) -> str:
        return f"the encrypted file {self.path}, protected by a passphrase"

    @property
    def writable(self) -> bool:
        return True

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def get(self, name: str) -> str | None:
        secrets = self._load()
        return None if secrets is None else secrets.get(name)

    def names(self) -> list[str]:
        return sorted(self._load() or {})

    def set(self, name: str, value: str) -> None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise SecretsError(f"The value for {name} is not valid text; nothing was written.") from None
        secrets = self._load()
        if secrets is None:
            secrets = {}
            self._derived = self._new_key()
        secrets[name] = value
        self._save(secrets)

    def delete(self, name: str) -> bool:
        secrets = self._load()
        if secrets is None or name not in secrets:
            return False
        del secrets[name]
        self._save(secrets)
        return True

    def _passphrase_for(self, new_file: bool) -> str:
        if self._passphrase is None:
            self._passphrase = unicodedata.normalize("NFC", self._ask(new_file))
        return self._passphrase

    def _new_key(self) -> _Derived:
        passphrase = self._passphrase_for(new_file=True)
        if len(passphrase) < MINIMUM_PASSPHRASE_LENGTH:
            self._passphrase = None
            raise PassphraseTooShort()
        params = (SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
        salt = os.urandom(_SALT)
        key, check = _derive(passphrase, salt, params)
        return _Derived(salt, params, key, check)

    def _key_for(self, salt: bytes, params: tuple[int, int, int]) -> _Derived:
        cached = self._derived
        if cached is not None and cached.salt == salt and cached.params == params:
            return cached
        key, check = _derive(self._passphrase_for(new_file=False), salt, params)
        return _Derived(salt, params, key, check)

    def _load(self) -> dict[str, str] | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SecretsError(f"Cannot read the secrets file {self.path}: {exc.strerror}.") from None
        if len(data) < _HEADER + _TAG + _DIGEST or not data.startswith(MAGIC):
            raise CorruptSecretsFile(self.path, "it is not a secrets file, or it is cut short")
        body, digest = data[:-_DIGEST], data[-_DIGEST:]
        if not hmac.compare_digest(hashlib.sha256(body).digest(), digest):
            raise CorruptSecretsFile(self.path, "its checksum does not match its contents")
        version = body[len(MAGIC)]
        if version != VERSION:
            raise CorruptSecretsFile(self.path, f"it has format version {version}; this desk reads version {VERSION}")
        at = len(MAGIC) + 1
        log2_n, r, p = body[at], body[at + 1], body[at + 2]
        if not (10 <= log2_n <= 24 and r >= 1 and p >= 1 and 128 * r * p * (1 << log2_n) <= _MAX_SCRYPT_MEMORY):
            raise CorruptSecretsFile(self.path, "its key-derivation settings are out of range")
        at += 3
        salt, check = body[at : at + _SALT], body[at + _SALT : at + _SALT + _CHECK]
        nonce = body[at + _SALT + _CHECK : _HEADER]
        derived = self._key_for(salt, (log2_n, r, p))
        if not hmac.compare_digest(derived.check, check):
            self._passphrase = None
            raise WrongPassphrase(self.path)
        try:
            plaintext = AESGCM(derived.key).decrypt(nonce, body[_HEADER:], body[:_HEADER])
        except InvalidTag:
            raise CorruptSecretsFile(self.path, "its contents fail the authentication check") from None
        self._derived = derived
        try:
            secrets = json.loads(plaintext.decode("utf-8"))["secrets"]
        except (ValueError, KeyError, TypeError):
            raise CorruptSecretsFile(self.path, "its contents cannot be read") from None
        if not isinstance(secrets, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in secrets.items()
        ):
            raise CorruptSecretsFile(self.path, "its contents cannot be read")
        return secrets

    def _save(self, secrets: dict[str, str]) -> None:
        derived = self._derived
        if derived is None:  # _load or _new_key always sets it first
            raise SecretsError(f"The secrets file {self.path} is not open; nothing was written.")
        plaintext = json.dumps({"secrets": secrets}, ensure_ascii=False, sort_keys=True).encode("utf-8")
        nonce = os.urandom(_NONCE)
        header = MAGIC + bytes([VERSION, *derived.params]) + derived.salt + derived.check + nonce
        body = header + AESGCM(derived.key).encrypt(nonce, plaintext, header)
        try:
            write_atomically(self.path, body + hashlib.sha256(body).digest())
        except OSError as exc:
            raise SecretsError(
                f"Cannot write the secrets file {self.path}: {exc.strerror or exc}; the previous file is unchanged."
            ) from None
