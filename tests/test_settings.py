"""Settings: defaults, the TOML file, environment variables, and what is refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor_app.settings import DEFAULT_IDLE_LOCK_MINUTES, SettingsError, load_settings


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPERVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPERVISOR_CONFIG_DIR", str(tmp_path / "config"))
    for name in (
        "SUPERVISOR_DB_URL",
        "SUPERVISOR_DESK",
        "SUPERVISOR_USER",
        "SUPERVISOR_THEME",
        "SUPERVISOR_PACK",
        "SUPERVISOR_IDLE_LOCK_MINUTES",
        "SUPERVISOR_MAP_TILE_URL",
        "SUPERVISOR_MAP_TILE_ATTRIBUTION",
        "SUPERVISOR_MAP_MBTILES",
    ):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "config").mkdir()
    return tmp_path / "config"


def test_the_desk_locks_after_fifteen_minutes_unless_configured(folders: Path) -> None:
    assert load_settings().idle_lock_minutes == DEFAULT_IDLE_LOCK_MINUTES == 15
    (folders / "settings.toml").write_text("idle_lock_minutes = 5\n", encoding="utf-8")
    assert load_settings().idle_lock_minutes == 5


def test_the_environment_overrides_the_file(folders: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folders / "settings.toml").write_text("idle_lock_minutes = 5\n", encoding="utf-8")
    monkeypatch.setenv("SUPERVISOR_IDLE_LOCK_MINUTES", "20")
    assert load_settings().idle_lock_minutes == 20


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("idle_lock_minutes = 31", "choose 1 to 30 minutes"),
        ("idle_lock_minutes = 0", "choose 1 to 30 minutes"),
        ('idle_lock_minutes = "ten"', "whole number without quotes"),
        ("idle_lock_minutes = 2.5", "whole number without quotes"),
        ("theme = 3", "must be text in quotes"),
        ("idle_minutes = 5", "unknown setting 'idle_minutes'"),
        ('mdt_broker = "localhost"', "is not host:port"),
        ('mdt_broker = "127.0.0.1:99999"', "is not host:port"),
        ('map_tile_url = "http://tiles.example.org/{z}/{x}/{y}.png"', "does not start with https://"),
        ('map_tile_url = "https://tiles.example.org/{z}/{x}.png"', "lacks {y}"),
    ],
)
def test_a_bad_setting_is_refused_saying_where_and_why(folders: Path, line: str, expected: str) -> None:
    (folders / "settings.toml").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=expected) as raised:
        load_settings()
    assert any(where in str(raised.value)
               for where in ("settings.toml", "idle_lock_minutes", "mdt_broker", "map_tile_url"))


def test_the_mdt_broker_is_local_by_default_and_may_be_switched_off(folders: Path) -> None:
    assert load_settings().mdt_broker == "127.0.0.1:1883"
    (folders / "settings.toml").write_text('mdt_broker = ""\n', encoding="utf-8")
    assert load_settings().mdt_broker == ""


def test_an_idle_time_over_the_maximum_from_the_environment_is_refused(
    folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPERVISOR_IDLE_LOCK_MINUTES", "45")
    with pytest.raises(SettingsError, match="must lock within 30 minutes"):
        load_settings()


def test_the_map_takes_its_base_layers_from_the_settings(folders: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from supervisor_app.ui.map.sources import MapSources

    assert MapSources.from_settings(load_settings()) == MapSources()  # the bundled street map alone
    (folders / "settings.toml").write_text(
        'map_tile_url = "https://tiles.example.org/{z}/{x}/{y}.png"\n'
        'map_tile_attribution = "Tiles: Example City"\nmap_mbtiles = "maps/city.mbtiles"\n', encoding="utf-8")
    sources = MapSources.from_settings(load_settings())
    assert sources == MapSources("https://tiles.example.org/{z}/{x}/{y}.png", "Tiles: Example City",
                                 folders / "maps" / "city.mbtiles")
    monkeypatch.setenv("SUPERVISOR_MAP_MBTILES", "/srv/tiles/area.mbtiles")
    assert MapSources.from_settings(load_settings()).mbtiles == Path("/srv/tiles/area.mbtiles")
