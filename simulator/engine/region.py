"""The engine's part of one account in one region: its names (ARNs), ids, quotas,
lifecycles and remembered idempotency tokens.

(AWS and moto call `aws`/`aws-cn`/`aws-us-gov` partitions; this is one account in one
region, moto's backend for an account and region.) Requests may name a resource by id or by
ARN; ARNs of another account or region name nothing here, exactly as on AWS. What the account
holds — one store per family — is added on top of this in `simulator/account.py`.
"""

from __future__ import annotations

from collections import OrderedDict

from . import arns
from .ids import IdFactory
from .lifecycle import Lifecycles

IDEMPOTENCY_MEMORY = 10_000  # tokens remembered per account and region


class Region:
    def __init__(self, account: str, region: str, ids: IdFactory, lifecycles: Lifecycles,
                 quotas: dict[str, int], created: float):
        self.account = account
        self.region = region
        self.ids = ids
        self.lifecycles = lifecycles
        self.quotas = quotas
        self.created = created
        self._arn_prefix = arns.build(region, account, "")
        self.idempotency: OrderedDict[tuple[str, str], tuple[str, dict]] = OrderedDict()

    def now(self) -> float:
        return self.lifecycles.clock.now()

    # -- names ----------------------------------------------------------------
    def arn(self, resource: str) -> str:
        return arns.build(self.region, self.account, resource)

    def local_resource(self, ref: str) -> str | None:
        """`arn:aws:sms-voice:{region}:{account}:pool/x` -> `pool/x` when it is ours."""
        if ref.startswith(self._arn_prefix) and len(ref) > len(self._arn_prefix):
            return ref[len(self._arn_prefix):]
        return None

    def local_id(self, ref: str, kind: str) -> str:
        """The id a reference names: itself, or an ARN's id when the ARN is ours and of `kind`;
        "" (names nothing) otherwise."""
        if not arns.is_arn(ref):
            return ref
        local = self.local_resource(ref) or ""
        return local.removeprefix(f"{kind}/") if local.startswith(f"{kind}/") else ""

    # -- idempotency ---------------------------------------------------------
    def remembered(self, operation: str, token: str) -> tuple[str, dict] | None:
        return self.idempotency.get((operation, token))

    def remember(self, operation: str, token: str, fingerprint: str, result: dict) -> None:
        self.idempotency[(operation, token)] = (fingerprint, result)
        while len(self.idempotency) > IDEMPOTENCY_MEMORY:
            self.idempotency.popitem(last=False)
