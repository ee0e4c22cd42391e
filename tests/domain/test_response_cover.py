"""What of a required response is still missing, and when a resource goes off shift."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from supervisor_app.domain.deployments import outstanding_response
from supervisor_app.domain.incidents import ResponseRequirement as Need
from supervisor_app.domain.shifts import resource_shift_end

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_each_deployed_resource_counts_once_towards_the_most_demanding_line_it_can_serve() -> None:
    required = [Need("WATER_CREW", 1), Need("WATER_CREW", 1, ("valve_operation",)), Need("HWY_CREW", 1)]
    valve = ("WATER_CREW", frozenset({"valve_operation"}))
    assert outstanding_response(required, [valve]) == (Need("WATER_CREW", 1), Need("HWY_CREW", 1))
    assert outstanding_response(required, [valve, ("WATER_CREW", frozenset())]) == (Need("HWY_CREW", 1),)
    assert outstanding_response(required, [("WATER_CREW", frozenset())] * 2) == (
        Need("WATER_CREW", 1, ("valve_operation",)), Need("HWY_CREW", 1))
    assert outstanding_response([Need("GAS_ENG", 3)], [("GAS_ENG", frozenset())]) == (Need("GAS_ENG", 2),)
    assert outstanding_response([], [("GAS_ENG", frozenset())]) == ()


def test_day_and_night_resources_go_off_at_the_end_of_their_own_shift_only() -> None:
    morning = datetime(2026, 11, 23, 9, 30, tzinfo=HELSINKI)
    late = datetime(2026, 11, 23, 23, 0, tzinfo=HELSINKI)
    assert resource_shift_end("day", morning) == datetime(2026, 11, 23, 19, 0, tzinfo=HELSINKI)
    assert resource_shift_end("night", late) == datetime(2026, 11, 24, 7, 0, tzinfo=HELSINKI)
    assert resource_shift_end("night", morning) is None  # not on shift
    assert resource_shift_end("24h", morning) is None
    assert resource_shift_end("on_call", late) is None
