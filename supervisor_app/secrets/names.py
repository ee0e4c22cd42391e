"""Names of secrets: ``database:<user>@<host>:<port>/<dbname>`` and ``channel:<name>``.

A database password is named after the account and the server(s) it opens, so a desk that is
pointed at another database never sends it the wrong password. A channel credential (the SMTP
relay, the SMS gateway, the MQTT broker) is named after the channel as the organisation calls it.
"""

from __future__ import annotations

import re

from supervisor_app.secrets.base import SecretsError

DATABASE_PREFIX = "database:"
CHANNEL_PREFIX = "channel:"
MAXIMUM_NAME_LENGTH = 512

_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def channel_secret_name(channel: str) -> str:
    """The name of a channel's credential, e.g. ``channel:smtp`` or ``channel:sms-gateway``."""
    if not _CHANNEL.match(channel):
        raise SecretsError(
            f"{channel!r} is not a channel name: use lower-case letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit), e.g. smtp or sms-gateway."
        )
    return CHANNEL_PREFIX + channel


def check_secret_name(name: str) -> str:
    """``name`` if it is a secret name the desk uses; otherwise an error showing the two forms."""
    if name.startswith(CHANNEL_PREFIX):
        return channel_secret_name(name.removeprefix(CHANNEL_PREFIX))
    if name.startswith(DATABASE_PREFIX) and "@" in name and len(name) <= MAXIMUM_NAME_LENGTH and name.isprintable():
        return name
    raise SecretsError(
        f"{name!r} is not a secret name. Secrets are named channel:<name> (e.g. channel:smtp) or "
        "database:<user>@<host>:<port>/<dbname>; for the desk's database use "
        "`supervisor-app secrets set-db-password`, which works the name out from the database address."
    )


#: The channel credentials the desk's adapters take (``supervisor_app.comms.channels``): the MQTT
#: broker's password for the MDT link, the SMTP relay's password, the SMS gateway's bearer token.
MQTT_BROKER_SECRET = channel_secret_name("mqtt")
SMTP_RELAY_SECRET = channel_secret_name("smtp")
SMS_GATEWAY_SECRET = channel_secret_name("sms-gateway")
