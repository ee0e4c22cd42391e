"""The referral inbox: JSON Lines files from partner systems, taken into the assessment queue.

Partners deliver to one folder, ``INBOX``; the desk keeps two folders inside it::

    INBOX/night-0412.jsonl                        complete: taken in on the next pass
    INBOX/night-0413.jsonl.part                   still being written: left alone
    INBOX/processed/night-0411.jsonl              taken in (night-0411.1.jsonl if that name was taken)
    INBOX/quarantine/night-0411.rejected.jsonl    the lines of night-0411.jsonl that were refused

A partner writes each file under another name (``*.part``, ``*.tmp``, or a name starting with a
dot) and renames it to ``*.jsonl`` when it is complete; a rename within one folder is atomic, so
the desk never reads half a file. Only ``*.jsonl`` files are taken, in order of name.

Each line is one referral (the format is in ``supervisor_app.domain.referrals``) and is handled
on its own, in its own short transaction, so one bad line never holds up the others:

- a good line enters the assessment queue (``receive_referral_once``, audited as
  ``referral.receive``); a reference the queue already holds counts as *already received* and
  writes nothing, so a file delivered twice is recorded once;
- a line that is not a valid referral (bad JSON, not UTF-8, too long, a missing or unknown field,
  a code the organisation pack does not know, a place outside its area) is quarantined: appended to
  ``quarantine/<file stem>.rejected.jsonl`` as ``{"file", "line", "reason", "quarantined_at",
  "record"}`` with the line exactly as received, flushed and fsynced before the file is moved;
- blank lines are skipped.

Nothing is lost: every line of a file moved to ``processed/`` is in the queue or in quarantine.
If the database fails part-way (unreachable, locked, refusing the writes), the file stays in the
inbox untouched, nothing of it is quarantined, the report says so, and the next pass takes it in
again: lines already recorded are recognised by the partner's unique reference.

Run one importer per inbox folder. ``InboxWatcher`` polls the folder (``os.scandir``) rather than
relying on file-system notifications, so it works the same on Windows control-room PCs and on
network shares, where notifications are unreliable, and a missed notification can never leave a
file waiting.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.people import Action, Actor, PermissionDenied, require
from supervisor_app.domain.referrals import read_referral
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.referrals import ReferralReceived, receive_referral_once
from supervisor_app.store.engine import describe, writer
from supervisor_app.store.errors import unreachable

log = logging.getLogger(__name__)

FILE_SUFFIX = ".jsonl"
PROCESSED = "processed"
QUARANTINE = "quarantine"
REJECTED_SUFFIX = ".rejected.jsonl"
DEFAULT_INTERVAL = 2.0
_BOM = b"\xef\xbb\xbf"  # Windows editors start UTF-8 files with it; JSON does not allow it
_RETRY = "The file stays in the inbox and is taken in again on the next pass; nothing is recorded twice."


class InboxError(DomainError):
    """The inbox folder cannot be used; the message names the folder, the cause and what to do."""


@dataclass(frozen=True)
class QuarantinedLine:
    file: str
    line: int
    """1-based, as an editor shows it."""
    reason: str


@dataclass
class InboxReport:
    """What one pass over the inbox did."""

    inbox: Path
    files: list[str] = field(default_factory=list)
    """Files taken in and moved to ``processed/``."""
    received: int = 0
    already_received: int = 0
    quarantined: list[QuarantinedLine] = field(default_factory=list)
    blank_lines: int = 0
    left_in_inbox: list[str] = field(default_factory=list)
    """Files that could not be finished this pass; they are taken in again on the next."""
    failures: list[str] = field(default_factory=list)
    """One sentence per problem: what failed, where, and that it will be retried."""

    @property
    def idle(self) -> bool:
        """True when the pass found nothing to do and nothing went wrong."""
        return not (self.files or self.left_in_inbox or self.failures)

    @property
    def quarantine_files(self) -> list[Path]:
        return sorted({quarantine_path(self.inbox, item.file) for item in self.quarantined})

    def summary(self) -> str:
        """One line: ``INBOX: 2 files, 14 referrals received, 1 already received, 1 quarantined (see ...)``."""
        parts = [
            _count(len(self.files), "file"),
            _count(self.received, "referral") + " received",
            f"{self.already_received} already received",
            f"{len(self.quarantined)} quarantined",
        ]
        text = f"{self.inbox}: " + ", ".join(parts)
        places = self.quarantine_files
        if places:
            text += f" (see {places[0] if len(places) == 1 else places[0].parent})"
        if self.left_in_inbox:
            text += f"; {_count(len(self.left_in_inbox), 'file')} left in the inbox to retry"
        elif self.failures:
            text += f"; {_count(len(self.failures), 'problem')}"
        return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def quarantine_path(inbox: Path, file_name: str) -> Path:
    """Where the refused lines of ``file_name`` are kept: ``quarantine/<stem>.rejected.jsonl``."""
    return inbox / QUARANTINE / (Path(file_name).stem + REJECTED_SUFFIX)


def prepare_inbox(inbox: Path) -> Path:
    """Create the inbox and its ``processed``/``quarantine`` folders if missing and check they can
    be written; raises ``InboxError`` saying which folder and what to do."""
    for folder in (inbox, inbox / PROCESSED, inbox / QUARANTINE):
        if folder.exists() and not folder.is_dir():
            raise InboxError(
                f"The referral inbox {folder} is a file, not a folder. Give the folder partners deliver to, "
                "or move the file away."
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            descriptor, probe = tempfile.mkstemp(dir=folder, prefix=".write-check-")
            os.close(descriptor)
            os.unlink(probe)
        except OSError as error:
            raise InboxError(
                f"The referral inbox folder {folder} cannot be created or written to "
                f"({error.strerror or error}). Create it and let the account running the import write "
                "to it, or choose another folder."
            ) from None
    return inbox


def complete_files(inbox: Path) -> list[Path]:
    """The ``*.jsonl`` files waiting in the inbox, by name; files still being written (``.part``,
    ``.tmp``, dot-files) and folders are left alone."""
    try:
        with os.scandir(inbox) as entries:
            names = [
                entry.name
                for entry in entries
                if entry.name.lower().endswith(FILE_SUFFIX) and not entry.name.startswith(".") and entry.is_file()
            ]
    except OSError as error:
        raise InboxError(
            f"The referral inbox {inbox} cannot be read ({error.strerror or error}). Check that the folder "
            "exists and that the account running the import may read it."
        ) from None
    return [inbox / name for name in sorted(names)]


def process_inbox(
    inbox: Path,
    engine: Engine,
    actor: Actor,
    pack: OrganisationPack,
    *,
    stop: threading.Event | None = None,
) -> InboxReport:
    """Take every complete file in the inbox into the assessment queue, once (see the module doc).

    Raises ``PermissionDenied`` if ``actor`` may not receive referrals and ``InboxError`` if the
    folder cannot be used; problems with a file or the database are reported in the returned
    ``InboxReport`` and the file is left for the next pass. When ``stop`` is set the pass ends
    after the current line, leaving an unfinished file in the inbox for next time.
    """
    require(actor, Action.RECEIVE_REFERRAL)
    prepare_inbox(inbox)
    report = InboxReport(inbox)
    for path in complete_files(inbox):
        if stop is not None and stop.is_set():
            break
        _take_in(path, _Receiver(engine, actor, pack), report, stop)
    return report


@dataclass(frozen=True)
class _Receiver:
    engine: Engine
    actor: Actor
    pack: OrganisationPack

    def receive(self, line: bytes) -> ReferralReceived:
        record = read_referral(line)
        with Session(writer(self.engine)) as session:
            return receive_referral_once(session, self.actor, record, self.pack)


@dataclass(frozen=True)
class _Rejected:
    line: int
    reason: str
    raw: bytes


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Each line of the file as bytes, 1-based, without its line ending; decoding is the parser's
    job, so a line that is not UTF-8 or is too long is refused on its own."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            yield number, raw.removesuffix(b"\n").removesuffix(b"\r")


def _take_in(path: Path, receiver: _Receiver, report: InboxReport, stop: threading.Event | None) -> None:
    name = path.name
    received = already = blank = 0
    rejected: list[_Rejected] = []
    try:
        for number, raw in _lines(path):
            if stop is not None and stop.is_set():
                return  # unfinished: taken in again next pass, nothing recorded twice
            if not raw.strip():
                blank += 1
                continue
            try:
                outcome = receiver.receive(raw.removeprefix(_BOM) if number == 1 else raw)
            except PermissionDenied:
                raise  # the account's fault, not the record's
            except DomainError as refused:
                rejected.append(_Rejected(number, str(refused), raw))
                continue
            except (IntegrityError, DataError) as refused:
                reason = f"the database refused the record: {_first_line(refused)}"
                rejected.append(_Rejected(number, reason, raw))
                continue
            except SQLAlchemyError as failed:
                report.left_in_inbox.append(name)
                report.failures.append(f"{path} line {number}: {_database_failure(receiver.engine, failed)} {_RETRY}")
                return
            if outcome.already_received:
                already += 1
            else:
                received += 1
    except OSError as error:
        report.left_in_inbox.append(name)
        report.failures.append(f"{path} could not be read ({error.strerror or error}). {_RETRY}")
        return
    try:
        if rejected:
            _quarantine(quarantine_path(report.inbox, name), name, rejected)
        _move_to_processed(path, report.inbox / PROCESSED)
    except OSError as error:
        report.left_in_inbox.append(name)
        report.failures.append(
            f"{path} was read, but {error.filename or 'the inbox'} could not be written "
            f"({error.strerror or error}); check the inbox folder's space and permissions. {_RETRY}"
        )
        return
    report.files.append(name)
    report.received += received
    report.already_received += already
    report.blank_lines += blank
    report.quarantined.extend(QuarantinedLine(name, item.line, item.reason) for item in rejected)


def _first_line(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    return text.splitlines()[0] if text else error.__class__.__name__


def _database_failure(engine: Engine, error: SQLAlchemyError) -> str:
    if isinstance(error, OperationalError):
        return str(unreachable(describe(engine), error))
    return (
        f"the database {describe(engine)} failed ({_first_line(error)}). If it says a table is missing, "
        "bring the schema up to date with `supervisor-app migrate`."
    )


def _quarantine(target: Path, file_name: str, rejected: list[_Rejected]) -> None:
    """Append the refused lines to ``target`` and make sure they are on disk before returning."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    text = "".join(
        json.dumps(
            {
                "file": file_name,
                "line": item.line,
                "reason": item.reason,
                "quarantined_at": now,
                "record": item.raw.decode("utf-8", errors="replace"),
            },
            ensure_ascii=False,
        )
        + "\n"
        for item in rejected
    )
    with target.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    _sync_folder(target.parent)


