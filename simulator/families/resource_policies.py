"""Resource policies: Put/Get/DeleteResourcePolicy on pools, phone numbers, sender IDs
and opt-out lists, and the sharing they grant.

A policy that allows another account (a principal of the simulator's accounts) shares
the resource with it: that account lists it under `Owner=SHARED` and may use it by full
ARN, never by bare id ("If you are using a shared ... resource then you must use the
full Amazon Resource Name(ARN)" [model]). The rules live here (`shared_with`,
`shared_with_me`, `resolve_shared`); the Describe*/Send* lookups of the other families
call them. A policy that allows an AWS service (`{"Service": "sns.amazonaws.com"}`, as AWS's
SNS guide requires for SNS to use a number or an opt-out list) shares with no account; whether
it lets that service in is `allows_service`.

What a policy may be: the IAM policy grammar
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html), narrowed
to what a resource policy of this service can mean [inf: AWS documents only "JSON formatted"
(model) and publishes the examples of shared-resources.html, which are accepted as written]:
a JSON object with an optional `Version` ("2012-10-17" or "2008-10-17"), an optional `Id` and
`Statement` (one statement object or a non-empty list of them). Each statement has an optional
string `Sid`; `Effect` Allow|Deny; exactly one of `Principal` / `NotPrincipal` (NotPrincipal
only with Deny, as IAM advises), each "*" or {"AWS": ..., "Service": ...} with a string or a
non-empty list (AWS: "*", an account id or an IAM ARN; Service: `<name>.amazonaws.com`);
exactly one of `Action` / `NotAction` ("*" or `sms-voice:<Operation>`, `*`/`?` wildcards,
the prefix in any case); exactly one of `Resource` / `NotResource` (a Resource names this
resource's ARN, a wildcard pattern of it, or "*"); an optional `Condition` (operator ->
key -> value(s), IAM's operators with their ForAnyValue:/ForAllValues: and IfExists
variants). Nothing nests deeper than MAX_DEPTH. The policy reads back in a canonical form
[obs: Terraform compares policies after AWS rewrites them]: compact JSON, account-id
principals as `arn:aws:iam::<account>:root`.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from dataclasses import dataclass, field
from typing import ClassVar

from ..engine import arns
from ..wire import errors
from ..wire.json_read import JsonRefused, read_json
from . import Family, operation

# "A shared resource can be a Pool, Opt-out list, Sender Id, or Phone number" [model].
SHAREABLE = ("pool", "phone-number", "sender-id", "opt-out-list")
VERSIONS = ("2012-10-17", "2008-10-17")
EMPTY_POLICY = "{}"  # [obs] GetResourcePolicy without a policy: 200 with Policy "{}"
POLICY_ELEMENTS = frozenset({"Version", "Id", "Statement"})
STATEMENT_ELEMENTS = frozenset({"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                                "Resource", "NotResource", "Condition"})
# [inf] The principals a policy of this service can name: accounts and IAM identities, and AWS
# services (AWS's own examples name sns.amazonaws.com and pinpoint.amazonaws.com).
# `Federated` and `CanonicalUser` (identity providers, S3) mean nothing here and are refused.
PRINCIPAL_KINDS = ("AWS", "Service")
_ACCOUNT = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam::(\d{12}):(?:root|user/.+|role/.+)"
                      r"|sts::(\d{12}):assumed-role/.+)$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$")
_ACTION = re.compile(r"^(\*|sms-voice:[A-Za-z0-9*?]+)$", re.IGNORECASE)
_CONDITION_KEY = re.compile(r"^[A-Za-z0-9-]+:\S+$")
# IAM's condition operators [doc: reference_policies_elements_condition_operators.html]; each
# negated one with the operator it negates.
_POSITIVE = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
             "StringNotLike": "StringLike", "NumericNotEquals": "NumericEquals",
             "DateNotEquals": "DateEquals", "NotIpAddress": "IpAddress", "ArnNotEquals": "ArnEquals",
             "ArnNotLike": "ArnLike"}
NEGATED = frozenset(_POSITIVE)
OPERATORS = NEGATED | frozenset({
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "NumericEquals", "NumericLessThan",
    "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
    "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool",
    "BinaryEquals", "IpAddress", "ArnEquals", "ArnLike", "Null"})
SET_QUALIFIERS = ("ForAnyValue:", "ForAllValues:")
# [inf] An IAM policy's grammar nests about 6 deep (Statement > statement > Condition >
# operator > key > values); deeper is refused, so that reading the stored policy again
# (every sharing check does) can never exceed Python's recursion limit.
MAX_DEPTH = 32


@dataclass(eq=False)
class Policy:
    WIRE: ClassVar[dict[str, str]] = {
        "ResourceArn": "resource_arn",
        "Policy": "document",
        "CreatedTimestamp": "created",
    }
    resource_arn: str
    document: str  # canonical JSON
    created: float
    # The resource it is attached to: a resource deleted and made again under the same ARN
    # (an opt-out list of the same name) starts without a policy.
    resource: object = field(default=None, repr=False)

    def statements(self) -> list[dict]:
        parsed = read_json(self.document)  # written by canonical_policy, or a state file
        found = parsed.get("Statement", [])
        return found if isinstance(found, list) else [found]


def _bad(message: str, reason: str = "INVALID_PARAMETER") -> errors.ServiceError:
    return errors.validation(
        reason, f"The resource policy is invalid: {message}", [{"Name": "Policy", "Message": message}]
    )


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _depth(value) -> int:
    """How deep JSON containers nest in `value` (0 for a scalar), without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            todo.extend((child, level + 1) for child in children)
    return deepest


