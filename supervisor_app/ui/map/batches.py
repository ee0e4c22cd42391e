"""Live rows as the map page takes them: one compact JSON batch per live update.

Rows go as arrays, not objects, to keep the text (and the time to write and parse it) small:
a resource is ``[id, call sign, type, status, lat, lon]`` and an incident
``[id, reference, priority, type name, status, lat, lon, address]``. Only rows that changed are
sent; the first batch after the live state starts resets the page and carries everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from supervisor_app.services.live_rows import IncidentRow, ResourceRow
from supervisor_app.sync.live_state import Applied, LiveState

ResourceValues = list[object]
IncidentValues = list[object]


def resource_values(row: ResourceRow) -> ResourceValues:
    return [row.id, row.call_sign, row.resource_type, row.status, row.lat, row.lon]


def incident_values(row: IncidentRow, type_names: Mapping[str, str]) -> IncidentValues:
    return [row.id, row.reference, row.priority, type_names.get(row.incident_type, row.incident_type),
            row.status, row.lat, row.lon, row.address]


def batch_json(
    *,
    resources: Iterable[ResourceRow] = (),
    incidents: Iterable[IncidentRow] = (),
    closed_incidents: Iterable[int] = (),
    type_names: Mapping[str, str] | None = None,
    reset: bool = False,
) -> str | None:
    """The JSON text of one batch, or None when there is nothing to send."""
    names = type_names or {}
    batch: dict[str, object] = {}
    if reset:
        batch["reset"] = True
    resource_rows = [resource_values(row) for row in resources]
    if resource_rows:
        batch["resources"] = resource_rows
    incident_rows = [incident_values(row, names) for row in incidents]
    if incident_rows:
        batch["incidents"] = incident_rows
    closed = list(closed_incidents)
    if closed:
        batch["closedIncidents"] = closed
    if not batch:
        return None
    return json.dumps(batch, separators=(",", ":"), ensure_ascii=False)


def started_batch(state: LiveState, type_names: Mapping[str, str]) -> str:
    """Everything the live state holds, replacing whatever the page showed."""
    text = batch_json(resources=state.resources(), incidents=state.incidents(), type_names=type_names, reset=True)
    assert text is not None  # reset alone makes it non-empty
    return text


def applied_batch(applied: Applied, type_names: Mapping[str, str]) -> str | None:
    """Only what ``applied`` changed."""
    return batch_json(
        resources=applied.resources,
        incidents=applied.incidents,
        closed_incidents=applied.incidents_closed,
        type_names=type_names,
    )
