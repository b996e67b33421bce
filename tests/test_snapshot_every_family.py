"""`--state` holds every family: a simulator with resources in every family that has state
is saved, restored into a new simulator, and answers every read the same, and saves the
same again. A family added with state but without a step here fails the first test."""

from __future__ import annotations

import json

import pytest

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.account import SHIPPED_FAMILIES
from smsvoice_sim.simulator.engine.snapshot import export_state, import_state
from smsvoice_sim.simulator.families import Family
from smsvoice_sim.simulator.wire import model

ACCOUNT, REGION = "123456789012", "us-east-1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLE = "arn:aws:iam::123456789012:role/logs"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:sms"


def populated(sim: Simulator | None = None) -> tuple[Simulator, dict]:
    """A simulator holding something in every family, some of it mid-lifecycle."""
    sim = sim or Simulator(clock="manual", seed=11)
    api = sim.client()
    api.create_opt_out_list(OptOutListName="listA", Tags=[{"Key": "k", "Value": "v"}])
    api.put_opted_out_number(OptOutListName="listA", OptedOutNumber="+12065550111")
    api.create_configuration_set(ConfigurationSetName="cs1")
    api.create_event_destination(ConfigurationSetName="cs1", EventDestinationName="logs",
                                 MatchingEventTypes=["ALL"],
                                 CloudWatchLogsDestination={"IamRoleArn": ROLE, "LogGroupArn": LOG_GROUP})
    api.set_default_message_type(ConfigurationSetName="cs1", MessageType="TRANSACTIONAL")
    number = api.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                      NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    pool = api.create_pool(OriginationIdentity=number["PhoneNumberArn"], MessageType="TRANSACTIONAL",
                           ClientToken="pool-token")  # idempotency memory is state too
    api.put_keyword(OriginationIdentity=pool["PoolId"], Keyword="JOIN", KeywordMessage="hi",
                    KeywordAction="OPT_IN")
    sender = api.request_sender_id(SenderId="ACME", IsoCountryCode="GB")
    attachment = api.create_registration_attachment(AttachmentBody=PNG)
    registration = api.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION",
                                           Tags=[{"Key": "k", "Value": "v"}])
    api.put_registration_field_value(RegistrationId=registration["RegistrationId"],
                                     FieldPath="companyInfo.companyName", TextValue="Example Corp")
    verified = api.create_verified_destination_number(DestinationPhoneNumber="+12065550123")
    protect = api.create_protect_configuration()
    api.put_protect_configuration_rule_set_number_override(
        ProtectConfigurationId=protect["ProtectConfigurationId"], DestinationPhoneNumber="+12065550124",
        Action="ALLOW")
    api.set_account_default_protect_configuration(ProtectConfigurationId=protect["ProtectConfigurationId"])
    api.set_text_message_spend_limit_override(MonthlyLimit=50)
    api.put_resource_policy(ResourceArn=pool["PoolArn"], Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "share", "Effect": "Allow", "Principal": {"AWS": ["222222222222"]},
            "Action": "sms-voice:*", "Resource": pool["PoolArn"]}]}))
    notify = api.create_notify_configuration(DisplayName="Acme", UseCase="CODE_VERIFICATION",
                                             EnabledChannels=["SMS"])
    agent = api.create_rcs_agent()
    api.send_text_message(DestinationPhoneNumber="+14254147755", OriginationIdentity=number["PhoneNumberId"],
                          MessageBody="hello")  # the month's spend; simulator numbers text simulator numbers
    refs = {"pool": pool, "number": number, "sender": sender, "attachment": attachment,
            "registration": registration, "verified": verified, "protect": protect, "notify": notify,
            "agent": agent}
    return sim, refs


def saved(sim: Simulator) -> dict:
    return json.loads(json.dumps(export_state(sim)))


def view(sim: Simulator) -> dict:
    """sim.state() without the sent-message log, which is not state (snapshot.py)."""
    state = sim.state()
    for regions in state["accounts"].values():
        for region in regions.values():
            region.pop("sent_messages", None)
    return state


def reads(sim: Simulator, refs: dict) -> dict:
    """Every Describe*/List* that needs no parameter, plus the per-resource ones."""
    api = sim.client()
    answers = {}
    for name in model.operation_names():
        shape = model.operation(name).input_shape
        if name.startswith(("Describe", "List")) and not (shape and shape.required_members):
            answers[name] = getattr(api, _snake(name))()
    answers["keywords"] = api.describe_keywords(OriginationIdentity=refs["pool"]["PoolId"])
    answers["opted_out"] = api.describe_opted_out_numbers(OptOutListName="listA")
    answers["members"] = api.list_pool_origination_identities(PoolId=refs["pool"]["PoolId"])
    answers["fields"] = api.describe_registration_field_values(
        RegistrationId=refs["registration"]["RegistrationId"])
    answers["versions"] = api.describe_registration_versions(
        RegistrationId=refs["registration"]["RegistrationId"])
    answers["policy"] = api.get_resource_policy(ResourceArn=refs["pool"]["PoolArn"])
    answers["tags"] = api.list_tags_for_resource(ResourceArn=refs["registration"]["RegistrationArn"])
    for answer in answers.values():
        answer.pop("ResponseMetadata", None)
    return answers


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _has_state(cls: type[Family]) -> bool:
    return bool(cls.saved_by) or cls.saved_rest is not Family.saved_rest


def test_every_family_with_state_has_something_saved():
    sim, _refs = populated()
    saved_families = next(r for r in saved(sim)["regions"]
                          if (r["account"], r["region"]) == (ACCOUNT, REGION))["families"]
    empty = [cls.name for cls in SHIPPED_FAMILIES
             if _has_state(cls) and not any(saved_families[cls.name].values())]
    assert empty == [], f"add a step to populated() for {empty}"


@pytest.mark.parametrize("later", [0, 3600], ids=["mid-lifecycle", "settled"])
def test_every_family_round_trips_through_the_saved_state(later):
    sim, refs = populated()
    first = saved(sim)
    fresh = Simulator(clock="manual", seed=999)
    import_state(fresh, first)
    assert saved(fresh) == first
    import_state(Simulator(clock="manual"), first)  # the document is left whole: again is fine
    assert view(fresh) == view(sim)
    # Lifecycles carry on from where they stopped: both simulators move alike.
    sim.advance(later)
    fresh.advance(later)
    assert reads(fresh, refs) == reads(sim, refs)
    assert saved(fresh) == saved(sim)
