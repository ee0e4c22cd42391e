"""priorities.yaml, capabilities.yaml, resource_types.yaml and incident_types.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.fields import Code, Colour, Seconds, Text

IncidentCategory = Literal[
    "gas", "water", "power", "lifts", "highways", "housing", "welfare", "alarms", "general"
]


class Targets(PackModel):
    """Target times in seconds, counted from when the referral was received."""

    acknowledge: Seconds
    on_scene: Seconds
    update_interval: Seconds
    resolution: Seconds


class TargetOverrides(PackModel):
    """Target times of an incident type that differ from those of its priority."""

    acknowledge: Seconds | None = None
    on_scene: Seconds | None = None
    update_interval: Seconds | None = None
    resolution: Seconds | None = None


class Priority(PackModel):
    code: Code
    name: Text
    colour: Colour
    targets: Targets


class PrioritiesFile(PackModel):
    priorities: list[Priority] = Field(min_length=1)


class Capability(PackModel):
    code: Code
    description: Text


class CapabilitiesFile(PackModel):
    capabilities: list[Capability] = Field(min_length=1)


class ResourceType(PackModel):
    code: Code
    name: Text
    default_capabilities: list[Code] = Field(default_factory=list)
    travel_speed_kmh: float = Field(default=30.0, gt=0, le=150)
    """Typical speed through the served area, used to estimate arrival times."""


class ResourceTypesFile(PackModel):
    resource_types: list[ResourceType] = Field(min_length=1)


class RequiredResource(PackModel):
    """Part of an incident type's required response: ``count`` resources of one type."""

    resource_type: Code
    count: int = Field(default=1, ge=1, le=50)
    capabilities: list[Code] = Field(default_factory=list)


class IncidentType(PackModel):
    code: Code
    name: Text
    category: IncidentCategory
    default_priority: Code
    required_response: list[RequiredResource] = Field(min_length=1)
    description: Text
    target_overrides: TargetOverrides | None = None

    def targets(self, priority: Priority) -> Targets:
        """The targets that apply: the priority's, with this type's overrides laid on top."""
        if self.target_overrides is None:
            return priority.targets
        changes = self.target_overrides.model_dump(exclude_none=True)
        return priority.targets.model_copy(update=changes)


class IncidentTypesFile(PackModel):
    incident_types: list[IncidentType] = Field(min_length=1)


class Disposition(PackModel):
    """How an incident ended, recorded when it is closed (or cancelled)."""

    code: Code
    name: Text
    description: Text
    cancels: bool = False
    """True for the codes of an incident that ends without any work done (hoax, withdrawn, duplicate):
    such an incident is recorded cancelled rather than closed."""


class DispositionsFile(PackModel):
    dispositions: list[Disposition] = Field(min_length=1)
