"""Filling in a registration form: one field value checked against its definition
(PutRegistrationFieldValue), and a whole version checked before it is submitted
(SubmitRegistrationVersion), with the conditional rules the model describes.

Values are kept as the model's RegistrationFieldValueInformation dicts:
{"FieldPath", and one of "SelectChoices" | "TextValue" | "RegistrationAttachmentId"}.

Which Reason each failure carries is [inf]: AWS documents none. The choices, after
the model's ValidationExceptionReason enum and what public scripts saw:
unknown field -> UNKNOWN_REGISTRATION_FIELD; a value of the wrong kind, outside the
options, of the wrong length or pattern -> INVALID_PARAMETER (`Fields` names
`textValue` / `selectChoices` / `registrationAttachmentId`, as observed for
`textValue`); no value -> MISSING_PARAMETER; two kinds at once ->
PARAMETERS_CANNOT_BE_USED_TOGETHER; at submit, missing required fields ->
MISSING_PARAMETER and a value the rules disallow -> INVALID_PARAMETER, each
field named in `Fields`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..wire import errors
from .catalogue import RegistrationForm

VALUE_MEMBERS = {"SELECT": "SelectChoices", "TEXT": "TextValue", "ATTACHMENT": "RegistrationAttachmentId"}


def _invalid(member: str, message: str, reason: str = "INVALID_PARAMETER"):
    """`Fields` names the member as the wire does: SelectChoices -> selectChoices."""
    return errors.invalid(member[0].lower() + member[1:], message, reason)


def value_of(value: dict | None) -> list[str]:
    """A field's value as the list of strings conditions compare against."""
    if not value:
        return []
    if "SelectChoices" in value:
        return list(value["SelectChoices"])
    for member in ("TextValue", "RegistrationAttachmentId"):
        if member in value:
            return [value[member]]
    return []


def _condition_holds(condition: dict, values: dict[str, dict]) -> bool:
    actual = value_of(values.get(condition["DependsOnFieldPath"]))
    wanted = condition.get("Values") or []
    op = condition["Operator"]
    if op == "EQUALS":
        return bool(wanted) and actual == [wanted[0]]
    if op == "NOT_EQUALS":
        return bool(wanted) and actual != [wanted[0]]
    if op == "IN":
        return bool(actual) and all(v in wanted for v in actual)
    if op == "NOT_IN":
        return not any(v in wanted for v in actual)
    if op == "HAS_VALUE":
        return bool(actual)
    if op == "NO_VALUE":
        return not actual
    return False  # the model: an unknown operator evaluates to false and skips its rule


def resolve(field: dict, values: dict[str, dict]) -> tuple[str, dict]:
    """(REQUIRED | OPTIONAL | DISALLOWED, the validation overrides of the rule that matched)."""
    requirement = field["FieldRequirement"]
    if requirement != "CONDITIONAL":
        return requirement, {}
    behavior = field["ConditionalBehavior"]
    for rule in behavior["Rules"]:  # top to bottom; the first rule whose conditions all hold wins
        if all(_condition_holds(c, values) for c in rule["Conditions"]):
            return rule["RuleBehavior"], rule.get("ConditionalValidation", {})
    return behavior["DefaultBehavior"], {}


def known_field(form: RegistrationForm, path: str) -> dict:
    """The form's definition of field `path`, or the ValidationException for a field it lacks."""
    field = form.field(path)
    if field is None:
        raise errors.validation(
            "UNKNOWN_REGISTRATION_FIELD",
            f"{path} is not a field of {form.name}.",
            [{"Name": "fieldPath", "Message": "Unknown field for this registration type"}],
        )
    return field


def check_value(
    form: RegistrationForm, params: dict, values: dict[str, dict], attachment_ready: Callable[[str], str]
) -> dict:
    """The value PutRegistrationFieldValue stores, or the ValidationException AWS gives.
    `attachment_ready(ref)` returns the attachment's id, raising when it cannot be used."""
    field = known_field(form, params["FieldPath"])
    path = params["FieldPath"]
    given = [m for m in VALUE_MEMBERS.values() if m in params]
    expected = VALUE_MEMBERS[field["FieldType"]]
    if not given:
        raise _invalid(
            expected, f"{path} is a {field['FieldType']} field: give {expected}.", "MISSING_PARAMETER"
        )
    if len(given) > 1:
        raise _invalid(
            given[1], f"{' and '.join(given)} cannot be used together.", "PARAMETERS_CANNOT_BE_USED_TOGETHER"
        )
    if given[0] != expected:
        raise _invalid(given[0], f"{path} is a {field['FieldType']} field: give {expected}, not {given[0]}.")
    others = {p: v for p, v in values.items() if p != path}
    _, overrides = resolve(field, others)
    value = {"FieldPath": path, expected: params[expected]}
    _check_against(field, value, overrides, attachment_ready)
    if expected == "RegistrationAttachmentId":
        value[expected] = attachment_ready(params[expected])
    return value


def _check_against(field: dict, value: dict, overrides: dict, attachment_ready: Callable[[str], str]) -> None:
    path = field["FieldPath"]
    if "SelectChoices" in value:
        rules = field["SelectValidation"]
        choices = value["SelectChoices"]
        allowed = overrides.get("AllowedValues") or rules["Options"]
        unknown = [c for c in choices if c not in allowed]
        if unknown:
            raise _invalid(
                "SelectChoices", f"{path}: {', '.join(unknown)} is not one of {', '.join(allowed)}."
            )
        if len(set(choices)) != len(choices):
            raise _invalid("SelectChoices", f"{path}: a choice is given twice.")
        if not rules["MinChoices"] <= len(choices) <= rules["MaxChoices"]:
            raise _invalid(
                "SelectChoices",
                f"{path} takes {rules['MinChoices']} to {rules['MaxChoices']} choices, not {len(choices)}.",
            )
    elif "TextValue" in value:
        rules = {**field["TextValidation"], **overrides}
        text = value["TextValue"]
        low, high = rules.get("MinLength", 0), rules.get("MaxLength", len(text))
        if not low <= len(text) <= high:
            raise _invalid("TextValue", f"{path} must be {low} to {high} characters long, not {len(text)}.")
        pattern = rules.get("Pattern")
        if pattern and not re.search(pattern, text):
            raise _invalid("TextValue", f"{path} does not match {pattern}.")
    else:
        attachment_ready(value["RegistrationAttachmentId"])


def submission_problems(
    form: RegistrationForm, values: dict[str, dict], attachment_ready: Callable[[str], str]
) -> None:
    """Raise the ValidationException a submit gets when the form is not complete."""
    missing, disallowed = [], []
    for field in form.fields:
        behavior, overrides = resolve(field, values)
        value = values.get(field["FieldPath"])
        if value is None:
            if behavior == "REQUIRED":
                missing.append(field["FieldPath"])
        elif behavior == "DISALLOWED":
            disallowed.append(field["FieldPath"])
        else:
            _check_against(field, value, overrides, attachment_ready)
    if missing:
        raise errors.validation(
            "MISSING_PARAMETER",
            f"{form.name} cannot be submitted: {len(missing)} required "
            f"field(s) have no value: {', '.join(missing)}.",
            [{"Name": p, "Message": "Required field has no value"} for p in missing],
        )
    if disallowed:
        raise errors.validation(
            "INVALID_PARAMETER",
            f"{form.name} cannot be submitted: the answers given make "
            f"{', '.join(disallowed)} disallowed; delete their values.",
            [
                {"Name": p, "Message": "Field is disallowed by the form's conditional rules"}
                for p in disallowed
            ],
        )
