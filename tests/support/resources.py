"""A free resource of a type for a test to deploy, whatever the time of day the demo was seeded at.

The demo's shifts and seeded jobs leave different units free at different hours; when none of
the type is free, one that is off duty, unavailable or returning is put back on as a supervisor
would (through the service, with a reason), so the test works at any hour.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.context import DeskContext
from supervisor_app.services.resources import change_resource_status
from supervisor_app.store.models import Resource

_PUT_BACK_ON = (ResourceStatus.RETURNING.value, ResourceStatus.OFF_DUTY.value, ResourceStatus.UNAVAILABLE.value)


def free_resource(context: DeskContext, resource_type: str) -> int:
    """The id of an available resource of ``resource_type`` (made available if none is)."""
    with Session(context.engine) as session:
        ids = dict(session.execute(
            select(Resource.status, Resource.id).where(Resource.resource_type == resource_type)
            .order_by(Resource.id.desc())
        ).all())
    if ResourceStatus.AVAILABLE.value in ids:
        return ids[ResourceStatus.AVAILABLE.value]
    back_on = next((ids[status] for status in _PUT_BACK_ON if status in ids), None)
    assert back_on is not None, f"every {resource_type} of the demo is on a job"
    with context.write_session() as session:
        change_resource_status(session, context.actor, back_on, ResourceStatus.AVAILABLE,
                               reason="Put back on for the test")
    return back_on
