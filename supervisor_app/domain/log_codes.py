"""Log codes the desk writes itself; every organisation pack must define each one."""

from __future__ import annotations

from supervisor_app.domain.deployments import DeploymentStatus

INCIDENT_CREATED = "REF"
DEPLOYED = "DEPLOY"
NOTE = "NOTE"

#: Codes an intake writes beside those its procedure's questions and checks name.
ASSESSED = "ASSESS"
ADVICE_GIVEN = "ADVICE"
OVERRIDDEN = "OVERRIDE"
VALIDITY_FLAGGED = "VALID"
LINKED = "LINK"
INTAKE_CODES = frozenset({ASSESSED, ADVICE_GIVEN, OVERRIDDEN, VALIDITY_FLAGGED, LINKED})

#: The log code recorded when a deployment reaches a state.
FOR_DEPLOYMENT_STATUS: dict[DeploymentStatus, str] = {
    DeploymentStatus.ACKNOWLEDGED: "ACK",
    DeploymentStatus.EN_ROUTE: "ENRT",
    DeploymentStatus.ON_SCENE: "ONSC",
    DeploymentStatus.CLEARED: "CLR",
    DeploymentStatus.CANCELLED: "STDN",
}

#: Requests to other organisations and their replies, escalations, missed targets, and closing.
EXTERNAL_REQUEST = "XREQ"
EXTERNAL_REPLY = "XRESP"
ESCALATED = "ESC"
TARGET_MISSED = "LATE"
CLOSED = "CLOSE"
MONITOR_CODES = frozenset({EXTERNAL_REQUEST, EXTERNAL_REPLY, ESCALATED, TARGET_MISSED, CLOSED})

SYSTEM_CODES = frozenset(
    {INCIDENT_CREATED, DEPLOYED, NOTE, *FOR_DEPLOYMENT_STATUS.values(), *INTAKE_CODES, *MONITOR_CODES}
)
