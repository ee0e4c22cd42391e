"""Password hashing with argon2id (memory-hard): only the hash is ever stored."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes, 4 lanes: about 0.1 s to check on a desk PC


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker settings than today's."""
    return _HASHER.check_needs_rehash(stored_hash)


def hash_with_fixed_salt(password: str, salt: bytes) -> str:
    """A reproducible hash, for the demo organisation's published demo password only."""
    return _HASHER.hash(password, salt=salt)
