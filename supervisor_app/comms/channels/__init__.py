"""Channel adapters: how a stored message reaches a unit or a partner, behind one small interface.

The outbox (which stores every message before it is sent, and records what became of it) calls
``ChannelAdapter.send`` and gets a ``Delivery`` or a ``SendFailed`` that says why and whether a retry
can help. The adapters keep no records of their own and never touch the database.

- ``VoiceLog`` (``voice_radio``, ``voice_phone``): the supervisor passes the message in person.
- ``MdtLink`` (``mdt``): MQTT to the units' terminals, with their acknowledgements, status and
  position reports as events; ``FieldUnitClient`` is the terminal's side.
- ``SmtpChannel`` (``email``): SMTP through the organisation's relay.
- ``SmsGatewayChannel`` (``sms``): the organisation's HTTP SMS gateway.

Their settings are in ``config``; their secrets come from the secret store and are handed to the
constructors, never kept in settings.
"""

from supervisor_app.comms.channels.base import (
    ChannelAdapter,
    Delivery,
    OutboundMessage,
    SendFailed,
    VoiceLog,
)
from supervisor_app.comms.channels.config import (
    ChannelSettings,
    MqttSettings,
    SmsGatewaySettings,
    SmtpSettings,
    default_topic_prefix,
)
from supervisor_app.comms.channels.email import SmtpChannel
from supervisor_app.comms.channels.mqtt import (
    AcknowledgementReceived,
    DeploymentReceived,
    FieldUnitClient,
    InboundEvent,
    LinkState,
    MalformedReport,
    MdtLink,
    PositionReported,
    StatusReported,
)
from supervisor_app.comms.channels.sms import SmsGatewayChannel, normalise_phone_number

__all__ = [
    "AcknowledgementReceived",
    "ChannelAdapter",
    "ChannelSettings",
    "Delivery",
    "DeploymentReceived",
    "FieldUnitClient",
    "InboundEvent",
    "LinkState",
    "MalformedReport",
    "MdtLink",
    "MqttSettings",
    "OutboundMessage",
    "PositionReported",
    "SendFailed",
    "SmsGatewayChannel",
    "SmsGatewaySettings",
    "SmtpChannel",
    "SmtpSettings",
    "StatusReported",
    "VoiceLog",
    "default_topic_prefix",
    "normalise_phone_number",
]
