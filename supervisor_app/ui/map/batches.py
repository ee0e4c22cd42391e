"""Live rows as the map page takes them: one compact JSON batch per live update.

A resource the page has not seen (or whose call sign or type changed) goes as a full row,
``[id, call sign, type, status, lat, lon]``; an incident as ``[id, reference, priority, type name,
status, lat, lon, address]``. Resources the page already knows, which is nearly every row of a
busy update, go in ``moves``: packed columns of ids (uint16 while every id is below 65,536, else
int32: the page tells them apart by length), positions (float32: within half a metre) and states
(an index into ``STATUS_CODES``, int8), each base64 in the JSON, in the machine's byte order
(little-endian on every platform the desk runs on, as in the page's typed arrays). Python writes those without
formatting a number and the page reads them without parsing one, which keeps 5,000 moving units
to a few milliseconds a second on each side. Only changed rows are sent; the first batch after
the live state starts resets the page and carries everything.
"""

from __future__ import annotations

import base64
import json
from array import array
from collections.abc import Iterable, Mapping, Sequence

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.live_rows import IncidentRow, ResourceRow
from supervisor_app.sync.live_state import Applied, LiveState

STATUS_CODES = tuple(status.value for status in ResourceStatus)
_STATUS_INDEX = {code: index for index, code in enumerate(STATUS_CODES)}


def resource_values(row: ResourceRow) -> list[object]:
    return [row.id, row.call_sign, row.resource_type, row.status, row.lat, row.lon]


def incident_values(row: IncidentRow, type_names: Mapping[str, str]) -> list[object]:
    return [row.id, row.reference, row.priority, type_names.get(row.incident_type, row.incident_type),
            row.status, row.lat, row.lon, row.address]


def _packed(values: array) -> str:  # type: ignore[type-arg]
    return base64.b64encode(values.tobytes()).decode("ascii")


class PageBatches:
    """Writes the batches for one page, remembering which resources it already holds.

    A unit's call sign and type are sent once, in its first full row: they come from the
    organisation pack and no use case changes them while the desk runs (a new pack means a new
    desk session, whose first batch resets the page).
    """

    def __init__(self, type_names: Mapping[str, str]) -> None:
        self.type_names = dict(type_names)
        self._known: set[int] = set()  # resource ids the page holds

    def started(self, state: LiveState) -> str:
        """Everything the live state holds, replacing whatever the page showed."""
        self._known.clear()
        text = self._batch(state.resources(), state.incidents(), (), reset=True)
        assert text is not None  # reset alone makes it non-empty
        return text

    def applied(self, applied: Applied) -> str | None:
        """Only what ``applied`` changed; None when nothing the map shows did."""
        return self._batch(applied.resources, applied.incidents, applied.incidents_closed)

    def _batch(self, resources: Sequence[ResourceRow], incidents: Iterable[IncidentRow], closed: Iterable[int],
               *, reset: bool = False) -> str | None:
        batch: dict[str, object] = {"reset": True} if reset else {}
        full, moves = self._resource_parts(resources)
        if full:
            batch["resources"] = [resource_values(row) for row in full]
            self._known.update(row.id for row in full)
        if moves:
            batch["moves"] = moves
        incident_rows = [incident_values(row, self.type_names) for row in incidents]
        if incident_rows:
            batch["incidents"] = incident_rows
        closed_ids = list(closed)
        if closed_ids:
            batch["closedIncidents"] = closed_ids
        if not batch:
            return None
        return json.dumps(batch, separators=(",", ":"), ensure_ascii=False)

    def _resource_parts(self, rows: Sequence[ResourceRow]) -> tuple[list[ResourceRow], dict[str, str] | None]:
        """(rows to send whole, the packed moves). In a busy update every row is usually a move of a
        known unit, so the columns are packed for all rows at once (thousands of rows a second);
        packing refuses a missing position or an unknown state, and only then are the rows sorted
        one by one."""
        if not rows:
            return [], None
        try:
            if not self._known.issuperset([row.id for row in rows]):
                raise LookupError("a unit the page does not hold yet")
            return [], _packed_moves(rows)
        except (LookupError, TypeError):
            pass
        known = self._known
        full = [row for row in rows
                if row.id not in known or row.lat is None or row.lon is None or row.status not in _STATUS_INDEX]
        if len(full) == len(rows):
            return full, None
        whole = {id(row) for row in full}
        return full, _packed_moves([row for row in rows if id(row) not in whole])


def _packed_moves(rows: Sequence[ResourceRow]) -> dict[str, str]:
    """The moves' columns; TypeError for a missing position, KeyError for an unknown state."""
    index = _STATUS_INDEX
    ids = [row.id for row in rows]
    return {
        "status": _packed(array("b", [index[row.status] for row in rows])),
        "lat": _packed(array("f", [row.lat for row in rows])),
        "lon": _packed(array("f", [row.lon for row in rows])),
        "id": _packed(array("H" if max(ids) < 1 << 16 else "i", ids)),
    }
