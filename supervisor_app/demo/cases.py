"""Complaints and queries about a small share of the closed incidents, at every stage of handling.

Deadlines come from the pack's policies through ``case_deadlines``; some cases run past them, so
the complaints view has overdue work to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supervisor_app.demo import wording
from supervisor_app.demo.codes import DemoLogCodes
from supervisor_app.demo.finnish_names import DUTY_MANAGERS, USERS_BY_NAME, caller_name
from supervisor_app.demo.fleet import LocalClock
from supervisor_app.demo.history import UNIX_EPOCH_ORDINAL, ClosedIncident
from supervisor_app.demo.organisation import as_datetime
from supervisor_app.domain.complaints import CaseKind, CaseStatus, case_deadlines
from supervisor_app.pack import OrganisationPack

Row = dict[str, Any]
DAY = 86400
CASE_SHARE = 0.012
COMPLAINT_SHARE = 0.6
RUNS_LATE_SHARE = 0.2
CASE_CHANNELS = ("email", "phone", "letter", "web_form")
REFERENCE_PREFIX = {CaseKind.COMPLAINT: "CMP", CaseKind.QUERY: "QRY"}


@dataclass
class CaseRows:
    cases: list[Row] = field(default_factory=list)
    log_entries: list[Row] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Draft:
    incident: ClosedIncident
    kind: CaseKind
    received: int


def case_rows(
    rng: random.Random,
    closed_incidents: list[ClosedIncident],
    pack: OrganisationPack,
    codes: DemoLogCodes,
    clock: LocalClock,
    *,
    now: int,
    first_case_id: int,
    first_log_id: int,
) -> CaseRows:
    """Cases about roughly ``CASE_SHARE`` of ``closed_incidents``, received after each was closed."""
    drafts: list[_Draft] = []
    for incident in closed_incidents:
        if rng.random() >= CASE_SHARE:
            continue
        kind = CaseKind.COMPLAINT if rng.random() < COMPLAINT_SHARE else CaseKind.QUERY
        received = incident.closed + rng.randint(2 * 3600, 20 * DAY)
        if received < now:
            drafts.append(_Draft(incident, kind, received))
    drafts.sort(key=lambda draft: draft.received)
    result = CaseRows()
    for index, draft in enumerate(drafts):
        local_day = date.fromordinal(UNIX_EPOCH_ORDINAL + (draft.received + clock.utc_offset(draft.received)) // DAY)
        scope = f"{REFERENCE_PREFIX[draft.kind]}-{local_day:%Y%m%d}"
        number = result.counters.get(scope, 0) + 1
        result.counters[scope] = number
        row = _case_row(rng, draft, pack, now=now, case_id=first_case_id + index, reference=f"{scope}-{number:03d}")
        result.cases.append(row)
        owner = row["owner"]
        code = codes.complaint if draft.kind is CaseKind.COMPLAINT else codes.query
        result.log_entries.append({
            "id": first_log_id + index,
            "incident_id": draft.incident.incident_id,
            "occurred_at": as_datetime(draft.received),
            "recorded_at": as_datetime(min(now, draft.received + rng.randint(60, 3600))),
            "author": owner,
            "desk": USERS_BY_NAME[owner].desk,
            "code": code,
            "text": f"{row['reference']}: {row['summary']}",
        })
    return result


def _case_row(
    rng: random.Random, draft: _Draft, pack: OrganisationPack, *, now: int, case_id: int, reference: str
) -> Row:
    complaints, queries = pack.policies.complaints, pack.policies.queries
    received = draft.received
    deadlines = case_deadlines(
        draft.kind,
        as_datetime(received),
        acknowledge_days=complaints.acknowledgement_days,
        respond_days=complaints.response_days,
        statutory_days=complaints.statutory_response_days,
        query_days=queries.response_days,
    )
    acknowledge_by = int(deadlines.acknowledge_by.timestamp())
    respond_by = int(deadlines.respond_by.timestamp())
    runs_late = rng.random() < RUNS_LATE_SHARE
    acknowledged = received + int((acknowledge_by - received) * rng.uniform(0.05, 0.9))
    if runs_late:
        responded = respond_by + rng.randint(DAY, 12 * DAY)
    else:
        responded = acknowledged + int((respond_by - acknowledged) * rng.uniform(0.3, 0.95))
    investigating = min(acknowledged + rng.randint(3600, DAY), responded - 600)
    closed = responded + rng.randint(DAY, 7 * DAY)
    status = CaseStatus.RECEIVED
    for step, at in (
        (CaseStatus.ACKNOWLEDGED, acknowledged),
        (CaseStatus.INVESTIGATING, investigating),
        (CaseStatus.RESPONDED, responded),
        (CaseStatus.CLOSED, closed),
    ):
        if at <= now:
            status = step
    summaries = wording.COMPLAINT_SUMMARIES if draft.kind is CaseKind.COMPLAINT else wording.QUERY_SUMMARIES
    return {
        "id": case_id,
        "reference": reference,
        "kind": draft.kind.value,
        "incident_id": draft.incident.incident_id,
        "received_at": as_datetime(received),
        "channel": rng.choice(CASE_CHANNELS),
        "complainant": caller_name(rng),
        "summary": f"{rng.choice(summaries)} ({draft.incident.reference}).",
        "status": status.value,
        "acknowledge_by": deadlines.acknowledge_by,
        "respond_by": deadlines.respond_by,
        "statutory_by": deadlines.statutory_by,
        "owner": rng.choice(DUTY_MANAGERS),
        "acknowledged_at": as_datetime(acknowledged) if acknowledged <= now else None,
        "responded_at": as_datetime(responded) if responded <= now else None,
        "closed_at": as_datetime(closed) if closed <= now else None,
        "outcome": rng.choice(wording.CASE_OUTCOMES) if closed <= now else None,
    }
