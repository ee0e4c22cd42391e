"""Signing in: a password checked against its argon2id hash, with lockout every desk honours.

Five failed attempts in a row lock the account for ten minutes; the count and the lock live in
the database, so trying again at another desk does not help. Every sign-in, failure and lockout
is audited. An unknown username and a wrong password get the same answer, so nobody can find out
which accounts exist by trying.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes
from supervisor_app.domain.credentials import FAILURES_BEFORE_LOCKOUT, LOCKOUT_PERIOD, locked_until_after
from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.people import Actor
from supervisor_app.services.passwords import hash_password, needs_rehash, password_matches
from supervisor_app.services.unit_of_work import announce, database_now, record_event, sign_in_transaction
from supervisor_app.store.models import User

NOT_RECOGNISED = "Username or password not recognised. Check both and try again."


class SignInRefused(DomainError):
    """Sign-in failed; the message says what the person can do about it."""


#: Why a password is being checked, as recorded in the audit event of a success.
SIGNED_IN, UNLOCKED = "auth.signed_in", "auth.unlocked"
#: Session events: the screen locked (idle, or by hand), and a person's session ended.
SESSION_LOCKED, SIGNED_OUT = "auth.session_locked", "auth.signed_out"


def sign_in(
    session: Session,
    username: str,
    password: str,
    desk: str,
    *,
    timezone: str,
    lockout_period: timedelta = LOCKOUT_PERIOD,
    success_event: str = SIGNED_IN,
) -> Actor:
    """The signed-in actor, or :class:`SignInRefused` (the failure itself is recorded first).

    ``success_event`` is :data:`UNLOCKED` when the person at a locked desk proves it is still them;
    failures count towards the lockout all the same.
    """
    if success_event not in (SIGNED_IN, UNLOCKED):
        raise ValueError(f"unknown sign-in event {success_event!r}")
    refusal: str | None = None
    actor: Actor | None = None
    with sign_in_transaction(session):
        now = database_now(session)
        user = session.scalars(select(User).where(User.username == username).with_for_update()).one_or_none()
        someone = Actor(username or "(blank)", frozenset(), desk)
        if user is None:
            record_event(session, someone, "auth.failed", "user", None, reason="unknown username")
            refusal = NOT_RECOGNISED
        elif user.locked_until is not None and user.locked_until > now:
            until = user.locked_until.astimezone(ZoneInfo(timezone))
            record_event(session, someone, "auth.refused", "user", user.id, reason="locked")
            refusal = (
                f"This account is locked until {until:%H:%M} after {FAILURES_BEFORE_LOCKOUT} failed "
                "sign-ins. Wait, or ask an administrator to unlock it."
            )
        elif not user.active:
            record_event(session, someone, "auth.refused", "user", user.id, reason="disabled")
            refusal = "This account is disabled. Ask an administrator."
        elif not password_matches(user.password_hash, password):
            user.failed_sign_ins += 1
            user.locked_until = locked_until_after(user.failed_sign_ins, now, lockout_period)
            record_event(
                session, someone, "auth.failed", "user", user.id, reason="wrong password", failures=user.failed_sign_ins
            )
            refusal = NOT_RECOGNISED
            if user.locked_until is not None:
                record_event(session, someone, "auth.locked", "user", user.id, until=user.locked_until.isoformat())
                until = user.locked_until.astimezone(ZoneInfo(timezone))
                refusal = (
                    f"Too many failed sign-ins: this account is locked until {until:%H:%M}. "
                    "Wait, or ask an administrator to unlock it."
                )
            announce(session, someone, Changes.of(user=user.id))
        else:
            user.failed_sign_ins, user.locked_until = 0, None
            if user.password_hash and needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            actor = Actor(user.username, user.role_set, desk, user_id=user.id, display_name=user.display_name)
            record_event(session, actor, success_event, "user", user.id)
            announce(session, actor, Changes.of(user=user.id))
    if refusal is not None or actor is None:
        raise SignInRefused(refusal or NOT_RECOGNISED)
    return actor


def record_session_event(session: Session, actor: Actor, event: str, **detail: str) -> None:
    """Audit a signed-in person's session event: the desk locked (and why), or the session ended."""
    if event not in (SESSION_LOCKED, SIGNED_OUT):
        raise ValueError(f"unknown session event {event!r}")
    with sign_in_transaction(session):
        record_event(session, actor, event, "user", actor.user_id, **detail)