def _wildcard(value: str, pattern: str) -> bool:
    """IAM's matching: `*` any run of characters, `?` one; nothing else is special (unlike
    fnmatch, `[` is a plain character)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _strings(value, what: str) -> list[str]:
    """A string or a non-empty list of strings, as a list; INVALID_PARAMETER otherwise."""
    values = _as_list(value)
    if not values or not all(isinstance(v, str) for v in values):
        raise _bad(f"{what} must be a string or a non-empty list of strings")
    return values


# -- the grammar: what PutResourcePolicy accepts, in its canonical form ----------------------
def _aws_principal(value: str, partition: str) -> str:
    if value == "*" or _IAM_ARN.match(value):
        return value
    if _ACCOUNT.match(value):
        return f"arn:{partition}:iam::{value}:root"
    raise _bad(f"{value!r} is not an account id or an IAM ARN")


def _service_principal(value: str, partition: str) -> str:
    if not _SERVICE.match(value):
        raise _bad(f"{value!r} is not an AWS service principal such as sns.amazonaws.com")
    return value


def _principal(value, element: str, partition: str):
    """A Principal/NotPrincipal, canonical: "*", or {"AWS": ..., "Service": ...}."""
    if value == "*":
        return value
    if not isinstance(value, dict) or not value or set(value) - set(PRINCIPAL_KINDS):
        raise _bad(f'{element} must be "*" or an object of {" and/or ".join(PRINCIPAL_KINDS)} principals')
    canonical = {}
    for kind, named in value.items():
        check = _aws_principal if kind == "AWS" else _service_principal
        shown = [check(v, partition) for v in _strings(named, f"{element}.{kind}")]
        canonical[kind] = shown[0] if len(shown) == 1 else shown
    return canonical


def _one_of(statement: dict, names: tuple[str, str]):
    """The element of `names` the statement has (exactly one of the pair), and its value."""
    present = [n for n in names if n in statement]
    if len(present) != 1:
        raise _bad(f"a statement needs exactly one of {' or '.join(names)}")
    return present[0], statement[present[0]]


def _check_actions(value, element: str) -> None:
    for action in _strings(value, element):
        if not _ACTION.match(action):
            raise _bad(f"{element} must name sms-voice actions (sms-voice:<Operation>, sms-voice:*, "
                       f"or *), not {action!r}")


def _check_resources(value, element: str, resource_arn: str) -> None:
    """[inf] Every AWS example names the resource's own ARN; a Resource must cover it (the ARN,
    a wildcard pattern of it, or "*"); NotResource takes any ARN or pattern."""
    for resource in _strings(value, element):
        if element == "Resource" and not _wildcard(resource_arn, resource):
            raise _bad(f"Resource must be the resource's own ARN, {resource_arn}")
        if element == "NotResource" and resource != "*" and not resource.startswith("arn:"):
            raise _bad(f"NotResource names ARNs, not {resource!r}")


def _check_condition(value) -> None:
    if not isinstance(value, dict):
        raise _bad("Condition must be an object of operators")
    for operator, keys in value.items():
        if _base_operator(operator) is None:
            raise _bad(f"unknown condition operator {operator!r}")
        if not isinstance(keys, dict) or not keys:
            raise _bad(f"Condition {operator} must map condition keys to values")
        for key, values in keys.items():
            if not _CONDITION_KEY.match(key):
                raise _bad(f"{key!r} is not a condition key (such as aws:SourceAccount)")
            listed = _as_list(values)
            if not listed or not all(isinstance(v, str | int | float | bool) for v in listed):
                raise _bad(f"Condition {operator} {key} takes a value or a non-empty list of values")
            if "Date" in operator and any(_date(v) is None for v in listed):
                raise _bad(f"Condition {operator} {key} takes dates (ISO 8601 or epoch seconds)")


def _canonical_statement(statement, resource_arn: str, partition: str) -> dict:
    if not isinstance(statement, dict):
        raise _bad("each statement is a JSON object")
    unknown = set(statement) - STATEMENT_ELEMENTS
    if unknown:
        raise _bad(f"unknown statement element {sorted(unknown)[0]}")
    if not isinstance(statement.get("Sid", ""), str):
        raise _bad("Sid must be a string")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _bad("Effect must be Allow or Deny")
    who, principal = _one_of(statement, ("Principal", "NotPrincipal"))
    if who == "NotPrincipal" and statement["Effect"] != "Deny":
        raise _bad("NotPrincipal is used only with Effect Deny")
    what, actions = _one_of(statement, ("Action", "NotAction"))
    _check_actions(actions, what)
    where, resources = _one_of(statement, ("Resource", "NotResource"))
    _check_resources(resources, where, resource_arn)
    if "Condition" in statement:
        _check_condition(statement["Condition"])
    return {**statement, who: _principal(principal, who, partition)}


def canonical_policy(text: str, resource_arn: str) -> str:
    """The policy checked and rewritten as AWS reads it back; ValidationException otherwise."""
    try:  # the model's 10,000 characters hold 5,000 nested arrays: read with explicit limits
        parsed = read_json(text)
    except JsonRefused as exc:
        raise _bad(f"not JSON ({exc})", "CANNOT_PARSE") from None
    if not isinstance(parsed, dict):
        raise _bad("a policy is a JSON object")
    if _depth(parsed) > MAX_DEPTH:
        raise _bad(f"nested deeper than {MAX_DEPTH} levels")
    unknown = set(parsed) - POLICY_ELEMENTS
    if unknown:
        raise _bad(f"unknown element {sorted(unknown)[0]}")
    if not isinstance(parsed.get("Id", ""), str):
        raise _bad("Id must be a string")
    # IAM: "If you do not include a Version element, the value defaults to 2008-10-17".
    if "Version" in parsed and parsed["Version"] not in VERSIONS:
        raise _bad(f"Version must be one of {', '.join(VERSIONS)}")
    statements = parsed.get("Statement")
    if not statements or not isinstance(statements, dict | list):
        raise _bad("Statement must be a statement or a non-empty list of them")
    parsed_arn = arns.parse(resource_arn)
    partition = parsed_arn.partition if parsed_arn is not None else "aws"
    out = [_canonical_statement(s, resource_arn, partition) for s in _as_list(statements)]
    canonical = {**parsed, "Statement": out}
    return json.dumps(canonical, separators=(",", ":"))


# -- evaluation: does a statement apply to a request? ----------------------------------------
def _base_operator(operator: str) -> str | None:
    """`ForAnyValue:StringLikeIfExists` -> `StringLike`; None for what is no IAM operator."""
    for qualifier in SET_QUALIFIERS:
        if operator.startswith(qualifier):
            operator = operator.removeprefix(qualifier)
            break
    base = operator.removesuffix("IfExists") if operator != "IfExists" else operator
    if base == "Null" and operator != "Null":
        return None  # Null has no IfExists variant
    return base if base in OPERATORS else None


def _date(value) -> float | None:
    """An IAM date condition value (epoch seconds, or ISO 8601 with Z, an offset, or none:
    UTC) as epoch seconds; None for what is no date."""
    text = str(value)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def _compares(base: str, have: str, want) -> bool:
    """Does the request's value `have` match the policy's value `want` under `base` (the
    positive form of a negated operator)?"""
    want = str(want).lower() if isinstance(want, bool) else str(want)
    if base in ("StringEquals", "Bool", "BinaryEquals"):
        return have.lower() == want.lower() if base == "Bool" else have == want
    if base == "StringEqualsIgnoreCase":
        return have.lower() == want.lower()
    if base in ("StringLike", "ArnLike", "ArnEquals"):  # IAM: ArnEquals behaves as ArnLike
        return _wildcard(have, want)
    if base.startswith(("Numeric", "Date")):
        read = _date if base.startswith("Date") else _number
        a, b = read(have), read(want)
        if a is None or b is None:
            return False
        op = base.removeprefix("Numeric").removeprefix("Date")
        return {"Equals": a == b, "LessThan": a < b, "LessThanEquals": a <= b,
                "GreaterThan": a > b, "GreaterThanEquals": a >= b}[op]
    return False  # IpAddress: the simulator knows no source address [inf]


def _number(value) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _condition_holds(operator: str, key: str, wanted, context: dict[str, list[str]]) -> bool:
    """IAM's rules for one operator and key [doc: reference_policies_elements_condition_operators.html]:
    a key the request lacks fails a positive operator and passes a negated one, `...IfExists`
    and `ForAllValues:`; `Null` tests presence; a negated operator holds when no value matches."""
    base = _base_operator(operator)
    have = context.get(key.lower())
    wanted = _as_list(wanted)
    if base == "Null":
        return any((have is None) == (str(w).lower() == "true") for w in wanted)
    if have is None:
        return operator.endswith("IfExists") or base in NEGATED or operator.startswith("ForAllValues:")
    assert base is not None  # an operator the grammar check accepted
    positive = _POSITIVE.get(base, base)
    matches = [any(_compares(positive, h, w) for w in wanted) for h in have]
    if base in NEGATED:
        matches = [not m for m in matches]
    return all(matches) if operator.startswith("ForAllValues:") else any(matches)


def _conditions_hold(condition: dict | None, context: dict[str, list[str]]) -> bool:
    """Every operator and key of a statement's Condition holds for the request."""
    return all(_condition_holds(operator, key, wanted, context)
               for operator, keys in (condition or {}).items() for key, wanted in keys.items())


