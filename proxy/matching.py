"""How a replayed request finds its recorded interaction.

The match key is the operation (from `X-Amz-Target`), the region (from the
SigV4 credential scope, else the host) and the JSON body canonicalised: keys
sorted, and with the volatile members dropped — the idempotency tokens the
botocore model names (boto3 puts a fresh UUID `ClientToken` in every
CreatePool) and any member the user adds. Headers never take part: SigV4
headers, dates and invocation ids change on every run.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from smsvoice_sim.simulator import HttpRequest
from smsvoice_sim.simulator.wire.auth import parse_authorization
from smsvoice_sim.simulator.wire.http import operation_from_target
from smsvoice_sim.simulator.wire.model import idempotency_token_members, target_prefix

_REGION_IN_HOST = re.compile(r"sms-voice\.([a-z0-9-]+)\.amazonaws\.com")


@dataclass(frozen=True)
class MatchKey:
    operation: str
    region: str
    body: str  # canonical JSON, volatile members removed

    @property
    def digest(self) -> str:
        raw = f"{self.operation}\n{self.region}\n{self.body}".encode()
        return hashlib.sha256(raw).hexdigest()


def region_of(request: HttpRequest) -> str:
    signed = parse_authorization(request.header("authorization"))
    if signed is not None:
        return signed.region
    match = _REGION_IN_HOST.search(request.host)
    return match.group(1) if match else ""


def operation_of(request: HttpRequest) -> str:
    return operation_from_target(request.header("x-amz-target"), target_prefix()) or ""


def _drop(params, path: list[str]):
    if not path or not isinstance(params, dict):
        return
    head, rest = path[0], path[1:]
    if not rest:
        params.pop(head, None)
    else:
        _drop(params.get(head), rest)


def canonical_body(operation: str, body: bytes, ignore: tuple[str, ...] = ()) -> str:
    try:
        params = json.loads(body.decode("utf-8")) if body else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        return body.decode("latin-1")  # not JSON (or nested past parsing): the raw bytes
    if isinstance(params, dict) and operation:
        for member in idempotency_token_members(operation):
            params.pop(member, None)
        for dotted in ignore:
            _drop(params, dotted.split("."))
    try:
        return json.dumps(params, sort_keys=True, separators=(",", ":"))
    except RecursionError:
        return body.decode("latin-1")


def match_key(request: HttpRequest, ignore: tuple[str, ...] = (), region: str | None = None) -> MatchKey:
    op = operation_of(request)
    return MatchKey(op, region if region is not None else region_of(request),
                    canonical_body(op, request.body, ignore))


def differing_fields(wanted: MatchKey, recorded: MatchKey) -> list[str]:
    """Top-level members (and Operation/Region) that differ between two keys."""
    diffs = []
    if wanted.operation != recorded.operation:
        diffs.append("Operation")
    if wanted.region != recorded.region:
        diffs.append("Region")
    try:
        a, b = json.loads(wanted.body), json.loads(recorded.body)
    except (ValueError, RecursionError):
        return diffs + (["Body"] if wanted.body != recorded.body else [])
    if isinstance(a, dict) and isinstance(b, dict):
        diffs += sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    elif a != b:
        diffs.append("Body")
    return diffs
