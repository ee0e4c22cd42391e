from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from supervisor_app.domain.audit_chain import GENESIS_HASH, AuditRecord, BreakKind, chain_hash, verify_chain

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def chain(length: int) -> list[AuditRecord]:
    records, prev = [], GENESIS_HASH
    for seq in range(1, length + 1):
        record = AuditRecord(seq, T0 + timedelta(seconds=seq), "sup.one", "desk-1", "incident.log", "incident",
                             seq, {"code": "NOTE", "n": seq}, prev)
        record = replace(record, hash=chain_hash(record, prev))
        records.append(record)
        prev = record.hash
    return records


def test_an_untouched_chain_is_intact() -> None:
    report = verify_chain(chain(50))
    assert report.intact and report.checked == 50 and report.last_seq == 50
    assert verify_chain([]).intact


def test_a_changed_field_is_found_at_its_event() -> None:
    records = chain(10)
    records[6] = replace(records[6], detail={"code": "NOTE", "n": 999})
    found = verify_chain(records).first_break
    assert found is not None and (found.kind, found.chain_seq) == (BreakKind.ALTERED, 7)
    assert "audit event 7" in found.describe() and "changed after it was written" in found.describe()


def test_a_deleted_event_is_found_where_the_chain_resumes() -> None:
    records = chain(10)
    del records[3:5]  # events 4 and 5 removed
    found = verify_chain(records).first_break
    assert found is not None and (found.kind, found.chain_seq, found.expected_seq) == (BreakKind.MISSING, 6, 4)
    assert found.describe().startswith("audit events 4 to 5 are missing (deleted)")


def test_reordered_events_are_found() -> None:
    records = chain(10)
    a, b = records[2], records[3]
    records[2], records[3] = replace(b, chain_seq=3), replace(a, chain_seq=4)  # places swapped
    found = verify_chain(records).first_break
    assert found is not None and (found.kind, found.chain_seq) == (BreakKind.OUT_OF_ORDER, 3)
    assert "does not follow event 2" in found.describe()


def test_the_hash_is_the_same_whatever_the_time_zone_or_key_order() -> None:
    record = chain(1)[0]
    other_zone = replace(record, occurred_at=record.occurred_at.astimezone(timezone(timedelta(hours=2))),
                         detail={"n": 1, "code": "NOTE"})
    assert chain_hash(other_zone, GENESIS_HASH) == record.hash
