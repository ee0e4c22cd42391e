"""The codes the demo history writes: standard log codes of the pack, and disposition codes."""

from __future__ import annotations

from supervisor_app.domain import log_codes
from supervisor_app.pack import OrganisationPack

#: Disposition codes the demo closes incidents with (the pack defines none of its own).
MADE_SAFE = "MADE_SAFE"
REPAIRED = "REPAIRED"
RESOLVED_ON_SITE = "RESOLVED_ON_SITE"
FALSE_ALARM = "FALSE_ALARM"
REFERRED = "REFERRED"
ADVICE_ONLY = "ADVICE_ONLY"
DUPLICATE = "DUPLICATE"
HOAX = "HOAX"
WITHDRAWN = "WITHDRAWN"
TEST_CALL = "TEST_CALL"


class DemoLogCodes:
    """The log codes the history writes, falling back to NOTE where the pack lacks one."""

    def __init__(self, pack: OrganisationPack) -> None:
        known = {code.code for code in pack.log_codes}
        missing = sorted(code for code in log_codes.SYSTEM_CODES if code not in known)
        if missing:
            raise ValueError(f"the organisation pack lacks the standard log codes {', '.join(missing)}")

        def pick(code: str) -> str:
            return code if code in known else log_codes.NOTE

        self.referral = log_codes.INCIDENT_CREATED
        self.deployed = log_codes.DEPLOYED
        self.note = log_codes.NOTE
        self.for_status = log_codes.FOR_DEPLOYMENT_STATUS
        self.assessed = pick("ASSESS")
        self.priority_changed = pick("PRI")
        self.advice = pick("ADVICE")
        self.update = pick("UPD")
        self.late = pick("LATE")
        self.escalated = pick("ESC")
        self.closed = pick("CLOSE")
        self.complaint = pick("COMPLAINT")
        self.query = pick("QUERY")
