"""A desk's links take the MDT topic prefix from its settings, and a prefix that cannot be one is
refused with a sentence for the desk, which goes on without the MDT link."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from supervisor_app.comms.desk_links import DeskLinks
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.settings import Settings


def _settings(tmp_path: Path, broker: tuple[str, int], prefix: str) -> Settings:
    host, port = broker
    return Settings(data_dir=tmp_path, config_dir=tmp_path, db_url="sqlite://", desk_name="desk-1",
                    mdt_broker=f"{host}:{port}", mdt_topic_prefix=prefix)


def test_the_desk_uses_its_organisations_topics_unless_the_settings_name_others(
    tmp_path: Path, mqtt_broker: tuple[str, int], engine: Engine, pack: OrganisationPack, supervisor: Actor
) -> None:
    default = DeskLinks.open(_settings(tmp_path, mqtt_broker, ""), engine, pack, supervisor)
    try:
        assert default.mdt is not None and default.mdt.topic_prefix == "supervisor/helsinki-ooh"
    finally:
        default.close()
    training = DeskLinks.open(_settings(tmp_path, mqtt_broker, "training/helsinki-ooh"), engine, pack, supervisor)
    try:
        assert training.mdt is not None and training.mdt.topic_prefix == "training/helsinki-ooh"
        assert training.problem == ""
    finally:
        training.close()


def test_a_prefix_with_a_wildcard_is_refused_and_the_desk_goes_on_without_the_mdt_link(
    tmp_path: Path, mqtt_broker: tuple[str, int], engine: Engine, pack: OrganisationPack, supervisor: Actor
) -> None:
    settings = replace(_settings(tmp_path, mqtt_broker, "units/#"), desk_name="desk-2")
    links = DeskLinks.open(settings, engine, pack, supervisor)
    try:
        assert links.mdt is None
        assert links.problem.startswith(f"The MDT link to {settings.mdt_broker} could not start:")
        assert "units/#" in links.problem and "such as supervisor/helsinki-ooh" in links.problem
    finally:
        links.close()
