"""The registration forms, as data: types, sections and fields that AWS serves through
DescribeRegistration{Type,Section,Field}Definitions.

AWS changes these forms and publishes them nowhere but through that API, so the
simulator ships a seed set (`catalogue.json`, beside this module) and
takes a team's own: a JSON file holding either the catalogue layout below or the raw
outputs of the three describe operations as the real service returned them
(`aws pinpoint-sms-voice-v2 describe-registration-field-definitions ...`), one per
document, in a list. A loaded type replaces the seed's type of the same name.

Catalogue layout:
    {"Types": [{"RegistrationTypeDefinition": {...},
                "RegistrationSectionDefinitions": [...],
                "RegistrationFieldDefinitions": [...],
                "FieldSources": {FieldPath: "where this field comes from"}}, ...]}

`FieldSources` (optional, never served) says where each field's path, kind, requirement and
options come from, labelled as the docs label facts ([doc], [obs], [model], [inf]); the seed
set gives one for every field.

Every definition is held against the model's output shapes when loaded: a catalogue
the service could not have sent fails loudly, naming what is wrong.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..wire.conformance import check_response
from ..wire.json_read import JsonRefused, JsonTooDeep, read_json
from ..wire.projection import project_as

SEED_PATH = Path(__file__).with_name("catalogue.json")
# A catalogue file larger than this is not a set of forms [inf]: every type AWS serves
# fits in well under a megabyte (the seed is ~45 KB). Read no further than this, so
# a wrong path (a log, /dev/zero) fails at once instead of filling the memory.
MAX_CATALOGUE_BYTES = 16 * 1024 * 1024


@dataclass
class RegistrationForm:
    """One registration type: its definition, its sections and its fields, in AWS's order."""

    definition: dict
    sections: list[dict] = field(default_factory=list)
    fields: list[dict] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # FieldPath -> where it comes from

    @property
    def name(self) -> str:
        return self.definition["RegistrationType"]

    def field(self, path: str) -> dict | None:
        return next((f for f in self.fields if f["FieldPath"] == path), None)

    def section(self, path: str) -> dict | None:
        return next((s for s in self.sections if s["SectionPath"] == path), None)

    def supported_association(self, resource_type: str, iso_country_code: str | None) -> dict | None:
        """The SupportedAssociation for a resource kind (PHONE_NUMBER, SENDER_ID, ...) and country
        (None: in any country)."""
        for assoc in self.definition.get("SupportedAssociations", []):
            if assoc["ResourceType"] != resource_type:
                continue
            if iso_country_code is None or assoc.get("IsoCountryCode") in (None, iso_country_code):
                return assoc
        return None


class CatalogueError(ValueError):
    """A catalogue the real service could not have sent."""


class Catalogue:
    def __init__(self, forms: Iterable[RegistrationForm] = ()):
        self.forms: dict[str, RegistrationForm] = {}
        for form in forms:
            self.forms[form.name] = form

    @classmethod
    def seed(cls) -> Catalogue:
        return cls(_seed_forms())

    @classmethod
    def build(cls, extra=None) -> Catalogue:
        """The seed set, plus (replacing types of the same name) what `extra` holds: a path,
        a parsed JSON document, or a list of either."""
        catalogue = cls.seed()
        for source in _as_sources(extra):
            catalogue.load(source)
        return catalogue

    def load(self, source) -> None:
        """Add the forms of a catalogue file (a path) or of a parsed document; CatalogueError,
        naming the file and what is wrong, for anything the service could not have sent."""
        is_path = isinstance(source, (str, Path))
        where = f"registration catalogue {source}" if is_path else "registration catalogue"
        try:
            forms = parse(_read(Path(source), where) if is_path else source, where)
        except RecursionError:  # json and the shape check both recurse once per level
            raise CatalogueError(f"{where}: nested too deeply to be a catalogue") from None
        if not forms:
            raise CatalogueError(f"{where}: defines no registration type")
        for form in forms:
            self.forms[form.name] = form

    def get(self, registration_type: str) -> RegistrationForm | None:
        return self.forms.get(registration_type)

    def __iter__(self):
        return iter(self.forms.values())

    def __contains__(self, registration_type: str) -> bool:
        return registration_type in self.forms


