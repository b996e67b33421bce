"""Protect configurations: the resource, its country rule sets and number overrides, and which
configuration decides a send (the send's, its configuration set's, the account default)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.gates.protect_rules import COUNTRIES

from conftest import active_phone
from families_fixtures import reason
from helpers import control_answer

US = "+12065550100"
GB = "+447700900123"


def backend(sim: Simulator, region: str = "us-east-1"):
    return sim.region(sim.default_account, region)


def block(client, pid: str, iso: str = "US", capability: str = "SMS", status: str = "BLOCK"):
    client.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=pid, NumberCapability=capability,
        CountryRuleSetUpdates={iso: {"ProtectStatus": status}})


def new_config(client, **kw) -> str:
    return client.create_protect_configuration(**kw)["ProtectConfigurationId"]


def test_create_describe_update_delete(client):
    created = client.create_protect_configuration(Tags=[{"Key": "Name", "Value": "alerts"}])
    pid = created["ProtectConfigurationId"]
    assert pid.startswith("protect-") and len(pid) == len("protect-") + 32
    assert created["ProtectConfigurationArn"].endswith(f":protect-configuration/{pid}")
    assert created["AccountDefault"] is False and created["DeletionProtectionEnabled"] is False
    assert created["Tags"] == [{"Key": "Name", "Value": "alerts"}]
    guarded = new_config(client, DeletionProtectionEnabled=True)

    listed = client.describe_protect_configurations()["ProtectConfigurations"]
    assert [c["ProtectConfigurationId"] for c in listed] == [pid, guarded]
    only = client.describe_protect_configurations(
        Filters=[{"Name": "deletion-protection-enabled", "Values": ["true"]}])
    assert [c["ProtectConfigurationId"] for c in only["ProtectConfigurations"]] == [guarded]
    by_arn = client.describe_protect_configurations(
        ProtectConfigurationIds=[created["ProtectConfigurationArn"]])["ProtectConfigurations"]
    assert [c["ProtectConfigurationId"] for c in by_arn] == [pid]
    assert client.list_tags_for_resource(ResourceArn=created["ProtectConfigurationArn"])[
        "Tags"] == [{"Key": "Name", "Value": "alerts"}]

    with pytest.raises(ClientError) as protected:
        client.delete_protect_configuration(ProtectConfigurationId=guarded)
    assert reason(protected) == ("ConflictException", "DELETION_PROTECTION_ENABLED")
    updated = client.update_protect_configuration(ProtectConfigurationId=guarded,
                                                  DeletionProtectionEnabled=False)
    assert updated["DeletionProtectionEnabled"] is False
    assert client.delete_protect_configuration(ProtectConfigurationId=guarded)[
        "ProtectConfigurationId"] == guarded
    for call in (lambda: client.delete_protect_configuration(ProtectConfigurationId=guarded),
                 lambda: client.describe_protect_configurations(ProtectConfigurationIds=[guarded]),
                 lambda: client.get_protect_configuration_country_rule_set(
                     ProtectConfigurationId=guarded, NumberCapability="SMS")):
        with pytest.raises(ClientError) as gone:
            call()
        assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert gone.value.response["ResourceType"] == "protect-configuration"


def test_the_account_default(client):
    first, second = new_config(client), new_config(client)
    with pytest.raises(ClientError) as none:
        client.delete_account_default_protect_configuration()
    assert none.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert client.set_account_default_protect_configuration(ProtectConfigurationId=first)[
        "DefaultProtectConfigurationId"] == first
    replaced = client.set_account_default_protect_configuration(ProtectConfigurationId=second)
    assert replaced["DefaultProtectConfigurationId"] == second
    defaults = client.describe_protect_configurations(
        Filters=[{"Name": "account-default", "Values": ["true"]}])["ProtectConfigurations"]
    assert [c["ProtectConfigurationId"] for c in defaults] == [second]
    assert {"Name": "DEFAULT_PROTECT_CONFIGURATION_ID", "Value": second} in \
        client.describe_account_attributes()["AccountAttributes"]
    with pytest.raises(ClientError) as is_default:
        client.delete_protect_configuration(ProtectConfigurationId=second)
    assert reason(is_default) == ("ConflictException", "PROTECT_CONFIGURATION_IS_ACCOUNT_DEFAULT")
    assert client.delete_account_default_protect_configuration()[
        "DefaultProtectConfigurationId"] == second
    assert [a["Name"] for a in client.describe_account_attributes()["AccountAttributes"]] == [
        "ACCOUNT_TIER"]
    client.delete_protect_configuration(ProtectConfigurationId=second)


def test_country_rule_sets_start_all_allow_and_patch_per_capability(client):
    pid = new_config(client)
    rules = client.get_protect_configuration_country_rule_set(ProtectConfigurationId=pid,
                                                              NumberCapability="SMS")
    assert rules["NumberCapability"] == "SMS" and len(rules["CountryRuleSet"]) == len(COUNTRIES)
    assert {v["ProtectStatus"] for v in rules["CountryRuleSet"].values()} == {"ALLOW"}
    patched = client.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=pid, NumberCapability="SMS",
        CountryRuleSetUpdates={"US": {"ProtectStatus": "BLOCK"}, "GB": {"ProtectStatus": "MONITOR"}})
    assert patched["CountryRuleSet"]["US"] == {"ProtectStatus": "BLOCK"}
    assert patched["CountryRuleSet"]["GB"] == {"ProtectStatus": "MONITOR"}
    assert patched["CountryRuleSet"]["CA"] == {"ProtectStatus": "ALLOW"}
    voice = client.get_protect_configuration_country_rule_set(ProtectConfigurationId=pid,
                                                              NumberCapability="VOICE")
    assert voice["CountryRuleSet"]["US"] == {"ProtectStatus": "ALLOW"}
    block(client, pid, "US", "SMS", "ALLOW")
    again = client.get_protect_configuration_country_rule_set(ProtectConfigurationId=pid,
                                                              NumberCapability="SMS")
    assert again["CountryRuleSet"]["US"] == {"ProtectStatus": "ALLOW"}


def test_a_country_block_decides_a_send(door):
    sim, make = door
    client = make(region_name="us-east-1")
    phone = active_phone(sim, client)
    mms = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                      NumberCapabilities=["SMS", "MMS"], NumberType="LONG_CODE")
    sim.force_transition(mms["PhoneNumberId"])
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    block(client, pid, "US", "SMS")
    with pytest.raises(ClientError) as blocked:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi")
    assert reason(blocked) == ("ConflictException",
                               "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION")
    assert blocked.value.response["ResourceType"] == "protect-configuration"
    assert blocked.value.response["ResourceId"] == pid
    assert sim.sent_messages() == []
    # Other countries and other capabilities are not blocked.
    assert client.send_text_message(DestinationPhoneNumber=GB, MessageBody="hi")
    assert client.send_voice_message(DestinationPhoneNumber=US, MessageBody="hi",
                                     OriginationIdentity=phone["PhoneNumberId"])
    assert client.send_media_message(DestinationPhoneNumber=US, MediaUrls=["s3://bucket/cat.png"],
                                     OriginationIdentity=mms["PhoneNumberId"])
    block(client, pid, "US", "MMS")
    with pytest.raises(ClientError) as media:
        client.send_media_message(DestinationPhoneNumber=US, MediaUrls=["s3://bucket/cat.png"],
                                  OriginationIdentity=mms["PhoneNumberId"])
    assert reason(media)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"


def test_a_block_holds_for_every_country_of_the_rule_set(client):
    """The rule set and the send's country come from one source: a country the rule set
    lists is blocked for its numbers too (Mauritius and Kazakhstan once passed as unknown
    and Russian), and an override names its country."""
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    numbers = {"MU": "+23057123456", "KZ": "+77011234567", "JM": "+18765550100", "GB": GB}
    assert set(numbers) <= set(COUNTRIES)
    client.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=pid, NumberCapability="SMS",
        CountryRuleSetUpdates={iso: {"ProtectStatus": "BLOCK"} for iso in numbers})
    for iso, number in numbers.items():
        with pytest.raises(ClientError) as blocked:
            client.send_text_message(DestinationPhoneNumber=number, MessageBody="hi")
        assert reason(blocked)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION", iso
        put = client.put_protect_configuration_rule_set_number_override(
            ProtectConfigurationId=pid, DestinationPhoneNumber=number, Action="ALLOW")
        assert put["IsoCountryCode"] == iso
    assert client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")


def test_a_notify_send_is_decided_by_its_mediums_rule_set(sim, client):
    cid = client.create_notify_configuration(DisplayName="Acme", UseCase="CODE_VERIFICATION",
                                             EnabledChannels=["SMS", "VOICE"])["NotifyConfigurationId"]
    sim.advance(5)  # the configuration becomes active
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    block(client, pid, "GB", "VOICE")
    code = {"NotifyConfigurationId": cid, "DestinationPhoneNumber": "+447400123456",
            "TemplateVariables": {"code": "1234"}}
    assert client.send_notify_text_message(**code)["MessageId"]
    with pytest.raises(ClientError) as voice:
        client.send_notify_voice_message(**code)
    assert reason(voice)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    block(client, pid, "GB", "VOICE", "ALLOW")
    block(client, pid, "GB", "SMS")
    assert client.send_notify_voice_message(**code)["MessageId"]
    with pytest.raises(ClientError) as text:
        client.send_notify_text_message(**code)
    assert reason(text)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"


def test_a_number_override_decides_a_send_and_expires_on_the_clock(door):
    sim, make = door
    client = make(region_name="us-east-1")
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    client.put_protect_configuration_rule_set_number_override(
        ProtectConfigurationId=pid, DestinationPhoneNumber=US, Action="BLOCK")
    with pytest.raises(ClientError) as blocked:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi")
    assert reason(blocked) == ("ConflictException",
                               "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE")
    assert client.send_text_message(DestinationPhoneNumber="+12065550101", MessageBody="hi")

    # An ALLOW override wins over its country's BLOCK, until it expires.
    block(client, pid, "US", "SMS")
    put = client.put_protect_configuration_rule_set_number_override(
        ProtectConfigurationId=pid, DestinationPhoneNumber=US, Action="ALLOW",
        ExpirationTimestamp=sim.clock.now() + 60)
    assert put["Action"] == "ALLOW" and put["IsoCountryCode"] == "US"
    assert client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi")
    with pytest.raises(ClientError) as country:
        client.send_text_message(DestinationPhoneNumber="+12065550101", MessageBody="hi")
    assert reason(country)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    sim.advance(59)
    assert client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi")
    sim.advance(2)  # past the expiry (the wire keeps timestamps to the millisecond)
    with pytest.raises(ClientError) as expired:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi")
    assert reason(expired)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    assert client.list_protect_configuration_rule_set_number_overrides(
        ProtectConfigurationId=pid)["RuleSetNumberOverrides"] == []


def test_the_three_levels_of_precedence(sim, client):
    default, explicit, of_set = new_config(client), new_config(client), new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=default)
    block(client, default, "US")
    # 3. the account default applies when nothing else does
    with pytest.raises(ClientError) as by_default:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi")
    assert by_default.value.response["ResourceId"] == default
    # 1. the send's own ProtectConfigurationId wins over the default...
    assert client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi",
                                    ProtectConfigurationId=explicit)
    # ...and decides by its own rules.
    block(client, explicit, "GB")
    with pytest.raises(ClientError) as by_explicit:
        client.send_text_message(DestinationPhoneNumber=GB, MessageBody="hi",
                                 ProtectConfigurationId=explicit)
    assert by_explicit.value.response["ResourceId"] == explicit
    with pytest.raises(ClientError) as unknown:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi",
                                 ProtectConfigurationId="protect-" + "0" * 32)
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # 2. a configuration set's protect configuration wins over the default, loses to the send's.
    client.create_configuration_set(ConfigurationSetName="alerts")
    client.create_configuration_set(ConfigurationSetName="other")
    client.associate_protect_configuration(ProtectConfigurationId=of_set,
                                           ConfigurationSetName="alerts")
    block(client, of_set, "US")
    with pytest.raises(ClientError) as by_set:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi",
                                 ConfigurationSetName="alerts")
    assert by_set.value.response["ResourceId"] == of_set
    assert client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi",
                                    ConfigurationSetName="alerts", ProtectConfigurationId=explicit)
    with pytest.raises(ClientError) as unset:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi",
                                 ConfigurationSetName="other")
    assert unset.value.response["ResourceId"] == default


def test_delete_is_refused_while_a_configuration_set_uses_it(client):
    pid = new_config(client)
    client.create_configuration_set(ConfigurationSetName="alerts")
    client.associate_protect_configuration(ProtectConfigurationId=pid, ConfigurationSetName="alerts")
    assert client.describe_configuration_sets(ConfigurationSetNames=["alerts"])[
        "ConfigurationSets"][0]["ProtectConfigurationId"] == pid
    with pytest.raises(ClientError) as used:
        client.delete_protect_configuration(ProtectConfigurationId=pid)
    assert reason(used) == ("ConflictException",
                            "PROTECT_CONFIGURATION_ASSOCIATED_WITH_CONFIGURATION_SET")
    client.delete_configuration_set(ConfigurationSetName="alerts")
    client.delete_protect_configuration(ProtectConfigurationId=pid)


def test_associating_needs_a_configuration_set_that_exists(client):
    pid = new_config(client)
    for call in (client.associate_protect_configuration, client.disassociate_protect_configuration):
        with pytest.raises(ClientError) as missing:
            call(ProtectConfigurationId=pid, ConfigurationSetName="no-such-set")
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert missing.value.response["ResourceType"] == "configuration-set"


def test_associate_and_disassociate_with_a_configuration_set(sim, client):
    pid = new_config(client)
    client.create_configuration_set(ConfigurationSetName="alerts")
    block(client, pid, "US")
    linked = client.associate_protect_configuration(ProtectConfigurationId=pid,
                                                    ConfigurationSetName="alerts")
    assert linked["ConfigurationSetName"] == "alerts" and linked["ProtectConfigurationId"] == pid
    with pytest.raises(ClientError) as by_set:
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi",
                                 ConfigurationSetName="alerts")
    assert reason(by_set)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    with pytest.raises(ClientError) as used:
        client.delete_protect_configuration(ProtectConfigurationId=pid)
    assert reason(used)[1] == "PROTECT_CONFIGURATION_ASSOCIATED_WITH_CONFIGURATION_SET"
    client.disassociate_protect_configuration(ProtectConfigurationId=pid,
                                              ConfigurationSetName="alerts")
    with pytest.raises(ClientError) as not_linked:
        client.disassociate_protect_configuration(ProtectConfigurationId=pid,
                                                  ConfigurationSetName="alerts")
    assert reason(not_linked)[1] == "PROTECT_CONFIGURATION_NOT_ASSOCIATED_WITH_CONFIGURATION_SET"
    assert client.send_text_message(DestinationPhoneNumber=US, MessageBody="hi",
                                    ConfigurationSetName="alerts")


def test_overrides_list_with_every_filter(sim, client):
    pid = new_config(client)
    now = sim.clock.now()
    for number, action, expires in ((US, "BLOCK", None), ("+12065550101", "ALLOW", now + 100),
                                    (GB, "BLOCK", now + 1000)):
        extra = {} if expires is None else {"ExpirationTimestamp": expires}
        client.put_protect_configuration_rule_set_number_override(
            ProtectConfigurationId=pid, DestinationPhoneNumber=number, Action=action, **extra)
        sim.advance(10)

    def listed(name: str, *values: str) -> list[str]:
        got = client.list_protect_configuration_rule_set_number_overrides(
            ProtectConfigurationId=pid, Filters=[{"Name": name, "Values": list(values)}])
        return [o["DestinationPhoneNumber"] for o in got["RuleSetNumberOverrides"]]

    assert listed("iso-country-code", "GB") == [GB]
    assert listed("destination-phone-number-begins-with", "+1206") == ["+12065550100",
                                                                       "+12065550101"]
    assert listed("action", "ALLOW") == ["+12065550101"]
    assert listed("expires-before", str(now + 500)) == ["+12065550101"]
    assert listed("expires-after", str(now + 500)) == [GB]
    assert listed("created-before", str(now + 5)) == [US]
    assert listed("created-after", str(now + 5)) == ["+12065550101", GB]
    iso = time_iso(now + 15)
    assert listed("created-after", iso) == [GB]
    page = client.list_protect_configuration_rule_set_number_overrides(ProtectConfigurationId=pid,
                                                                       MaxResults=2)
    assert len(page["RuleSetNumberOverrides"]) == 2 and page["NextToken"]
    assert page["ProtectConfigurationId"] == pid
    with pytest.raises(ClientError) as bad:
        listed("created-after", "yesterday")
    assert reason(bad)[0] == "ValidationException"

    deleted = client.delete_protect_configuration_rule_set_number_override(
        ProtectConfigurationId=pid, DestinationPhoneNumber=US)
    assert deleted["Action"] == "BLOCK" and "ExpirationTimestamp" not in deleted
    with pytest.raises(ClientError) as gone:
        client.delete_protect_configuration_rule_set_number_override(
            ProtectConfigurationId=pid, DestinationPhoneNumber=US)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def time_iso(epoch: float) -> str:
    import datetime
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat()


def test_filter_lets_the_send_through_and_marks_what_the_rules_call_suspicious(sim, client):
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    block(client, pid, "US", "SMS", "FILTER")
    block(client, pid, "GB", "SMS", "MONITOR")
    sim.add_protect_filter(body="(?i)free money")
    client.send_text_message(DestinationPhoneNumber=US, MessageBody="FREE MONEY inside")
    client.send_text_message(DestinationPhoneNumber=US, MessageBody="your code is 1234")
    client.send_text_message(DestinationPhoneNumber=GB, MessageBody="free money")
    seen = [m.send.protect for m in backend(sim).sent_log.messages.values()]
    assert [(v.status, v.blocked_by) for v in seen] == [("FILTER", "filter"), ("FILTER", None),
                                                         ("MONITOR", None)]
    assert all(v.protect_configuration_id == pid for v in seen)
    assert control_answer(sim, "POST", "/_smsvoice/protect-filters", {"destination": "+1206555*"})[0] == 200
    assert control_answer(sim, "POST", "/_smsvoice/protect-filters", {"destination": 5})[0] == 400
    assert control_answer(sim, "POST", "/_smsvoice/protect-filters", {"body": "("})[0] == 400
    sim.clear_protect_filters()
    assert backend(sim).protect_configurations.filters == []


def test_the_quota_of_protect_configurations():
    sim = Simulator(quotas={"PROTECT_CONFIGURATIONS": 1})
    client = sim.client()
    new_config(client)
    with pytest.raises(ClientError) as over:
        new_config(client)
    assert reason(over) == ("ServiceQuotaExceededException", "PROTECT_CONFIGURATIONS_PER_ACCOUNT")


def test_protect_configurations_survive_a_state_file(tmp_path):
    path = str(tmp_path / "state.json")
    sim = Simulator(state_file=path)
    client = sim.client()
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    block(client, pid, "US")
    client.put_protect_configuration_rule_set_number_override(
        ProtectConfigurationId=pid, DestinationPhoneNumber=US, Action="ALLOW")
    again = Simulator(state_file=path).client()
    assert again.send_text_message(DestinationPhoneNumber=US, MessageBody="hi")
    with pytest.raises(ClientError) as blocked:
        again.send_text_message(DestinationPhoneNumber="+12065550101", MessageBody="hi")
    assert reason(blocked)[1] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"


EVENTS = hasattr(Simulator, "events")


@pytest.mark.skipif(not EVENTS, reason="delivery events come with the messages family (issue 12)")
def test_a_filtered_send_ends_in_text_protect_blocked(sim, client):
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    block(client, pid, "US", "SMS", "FILTER")
    sim.add_protect_filter(destination="+1206555*", body="(?i)prize")
    suspicious = client.send_text_message(DestinationPhoneNumber=US, MessageBody="You won a PRIZE")
    fine = client.send_text_message(DestinationPhoneNumber=US, MessageBody="your code is 1234")
    sim.advance(3600)
    blocked = sim.events(message_id=suspicious["MessageId"])
    assert blocked[-1]["eventType"] == "TEXT_PROTECT_BLOCKED"
    assert blocked[-1]["protectConfiguration"]["protectConfigurationId"] == pid
    delivered = sim.events(message_id=fine["MessageId"])
    assert "TEXT_PROTECT_BLOCKED" not in [e["eventType"] for e in delivered]
    # The account default applied: its id is on every event of the send.
    assert {e["protectConfiguration"]["protectConfigurationId"] for e in delivered} == {pid}


def test_unknown_protect_configurations_are_not_found_everywhere(client):
    missing = "protect-" + "f" * 32
    calls = [
        lambda: client.update_protect_configuration(ProtectConfigurationId=missing),
        lambda: client.set_account_default_protect_configuration(ProtectConfigurationId=missing),
        lambda: client.update_protect_configuration_country_rule_set(
            ProtectConfigurationId=missing, NumberCapability="VOICE",
            CountryRuleSetUpdates={"US": {"ProtectStatus": "BLOCK"}}),
        lambda: client.associate_protect_configuration(ProtectConfigurationId=missing,
                                                       ConfigurationSetName="alerts"),
        lambda: client.put_protect_configuration_rule_set_number_override(
            ProtectConfigurationId=missing, DestinationPhoneNumber=US, Action="BLOCK"),
        lambda: client.list_protect_configuration_rule_set_number_overrides(
            ProtectConfigurationId=missing),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert exc.value.response["ResourceType"] == "protect-configuration"


def test_filter_rules_need_every_pattern_they_name():
    from smsvoice_sim.simulator.gates.protect_rules import FilterRule
    both = FilterRule(destination="+1206555*", body="(?i)prize")
    assert both.matches("+12065550100", "a PRIZE")
    assert not both.matches("+12065550100", "hello")
    assert not both.matches("+447700900123", "a prize")
    with pytest.raises(ValueError):
        FilterRule()



def filtered_sends(sim, client) -> dict[str, dict]:
    """One send protect's FILTER blocks, three it lets through: the metrics, without dimensions."""
    pid = new_config(client)
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    block(client, pid, "US", "SMS", "FILTER")
    sim.add_protect_filter(body="(?i)prize")
    client.send_text_message(DestinationPhoneNumber=US, MessageBody="You won a PRIZE")
    for _ in range(3):
        client.send_text_message(DestinationPhoneNumber=US, MessageBody="your code is 1234")
    sim.advance(3600)
    assert sorted(m["Outcome"] for m in sim.sent_messages()) == [
        "TEXT_DELIVERED", "TEXT_DELIVERED", "TEXT_DELIVERED", "TEXT_PROTECT_BLOCKED"]
    return {m["MetricName"]: m for m in sim.metrics() if not m["Dimensions"]}


def test_a_send_protect_blocked_is_not_counted_in_the_parts_sent(sim, client):
    """NumberOfTextMessagePartsSent excludes what protect blocked
    [doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/monitoring-cloudwatch.html]."""
    assert filtered_sends(sim, client)["NumberOfTextMessagePartsSent"]["Sum"] == 3


def test_blocked_by_protect_is_1_or_0_for_every_send_protect_decided(sim, client):
    """TextMessagesBlockedByProtect is 1 if blocked else 0, so its Average is the blocked share
    [doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/monitoring-cloudwatch.html]."""
    blocked = filtered_sends(sim, client)["TextMessagesBlockedByProtect"]
    assert (blocked["Sum"], blocked["SampleCount"], blocked["Minimum"], blocked["Maximum"]) == (1, 4, 0, 1)
    assert blocked["Sum"] / blocked["SampleCount"] == 0.25  # the Average CloudWatch gives
    client.delete_account_default_protect_configuration()
    client.send_text_message(DestinationPhoneNumber=US, MessageBody="no protect decides this one")
    totals = [m for m in sim.metrics("TextMessagesBlockedByProtect") if not m["Dimensions"]]
    assert [m["SampleCount"] for m in totals] == [4]
