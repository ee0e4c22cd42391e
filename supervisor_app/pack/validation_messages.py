"""Turn pydantic's validation errors into messages that say what was expected in the pack file."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence

from pydantic import BaseModel
from pydantic_core import ErrorDetails


def describe_found(value: object) -> str:
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping of keys"
    if isinstance(value, list):
        return "a list"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _unwrap(annotation: object) -> object:
    """Strip Annotated[...] and Optional[...] so the model or list inside can be seen."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _union_member(annotation: object, tag: str) -> type[BaseModel] | None:
    """The member of a discriminated union of models whose literal field takes ``tag``."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    for member in typing.get_args(annotation):
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            continue
        for field in member.model_fields.values():
            if typing.get_origin(field.annotation) is typing.Literal and tag in typing.get_args(field.annotation):
                return member
    return None


def _walk(root: type[BaseModel], path: Sequence[str | int]) -> tuple[object, list[str | int]] | None:
    """The annotation found at ``path`` and the path without the tags of discriminated unions.

    pydantic puts the tag of the union member it chose into an error's location
    (``questions.smell.choice.options``); the file itself has no such key.
    """
    current: object = root
    keys: list[str | int] = []
    for part in path:
        current = _unwrap(current)
        if isinstance(part, int):
            if typing.get_origin(current) is not list:
                return None
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif (member := _union_member(current, part)) is not None:
            current = member
            continue
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
        keys.append(part)
    return current, keys


def model_at(root: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that validates the mapping found at ``path`` under ``root``."""
    found = _walk(root, path)
    if found is None:
        return None
    current = _unwrap(found[0])
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def file_key_path(root: type[BaseModel], location: Sequence[object]) -> list[str | int]:
    """The key path in the file of a pydantic error's location, without the tags of unions.

    An error in a mapping's key itself is located at that key (pydantic adds a ``[key]`` part).
    """
    path = [part for part in location if isinstance(part, (str, int)) and part != "[key]"]
    for length in range(len(path), 0, -1):
        found = _walk(root, path[:length])
        if found is not None:
            return [*found[1], *path[length:]]
    return path


def _unknown_key_message(key: object, allowed: list[str]) -> str:
    message = f"unknown key {key!r}"
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    if allowed:
        message += f"; expected only these keys here: {', '.join(allowed)}"
    return message


def describe_validation_error(error: ErrorDetails, root: type[BaseModel]) -> str:
    """A message for one pydantic error found while validating a file against ``root``."""
    kind = error["type"]
    location = [part for part in error["loc"] if isinstance(part, (str, int))]
    context = error.get("ctx") or {}
    found = describe_found(error.get("input"))
    if kind == "missing":
        return f"the required key {location[-1]!r} is missing; add it" if location else (
            "a required key is missing")
    if kind == "extra_forbidden":
        model = model_at(root, location[:-1])
        allowed = list(model.model_fields) if model is not None else []
        return _unknown_key_message(location[-1] if location else "?", allowed)
    if kind in ("value_error", "assertion_error"):
        cause = context.get("error")
        return str(cause) if cause is not None else error["msg"]
    if kind == "string_type":
        return (f"expected text; found {found}. Put quotes around text that looks like a number, "
                'date or true/false, such as "2025.1"')
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number; found {found}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number; found {found}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false; found {found}"
    if kind == "list_type":
        return f"expected a list (one '- ' item per line, or [a, b]); found {found}"
    if kind == "union_tag_invalid":
        return f"unknown type {context.get('tag')!r}; expected one of {context.get('expected_tags')}"
    if kind == "union_tag_not_found":
        key = str(context.get("discriminator", "type")).strip("'")
        return f"the required key {key!r} is missing; add it"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys (key: value lines); found {found}"
    if kind == "literal_error":
        return f"expected one of {context.get('expected')}; found {found}"
    if kind == "greater_than":
        return f"expected a number greater than {context.get('gt')}; found {found}"
    if kind == "greater_than_equal":
        return f"expected a number of at least {context.get('ge')}; found {found}"
    if kind == "less_than_equal":
        return f"expected a number of at most {context.get('le')}; found {found}"
    if kind == "too_short":
        return (f"expected at least {context.get('min_length')} item(s); "
                f"found {context.get('actual_length')}")
    if kind == "string_too_long":
        return f"expected at most {context.get('max_length')} characters; found {found}"
    return f"{error['msg']}; found {found}"
