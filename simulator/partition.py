"""Stores and lookups of the families not yet ported to `families/` (pools, phone
numbers, sender IDs). Each moves into its family module; this file then goes."""

from __future__ import annotations

from . import errors
from .resources import PhoneNumber, Pool, SenderId


class UnportedStores:
    def _init_unported(self) -> None:
        self.pools: dict[str, Pool] = {}
        self.phones: dict[str, PhoneNumber] = {}
        self.sender_ids: dict[tuple[str, str], SenderId] = {}
        self.sent_messages: list[dict] = []

    def opt_out_list(self, ref: str):
        return self.opt_out_lists.get(ref)

    def opt_out_list_users(self, name: str) -> list[str]:
        return [p.pool_id for p in self.pools.values() if p.opt_out_list_name == name] + [
            p.phone_number_id for p in self.phones.values()
            if p.opt_out_list_name == name and p.state != "DELETED"]

    def _by_id_or_arn(self, ref: str, kind: str, table: dict):
        return self.find(table, ref, kind)

    @staticmethod
    def is_arn(ref: str) -> bool:
        return ref.startswith("arn:")

    # -- lookups ------------------------------------------------------------
    def _by_id_or_arn(self, ref: str, kind: str, table: dict):
        """`kind` is the ARN's resource type and the error's ResourceType."""
        key = ref
        if self.is_arn(ref):
            local = self.local_resource(ref) or ""
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
            local = self.local_resource(ref) or ""
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

    def phone_or_pool(self, ref: str) -> PhoneNumber | Pool:
        if ref.startswith("pool-") or ":pool/" in ref:
            return self.pool(ref)
        return self.phone(ref)

    arn_types = {"pool": "pool", "phone-number": "phone", "sender-id": "sender_id_by_arn"}

    def sender_id_by_arn(self, ref: str) -> SenderId:
        return self.sender_id(ref, None)

    def unported_used(self, quota: str) -> int | None:
        if quota == "POOLS":
            return len(self.pools)
        if quota == "PHONE_NUMBERS":
            return sum(1 for p in self.phones.values() if p.state != "DELETED")
        if quota == "SENDER_IDS":
            return len(self.sender_ids)
        return None
