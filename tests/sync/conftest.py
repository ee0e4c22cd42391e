from __future__ import annotations

from collections.abc import Iterator

import pytest

from supervisor_app.sync.desk_process import DeskProcess


@pytest.fixture
def desks() -> Iterator[list[DeskProcess]]:
    """Desk processes a test starts; all ended afterwards, whatever happened."""
    started: list[DeskProcess] = []
    yield started
    for desk in started:
        desk.kill()
