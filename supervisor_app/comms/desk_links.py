"""The links a desk keeps open while it runs: the outbox dispatcher and the MDT link with its reports.

Started when the desk's window is on screen and stopped when it closes; they act as whoever is
signed in at the desk (``set_actor`` after a hand-over). Every desk runs a dispatcher (the outbox
leases each message to one of them) and listens to the units' reports in one shared MQTT
subscription group (each report reaches one desk), so several desks never send or record twice.

Without an MDT broker in the settings the desk still sends voice (recorded as passed) and records
MDT messages as failed with a reason that says the channel is not set up. E-mail and SMS need their
relay and gateway configured (``comms.channels.config``); until then they fail the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from supervisor_app.comms.channels import ChannelAdapter, LinkState, MdtLink, MqttSettings, VoiceLog
from supervisor_app.comms.channels.config import check_topic_prefix, default_topic_prefix
from supervisor_app.comms.dispatcher import Dispatcher, ReportOutcome, UnitReports
from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.secrets import open_secret_store
from supervisor_app.secrets.names import MQTT_BROKER_SECRET
from supervisor_app.settings import Settings

log = logging.getLogger(__name__)

#: The shared subscription group of every desk of one organisation.
DESK_GROUP = "supervisor-desks"


@dataclass
class DeskLinks:
    dispatcher: Dispatcher
    reports: UnitReports
    mdt: MdtLink | None
    problem: str = ""
    """Why the MDT link is not running, in a sentence for the desk's message bar ("" when it is)."""

    @classmethod
    def open(
        cls,
        settings: Settings,
        engine: Engine,
        pack: OrganisationPack,
        actor: Actor,
        *,
        on_state: Callable[[LinkState], None] | None = None,
        on_outcome: Callable[[ReportOutcome], None] | None = None,
    ) -> DeskLinks:
        reports = UnitReports(engine, actor, on_outcome=on_outcome)
        adapters: dict[str, ChannelAdapter] = {
            "voice_radio": VoiceLog("voice_radio"),
            "voice_phone": VoiceLog("voice_phone"),
        }
        mdt: MdtLink | None = None
        problem = ""
        if settings.mdt_broker:
            host, _, port = settings.mdt_broker.rpartition(":")
            try:
                password = None
                if settings.mdt_username:
                    password = open_secret_store(settings.config_dir).store.get(MQTT_BROKER_SECRET)
                mqtt = MqttSettings(host=host, port=int(port), username=settings.mdt_username or None)
                prefix = settings.mdt_topic_prefix.strip() or default_topic_prefix(pack.organisation.short_name)
                mdt = MdtLink(
                    mqtt,
                    check_topic_prefix(prefix),
                    reports,
                    password=password,
                    on_state=on_state,
                    shared_group=DESK_GROUP,
                )
                adapters["mdt"] = mdt
            except (DomainError, ValueError, OSError) as error:
                problem = f"The MDT link to {settings.mdt_broker} could not start: {error}"
                log.warning(problem)
        else:
            problem = "No MDT broker is set (mdt_broker in the settings): MDT messages cannot be sent."
        dispatcher = Dispatcher(engine, actor, adapters)
        dispatcher.start()
        return cls(dispatcher, reports, mdt, problem)

    def set_actor(self, actor: Actor) -> None:
        """Someone else took the desk over: what it sends and records from now on is theirs."""
        self.dispatcher.actor = actor
        self.reports.actor = actor

    def wake(self) -> None:
        self.dispatcher.wake()

    def close(self) -> None:
        self.dispatcher.stop()  # closes the adapters, the MDT link among them
        self.reports.stop()
