"""Desk overview: open incidents by priority, resources by station and status, the latest log."""

from supervisor_app.ui.overview.view import OverviewView

NAME = OverviewView.NAME
TITLE = OverviewView.TITLE

__all__ = ["NAME", "TITLE", "OverviewView"]
