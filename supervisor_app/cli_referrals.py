"""``supervisor-app referrals import INBOX``: take partner referral files into the assessment queue.

Takes the complete ``*.jsonl`` files in INBOX once (or, with ``--watch``, keeps polling it until
Ctrl+C or SIGTERM), as described in ``supervisor_app.comms.referral_inbox``. It acts as ``--user``
without a password, like the headless desk: run it under a service account on a trusted machine.
That user needs the permission ``referral.receive`` (the roles operator and supervisor hold it).

Each pass that found something prints one line on standard output; problems (a database that
could not be reached, a file that could not be moved) go to standard error, and the files they
concern stay in the inbox for the next pass. Exit status: 0 when everything was taken in, 1 when
something must be retried or the database or account cannot be used, 2 for bad arguments
(including an inbox folder that cannot be used).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from supervisor_app.cli_secrets import open_command_engine
from supervisor_app.comms.referral_inbox import (
    DEFAULT_INTERVAL,
    InboxError,
    InboxReport,
    InboxWatcher,
    prepare_inbox,
    process_inbox,
)
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.settings import Settings
from supervisor_app.store.errors import StoreError

EXIT_FAILED = 1
EXIT_USAGE = 2



def service_actor(engine: Engine, username: str, desk: str) -> Actor:
    """The account a service command (an importer, the simulator) acts as, on a database whose
    schema is current; a schema behind is refused with what to run, rather than failing later on a
    missing table."""
    from supervisor_app.services.accounts import actor_for
    from supervisor_app.store import migrate
    from supervisor_app.store.engine import describe

    if not migrate.is_current(engine):
        raise StoreError(
            f"The database {describe(engine)} is not at the current schema revision; bring it up to date "
            "with `supervisor-app migrate` first."
        )
    with Session(engine) as session:
        return actor_for(session, username, desk)

def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, such as 2 or 0.5; got {text!r}")
    return value


def _show(report: InboxReport) -> None:
    print(report.summary(), flush=True)
    for failure in report.failures:
        _say(f"supervisor-app: {failure}")


def add_referrals_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = commands.add_parser("referrals", help="referrals from partner systems")
    actions = parser.add_subparsers(dest="referrals_command", required=True, metavar="ACTION")
    take = actions.add_parser(
        "import",
        help="take the JSON Lines files in a folder into the assessment queue",
        description="Take each complete *.jsonl file in INBOX into the assessment queue: good lines are "
        "received once, refused lines go to INBOX/quarantine/ with the reason, and the file moves to "
        "INBOX/processed/. Partners write under another name (.part, .tmp) and rename when complete.",
    )
    take.add_argument("inbox", metavar="INBOX", type=Path, help="the folder partners deliver to (created if missing)")
    take.add_argument("--watch", action="store_true", help="keep watching the folder until Ctrl+C or SIGTERM")
    take.add_argument(
        "--interval",
        type=_seconds,
        metavar="SECONDS",
        help=f"with --watch, how often to look in the folder (default {DEFAULT_INTERVAL:g})",
    )
    # The main options may also follow the command; given here, they win.
    take.add_argument("--user", default=argparse.SUPPRESS, metavar="USERNAME", help="the user the import acts as")
    take.add_argument("--db", default=argparse.SUPPRESS, metavar="URL", help="database URL")
    take.add_argument("--pack", default=argparse.SUPPRESS, metavar="DIR", help="organisation pack folder")
    return parser


def run_referrals_command(settings: Settings, args: argparse.Namespace) -> int:
    from supervisor_app.bootstrap import load_organisation

    if args.interval is not None and not args.watch:
        _say("supervisor-app: --interval applies only with --watch; add --watch or leave --interval out.")
        return EXIT_USAGE
    inbox: Path = args.inbox
    try:
        prepare_inbox(inbox)
    except InboxError as exc:
        _say(f"supervisor-app: {exc}")
        return EXIT_USAGE
    pack = load_organisation(settings)
    engine = open_command_engine(settings)
    try:
        actor = service_actor(engine, settings.user, settings.desk_name)
        if not args.watch:
            report = process_inbox(inbox, engine, actor, pack)
            _show(report)
            return EXIT_FAILED if report.failures else 0
        return _watch(inbox, engine, actor, pack, args.interval or DEFAULT_INTERVAL)
    finally:
        engine.dispose()


def _watch(inbox: Path, engine: Engine, actor: Actor, pack: OrganisationPack, interval: float) -> int:
    stopping = threading.Event()
    watcher = InboxWatcher(
        inbox, engine, actor, pack, interval=interval, on_report=lambda report: None if report.idle else _show(report)
    )
    previous = signal.signal(signal.SIGTERM, lambda _signal, _frame: stopping.set())
    watcher.start()
    _say(f"Watching {watcher.inbox} every {watcher.interval:g} s; stop with Ctrl+C.")
    try:
        while not stopping.wait(0.5):  # short waits, so Ctrl+C is seen on Windows too
            pass
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        signal.signal(signal.SIGTERM, previous)
    _say(f"Stopped watching {watcher.inbox}.")
    return 0
