"""Who is acting: turn a username into an :class:`Actor` with the roles the database holds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.people import Actor
from supervisor_app.store.models import User


class UnknownUser(DomainError):
    pass


def actor_for(session: Session, username: str, desk: str) -> Actor:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise UnknownUser(f"There is no user {username!r} in this database. Ask an administrator to add you.")
    if not user.active:
        raise UnknownUser(f"The account {username!r} is disabled. Ask an administrator to enable it.")
    return Actor(user.username, user.role_set, desk, user_id=user.id, display_name=user.display_name)
