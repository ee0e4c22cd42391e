"""The organisation pack: an organisation's configuration as versioned, validated YAML files.

``load_pack(directory)`` reads every file of a pack, validates it against the schema, checks the
references between files and returns an ``OrganisationPack``; or raises ``PackError`` listing
every problem with its file, line and key. The format is described in docs/ORGANISATION_PACK.md.
"""

from supervisor_app.pack.gazetteer import Place, load_gazetteer
from supervisor_app.pack.loader import default_pack_dir, load_pack
from supervisor_app.pack.organisation_pack import OrganisationPack, PackResource, UnknownCodeError
from supervisor_app.pack.problems import PackError, PackProblem
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.communication import (
    Channel,
    ChannelsFile,
    CodesFile,
    EmailWording,
    ExternalOrganisation,
    ExternalOrganisationsFile,
    LogCode,
    Messages,
    MessageWording,
    WordingFile,
)
from supervisor_app.pack.schema.escalation import (
    DUTY_MANAGER,
    EscalationConditions,
    EscalationFile,
    EscalationRule,
)
from supervisor_app.pack.schema.organisation import (
    ComplaintPolicy,
    DeploymentPolicy,
    OrganisationFile,
    PoliciesFile,
    QueryPolicy,
    ServedArea,
)
from supervisor_app.pack.schema.places import Resource, Sector, SectorsFile, Station, StationsFile
from supervisor_app.pack.schema.procedures import PolicyCheck, PolicyChecksFile, ProcedureFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    Capability,
    IncidentType,
    IncidentTypesFile,
    PrioritiesFile,
    Priority,
    RequiredResource,
    ResourceType,
    ResourceTypesFile,
    TargetOverrides,
    Targets,
)
from supervisor_app.pack.schema.templates import LOG_PLACEHOLDERS, MESSAGE_PLACEHOLDERS
from supervisor_app.pack.sections import PROCEDURES_DIRECTORY

__all__ = [
    "DUTY_MANAGER",
    "LOG_PLACEHOLDERS",
    "MESSAGE_PLACEHOLDERS",
    "PROCEDURES_DIRECTORY",
    "CapabilitiesFile",
    "Capability",
    "Channel",
    "ChannelsFile",
    "CodesFile",
    "ComplaintPolicy",
    "DeploymentPolicy",
    "EmailWording",
    "EscalationConditions",
    "EscalationFile",
    "EscalationRule",
    "ExternalOrganisation",
    "ExternalOrganisationsFile",
    "IncidentType",
    "IncidentTypesFile",
    "LogCode",
    "MessageWording",
    "Messages",
    "OrganisationFile",
    "OrganisationPack",
    "PackError",
    "PackModel",
    "PackProblem",
    "PackResource",
    "Place",
    "PoliciesFile",
    "PolicyCheck",
    "PolicyChecksFile",
    "PrioritiesFile",
    "Priority",
    "ProcedureFile",
    "QueryPolicy",
    "RequiredResource",
    "Resource",
    "ResourceType",
    "ResourceTypesFile",
    "Sector",
    "SectorsFile",
    "ServedArea",
    "Station",
    "StationsFile",
    "TargetOverrides",
    "Targets",
    "UnknownCodeError",
    "WordingFile",
    "default_pack_dir",
    "load_gazetteer",
    "load_pack",
]
