"""Configuration sets, their event destinations and send-time defaults.

A configuration set has no status (ConfigurationSetInformation has none:
https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_ConfigurationSetInformation.html):
it is a name, up to five event destinations (exactly one of CloudWatch Logs / Firehose /
SNS each), and the defaults a send through it takes (message type, sender ID, message
feedback, protect configuration). Sends reach it through `get` and `destinations_for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..messaging.events import matches
from ..wire import errors
from ..wire.paging import describe, flag
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import restored, saved

KINDS = ("CloudWatchLogsDestination", "KinesisFirehoseDestination", "SnsDestination")


@dataclass(eq=False)
class EventDestination:
    WIRE: ClassVar[dict[str, str]] = {"EventDestinationName": "name"}
    name: str
    matching_event_types: list[str]
    enabled: bool = True  # [model] the create input has no Enabled; AWS creates it enabled
    cloud_watch_logs_destination: dict | None = None
    kinesis_firehose_destination: dict | None = None
    sns_destination: dict | None = None

    @property
    def kind(self) -> str:
        return next(k for k in KINDS if getattr(self, _attr(k)) is not None)

    def target(self) -> dict:
        """The model's EventDestination structure, as delivery reads it."""
        return project_as("EventDestination", self)


def _attr(kind: str) -> str:
    return {"CloudWatchLogsDestination": "cloud_watch_logs_destination",
            "KinesisFirehoseDestination": "kinesis_firehose_destination",
            "SnsDestination": "sns_destination"}[kind]


@dataclass(eq=False)
class ConfigurationSet:
    WIRE: ClassVar[dict[str, str]] = {
        "ConfigurationSetArn": "arn", "ConfigurationSetName": "name", "CreatedTimestamp": "created",
        "EventDestinations": "destination_list",
    }
    FAMILY: ClassVar[str] = "configuration_sets"
    RESOURCE_TYPE: ClassVar[str] = "configuration-set"
    name: str
    arn: str
    created: float
    tags: dict[str, str] = field(default_factory=dict)
    destinations: dict[str, EventDestination] = field(default_factory=dict)
    default_message_type: str | None = None
    default_sender_id: str | None = None
    default_message_feedback_enabled: bool = False  # [inf] AWS's default is not documented
    protect_configuration_id: str | None = None

    @property
    def destination_list(self) -> list[EventDestination]:
        return list(self.destinations.values())


_FILTERS = {
    "event-destination-name": lambda cs: list(cs.destinations),
    "matching-event-types": lambda cs: sorted({t for d in cs.destinations.values()
                                               for t in d.matching_event_types}),
    "default-message-type": lambda cs: cs.default_message_type,
    "default-sender-id": lambda cs: cs.default_sender_id,
    "default-message-feedback-enabled": lambda cs: flag(cs.default_message_feedback_enabled),
    "protect-configuration-id": lambda cs: cs.protect_configuration_id,
}


def _one_target(params: dict, required: bool) -> tuple[str, dict] | None:
    """The one destination kind a request gives ([model]: "You must provide a value for a
    single event destination"); None when it gives none and none is required."""
    given = [k for k in KINDS if params.get(k) is not None]
    if len(given) > 1:
        raise errors.validation(
            "PARAMETERS_CANNOT_BE_USED_TOGETHER",
            f"Give exactly one of {', '.join(KINDS)}; got {', '.join(given)}.",
            [{"Name": k, "Message": "Only one event destination kind"} for k in given])
    if not given:
        if required:
            raise errors.validation(
                "MISSING_PARAMETER", f"An event destination needs one of {', '.join(KINDS)}.",
                [{"Name": k, "Message": "One is required"} for k in KINDS])
        return None
    return given[0], params[given[0]]


def _matching(types: list[str]) -> list[str]:
    if "TEXT_SENT" in types:  # [model: MatchingEventTypes] "The TEXT_SENT event type is not supported"
        raise errors.validation("INVALID_PARAMETER", "The TEXT_SENT event type is not supported.",
                                [{"Name": "MatchingEventTypes", "Message": "TEXT_SENT is not supported"}])
    return list(dict.fromkeys(types))


