"""The base of every pack model: unknown keys are refused and loaded values never change."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PackModel(BaseModel):
    """A part of the organisation pack, validated from YAML.

    ``strict`` stops silent conversions that hide mistakes in YAML: ``"120"`` is not a number of
    seconds, ``2025.1`` is not a version text and ``yes`` is not a name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
