"""Render the desk at 1600x900 with the demo organisation, in both themes: the desk, the intake
view part-way through an assessment, the deployment queue and its organisations tab, the incident
monitor on a busy shift, the sign-in, the locked desk and (as the demo administrator) the accounts
view. The resource map has its own script: ``python -m tests.ui.map.screenshots``.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take.py [output folder] [which ...]

Opens a fresh SQLite desk in a temporary folder exactly as a first run does (schema, then the demo
organisation with 30 days of history), waits until the overview has loaded, and saves
``desk-dark.png``, ``desk-high-contrast.png`` and the others named in ``SHOTS`` and
``SESSION_SHOTS`` next to this script (or in the folder given).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from supervisor_app.bootstrap import prepare_desk
from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.services.context import OpenedDatabase
from supervisor_app.services.sign_in import sign_in
from supervisor_app.settings import Settings
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.map import prepare_web_engine
from supervisor_app.ui.session import SignInDialog

SIZE = (1600, 900)
SHOTS = {"dark": "desk-dark.png", "high_contrast": "desk-high-contrast.png"}
SESSION_SHOTS = {
    "dark": ("sign-in-dark.png", "locked-dark.png", "accounts-dark.png"),
    "high_contrast": ("sign-in-high-contrast.png", "locked-high-contrast.png", "accounts-high-contrast.png"),
}
LOAD_TIMEOUT_S = 30.0


def settle(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def grab_in_each_theme(app: QApplication, window: MainWindow, output: Path, shots: dict[str, str]) -> list[Path]:
    """The window as it stands, once in each theme of ``shots`` (theme name -> file name)."""
    saved = []
    for theme, file_name in shots.items():
        window.set_theme(theme)
        settle(app, 0.3)
        path = output / file_name
        window.grab().save(str(path))
        saved.append(path)
    return saved


def wait_for_overview(app: QApplication, window: MainWindow) -> None:
    overview = window.views["overview"]
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while (getattr(overview, "snapshot", None) is None or not getattr(overview, "is_live", False)
           or window.runner.busy_count):
        if time.monotonic() > deadline:
            raise SystemExit("The overview did not load within 30 s.")
        app.processEvents()
        time.sleep(0.01)


def take(output: Path, only: set[str] | None = None) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    if QApplication.instance() is None:
        prepare_web_engine()  # as the desk does: the map's web engine is set up before the application
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    saved = []
    with tempfile.TemporaryDirectory(prefix="desk-screenshots-") as folder:
        data = Path(folder)
        settings = Settings(
            data_dir=data, config_dir=data, db_url=f"sqlite:///{data / 'desk.db'}",
            desk_name="desk-1", user="demo.supervisor", theme="dark",
        )
        database = prepare_desk(settings, progress=print)
        with database.write_session() as session:
            actor = sign_in(session, "demo.supervisor", DEMO_PASSWORD, "desk-1", timezone=database.pack.timezone)
        context = database.signed_in(actor)
        window = create_main_window(context)
        try:
            window.resize(*SIZE)
            window.show()
            wait_for_overview(app, window)
            if only is None or "desk" in only:
                for path in grab_in_each_theme(app, window, output, SHOTS):
                    saved.append(path)
                    print(f"saved {path}")
            for name, shots in (("intake", _intake_shots), ("queue", _queue_shots), ("monitor", _monitor_shots)):
                if only is None or name in only:
                    saved += shots(app, window, output)
            if only is None or "session" in only:
                saved += _session_shots(app, window, database, output)
        finally:
            window.close()
            context.engine.dispose()
    return saved


INTAKE_SHOTS = {"dark": "intake-dark.png", "high_contrast": "intake-high-contrast.png"}
QUEUED_REFERRALS = (
    '{"partner": "TELECARE_OY", "reference": "TC-20481", "source": "alarm", "incident_type": "TELECARE_NO_RESPONSE",'
    ' "summary": "Pendant alarm, client not answering", "address": "Unioninkatu 20",'
    ' "contact": {"organisation": "Telecare Oy", "phone": "+358 9 555 0100"}}',
    '{"partner": "HSY_WATER", "reference": "HSY-77310", "incident_type": "WATER_MAIN_BURST",'
    ' "summary": "Water coming up through the road surface", "address": "Pohjoisesplanadi 11"}',
)


def _intake_shots(app: QApplication, window: MainWindow, output: Path) -> list[Path]:
    """The intake view part-way through a lift entrapment, with referrals waiting in the queue."""
    from supervisor_app.domain.referrals import read_referral
    from supervisor_app.services.referrals import receive_referral
    from supervisor_app.ui.intake import IntakeView

    context = window.context
    for line in QUEUED_REFERRALS:
        with context.write_session() as session:
            receive_referral(session, context.actor, read_referral(line), context.pack)
    window.show_view("intake")
    view = window.views["intake"]
    assert isinstance(view, IntakeView)
    settle(app, 0.5)
    view.new_referral()
    form = view.form
    form.incident_type.setCurrentIndex(form.incident_type.findData("LIFT_ENTRAPMENT"))
    form.contact_name.setText("Aino Virtanen")
    form.contact_phone.setText("+358 40 123 4567")
    place = next(p for p in context.pack.gazetteer() if p.label.startswith("Aleksanterinkatu 5"))
    form.address.setText(place.label)
    form.coordinates.setText(f"{place.lat:.6f}, {place.lon:.6f}")
    form.summary.setPlainText("Two people stuck in the lift between floors 3 and 4; a child is with them")
    form.sig_place_changed.emit()
    for answer in ("Block B, lift 2, stuck between floors 3 and 4", True, True, False, True):
        view.script.answer(answer)
    view.outcome.advice_given.setChecked(True)
    settle(app, 1.0)
    saved = grab_in_each_theme(app, window, output, INTAKE_SHOTS)
    view.new_referral()
    window.show_view("overview")
    return saved


QUEUE_SHOTS = {"dark": "queue-dark.png", "high_contrast": "queue-high-contrast.png"}
ORGANISATION_SHOTS = {"dark": "queue-organisations-dark.png", "high_contrast": "queue-organisations-high-contrast.png"}


def _queue_shots(app: QApplication, window: MainWindow, output: Path) -> list[Path]:
    """The deployment queue of the demo shift, with the recommendation open for its first incident."""
    from supervisor_app.ui.queue import DeploymentQueueView

    window.show_view("queue")
    view = window.views["queue"]
    assert isinstance(view, DeploymentQueueView)
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while view.model.rowCount() == 0 or window.runner.busy_count:
        if time.monotonic() > deadline:
            raise SystemExit("The deployment queue did not load within 30 s.")
        app.processEvents()
        time.sleep(0.01)
    view.table.selectRow(0)
    view.open_recommendation()
    settle(app, 1.5)
    saved = grab_in_each_theme(app, window, output, QUEUE_SHOTS)
    # A request to the police made by telephone, waiting for their answer.
    view.show_organisations()
    panel = view.organisations
    panel.organisation.setCurrentIndex(panel.organisation.findData("HELSINKI_POLICE"))
    panel.request.setCurrentIndex(panel.request.findData("traffic_control"))
    panel.reason.setText("Water over the carriageway; hold traffic back")
    panel.ask()
    settle(app, 1.5)
    panel.reason.setText("Patrol 21 on its way")
    panel.their_reference.setText("POL-4471")
    saved += grab_in_each_theme(app, window, output, ORGANISATION_SHOTS)
    window.show_view("overview")
    return saved


MONITOR_SHOTS = {"dark": "monitor-dark.png", "high_contrast": "monitor-high-contrast.png"}


BUSY_SHIFT_REFERRALS = 300


def busy_shift(window: MainWindow, count: int = BUSY_SHIFT_REFERRALS) -> None:
    """A busy shift: ``count`` more referrals of every type, at the demo's addresses, through the service."""
    import random

    from supervisor_app.domain.geo import Coordinate
    from supervisor_app.domain.incidents import IncidentLocation, NewIncident, ReferralSource, ResponseRequirement
    from supervisor_app.services.incidents import create_incident

    context = window.context
    pack, rng = context.pack, random.Random(7)
    places = pack.gazetteer()
    for _ in range(count):
        kind, place = rng.choice(pack.incident_types), rng.choice(places)
        draft = NewIncident(
            incident_type=kind.code, priority=kind.default_priority,
            location=IncidentLocation(Coordinate(place.lat, place.lon), place.label), source=ReferralSource.PHONE,
            summary=f"{kind.name} reported by a caller",
            required_response=tuple(ResponseRequirement(n.resource_type, n.count, tuple(n.capabilities))
                                    for n in kind.required_response),
        )
        with context.write_session() as session:
            create_incident(session, context.actor, draft, pack)


