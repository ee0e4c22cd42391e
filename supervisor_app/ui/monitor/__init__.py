"""The incident monitor view: every live incident, its resources and clocks, alerts and detail."""

from supervisor_app.ui.monitor.view import IncidentMonitorView

__all__ = ["IncidentMonitorView"]
