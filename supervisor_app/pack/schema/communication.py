"""channels.yaml, codes.yaml, wording.yaml and external_organisations.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.fields import Code, LogCodeName, LogTemplate, MessageTemplate, Text

Medium = Literal["voice", "data"]
ExternalKind = Literal[
    "utility", "police", "fire", "ambulance", "council", "social_services", "contractor", "other"
]


class Channel(PackModel):
    code: Code
    medium: Medium
    name: Text
    enabled: bool = True


class ChannelsFile(PackModel):
    channels: list[Channel] = Field(min_length=1)


class LogCode(PackModel):
    """A standard entry of the incident log: short code, label and the wording it records."""

    code: LogCodeName
    label: Text
    wording: LogTemplate


class CodesFile(PackModel):
    log_codes: list[LogCode] = Field(min_length=1)


class EmailWording(PackModel):
    subject: MessageTemplate
    body: MessageTemplate


class MessageWording(PackModel):
    """The agreed wording of one message, for each medium it can be sent by."""

    mdt: MessageTemplate
    sms: MessageTemplate
    email: EmailWording
    voice: MessageTemplate


class Messages(PackModel):
    deployment: MessageWording
    cancellation: MessageWording
    update_request: MessageWording


class WordingFile(PackModel):
    messages: Messages


class ExternalOrganisation(PackModel):
    code: Code
    name: Text
    kind: ExternalKind
    channels: list[Code] = Field(min_length=1)
    """Channels the organisation takes requests by, from channels.yaml."""
    may_request: list[Code] = Field(default_factory=list)
    """Requests the desk is authorised to make of this organisation."""


class ExternalOrganisationsFile(PackModel):
    external_organisations: list[ExternalOrganisation] = Field(min_length=1)