def _read(path: Path, where: str):
    try:
        with path.open("rb") as file:
            data = file.read(MAX_CATALOGUE_BYTES + 1)
    except OSError as exc:
        raise CatalogueError(f"{where}: {exc.strerror or exc}") from None
    if len(data) > MAX_CATALOGUE_BYTES:
        raise CatalogueError(f"{where}: larger than {MAX_CATALOGUE_BYTES // 2**20} MiB")
    try:
        return read_json(data)
    except JsonTooDeep:
        raise CatalogueError(f"{where}: nested too deeply to be a catalogue") from None
    except JsonRefused as exc:  # not UTF-8, not JSON, too deep, NaN
        raise CatalogueError(f"{where}: not JSON ({exc})") from None


@functools.cache
def _seed_forms() -> tuple[RegistrationForm, ...]:
    """The shipped forms, read and checked once a process (~7 ms; each Simulator used to).
    Shared read-only: a catalogue holds its own dict of them, and `load` replaces entries."""
    return tuple(parse(_as_installed_model(_read(SEED_PATH, str(SEED_PATH))), str(SEED_PATH)))


# Each part of a seed entry and the model structure it is shaped as.
_SEED_SHAPES = {"RegistrationTypeDefinition": "RegistrationTypeDefinition",
                "RegistrationSectionDefinitions": "RegistrationSectionDefinition",
                "RegistrationFieldDefinitions": "RegistrationFieldDefinition"}


def _as_installed_model(document: dict) -> dict:
    """The seed as the installed botocore model can show it: an older botocore (the floor
    pyproject declares) lacks newer members (ConditionalBehavior, ...), which are left out."""
    if not isinstance(document, dict) or not isinstance(document.get("Types"), list):
        return document
    types = []
    for entry in document["Types"]:
        if not isinstance(entry, dict):
            types.append(entry)
            continue
        shaped = dict(entry)
        for part, shape in _SEED_SHAPES.items():
            value = entry.get(part)
            if isinstance(value, list):
                shaped[part] = [project_as(shape, item) for item in value]
            elif isinstance(value, dict):
                shaped[part] = project_as(shape, value)
        shaped["RegistrationFieldDefinitions"] = [
            _unconditional(f) for f in shaped.get("RegistrationFieldDefinitions") or ()]
        types.append(shaped)
    return {**document, "Types": types}


def _unconditional(field: dict) -> dict:
    """A CONDITIONAL field the installed model cannot describe the condition of (no
    ConditionalBehavior member): optional [inf], the requirement nothing can check."""
    if field.get("FieldRequirement") == "CONDITIONAL" and "ConditionalBehavior" not in field:
        return {**field, "FieldRequirement": "OPTIONAL"}
    return field


def _as_sources(extra) -> list:
    if extra is None:
        return []
    if isinstance(extra, (list, tuple)) and not _is_document_list(extra):
        return list(extra)
    return [extra]


def _is_document_list(value) -> bool:
    """A list of raw describe outputs is one document, not a list of sources."""
    return bool(value) and all(isinstance(v, dict) for v in value)


def parse(document, where: str) -> list[RegistrationForm]:
    """Forms from a catalogue document or from a list of raw describe outputs."""
    if isinstance(document, dict) and "Types" in document:
        entries = document["Types"]
        if not isinstance(entries, list):
            raise CatalogueError(f"{where}: Types must be a list")
        forms = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or "RegistrationTypeDefinition" not in entry:
                raise CatalogueError(f"{where}: Types[{i}] has no RegistrationTypeDefinition")
            definition = entry["RegistrationTypeDefinition"]
            _check(
                where, "DescribeRegistrationTypeDefinitions", {"RegistrationTypeDefinitions": [definition]}
            )
            name = definition["RegistrationType"]
            sections = entry.get("RegistrationSectionDefinitions", [])
            fields = entry.get("RegistrationFieldDefinitions", [])
            _check(
                where,
                "DescribeRegistrationSectionDefinitions",
                {"RegistrationType": name, "RegistrationSectionDefinitions": sections},
            )
            _check(
                where,
                "DescribeRegistrationFieldDefinitions",
                {"RegistrationType": name, "RegistrationFieldDefinitions": fields},
            )
            form = RegistrationForm(copy.deepcopy(definition), copy.deepcopy(sections),
                                    copy.deepcopy(fields), _sources(where, name, entry))
            forms.append(_consistent(where, form))
        return forms
    documents = document if isinstance(document, list) else [document]
    return _from_describe_outputs(documents, where)


