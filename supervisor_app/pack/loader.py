"""Load an organisation pack from its directory, collecting every problem before giving up."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from supervisor_app.pack.checks import PACK_CHECKS
from supervisor_app.pack.organisation_pack import OrganisationPack
from supervisor_app.pack.problems import PackError, PackProblem
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.procedures import ProcedureFile
from supervisor_app.pack.sections import (
    PACK_SECTIONS,
    PROCEDURES_DIRECTORY,
    ProcedureSource,
    SectionSpec,
    ValidSections,
)
from supervisor_app.pack.validation_messages import describe_found, describe_validation_error, file_key_path
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
            path = file_key_path(spec.model, detail["loc"])
            if detail["type"] == "union_tag_invalid":  # point at the tag itself ("type: yesno")
                path = [*path, str(detail.get("ctx", {}).get("discriminator", "type")).strip("'")]
            problems.append(PackProblem(
                spec.file_name, document.line_of(path), format_key_path(path),
                describe_validation_error(detail, spec.model),
            ))
        return None, problems


def _read_procedures(root: Path, sections: ValidSections) -> list[PackProblem]:
    """Read every ``procedures/*.yaml`` file; valid ones are added to ``sections``."""
    folder = root / PROCEDURES_DIRECTORY
    if not folder.is_dir():
        return [PackProblem(
            f"{PROCEDURES_DIRECTORY}/", None, "",
            f"the folder is missing; expected {folder} holding one file per incident type with its "
            "procedure (decision tree). Copy it from the demo pack and adapt it")]
    problems: list[PackProblem] = []
    complete = True
    files = sorted(path for path in folder.iterdir() if path.is_file() and path.suffix in (".yaml", ".yml"))
    for path in files:
        file_name = f"{PROCEDURES_DIRECTORY}/{path.name}"
        if path.suffix == ".yml":
            problems.append(PackProblem(
                file_name, None, "",
                f"procedures are read from .yaml files only; rename it to {path.stem}.yaml"))
            complete = False
            continue
        read = read_yaml_file(path, file_name)
        problems.extend(read.problems)
        if read.document is None:
            complete = False
            continue
        model, schema_problems = _validate_section(SectionSpec(file_name, ProcedureFile), read.document)
        problems.extend(schema_problems)
        if isinstance(model, ProcedureFile):
            sections.procedures.append(ProcedureSource(file_name, model, read.document))
        else:
            complete = False
    if not files:
        problems.append(PackProblem(
            f"{PROCEDURES_DIRECTORY}/", None, "",
            "the folder holds no procedures; expected one .yaml file per incident type"))
    sections.procedures_complete = complete and bool(files)
    return problems


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
    problems.extend(_read_procedures(root, sections))
    for check in PACK_CHECKS:
        problems.extend(check(sections))
    if problems:
        raise PackError(root, problems)
    return OrganisationPack.from_sections(root, sections)
