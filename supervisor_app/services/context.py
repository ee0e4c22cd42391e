"""Everything a desk needs to call services: where the data is, the organisation, who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.settings import Settings
from supervisor_app.store.engine import describe, writer


@dataclass(frozen=True)
class DeskContext:
    settings: Settings
    engine: Engine
    pack: OrganisationPack
    actor: Actor

    def read_session(self) -> Session:
        """A session for reading (one per operation and thread; close it when done)."""
        return Session(self.engine, expire_on_commit=False)

    def write_session(self) -> Session:
        """A session for a use case (takes the write lock up front on SQLite)."""
        return Session(writer(self.engine), expire_on_commit=False)

    @property
    def database_label(self) -> str:
        return describe(self.engine)
