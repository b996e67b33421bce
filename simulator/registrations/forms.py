"""Filling in a registration form: one field value checked against its definition
(PutRegistrationFieldValue), and a whole version checked, with the conditional rules the
model describes: by AWS's review (`form_problems`: the denial reasons of AWS's rejection
guide), or, strictly, when it is submitted (`refuse_incomplete`).

Which a simulator does is a setting. AWS accepts SubmitRegistrationVersion with missing
required and disallowed conditional fields and denies the version in review [obs: public
programs saw "missing field" and "Conditional field not allowed" denials after an accepted
submit; doc: the rejection guide's MISSING_REQUIRED_FIELD ... CONDITIONAL_FIELD_NOT_ALLOWED];
the model's ConditionalFieldBehavior says a validation error at submission time
(`Simulator(strict_registration_submit=True)`).

Values are kept as the model's RegistrationFieldValueInformation dicts:
{"FieldPath", and one of "SelectChoices" | "TextValue" | "RegistrationAttachmentId"}.

Which Reason each failure carries is [inf]: AWS documents none. The choices, after
the model's ValidationExceptionReason enum and what public scripts saw:
unknown field -> UNKNOWN_REGISTRATION_FIELD; a value of the wrong kind, outside the
options, of the wrong length or pattern -> INVALID_PARAMETER (`Fields` names
`textValue` / `selectChoices` / `registrationAttachmentId`, as observed for
`textValue`); no value -> MISSING_PARAMETER; two kinds at once ->
PARAMETERS_CANNOT_BE_USED_TOGETHER; at a strict submit, missing required fields ->
MISSING_PARAMETER and a value the rules disallow -> INVALID_PARAMETER, each
field named in `Fields`.
"""

from __future__ import annotations

import dataclasses
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


# The denial reasons AWS's rejection guide gives for a form's fields, in its order: (Reason,
# the console's title, the guide's description) [doc: REJECTION_GUIDE]. The review finds them.
REJECTION_GUIDE = (
    "https://docs.aws.amazon.com/sms-voice/latest/userguide/registration-help-rejection-troubleshooting.html"
)
FIELD_DENIALS = {
    "missing": ("MISSING_REQUIRED_FIELD", "Missing required field",
                "A required field is missing from the submission"),
    "invalid": ("INVALID_FIELD_VALUE", "Invalid field value", "A submitted field value is invalid"),
    "missing_conditional": ("MISSING_CONDITIONAL_FIELD", "Missing conditional field",
                            "A conditionally required field is missing"),
    "disallowed": ("CONDITIONAL_FIELD_NOT_ALLOWED", "Conditional field not allowed",
                   "A conditionally allowed field was submitted but is not allowed for your configuration"),
}


@dataclasses.dataclass
class FormProblems:
    """What is wrong with a version's answers, field paths in the form's order; per-field
    notes for the answers that exist (a missing field has no value to note)."""

    missing: list[str] = dataclasses.field(default_factory=list)  # REQUIRED fields without a value
    invalid: list[str] = dataclasses.field(default_factory=list)  # values the field's rules refuse
    missing_conditional: list[str] = dataclasses.field(default_factory=list)  # CONDITIONAL, resolved REQUIRED
    disallowed: list[str] = dataclasses.field(default_factory=list)  # CONDITIONAL, resolved DISALLOWED, given
    notes: dict[str, str] = dataclasses.field(default_factory=dict)  # FieldPath -> why its value is refused

    def __bool__(self) -> bool:
        return any(getattr(self, kind) for kind in FIELD_DENIALS)

    def denied_reasons(self) -> list[dict]:
        """One RegistrationDeniedReasonInformation per kind of problem, naming its fields."""
        reasons = []
        for kind, (reason, title, description) in FIELD_DENIALS.items():
            paths = getattr(self, kind)
            if paths:
                reasons.append({"Reason": reason, "ShortDescription": title,
                                "LongDescription": f"{description}: {', '.join(paths)}.",
                                "DocumentationTitle": "Rejection troubleshooting",
                                "DocumentationLink": REJECTION_GUIDE})
        return reasons

    def feedback(self) -> str:
        parts = [f"{FIELD_DENIALS[kind][1]}: {', '.join(getattr(self, kind))}."
                 for kind in FIELD_DENIALS if getattr(self, kind)]
        return " ".join(parts)

    def field_feedback(self) -> dict[str, dict]:
        """DescribeRegistrationFieldValues' DeniedReason and Feedback on the values refused."""
        notes = {}
        for kind in ("invalid", "disallowed"):
            for path in getattr(self, kind):
                notes[path] = {"DeniedReason": FIELD_DENIALS[kind][1], "Feedback": self.notes[path]}
        return notes


def form_problems(
    form: RegistrationForm, values: dict[str, dict], attachment_ready: Callable[[str], str]
) -> FormProblems:
    """Every field the form's rules say is missing, disallowed or invalid, given these answers."""
    found = FormProblems()
    for definition in form.fields:
        path = definition["FieldPath"]
        behavior, overrides = resolve(definition, values)
        value = values.get(path)
        if value is None:
            if behavior == "REQUIRED":
                conditional = definition["FieldRequirement"] == "CONDITIONAL"
                (found.missing_conditional if conditional else found.missing).append(path)
        elif behavior == "DISALLOWED":
            found.disallowed.append(path)
            found.notes[path] = (f"{path} is not allowed with the answers given "
                                 f"({_depends(definition)}): delete it.")
        else:
            try:
                _check_against(definition, value, overrides, attachment_ready)
            except errors.ServiceError as exc:
                found.invalid.append(path)
                found.notes[path] = exc.message
    return found


def _depends(definition: dict) -> str:
    paths = {c["DependsOnFieldPath"] for rule in definition["ConditionalBehavior"]["Rules"]
             for c in rule["Conditions"]}
    return "it depends on " + ", ".join(sorted(paths))


def refuse_incomplete(
    form: RegistrationForm, values: dict[str, dict], attachment_ready: Callable[[str], str]
) -> None:
    """Strict submit (the model's ConditionalFieldBehavior text): the ValidationException a
    submit gets when the form is not complete."""
    missing, disallowed = [], []
    for definition in form.fields:
        behavior, overrides = resolve(definition, values)
        value = values.get(definition["FieldPath"])
        if value is None:
            if behavior == "REQUIRED":
                missing.append(definition["FieldPath"])
        elif behavior == "DISALLOWED":
            disallowed.append(definition["FieldPath"])
        else:
            _check_against(definition, value, overrides, attachment_ready)
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
