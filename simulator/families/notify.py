"""Notify: templated one-time-code messages through AWS-managed identities.

A notify configuration starts PENDING and the clock moves it to ACTIVE ("Most
configurations are activated within seconds" [doc]), or to REJECTED when its display
name breaks the review rule below [inf]; only an ACTIVE configuration sends [doc]. All
configurations start in the BASIC tier (200 messages a day, the 30 BASIC countries)
[doc: notify-tiers]; ADVANCED (every Notify country, no daily cap) comes only through
the control method `set_tier`, as AWS's tier upgrade is a support process, not an API.

System templates and the Notify countries are shipped data (`notify_data.json`):
AWS publishes neither catalogue [inf]. What AWS shows of them is followed: template ids such
as `notify-code-verification-english-001` (the id of every AWS example, for SMS and voice
[doc: notify-send-messages.html]), the SYSTEM variable `brandName` filled from the
configuration's display name, the customer variable `code` (4-8 digits) and lowercase language
codes (`en`, `es`, `fr-CA`) [AWS-authored guide]. Sends resolve the template's `{{variable}}`s
from TemplateVariables (values are strings; INTEGER/BOOLEAN are parsed [model doc]) and the
SYSTEM variables from the configuration, and answer the text as `ResolvedMessageBody`.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import ClassVar

from ..engine.lifecycle import Lifecycled, LifecycleSpec
from ..engine.numbering import country_of
from ..messaging.send import Outbound
from ..wire import errors
from ..wire.model import enum_values, service_model
from ..wire.paging import apply_filters, describe, flag, page_result
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import learn_fields, restored, saved, shown

# The review [inf]: a display name that looks like a URL, or holds one of these words,
# is REJECTED with a RejectionReason; AWS reviews "for profanity, URLs, and other
# disallowed content" [doc] and publishes no list.
URL_MARKERS = ("http", "www")
DISALLOWED_WORDS = ("spam", "scam", "lottery", "winner", "reject")

CONFIGURATION_KIND = "notify-configuration"
REJECTED_KIND = "notify-configuration-rejected"


@functools.cache
def configuration_lifecycles() -> tuple[LifecycleSpec, LifecycleSpec]:
    """A configuration's review [doc: "Most configurations are activated within seconds"]: it
    ends ACTIVE, or REJECTED for a display name that breaks the rule above (one machine per
    outcome keeps both on the clock). Built on first use: the states are the model's."""
    states = tuple(enum_values("NotifyConfigurationStatus"))
    approved = LifecycleSpec(
        kind=CONFIGURATION_KIND, states=states, initial="PENDING",
        transitions=({"trigger": "approve", "source": "PENDING", "dest": "ACTIVE"},),
        automatic={"PENDING": "approve"}, durations={"PENDING->ACTIVE": 5.0})
    rejected = LifecycleSpec(
        kind=REJECTED_KIND, states=states, initial="PENDING",
        transitions=({"trigger": "reject", "source": "PENDING", "dest": "REJECTED"},),
        automatic={"PENDING": "reject"}, durations={"PENDING->REJECTED": 5.0})
    return approved, rejected


QUOTA_CONFIGURATIONS = "NOTIFY_CONFIGURATIONS"  # Simulator(quotas={...}) keys
QUOTA_BASIC_DAILY = "NOTIFY_BASIC_DAILY_MESSAGES"
QUOTA_PER_DESTINATION = "NOTIFY_MESSAGES_PER_DESTINATION_PER_DAY"
TEMPLATES_PUBLISHED = 1767225600.0  # 2026-01-01: the shipped templates' CreatedTimestamp
UNSET_TEMPLATE = "UNSET_DEFAULT_TEMPLATE"
UNSET_POOL = "UNSET_DEFAULT_POOL_FOR_NOTIFY"
NOTIFY_CHANNELS = ("SMS", "VOICE")  # "Supported values include SMS and VOICE" [model doc]
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@functools.cache
def shipped() -> dict:
    text = resources.files("smsvoice_sim.simulator.families").joinpath("notify_data.json").read_text("utf-8")
    data = json.loads(text)
    return {
        "countries": {c["IsoCountryCode"]: c for c in data["countries"]},
        "templates": {
            t["TemplateId"]: {**t, "CreatedTimestamp": TEMPLATES_PUBLISHED} for t in data["templates"]
        },
    }


