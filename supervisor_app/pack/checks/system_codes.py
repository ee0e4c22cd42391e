"""The log codes the desk writes itself must exist in every pack."""

from __future__ import annotations

from supervisor_app.domain.log_codes import SYSTEM_CODES
from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.communication import CodesFile
from supervisor_app.pack.sections import ValidSections


def check_system_codes_defined(sections: ValidSections) -> list[PackProblem]:
    codes = sections.get(CodesFile)
    if codes is None:
        return []
    missing = sorted(SYSTEM_CODES - {code.code for code in codes.log_codes})
    if not missing:
        return []
    return [sections.problem(
        CodesFile, ("log_codes",),
        f"the desk records {', '.join(missing)} itself (referral, deployment and its progress, notes); "
        "expected each of them defined here with its label and wording",
    )]
