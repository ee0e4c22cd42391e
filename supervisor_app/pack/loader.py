"""Load an organisation pack from its directory, collecting every problem before giving up."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from supervisor_app.pack.checks import PACK_CHECKS
from supervisor_app.pack.organisation_pack import OrganisationPack
from supervisor_app.pack.problems import PackError, PackProblem
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.sections import PACK_SECTIONS, SectionSpec, ValidSections
from supervisor_app.pack.validation_messages import describe_found, describe_validation_error
from supervisor_app.pack.yaml_source import YamlDocument, format_key_path, read_yaml_file

DEMO_PACK_DIRECTORY_NAME = "demo_helsinki"


def default_pack_dir() -> Path:
    """The demo organisation's pack that ships with the application."""
    return Path(__file__).resolve().parent / DEMO_PACK_DIRECTORY_NAME


def _validate_section(
    spec: SectionSpec, document: YamlDocument
) -> tuple[PackModel | None, list[PackProblem]]:
    if not isinstance(document.data, dict):
        expected = ", ".join(spec.model.model_fields)
        return None, [PackProblem(
            spec.file_name, document.line_of(()), "",
            f"the file must hold a mapping at the top level (lines such as 'key: value' with "
            f"the keys {expected}); found {describe_found(document.data)}",
        )]
    try:
        return spec.model.model_validate(document.data), []
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            path = [part for part in detail["loc"] if isinstance(part, (str, int))]
            problems.append(PackProblem(
                spec.file_name, document.line_of(path), format_key_path(path),
                describe_validation_error(detail, spec.model),
            ))
        return None, problems


def load_pack(directory: str | os.PathLike[str]) -> OrganisationPack:
    """Read, validate and cross-check every file of the pack in ``directory``.

    Raises PackError listing every problem found in every file, so that all of them can be
    fixed in one go.
    """
    root = Path(directory)
    if not root.is_dir():
        raise PackError(root, [PackProblem(
            str(root), None, "",
            "this is not a directory; expected the folder holding organisation.yaml and the "
            "other pack files")])
    problems: list[PackProblem] = []
    sections = ValidSections()
    for spec in PACK_SECTIONS:
        path = root / spec.file_name
        if not spec.required and not path.exists():
            continue
        read = read_yaml_file(path, spec.file_name)
        problems.extend(read.problems)
        if read.document is None:
            continue
        model, schema_problems = _validate_section(spec, read.document)
        problems.extend(schema_problems)
        if model is not None:
            sections.add(model, read.document)
    for check in PACK_CHECKS:
        problems.extend(check(sections))
    if problems:
        raise PackError(root, problems)
    return OrganisationPack.from_sections(root, sections)