def review(display_name: str) -> str | None:
    """The RejectionReason for a display name, or None when it passes [inf]."""
    lowered = display_name.lower()
    if any(marker in lowered for marker in URL_MARKERS):
        return "The display name contains a URL."
    words = re.split(r"[\s_-]+", lowered)
    if any(word in DISALLOWED_WORDS for word in words):
        return "The display name contains disallowed content."
    return None


@dataclass(eq=False)
class NotifyConfiguration(Lifecycled):
    FAMILY: ClassVar[str] = "notify"
    WIRE: ClassVar[dict[str, str]] = {
        "NotifyConfigurationArn": "arn",
        "NotifyConfigurationId": "id",
        "Status": "state",
        "CreatedTimestamp": "created",
        "PoolId": "pool_id",
    }
    id: str = ""
    arn: str = ""
    display_name: str = ""
    use_case: str = "CODE_VERIFICATION"
    enabled_channels: list[str] = field(default_factory=list)
    enabled_countries: list[str] | None = None
    default_template_id: str | None = None
    pool_id: str | None = None
    tier: str = "BASIC"
    tier_upgrade_status: str = "BASIC"
    deletion_protection_enabled: bool = False
    created: float = 0.0
    tags: dict[str, str] = field(default_factory=dict)
    sent_on: tuple[int, int] = (0, 0)  # (UTC day, messages sent that day): the tier's cap
    # destination -> [UTC day, messages sent to it that day]: the per-destination limit
    sent_to: dict[str, list[int]] = field(default_factory=dict)

    def sent_today(self, day: int) -> int:
        return self.sent_on[1] if self.sent_on[0] == day else 0

    def sent_to_today(self, destination: str, day: int) -> int:
        on, count = self.sent_to.get(destination, (day, 0))
        return count if on == day else 0

    def count_sent(self, destination: str, day: int) -> None:
        """One more message sent today, to `destination`. The first of a new day drops the
        days before's per-destination counts: only today's are read, and kept they would grow
        (and be saved) with every number the configuration ever sent to."""
        if self.sent_on[0] != day:
            self.sent_to = {}
        self.sent_on = (day, self.sent_today(day) + 1)
        self.sent_to[destination] = [day, self.sent_to_today(destination, day) + 1]

    @property
    def rejection_reason(self) -> str | None:
        return review(self.display_name) if self.state == "REJECTED" else None


FILTERS = {
    "display-name": lambda c: c.display_name,
    "enabled-countries": lambda c: list(c.enabled_countries or ()),
    "enabled-channels": lambda c: list(c.enabled_channels),
    "default-template": lambda c: c.default_template_id,
    "default-pool": lambda c: c.pool_id,
    "use-case": lambda c: c.use_case,
    "status": lambda c: c.state,
    "deletion-protection-enabled": lambda c: flag(c.deletion_protection_enabled),
    "tier-upgrade-status": lambda c: c.tier_upgrade_status,
}
TEMPLATE_FILTERS = {
    "template-type": lambda t: t["TemplateType"],
    "channels": lambda t: t["Channels"],
    "tier-access": lambda t: t.get("TierAccess", []),
    "supported-countries": lambda t: t.get("SupportedCountries", []),
    "language-code": lambda t: t.get("LanguageCode"),
    "supported-voice-ids": lambda t: t.get("SupportedVoiceIds", []),
}


def tier_countries(tier: str) -> list[str]:
    return [iso for iso, c in shipped()["countries"].items() if tier in c["SupportedTiers"]]


