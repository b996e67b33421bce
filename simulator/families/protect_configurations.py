"""Protect configurations: per-capability country rule sets, number overrides, the account
default, association with configuration sets, and the protect gate on every send.

Which configuration decides a send [doc: protect-configuration-edit-association.html]: the
send's ProtectConfigurationId, else the one associated with its configuration set, else the
account default. Rules and sources: `protect_rules.py`.

Configuration sets belong to their own family: an association is the set's own
`protect_configuration_id` (DescribeConfigurationSets shows it, sends read it), reached
through that family's methods.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..gates.protect_rules import (
    FilterRule,
    NumberOverride,
    ProtectConfiguration,
    Verdict,
    capability_of,
    decide,
)
from ..messaging.send import Send
from ..wire import errors
from ..wire.paging import describe, flag, page_result
from ..wire.projection import tag_dict
from . import Family, operation

KIND = "protect-configuration"


class ProtectConfigurations(Family):
    name = "protect_configurations"
    arn_types = (KIND,)

    def __init__(self, region):
        super().__init__(region)
        self.configs: dict[str, ProtectConfiguration] = {}
        self.filters: list[FilterRule] = []  # what FILTER treats as suspicious

    # -- rules other families call -------------------------------------------
    def get(self, ref: str) -> ProtectConfiguration:
        return self.region.find(self.configs, ref, KIND)

    def account_default(self) -> ProtectConfiguration | None:
        return next((c for c in self.configs.values() if c.account_default), None)

    def applying_to(self, send: Send) -> ProtectConfiguration | None:
        """The send's own configuration, else its configuration set's (the send path puts
        the set's in `send.protect_configuration_id` when the request names none), else the
        account default [doc]."""
        if send.protect_configuration_id:
            return self.get(send.protect_configuration_id)
        return self.account_default()

    def _sets_using(self, protect_id: str) -> list[str]:
        found = self.region.configuration_sets.describe({"Filters": [
            {"Name": "protect-configuration-id", "Values": [protect_id]}]})["ConfigurationSets"]
        return sorted(cs.name for cs in found)

    def verdict(self, send: Send) -> Verdict | None:
        config = self.applying_to(send)
        if config is None:
            return None
        return decide(config, capability_of(send.channel, send.operation), send.destination,
                      send.iso_country_code, send.body, self.region.now(), self.filters)

    def used(self, quota: str) -> int | None:
        return len(self.configs) if quota == "PROTECT_CONFIGURATIONS" else None

    # -- operations: the configuration itself -----------------------------------
    @operation("CreateProtectConfiguration")
    def create(self, params: dict) -> ProtectConfiguration:
        self._quota()
        pid = f"protect-{self.region.ids.hex32()}"
        config = ProtectConfiguration(
            pid, self.region.arn(f"{KIND}/{pid}"), self.region.now(),
            deletion_protection_enabled=bool(params.get("DeletionProtectionEnabled", False)),
            tags=tag_dict(params.get("Tags")))
        self.configs[pid] = config
        return config

    def _quota(self) -> None:
        self.region.require_quota("PROTECT_CONFIGURATIONS", "PROTECT_CONFIGURATIONS_PER_ACCOUNT",
                                  used=len(self.configs))

    @operation("DescribeProtectConfigurations")
    def describe(self, params: dict) -> dict:
        return describe("DescribeProtectConfigurations", "ProtectConfigurations", params,
                        "ProtectConfigurationIds", self.get, self.configs.values(), {
                            "account-default": lambda c: flag(c.account_default),
                            "deletion-protection-enabled":
                                lambda c: flag(c.deletion_protection_enabled)})

    @operation("UpdateProtectConfiguration")
    def update(self, params: dict) -> ProtectConfiguration:
        config = self.get(params["ProtectConfigurationId"])
        if "DeletionProtectionEnabled" in params:
            config.deletion_protection_enabled = bool(params["DeletionProtectionEnabled"])
        return config

    @operation("DeleteProtectConfiguration")
    def delete(self, params: dict) -> ProtectConfiguration:
        config = self.get(params["ProtectConfigurationId"])
        self.refuse_if_protected(config, KIND, config.id, "Protect configuration")
        if config.account_default:
            raise errors.conflict("PROTECT_CONFIGURATION_IS_ACCOUNT_DEFAULT", KIND, config.id,
                                  f"Protect configuration {config.id} is the account default.")
        sets = self._sets_using(config.id)
        if sets:
            raise errors.conflict("PROTECT_CONFIGURATION_ASSOCIATED_WITH_CONFIGURATION_SET", KIND,
                                  config.id, f"Protect configuration {config.id} is associated "
                                  f"with configuration set {sets[0]}.")
        del self.configs[config.id]
        return config

    # -- operations: country rule sets -----------------------------------------
    @operation("GetProtectConfigurationCountryRuleSet")
    def get_country_rule_set(self, params: dict) -> dict:
        config = self.get(params["ProtectConfigurationId"])
        return self._rule_set(config, params["NumberCapability"])

    @operation("UpdateProtectConfigurationCountryRuleSet")
    def update_country_rule_set(self, params: dict) -> dict:
        config = self.get(params["ProtectConfigurationId"])
        config.update_rules(params["NumberCapability"], params["CountryRuleSetUpdates"])
        return self._rule_set(config, params["NumberCapability"])

    @staticmethod
    def _rule_set(config: ProtectConfiguration, capability: str) -> dict:
        return {"ProtectConfigurationArn": config.arn, "ProtectConfigurationId": config.id,
                "NumberCapability": capability, "CountryRuleSet": config.country_rule_set(capability)}

    # -- operations: the account default ----------------------------------------
    @operation("SetAccountDefaultProtectConfiguration")
    def set_account_default(self, params: dict) -> dict:
        config = self.get(params["ProtectConfigurationId"])
        for other in self.configs.values():
            if other.account_default != (other is config):
                self.region.changed(other)  # --state
            other.account_default = other is config
        return _default(config)

    @operation("DeleteAccountDefaultProtectConfiguration")
    def delete_account_default(self, params: dict) -> dict:
        config = self.account_default()
        if config is None:  # [inf] the model lists ResourceNotFound
            raise errors.not_found(KIND, "account-default",
                                   "The account has no default protect configuration.")
        config.account_default = False
        self.region.changed(config)  # --state
        return _default(config)

    # -- operations: configuration sets -------------------------------------------
    @operation("AssociateProtectConfiguration")
    def associate_with_set(self, params: dict) -> dict:
        """A set has at most one protect configuration: a new one replaces it [model]."""
        config = self.get(params["ProtectConfigurationId"])
        cs = self.region.configuration_sets.set_protect_configuration(
            params["ConfigurationSetName"], config.id)
        return _association(config, cs)

    @operation("DisassociateProtectConfiguration")
    def disassociate_from_set(self, params: dict) -> dict:
        config = self.get(params["ProtectConfigurationId"])
        cs = self.region.configuration_sets.get(params["ConfigurationSetName"])
        if cs.protect_configuration_id != config.id:
            raise errors.conflict("PROTECT_CONFIGURATION_NOT_ASSOCIATED_WITH_CONFIGURATION_SET",
                                  KIND, config.id, f"Protect configuration {config.id} is not "
                                  f"associated with configuration set {cs.name}.")
        self.region.configuration_sets.set_protect_configuration(cs.name, None)
        return _association(config, cs)

    # -- operations: number overrides ---------------------------------------------
    @operation("PutProtectConfigurationRuleSetNumberOverride")
    def put_override(self, params: dict) -> dict:
        config = self.get(params["ProtectConfigurationId"])
        number = params["DestinationPhoneNumber"]
        expires = params.get("ExpirationTimestamp")
        override = NumberOverride(number, params["Action"], self.region.now(),
                                  None if expires is None else _epoch(expires))
        config.overrides[number] = override  # create or replace [model]
        return _override_result(config, override)

    @operation("DeleteProtectConfigurationRuleSetNumberOverride")
    def delete_override(self, params: dict) -> dict:
        config = self.get(params["ProtectConfigurationId"])
        number = params["DestinationPhoneNumber"]
        override = config.override_for(number, self.region.now())
        if override is None:
            raise errors.not_found(KIND, number, f"Protect configuration {config.id} has no "
                                   f"override for {number}.")
        del config.overrides[number]
        return _override_result(config, override)

    @operation("ListProtectConfigurationRuleSetNumberOverrides")
    def list_overrides(self, params: dict) -> tuple:
        config = self.get(params["ProtectConfigurationId"])
        found = sorted(config.live_overrides(self.region.now()), key=lambda o: o.number)
        for flt in params.get("Filters") or ():
            found = [o for o in found if _override_matches(o, flt["Name"], flt["Values"])]
        result = page_result("ListProtectConfigurationRuleSetNumberOverrides",
                             "RuleSetNumberOverrides", found, params)[0]
        return (config, result)

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(c):
            return {"ProtectConfigurationId": c.id, "AccountDefault": c.account_default,
                    "DeletionProtectionEnabled": c.deletion_protection_enabled, "Rules": c.rules,
                    "Overrides": {n: o.action for n, o in c.overrides.items()},
                    "ConfigurationSets": self._sets_using(c.id)}

        return {"protect_configurations": (self.configs.values(), row)}

    saved_by = {"configs": "id"}

    def saved_row(self, part: str, c: ProtectConfiguration) -> dict:
        return {"id": c.id, "arn": c.arn, "created": c.created,
                "deletion_protection_enabled": c.deletion_protection_enabled,
                "account_default": c.account_default, "tags": c.tags, "rules": c.rules,
                "overrides": [[o.number, o.action, o.created, o.expires] for o in c.overrides.values()]}

    def saved_rest(self) -> dict:
        return {"filters": [[f.destination, f.body] for f in self.filters]}

    def restore(self, data: dict) -> None:
        self.configs = {}
        for row in data.get("configs", ()):
            overrides = {n: NumberOverride(n, a, c, e) for n, a, c, e in row.pop("overrides")}
            self.configs[row["id"]] = ProtectConfiguration(**row, overrides=overrides)
        self.filters = [FilterRule(d, b) for d, b in data.get("filters", ())]

    # -- the send path: the protect gate ------------------------------------------
    def check_send(self, send: Send) -> None:
        """BLOCK refuses the send at once; FILTER and MONITOR let it through with the verdict on
        the send (`send.protect`) for the events the message emits."""
        verdict = self.verdict(send)
        send.protect = verdict  # read by the messages family's events (None: no configuration)
        if verdict is None or not verdict.refused:
            return
        if verdict.blocked_by == "override":
            raise errors.conflict(
                "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE", KIND,
                verdict.protect_configuration_id,
                f"{send.destination} is blocked by a number override of protect configuration "
                f"{verdict.protect_configuration_id}.")
        raise errors.conflict(
            "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION", KIND,
            verdict.protect_configuration_id,
            f"Protect configuration {verdict.protect_configuration_id} blocks "
            f"{send.iso_country_code or 'this country'} for {send.channel} messages.")



def _default(config: ProtectConfiguration) -> dict:
    return {"DefaultProtectConfigurationArn": config.arn,
            "DefaultProtectConfigurationId": config.id}


def _association(config: ProtectConfiguration, cs) -> dict:
    return {"ConfigurationSetArn": cs.arn, "ConfigurationSetName": cs.name,
            "ProtectConfigurationArn": config.arn, "ProtectConfigurationId": config.id}


def _override_result(config: ProtectConfiguration, override: NumberOverride) -> dict:
    return {"ProtectConfigurationArn": config.arn, "ProtectConfigurationId": config.id,
            "DestinationPhoneNumber": override.number, "CreatedTimestamp": override.created,
            "Action": override.action, "IsoCountryCode": override.iso_country_code,
            "ExpirationTimestamp": override.expires}


def _epoch(value) -> float:
    """A model timestamp as it arrives on the wire (epoch seconds; ISO 8601 is accepted too)."""
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise errors.validation("INVALID_FILTER_VALUES", f"{value!r} is not a timestamp.",
                                [{"Name": "Values", "Message": "Not a timestamp"}]) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _override_matches(override: NumberOverride, name: str, values: list[str]) -> bool:
    """The model's filters: a filter matches when any of its values does [inf: several
    values of a time filter are OR-ed like every other filter's]."""
    if name == "iso-country-code":
        return override.iso_country_code in values
    if name == "destination-phone-number-begins-with":
        return any(override.number.startswith(v) for v in values)
    if name == "action":
        return override.action in values
    moments = [_epoch(v) for v in values]
    if name == "created-before":
        return any(override.created < t for t in moments)
    if name == "created-after":
        return any(override.created > t for t in moments)
    if override.expires is None:  # a permanent override never expires before or after anything
        return False
    if name == "expires-before":
        return any(override.expires < t for t in moments)
    return any(override.expires > t for t in moments)  # expires-after
