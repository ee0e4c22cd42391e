"""Look for secrets where they must never be: every file under the desk's data and settings
folders (the SQLite database and its -wal/-shm, logs, settings), file names included, and any
text a test collected (a command's output).

Each secret is looked for as UTF-8, UTF-16-LE, percent-encoded (as in a database URL), and
base64 (standard or URL-safe alphabet) at each of the three byte alignments it can have inside a
longer encoded blob. A finding names the file, the kind of secret and the encoding, never the secret.

A full-run test registers its secrets and folders once (``SecretScan.add``) and calls
``assert_clean`` at the end; a GUI full run can do the same.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

MINIMUM_SECRET_LENGTH = 8  # shorter values would match by chance


@dataclass(frozen=True)
class Finding:
    where: str
    kind: str
    encoding: str

    def __str__(self) -> str:
        return f"{self.where}: the {self.kind} ({self.encoding})"


def _base64_fragments(data: bytes, encode: Callable[[bytes], bytes]) -> list[bytes]:
    """What the base64 of ``data`` always contains, wherever ``data`` sits in a longer input:
    for each alignment, the encoding without the groups it shares with neighbouring bytes."""
    fragments = []
    for shift in range(3):
        encoded = encode(b"\0" * shift + data)
        start = 4 if shift else 0
        end = len(encoded) - (4 if (shift + len(data)) % 3 else 0)
        fragments.append(encoded[start:end])
    return fragments


def encodings(value: str) -> dict[str, list[bytes]]:
    utf8 = value.encode("utf-8")
    forms = {
        "UTF-8": [utf8],
        "UTF-16-LE": [value.encode("utf-16-le")],
        "base64": sorted(
            set(_base64_fragments(utf8, base64.b64encode)) | set(_base64_fragments(utf8, base64.urlsafe_b64encode))
        ),
    }
    quoted = quote(value, safe="").encode("ascii")
    if quoted != utf8:
        forms["percent-encoded"] = [quoted]
    return forms


@dataclass
class SecretScan:
    """The secrets of one run and the folders they must not appear in."""

    folders: list[Path]
    secrets: dict[str, str] = field(default_factory=dict)  # kind -> value
    texts: dict[str, str] = field(default_factory=dict)  # label -> collected text

    def add(self, kind: str, value: str) -> str:
        if len(value.encode("utf-8")) < MINIMUM_SECRET_LENGTH:
            raise ValueError(f"the {kind} is too short to look for reliably")
        self.secrets[kind] = value
        return value

    def collect(self, label: str, text: str) -> None:
        """Text a test saw (a command's output) that must not show a secret either."""
        self.texts[label] = self.texts.get(label, "") + text

    def files(self) -> Iterator[Path]:
        for folder in self.folders:
            for directory, _subdirectories, names in os.walk(folder):
                for name in names:
                    path = Path(directory) / name
                    if path.is_file() and not path.is_symlink():
                        yield path

    def _search(self, where: str, data: bytes) -> list[Finding]:
        found = []
        for kind, value in self.secrets.items():
            for encoding, patterns in encodings(value).items():
                if any(pattern in data for pattern in patterns):
                    found.append(Finding(where, kind, encoding))
        return found

    def findings(self) -> list[Finding]:
        found = []
        for path in self.files():
            found += self._search(f"{path} (its name)", str(path).encode("utf-8"))
            found += self._search(str(path), path.read_bytes())
        for label, text in self.texts.items():
            found += self._search(label, text.encode("utf-8"))
        return found

    def assert_clean(self, *, expect_files: tuple[str, ...] = ()) -> list[Path]:
        """Fail naming every file and kind of secret found; also fail if a file the run should
        have made is missing (a scan of nothing proves nothing). Returns the files scanned."""
        scanned = list(self.files())
        names = {path.name for path in scanned}
        missing = [name for name in expect_files if name not in names]
        assert not missing, f"the run did not make {missing}; scanned {sorted(map(str, scanned))}"
        found = self.findings()
        assert not found, "secrets in plain sight:\n" + "\n".join(f"  {finding}" for finding in found)
        return scanned
