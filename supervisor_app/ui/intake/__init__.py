"""Intake: a referred incident assessed through the organisation's procedure, and saved."""

from supervisor_app.ui.intake.view import IntakeView

__all__ = ["IntakeView"]
