"""The pack's street network (``street_network.json.gz``), used to rank resources by driving time.

The file is optional: an organisation without one gets straight-line estimates, which the
recommendation says it is using. A file that is there but cannot be read is a fault of the pack,
reported like every other with the file's name, because a desk that silently fell back to
straight lines would rank resources worse without anyone knowing why.
"""

from __future__ import annotations

import os
from pathlib import Path

from supervisor_app.domain.street_network import StreetNetwork, StreetNetworkFileError, load_street_network
from supervisor_app.pack.problems import PackError, PackProblem

STREET_NETWORK_FILE_NAME = "street_network.json.gz"


def load_pack_street_network(pack_directory: str | os.PathLike[str]) -> StreetNetwork | None:
    """The network in the pack folder, None when the pack has none; a faulty file raises PackError."""
    directory = Path(pack_directory)
    path = directory / STREET_NETWORK_FILE_NAME
    if not path.exists():
        return None
    try:
        return load_street_network(path)
    except StreetNetworkFileError as error:
        raise PackError(directory, [PackProblem(STREET_NETWORK_FILE_NAME, None, error.key, error.problem)]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise PackError(directory, [PackProblem(
            STREET_NETWORK_FILE_NAME, None, "", f"cannot be read ({reason}); expected a gzip JSON street network",
        )]) from None
