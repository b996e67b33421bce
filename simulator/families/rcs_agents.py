"""RCS agents: Create/Describe/Update/DeleteRcsAgent, DescribeRcsAgentCountryLaunchStatus
and SendRcsMessage (from an agent, or from a pool holding one).

An agent is "an empty container" [obs: RCS runbook]: what it may do comes from its
registrations. A testing registration gives it a testing agent (CREATED -> PENDING ->
ACTIVE on the clock; "typically approved within minutes" [doc]) that delivers only to
verified tester numbers [obs]; a country launch registration per country goes PENDING ->
PARTIAL ("at least one carrier has approved") -> ACTIVE ("all carriers") on the clock
[doc], or REJECTED. The agent's Status follows from those parts [inf; AWS maps none]:

    no testing agent                         CREATED
    testing agent not yet ACTIVE             PENDING
    testing agent ACTIVE, no launch approved TESTING
    some launch PARTIAL or ACTIVE            PARTIAL
    every launch ACTIVE (at least one)       ACTIVE
    deleted                                  DELETED

Registrations reach an agent through the API: a TEST_RCS_LAUNCH_REGISTRATION or an
<ISO>_RCS_LAUNCH_REGISTRATION associated with the agent (CreateRegistrationAssociation)
and submitted calls `submit_testing` / `submit_country_launch` with `reviewed=True`; the
part is then placed in a machine without a clock of its own (`reviewed-rcs-*`) and
follows the registration's review (`follow_registration`): the registration's clock and
its reviewer are the one source of timing. Called from Python without `reviewed` (as
tests of the send path do), the parts keep their own 60 s steps.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engine import arns
from ..engine.lifecycle import Lifecycled, LifecycleSpec
from ..engine.numbering import country_of
from ..messaging import prices
from ..messaging.lifecycle import Message, rcs_message, rcs_time_to_live
from ..messaging.outcomes import WITHHELD
from ..messaging.send import Outbound, SentMessage
from ..wire import errors
from ..wire.model import enum_values, service_model
from ..wire.paging import apply_filters, describe, flag, page_result
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import learn_fields, restored, saved, shown

TESTING_AGENT = "rcs-testing-agent"
COUNTRY_LAUNCH = "rcs-country-launch"
REVIEWED_TESTING_AGENT = "reviewed-rcs-testing-agent"
REVIEWED_COUNTRY_LAUNCH = "reviewed-rcs-country-launch"


@functools.cache
def agent_lifecycles() -> tuple[LifecycleSpec, ...]:
    """An agent's testing agent and country launches, on the clock by themselves or driven by
    a registration. Built on first use: the states are the model's."""
    testing_states = tuple(enum_values("TestingAgentStatus"))
    launch_states = tuple(enum_values("CountryLaunchStatus"))
    testing = LifecycleSpec(
        kind=TESTING_AGENT, states=testing_states, initial="CREATED",
        transitions=(
            {"trigger": "submit", "source": "CREATED", "dest": "PENDING"},
            {"trigger": "approve", "source": "PENDING", "dest": "ACTIVE"},
        ),
        automatic={"PENDING": "approve"},
        durations={"PENDING->ACTIVE": 60.0},  # [doc] "typically approved within minutes"
    )
    launch = LifecycleSpec(
        kind=COUNTRY_LAUNCH, states=launch_states, initial="CREATED",
        transitions=(
            {"trigger": "submit", "source": "CREATED", "dest": "PENDING"},
            {"trigger": "first_carrier", "source": "PENDING", "dest": "PARTIAL"},
            {"trigger": "all_carriers", "source": "PARTIAL", "dest": "ACTIVE"},
            {"trigger": "reject", "source": ["PENDING", "PARTIAL"], "dest": "REJECTED"},
        ),
        automatic={"PENDING": "first_carrier", "PARTIAL": "all_carriers"},
        # [inf] carriers take weeks on AWS; the simulator's defaults keep tests short.
        durations={"PENDING->PARTIAL": 60.0, "PARTIAL->ACTIVE": 60.0},
    )
    # The same parts when a registration drives them [inf: AWS maps none of its review onto
    # these statuses]: no automatic step, each move is the registration's. Testing agent:
    # approved when its registration is COMPLETE, back to CREATED when the version is denied
    # or discarded or the approval revoked. Launch: the review's approval is the first carrier
    # (PARTIAL: AWS's PROVISIONING, "origination identity is being created"), COMPLETE is
    # every carrier (ACTIVE); a denial or a revoked approval REJECTED; a corrected version
    # resubmits.
    reviewed_testing = LifecycleSpec(
        kind=REVIEWED_TESTING_AGENT, states=testing_states, initial="CREATED",
        transitions=(
            {"trigger": "submit", "source": "CREATED", "dest": "PENDING"},
            {"trigger": "approve", "source": "PENDING", "dest": "ACTIVE"},
            {"trigger": "withdraw", "source": "PENDING", "dest": "CREATED"},
            {"trigger": "revoke", "source": "ACTIVE", "dest": "CREATED"},
        ),
        automatic={},
    )
    reviewed_launch = LifecycleSpec(
        kind=REVIEWED_COUNTRY_LAUNCH, states=launch_states, initial="CREATED",
        transitions=(
            {"trigger": "submit", "source": ["CREATED", "REJECTED"], "dest": "PENDING"},
            {"trigger": "first_carrier", "source": "PENDING", "dest": "PARTIAL"},
            {"trigger": "all_carriers", "source": "PARTIAL", "dest": "ACTIVE"},
            {"trigger": "reject", "source": ["PENDING", "PARTIAL"], "dest": "REJECTED"},
            {"trigger": "revoke", "source": ["PARTIAL", "ACTIVE"], "dest": "REJECTED"},
            {"trigger": "withdraw", "source": "PENDING", "dest": "CREATED"},
        ),
        automatic={},
    )
    return launch, testing, reviewed_testing, reviewed_launch


