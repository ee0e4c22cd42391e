"""Checks that look across keys and files, run after every file has passed its schema.

Each check takes the valid sections and returns the problems it found; it skips its work when a
section it needs did not pass its schema (that section's problems are reported already).
"""

from __future__ import annotations

from collections.abc import Callable

from supervisor_app.pack.checks.coverage import check_required_responses_can_be_met
from supervisor_app.pack.checks.geography import check_places_inside_area
from supervisor_app.pack.checks.procedures import check_procedures
from supervisor_app.pack.checks.references import check_references
from supervisor_app.pack.checks.system_codes import check_system_codes_defined
from supervisor_app.pack.checks.targets import check_policy_deadlines, check_target_order
from supervisor_app.pack.checks.uniqueness import check_unique_call_signs, check_unique_codes
from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.sections import ValidSections

PackCheck = Callable[[ValidSections], list[PackProblem]]

PACK_CHECKS: tuple[PackCheck, ...] = (
    check_unique_codes,
    check_unique_call_signs,
    check_target_order,
    check_policy_deadlines,
    check_references,
    check_places_inside_area,
    check_required_responses_can_be_met,
    check_system_codes_defined,
    check_procedures,
)
