"""Incident Supervisor: the control-room desk for an incident contact centre."""

__version__ = "0.1.0"
