"""The audit trail as a hash chain: each event carries the hash of the one before it.

Changing an event's text, deleting one, or putting them in another order breaks the chain at a
place :func:`verify_chain` names. The hash covers every field a person would rely on, in a
canonical form, so the same event hashes the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64  # what the first event's "previous hash" is


@dataclass(frozen=True)
class AuditRecord:
    chain_seq: int
    occurred_at: datetime
    actor: str
    desk: str
    action: str
    entity_kind: str
    entity_id: int | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str = ""


def chain_hash(record: AuditRecord, prev_hash: str) -> str:
    """SHA-256 over the previous hash and the event's fields in a canonical form."""
    canonical = json.dumps(
        [
            prev_hash,
            record.chain_seq,
            record.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            record.actor,
            record.desk,
            record.action,
            record.entity_kind,
            record.entity_id,
            record.detail,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class BreakKind(StrEnum):
    ALTERED = "altered"  # its content no longer matches its hash
    MISSING = "missing"  # one or more events before it are gone
    OUT_OF_ORDER = "out_of_order"  # it does not follow the event before it


@dataclass(frozen=True)
class ChainBreak:
    kind: BreakKind
    chain_seq: int
    record: AuditRecord
    expected_seq: int

    def describe(self) -> str:
        who = (
            f"{self.record.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, {self.record.actor} at "
            f"{self.record.desk}, {self.record.action}"
        )
        if self.kind is BreakKind.MISSING:
            last = self.chain_seq - 1
            gone = (
                f"audit event {last} is missing"
                if last == self.expected_seq
                else f"audit events {self.expected_seq} to {last} are missing"
            )
            return f"{gone} (deleted); the chain resumes at event {self.chain_seq} ({who})"
        if self.kind is BreakKind.OUT_OF_ORDER:
            return (
                f"audit event {self.chain_seq} ({who}) does not follow event {self.chain_seq - 1}: "
                "events were reordered or one was replaced"
            )
        return (
            f"audit event {self.chain_seq} ({who}) was changed after it was written: "
            "its content no longer matches its hash"
        )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_seq: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_chain(records: Iterable[AuditRecord]) -> ChainReport:
    """Check records given in chain order; stop at the first broken link."""
    expected_seq, prev_hash, checked, last = 1, GENESIS_HASH, 0, 0
    for record in records:
        if record.chain_seq > expected_seq:
            return ChainReport(checked, last, ChainBreak(BreakKind.MISSING, record.chain_seq, record, expected_seq))
        if record.chain_seq < expected_seq or record.prev_hash != prev_hash:
            return ChainReport(
                checked, last, ChainBreak(BreakKind.OUT_OF_ORDER, record.chain_seq, record, expected_seq)
            )
        if chain_hash(record, prev_hash) != record.hash:
            return ChainReport(checked, last, ChainBreak(BreakKind.ALTERED, record.chain_seq, record, expected_seq))
        checked, last, prev_hash, expected_seq = checked + 1, record.chain_seq, record.hash, expected_seq + 1
    return ChainReport(checked, last, None)
