"""``supervisor-app``: run the desk, migrate, seed demo data.

Errors end the command with one clear line on stderr and a non-zero exit status; the full trace
goes to the log file only.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy.exc import OperationalError

from supervisor_app import __version__
from supervisor_app.cli_referrals import add_referrals_parser, run_referrals_command
from supervisor_app.cli_secrets import (
    add_secrets_parser,
    open_command_engine,
    run_secrets_command,
    terminal_passphrase,
)
from supervisor_app.cli_simulate import add_simulate_parser, run_simulate_command
from supervisor_app.cli_users import add_users_parser
from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.presence import HEARTBEAT_EVERY, SILENT_AFTER
from supervisor_app.pack import PackError
from supervisor_app.secrets import SecretsError
from supervisor_app.settings import Settings, SettingsError, load_settings
from supervisor_app.store.engine import describe_url
from supervisor_app.store.errors import StoreError, unreachable

log = logging.getLogger("supervisor_app")

EXIT_USAGE = 2
EXIT_FAILED = 1


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _command_run(settings: Settings, args: argparse.Namespace) -> int:
    from supervisor_app.bootstrap import prepare_desk
    from supervisor_app.ui.session.passphrase_dialog import ask_passphrase  # Qt only if it has to ask

    database = prepare_desk(settings, progress=_say, passphrase=ask_passphrase(settings.config_dir))
    from supervisor_app.ui.app import run_desk  # Qt is loaded only when a desk opens

    return run_desk(database, [sys.argv[0]])


def _command_desk(settings: Settings, args: argparse.Namespace) -> int:
    if not args.headless:
        return _command_run(settings, args)
    from supervisor_app.bootstrap import open_desk
    from supervisor_app.sync.headless import run_headless_desk

    context = open_desk(
        settings, seed_if_empty=False, progress=_say, passphrase=terminal_passphrase(settings.config_dir)
    )
    try:
        return run_headless_desk(
            context,
            sys.stdout,
            heartbeat_every=timedelta(seconds=args.heartbeat),
            silent_after=timedelta(seconds=args.silent_after),
        )
    finally:
        context.engine.dispose()


def _command_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from supervisor_app.bootstrap import load_organisation
    from supervisor_app.cli_users import Passwords
    from supervisor_app.services.audit_verification import verify_audit
    from supervisor_app.services.sign_in import sign_in
    from supervisor_app.store.engine import writer

    timezone = load_organisation(settings).timezone
    engine = open_command_engine(settings)
    password = Passwords(args.password_stdin).ask(f"Your password ({settings.user}): ")
    try:
        with Session(writer(engine)) as session:
            actor = sign_in(session, settings.user, password, settings.desk_name, timezone=timezone)
        with Session(engine) as session:
            verification = verify_audit(session, actor)
    finally:
        engine.dispose()
    print(verification.summary())
    return 0 if verification.intact else EXIT_FAILED


def _command_users(settings: Settings, args: argparse.Namespace) -> int:
    from supervisor_app.bootstrap import load_organisation
    from supervisor_app.cli_users import run_users_command

    return run_users_command(settings, args, load_organisation(settings).timezone)


def _command_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from supervisor_app.store import migrate
    from supervisor_app.store.engine import describe

    engine = open_command_engine(settings)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"{describe(engine)} is up to date (revision {after}).")
    else:
        print(f"{describe(engine)} migrated from {before or 'empty'} to {after}.")
    return 0


def _command_seed(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from supervisor_app.bootstrap import load_organisation
    from supervisor_app.demo.seed import has_organisation, seed_demo
    from supervisor_app.store import migrate
    from supervisor_app.store.engine import describe

    pack = load_organisation(settings)
    engine = open_command_engine(settings)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            if has_organisation(session):
                _say(
                    f"{describe(engine)} already holds an organisation; seeding is for a new database. "
                    "Point --db at an empty database."
                )
                return EXIT_FAILED
        report = seed_demo(engine, pack, seed=args.seed, days=args.days, progress=_say)
    finally:
        engine.dispose()
    print(f"Seeded {describe(engine)}: {report.summary()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from supervisor_app.demo.seed import DEFAULT_DAYS, DEFAULT_SEED

    parser = argparse.ArgumentParser(
        prog="supervisor-app",
        description="Incident Supervisor: the control-room desk. With no command, opens the desk.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $SUPERVISOR_DB_URL, else the "
        "embedded SQLite file in the user's data folder); e.g. postgresql://desk@dbhost/supervisor",
    )
    parser.add_argument("--desk", metavar="NAME", help="this desk's name as the room knows it (default: host name)")
    parser.add_argument("--user", metavar="USERNAME", help="the user this desk acts as (default: demo.supervisor)")
    parser.add_argument("--pack", metavar="DIR", help="organisation pack folder (default: the bundled demo)")
    parser.add_argument("--theme", choices=["dark", "high_contrast"], help="colour theme")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="open the desk (the default)").set_defaults(handler=_command_run)
    desk = commands.add_parser("desk", help="open the desk; with --headless, run its live sync without windows")
    desk.add_argument(
        "--headless",
        action="store_true",
        help="no windows: follow the database and print what is applied as JSON lines",
    )
    desk.add_argument(
        "--heartbeat",
        type=float,
        default=HEARTBEAT_EVERY.total_seconds(),
        metavar="SECONDS",
        help="how often the desk says it is alive (default %(default)s)",
    )
    desk.add_argument(
        "--silent-after",
        type=float,
        default=SILENT_AFTER.total_seconds(),
        metavar="SECONDS",
        help="when another desk counts as gone (default %(default)s)",
    )
    desk.set_defaults(handler=_command_desk)
    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(handler=_command_migrate)
    add_users_parser(commands).set_defaults(handler=_command_users)
    add_secrets_parser(commands).set_defaults(handler=run_secrets_command)
    add_referrals_parser(commands).set_defaults(handler=run_referrals_command)
    add_simulate_parser(commands).set_defaults(handler=run_simulate_command)
    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser(
        "verify", help="check the audit trail's hash chain and name the first broken link (administrators)"
    )
    verify.add_argument("--password-stdin", action="store_true", help="read your password from standard input")
    verify.set_defaults(handler=_command_audit_verify)
    seed = commands.add_parser("seed", help="create the demo organisation and a history of past shifts")
    seed.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    seed.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"days of history (default {DEFAULT_DAYS})")
    seed.set_defaults(handler=_command_seed)
    parser.set_defaults(handler=_command_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    handler: Callable[[Settings, argparse.Namespace], int] = args.handler
    if getattr(args, "days", 1) < 1:
        parser.error("--days must be at least 1")
    settings: Settings | None = None
    try:
        settings = load_settings(
            db_url=args.db, desk_name=args.desk, user=args.user, pack_dir=args.pack, theme=args.theme
        )
        return handler(settings, args)
    except (SettingsError, StoreError, PackError, DomainError, SecretsError) as exc:
        _say(f"supervisor-app: {exc}")
        return EXIT_FAILED
    except OperationalError as exc:
        where = describe_url(settings.db_url) if settings else "(not yet chosen)"
        _say(f"supervisor-app: {unreachable(where, exc)}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _say("supervisor-app: interrupted")
        return 130
    except Exception as exc:
        log.error("unexpected failure", exc_info=args.verbose)
        _say(f"supervisor-app: unexpected error: {exc.__class__.__name__}: {exc}. Run with -v for details.")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
