"""What is wrong with an organisation pack, said so that a person can fix it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PackProblem:
    """One thing wrong in one file of a pack.

    ``line`` is 1-based and ``None`` when the problem concerns the file as a whole (for example a
    missing file). ``key`` is the dotted path of the faulty key, such as
    ``stations[2].resources[0].type``; it is empty when the problem concerns the whole file.
    """

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.key:
            return f"{where}: {self.key}: {self.message}"
        return f"{where}: {self.message}"


def _sort_key(problem: PackProblem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.key, problem.message)


class PackError(Exception):
    """The pack cannot be used; ``problems`` lists everything found wrong with it, in file order."""

    def __init__(self, directory: str | os.PathLike[str], problems: Iterable[PackProblem]) -> None:
        self.directory = os.fspath(directory)
        self.problems: list[PackProblem] = sorted(set(problems), key=_sort_key)
        super().__init__(self._describe())

    def _describe(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        heading = (
            f"The organisation pack at {self.directory} cannot be used: {count} {noun} found. "
            "Fix the files as described below and restart the application."
        )
        return "\n".join([heading, *(str(problem) for problem in self.problems)])

    def __str__(self) -> str:
        return self._describe()
