"""Open a desk: settings, organisation pack, database (migrated, seeded on first run), actor."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from supervisor_app.demo.seed import DEFAULT_DAYS, DEFAULT_SEED, SeedRefused, has_organisation, seed_demo
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack
from supervisor_app.services.accounts import actor_for
from supervisor_app.services.context import DeskContext
from supervisor_app.settings import Settings
from supervisor_app.store import migrate
from supervisor_app.store.engine import describe, make_engine
from supervisor_app.store.errors import unreachable

log = logging.getLogger(__name__)


def load_organisation(settings: Settings) -> OrganisationPack:
    return load_pack(settings.pack_dir or default_pack_dir())


def open_desk(
    settings: Settings,
    *,
    seed_if_empty: bool = True,
    progress: Callable[[str], None] = lambda _message: None,
) -> DeskContext:
    """Everything the desk needs, ready to use; raises errors whose text a person can act on."""
    pack = load_organisation(settings)
    engine = make_engine(settings.db_url, application_name=f"incident-supervisor {settings.desk_name}")
    try:
        if not migrate.is_current(engine):
            progress(f"Bringing the database schema up to date ({describe(engine)})...")
            migrate.upgrade(engine)
        with Session(engine) as session:
            empty = not has_organisation(session)
        if empty and seed_if_empty:
            progress(f"First run: creating the demo organisation and {DEFAULT_DAYS} days of history...")
            try:
                report = seed_demo(engine, pack, seed=DEFAULT_SEED, days=DEFAULT_DAYS)
                progress(f"Demo data ready: {report.summary()}")
            except SeedRefused:
                progress("Another desk created the demo organisation first; using it.")
        with Session(engine) as session:
            actor = actor_for(session, settings.user, settings.desk_name)
    except OperationalError as exc:
        engine.dispose()
        raise unreachable(describe(engine), exc) from None
    except Exception:
        engine.dispose()
        raise
    return DeskContext(settings=settings, engine=engine, pack=pack, actor=actor)
