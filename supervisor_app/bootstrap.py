"""Open a desk: settings, organisation pack, database (migrated, seeded on first run), then who acts."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from supervisor_app.demo.finnish_names import DEMO_ACCOUNTS
from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.demo.seed import DEFAULT_DAYS, DEFAULT_SEED, SeedRefused, has_organisation, seed_demo
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack
from supervisor_app.secrets import (
    AskPassphrase,
    OpenedSecrets,
    database_url_with_password,
    open_secret_store,
    refuse_inline_password,
)
from supervisor_app.services.accounts import actor_for
from supervisor_app.services.context import DeskContext, OpenedDatabase
from supervisor_app.settings import Settings
from supervisor_app.store import migrate
from supervisor_app.store.engine import describe, make_engine, parse_database_url
from supervisor_app.store.errors import unreachable

log = logging.getLogger(__name__)


def load_organisation(settings: Settings) -> OrganisationPack:
    return load_pack(settings.pack_dir or default_pack_dir())


def database_url(settings: Settings, *, passphrase: AskPassphrase | None = None) -> tuple[URL, OpenedSecrets | None]:
    """The database address with its password from the secret store, as a URL object (whose text
    never shows the password), and the store if one had to be opened.

    An address with a password written into it is refused, wherever it came from: the password
    belongs in the keyring (``supervisor-app secrets set-db-password``). The store is opened only
    for a PostgreSQL account without a password in the address; ``passphrase`` is asked only if
    the secrets live in the encrypted file.
    """
    refuse_inline_password(settings.db_url, settings.db_url_source)
    url = parse_database_url(settings.db_url)
    if url.get_backend_name() == "sqlite" or not url.username:
        return url, None
    secrets = open_secret_store(settings.config_dir, passphrase=passphrase)
    return parse_database_url(database_url_with_password(url, secrets.store)), secrets


def prepare_desk(
    settings: Settings,
    *,
    seed_if_empty: bool = True,
    progress: Callable[[str], None] = lambda _message: None,
    passphrase: AskPassphrase | None = None,
) -> OpenedDatabase:
    """The database (migrated, seeded on a first run) and organisation, before anyone signs in;
    raises errors whose text a person can act on."""
    pack = load_organisation(settings)
    url, secrets = database_url(settings, passphrase=passphrase)
    secrets_note = secrets.summary() if secrets is not None and secrets.keyring_problem is not None else ""
    engine = make_engine(url, application_name=f"incident-supervisor {settings.desk_name}")
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
    except OperationalError as exc:
        engine.dispose()
        raise unreachable(describe(engine), exc) from None
    except Exception:
        engine.dispose()
        raise
    hint = ""
    if settings.pack_dir is None:  # the bundled demo organisation, whose accounts README publishes
        accounts = ", ".join(account.username for account in DEMO_ACCOUNTS)
        hint = f"Demo organisation: the accounts {accounts} use the password \u201c{DEMO_PASSWORD}\u201d."
    return OpenedDatabase(settings, engine, pack, sign_in_hint=hint, secrets_note=secrets_note)


def open_desk(
    settings: Settings,
    *,
    seed_if_empty: bool = True,
    progress: Callable[[str], None] = lambda _message: None,
    passphrase: AskPassphrase | None = None,
) -> DeskContext:
    """A desk acting as ``settings.user`` without a password: for the headless desk, which runs
    as a service account on a trusted machine. People sign in at the desk window instead."""
    database = prepare_desk(settings, seed_if_empty=seed_if_empty, progress=progress, passphrase=passphrase)
    try:
        with Session(database.engine) as session:
            actor = actor_for(session, settings.user, settings.desk_name)
    except OperationalError as exc:
        database.engine.dispose()
        raise unreachable(describe(database.engine), exc) from None
    except Exception:
        database.engine.dispose()
        raise
    return database.signed_in(actor)
