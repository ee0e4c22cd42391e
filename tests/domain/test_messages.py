"""Outbound messages: the retry schedule, the life cycle, and the wording per medium."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supervisor_app.domain.errors import InvalidTransition, InvalidValue
from supervisor_app.domain.messages import (
    MAX_AUTOMATIC_ATTEMPTS,
    MESSAGE_LIFECYCLE,
    SMS_MAX_CHARACTERS,
    MessageStatus,
    WordingKind,
    compose,
    retry_delay,
    wording_kind,
)

TEMPLATES = {
    "mdt": "{reference} {priority} {incident_type} | {address} |\n Required: {required_response}",
    "sms": "{reference} {priority} {incident_type} at {address}. {required_response}",
    "voice": "{call_sign}, this is control. {reference} at {address}.",
    "email": {"subject": "Deployment {reference}", "body": "You are deployed to {reference}.\n\n{organisation}"},
}
FIELDS = {"reference": "INC-20261123-0001", "priority": "P1", "incident_type": "Gas escape",
          "address": "Mannerheimintie 5", "call_sign": "G11", "organisation": "Helsinki",
          "required_response": "isolate the supply"}


def test_retries_wait_longer_each_time_and_stop_for_a_person() -> None:
    waits = [retry_delay(attempt) for attempt in range(1, MAX_AUTOMATIC_ATTEMPTS + 1)]
    assert waits == [timedelta(seconds=15), timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120), None]
    with pytest.raises(InvalidValue):
        retry_delay(0)


def test_a_failed_message_goes_back_to_the_queue_and_nothing_leaves_acknowledged() -> None:
    MESSAGE_LIFECYCLE.check(MessageStatus.FAILED, MessageStatus.QUEUED)
    with pytest.raises(InvalidTransition):
        MESSAGE_LIFECYCLE.check(MessageStatus.ACKNOWLEDGED, MessageStatus.QUEUED)
    with pytest.raises(InvalidTransition):
        MESSAGE_LIFECYCLE.check(MessageStatus.FAILED, MessageStatus.SENT)


def test_each_channel_reads_its_own_wording() -> None:
    assert wording_kind("voice_radio", "voice") is WordingKind.VOICE
    assert wording_kind("sms", "data") is WordingKind.SMS
    with pytest.raises(InvalidValue, match="mdt, sms or email"):
        wording_kind("fax", "data")
    mdt = compose(WordingKind.MDT, TEMPLATES, FIELDS)
    assert mdt.body == "INC-20261123-0001 P1 Gas escape | Mannerheimintie 5 | Required: isolate the supply"
    email = compose(WordingKind.EMAIL, TEMPLATES, FIELDS)
    assert (email.subject, email.body) == ("Deployment INC-20261123-0001",
                                           "You are deployed to INC-20261123-0001.\n\nHelsinki")


def test_a_long_text_message_is_shortened_at_a_word_keeping_its_start() -> None:
    long = {**FIELDS, "required_response": "isolate the supply " * 20}
    sms = compose(WordingKind.SMS, TEMPLATES, long)
    assert len(sms.body) <= SMS_MAX_CHARACTERS
    assert sms.body.startswith("INC-20261123-0001 P1 Gas escape at Mannerheimintie 5.")
    assert sms.body.endswith("\u2026") and not sms.body[:-1].endswith(" ")
