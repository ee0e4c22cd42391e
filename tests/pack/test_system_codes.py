from __future__ import annotations

import re

from supervisor_app.domain.log_codes import SYSTEM_CODES
from supervisor_app.pack import OrganisationPack
from tests.pack.conftest import PackCopy


def test_the_demo_pack_defines_every_code_the_desk_writes(pack: OrganisationPack) -> None:
    assert {code.code for code in pack.log_codes} >= SYSTEM_CODES


def test_a_pack_without_a_system_code_is_refused(pack_copy: PackCopy) -> None:
    without_enrt, removed = re.subn(r"\n  - code: ENRT\n(    .*\n)+", "\n", pack_copy.text("codes.yaml"))
    assert removed == 1
    pack_copy.write("codes.yaml", without_enrt)
    problem = pack_copy.only_problem()
    assert (problem.file, problem.key) == ("codes.yaml", "log_codes")
    assert "ENRT" in problem.message and "expected each of them defined" in problem.message