def _sources(where: str, name: str, entry: dict) -> dict[str, str]:
    sources = entry.get("FieldSources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise CatalogueError(f"{where}: {name} FieldSources must map field paths to strings")
    return dict(sources)


def _from_describe_outputs(documents: list, where: str) -> list[RegistrationForm]:
    forms: dict[str, RegistrationForm] = {}
    pending_sections: dict[str, list] = {}
    pending_fields: dict[str, list] = {}
    for i, doc in enumerate(documents):
        if not isinstance(doc, dict):
            raise CatalogueError(f"{where}[{i}]: not a JSON object")
        if "RegistrationTypeDefinitions" in doc:
            _check(f"{where}[{i}]", "DescribeRegistrationTypeDefinitions", doc)
            for definition in doc["RegistrationTypeDefinitions"]:
                forms[definition["RegistrationType"]] = RegistrationForm(copy.deepcopy(definition))
        elif "RegistrationSectionDefinitions" in doc:
            _check(f"{where}[{i}]", "DescribeRegistrationSectionDefinitions", doc)
            pending_sections.setdefault(doc["RegistrationType"], []).extend(
                copy.deepcopy(doc["RegistrationSectionDefinitions"])
            )
        elif "RegistrationFieldDefinitions" in doc:
            _check(f"{where}[{i}]", "DescribeRegistrationFieldDefinitions", doc)
            pending_fields.setdefault(doc["RegistrationType"], []).extend(
                copy.deepcopy(doc["RegistrationFieldDefinitions"])
            )
        else:
            raise CatalogueError(
                f"{where}[{i}]: neither a catalogue nor the output of a DescribeRegistration*Definitions call"
            )
    for name in set(pending_sections) | set(pending_fields):
        if name not in forms:
            raise CatalogueError(
                f"{where}: sections or fields for {name}, but no "
                "DescribeRegistrationTypeDefinitions output defines it"
            )
    for name, form in forms.items():
        form.sections = pending_sections.get(name, [])
        form.fields = pending_fields.get(name, [])
        _consistent(where, form)
    return list(forms.values())


def _check(where: str, operation: str, body: dict) -> None:
    problems = check_response(operation, 200, body)
    if problems:
        raise CatalogueError(f"{where}: not what {operation} returns: {'; '.join(problems[:5])}")


def _consistent(where: str, form: RegistrationForm) -> RegistrationForm:
    sections = {s["SectionPath"] for s in form.sections}
    paths = {f["FieldPath"] for f in form.fields}
    for path in set(form.sources) - paths:
        raise CatalogueError(f"{where}: {form.name} FieldSources names {path}, which is not a field "
                             "of the form")
    for f in form.fields:
        here = f"{where}: {form.name} field {f['FieldPath']}"
        if f["SectionPath"] not in sections:
            raise CatalogueError(f"{here} is in section {f['SectionPath']}, which is not defined")
        kind = f["FieldType"]
        if kind == "SELECT" and "SelectValidation" not in f:
            raise CatalogueError(f"{here} is a SELECT without SelectValidation")
        if kind == "TEXT" and "TextValidation" not in f:
            raise CatalogueError(f"{here} is TEXT without TextValidation")
        for rules in [
            f.get("TextValidation", {}),
            *(r.get("ConditionalValidation", {}) for r in f.get("ConditionalBehavior", {}).get("Rules", [])),
        ]:
            if rules.get("Pattern"):
                try:
                    re.compile(rules["Pattern"])
                except re.error as exc:
                    raise CatalogueError(
                        f"{here}: pattern {rules['Pattern']!r} is not a regular "
                        f"expression Python reads ({exc})"
                    ) from None
        if f["FieldRequirement"] == "CONDITIONAL" and "ConditionalBehavior" not in f:
            raise CatalogueError(f"{here} is CONDITIONAL without ConditionalBehavior")
        for rule in f.get("ConditionalBehavior", {}).get("Rules", []):
            for cond in rule["Conditions"]:
                if cond["DependsOnFieldPath"] not in paths:
                    raise CatalogueError(
                        f"{here} depends on {cond['DependsOnFieldPath']}, which is not a field of the form"
                    )
    return form