def _account_of(principal: str) -> str | None:
    match = _IAM_ARN.match(principal)
    return (match.group(1) or match.group(2)) if match else None


def _names(principal, kind: str, who: str) -> bool:
    """Does a principal element name `who` (an account id for kind AWS, a service principal for
    kind Service)? An IAM user or role names its account: the simulator's callers are accounts."""
    if principal == "*" or not isinstance(principal, dict):
        return False
    for value in _as_list(principal.get(kind, [])):
        if (kind == "AWS" and _account_of(value) == who) or (kind == "Service" and value == who):
            return True
    return False


def _everyone(principal) -> bool:
    return principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS", [])))


def _applies_to(statement: dict, kind: str, who: str) -> bool:
    """Is `who` a principal of the statement? For Allow only those named one by one ([inf]:
    AWS shares with accounts named one by one, so "*" shares with nobody); for Deny also "*",
    and with NotPrincipal everyone it does not name."""
    if "NotPrincipal" in statement:
        return not _names(statement["NotPrincipal"], kind, who)
    principal = statement.get("Principal")
    if statement["Effect"] == "Deny" and _everyone(principal):
        return True
    return _names(principal, kind, who)


def _covers_action(statement: dict, action: str | None) -> bool:
    """Does the statement's Action (`sms-voice:*`, `sms-voice:Describe*`, "*", ...) cover
    `action` (case-insensitively, as IAM matches actions)? With no action (what is listed
    as shared) an Allow covers if it covers anything; a Deny only if it covers everything."""
    negated = "NotAction" in statement
    patterns = [p.lower() for p in _as_list(statement.get("NotAction" if negated else "Action"))]
    if action is None:
        if statement["Effect"] == "Allow":
            return True
        return not negated and any(p in ("*", "sms-voice:*") for p in patterns)
    wanted = f"sms-voice:{action}".lower()
    hit = any(_wildcard(wanted, p) for p in patterns)
    return hit != negated


