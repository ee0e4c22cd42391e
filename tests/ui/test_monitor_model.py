"""The monitor's table model on its own: rows placed by the sort and the filter one at a time.

Random sequences of changes (rows arriving, changing priority and status, leaving, the sort
column and the filter changing) must leave exactly the rows the filter takes, in the order the
sort gives, with Qt's model tester watching every signal on the way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from supervisor_app.domain.clocks import IncidentTimes, TargetTimes
from supervisor_app.services.monitor import MonitorRow
from supervisor_app.ui.monitor.model import IncidentMonitorModel, MonitorColumn, MonitorFilter

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
PRIORITIES = ["P1", "P2", "P3", "P4"]
STATUSES = ["awaiting_resource", "resource_assigned", "in_progress", "on_hold"]
TARGETS = {
    "P1": TargetTimes.from_seconds(120, 3600, 1800, 28800),
    "P2": TargetTimes.from_seconds(300, 14400, 3600, 86400),
    "P3": TargetTimes.from_seconds(900, 86400, 28800, 259200),
    "P4": TargetTimes.from_seconds(3600, 432000, 86400, 2419200),
}


def row(incident_id: int, priority: str, status: str, minutes_old: int, version: int = 1) -> MonitorRow:
    created = T0 - timedelta(minutes=minutes_old)
    times = IncidentTimes(incident_id, f"INC-20261203-{incident_id:04d}", "GAS_ESCAPE_INTERNAL", priority, status,
                          created, created)
    return MonitorRow(
        incident_id, times.reference, "GAS_ESCAPE_INTERNAL", "Gas escape", priority, status,
        f"Street {incident_id % 7}", 60.17, 24.94, "", created, created, None, created, (), None, None,
        version, times, (),
    )


def model(clock_at: float = 0.0) -> IncidentMonitorModel:
    built = IncidentMonitorModel(lambda r: TARGETS[r.priority], "Europe/Helsinki", clock=lambda: clock_at)
    built.set_priorities([(p, "#ff0000") for p in PRIORITIES])
    return built


def shown(m: IncidentMonitorModel) -> list[int]:
    return [m.row_at(i).incident_id for i in range(m.rowCount())]  # type: ignore[union-attr]


def expected(m: IncidentMonitorModel, rows: dict[int, MonitorRow], chosen: MonitorFilter, column: MonitorColumn,
             descending: bool) -> list[int]:
    kept = [r for r in rows.values() if (not chosen.priorities or r.priority in chosen.priorities)
            and (not chosen.statuses or r.status in chosen.statuses)]

    def key(r: MonitorRow) -> tuple[object, int]:
        if column == MonitorColumn.PRIORITY:
            return (PRIORITIES.index(r.priority), m._cache[r.incident_id].next_due), r.incident_id
        if column == MonitorColumn.AGE:
            return -r.created_at.timestamp(), r.incident_id
        if column == MonitorColumn.TO_TARGET:
            return m._cache[r.incident_id].next_due, r.incident_id
        return m._cache[r.incident_id].texts[column].casefold(), r.incident_id

    return [r.incident_id for r in sorted(kept, key=key, reverse=descending)]


change = st.one_of(
    st.tuples(st.just("upsert"), st.integers(1, 25), st.sampled_from(PRIORITIES), st.sampled_from(STATUSES),
              st.integers(0, 600)),
    st.tuples(st.just("gone"), st.integers(1, 25)),
    st.tuples(st.just("sort"), st.sampled_from([MonitorColumn.PRIORITY, MonitorColumn.TO_TARGET, MonitorColumn.AGE,
                                                MonitorColumn.STATUS, MonitorColumn.REFERENCE]), st.booleans()),
    st.tuples(st.just("filter"), st.sets(st.sampled_from(PRIORITIES), max_size=2),
              st.sets(st.sampled_from(STATUSES), max_size=2)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(change, min_size=1, max_size=40))
def test_rows_are_placed_by_sort_and_filter_one_change_at_a_time(qtmodeltester, changes) -> None:  # type: ignore[no-untyped-def]
    m = model()
    m.set_rows([], T0)
    qtmodeltester.check(m, force_py=True)
    held: dict[int, MonitorRow] = {}
    versions: dict[int, int] = {}
    column, descending, chosen = MonitorColumn.TO_TARGET, False, MonitorFilter()
    for step in changes:
        if step[0] == "upsert":
            _, incident_id, priority, status, age = step
            versions[incident_id] = versions.get(incident_id, 0) + 1
            held[incident_id] = row(incident_id, priority, status, age, versions[incident_id])
            m.apply_rows([held[incident_id]], (), T0)
        elif step[0] == "gone":
            held.pop(step[1], None)
            m.apply_rows([], [step[1]], T0)
        elif step[0] == "sort":
            column, descending = step[1], step[2]
            m.sort(column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        else:
            chosen = MonitorFilter(priorities=frozenset(step[1]), statuses=frozenset(step[2]))
            m.set_filter(chosen)
        assert shown(m) == expected(m, held, chosen, column, descending)
        assert all(m.row_of(iid) == position for position, iid in enumerate(shown(m)))
    assert m.held_count() == len(held)


def test_an_older_read_arriving_late_changes_nothing() -> None:
    m = model()
    m.set_rows([row(1, "P2", "in_progress", 30, version=3)], T0)
    m.apply_rows([row(1, "P1", "on_hold", 30, version=2)], (), T0)
    held = m.row_at(0)
    assert held is not None and (held.priority, held.status, held.version) == ("P2", "in_progress", 3)


def test_cells_give_words_icons_and_colours_for_a_late_target() -> None:
    ticks = [0.0]
    m = IncidentMonitorModel(lambda r: TARGETS[r.priority], "Europe/Helsinki", clock=lambda: ticks[0])
    m.set_priorities([(p, "#ff0000") for p in PRIORITIES])
    m.set_rows([row(1, "P1", "awaiting_resource", 59)], T0)  # no update for 59 minutes
    cell = m.index(0, MonitorColumn.TO_TARGET)
    assert cell.data() == "Update: 29 min late"  # the 30-minute update interval passed first
    assert cell.data(Qt.ItemDataRole.DecorationRole) is not None
    assert cell.data(Qt.ItemDataRole.FontRole).bold()
    ticks[0] = 3600.0
    assert cell.data() == "Update: 1 h 29 min late"
    assert m.index(0, MonitorColumn.AGE).data() == "1 h 59"
    assert m.index(0, MonitorColumn.PRIORITY).data() == "P1"


def test_a_painted_cell_carries_nothing_over_from_the_cell_painted_before(qapp) -> None:  # type: ignore[no-untyped-def]
    """The painter asks for every role at once and reuses its buffer between cells: a role the
    cell has no value for must come back empty, not as the last cell's icon or font."""
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    m = model()
    m.set_rows([row(1, "P1", "awaiting_resource", 59)], T0)
    delegate = QStyledItemDelegate()
    priority = QStyleOptionViewItem()
    delegate.initStyleOption(priority, m.index(0, MonitorColumn.PRIORITY))
    assert not priority.icon.isNull() and priority.font.bold() and priority.text == "P1"
    plain = QStyleOptionViewItem()
    delegate.initStyleOption(plain, m.index(0, MonitorColumn.TYPE))
    assert plain.text == "Gas escape"
    assert plain.icon.isNull() and not plain.font.bold()