# A registration's move -> the move of the agent part it drives (a move the part's state
# does not have is no move: a later version's review leaves an approved part as it is).
FOLLOWS = {
    REVIEWED_TESTING_AGENT: {"submit": "submit", "provision": "approve", "deny": "withdraw",
                                  "discard": "withdraw", "revoke": "revoke"},
    REVIEWED_COUNTRY_LAUNCH: {"submit": "submit", "approve": "first_carrier",
                                   "provision": "all_carriers", "deny": "reject", "discard": "withdraw",
                                   "revoke": "revoke"},
}

QUOTA_AGENTS = "RCS_AGENTS"  # Simulator(quotas={...}) key
CARRIERS_PER_COUNTRY = 3  # [inf] "<ISO> Carrier 1..3": no real carrier is named
UNSET_MEDIA = "UNSET_RCS_MEDIA_CONFIGURATION"
RCS_FAILING = ("RCS_FAILED", "RCS_FALLEN_BACK_TO_SMS")  # outcomes: the RCS delivery fails


@functools.cache
def _content_kinds() -> tuple[str, ...]:
    """RcsContent's members: a message gives exactly one [model]."""
    return tuple(service_model().shape_for("RcsContent").members)


BASIC_LENGTH = 160  # [inf] characters of a BASIC (text-only) RCS message, as Google bills them


@dataclass(eq=False)
class AgentPart(Lifecycled):
    """What of an agent a registration drives on the clock: its testing agent or a launch."""

    FAMILY: ClassVar[str] = "rcs_agents"
    WIRE: ClassVar[dict[str, str]] = {"Status": "state"}
    agent_id: str = ""
    registration_id: str = ""


@dataclass(eq=False)
class TestingAgent(AgentPart):
    @property
    def testing_agent_id(self) -> str | None:
        return f"{self.agent_id}-testing" if self.state == "ACTIVE" else None


@dataclass(eq=False)
class CountryLaunch(AgentPart):
    iso_country_code: str = ""

    @property
    def carrier_status(self) -> list[dict]:
        names = [f"{self.iso_country_code} Carrier {n}" for n in range(1, CARRIERS_PER_COUNTRY + 1)]
        if self.state in ("ACTIVE", "REJECTED"):
            return [{"CarrierName": n, "Status": self.state} for n in names]
        first = "ACTIVE" if self.state == "PARTIAL" else "PENDING"
        return [
            {"CarrierName": names[0], "Status": first},
            *({"CarrierName": n, "Status": "PENDING"} for n in names[1:]),
        ]

    @property
    def rcs_platform_id(self) -> str | None:
        return f"{self.agent_id}-{self.iso_country_code.lower()}" if self.state == "ACTIVE" else None


