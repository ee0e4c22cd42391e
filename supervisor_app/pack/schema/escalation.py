"""escalation.yaml: when an incident must be raised to the duty manager or another organisation."""

from __future__ import annotations

from pydantic import Field, model_validator

from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.fields import Code, Minutes, Text

DUTY_MANAGER = "duty_manager"


class EscalationConditions(PackModel):
    """A rule applies when every condition given holds; a list matches any of its members."""

    priorities: list[Code] = Field(default_factory=list)
    incident_types: list[Code] = Field(default_factory=list)
    minutes_without_resource: Minutes | None = None
    minutes_past_target: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _at_least_one(self) -> EscalationConditions:
        if not (
            self.priorities
            or self.incident_types
            or self.minutes_without_resource is not None
            or self.minutes_past_target is not None
        ):
            raise ValueError(
                "no condition given; expected at least one of priorities, incident_types, "
                "minutes_without_resource, minutes_past_target"
            )
        return self


class EscalationRule(PackModel):
    code: Code
    description: Text
    conditions: EscalationConditions
    target: Code
    """``duty_manager`` or the code of an external organisation."""


class EscalationFile(PackModel):
    escalation_rules: list[EscalationRule] = Field(min_length=1)
