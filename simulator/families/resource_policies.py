"""Resource policies: Put/Get/DeleteResourcePolicy on pools, phone numbers, sender IDs
and opt-out lists, and the sharing they grant.

A policy that allows another account (a principal of the simulator's accounts) shares
the resource with it: that account lists it under `Owner=SHARED` and may use it by full
ARN, never by bare id ("If you are using a shared ... resource then you must use the
full Amazon Resource Name(ARN)" [model]). The rules live here (`shared_with`,
`shared_with_me`, `resolve_shared`); the Describe*/Send* lookups of the other families
call them.

What a policy must be [inf; AWS documents only "JSON formatted"]: a JSON object with
`Version` "2012-10-17" (or "2008-10-17") and `Statement`, one statement object or a
non-empty list of them; each statement has `Effect` Allow|Deny, a `Principal` ("*",
{"AWS": account id | IAM ARN | non-empty list of them}), `Action` (string or list, each
`sms-voice:*` or `sms-voice:<Operation>`, `*`-wildcards allowed) and `Resource` (string or
list: this resource's ARN); nothing nests deeper than MAX_DEPTH. The policy reads back in a
canonical form [obs: Terraform compares policies after AWS rewrites them]: compact JSON,
account-id principals as `arn:aws:iam::<account>:root`.
"""

from __future__ import annotations

import fnmatch
import json
import re
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
_ACCOUNT = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(root|user/.+|role/.+)$")
_ACTION = re.compile(r"^sms-voice:[A-Za-z*]+$")
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


def _principal(value, partition: str) -> str:
    if not isinstance(value, str):
        raise _bad("a principal must be a string")
    if value == "*" or _IAM_ARN.match(value):
        return value
    if _ACCOUNT.match(value):
        return f"arn:{partition}:iam::{value}:root"
    raise _bad(f"{value!r} is not an account id or an IAM ARN")


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
    unknown = set(parsed) - {"Version", "Id", "Statement"}
    if unknown:
        raise _bad(f"unknown element {sorted(unknown)[0]}")
    if not isinstance(parsed.get("Id", ""), str):
        raise _bad("Id must be a string")
    if parsed.get("Version") not in VERSIONS:
        raise _bad(f"Version must be one of {', '.join(VERSIONS)}")
    statements = parsed.get("Statement")
    if not statements or not isinstance(statements, dict | list):
        raise _bad("Statement must be a statement or a non-empty list of them")
    partition = arns.parse(resource_arn).partition
    out = []
    for statement in _as_list(statements):
        if not isinstance(statement, dict):
            raise _bad("each statement is a JSON object")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise _bad("Effect must be Allow or Deny")
        principal = statement.get("Principal")
        if principal is None:
            raise _bad("a resource policy statement needs a Principal")
        if principal != "*":
            if not isinstance(principal, dict) or set(principal) != {"AWS"}:
                raise _bad('Principal must be "*" or {"AWS": ...}')
            shown = [_principal(p, partition) for p in _as_list(principal["AWS"])]
            if not shown:
                raise _bad("a Principal names at least one account")
            principal = {"AWS": shown[0] if len(shown) == 1 else shown}
        actions = _as_list(statement.get("Action"))
        if not actions or not all(isinstance(a, str) and _ACTION.match(a) for a in actions):
            raise _bad("Action must name sms-voice actions (sms-voice:<Operation> or sms-voice:*)")
        resources = _as_list(statement.get("Resource"))
        if not resources or any(r != resource_arn for r in resources):
            raise _bad(f"Resource must be the resource's own ARN, {resource_arn}")
        out.append({**statement, "Principal": principal})
    canonical = {**parsed, "Statement": out}
    return json.dumps(canonical, separators=(",", ":"))


def _names(principal, account: str) -> bool:
    """Does a statement's principal name `account`? "*" names nobody for sharing: AWS
    shares with accounts named one by one (through AWS RAM) [inf]."""
    if not isinstance(principal, dict):
        return False
    for value in _as_list(principal.get("AWS")):
        match = _IAM_ARN.match(value)
        if match and match.group(1) == account:
            return True
    return False


def _covers(actions, action: str | None) -> bool:
    """Does a statement's Action (`sms-voice:*`, `sms-voice:Describe*`, ...) cover `action`?"""
    if action is None:
        return True
    return any(fnmatch.fnmatchcase(f"sms-voice:{action}", pattern) for pattern in _as_list(actions))


class ResourcePolicies(Family):
    name = "resource_policies"

    def __init__(self, region):
        super().__init__(region)
        self.policies: dict[str, Policy] = {}  # resource ARN -> its policy

    # -- rules other families call -------------------------------------------
    def shared_with(self, account: str, arn: str, action: str | None = None) -> bool:
        """Does this account's resource `arn` have a policy sharing it with `account` (for
        `action`, an operation name such as "SendTextMessage", when given)? An explicit
        Deny naming the account (and covering the action) wins over any Allow."""
        policy = self._live(arn)
        if policy is None or account == self.region.account:
            return False
        effects = {
            s["Effect"]
            for s in policy.statements()
            if _names(s.get("Principal"), account) and _covers(s.get("Action"), action)
        }
        return "Allow" in effects and "Deny" not in effects

    def shared_with_me(self, kind: str) -> list:
        """The resources of `kind` (an ARN resource type: pool, phone-number, sender-id,
        opt-out-list) that other accounts in this region share with this account: what
        Describe* answers for `Owner=SHARED`."""
        found = []
        for owner in self._peers():
            family = owner.resource_policies
            for arn in list(family.policies):
                parsed = arns.parse(arn)
                if parsed.resource_type == kind and family.shared_with(self.region.account, arn):
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
        def row(p):
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
