"""A change made by another desk process reaches this desk's Qt models as precise updates."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.context import DeskContext
from supervisor_app.services.desk_overview import LATEST_LOG_LIMIT
from supervisor_app.store.models import Incident, Resource, Station
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.overview import OverviewView
from supervisor_app.ui.overview.resource_model import STATUS_COLUMNS

OPEN_STATUSES = [s.value for s in OPEN_INCIDENT_STATUSES]

OTHER_DESK = textwrap.dedent("""
    import sys
    from sqlalchemy.orm import Session
    from supervisor_app.domain.people import Actor, Role
    from supervisor_app.pack import default_pack_dir, load_pack
    from supervisor_app.services.incidents import add_log_entry
    from supervisor_app.services.resources import change_resource_status
    from supervisor_app.store.engine import make_engine, writer

    url, incident_id, resource_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    pack = load_pack(default_pack_dir())
    engine = writer(make_engine(url))
    other = Actor.of("aino.virtanen", [Role.SUPERVISOR], "desk-7")
    with Session(engine) as session:
        add_log_entry(session, other, incident_id, "NOTE", "From desk 7: key holder on the way", pack)
    with Session(engine) as session:
        change_resource_status(session, other, resource_id, "unavailable", reason="vehicle defect")
""")


def test_another_desks_change_arrives_as_row_insert_and_cell_change(
    qtbot: QtBot, qtmodeltester: ModelTester, main_window: MainWindow, desk_context: DeskContext
) -> None:
    view = main_window.views["overview"]
    assert isinstance(view, OverviewView)
    qtmodeltester.check(view.log_model)  # keeps checking the model's consistency through the updates
    with Session(desk_context.engine) as session:
        incident_id = session.scalars(select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))).first()
        resource_id, station_name = session.execute(
            select(Resource.id, Station.name).join(Station).where(Resource.status == "available")
        ).first()  # type: ignore[misc]
    station_row = next(
        r
        for r in range(view.station_model.rowCount() - 1)
        if view.station_model.data(view.station_model.index(r, 0)) == station_name
    )
    unavailable_column = 1 + STATUS_COLUMNS.index(ResourceStatus.UNAVAILABLE)
    unavailable_before = view.station_model.count(station_row, unavailable_column)

    signals: list[tuple[str, object]] = []
    view.log_model.rowsInserted.connect(lambda _parent, first, last: signals.append(("log inserted", (first, last))))
    view.log_model.modelReset.connect(lambda: signals.append(("log reset", None)))
    view.station_model.dataChanged.connect(lambda top, _bottom: signals.append(("station changed", top.row())))
    view.station_model.modelReset.connect(lambda: signals.append(("station reset", None)))

    result = subprocess.run(
        [sys.executable, "-c", OTHER_DESK, desk_context.settings.db_url, str(incident_id), str(resource_id)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    qtbot.waitUntil(
        lambda: view.station_model.count(station_row, unavailable_column) == unavailable_before + 1, timeout=5000
    )
    qtbot.waitUntil(lambda: view.log_model.line(0).text == "From desk 7: key holder on the way", timeout=5000)

    assert ("log inserted", (0, 0)) in signals
    assert ("station changed", station_row) in signals
    assert not [name for name, _ in signals if name.endswith("reset")]
    assert view.log_model.rowCount() == LATEST_LOG_LIMIT
    assert view.log_model.line(0).desk == "desk-7"


def test_the_status_bar_shows_desks_on_line_and_what_they_work_on(
    qtbot: QtBot, main_window: MainWindow, desk_context: DeskContext
) -> None:
    from supervisor_app.domain.people import Actor, Role
    from supervisor_app.services.presence import claim_incident, register_desk
    from supervisor_app.store.engine import writer

    online = main_window.status.desks_online
    qtbot.waitUntil(lambda: online.label.text() == "1 desk on line", timeout=5000)
    assert "desk-1: demo.supervisor" in online.toolTip()

    other = Actor.of("aino.virtanen", [Role.SUPERVISOR], "desk-7")
    engine = writer(desk_context.engine)
    with Session(engine) as session:
        register_desk(session, other)
    with Session(desk_context.engine) as session:
        incident_id, reference = session.execute(
            select(Incident.id, Incident.reference).where(Incident.status.in_(OPEN_STATUSES))
        ).first()  # type: ignore[misc]
    with Session(engine) as session:
        claim_incident(session, other, incident_id, timezone=desk_context.pack.timezone)
    qtbot.waitUntil(lambda: online.label.text() == "2 desks on line" and reference in online.toolTip(), timeout=5000)
    assert "desk-7: aino.virtanen, since" in online.toolTip() and f"working on {reference}" in online.toolTip()
