"""Rules for passwords and for locking an account after repeated failed sign-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

from supervisor_app.domain.errors import InvalidValue

MINIMUM_PASSWORD_LENGTH = 12
MAXIMUM_PASSWORD_LENGTH = 256
FAILURES_BEFORE_LOCKOUT = 5
LOCKOUT_PERIOD = timedelta(minutes=10)


def check_password_policy(password: str, username: str) -> None:
    """Refuse a password a person could guess or an attacker could try quickly; say why."""
    if not isinstance(password, str):
        raise InvalidValue("password", "(hidden)", "text")
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        raise InvalidValue("password", "(hidden)", f"at least {MINIMUM_PASSWORD_LENGTH} characters")
    if len(password) > MAXIMUM_PASSWORD_LENGTH:
        raise InvalidValue("password", "(hidden)", f"at most {MAXIMUM_PASSWORD_LENGTH} characters")
    if username and username.lower() in password.lower():
        raise InvalidValue("password", "(hidden)", "a password that does not contain the username")
    if len(set(password)) < 4:
        raise InvalidValue("password", "(hidden)", "a password of more than a few different characters")


def locked_until_after(failures: int, now: datetime, period: timedelta = LOCKOUT_PERIOD) -> datetime | None:
    """When an account with ``failures`` consecutive failed sign-ins may try again (None: not locked)."""
    return now + period if failures >= FAILURES_BEFORE_LOCKOUT else None
