"""Read one pack file as plain data while remembering the line of every key.

PyYAML builds Python objects but forgets where they came from, and silently keeps the last of two
equal keys in a mapping. Here the file is composed into YAML nodes first; the nodes are walked to
build the data, record the line of every key and list item, and report duplicate keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from supervisor_app.pack.problems import PackProblem

PathKey = tuple[str | int, ...]

MERGE_TAG = "tag:yaml.org,2002:merge"

_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def format_key_path(path: Sequence[str | int]) -> str:
    """``("stations", 2, "resources", 0, "type")`` -> ``"stations[2].resources[0].type"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class YamlDocument:
    """The data of one file and the 1-based line of each key path in it."""

    file: str
    data: object
    lines: Mapping[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of ``path``, or of the nearest enclosing key when ``path`` itself is absent."""
        parts = tuple(path)
        for length in range(len(parts), -1, -1):
            line = self.lines.get(parts[:length])
            if line is not None:
                return line
        return None

    def has_path(self, path: Sequence[str | int]) -> bool:
        return tuple(path) in self.lines

    def problem(self, path: Sequence[str | int], message: str) -> PackProblem:
        return PackProblem(self.file, self.line_of(path), format_key_path(path), message)


@dataclass(frozen=True)
class YamlReadResult:
    document: YamlDocument | None
    problems: list[PackProblem]


def _mark_line(mark: yaml.Mark | None) -> int | None:
    return None if mark is None else mark.line + 1


class _NodeWalker:
    """Turns a composed node tree into dicts, lists and scalars, recording lines on the way."""

    def __init__(self, loader: yaml.SafeLoader, file_name: str) -> None:
        self._loader = loader
        self._file = file_name
        self.lines: dict[PathKey, int] = {}
        self.problems: list[PackProblem] = []
        self._open_nodes: set[int] = set()

    def _report(self, line: int | None, path: PathKey, message: str) -> None:
        self.problems.append(PackProblem(self._file, line, format_key_path(path), message))

    def read(self, node: yaml.Node, path: PathKey) -> object:
        if id(node) in self._open_nodes:
            self._report(_mark_line(node.start_mark), path,
                         "an alias refers to the node that contains it; write the value out")
            return None
        self._open_nodes.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._read_mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return self._read_sequence(node, path)
            return self._read_scalar(node, path)
        finally:
            self._open_nodes.discard(id(node))

    def _read_scalar(self, node: yaml.Node, path: PathKey) -> object:
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            reason = error.problem if isinstance(error, yaml.MarkedYAMLError) and error.problem else str(error)
            self._report(_mark_line(node.start_mark), path,
                         f"this value cannot be read ({reason}); write plain text or a number")
            return None

    def _read_sequence(self, node: yaml.SequenceNode, path: PathKey) -> list[object]:
        items: list[object] = []
        for index, item_node in enumerate(node.value):
            item_path = (*path, index)
            self.lines[item_path] = item_node.start_mark.line + 1
            items.append(self.read(item_node, item_path))
        return items

    def _read_mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, object]:
        result: dict[str, object] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == MERGE_TAG:
                self._report(line, path, "merge keys (<<) are not supported in pack files; "
                             "write the keys out in full")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._report(line, path, "a key must be a plain word, not a list or mapping")
                continue
            key = self._read_scalar(key_node, path)
            if not isinstance(key, str):
                key = str(key_node.value)  # keys such as 1 or yes are kept as written
            key_path = (*path, key)
            if key in result:
                self._report(line, key_path,
                             f"the key {key!r} appears more than once in this mapping "
                             f"(first on line {first_lines[key]}); keep only one of them")
                continue
            first_lines[key] = line
            self.lines[key_path] = line
            result[key] = self.read(value_node, key_path)
        return result


def read_yaml_file(path: Path, file_name: str) -> YamlReadResult:
    """Read ``path``; every problem found is returned rather than raised."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return YamlReadResult(None, [PackProblem(
            file_name, None, "",
            f"the file is missing; expected {path}. Copy it from the demo pack and adapt it")])
    except UnicodeDecodeError as error:
        return YamlReadResult(None, [PackProblem(
            file_name, None, "", f"the file is not UTF-8 text ({error.reason}); save it as UTF-8")])
    except OSError as error:
        return YamlReadResult(None, [PackProblem(
            file_name, None, "", f"the file cannot be read ({error.strerror}); check its permissions")])
    return read_yaml_text(text, file_name)


def read_yaml_text(text: str, file_name: str) -> YamlReadResult:
    """Read one file's text; every problem found is returned rather than raised.

    libyaml's parser (when PyYAML was built with it) composes the nodes about ten times faster
    than the pure-Python one, which keeps loading a pack with many procedure files quick. Text
    it cannot parse is read again by the pure-Python parser, whose messages the problems quote.
    """
    if _FAST_LOADER is not None:
        try:
            return _read_nodes(_FAST_LOADER(text), file_name)
        except yaml.YAMLError:
            pass
    try:
        return _read_nodes(yaml.SafeLoader(text), file_name)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = error.problem or "unreadable text"
        if error.context:
            detail = f"{error.context}, {detail}"
            started = _mark_line(error.context_mark)
            if started is not None and started != _mark_line(mark):
                detail = f"{detail} (what it was reading began on line {started})"
        return YamlReadResult(None, [PackProblem(
            file_name, _mark_line(mark), "",
            f"the file is not valid YAML: {detail}; check the indentation, colons and quotes "
            "on this line and the one before it")])
    except yaml.YAMLError as error:
        return YamlReadResult(None, [PackProblem(
            file_name, None, "", f"the file is not valid YAML: {error}")])


def _read_nodes(loader: yaml.SafeLoader, file_name: str) -> YamlReadResult:
    """Compose the text into nodes and walk them; a syntax error is raised as ``yaml.YAMLError``."""
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlReadResult(None, [PackProblem(
                file_name, None, "",
                "the file is empty; expected the keys described in docs/ORGANISATION_PACK.md")])
        walker = _NodeWalker(loader, file_name)
        walker.lines[()] = root.start_mark.line + 1
        data = walker.read(root, ())
    finally:
        loader.dispose()
    return YamlReadResult(YamlDocument(file_name, data, walker.lines), walker.problems)
