"""The organisation's wording filled in with an incident's fields.

Templates come from the pack (``codes.yaml`` for log lines, ``wording.yaml`` for messages) and use
``{placeholders}`` checked when the pack loads. A field not given reads as empty; each kind of text
tidies what an empty field leaves behind in its own way.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE_MARK = re.compile(r"[ \t]+([.,:;])")
_REPEATED_MARKS = re.compile(r"([.:])(?:[ \t]*[.:])+")


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def substitute(template: str, fields: Mapping[str, object]) -> str:
    """``template`` with ``fields`` put in; a placeholder without a field (or with None) reads as ""."""
    values = _Blank({key: "" if value is None else str(value) for key, value in fields.items()})
    return string.Formatter().vformat(template, (), values)


def render_wording(template: str, fields: Mapping[str, object]) -> str:
    """A log code's wording with the incident's fields filled in; a field not given reads as empty.

    ``"Hazard reported at {address}: {text}"`` with address and text gives the full sentence. What
    an empty field leaves behind is tidied: ``"Escalated: {reason}"`` with no reason reads
    ``"Escalated"``, and ``"... at {address}. {text}"`` with no text ends at the full stop.
    Line breaks in the fields (a caller's words) are kept.
    """
    text = _SPACES.sub(" ", substitute(template, fields))
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    text = _REPEATED_MARKS.sub(r"\1", text)
    return text.strip().rstrip(":").rstrip()


def fill(template: str, fields: Mapping[str, object]) -> str:
    """A message template with the fields filled in, spaces tidied on each line, line breaks kept."""
    text = substitute(template, fields)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.strip().splitlines())