def _move_to_processed(path: Path, folder: Path) -> Path:
    target = folder / path.name
    suffix = 1
    while target.exists():
        target = folder / f"{path.stem}.{suffix}{path.suffix}"
        suffix += 1
    path.rename(target)
    _sync_folder(folder)
    _sync_folder(path.parent)
    return target


def _sync_folder(folder: Path) -> None:
    """Make a new or renamed entry in ``folder`` survive a power cut (POSIX; Windows has no
    directory handles to sync and commits renames itself)."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:  # the data itself is synced; only the folder entry's durability is at stake
        log.warning("could not sync the folder %s: %s", folder, error)


class InboxWatcher:
    """Takes the inbox in every ``interval`` seconds on a background thread, until ``stop()``.

    Polls the folder with ``os.scandir`` instead of file-system notifications (inotify and its
    kind): the same code runs on the Windows control-room PCs and on network shares, which do not
    deliver notifications reliably, and a missed notification can never strand a file. Each
    pass's ``InboxReport`` goes to ``on_report`` (on the watcher's thread). A pass that fails, for
    example because the folder went away, is reported and the next pass tries again.
    """

    def __init__(
        self,
        inbox: Path,
        engine: Engine,
        actor: Actor,
        pack: OrganisationPack,
        *,
        interval: float = DEFAULT_INTERVAL,
        on_report: Callable[[InboxReport], None] | None = None,
    ) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be a positive number of seconds; got {interval!r}")
        self.inbox = inbox
        self.interval = interval
        self._engine, self._actor, self._pack = engine, actor, pack
        self._on_report = on_report
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Check the account and the folder (raising ``PermissionDenied`` or ``InboxError`` here,
        not on the thread), then start polling; the first pass runs at once."""
        if self._thread is not None:
            raise RuntimeError("this InboxWatcher was already started; make a new one")
        require(self._actor, Action.RECEIVE_REFERRAL)
        prepare_inbox(self.inbox)
        self._thread = threading.Thread(target=self._run, name=f"referral-inbox {self.inbox}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop polling and wait for the thread (the current line finishes; an unfinished file
        stays in the inbox for next time)."""
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def __enter__(self) -> InboxWatcher:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stopping.is_set():
            report = self._pass()
            if self._on_report is not None:
                try:
                    self._on_report(report)
                except Exception:
                    log.exception("the referral inbox's report callback failed; the watcher carries on")
            self._stopping.wait(self.interval)

    def _pass(self) -> InboxReport:
        try:
            return process_inbox(self.inbox, self._engine, self._actor, self._pack, stop=self._stopping)
        except DomainError as refused:  # the folder went away or became unusable; try again later
            return InboxReport(self.inbox, failures=[f"{refused} The watcher tries again in {self.interval:g} s."])
        except Exception as error:
            log.exception("unexpected failure taking in the referral inbox %s", self.inbox)
            return InboxReport(
                self.inbox,
                failures=[
                    f"Unexpected error taking in {self.inbox}: {error.__class__.__name__}: {error}. "
                    f"Files stay in the inbox; the watcher tries again in {self.interval:g} s."
                ],
            )
