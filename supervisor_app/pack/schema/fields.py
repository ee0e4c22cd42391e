"""Field types shared by the pack models, each refusing bad values with a message that says why."""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.pack.schema.templates import check_log_template, check_message_template

CODE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
CALL_SIGN_PATTERN = re.compile(r"[A-Z][A-Z0-9]{1,7}")
LOG_CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]{1,15}")
COLOUR_PATTERN = re.compile(r"#[0-9A-Fa-f]{6}")


def _check_code(value: str) -> str:
    if not CODE_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid code; expected a letter followed by letters, digits or "
            "underscores (at most 40), such as GAS_ENG or voice_radio"
        )
    return value


def _check_call_sign(value: str) -> str:
    if not CALL_SIGN_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid call sign; expected 2 to 8 capital letters or digits "
            "starting with a letter, such as G11"
        )
    return value


def _check_log_code(value: str) -> str:
    if not LOG_CODE_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid log code; expected 2 to 16 capital letters, digits or "
            "underscores starting with a letter, such as ONSC"
        )
    return value


def _check_colour(value: str) -> str:
    if not COLOUR_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not a colour; expected #RRGGBB in hexadecimal, such as #D32F2F")
    return value.upper()


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("the text is empty; expected some words")
    return value.strip()


def _check_timezone(value: str) -> str:
    known = zoneinfo.available_timezones()
    if known and value not in known:
        raise ValueError(
            f"{value!r} is not a known time zone; expected an IANA name such as Europe/Helsinki"
        )
    return value


def _degrees_error(error: InvalidValue) -> ValueError:
    return ValueError(f"{error.value!r} is not a valid {error.field}; expected {error.expected}")


def _as_latitude(value: object) -> object:
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return Coordinate(value, 0.0).lat  # type: ignore[arg-type]
        except InvalidValue as error:
            raise _degrees_error(error) from None
    raise ValueError(f"{value!r} is not a valid latitude; expected a number of degrees between -90 and 90")


def _as_longitude(value: object) -> object:
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return Coordinate(0.0, value).lon  # type: ignore[arg-type]
        except InvalidValue as error:
            raise _degrees_error(error) from None
    raise ValueError(
        f"{value!r} is not a valid longitude; expected a number of degrees between -180 and 180"
    )


def _as_polygon_point(value: object) -> object:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(
            f"{value!r} is not a point; expected [latitude, longitude] in decimal degrees, "
            "such as [60.1699, 24.9384]"
        )
    latitude = _as_latitude(value[0])
    longitude = _as_longitude(value[1])
    return (latitude, longitude)


_PHONE = re.compile(r"^\+[1-9][0-9 ]{6,18}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_phone(value: str) -> str:
    if not _PHONE.match(value) or len(value.replace(" ", "")) > 16:
        raise ValueError("expected an international phone number such as '+358 50 555 0123'")
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.match(value) or len(value) > 120:
        raise ValueError("expected an e-mail address such as 'g11@units.example.fi'")
    return value


Code = Annotated[str, AfterValidator(_check_code)]
Phone = Annotated[str, AfterValidator(_check_phone)]
Email = Annotated[str, AfterValidator(_check_email)]
"""A short identifier used to refer from one part of the pack to another."""

CallSign = Annotated[str, AfterValidator(_check_call_sign)]
LogCodeName = Annotated[str, AfterValidator(_check_log_code)]
Colour = Annotated[str, AfterValidator(_check_colour)]
Text = Annotated[str, AfterValidator(_check_text)]
TimezoneName = Annotated[str, AfterValidator(_check_timezone)]
Latitude = Annotated[float, BeforeValidator(_as_latitude)]
Longitude = Annotated[float, BeforeValidator(_as_longitude)]
PolygonPoint = Annotated[tuple[float, float], BeforeValidator(_as_polygon_point)]
Seconds = Annotated[int, Field(gt=0)]
"""A duration in whole seconds, greater than zero."""
Days = Annotated[int, Field(gt=0)]
Minutes = Annotated[int, Field(gt=0)]
LogTemplate = Annotated[str, AfterValidator(_check_text), AfterValidator(check_log_template)]
MessageTemplate = Annotated[str, AfterValidator(_check_text), AfterValidator(check_message_template)]
