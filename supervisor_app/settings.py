"""The desk's settings: one typed schema with defaults, read from a TOML file and the environment.

Secrets never live here (database passwords belong in the OS keyring).
"""

from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "incident-supervisor"
THEMES = ("dark", "high_contrast")
DEFAULT_IDLE_LOCK_MINUTES = 15
MAXIMUM_IDLE_LOCK_MINUTES = 30  # an unattended desk never stays open longer than this
_NUMBERS = frozenset({"idle_lock_minutes"})


class SettingsError(Exception):
    """A settings file or variable that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    config_dir: Path
    db_url: str
    desk_name: str
    user: str = "demo.supervisor"  # offered at sign-in; the headless desk acts as this account
    theme: str = "dark"
    pack_dir: Path | None = None  # None: the bundled demo organisation
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES  # the desk locks after this long unused
    db_url_source: str = "the default"  # where db_url was written, for messages about it
    mdt_broker: str = "127.0.0.1:1883"  # the MQTT broker of the units' terminals, host:port; "" for none
    mdt_username: str = ""  # empty: no login; else its password is the secret channel:mqtt
    mdt_topic_prefix: str = ""  # empty: supervisor/<organisation short name>; set apart e.g. a training desk
    map_tile_url: str = ""  # the organisation's tile server: https://tiles.example/{z}/{x}/{y}.png
    map_tile_attribution: str = ""  # the credit its tiles require, shown on the map
    map_mbtiles: str = ""  # a local MBTiles file; a relative path is read from the settings folder

    @property
    def config_file(self) -> Path:
        return self.config_dir / "settings.toml"


def _default_desk_name() -> str:
    return socket.gethostname().split(".")[0][:64] or "desk"


def _from_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}. Fix the file or delete it to use the defaults.") from None
    known = {f.name for f in fields(Settings)} - {"data_dir", "config_dir", "db_url_source"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting {unknown[0]!r}; known settings are {', '.join(sorted(known))}.")
    for key, value in data.items():
        if key in _NUMBERS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise SettingsError(f"{path}: {key} must be a whole number without quotes, not {value!r}.")
        elif not isinstance(value, str):
            raise SettingsError(f"{path}: {key} must be text in quotes, not {type(value).__name__}.")
    return data


def load_settings(**overrides: str | None) -> Settings:
    """Defaults, then the settings file, then environment variables, then explicit overrides."""
    data_dir = Path(os.environ.get("SUPERVISOR_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))
    config_dir = Path(os.environ.get("SUPERVISOR_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))
    settings = Settings(
        data_dir=data_dir,
        config_dir=config_dir,
        db_url=f"sqlite:///{data_dir / 'desk.db'}",
        desk_name=_default_desk_name(),
    )
    values: dict[str, Any] = _from_file(settings.config_file)
    if "db_url" in values:
        values["db_url_source"] = f"the settings file {settings.config_file}"
    for key, env in (
        ("db_url", "SUPERVISOR_DB_URL"),
        ("desk_name", "SUPERVISOR_DESK"),
        ("user", "SUPERVISOR_USER"),
        ("theme", "SUPERVISOR_THEME"),
        ("pack_dir", "SUPERVISOR_PACK"),
        ("idle_lock_minutes", "SUPERVISOR_IDLE_LOCK_MINUTES"),
        ("mdt_broker", "SUPERVISOR_MDT_BROKER"),
        ("mdt_topic_prefix", "SUPERVISOR_MDT_TOPIC_PREFIX"),
        ("map_tile_url", "SUPERVISOR_MAP_TILE_URL"),
        ("map_tile_attribution", "SUPERVISOR_MAP_TILE_ATTRIBUTION"),
        ("map_mbtiles", "SUPERVISOR_MAP_MBTILES"),
    ):
        if os.environ.get(env):
            values[key] = os.environ[env]
            if key == "db_url":
                values["db_url_source"] = f"the environment variable {env}"
    values.update({k: v for k, v in overrides.items() if v})
    if overrides.get("db_url"):
        values["db_url_source"] = "the --db option"
    if "pack_dir" in values:
        values["pack_dir"] = Path(values["pack_dir"]).expanduser()
    if "idle_lock_minutes" in values:
        values["idle_lock_minutes"] = _idle_minutes(values["idle_lock_minutes"])
    settings = replace(settings, **values)
    if settings.theme not in THEMES:
        raise SettingsError(f"theme {settings.theme!r} is not known; choose one of {', '.join(THEMES)}.")
    if settings.mdt_broker:
        host, _, port = settings.mdt_broker.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(
                f"mdt_broker {settings.mdt_broker!r} is not host:port; write it as '127.0.0.1:1883', "
                "or leave it empty for a desk without the MDT link."
            )
    _check_tile_url(settings.map_tile_url)
    if not settings.desk_name.strip():
        raise SettingsError("desk_name cannot be blank; name the desk as the room knows it (e.g. 'desk-3').")
    return settings


def _check_tile_url(url: str) -> None:
    """A tile server's URL template: https (the map page is a secure origin and loads nothing
    insecure) with the {z}, {x} and {y} the map fills in."""
    if not url:
        return
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in url]
    if not url.startswith("https://") or missing:
        problem = "does not start with https://" if not url.startswith("https://") else f"lacks {', '.join(missing)}"
        raise SettingsError(
            f"map_tile_url {url!r} {problem}; write it as 'https://tiles.example.org/{{z}}/{{x}}/{{y}}.png' "
            "(the map loads tiles over https only), or leave it empty for the bundled street map."
        )


def _idle_minutes(value: object) -> int:
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise SettingsError(f"idle_lock_minutes must be a whole number of minutes, not {value!r}.") from None
    if not 1 <= minutes <= MAXIMUM_IDLE_LOCK_MINUTES:
        raise SettingsError(
            f"idle_lock_minutes is {minutes}; choose 1 to {MAXIMUM_IDLE_LOCK_MINUTES} minutes "
            f"(an unattended desk must lock within {MAXIMUM_IDLE_LOCK_MINUTES} minutes)."
        )
    return minutes
