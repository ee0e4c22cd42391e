"""What a use case changed, so that each view can decide whether and what to reload."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntityKind(StrEnum):
    INCIDENT = "incident"
    LOG_ENTRY = "log_entry"
    RESOURCE = "resource"
    DEPLOYMENT = "deployment"
    COMPLAINT = "complaint"
    USER = "user"
    DESK = "desk"  # a desk came on line or left
    CLAIM = "claim"  # by incident id: someone took up or put down an incident
    REFERRAL = "referral"  # a referral from a partner entered the queue or was assessed
    MESSAGE = "message"  # an outbound message was queued, sent, failed or acknowledged
    EXTERNAL_REQUEST = "external_request"  # a request to another organisation was made or answered
    ESCALATION = "escalation"  # an incident was escalated, or the escalation answered
    ALERT = "alert"  # by incident id: an alert on the incident was acknowledged


@dataclass(frozen=True)
class Changes:
    """Ids changed by one committed transaction, by kind. Carries ids, never the data."""

    ids: dict[EntityKind, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, **by_kind: int | list[int] | set[int]) -> Changes:
        result: dict[EntityKind, frozenset[int]] = {}
        for kind, ids in by_kind.items():
            values = [ids] if isinstance(ids, int) else list(ids)
            result[EntityKind(kind)] = frozenset(values)
        return cls(result)

    def touches(self, kind: EntityKind) -> bool:
        return bool(self.ids.get(kind))

    def __or__(self, other: Changes) -> Changes:
        merged = dict(self.ids)
        for kind, ids in other.ids.items():
            merged[kind] = merged.get(kind, frozenset()) | ids
        return Changes(merged)