@dataclass(eq=False)
class RcsAgent:
    FAMILY: ClassVar[str] = "rcs_agents"
    WIRE: ClassVar[dict[str, str]] = {
        "RcsAgentArn": "arn",
        "RcsAgentId": "id",
        "Status": "status",
        "CreatedTimestamp": "created",
        "TestingAgent": "testing",
    }
    id: str
    arn: str
    created: float
    deletion_protection_enabled: bool = False
    opt_out_list_name: str = "Default"
    self_managed_opt_outs_enabled: bool = False
    two_way_enabled: bool = False
    two_way_channel_arn: str | None = None
    two_way_channel_role: str | None = None
    two_way_media_s3_bucket_name: str | None = None
    two_way_media_s3_key_prefix: str | None = None
    two_way_media_s3_role: str | None = None
    two_way_rcs_events_enabled: list[str] | None = None
    pool_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    testing: TestingAgent | None = None
    launches: dict[str, CountryLaunch] = field(default_factory=dict)
    deleted: bool = False

    @property
    def identity(self) -> str:
        return self.id

    @property
    def status(self) -> str:
        if self.deleted:
            return "DELETED"
        launched = [c.state for c in self.launches.values()]
        if launched and all(s == "ACTIVE" for s in launched):
            return "ACTIVE"
        if any(s in ("PARTIAL", "ACTIVE") for s in launched):
            return "PARTIAL"
        if self.testing is None or self.testing.state == "CREATED":
            return "CREATED"
        return "TESTING" if self.testing.state == "ACTIVE" else "PENDING"

    def reaches(self, iso: str | None) -> bool:
        """Launched (PARTIAL or ACTIVE) in the destination's country."""
        launch = self.launches.get(iso or "")
        return launch is not None and launch.state in ("PARTIAL", "ACTIVE")


FILTERS = {
    "status": lambda a: a.status,
    "two-way-enabled": lambda a: flag(a.two_way_enabled),
    "self-managed-opt-outs-enabled": lambda a: flag(a.self_managed_opt_outs_enabled),
    "opt-out-list-name": lambda a: a.opt_out_list_name,
    "deletion-protection-enabled": lambda a: flag(a.deletion_protection_enabled),
    "two-way-channel-arn": lambda a: a.two_way_channel_arn,
}


def _message_body(content: dict | None) -> str:
    """The text a log reader wants: the text message's body, else the content as JSON."""
    if content is None:
        raise errors.invalid("RcsMessageContent", "An RCS message needs RcsMessageContent.",
                             "MISSING_PARAMETER")
    content_kinds = _content_kinds()
    kinds = [k for k in content_kinds if content["Content"].get(k) is not None]
    if len(kinds) != 1:
        raise errors.invalid(
            "RcsMessageContent.Content",
            f"Give exactly one of {', '.join(content_kinds)}, not {len(kinds)}.",
            "PARAMETERS_CANNOT_BE_USED_TOGETHER" if kinds else "MISSING_PARAMETER",
        )
    if kinds == ["TextMessage"]:
        return content["Content"]["TextMessage"]["Body"]
    return json.dumps(content["Content"], sort_keys=True)


