"""organisation.yaml and policies.yaml: who the organisation is, and the rules it works to."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import BoundingBox
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.communication import Reachable
from supervisor_app.pack.schema.fields import Days, Latitude, Longitude, Seconds, Text, TimezoneName

SUPPORTED_SCHEMA_VERSION = 1


class ServedArea(PackModel):
    """The rectangle the organisation serves; every place in the pack must lie inside it."""

    south: Latitude
    west: Longitude
    north: Latitude
    east: Longitude

    @model_validator(mode="after")
    def _corners_in_order(self) -> ServedArea:
        try:
            self.bounding_box()
        except InvalidValue:
            raise ValueError(
                f"south ({self.south}) must be less than north ({self.north}) and west "
                f"({self.west}) less than east ({self.east})"
            ) from None
        return self

    def bounding_box(self) -> BoundingBox:
        return BoundingBox(self.south, self.west, self.north, self.east)


class OrganisationFile(PackModel):
    """organisation.yaml."""

    schema_version: int
    name: Text
    short_name: Text = Field(max_length=40)
    timezone: TimezoneName
    area: ServedArea
    pack_version: Text

    @field_validator("schema_version")
    @classmethod
    def _supported_version(cls, value: int) -> int:
        if value != SUPPORTED_SCHEMA_VERSION:
            raise ValueError(
                f"schema version {value} is not supported by this version of the application; "
                f"expected {SUPPORTED_SCHEMA_VERSION}"
            )
        return value


class DeploymentPolicy(PackModel):
    acknowledgement_timeout_seconds: Seconds


class ComplaintPolicy(PackModel):
    acknowledgement_days: Days
    response_days: Days
    statutory_response_days: Days


class QueryPolicy(PackModel):
    response_days: Days


class DutyManager(Reachable):
    """The duty manager on call, whom the desk escalates to."""

    name: Text


class PoliciesFile(PackModel):
    """policies.yaml."""

    deployment: DeploymentPolicy
    duty_manager: DutyManager
    complaints: ComplaintPolicy
    queries: QueryPolicy
    data_protection_notice: Text
    safeguarding_referral_rule: Text
