"""The referral inbox with real files and real databases: what partners drop in is received or
quarantined with its reason, never lost, never recorded twice; the command line runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from supervisor_app.comms.referral_inbox import (
    InboxError,
    InboxReport,
    InboxWatcher,
    prepare_inbox,
    process_inbox,
    quarantine_path,
)
from supervisor_app.domain.people import Actor, PermissionDenied, Role
from supervisor_app.domain.referrals import MAX_LINE_BYTES
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.referrals import waiting_referrals
from supervisor_app.store.engine import make_engine
from supervisor_app.store.models import AuditEvent, Referral, User, UserRole
from tests.services.conftest import actor_with
from tests.support.cli import cli_environment, run_cli

INSIDE = {"lat": 60.1702, "lon": 24.9387}  # inside the demo pack's area


def referral(reference: str, **changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "partner": "HSY_WATER",
        "reference": reference,
        "source": "partner_agency",
        "referred_at": "2026-11-23T10:02:00+02:00",
        "incident_type": "WATER_MAIN_BURST",
        "summary": f"Water coming up through the road surface ({reference})",
        "address": "Mannerheimintie 5, Helsinki",
        "location": INSIDE,
        "contact": {"name": "Duty engineer", "phone": "+358 9 1234 5678", "organisation": "HSY"},
    }
    record.update(changes)
    return {key: value for key, value in record.items() if value is not None}


def line(reference: str, **changes: object) -> bytes:
    return json.dumps(referral(reference, **changes), ensure_ascii=False).encode("utf-8")


def drop(inbox: Path, name: str, lines: list[bytes], *, ending: bytes = b"\n") -> Path:
    """Deliver a file as a partner does: written under a .part name, then renamed."""
    inbox.mkdir(parents=True, exist_ok=True)
    partial = inbox / f"{name}.part"
    partial.write_bytes(ending.join(lines) + ending)
    return partial.rename(inbox / name)


def referral_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Referral)) or 0


def queue_labels(engine: Engine, actor: Actor) -> list[str]:
    with Session(engine) as session:
        return sorted(r.label for r in waiting_referrals(session, actor))


def quarantined_records(inbox: Path, name: str) -> list[dict[str, object]]:
    text = quarantine_path(inbox, name).read_text(encoding="utf-8")
    return [json.loads(row) for row in text.splitlines()]


def test_a_good_file_enters_the_queue_and_moves_to_processed(
    engine: Engine, pack: OrganisationPack, operator: Actor, supervisor: Actor, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    drop(inbox, "hsy-0412.jsonl", [line("HSY-1"), line("HSY-2", location=None), line("HSY-3", address=None)])

    report = process_inbox(inbox, engine, operator, pack)

    assert (report.files, report.received, report.already_received, report.quarantined, report.failures) == (
        ["hsy-0412.jsonl"], 3, 0, [], [])
    assert queue_labels(engine, supervisor) == ["HSY_WATER HSY-1", "HSY_WATER HSY-2", "HSY_WATER HSY-3"]
    assert not (inbox / "hsy-0412.jsonl").exists()
    assert (inbox / "processed" / "hsy-0412.jsonl").is_file()
    assert list((inbox / "quarantine").iterdir()) == []
    assert report.summary() == f"{inbox}: 1 file, 3 referrals received, 0 already received, 0 quarantined"


def test_each_received_referral_is_audited(
    engine: Engine, pack: OrganisationPack, operator: Actor, tmp_path: Path
) -> None:
    drop(tmp_path, "a.jsonl", [line("HSY-1"), line("HSY-2")])
    process_inbox(tmp_path, engine, operator, pack)
    drop(tmp_path, "b.jsonl", [line("HSY-2")])  # already received: nothing more to audit
    process_inbox(tmp_path, engine, operator, pack)
    with Session(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.receive")).all()
        ids = set(session.scalars(select(Referral.id)).all())
    assert sorted((e.actor, e.entity_kind, e.detail["reference"]) for e in events) == [
        ("op.one", "referral", "HSY-1"), ("op.one", "referral", "HSY-2")]
    assert {e.entity_id for e in events} == ids


def test_bad_lines_are_quarantined_with_their_reason_and_nothing_is_lost(
    engine: Engine, pack: OrganisationPack, operator: Actor, supervisor: Actor, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    not_utf8 = line("HSY-9", summary="Vuoto \u00e4").replace("\u00e4".encode(), b"\xe4")
    too_long = line("HSY-10", summary="x" * 2000, address="y" * 300, contact=None) + b" " * MAX_LINE_BYTES
    lines = [
        line("HSY-1"),  # 1
        b'{"partner": "HSY_WATER", "reference": ',  # 2 cut short
        b"",  # 3
        line("HSY-4", summary=""),  # 4
        line("HSY-5", colour="red"),  # 5
        line("HSY-6", location={"lat": 200, "lon": 24.94}),  # 6
        line("HSY-7", location={"lat": 60.30, "lon": 24.94}),  # 7 outside the area the pack serves
        line("HSY-8", incident_type="ALIEN_LANDING"),  # 8
        not_utf8,  # 9
        too_long,  # 10
        line("HSY-11") + b"\r",  # 11 a Windows line ending
        b"  \t ",  # 12
        line("HSY-13"),  # 13
    ]
    path = drop(inbox, "mixed.jsonl", lines)

    report = process_inbox(inbox, engine, operator, pack)

    reasons = {item.line: item.reason for item in report.quarantined}
    assert sorted(reasons) == [2, 4, 5, 6, 7, 8, 9, 10]
    assert "not valid JSON" in reasons[2]
    assert reasons[4].startswith("summary:")
    assert reasons[5].startswith("colour: unknown field")
    assert reasons[6].startswith("location:") and "between -90 and 90" in reasons[6]
    assert reasons[7].startswith("location:") and "inside the area" in reasons[7]
    assert reasons[8].startswith("incident_type:") and "ALIEN_LANDING" in reasons[8]
    assert "not UTF-8" in reasons[9]
    assert "longer than 64 KiB" in reasons[10]
    assert {item.file for item in report.quarantined} == {"mixed.jsonl"}
    assert queue_labels(engine, supervisor) == ["HSY_WATER HSY-1", "HSY_WATER HSY-11", "HSY_WATER HSY-13"]
    # nothing lost: every line is received, quarantined or blank
    assert len(lines) == report.received + len(report.quarantined) + report.blank_lines
    assert (report.received, report.blank_lines, report.failures) == (3, 2, [])
    assert not path.exists() and (inbox / "processed" / "mixed.jsonl").is_file()

    kept = quarantined_records(inbox, "mixed.jsonl")
    assert [(row["file"], row["line"], row["reason"]) for row in kept] == [
        ("mixed.jsonl", item.line, item.reason) for item in report.quarantined]
    for row in kept:
        assert isinstance(row["line"], int)
        assert row["record"] == lines[row["line"] - 1].decode("utf-8", errors="replace")
        moment = datetime.fromisoformat(str(row["quarantined_at"]))
        assert moment.utcoffset() == timedelta(0)
    assert report.summary() == (
        f"{inbox}: 1 file, 3 referrals received, 0 already received, 8 quarantined "
        f"(see {inbox / 'quarantine' / 'mixed.rejected.jsonl'})"
    )


def test_a_file_delivered_twice_is_recorded_once(
    engine: Engine, pack: OrganisationPack, operator: Actor, tmp_path: Path
) -> None:
    lines = [line("HSY-1"), line("HSY-2"), b"not json"]
    drop(tmp_path, "batch.jsonl", lines)
    first = process_inbox(tmp_path, engine, operator, pack)
    drop(tmp_path, "batch.jsonl", lines)
    again = process_inbox(tmp_path, engine, operator, pack)

    assert (first.received, first.already_received, len(first.quarantined)) == (2, 0, 1)
    assert (again.received, again.already_received, len(again.quarantined)) == (0, 2, 1)
    assert referral_count(engine) == 2
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == ["batch.1.jsonl", "batch.jsonl"]
    assert [row["line"] for row in quarantined_records(tmp_path, "batch.jsonl")] == [3, 3]  # appended


def test_files_still_being_written_are_left_until_renamed(
    engine: Engine, pack: OrganisationPack, operator: Actor, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.jsonl.part").write_bytes(line("HSY-1") + b"\n")
    (inbox / ".b.jsonl").write_bytes(line("HSY-2") + b"\n")
    (inbox / "c.tmp").write_bytes(line("HSY-3") + b"\n")
    (inbox / "d.jsonl").mkdir()

    idle = process_inbox(inbox, engine, operator, pack)
    assert idle.idle and referral_count(engine) == 0
    assert sorted(p.name for p in inbox.iterdir()) == [
        ".b.jsonl", "a.jsonl.part", "c.tmp", "d.jsonl", "processed", "quarantine"]

    (inbox / "a.jsonl.part").rename(inbox / "a.jsonl")
    taken = process_inbox(inbox, engine, operator, pack)
    assert (taken.files, taken.received) == (["a.jsonl"], 1)


def test_when_the_database_is_down_the_file_stays_for_the_next_pass(
    engine: Engine, pack: OrganisationPack, operator: Actor, tmp_path: Path
) -> None:
    path = drop(tmp_path, "late.jsonl", [b"{broken", line("HSY-1"), line("HSY-2")])
    content = path.read_bytes()
    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/x")
    try:
        report = process_inbox(tmp_path, down, operator, pack)
    finally:
        down.dispose()

    assert (report.files, report.received, report.quarantined, report.left_in_inbox) == ([], 0, [], ["late.jsonl"])
    (failure,) = report.failures
    assert f"{path} line 2: Cannot reach the database PostgreSQL postgres@127.0.0.1:1/x" in failure
    assert "stays in the inbox and is taken in again on the next pass" in failure
    assert path.read_bytes() == content
    assert list((tmp_path / "quarantine").iterdir()) == [] and list((tmp_path / "processed").iterdir()) == []
    assert report.summary().endswith("; 1 file left in the inbox to retry")

    retried = process_inbox(tmp_path, engine, operator, pack)  # the database is back
    assert (retried.files, retried.received, [q.line for q in retried.quarantined]) == (["late.jsonl"], 2, [1])


def test_an_account_that_may_not_receive_referrals_changes_nothing(
    engine: Engine, pack: OrganisationPack, tmp_path: Path
) -> None:
    path = drop(tmp_path, "a.jsonl", [line("HSY-1"), b"not json"])
    with pytest.raises(PermissionDenied, match=r"may not referral\.receive"):
        process_inbox(tmp_path, engine, actor_with(Role.ADMINISTRATOR), pack)
    assert path.exists() and referral_count(engine) == 0
    assert not (tmp_path / "quarantine").exists()


def test_the_inbox_folders_are_made_and_a_file_in_the_way_is_explained(tmp_path: Path) -> None:
    inbox = prepare_inbox(tmp_path / "partners" / "inbox")
    assert (inbox / "processed").is_dir() and (inbox / "quarantine").is_dir()
    assert [p.name for p in inbox.iterdir() if p.name.startswith(".")] == []  # the write check tidies up
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(InboxError, match="is a file, not a folder"):
        prepare_inbox(blocker)


def test_the_watcher_takes_in_a_file_dropped_after_it_started(
    engine: Engine, pack: OrganisationPack, operator: Actor, supervisor: Actor, tmp_path: Path
) -> None:
    reports: list[InboxReport] = []
    lock = threading.Lock()

    def collect(report: InboxReport) -> None:
        with lock:
            reports.append(report)

    watcher = InboxWatcher(tmp_path / "inbox", engine, operator, pack, interval=0.05, on_report=collect)
    watcher.start()
    try:
        assert watcher.running
        drop(tmp_path / "inbox", "late.jsonl", [line("HSY-1"), line("HSY-2")])
        deadline = time.monotonic() + 20
        while not (tmp_path / "inbox" / "processed" / "late.jsonl").exists():
            assert time.monotonic() < deadline, "the watcher did not take the file in"
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert not watcher.running
    with lock:
        busy = [r for r in reports if not r.idle]
    assert [(r.files, r.received) for r in busy] == [(["late.jsonl"], 2)]
    assert queue_labels(engine, supervisor) == ["HSY_WATER HSY-1", "HSY_WATER HSY-2"]


def test_a_watcher_refuses_to_start_for_an_account_without_the_permission(
    engine: Engine, pack: OrganisationPack, tmp_path: Path
) -> None:
    watcher = InboxWatcher(tmp_path, engine, actor_with(Role.DUTY_MANAGER), pack)
    with pytest.raises(PermissionDenied):
        watcher.start()
    assert not watcher.running
    with pytest.raises(ValueError, match="positive number of seconds"):
        InboxWatcher(tmp_path, engine, actor_with(Role.OPERATOR), pack, interval=0)


# The command line ---------------------------------------------------------------------------------


def add_importer_account(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with Session(engine) as session, session.begin():
            session.add(User(username="intake.bot", display_name="Referral import", roles=[UserRole(role="operator")]))
            session.add(User(username="admin.bot", display_name="Accounts", roles=[UserRole(role="administrator")]))
    finally:
        engine.dispose()


def test_the_command_takes_the_inbox_in_once_and_explains_bad_arguments(sqlite_url: str, tmp_path: Path) -> None:
    add_importer_account(sqlite_url)
    inbox = tmp_path / "inbox"
    drop(inbox, "hsy.jsonl", [line("HSY-1"), b"", line("HSY-2"), line("HSY-3", colour="red")])
    folders = {"data_dir": tmp_path / "data", "config_dir": tmp_path / "config"}

    done = run_cli("--db", sqlite_url, "referrals", "import", str(inbox), "--user", "intake.bot", **folders)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"{inbox}: 1 file, 2 referrals received, 0 already received, 1 quarantined "
        f"(see {inbox / 'quarantine' / 'hsy.rejected.jsonl'})"
    )
    assert (inbox / "processed" / "hsy.jsonl").is_file()

    refused = [
        (["--watch", "--interval", "0"], 2, "argument --interval: expected a number of seconds above 0"),
        (["--interval", "1"], 2, "--interval applies only with --watch"),
        (["--user", "nobody"], 1, "There is no user 'nobody'"),
        (["--user", "admin.bot"], 1, "admin.bot (administrator) may not referral.receive"),
    ]
    for extra, status, message in refused:
        result = run_cli("--db", sqlite_url, "referrals", "import", str(inbox), *extra, **folders)
        assert (result.returncode, message in result.stderr) == (status, True), result.stderr
        assert "Traceback" not in result.stderr
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    in_the_way = run_cli("--db", sqlite_url, "referrals", "import", str(blocker), "--user", "intake.bot", **folders)
    assert in_the_way.returncode == 2 and "is a file, not a folder" in in_the_way.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="stops the watcher with SIGTERM")
def test_the_command_watches_until_it_is_stopped(sqlite_url: str, tmp_path: Path) -> None:
    add_importer_account(sqlite_url)
    inbox = tmp_path / "inbox"
    environment = cli_environment(tmp_path / "data", tmp_path / "config")
    command = [sys.executable, "-m", "supervisor_app", "--db", sqlite_url, "--user", "intake.bot",
               "referrals", "import", str(inbox), "--watch", "--interval", "0.1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        deadline = time.monotonic() + 60
        while not (inbox / "quarantine").is_dir():
            assert process.poll() is None and time.monotonic() < deadline, process.stderr and process.stderr.read()
            time.sleep(0.05)
        drop(inbox, "late.jsonl", [line("HSY-1")])
        while not (inbox / "processed" / "late.jsonl").exists():
            assert process.poll() is None and time.monotonic() < deadline, process.stderr and process.stderr.read()
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.splitlines() == [f"{inbox}: 1 file, 1 referral received, 0 already received, 0 quarantined"]
    assert err.splitlines()[-1] == f"Stopped watching {inbox}."
