"""Managing accounts (administrators): add, set a password, disable or enable, unlock, list."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes
from supervisor_app.domain.credentials import check_password_policy
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.people import Action, Actor, Role, require
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.passwords import hash_password
from supervisor_app.services.unit_of_work import announce, audit, database_now, transaction
from supervisor_app.store.models import User, UserRole

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class UserSummary:
    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool
    has_password: bool
    locked_until: datetime | None
    locked: bool = False  # the lock is still in force (by the database clock when listed)


def _roles(roles: Iterable[Role | str]) -> list[Role]:
    chosen: list[Role] = []
    for role in roles:
        try:
            chosen.append(Role(role))
        except ValueError:
            raise InvalidValue("role", role, "one of " + ", ".join(r.value for r in Role)) from None
    if not chosen:
        raise InvalidValue("roles", "none", "at least one role")
    return sorted(set(chosen))


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username).with_for_update()).one_or_none()
    if user is None:
        raise NotFound("User", username)
    return user


def add_user(
    session: Session, actor: Actor, username: str, display_name: str, roles: Iterable[Role | str], password: str
) -> None:
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise InvalidValue("username", username, "2 to 64 lower-case letters, digits, dots, dashes or underscores")
    require(actor, Action.MANAGE_USERS)  # before the slow hashing below
    chosen = _roles(roles)
    check_password_policy(password, username)
    digest = hash_password(password)  # slow on purpose: done before the transaction opens
    with transaction(session, actor, Action.MANAGE_USERS):
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"There is already a user {username!r}. Choose another username.")
        user = User(
            username=username,
            display_name=display_name.strip() or username,
            password_hash=digest,
            password_changed_at=database_now(session),
        )
        user.roles = [UserRole(role=role.value) for role in chosen]
        session.add(user)
        session.flush()
        audit(
            session,
            actor,
            Action.MANAGE_USERS,
            "user",
            user.id,
            event="added",
            username=username,
            roles=[r.value for r in chosen],
        )
        announce(session, actor, Changes.of(user=user.id))


def set_password(session: Session, actor: Actor, username: str, password: str) -> None:
    require(actor, Action.MANAGE_USERS)
    check_password_policy(password, username)
    digest = hash_password(password)
    with transaction(session, actor, Action.MANAGE_USERS):
        user = _user(session, username)
        user.password_hash, user.password_changed_at = digest, database_now(session)
        user.failed_sign_ins, user.locked_until = 0, None
        audit(session, actor, Action.MANAGE_USERS, "user", user.id, event="password set", username=username)
        announce(session, actor, Changes.of(user=user.id))


def set_active(session: Session, actor: Actor, username: str, active: bool) -> None:
    with transaction(session, actor, Action.MANAGE_USERS):
        user = _user(session, username)
        if username == actor.username and not active:
            raise Conflict("You cannot disable your own account; ask another administrator.")
        user.active = active
        audit(
            session,
            actor,
            Action.MANAGE_USERS,
            "user",
            user.id,
            event="enabled" if active else "disabled",
            username=username,
        )
        announce(session, actor, Changes.of(user=user.id))


def unlock(session: Session, actor: Actor, username: str) -> None:
    with transaction(session, actor, Action.MANAGE_USERS):
        user = _user(session, username)
        user.failed_sign_ins, user.locked_until = 0, None
        audit(session, actor, Action.MANAGE_USERS, "user", user.id, event="unlocked", username=username)
        announce(session, actor, Changes.of(user=user.id))


def list_users(session: Session, actor: Actor) -> list[UserSummary]:
    with transaction(session, actor, Action.MANAGE_USERS):
        now = database_now(session)
        users = session.scalars(select(User).order_by(User.username)).all()
        return [
            UserSummary(
                u.username,
                u.display_name,
                tuple(sorted(r.value for r in u.role_set)),
                u.active,
                bool(u.password_hash),
                u.locked_until,
                locked=u.locked_until is not None and u.locked_until > now,
            )
            for u in users
        ]
