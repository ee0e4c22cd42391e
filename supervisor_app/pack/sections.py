"""The files a pack is made of, and the sections that were read and validated from them.

To add a file to the pack format: write its model in ``supervisor_app.pack.schema``, add a
``SectionSpec`` to ``PACK_SECTIONS`` and, where it refers to other files, a check in
``supervisor_app.pack.checks``. The loader reads every section listed here; it needs no change.

Procedures are the exception: the folder ``procedures/`` holds one file per incident type, each
validated by ``ProcedureFile`` and kept as a ``ProcedureSource``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.communication import (
    ChannelsFile,
    CodesFile,
    ExternalOrganisationsFile,
    WordingFile,
)
from supervisor_app.pack.schema.escalation import EscalationFile
from supervisor_app.pack.schema.organisation import OrganisationFile, PoliciesFile
from supervisor_app.pack.schema.places import SectorsFile, StationsFile
from supervisor_app.pack.schema.procedures import PolicyChecksFile, ProcedureFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    DispositionsFile,
    IncidentTypesFile,
    PrioritiesFile,
    ResourceTypesFile,
)
from supervisor_app.pack.yaml_source import YamlDocument

SectionModel = TypeVar("SectionModel", bound=PackModel)


@dataclass(frozen=True)
class SectionSpec:
    """One file of the pack and the model that validates it."""

    file_name: str
    model: type[PackModel]
    required: bool = True


PACK_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("organisation.yaml", OrganisationFile),
    SectionSpec("priorities.yaml", PrioritiesFile),
    SectionSpec("capabilities.yaml", CapabilitiesFile),
    SectionSpec("resource_types.yaml", ResourceTypesFile),
    SectionSpec("incident_types.yaml", IncidentTypesFile),
    SectionSpec("sectors.yaml", SectorsFile),
    SectionSpec("stations.yaml", StationsFile),
    SectionSpec("channels.yaml", ChannelsFile),
    SectionSpec("codes.yaml", CodesFile),
    SectionSpec("wording.yaml", WordingFile),
    SectionSpec("external_organisations.yaml", ExternalOrganisationsFile),
    SectionSpec("escalation.yaml", EscalationFile),
    SectionSpec("policies.yaml", PoliciesFile),
    SectionSpec("policy_checks.yaml", PolicyChecksFile),
    SectionSpec("dispositions.yaml", DispositionsFile),
)

PROCEDURES_DIRECTORY = "procedures"
"""The pack's folder of procedures: one YAML file per incident type."""


@dataclass(frozen=True)
class ProcedureSource:
    """One file of procedures/ that passed its schema, with the document it was read from."""

    file_name: str
    """Such as ``procedures/gas_escape_internal.yaml``."""
    model: ProcedureFile
    document: YamlDocument

    def problem(self, path: Sequence[str | int], message: str) -> PackProblem:
        return self.document.problem(path, message)


class ValidSections:
    """The sections that passed schema validation, with the documents they came from.

    Checks across files ask for the sections they need and skip their work when one of them is
    absent (its own problems have been reported already).
    """

    def __init__(self) -> None:
        self._models: dict[type[PackModel], PackModel] = {}
        self._documents: dict[type[PackModel], YamlDocument] = {}
        self.procedures: list[ProcedureSource] = []
        """The procedure files that passed their schema, in file name order."""
        self.procedures_complete = False
        """True when procedures/ exists and every file in it passed its schema, so that an incident
        type without a procedure really has none."""

    def add(self, model: PackModel, document: YamlDocument) -> None:
        self._models[type(model)] = model
        self._documents[type(model)] = document

    def get(self, model_type: type[SectionModel]) -> SectionModel | None:
        found = self._models.get(model_type)
        return found if isinstance(found, model_type) else None

    def require(self, model_type: type[SectionModel]) -> SectionModel:
        found = self.get(model_type)
        if found is None:
            raise LookupError(f"the pack has no valid {model_type.__name__}")
        return found

    def problem(
        self, model_type: type[PackModel], path: Sequence[str | int], message: str
    ) -> PackProblem:
        """A problem at ``path`` in the file ``model_type`` was read from."""
        return self._documents[model_type].problem(path, message)
