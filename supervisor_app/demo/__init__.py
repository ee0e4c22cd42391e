"""Demo data: the demo organisation from the pack and a deterministic, plausible history.

``seed_demo`` fills an empty database; ``has_organisation`` tells whether it is empty. The
package builds rows from the domain and the organisation pack and writes them with bulk inserts;
it never touches the user interface.
"""

from supervisor_app.demo.seed import (
    DEFAULT_DAYS,
    DEFAULT_SEED,
    SeedRefused,
    SeedReport,
    has_organisation,
    seed_demo,
)

__all__ = ["DEFAULT_DAYS", "DEFAULT_SEED", "SeedRefused", "SeedReport", "has_organisation", "seed_demo"]