class ConfigurationSets(Family):
    name = "configuration_sets"
    arn_types = ("configuration-set",)

    def __init__(self, region):
        super().__init__(region)
        self.sets: dict[str, ConfigurationSet] = {}

    # -- rules other families call -------------------------------------------
    def get(self, ref: str) -> ConfigurationSet:
        """A set by name or ARN (ResourceNotFoundException configuration-set otherwise)."""
        return self.region.find(self.sets, ref, "configuration-set")

    def destinations_for(self, set_name: str | None, event_type: str) -> list[EventDestination]:
        """The enabled destinations of a set that take `event_type`, at the moment the event
        happens (a destination removed since the send no longer receives its events)."""
        found = self.sets.get(set_name or "")
        if found is None:
            return []
        return [d for d in found.destinations.values()
                if d.enabled and matches(d.matching_event_types, event_type)]

    def set_protect_configuration(self, ref: str, protect_configuration_id: str | None) -> ConfigurationSet:
        """For protect configurations (Associate/DisassociateProtectConfiguration)."""
        found = self.get(ref)
        found.protect_configuration_id = protect_configuration_id
        return found

    def learn(self, info: dict) -> None:
        """A set a recorded response showed (replay, then simulate): its name, ARN, creation
        time, and whatever defaults and destinations the response carried."""
        name = info.get("ConfigurationSetName")
        if not name:
            return
        found = self.sets.get(name)
        if found is None:
            found = self.sets[name] = ConfigurationSet(
                name, info.get("ConfigurationSetArn") or self.region.arn(f"configuration-set/{name}"),
                float(info.get("CreatedTimestamp") or self.region.now()))
        for member, attr in (("DefaultMessageType", "default_message_type"),
                             ("DefaultSenderId", "default_sender_id"),
                             ("DefaultMessageFeedbackEnabled", "default_message_feedback_enabled"),
                             ("ProtectConfigurationId", "protect_configuration_id")):
            if member in info:
                setattr(found, attr, info[member])
        for dest in info.get("EventDestinations") or ():
            target = _one_target(dest, required=False)
            if target is None or not dest.get("EventDestinationName"):
                continue
            found.destinations[dest["EventDestinationName"]] = EventDestination(
                dest["EventDestinationName"], list(dest.get("MatchingEventTypes") or ["ALL"]),
                bool(dest.get("Enabled", True)), **{_attr(target[0]): dict(target[1])})

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        """Replay, then simulate: take on the sets and destinations a recorded response shows
        (and forget what a recorded delete removed)."""
        name = body.get("ConfigurationSetName")
        if operation == "DeleteConfigurationSet":
            self.sets.pop(name or "", None)
            return
        if operation == "DeleteEventDestination":
            found = self.sets.get(name or "")
            if found is not None:
                found.destinations.pop((body.get("EventDestination") or {}).get("EventDestinationName", ""),
                                       None)
            return
        for info in [body, *(i for i in body.get("ConfigurationSets") or () if isinstance(i, dict))]:
            if info.get("ConfigurationSetName") and info.get("ConfigurationSetArn"):
                self.learn(info)
        if name in self.sets and isinstance(body.get("EventDestination"), dict):
            self.learn({"ConfigurationSetName": name, "EventDestinations": [body["EventDestination"]]})

    def used(self, quota: str) -> int | None:
        return len(self.sets) if quota == "CONFIGURATION_SETS" else None

    # -- configuration sets ----------------------------------------------------
    @operation("CreateConfigurationSet")
    def create(self, params: dict) -> ConfigurationSet:
        name = params["ConfigurationSetName"]
        self.refuse_if_taken(self.sets, name, "configuration-set", "Configuration set")
        self.region.require_quota("CONFIGURATION_SETS", "CONFIGURATION_SETS_PER_ACCOUNT")
        found = ConfigurationSet(name, self.region.arn(f"configuration-set/{name}"), self.region.now(),
                                 tags=tag_dict(params.get("Tags")))
        self.sets[name] = found
        return found

    @operation("DescribeConfigurationSets")
    def describe(self, params: dict) -> dict:
        return describe("DescribeConfigurationSets", "ConfigurationSets", params,
                        "ConfigurationSetNames", self.get, self.sets.values(), _FILTERS)

    @operation("DeleteConfigurationSet")
    def delete(self, params: dict) -> ConfigurationSet:
        # [inf from the model] no ConflictException is modelled: a set with destinations deletes.
        found = self.get(params["ConfigurationSetName"])
        del self.sets[found.name]
        return found

    # -- event destinations ----------------------------------------------------
    def _set_by_name(self, ref: str) -> ConfigurationSet:
        # [obs: terraform-provider-aws TestAccPinpointSMSVoiceV2EventDestination_ConfigurationSetARN]
        # event destination calls take the set's name; its ARN names nothing.
        found = self.sets.get(ref)
        if found is None:
            raise errors.not_found("configuration-set", ref)
        return found

    def _destination(self, cs: ConfigurationSet, name: str) -> EventDestination:
        found = cs.destinations.get(name)
        if found is None:
            raise errors.not_found("event-destination", name)
        return found

    @operation("CreateEventDestination")
    def create_event_destination(self, params: dict) -> tuple:
        cs = self._set_by_name(params["ConfigurationSetName"])
        given = _one_target(params, required=True)
        assert given is not None  # required: _one_target raised otherwise
        kind, target = given
        name = params["EventDestinationName"]
        self.refuse_if_taken(cs.destinations, name, "event-destination", "Event destination",
                             f" in {cs.name}")
        # Five per set [doc], from the region's quota table like every other quota.
        self.region.require_quota("EVENT_DESTINATIONS_PER_CONFIGURATION_SET",
                                  "EVENT_DESTINATIONS_PER_CONFIGURATION_SET", used=len(cs.destinations))
        dest = EventDestination(name, _matching(params["MatchingEventTypes"]), True,
                                **{_attr(kind): dict(target)})
        cs.destinations[name] = dest
        return ({"EventDestination": dest}, cs)

    @operation("UpdateEventDestination")
    def update_event_destination(self, params: dict) -> tuple:
        cs = self._set_by_name(params["ConfigurationSetName"])
        dest = self._destination(cs, params["EventDestinationName"])
        target = _one_target(params, required=False)
        if target is not None and target[0] != dest.kind:
            # [obs: terraform-provider-aws event_destination.go] sink-type changes are refused.
            raise errors.conflict("EVENT_DESTINATION_MISMATCH", "event-destination", dest.name,
                                  f"Event destination {dest.name} is a {dest.kind}; its kind "
                                  "cannot change.")
        if params.get("MatchingEventTypes") is not None:
            dest.matching_event_types = _matching(params["MatchingEventTypes"])
        if params.get("Enabled") is not None:
            dest.enabled = bool(params["Enabled"])
        if target is not None:
            setattr(dest, _attr(target[0]), dict(target[1]))
        return ({"EventDestination": dest}, cs)

    @operation("DeleteEventDestination")
    def delete_event_destination(self, params: dict) -> tuple:
        cs = self._set_by_name(params["ConfigurationSetName"])
        dest = self._destination(cs, params["EventDestinationName"])
        del cs.destinations[dest.name]
        return ({"EventDestination": dest}, cs)

    # -- defaults --------------------------------------------------------------
    def _set_default(self, params: dict, attr: str, member: str, value) -> tuple:
        cs = self.get(params["ConfigurationSetName"])
        setattr(cs, attr, value)
        return ({member: value}, cs)

    def _delete_default(self, params: dict, attr: str, member: str, what: str) -> tuple:
        cs = self.get(params["ConfigurationSetName"])
        removed = getattr(cs, attr)
        if removed is None:
            # [inf] deleting a default that is not set: ResourceNotFoundException, as floci
            # answers and alchemy expects (it swallows ResourceNotFound there).
            raise errors.not_found("configuration-set", cs.name,
                                   f"Configuration set {cs.name} has no default {what}.")
        setattr(cs, attr, None)
        return ({member: removed}, cs)

    @operation("SetDefaultSenderId")
    def set_default_sender_id(self, params: dict) -> tuple:
        # [inf] the sender ID need not be one the account owns: it replaces a generic one.
        return self._set_default(params, "default_sender_id", "SenderId", params["SenderId"])

    @operation("DeleteDefaultSenderId")
    def delete_default_sender_id(self, params: dict) -> tuple:
        return self._delete_default(params, "default_sender_id", "SenderId", "sender ID")

    @operation("SetDefaultMessageType")
    def set_default_message_type(self, params: dict) -> tuple:
        return self._set_default(params, "default_message_type", "MessageType", params["MessageType"])

    @operation("DeleteDefaultMessageType")
    def delete_default_message_type(self, params: dict) -> tuple:
        return self._delete_default(params, "default_message_type", "MessageType", "message type")

    @operation("SetDefaultMessageFeedbackEnabled")
    def set_default_message_feedback_enabled(self, params: dict) -> tuple:
        return self._set_default(params, "default_message_feedback_enabled", "MessageFeedbackEnabled",
                                 bool(params["MessageFeedbackEnabled"]))

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(cs):
            return {**project_as("ConfigurationSetInformation", cs), "Tags": dict(cs.tags)}

        return {"configuration_sets": (self.sets.values(), row)}

    saved_by = {"sets": "name"}

    def saved_row(self, part: str, cs: ConfigurationSet) -> dict:
        return {**saved(cs, skip={"destinations"}),
                "destinations": [saved(d) for d in cs.destinations.values()]}

    def restore(self, data: dict) -> None:
        self.sets = {}
        for row in data["sets"]:
            cs = restored(ConfigurationSet, {k: v for k, v in row.items() if k != "destinations"})
            cs.destinations = {d.name: d for d in (restored(EventDestination, d)
                                                    for d in row["destinations"])}
            self.sets[cs.name] = cs
