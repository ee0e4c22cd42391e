from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from tests.support.keyrings import UseKeyring


@pytest.fixture(autouse=True)
def use_keyring() -> Iterator[UseKeyring]:
    """Every test here starts with no keyring (keyring's fail backend) and may choose another;
    the machine's own keyring is never used. The previous backend is put back afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)