class RcsAgents(Family):
    name = "rcs_agents"

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return (*agent_lifecycles(), rcs_message())
    arn_types = ("rcs-agent",)

    def __init__(self, region):
        super().__init__(region)
        self.agents: dict[str, RcsAgent] = {}

    # -- rules other families call -------------------------------------------
    def get(self, ref: str) -> RcsAgent:
        return self.region.find(self.agents, ref, "rcs-agent")

    def used(self, quota: str) -> int | None:
        return len(self.agents) if quota == QUOTA_AGENTS else None

    def using_opt_out_list(self, name: str) -> list[str]:
        """Agents whose opt-out list this is: DeleteOptOutList must refuse while any is."""
        return [a.id for a in self.agents.values() if a.opt_out_list_name == name]

    def agents_in_pool(self, pool_id: str) -> list[RcsAgent]:
        return [a for a in self.agents.values() if a.pool_id == pool_id]

    def join_pool(self, ref: str, pool_id: str) -> RcsAgent:
        """AssociateOriginationIdentity with an RCS agent (pools family): the agent is in
        that pool from now on; an agent belongs to one pool [inf]."""
        agent = self.get(ref)
        if agent.pool_id not in (None, pool_id):
            raise errors.conflict("RCS_AGENT_ASSOCIATED_TO_POOL", "rcs-agent", agent.id,
                                  f"RCS agent {agent.id} is in pool {agent.pool_id}.")
        agent.pool_id = pool_id
        return agent

    def leave_pool(self, ref: str) -> RcsAgent:
        agent = self.get(ref)
        agent.pool_id = None
        return agent

    @staticmethod
    def is_reference(ref: str) -> bool:
        """An RCS agent's id or ARN (as opposed to a number's, a sender ID's or a pool's)."""
        return ref.startswith("rcs-") or ":rcs-agent/" in ref

    def associate_with(self, pool, ref: str) -> tuple:
        """AssociateOriginationIdentity with an RCS agent (the pools family asks): the
        agent joins the pool; the result's identity is the agent."""
        agent = self.join_pool(ref, pool.pool_id)
        return ({"OriginationIdentityArn": agent.arn, "OriginationIdentity": agent.id}, pool)

    def disassociate_from(self, pool, ref: str) -> tuple:
        """DisassociateOriginationIdentity with an RCS agent: it must be in that pool."""
        agent = self.get(ref)
        if agent.pool_id != pool.pool_id:
            raise errors.conflict("PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL", "rcs-agent", agent.id,
                                  f"RCS agent {agent.id} is not associated with pool {pool.pool_id}.")
        agent.pool_id = None
        return ({"OriginationIdentityArn": agent.arn, "OriginationIdentity": agent.id}, pool)

    def submit_testing(self, ref: str, registration_id: str, reviewed: bool = False) -> RcsAgent:
        """A testing registration associated with the agent was submitted. `reviewed`: its
        review drives the testing agent (`follow_registration`), not the part's own clock."""
        agent = self.get(ref)
        testing = agent.testing
        if testing is not None and (testing.registration_id != registration_id or not reviewed):
            raise errors.conflict("RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE", "rcs-agent", agent.id,
                                  f"RCS agent {agent.id} already has a testing agent "
                                  f"(registration {testing.registration_id}).")
        if testing is None:
            testing = TestingAgent(agent_id=agent.id, registration_id=registration_id)
            kind = REVIEWED_TESTING_AGENT if reviewed else TESTING_AGENT
            self.region.lifecycles.place(testing, kind, self.region.now())
        if self.region.lifecycles.can(testing, "submit"):  # a new version of an approved one: unchanged
            self.region.lifecycles.move(testing, "submit", self.region.now())
        agent.testing = testing
        return agent

    def submit_country_launch(self, ref: str, iso: str, registration_id: str,
                              reviewed: bool = False) -> RcsAgent:
        """A country launch registration for `iso` was submitted (`reviewed`: as above)."""
        agent = self.get(ref)
        launch = agent.launches.get(iso)
        if launch is not None and (launch.registration_id != registration_id or not reviewed):
            raise errors.conflict("RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE", "rcs-agent", agent.id,
                                  f"RCS agent {agent.id} already launches in {iso} "
                                  f"(registration {launch.registration_id}).")
        if launch is None:
            launch = CountryLaunch(iso_country_code=iso, registration_id=registration_id, agent_id=agent.id)
            kind = REVIEWED_COUNTRY_LAUNCH if reviewed else COUNTRY_LAUNCH
            self.region.lifecycles.place(launch, kind, self.region.now())
        if self.region.lifecycles.can(launch, "submit"):  # a corrected version after a rejection
            self.region.lifecycles.move(launch, "submit", self.region.now())
        agent.launches[iso] = launch
        return agent

    def reject_country_launch(self, ref: str, iso: str) -> RcsAgent:
        agent = self.get(ref)
        launch = agent.launches.get(iso)
        if launch is None or launch.state not in ("PENDING", "PARTIAL"):
            raise ValueError(f"RCS agent {agent.id} has no launch under review in {iso}")
        self.region.lifecycles.move(launch, "reject", self.region.now())
        return agent

    def _parts_of(self, agent_id: str, registration_id: str) -> list[AgentPart]:
        agent = self.agents.get(agent_id)  # a deleted agent has nothing left to move
        if agent is None:
            return []
        parts = [agent.testing, *agent.launches.values()]
        return [p for p in parts
                if p is not None and p.registration_id == registration_id and p.kind in FOLLOWS]

    def part_registration(self, ref: str, iso: str | None) -> str | None:
        """The registration behind the agent's testing agent (`iso` None) or its launch in `iso`."""
        agent = self.get(ref)
        part = agent.testing if iso is None else agent.launches.get(iso)
        return part.registration_id if part is not None else None

    def follow_registration(self, agent_id: str, registration_id: str, move: str, at: float) -> None:
        """The registration `registration_id` made `move` (approve, provision, deny, discard,
        revoke): the agent's parts it drives follow, where their state has that move."""
        lifecycles = self.region.lifecycles
        for part in self._parts_of(agent_id, registration_id):
            trigger = FOLLOWS[part.kind].get(move)
            if trigger is not None and lifecycles.can(part, trigger):
                lifecycles.move(part, trigger, at)

    def registration_deleted(self, agent_id: str, registration_id: str) -> None:
        """DeleteRegistration: the testing agent or launch it gave the agent goes with it [inf:
        AWS tears a testing agent down asynchronously; here at once]."""
        agent = self.agents.get(agent_id)
        if agent is None:
            return
        self.region.changed(agent)  # --state
        for part in self._parts_of(agent_id, registration_id):
            if isinstance(part, TestingAgent):
                agent.testing = None
            elif isinstance(part, CountryLaunch):
                del agent.launches[part.iso_country_code]

    # -- operations ------------------------------------------------------------
    @operation("CreateRcsAgent")
    def create(self, params: dict) -> RcsAgent:
        opt_out = self.region.opt_out_lists.get(params.get("OptOutListName", "Default"))
        self.region.require_quota(QUOTA_AGENTS, "RCS_AGENTS_PER_ACCOUNT", used=len(self.agents))
        agent_id = f"rcs-{self.region.ids.hex32()}"  # [obs] rcs- + 32 hex
        agent = RcsAgent(
            agent_id,
            self.region.arn(f"rcs-agent/{agent_id}"),
            self.region.now(),
            deletion_protection_enabled=bool(params.get("DeletionProtectionEnabled", False)),
            opt_out_list_name=opt_out.name,
            tags=tag_dict(params.get("Tags")),
        )
        self.agents[agent_id] = agent
        return agent

    @operation("DescribeRcsAgents")
    def describe(self, params: dict) -> dict:
        return describe(
            "DescribeRcsAgents",
            "RcsAgents",
            params,
            "RcsAgentIds",
            self.get,
            self.agents.values(),
            FILTERS,
            lambda agent: self._observed([agent]),
        )

    def _observed(self, agents: list[RcsAgent]) -> None:
        for agent in agents:
            for part in (agent.testing, *agent.launches.values()):
                if part is not None:
                    self.region.lifecycles.observed(part)

    @operation("UpdateRcsAgent")
    def update(self, params: dict) -> RcsAgent:
        agent = self.get(params["RcsAgentId"])
        opt_out = (
            self.region.opt_out_lists.get(params["OptOutListName"]).name
            if params.get("OptOutListName")
            else agent.opt_out_list_name
        )
        channel = params.get("TwoWayChannelArn", agent.two_way_channel_arn)
        two_way = (
            params["TwoWayEnabled"] if params.get("TwoWayEnabled") is not None else agent.two_way_enabled
        )
        if two_way and not channel:
            raise errors.invalid(
                "TwoWayChannelArn",
                "Two-way messaging needs a TwoWayChannelArn.",
                "TWO_WAY_CHANNEL_NOT_PRESENT",
            )
        unset_media = UNSET_MEDIA in (params.get("TwoWayMediaS3BucketName"), params.get("TwoWayMediaS3Role"))
        # -- every rule checked; now change ------------------------------------------
        agent.opt_out_list_name, agent.two_way_channel_arn, agent.two_way_enabled = opt_out, channel, two_way
        for member, attr in (
            ("DeletionProtectionEnabled", "deletion_protection_enabled"),
            ("SelfManagedOptOutsEnabled", "self_managed_opt_outs_enabled"),
            ("TwoWayChannelRole", "two_way_channel_role"),
            ("TwoWayRcsEventsEnabled", "two_way_rcs_events_enabled"),
        ):
            if params.get(member) is not None:
                setattr(agent, attr, params[member])
        if unset_media:
            agent.two_way_media_s3_bucket_name = agent.two_way_media_s3_key_prefix = None
            agent.two_way_media_s3_role = None
        else:
            for member, attr in (
                ("TwoWayMediaS3BucketName", "two_way_media_s3_bucket_name"),
                ("TwoWayMediaS3KeyPrefix", "two_way_media_s3_key_prefix"),
                ("TwoWayMediaS3Role", "two_way_media_s3_role"),
            ):
                if params.get(member) is not None:
                    setattr(agent, attr, params[member])
        return agent

    @operation("DeleteRcsAgent")
    def delete(self, params: dict) -> RcsAgent:
        agent = self.get(params["RcsAgentId"])
        self.refuse_if_protected(agent, "rcs-agent", agent.id, "RCS agent")
        if agent.pool_id is not None:
            raise errors.conflict("RCS_AGENT_ASSOCIATED_TO_POOL", "rcs-agent", agent.id,
                                  f"RCS agent {agent.id} is in pool {agent.pool_id}; take it out first.")
        del self.agents[agent.id]
        agent.deleted = True
        for part in (agent.testing, *agent.launches.values()):
            if part is not None:
                self.region.lifecycles.forget(part)  # pending steps of a deleted agent go too
        return agent

    @operation("DescribeRcsAgentCountryLaunchStatus")
    def describe_launches(self, params: dict) -> tuple:
        agent = self.get(params["RcsAgentId"])
        launches = list(agent.launches.values())
        if params.get("IsoCountryCodes"):
            wanted = set(params["IsoCountryCodes"])
            launches = [c for c in launches if c.iso_country_code in wanted]
        launches = apply_filters(
            launches, params.get("Filters"), {"country-launch-status": lambda c: c.state}
        )
        self._observed([agent])
        result = page_result("DescribeRcsAgentCountryLaunchStatus", "CountryLaunchStatus", launches, params)[
            0
        ]
        return (result, agent)

    @operation("SendRcsMessage")
    def send(self, params: dict) -> dict:
        ref = params["OriginationIdentity"]
        destination = params["DestinationPhoneNumber"]
        iso = country_of(destination)
        body = _message_body(params.get("RcsMessageContent"))
        fallback = params.get("FallbackConfiguration")
        if fallback and arns.is_pool_reference(fallback.get("OriginationIdentity") or ""):
            raise errors.invalid(
                "FallbackConfiguration.OriginationIdentity",
                "A fallback's origination identity cannot be a pool [model].",
            )
        if fallback and fallback.get("OriginationIdentity"):  # one the account has (not released)
            backup = self.region.pools.origin(fallback["OriginationIdentity"], iso)
            self.region.phone_numbers.check_route(backup, destination, iso,  # where its kind may
                                                  "FallbackConfiguration.OriginationIdentity")
        if fallback and not fallback.get("MessageBody") and (
                fallback["Channel"] == "SMS" or not fallback.get("MediaUrls")):
            # [model] "Required for SMS fallback. For MMS fallback, at least one of MessageBody
            # or MediaUrls must be provided."
            raise errors.invalid("FallbackConfiguration.MessageBody",
                           f"An {fallback['Channel']} fallback needs a MessageBody"
                           + (" or MediaUrls." if fallback["Channel"] == "MMS" else "."), "MISSING_PARAMETER")
        pool = self.region.pools.get(ref) if arns.is_pool_reference(ref) else None
        agent = self._sender(pool, ref, destination, iso)
        sent = self.region.send(Outbound(
            operation="SendRcsMessage", channel="RCS", priced_as="TEXT",  # as a text [inf]
            destination=destination, iso_country_code=iso, body=body, params=params,
            origination=pool or agent, origination_ref=ref, shown_origin=agent.id,
            pool_id=pool.pool_id if pool is not None else None, opt_out_list=agent.opt_out_list_name,
            configuration_set=self._configuration_set(params.get("ConfigurationSetName")),
            details={"RcsAgentId": agent.id, "RcsMessageContent": params.get("RcsMessageContent"),
                     "FallbackConfiguration": fallback,
                     "MessageTrafficType": params.get("MessageTrafficType")},
            machine=lambda sent: self._message(sent, agent, pool)))
        return {"MessageId": sent.message_id}

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        """Replay, then simulate: the agents a recorded response shows (their settings, their
        testing agent) and the country launches DescribeRcsAgentCountryLaunchStatus showed, each
        in the status recorded; a deleted agent is dropped."""
        if operation == "DeleteRcsAgent":
            self.agents.pop(body.get("RcsAgentId", ""), None)
            return
        for item in shown(body, "RcsAgents"):
            if item.get("RcsAgentId") and item.get("RcsAgentArn") and item.get("Status"):
                self._learn_agent(item)
        agent = self.agents.get(body.get("RcsAgentId", ""))
        if agent is None:
            return
        for launch in body.get("CountryLaunchStatus") or ():
            if isinstance(launch, dict) and launch.get("IsoCountryCode") and launch.get("Status"):
                part = agent.launches.get(launch["IsoCountryCode"]) or CountryLaunch(
                    agent_id=agent.id, registration_id=launch.get("RegistrationId") or "",
                    iso_country_code=launch["IsoCountryCode"])
                agent.launches[part.iso_country_code] = part
                self._learn_part(part, COUNTRY_LAUNCH, launch["Status"])

    def _learn_agent(self, item: dict) -> None:
        agent = self.agents.get(item["RcsAgentId"])
        if agent is None:
            agent = self.agents[item["RcsAgentId"]] = RcsAgent(
                item["RcsAgentId"], item["RcsAgentArn"], item.get("CreatedTimestamp", self.region.now()))
        learn_fields(agent, item, skip=frozenset({"testing", "launches"}))
        testing = item.get("TestingAgent")
        if isinstance(testing, dict) and testing.get("Status"):
            agent.testing = agent.testing or TestingAgent(
                agent_id=agent.id, registration_id=testing.get("RegistrationId") or "")
            self._learn_part(agent.testing, TESTING_AGENT, testing["Status"])

    def _learn_part(self, part: AgentPart, kind: str, status: str) -> None:
        if part.state != status:  # a reviewed part keeps its own kind
            self.region.lifecycles.place(part, part.kind or kind, self.region.now(), status)
    def check_can_reach(self, agent: RcsAgent, handset: str, iso: str | None) -> None:
        """Whether a handset can talk with the agent at all (an inbound message, the inbound
        family): where the agent could send to it [inf: a conversation needs both ways]."""
        self._check_can_send(agent, handset, iso)

    def reply_message(self, sent: SentMessage, agent: RcsAgent) -> Message:
        """The machine of a keyword's response sent from the agent (the inbound family)."""
        return self._message(sent, agent, None)

    def _configuration_set(self, name: str | None):
        return self.region.configuration_sets.get(name) if name else None

    def _message(self, sent: SentMessage, agent: RcsAgent, pool) -> Message:
        """The accepted RCS message as a message machine (messaging/lifecycle.py), with its
        fallback when the send has one: a failing RCS delivery falls back [model]."""
        send, region, iso = sent.send, self.region, sent.iso_country_code
        assert send is not None
        params, outcome = send.params, sent.outcome
        fallback = params.get("FallbackConfiguration")
        if outcome in RCS_FAILING:
            outcome = "RCS_FALLEN_BACK_TO_SMS" if fallback else "RCS_FAILED"
        cs = send.configuration_set
        # [inf] agentIsoCountryCode: the country of the launch that sends (none for a testing
        # agent's send); billing after Google's RCS Business Messaging: a text of up to 160
        # characters without suggestions is BASIC, anything else RICH.
        content = params["RcsMessageContent"]
        text = content["Content"].get("TextMessage")
        basic = text is not None and len(text["Body"]) <= BASIC_LENGTH and not content.get("Suggestions")
        fields = {**({"agentIsoCountryCode": iso} if agent.reaches(iso) else {}),
                  "rcsMetadata": {"billingEventType": "BASIC" if basic else "RICH"}}
        common: dict[str, Any] = {
            "message_id": sent.message_id, "destination": send.destination, "iso_country_code": iso,
            "configuration_set_name": cs.name if cs else None, "context": params.get("Context"),
            "protect_configuration_id": sent.protect_configuration_id,
            "requested_at": sent.timestamp, "send": send, "backend": region}
        return Message(
            channel="RCS", origination_number=agent.id, encoding="UNICODE", price=send.price,
            time_to_live=float(params.get("TimeToLive") or rcs_time_to_live()), outcome=outcome or WITHHELD,
            feedback_enabled=bool(sent.message_feedback_enabled), channel_fields=fields,
            # A protect block is no delivery failure: the SMS rule set would block its fallback too.
            fallback=self._fallback(fallback, pool, common) if fallback and outcome != "RCS_PROTECT_BLOCKED"
            else None, **common)

    def _fallback(self, fallback: dict, pool, common: dict) -> Message:
        """The SMS or MMS message sent when RCS delivery fails: from the fallback's identity,
        else (a send through a pool) the pool's number for the country [model], else from no
        identity the events could show [inf]; its own outcome and text price; started by the
        schedule when the RCS message falls back (same messageId [inf]), not charged again."""
        channel = "MEDIA" if fallback["Channel"] == "MMS" else "TEXT"
        iso, body = common["iso_country_code"], fallback.get("MessageBody")
        ref = fallback.get("OriginationIdentity")
        origin = self.region.pools.origin(ref, iso) if ref else pool
        need = "MMS" if channel == "MEDIA" else "SMS"
        return Message(
            channel=channel,
            origination_number=self.region.messages.shown_origin(
                origin, iso, need, common["destination"]) if origin else None,
            international=bool(iso and getattr(origin, "iso_country_code", iso) != iso),
            encoding=prices.encoding_of(body or ""), parts=prices.parts_of(body or "") if body else 1,
            price=prices.price_of(channel, iso, body),
            outcome=self.region.messaging.outcomes.choose(channel, common["destination"]), **common)

    def _sender(self, pool, ref: str, destination: str, iso: str | None) -> RcsAgent:
        """The agent that sends: the one named, or the pool's first agent that reaches the
        destination. Refused as AWS refuses a send from an identity that cannot."""
        if pool is None:
            agent = self.get(ref)
            self._check_can_send(agent, destination, iso)
            return agent
        if pool.state != "ACTIVE":
            raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} is {pool.state}.")
        for agent in self.agents_in_pool(pool.pool_id):
            try:
                self._check_can_send(agent, destination, iso)
            except errors.ServiceError:
                continue
            return agent
        raise errors.conflict("NO_ORIGINATION_IDENTITIES_FOUND", "pool", pool.pool_id,
                              f"Pool {pool.pool_id} has no RCS agent that can send to {destination}.")

    def _check_can_send(self, agent: RcsAgent, destination: str, iso: str | None) -> None:
        if agent.reaches(iso):
            return
        if agent.status in ("CREATED", "PENDING"):
            raise errors.conflict(
                "RESOURCE_NOT_ACTIVE",
                "rcs-agent",
                agent.id,
                f"RCS agent {agent.id} is {agent.status}: it sends once its testing "
                "agent or a country launch is approved.",
            )
        if agent.testing is None or agent.testing.state != "ACTIVE":
            raise errors.invalid(
                "DestinationPhoneNumber",
                f"RCS agent {agent.id} is not launched in {iso}.",
                "COUNTRY_NOT_ENABLED",
            )
        # A testing agent delivers only to verified tester numbers [obs].
        if not self.region.verified_numbers.is_verified(destination):
            raise errors.conflict(
                "DESTINATION_PHONE_NUMBER_NOT_VERIFIED",
                "verified-destination-number",
                destination,
                f"RCS agent {agent.id} is testing: it sends only to verified "
                f"destination numbers, and {destination} is not one.",
            )

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(a):
            return project_as("RcsAgentInformation", a)

        return {"rcs_agents": (self.agents.values(), row)}

    saved_by = {"agents": "id"}

    def saved_row(self, part: str, a: RcsAgent) -> dict:
        return {
            **saved(a, skip={"testing", "launches", "deleted"}),
            "testing": saved(a.testing) if a.testing is not None else None,
            "launches": [saved(c) for c in a.launches.values()],
        }

    def saved_key(self, obj) -> tuple[str, object] | None:
        """An agent, or its testing agent or a launch (moved by a registration's review)."""
        if isinstance(obj, AgentPart):
            return ("agents", obj.agent_id) if obj.agent_id in self.agents else None
        return super().saved_key(obj)

    def restore(self, data: dict) -> None:
        self.agents = {}
        lifecycles = self.region.lifecycles
        for row in data["agents"]:
            agent = restored(RcsAgent, {k: v for k, v in row.items() if k not in ("testing", "launches")})
            if row["testing"] is not None:
                agent.testing = restored(TestingAgent, row["testing"], lifecycles)
            for launch in (restored(CountryLaunch, c, lifecycles) for c in row["launches"]):
                agent.launches[launch.iso_country_code] = launch
            self.agents[agent.id] = agent