def _covers_resource(statement: dict, arn: str) -> bool:
    negated = "NotResource" in statement
    patterns = _as_list(statement.get("NotResource" if negated else "Resource"))
    return any(_wildcard(arn, p) for p in patterns) != negated


def decide(statements: list[dict], kind: str, who: str, arn: str, action: str | None,
           context: dict[str, list[str]]) -> bool:
    """IAM's evaluation for one principal: allowed when an Allow statement applies and no Deny
    does (an explicit Deny wins)."""
    allowed = False
    for statement in statements:
        if not (_applies_to(statement, kind, who) and _covers_action(statement, action)
                and _covers_resource(statement, arn)
                and _conditions_hold(statement.get("Condition"), context)):
            continue
        if statement["Effect"] == "Deny":
            return False
        allowed = True
    return allowed


class ResourcePolicies(Family):
    name = "resource_policies"

    def __init__(self, region):
        super().__init__(region)
        self.policies: dict[str, Policy] = {}  # resource ARN -> its policy

    # -- rules other families call -------------------------------------------
    def shared_with(self, account: str, arn: str, action: str | None = None) -> bool:
        """Does this account's resource `arn` have a policy sharing it with `account` (for
        `action`, an operation name such as "SendTextMessage", when given)? IAM's evaluation
        (`decide`) for a call made directly by `account`: an Allow naming the account whose
        Action, Resource and Condition hold, and no Deny that applies."""
        policy = self._live(arn)
        if policy is None or account == self.region.account:
            return False
        return decide(policy.statements(), "AWS", account, arn, action, self._context(
            {"aws:PrincipalAccount": account, "aws:PrincipalType": "Account",
             "aws:PrincipalArn": f"arn:{arns.partition_of(self.region.region)}:iam::{account}:root",
             "aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"}))

    def allows_service(self, service: str, arn: str, action: str, source_account: str | None = None,
                       source_arn: str | None = None) -> bool:
        """Does the policy of this account's resource `arn` let the AWS service `service`
        (`sns.amazonaws.com`) do `action` ("SendTextMessage") on it, for a request the service
        makes on behalf of `source_account` / `source_arn` (what aws:SourceAccount and
        aws:SourceArn hold then)? The simulator runs no such service (SNS is not simulated);
        this answers a test's question "would SNS be let in?" [inf]."""
        policy = self._live(arn)
        if policy is None:
            return False
        return decide(policy.statements(), "Service", service, arn, action, self._context(
            {"aws:SourceAccount": source_account, "aws:SourceArn": source_arn,
             "aws:PrincipalServiceName": service, "aws:PrincipalIsAWSService": "true"}))

    def _context(self, keys: dict[str, str | None]) -> dict[str, list[str]]:
        """The request context conditions are evaluated against: `keys` (None: absent) and what
        the simulator knows of every request [inf: keys it cannot know, aws:SourceIp,
        aws:CalledVia, ..., are absent, so conditions on them hold only when negated or
        ...IfExists]."""
        now = self.region.now()
        known = {"aws:RequestedRegion": self.region.region, "aws:ResourceAccount": self.region.account,
                 "aws:CurrentTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                 "aws:EpochTime": str(int(now)), "aws:SecureTransport": "true", **keys}
        return {key.lower(): [value] for key, value in known.items() if value is not None}

    def shared_with_me(self, kind: str) -> list:
        """The resources of `kind` (an ARN resource type: pool, phone-number, sender-id,
        opt-out-list) that other accounts in this region share with this account: what
        Describe* answers for `Owner=SHARED`."""
        found = []
        for owner in self._peers():
            family = owner.resource_policies
            for arn in list(family.policies):
                parsed = arns.parse(arn)
                if parsed is not None and parsed.resource_type == kind and \
                        family.shared_with(self.region.account, arn):
                    found.append(owner.by_arn(arn))
        return found

    def resolve_shared(self, ref: str, kind: str, action: str | None = None):
        """A resource named by another account's full ARN, when that account shares it with
        this one (for `action`, when given); ResourceNotFound (ResourceType `kind`) otherwise,
        as for anything absent."""
        parsed = arns.parse(ref)
        if parsed is None or parsed.resource_type != kind or parsed.region != self.region.region:
            raise errors.not_found(kind, ref)
        owner = self._peer(parsed.account)
        if owner is None or not owner.resource_policies.shared_with(self.region.account, ref, action):
            raise errors.not_found(kind, ref)
        return owner.by_arn(ref)

    def _peers(self) -> list:
        peers = self.region.peers
        return [
            part
            for (account, region), part in sorted(peers.items())
            if region == self.region.region and account != self.region.account
        ]

    def _peer(self, account: str):
        peers = self.region.peers
        return peers.get((account, self.region.region)) if account != self.region.account else None

    def _live(self, arn: str) -> Policy | None:
        """The policy of `arn`, while the resource it was attached to still exists (a
        released number, a deleted pool or list takes its policy with it)."""
        policy = self.policies.get(arn)
        if policy is None:
            return None
        try:
            resource = self.region.by_arn(arn)
        except errors.ServiceError:
            return None
        gone = getattr(resource, "state", "") == "DELETING"
        return None if gone or resource is not policy.resource else policy

    def _resource(self, ref: str):
        """A shareable resource of this account by ARN (ResourceNotFound if absent)."""
        parsed = arns.parse(ref)
        if parsed is not None and parsed.resource_type not in SHAREABLE:
            raise errors.validation(
                "INVALID_ARN",
                f"{ref} cannot have a resource policy: only pools, phone numbers, "
                "sender IDs and opt-out lists can be shared.",
                [{"Name": "ResourceArn", "Message": "Not a shareable resource"}],
            )
        if parsed is not None and self.region.local_resource(ref) is None:
            raise errors.not_found(parsed.resource_type, ref)  # another account's or region's
        return self.region.by_arn(ref)  # INVALID_ARN / ResourceNotFound (a released number too)

    # -- operations ------------------------------------------------------------
    @operation("PutResourcePolicy")
    def put(self, params: dict) -> Policy:
        arn = params["ResourceArn"]
        resource = self._resource(arn)
        document = canonical_policy(params["Policy"], arn)
        old = self._live(arn)
        policy = Policy(arn, document, old.created if old else self.region.now(), resource)
        self.policies[arn] = policy
        return policy

    @operation("GetResourcePolicy")
    def get(self, params: dict) -> Policy | dict:
        arn = params["ResourceArn"]
        self._resource(arn)
        return self._live(arn) or {"ResourceArn": arn, "Policy": EMPTY_POLICY}

    @operation("DeleteResourcePolicy")
    def delete(self, params: dict) -> Policy:
        arn = params["ResourceArn"]
        self._resource(arn)
        policy = self._live(arn)
        if policy is None:
            raise errors.not_found("policy", arn, f"{arn} has no resource policy.")
        del self.policies[arn]
        return policy

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(p: Policy) -> dict | None:
            if self._live(p.resource_arn) is not p:
                return None
            return {"ResourceArn": p.resource_arn, "Policy": p.document, "CreatedTimestamp": p.created}

        return {"resource_policies": (self.policies.values(), row)}

    saved_by = {"policies": "resource_arn"}

    def saved_row(self, part: str, p: Policy) -> list | None:
        return [p.resource_arn, p.document, p.created] if self._live(p.resource_arn) is p else None

    def saved_with(self, resource) -> list[tuple[str, object]]:
        """A policy is saved while its resource lives: it changes with it."""
        arn = getattr(resource, "arn", None)
        return [("policies", arn)] if arn in self.policies else []

    def restore(self, data: dict) -> None:
        self.policies = {arn: Policy(arn, doc, created) for arn, doc, created in data["policies"]}

    def relink(self) -> None:
        """Every family restored: attach each policy to its resource again."""
        for arn, policy in list(self.policies.items()):
            try:
                policy.resource = self.region.by_arn(arn)
            except errors.ServiceError:
                del self.policies[arn]