class Notify(Family):
    name = "notify"
    arn_types = ("notify-configuration",)

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return configuration_lifecycles()

    def __init__(self, region):
        super().__init__(region)
        self.configurations: dict[str, NotifyConfiguration] = {}

    # -- rules other families call -------------------------------------------
    def get(self, ref: str) -> NotifyConfiguration:
        return self.region.find(self.configurations, ref, "notify-configuration")

    def by_id(self, resource_id: str) -> NotifyConfiguration | None:
        return self.configurations.get(resource_id)

    def configurations_using_pool(self, pool_id: str) -> list[str]:
        """Notify configurations whose PoolId is this pool: DeletePool must refuse with
        ConflictException POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION while any is [inf]."""
        return [c.id for c in self.configurations.values() if c.pool_id == pool_id]

    def check_pool_deletable(self, pool_id: str) -> None:
        users = self.configurations_using_pool(pool_id)
        if users:
            raise errors.conflict(
                "POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION",
                "pool",
                pool_id,
                f"Pool {pool_id} is the pool of notify configuration {users[0]}.",
            )

    def set_tier(self, ref: str, tier: str) -> NotifyConfiguration:
        """Control: the outcome of a tier upgrade (ADVANCED) or its refusal (REJECTED
        upgrade, tier stays BASIC). AWS upgrades tiers through a review, not an API."""
        config = self.get(ref)
        if tier == "ADVANCED":
            config.tier = config.tier_upgrade_status = "ADVANCED"
        elif tier == "PENDING_UPGRADE":
            config.tier_upgrade_status = "PENDING_UPGRADE"
        elif tier == "REJECTED":
            config.tier, config.tier_upgrade_status = "BASIC", "REJECTED"
        else:
            raise ValueError(f"no tier outcome {tier!r}; use ADVANCED, PENDING_UPGRADE or REJECTED")
        return config

    def used(self, quota: str) -> int | None:
        return len(self.configurations) if quota == QUOTA_CONFIGURATIONS else None

    # -- checks shared by create and update -----------------------------------
    def _template(self, template_id: str) -> dict:
        found = shipped()["templates"].get(template_id)
        if found is None:
            raise errors.not_found("notify-template", template_id)
        return found

    def _check_template_fits(self, template: dict, tier: str, channels: list[str], member: str) -> None:
        if tier not in template.get("TierAccess", [tier]):
            raise errors.invalid(member,
                                 f"Template {template['TemplateId']} is not available to the {tier} tier.")
        if not set(template["Channels"]) & set(channels):
            raise errors.invalid(
                member,
                f"Template {template['TemplateId']} serves "
                f"{', '.join(template['Channels'])}, not an enabled channel.",
            )

    def _check_channels(self, channels: list[str]) -> list[str]:
        wrong = [c for c in channels if c not in NOTIFY_CHANNELS]
        if wrong:
            raise errors.invalid(
                "EnabledChannels", f"Notify sends SMS and VOICE, not {wrong[0]}.", "CHANNEL_NOT_ENABLED"
            )
        return list(dict.fromkeys(channels))

    def _check_countries(self, countries: list[str], tier: str) -> list[str]:
        allowed = set(tier_countries(tier))
        wrong = [c for c in countries if c not in allowed]
        if wrong:
            raise errors.invalid(
                "EnabledCountries",
                f"{wrong[0]} is not a Notify country of the {tier} tier (see ListNotifyCountries).",
                "COUNTRY_NOT_ENABLED",
            )
        return list(dict.fromkeys(countries))

    def _pool_for(self, ref: str, config: NotifyConfiguration | None):
        pool = self.region.pools.get(ref)
        users = [u for u in self.configurations_using_pool(pool.pool_id) if config is None or u != config.id]
        if users:
            raise errors.conflict(
                "POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION",
                "pool",
                pool.pool_id,
                f"Pool {pool.pool_id} already serves notify configuration {users[0]}.",
            )
        return pool

    # -- operations ------------------------------------------------------------
    @operation("CreateNotifyConfiguration")
    def create(self, params: dict) -> NotifyConfiguration:
        channels = self._check_channels(params["EnabledChannels"])
        countries = (
            self._check_countries(params["EnabledCountries"], "BASIC")
            if params.get("EnabledCountries")
            else None
        )
        template_id = params.get("DefaultTemplateId") or None
        if template_id == UNSET_TEMPLATE:
            template_id = None
        if template_id is not None:
            self._check_template_fits(self._template(template_id), "BASIC", channels, "DefaultTemplateId")
        pool = self._pool_for(params["PoolId"], None) if params.get("PoolId") else None
        self.region.require_quota(QUOTA_CONFIGURATIONS, "NOTIFY_CONFIGURATIONS_PER_ACCOUNT",
                                  used=len(self.configurations))
        config_id = f"notify-{self.region.ids.hex32()}"  # [inf] prefix: AWS documents none
        rejection = review(params["DisplayName"])
        config = NotifyConfiguration(
            id=config_id,
            arn=self.region.arn(f"notify-configuration/{config_id}"),
            display_name=params["DisplayName"],
            use_case=params["UseCase"],
            enabled_channels=channels,
            enabled_countries=countries,
            default_template_id=template_id,
            pool_id=pool.pool_id if pool is not None else None,
            deletion_protection_enabled=bool(params.get("DeletionProtectionEnabled", False)),
            created=self.region.now(),
            tags=tag_dict(params.get("Tags")),
        )
        kind = REJECTED_KIND if rejection else CONFIGURATION_KIND
        self.region.lifecycles.place(config, kind, config.created)
        self.configurations[config_id] = config
        return config

    @operation("DescribeNotifyConfigurations")
    def describe(self, params: dict) -> dict:
        result = describe(
            "DescribeNotifyConfigurations",
            "NotifyConfigurations",
            params,
            "NotifyConfigurationIds",
            self.get,
            self.configurations.values(),
            FILTERS,
            self.region.lifecycles.observed,
        )
        if not result["NotifyConfigurations"]:
            del result["NotifyConfigurations"]  # the model's list holds at least one
        return result

    @operation("UpdateNotifyConfiguration")
    def update(self, params: dict) -> NotifyConfiguration:
        config = self.get(params["NotifyConfigurationId"])
        channels = (
            self._check_channels(params["EnabledChannels"])
            if params.get("EnabledChannels")
            else config.enabled_channels
        )
        countries = config.enabled_countries
        if "EnabledCountries" in params:
            countries = self._check_countries(params["EnabledCountries"], config.tier) or None
        template_id = config.default_template_id
        if "DefaultTemplateId" in params:
            template_id = (
                None if params["DefaultTemplateId"] in (UNSET_TEMPLATE, "") else params["DefaultTemplateId"]
            )
        if template_id is not None:
            self._check_template_fits(self._template(template_id), config.tier, channels, "DefaultTemplateId")
        pool_id = config.pool_id
        if params.get("PoolId"):
            pool_id = (
                None if params["PoolId"] == UNSET_POOL else self._pool_for(params["PoolId"], config).pool_id
            )
        # -- every rule checked; now change ------------------------------------------
        config.enabled_channels, config.enabled_countries = channels, countries
        config.default_template_id, config.pool_id = template_id, pool_id
        if params.get("DeletionProtectionEnabled") is not None:
            config.deletion_protection_enabled = params["DeletionProtectionEnabled"]
        return config

    @operation("DeleteNotifyConfiguration")
    def delete(self, params: dict) -> NotifyConfiguration:
        config = self.get(params["NotifyConfigurationId"])
        self.refuse_if_protected(config, "notify-configuration", config.id, "Notify configuration")
        del self.configurations[config.id]
        self.region.lifecycles.forget(config)  # its pending review step goes with it
        return config

    @operation("DescribeNotifyTemplates")
    def describe_templates(self, params: dict) -> dict:
        _check_language_filters(params.get("Filters"))
        templates = shipped()["templates"]
        if params.get("TemplateIds"):
            found = [self._template(t) for t in dict.fromkeys(params["TemplateIds"])]
        else:
            found = list(templates.values())
        found = apply_filters(found, params.get("Filters"), TEMPLATE_FILTERS)
        return page_result("DescribeNotifyTemplates", "NotifyTemplates", found, params)[0]

    @operation("ListNotifyCountries")
    def list_countries(self, params: dict) -> dict:
        found = list(shipped()["countries"].values())
        if params.get("Channels"):
            found = [c for c in found if set(params["Channels"]) <= set(c["SupportedChannels"])]
        if params.get("UseCases"):
            found = [c for c in found if set(params["UseCases"]) <= set(c["SupportedUseCases"])]
        if params.get("Tier"):
            found = [c for c in found if params["Tier"] in c["SupportedTiers"]]
        return page_result("ListNotifyCountries", "NotifyCountries", found, params)[0]

    @operation("SendNotifyTextMessage")
    def send_text(self, params: dict) -> dict:
        return self._send(params, "SMS", "SendNotifyTextMessage")

    @operation("SendNotifyVoiceMessage")
    def send_voice(self, params: dict) -> dict:
        return self._send(params, "VOICE", "SendNotifyVoiceMessage")

    # -- sending ---------------------------------------------------------------
    def _send(self, params: dict, channel: str, operation_name: str) -> dict:
        config = self.get(params["NotifyConfigurationId"])
        if config.state != "ACTIVE":
            raise errors.conflict(
                "NOTIFY_CONFIGURATION_NOT_ACTIVE",
                "notify-configuration",
                config.id,
                f"Notify configuration {config.id} is {config.state}; it sends only when ACTIVE.",
            )
        if channel not in config.enabled_channels:
            raise errors.invalid(
                "NotifyConfigurationId",
                f"Notify configuration {config.id} does not have {channel} enabled.",
                "CHANNEL_NOT_ENABLED",
            )
        destination = params["DestinationPhoneNumber"]
        iso = country_of(destination)
        self._check_destination(config, iso, destination)
        template = self._resolve_template(config, params.get("TemplateId"), channel, iso)
        body = self._render(template, params["TemplateVariables"], config)
        voice_id = params.get("VoiceId")
        if voice_id and voice_id not in template.get("SupportedVoiceIds", [voice_id]):
            raise errors.invalid("VoiceId",
                                 f"Template {template['TemplateId']} does not speak with {voice_id}.")
        country = shipped()["countries"][iso]
        pool = self.region.pools.get(config.pool_id) if config.pool_id else None
        if country["CustomerOwnedIdentityRequired"] and pool is None:
            raise errors.invalid(
                "NotifyConfigurationId",
                f"Notify sends to {iso} only from your own numbers: give notify "
                f"configuration {config.id} a PoolId.",
                "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY",
            )
        if pool is not None and pool.state != "ACTIVE":
            raise errors.conflict(
                "RESOURCE_NOT_ACTIVE",
                "pool",
                pool.pool_id,
                f"Pool {pool.pool_id} is {pool.state}.",
            )
        if pool is not None and country["CustomerOwnedIdentityRequired"]:
            self._check_pool_route(pool, channel, destination, iso)
        dry_run = bool(params.get("DryRun", False))
        day = int(self.region.now() // 86400)
        if not dry_run:
            self._check_daily_limits(config, destination, day)
        sent = self.region.send(Outbound(
            operation=operation_name, channel="NOTIFY", destination=destination, iso_country_code=iso,
            body=body, params=params,
            priced_as="VOICE" if channel == "VOICE" else "TEXT",  # as the plain send of its medium [inf]
            origination=pool, pool_id=config.pool_id,
            opt_out_list=getattr(pool, "opt_out_list_name", "Default"),
            configuration_set=self._configuration_set(params.get("ConfigurationSetName")),
            details={"NotifyConfigurationId": config.id, "TemplateId": template["TemplateId"],
                     "TemplateVariables": dict(params["TemplateVariables"]), "VoiceId": voice_id}))
        if not dry_run:
            config.count_sent(destination, day)
        message_id = sent.message_id
        return {"MessageId": message_id, "TemplateId": template["TemplateId"], "ResolvedMessageBody": body}

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        """Replay, then simulate: the configurations a recorded response shows, in the status
        it shows (a deleted one is dropped); the clock moves a PENDING one on as usual."""
        if operation == "DeleteNotifyConfiguration":
            self.configurations.pop(body.get("NotifyConfigurationId", ""), None)
            return
        for item in shown(body, "NotifyConfigurations"):
            if not (item.get("NotifyConfigurationId") and item.get("NotifyConfigurationArn")
                    and item.get("Status")):
                continue
            config = self.configurations.get(item["NotifyConfigurationId"])
            if config is None:
                config = self.configurations[item["NotifyConfigurationId"]] = NotifyConfiguration(
                    id=item["NotifyConfigurationId"], arn=item["NotifyConfigurationArn"])
            learn_fields(config, item)
            kind = REJECTED_KIND if item["Status"] == "REJECTED" else CONFIGURATION_KIND
            if config.state != item["Status"]:
                self.region.lifecycles.place(config, kind, self.region.now(), item["Status"])

    def _configuration_set(self, name: str | None):
        return self.region.configuration_sets.get(name) if name else None

    def _check_pool_route(self, pool, channel: str, destination: str, iso: str | None) -> None:
        """Where a country needs your own identity, the pool's number that would send must be
        allowed to send there (PhoneNumbers.route_problem: a SIMULATOR number only to its
        country's simulator numbers). Elsewhere "If no suitable customer-owned identity is
        available, AWS-managed identities are used as a fallback" [doc: notify-send-messages]."""
        member = self.region.messages.sending_member(pool, iso, channel, destination)
        self.region.phone_numbers.check_route(member, destination, iso, "NotifyConfigurationId")

    def _check_destination(self, config: NotifyConfiguration, iso: str | None, destination: str) -> None:
        countries = shipped()["countries"]
        if iso is None or iso not in countries:
            raise errors.invalid(
                "DestinationPhoneNumber",
                f"Notify does not send to {destination}.",
                "DESTINATION_COUNTRY_BLOCKED",
            )
        if iso not in tier_countries(config.tier):
            raise errors.invalid(
                "DestinationPhoneNumber",
                f"{iso} is not a country of the {config.tier} tier.",
                "COUNTRY_NOT_ENABLED",
            )
        if config.enabled_countries and iso not in config.enabled_countries:
            raise errors.invalid(
                "DestinationPhoneNumber",
                f"{iso} is not enabled on notify configuration {config.id}.",
                "COUNTRY_NOT_ENABLED",
            )

    def _resolve_template(
        self, config: NotifyConfiguration, template_id: str | None, channel: str, iso: str | None
    ) -> dict:
        """The template named, else the configuration's default, else the first ACTIVE
        template of the channel, tier and country (the shipped file's order, English
        first) [inf]."""
        template_id = template_id or config.default_template_id
        if template_id and template_id != UNSET_TEMPLATE:
            template = self._template(template_id)
            if template["Status"] != "ACTIVE":
                raise errors.invalid("TemplateId", f"Template {template_id} is {template['Status']}.")
            if channel not in template["Channels"]:
                raise errors.invalid(
                    "TemplateId",
                    f"Template {template_id} is not a {channel} template.",
                    "CHANNEL_NOT_ENABLED",
                )
            if config.tier not in template.get("TierAccess", [config.tier]):
                raise errors.invalid(
                    "TemplateId", f"Template {template_id} is not available to the {config.tier} tier."
                )
            if iso not in template.get("SupportedCountries", [iso]):
                raise errors.invalid(
                    "TemplateId", f"Template {template_id} does not serve {iso}.", "COUNTRY_NOT_ENABLED"
                )
            return template
        for template in shipped()["templates"].values():
            if (
                template["Status"] == "ACTIVE"
                and channel in template["Channels"]
                and config.tier in template.get("TierAccess", [config.tier])
                and iso in template.get("SupportedCountries", [iso])
            ):
                return template
        raise errors.invalid("TemplateId", f"No {channel} template serves {iso}.", "COUNTRY_NOT_ENABLED")

    def _render(self, template: dict, given: dict[str, str], config: NotifyConfiguration) -> str:
        declared = template.get("Variables", {})
        values: dict[str, str] = {}
        for name in given:
            if name not in declared or declared[name].get("Source") == "SYSTEM":
                raise errors.invalid(
                    f"TemplateVariables.{name}",
                    f"Template {template['TemplateId']} has no customer variable {name}.",
                )
        for name, spec in declared.items():
            if spec.get("Source") == "SYSTEM":
                values[name] = config.display_name
                continue
            value = given.get(name, spec.get("DefaultValue"))
            if value is None:
                if spec["Required"]:
                    raise errors.invalid(
                        f"TemplateVariables.{name}",
                        f"Template variable {name} is required.",
                        "MISSING_PARAMETER",
                    )
                value = ""
            else:
                _check_variable(name, spec, value)
            values[name] = value
        return _VARIABLE.sub(lambda m: values.get(m.group(1), ""), template["Content"])

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(c):
            return project_as("NotifyConfigurationInformation", c)

        return {"notify_configurations": (self.configurations.values(), row)}

    def _check_daily_limits(self, config: NotifyConfiguration, destination: str, day: int) -> None:
        """The BASIC tier's messages a day, and the messages one destination may get a day, per
        configuration and per account [doc: notify-quotas.html]."""
        cap = self.region.quotas[QUOTA_BASIC_DAILY]
        if config.tier == "BASIC" and config.sent_today(day) >= cap:
            raise errors.quota_exceeded(
                "DAILY_NOTIFY_TIER_MESSAGE_LIMIT",
                f"Notify configuration {config.id} sent its BASIC tier's {cap} messages today.",
            )
        limit = self.region.quotas[QUOTA_PER_DESTINATION]
        by_config = config.sent_to_today(destination, day)
        by_account = sum(c.sent_to_today(destination, day) for c in self.configurations.values())
        if by_config >= limit or by_account >= limit:
            where = f"notify configuration {config.id}" if by_config >= limit else "this account"
            raise errors.quota_exceeded(  # the model's reason for a destination's daily cap [inf]
                "DAILY_DESTINATION_CALL_LIMIT",
                f"{destination} already got {limit} Notify messages today from {where}.",
            )

    saved_by = {"configurations": "id"}

    def saved_row(self, part: str, config: NotifyConfiguration) -> dict:
        return saved(config)

    def restore(self, data: dict) -> None:
        self.configurations = {}
        for row in data["configurations"]:
            config = restored(NotifyConfiguration, row, self.region.lifecycles)
            config.sent_on = tuple(config.sent_on)
            self.configurations[config.id] = config


@functools.cache
def _language_code() -> re.Pattern:
    """The model's NotifyLanguageCode pattern (read on first use: an older botocore lacks it)."""
    return re.compile(service_model().shape_for("NotifyLanguageCode").metadata["pattern"])


def _check_language_filters(filters: list[dict] | None) -> None:
    """`language-code` values are lowercase ISO codes (`en`, `es`, `fr-CA`): "uppercase fails with
    INVALID_FILTER_VALUES" [AWS-authored guide]; the model's NotifyLanguageCode pattern
    `[a-z]{2}(-[A-Z]{2})?` is the rule a value must follow [model; inf: applied to the filter]."""
    for flt in filters or ():
        if flt["Name"] != "language-code":
            continue
        wrong = [v for v in flt["Values"] if not _language_code().fullmatch(v)]
        if wrong:
            raise errors.validation(
                "INVALID_FILTER_VALUES",
                f"{wrong[0]!r} is not a language code: use a lowercase ISO code such as en, es or fr-CA.",
                [{"Name": "Filters", "Message": f"Invalid language-code value {wrong[0]}"}])


def _check_variable(name: str, spec: dict, value: str) -> None:
    member = f"TemplateVariables.{name}"
    kind = spec["Type"]
    if kind == "INTEGER":
        if not re.fullmatch(r"-?[0-9]+", value):
            raise errors.invalid(
                member,
                f'{name} must be an INTEGER, passed as a string such as "42".',
                "FIELD_VALIDATION_FAILED",
            )
        number = int(value)
        if (
            spec.get("MinValue") is not None
            and number < spec["MinValue"]
            or spec.get("MaxValue") is not None
            and number > spec["MaxValue"]
        ):
            raise errors.invalid(
                member,
                f"{name} must be between {spec.get('MinValue')} and {spec.get('MaxValue')}.",
                "FIELD_VALIDATION_FAILED",
            )
    elif kind == "BOOLEAN" and value not in ("true", "false"):
        raise errors.invalid(member, f'{name} must be "true" or "false".', "FIELD_VALIDATION_FAILED")
    if spec.get("MaxLength") is not None and len(value) > spec["MaxLength"]:
        raise errors.invalid(
            member, f"{name} is longer than {spec['MaxLength']} characters.", "FIELD_VALIDATION_FAILED"
        )
    if spec.get("Pattern") and not re.fullmatch(spec["Pattern"].strip("^$"), value):
        raise errors.invalid(member, f"{name} does not match {spec['Pattern']}.", "FIELD_VALIDATION_FAILED")
