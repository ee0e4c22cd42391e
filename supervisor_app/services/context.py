"""Everything a desk needs to call services: where the data is, the organisation, who is acting."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.settings import Settings
from supervisor_app.store.engine import describe, writer


class _DatabaseAccess:
    engine: Engine

    def read_session(self) -> Session:
        """A session for reading (one per operation and thread; close it when done)."""
        return Session(self.engine, expire_on_commit=False)

    def write_session(self) -> Session:
        """A session for a use case (takes the write lock up front on SQLite)."""
        return Session(writer(self.engine), expire_on_commit=False)

    @property
    def database_label(self) -> str:
        return describe(self.engine)


@dataclass(frozen=True)
class OpenedDatabase(_DatabaseAccess):
    """A desk's database and organisation, ready, before anyone has signed in."""

    settings: Settings
    engine: Engine
    pack: OrganisationPack
    sign_in_hint: str = ""  # shown under the sign-in form (the demo says its accounts' password)
    secrets_note: str = ""  # where secrets are kept, when the keyring could not be used (the desk says so)

    def signed_in(self, actor: Actor) -> DeskContext:
        return DeskContext(settings=self.settings, engine=self.engine, pack=self.pack, actor=actor)


class DeskContext(_DatabaseAccess):
    """An opened database and the person signed in at this desk.

    The person changes only through :meth:`hand_over` (a shift hand-over at a desk that stays
    open); nothing else changes. Background work reads :attr:`actor` when it runs.
    """

    def __init__(self, *, settings: Settings, engine: Engine, pack: OrganisationPack, actor: Actor) -> None:
        self.settings = settings
        self.engine = engine
        self.pack = pack
        self._actor = actor
        self._lock = threading.Lock()

    @property
    def actor(self) -> Actor:
        return self._actor

    @property
    def database(self) -> OpenedDatabase:
        return OpenedDatabase(self.settings, self.engine, self.pack)

    def hand_over(self, incoming: Actor) -> None:
        """``incoming`` acts at this desk from now on (after signing in and the hand-over service)."""
        with self._lock:
            if incoming.desk != self._actor.desk:
                raise ValueError(f"{incoming.username} signed in at desk {incoming.desk}, not {self._actor.desk}")
            self._actor = incoming