def _monitor_shots(app: QApplication, window: MainWindow, output: Path) -> list[Path]:
    """The incident monitor of a busy shift, sorted by the next target, the first incident open."""
    from supervisor_app.ui.monitor import IncidentMonitorView

    busy_shift(window)
    window.show_view("monitor")
    view = window.views["monitor"]
    assert isinstance(view, IncidentMonitorView)
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while view.model.rowCount() == 0 or window.runner.busy_count:
        if time.monotonic() > deadline:
            raise SystemExit("The incident monitor did not load within 30 s.")
        app.processEvents()
        time.sleep(0.01)
    view.table.selectRow(0)
    settle(app, 1.5)
    saved = grab_in_each_theme(app, window, output, MONITOR_SHOTS)
    window.show_view("overview")
    return saved


def _session_shots(app: QApplication, window: MainWindow, database: OpenedDatabase, output: Path) -> list[Path]:
    """The sign-in dialog, the locked desk, and the accounts view as the demo administrator."""
    saved = []
    for theme, (sign_in_file, locked_file, _accounts) in SESSION_SHOTS.items():
        window.set_theme(theme)
        dialog = SignInDialog(database)
        dialog.resize(640, 520)
        dialog.show()
        settle(app, 0.3)
        path = output / sign_in_file
        dialog.grab().save(str(path))
        dialog.close()
        saved.append(path)
        window.session.lock("Locked at 14:32 after 15 minutes without use.", reason="idle")
        settle(app, 0.4)
        path = output / locked_file
        window.grab().save(str(path))
        saved.append(path)
        window.session._unlocked()
    with window.context.write_session() as session:
        admin = sign_in(session, "demo.admin", DEMO_PASSWORD, "desk-1", timezone=window.context.pack.timezone)
    window.context.hand_over(admin)
    window.on_actor_changed(admin)
    window.show_view("accounts")
    settle(app, 1.0)
    saved += grab_in_each_theme(app, window, output, {theme: files[2] for theme, files in SESSION_SHOTS.items()})
    for path in saved:
        print(f"saved {path}")
    return saved


if __name__ == "__main__":
    # take.py [folder] [desk intake queue monitor session ...]: the shots named, or all of them
    take(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent, set(sys.argv[2:]) or None)
