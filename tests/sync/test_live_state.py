from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supervisor_app.services.live_rows import IncidentRow, LogLine, ReloadedRows, ResourceRow, Snapshot, StationRef
from supervisor_app.sync.live_state import LiveState

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def incident(id_: int, version: int, status: str = "awaiting_resource") -> IncidentRow:
    return IncidentRow(
        id_, f"INC-20261123-{id_:04d}", "GAS_ESCAPE_INTERNAL", "P1", status, "Testikatu 1", 60.17, 24.94, T0, version
    )


def resource(id_: int, version: int, status: str = "available") -> ResourceRow:
    return ResourceRow(id_, f"G{id_}", "GAS_ENG", "KAMPPI", status, T0, 60.17, 24.94, version)


def line(id_: int, minutes: int) -> LogLine:
    at = T0 + timedelta(minutes=minutes)
    return LogLine(id_, 1, "INC-20261123-0001", at, at, "NOTE", "sup", "desk-1", f"line {id_}")


def state(log_limit: int = 3) -> LiveState:
    return LiveState(
        Snapshot(
            10,
            T0,
            (StationRef("KAMPPI", "Kamppi depot"),),
            (incident(1, 1),),
            (resource(1, 1),),
            (line(2, 2), line(1, 1)),
        ),
        log_limit,
    )


def test_newer_rows_replace_older_and_repeats_change_nothing() -> None:
    live = state()
    applied = live.apply(
        ReloadedRows(incidents=(incident(1, 2, "resource_assigned"),), resources=(resource(1, 2, "assigned"),)), seq=11
    )
    assert [r.status for r in applied.incidents] == ["resource_assigned"]
    assert [r.status for r in applied.resources] == ["assigned"]
    again = live.apply(
        ReloadedRows(incidents=(incident(1, 2, "resource_assigned"),), resources=(resource(1, 1, "available"),)), seq=11
    )
    assert again.is_empty
    assert live.resources()[0].status == "assigned" and live.seq == 11


def test_closed_incidents_leave_and_a_late_older_row_does_not_bring_them_back() -> None:
    live = state()
    assert live.apply(ReloadedRows(incidents=(incident(1, 5, "closed"),)), seq=12).incidents_closed == (1,)
    assert live.incidents() == []
    assert live.apply(ReloadedRows(incidents=(incident(1, 4, "in_progress"),)), seq=12).is_empty
    reopened = live.apply(ReloadedRows(incidents=(incident(1, 6, "in_progress"),)), seq=13)
    assert [r.id for r in reopened.incidents] == [1]


def test_new_log_lines_merge_newest_first_within_the_limit() -> None:
    live = state(log_limit=3)
    applied = live.apply(ReloadedRows(log_lines=(line(3, 3), line(0, 0), line(2, 2))), seq=11)
    assert [entry.entry_id for entry in applied.log_lines] == [3]  # 2 is held, 0 is older than the window
    assert [entry.entry_id for entry in live.log_lines()] == [3, 2, 1]
