"""Settings of the channels that need a server: the MQTT broker, the SMTP relay, the SMS gateway.

Defaults suit the demo: the MDT link talks to a broker on this machine (127.0.0.1:1883), and
e-mail and SMS stay off until someone sets them up, because there is no server to assume.

No secret lives here. The MQTT password, the SMTP password and the SMS gateway's token are kept in
the secret store under the names in ``supervisor_app.secrets.names`` (``MQTT_BROKER_SECRET``,
``SMTP_RELAY_SECRET``, ``SMS_GATEWAY_SECRET``) and the caller passes them to the adapter when it
builds it, so settings can be shown, logged and copied between desks without leaking them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from supervisor_app.domain.errors import InvalidValue

SmtpSecurity = Literal["starttls", "ssl", "none"]

_TOPIC_LEVEL = re.compile(r"^[A-Za-z0-9._-]+$")
_COUNTRY_CODE = re.compile(r"^[1-9][0-9]{0,2}$")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (where plain text cannot be overheard on a network)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_topic_prefix(prefix: str) -> str:
    """An MQTT topic prefix of plain levels: no wildcards (``+``, ``#``), no empty level, no ``$``."""
    levels = prefix.split("/")
    if not prefix or not all(_TOPIC_LEVEL.match(level) for level in levels):
        raise InvalidValue(
            "mqtt.topic_prefix",
            prefix,
            "levels of letters, digits, '.', '_' or '-' separated by '/', such as supervisor/helsinki-ooh",
        )
    return prefix


def default_topic_prefix(organisation_short_name: str) -> str:
    """``supervisor/<organisation short code>``: the pack's short name in lower case, e.g. helsinki-ooh.

    Each organisation on a shared broker gets its own branch of topics, so one organisation's desk
    never hears another's units.
    """
    code = re.sub(r"[^a-z0-9]+", "-", organisation_short_name.lower()).strip("-")
    if not code:
        raise InvalidValue(
            "organisation short name", organisation_short_name, "at least one letter or digit for the MQTT topics"
        )
    return f"supervisor/{code}"


def _check_port(name: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise InvalidValue(name, port, "a TCP port from 1 to 65535")


def _check_positive(name: str, value: float) -> None:
    if not value > 0:
        raise InvalidValue(name, value, "a number of seconds above 0")


@dataclass(frozen=True)
class MqttSettings:
    """The broker the MDT link uses; the password, if any, comes from the secret store."""

    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str | None = None  # None: a fresh id per process (two clients with one id evict each other)
    username: str | None = None
    tls_ca_file: Path | None = None  # set: TLS, verifying the broker against this CA (port usually 8883)
    keepalive_s: int = 30  # a dead connection is noticed within 1.5 times this
    connect_timeout_s: float = 5.0
    publish_timeout_s: float = 5.0  # how long send() waits for the broker's PUBACK
    reconnect_min_s: int = 1
    reconnect_max_s: int = 30
    session_expiry_s: int = 300  # the broker keeps reports for us across a network blip this long
    topic_prefix: str | None = None  # None: default_topic_prefix(organisation short name)

    def __post_init__(self) -> None:
        _check_port("mqtt.port", self.port)
        if not self.host:
            raise InvalidValue("mqtt.host", self.host, "the broker's host name or address")
        if self.keepalive_s < 5:
            raise InvalidValue("mqtt.keepalive_s", self.keepalive_s, "at least 5 seconds")
        _check_positive("mqtt.connect_timeout_s", self.connect_timeout_s)
        _check_positive("mqtt.publish_timeout_s", self.publish_timeout_s)
        if not 1 <= self.reconnect_min_s <= self.reconnect_max_s:
            raise InvalidValue("mqtt.reconnect_min_s", self.reconnect_min_s, "at least 1 and at most reconnect_max_s")
        if self.session_expiry_s < 0:
            raise InvalidValue("mqtt.session_expiry_s", self.session_expiry_s, "0 or more seconds")
        if self.topic_prefix is not None:
            check_topic_prefix(self.topic_prefix)

    def topic_prefix_for(self, organisation_short_name: str) -> str:
        """The configured prefix, or ``supervisor/<organisation short code>``."""
        return self.topic_prefix or default_topic_prefix(organisation_short_name)

    @property
    def where(self) -> str:
        scheme = "mqtts" if self.tls_ca_file else "mqtt"
        return f"{scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class SmtpSettings:
    """The SMTP relay e-mail goes through; off until a host and a sender are set."""

    enabled: bool = False
    host: str = ""
    port: int = 587
    security: SmtpSecurity = "starttls"  # starttls (port 587), ssl (port 465) or none (a relay on this machine)
    username: str | None = None  # set: log in, with the password from the secret store
    from_address: str = ""
    timeout_s: float = 10.0
    ca_file: Path | None = None  # None: the system's trusted certificates
    message_id_domain: str | None = None  # None: the domain of from_address

    def __post_init__(self) -> None:
        if self.security not in ("starttls", "ssl", "none"):
            raise InvalidValue("smtp.security", self.security, "starttls, ssl or none")
        _check_port("smtp.port", self.port)
        _check_positive("smtp.timeout_s", self.timeout_s)
        if not self.enabled:
            return
        if not self.host:
            raise InvalidValue("smtp.host", self.host, "the SMTP relay's host name when e-mail is enabled")
        if "@" not in self.from_address or any(c in self.from_address for c in "\r\n<> "):
            raise InvalidValue("smtp.from_address", self.from_address, "a plain address such as desk@example.org")
        if self.username and self.security == "none" and not is_loopback(self.host):
            raise InvalidValue(
                "smtp.security", self.security, "starttls or ssl when logging in to another machine (the password "
                "would cross the network in clear)"
            )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SmsGatewaySettings:
    """The HTTP SMS gateway; off until its URL is set. The bearer token comes from the secret store."""

    enabled: bool = False
    url: str = ""
    timeout_s: float = 10.0
    max_parts: int = 1  # 1: refuse texts over one SMS (160 GSM / 70 other characters); more: concatenate
    default_country_code: str = "358"  # for numbers written nationally, such as 040 123 4567
    ca_file: Path | None = None  # None: the system's trusted certificates

    def __post_init__(self) -> None:
        _check_positive("sms.timeout_s", self.timeout_s)
        if not 1 <= self.max_parts <= 10:
            raise InvalidValue("sms.max_parts", self.max_parts, "1 to 10 parts")
        if not _COUNTRY_CODE.match(self.default_country_code):
            raise InvalidValue("sms.default_country_code", self.default_country_code, "digits only, such as 358")
        if not self.enabled:
            return
        parts = urlsplit(self.url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise InvalidValue("sms.url", self.url, "an https:// address of the gateway's send endpoint")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise InvalidValue(
                "sms.url", self.url, "https:// (plain http would send the gateway's token across the network in clear)"
            )


@dataclass(frozen=True)
class ChannelSettings:
    """All channel settings, with the demo's defaults."""

    mqtt: MqttSettings = field(default_factory=MqttSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    sms: SmsGatewaySettings = field(default_factory=SmsGatewaySettings)
