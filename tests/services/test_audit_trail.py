"""The audit trail on both databases: chained as it is written, and any tampering is found and located."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from supervisor_app.domain.audit_chain import BreakKind
from supervisor_app.domain.people import Actor, PermissionDenied, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.audit_verification import AuditVerification, verify_audit
from supervisor_app.services.incidents import add_log_entry, create_incident
from supervisor_app.services.resources import assign_resource, change_resource_status
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import AuditEvent
from tests.services.conftest import Organisation, make_incident, new_incident

ADMIN = Actor.of("admin.one", [Role.ADMINISTRATOR], "desk-0")


def _verify(engine: Engine) -> AuditVerification:
    with Session(engine) as session:
        return verify_audit(session, ADMIN)


def _busy_day(org: Organisation, pack: OrganisationPack, supervisor: Actor) -> None:
    resource_id = next(iter(org.resource_ids.values()))
    incident_id = make_incident(org, pack, supervisor)
    with org.session() as session:
        add_log_entry(session, supervisor, incident_id, "NOTE", "Caller rang back", pack)
    with org.session() as session:
        assign_resource(session, supervisor, incident_id, resource_id, pack, channel="voice_radio")
    for status in ("en_route", "on_scene", "returning", "available"):
        with org.session() as session:
            change_resource_status(session, supervisor, resource_id, status)


def _tamper(engine: Engine, *statements: str) -> None:
    """As someone with rights over the table would: lift the append-only guard, change, put it back."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            for statement in statements:
                conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            guards = dict(
                conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")
                ).all()
            )
            for name in guards:
                conn.execute(text(f"DROP TRIGGER {name}"))
            for statement in statements:
                conn.execute(text(statement))
            for sql in guards.values():
                conn.execute(text(sql))


def test_every_action_is_chained_and_the_chain_verifies(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    _busy_day(organisation, pack, supervisor)
    verification = _verify(organisation.engine)
    with Session(organisation.engine) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    assert verification.intact and verification.report.checked == len(events) == 7
    assert [e.chain_seq for e in events] == list(range(1, 8))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(events))
    assert verification.summary().startswith("Audit chain intact: 7 events checked")


@pytest.mark.parametrize(
    ("statements", "kind", "seq"),
    [
        (
            ['UPDATE audit_events SET detail = \'{"reference": "INC-FORGED"}\' WHERE chain_seq = 1'],
            BreakKind.ALTERED,
            1,
        ),
        (["UPDATE audit_events SET actor = 'someone.else' WHERE chain_seq = 4"], BreakKind.ALTERED, 4),
        (["DELETE FROM audit_events WHERE chain_seq = 3"], BreakKind.MISSING, 4),
        (
            [
                "UPDATE audit_events SET chain_seq = -5 WHERE chain_seq = 5",
                "UPDATE audit_events SET chain_seq = 5 WHERE chain_seq = 6",
                "UPDATE audit_events SET chain_seq = 6 WHERE chain_seq = -5",
            ],
            BreakKind.OUT_OF_ORDER,
            5,
        ),
    ],
    ids=["changed text", "changed actor", "deleted row", "reordered rows"],
)
def test_tampering_is_found_and_located(
    organisation: Organisation,
    pack: OrganisationPack,
    supervisor: Actor,
    statements: list[str],
    kind: BreakKind,
    seq: int,
) -> None:
    _busy_day(organisation, pack, supervisor)
    _tamper(organisation.engine, *statements)
    verification = _verify(organisation.engine)
    found = verification.report.first_break
    assert not verification.intact and found is not None
    assert (found.kind, found.chain_seq) == (kind, seq)
    assert verification.summary().startswith("Audit chain BROKEN: ")
    intact_before = found.expected_seq - 1  # for a deletion, the events before the gap
    assert f"{intact_before:,} events before it are intact" in verification.summary()


def test_an_event_written_around_the_desk_is_reported(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    _busy_day(organisation, pack, supervisor)
    with organisation.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (actor, desk, action, entity_kind, detail) "
                "VALUES ('ghost', 'nowhere', 'incident.create', 'incident', '{}')"
            )
        )
    verification = _verify(organisation.engine)
    assert not verification.intact and verification.unchained == 1
    assert "carry no place in it" in verification.summary()


def test_only_administrators_verify(organisation: Organisation, supervisor: Actor) -> None:
    with Session(organisation.engine) as session, pytest.raises(PermissionDenied, match=r"audit\.verify"):
        verify_audit(session, supervisor)


WRITERS, EACH = 8, 10


def test_desks_writing_at_once_never_fork_the_chain(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, db_url: str
) -> None:
    engine = make_engine(db_url, pool_size=WRITERS) if "postgresql" in db_url else make_engine(db_url)
    start = threading.Barrier(WRITERS)

    def write(i: int) -> None:
        desk = Actor.of(f"sup.{i}", [Role.SUPERVISOR], f"desk-{i}")
        start.wait(timeout=30)
        for _ in range(EACH):
            with Session(writer(engine)) as session:
                create_incident(session, desk, new_incident(pack), pack)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))
    engine.dispose()
    verification = _verify(organisation.engine)
    assert verification.intact and verification.report.checked == WRITERS * EACH


def test_events_written_before_the_chain_existed_are_chained_by_the_migration(engine: Engine) -> None:
    from alembic import command

    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_events (actor, desk, action, entity_kind, entity_id, detail) "
                    f"VALUES ('sup.one', 'desk-1', 'incident.create', 'incident', {n + 1}, "
                    f'\'{{"reference": "INC-20261123-000{n + 1}"}}\')'
                )
            )
    migrate.upgrade(engine)
    verification = _verify(engine)
    assert verification.intact and verification.report.checked == 3
