"""Registration definitions: the forms, as AWS serves them
(DescribeRegistration{Type,Section,Field}Definitions), read from the catalogue the
registrations family validates against (registration_catalogue.py)."""

from __future__ import annotations

from ..wire import errors
from ..wire.paging import Getters, apply_filters, page_result
from . import Family, operation

TYPE_FILTERS: Getters = {
    "supported-association-resource-type": lambda f: [
        a["ResourceType"] for a in f.definition.get("SupportedAssociations", [])
    ],
    "supported-association-iso-country-code": lambda f: [
        a.get("IsoCountryCode") for a in f.definition.get("SupportedAssociations", [])
    ],
}


class RegistrationDefinitions(Family):
    name = "registration_definitions"

    @operation("DescribeRegistrationTypeDefinitions")
    def describe_type_definitions(self, params: dict) -> dict:
        registrations = self.region.registrations
        forms = list(registrations.desk.catalogue)
        if params.get("RegistrationTypes"):
            names = dict.fromkeys(params["RegistrationTypes"])
            forms = [registrations.form(name, "registrationTypes") for name in names]
        forms = apply_filters(forms, params.get("Filters"), TYPE_FILTERS)
        result = page_result(
            "DescribeRegistrationTypeDefinitions", "RegistrationTypeDefinitions", forms, params
        )[0]
        result["RegistrationTypeDefinitions"] = [f.definition for f in result["RegistrationTypeDefinitions"]]
        return result

    @operation("DescribeRegistrationSectionDefinitions")
    def describe_section_definitions(self, params: dict) -> dict:
        form = self.region.registrations.form(params["RegistrationType"])
        sections = form.sections
        if params.get("SectionPaths"):
            sections = [
                self._section(form, path, "sectionPaths") for path in dict.fromkeys(params["SectionPaths"])
            ]
        result = page_result(
            "DescribeRegistrationSectionDefinitions", "RegistrationSectionDefinitions", sections, params
        )[0]
        return {"RegistrationType": form.name, **result}

    @operation("DescribeRegistrationFieldDefinitions")
    def describe_field_definitions(self, params: dict) -> dict:
        form = self.region.registrations.form(params["RegistrationType"])
        fields = form.fields
        if params.get("SectionPath"):
            self._section(form, params["SectionPath"], "sectionPath")
            fields = [f for f in fields if f["SectionPath"] == params["SectionPath"]]
        if params.get("FieldPaths"):
            for path in params["FieldPaths"]:
                if form.field(path) is None:
                    raise errors.validation(
                        "UNKNOWN_REGISTRATION_FIELD",
                        f"{path} is not a field of {form.name}.",
                        [{"Name": "fieldPaths", "Message": "Unknown field"}],
                    )
            fields = [f for f in fields if f["FieldPath"] in params["FieldPaths"]]
        result = page_result(
            "DescribeRegistrationFieldDefinitions", "RegistrationFieldDefinitions", fields, params
        )[0]
        return {"RegistrationType": form.name, **result}

    @staticmethod
    def _section(form, path: str, member: str) -> dict:
        section = form.section(path)
        if section is None:
            raise errors.validation(
                "UNKNOWN_REGISTRATION_SECTION",
                f"{path} is not a section of {form.name}.",
                [{"Name": member, "Message": "Unknown section"}],
            )
        return section
