from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import IncidentLocation
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import NotFound
from supervisor_app.services.incidents import add_log_entry, create_incident
from supervisor_app.store.models import AuditEvent, Incident, LogEntry
from tests.services.conftest import Organisation, new_incident, row_counts


def test_create_incident_numbers_it_by_the_database_day(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    with organisation.session() as session:
        first = create_incident(session, supervisor, new_incident(pack), pack)
    with organisation.session() as session:
        second = create_incident(session, supervisor, new_incident(pack, "Second call"), pack)
    local_day = first.created_at.astimezone(ZoneInfo(pack.timezone)).date()
    assert first.reference == f"INC-{local_day:%Y%m%d}-0001"
    assert second.reference == f"INC-{local_day:%Y%m%d}-0002"
    with Session(organisation.engine) as session:
        incident = session.get(Incident, first.incident_id)
        assert incident is not None
        assert (incident.status, incident.created_by, incident.desk) == ("awaiting_resource", "sup.one", "desk-1")
        assert incident.pack_version == pack.version
        log = session.scalars(select(LogEntry).where(LogEntry.incident_id == first.incident_id)).all()
        assert [(e.code, e.author, e.desk) for e in log] == [("REF", "sup.one", "desk-1")]
        assert log[0].recorded_at == incident.created_at  # one transaction, one database clock
        audit = session.scalars(select(AuditEvent)).all()
        assert [(a.action, a.entity_id, a.detail["reference"]) for a in audit] == [
            ("incident.create", first.incident_id, first.reference),
            ("incident.create", second.incident_id, second.reference),
        ]


def test_an_incident_outside_the_area_or_of_an_unknown_type_writes_nothing(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    before = row_counts(organisation.engine)
    draft = new_incident(pack)
    far_away = IncidentLocation(Coordinate(51.5072, -0.1276), "Trafalgar Square, London")
    for bad, message in [
        (draft.__class__(**{**draft.__dict__, "location": far_away}), "inside the area"),
        (draft.__class__(**{**draft.__dict__, "incident_type": "UFO_SIGHTING"}), "incident type"),
        (draft.__class__(**{**draft.__dict__, "priority": "P0"}), "priority"),
    ]:
        with organisation.session() as session, pytest.raises(InvalidValue, match=message):
            create_incident(session, supervisor, bad, pack)
    assert row_counts(organisation.engine) == before


def test_log_entries_append_with_both_times(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    with organisation.session() as session:
        created = create_incident(session, supervisor, new_incident(pack), pack)
    earlier = created.created_at - timedelta(minutes=3)
    with organisation.session() as session:
        add_log_entry(
            session,
            supervisor,
            created.incident_id,
            "NOTE",
            "Caller rang back: smell stronger",
            pack,
            occurred_at=earlier,
        )
    with Session(organisation.engine) as session:
        entries = session.scalars(select(LogEntry).order_by(LogEntry.id)).all()
    assert [e.code for e in entries] == ["REF", "NOTE"]
    assert entries[1].occurred_at == earlier
    assert entries[1].recorded_at >= created.created_at
    assert entries[1].text == "Caller rang back: smell stronger"


@pytest.mark.parametrize(
    ("code", "text", "shift", "error", "message"),
    [
        ("NOT_A_CODE", "x", None, InvalidValue, "log code"),
        ("NOTE", "bell\x07", None, InvalidValue, "log text"),
        ("NOTE", "later", timedelta(hours=1), InvalidValue, "not in the future"),
    ],
)
def test_bad_log_entries_are_refused_and_write_nothing(
    organisation: Organisation,
    pack: OrganisationPack,
    supervisor: Actor,
    code: str,
    text: str,
    shift: timedelta | None,
    error: type[Exception],
    message: str,
) -> None:
    with organisation.session() as session:
        created = create_incident(session, supervisor, new_incident(pack), pack)
    before = row_counts(organisation.engine)
    occurred = created.created_at + shift if shift else None
    with organisation.session() as session, pytest.raises(error, match=message):
        add_log_entry(session, supervisor, created.incident_id, code, text, pack, occurred_at=occurred)
    assert row_counts(organisation.engine) == before


def test_logging_to_a_missing_incident_says_so(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    with organisation.session() as session, pytest.raises(NotFound, match="Incident 999 does not exist"):
        add_log_entry(session, supervisor, 999, "NOTE", "hello", pack)
