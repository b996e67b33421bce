"""Everything one account holds in one region, and how requests name it.

Requests may name a resource by id or by ARN; ARNs of another account or
region name nothing here, exactly as on AWS.
"""

from __future__ import annotations

from collections import OrderedDict

from . import errors
from .ids import IdFactory
from .lifecycle import Lifecycles
from .resources import OptOutList, PhoneNumber, Pool, SenderId, arn

# Account quotas AWS applies by default. AWS documents these per account and
# raises them on request; the simulator's defaults are [inf] and configurable.
DEFAULT_QUOTAS: dict[str, int] = {
    "PHONE_NUMBERS": 100, "POOLS": 100, "CONFIGURATION_SETS": 25, "OPT_OUT_LISTS": 25,
    "SENDER_IDS": 100, "REGISTRATIONS": 50, "REGISTRATION_ATTACHMENTS": 100,
    "VERIFIED_DESTINATION_NUMBERS": 10,
    # Not in DescribeAccountLimits, enforced with ServiceQuotaExceededException reasons:
    "KEYWORDS_PER_PHONE_NUMBER": 30, "KEYWORDS_PER_POOL": 30,
    "ORIGINATION_IDENTITIES_PER_POOL": 1000, "TAGS_PER_RESOURCE": 200,
}

IDEMPOTENCY_MEMORY = 10_000  # tokens remembered per account and region


class Partition:
    def __init__(self, account: str, region: str, ids: IdFactory, lifecycles: Lifecycles,
                 quotas: dict[str, int], created: float):
        self.account = account
        self.region = region
        self.ids = ids
        self.lifecycles = lifecycles
        self.quotas = quotas
        self.pools: dict[str, Pool] = {}
        self.phones: dict[str, PhoneNumber] = {}
        self.sender_ids: dict[tuple[str, str], SenderId] = {}
        self.opt_out_lists: dict[str, OptOutList] = {
            "Default": OptOutList("Default", self.arn("opt-out-list/Default"), created)
        }
        self.idempotency: OrderedDict[tuple[str, str], tuple[str, dict]] = OrderedDict()
        self.sent_messages: list[dict] = []

    def now(self) -> float:
        return self.lifecycles.clock.now()

    def arn(self, resource: str) -> str:
        return arn(self.region, self.account, resource)

    def _local_arn_resource(self, ref: str) -> str | None:
        """`arn:aws:sms-voice:{region}:{account}:pool/x` -> `pool/x` when it is ours."""
        prefix = f"arn:aws:sms-voice:{self.region}:{self.account}:"
        return ref[len(prefix):] if ref.startswith(prefix) else None

    @staticmethod
    def is_arn(ref: str) -> bool:
        return ref.startswith("arn:")

    # -- lookups ------------------------------------------------------------
    def _by_id_or_arn(self, ref: str, kind: str, table: dict):
        """`kind` is the ARN's resource type and the error's ResourceType."""
        key = ref
        if self.is_arn(ref):
            local = self._local_arn_resource(ref) or ""
            key = local.removeprefix(f"{kind}/") if local.startswith(f"{kind}/") else ""
        found = table.get(key)
        if found is None:
            raise errors.not_found(kind, ref)
        return found

    def pool(self, ref: str) -> Pool:
        return self._by_id_or_arn(ref, "pool", self.pools)

    def phone(self, ref: str) -> PhoneNumber:
        return self._by_id_or_arn(ref, "phone-number", self.phones)

    def sender_id(self, ref: str, iso_country_code: str | None) -> SenderId:
        sender, iso = ref, iso_country_code
        if self.is_arn(ref):
            local = self._local_arn_resource(ref) or ""
            parts = local.split("/")
            if len(parts) != 3 or parts[0] != "sender-id":
                raise errors.not_found("sender-id", ref)
            sender, iso = parts[1], parts[2]
        elif not iso:
            raise errors.validation(
                "INVALID_ARN",
                f"{ref} is neither an id nor an ARN of an origination identity; a sender ID "
                "needs its IsoCountryCode, or pass the sender ID's ARN.",
                [{"Name": "IsoCountryCode", "Message": "Required for a sender ID given by name"}])
        found = self.sender_ids.get((sender, iso))
        if found is None:
            raise errors.not_found("sender-id", sender)
        return found

    def origination_identity(self, ref: str, iso: str | None) -> PhoneNumber | SenderId:
        if ref.startswith("phone-") or ":phone-number/" in ref:
            return self.phone(ref)
        if ref.startswith("pool-") or ":pool/" in ref:
            raise errors.validation(
                "INVALID_PARAMETER", f"{ref} is a pool; a pool's members are phone numbers "
                "and sender IDs.", [{"Name": "OriginationIdentity", "Message": "Not a pool"}])
        return self.sender_id(ref, iso)

    def opt_out_list(self, ref: str) -> OptOutList:
        return self._by_id_or_arn(ref, "opt-out-list", self.opt_out_lists)

    def phone_or_pool(self, ref: str) -> PhoneNumber | Pool:
        if ref.startswith("pool-") or ":pool/" in ref:
            return self.pool(ref)
        return self.phone(ref)

    def by_arn(self, resource_arn: str):
        """Any taggable resource by ARN."""
        local = self._local_arn_resource(resource_arn)
        if local is None:
            if not resource_arn.startswith("arn:aws:sms-voice:"):
                raise errors.validation("INVALID_ARN", f"{resource_arn} is not a valid ARN.",
                                        [{"Name": "ResourceArn", "Message": "Invalid ARN"}])
            raise errors.not_found("account", resource_arn)
        kind = local.split("/", 1)[0]
        if kind == "pool":
            return self.pool(resource_arn)
        if kind == "phone-number":
            return self.phone(resource_arn)
        if kind == "sender-id":
            return self.sender_id(resource_arn, None)
        if kind == "opt-out-list":
            return self.opt_out_list(resource_arn)
        raise errors.not_found(kind, resource_arn)

    # -- quotas --------------------------------------------------------------
    _USAGE = {
        "POOLS": lambda part: len(part.pools),
        "PHONE_NUMBERS": lambda part: sum(1 for p in part.phones.values() if p.state != "DELETED"),
        "SENDER_IDS": lambda part: len(part.sender_ids),
        "OPT_OUT_LISTS": lambda part: len(part.opt_out_lists),
    }

    def usage(self) -> dict[str, int]:
        return {name: count(self) for name, count in self._USAGE.items()}

    def require_quota(self, name: str, reason: str, used: int | None = None,
                      adding: int = 1) -> None:
        limit = self.quotas[name]
        if used is None:
            used = self._USAGE[name](self) if name in self._USAGE else 0
        if used + adding > limit:
            raise errors.quota_exceeded(
                reason, f"The quota {name} ({limit}) for account {self.account} in "
                        f"{self.region} would be exceeded.")

    # -- idempotency ---------------------------------------------------------
    def remembered(self, operation: str, token: str) -> tuple[str, dict] | None:
        return self.idempotency.get((operation, token))

    def remember(self, operation: str, token: str, fingerprint: str, result: dict) -> None:
        self.idempotency[(operation, token)] = (fingerprint, result)
        while len(self.idempotency) > IDEMPOTENCY_MEMORY:
            self.idempotency.popitem(last=False)
