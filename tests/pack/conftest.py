"""A writable copy of the demo pack that a test can break in one place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from supervisor_app.pack import PackError, PackProblem, default_pack_dir, load_pack


class PackCopy:
    """The demo pack copied under tmp_path, with edits that report the line they touched."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def text(self, file_name: str) -> str:
        return (self.directory / file_name).read_text(encoding="utf-8")

    def write(self, file_name: str, text: str) -> None:
        (self.directory / file_name).write_text(text, encoding="utf-8")

    def remove(self, file_name: str) -> None:
        (self.directory / file_name).unlink()

    def replace(self, file_name: str, old: str, new: str) -> int:
        """Replace the single occurrence of ``old``; return the 1-based line where ``new`` starts."""
        text = self.text(file_name)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file_name}"
        start = text.index(old)
        self.write(file_name, text.replace(old, new))
        return text.count("\n", 0, start) + 1

    def line_of(self, file_name: str, needle: str) -> int:
        """The 1-based line of the single occurrence of ``needle`` in the file as it is now."""
        text = self.text(file_name)
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times in {file_name}"
        return text.count("\n", 0, text.index(needle)) + 1

    def problems(self) -> list[PackProblem]:
        with pytest.raises(PackError) as caught:
            load_pack(self.directory)
        assert caught.value.problems, "PackError raised without problems"
        return caught.value.problems

    def only_problem(self) -> PackProblem:
        found = self.problems()
        assert len(found) == 1, "expected exactly one problem, got:\n" + "\n".join(map(str, found))
        return found[0]


@pytest.fixture
def pack_copy(tmp_path: Path) -> PackCopy:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target)
    return PackCopy(target)
