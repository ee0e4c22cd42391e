"""channels.yaml, codes.yaml, wording.yaml and external_organisations.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

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
    external_request: MessageWording
    """A request to another organisation (the police, a utility's control room, a contractor)."""
    escalation: MessageWording
    """An incident raised to the duty manager, or to another organisation, with the reason."""


class WordingFile(PackModel):
    messages: Messages


class Reachable(PackModel):
    """Someone the desk contacts by the channels listed, each at its own address."""

    channels: list[Code] = Field(min_length=1)
    """Channels they take requests by, from channels.yaml, the preferred one first."""
    contacts: dict[Code, Text] = Field(default_factory=dict)
    """Where each channel reaches them: a telephone number, a talk group, an e-mail address, a
    mobile number for text messages. Every channel listed needs one."""

    @model_validator(mode="after")
    def _a_contact_per_channel(self) -> Reachable:
        missing = [code for code in self.channels if code not in self.contacts]
        if missing:
            raise ValueError(
                f"no contact for the channel {', '.join(missing)}; add it under contacts "
                "(a phone number, talk group or address per channel)"
            )
        unused = sorted(set(self.contacts) - set(self.channels))
        if unused:
            raise ValueError(f"contacts for {', '.join(unused)}, which is not in channels; add it there or remove it")
        return self


class ExternalOrganisation(Reachable):
    code: Code
    name: Text
    kind: ExternalKind
    may_request: list[Code] = Field(default_factory=list)
    """Requests the desk is authorised to make of this organisation."""


class ExternalOrganisationsFile(PackModel):
    external_organisations: list[ExternalOrganisation] = Field(min_length=1)
