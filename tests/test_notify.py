"""Notify (issue 15, section H) through real boto3: configurations on the clock, the
display-name review, tiers and caps, shipped templates and countries, sends."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.snapshot import export_state, import_state
from smsvoice_sim.simulator.families.notify import review, shipped
from smsvoice_sim.simulator.wire.errors import ServiceError

from conftest import active_phone, active_pool
from families_fixtures import conflict, error_of, not_found

FR_MOBILE, GB_MOBILE, US_NUMBER, KR_MOBILE = "+33612345678", "+447400123456", "+12065550100", "+821012345678"
ACCOUNT, REGION = "123456789012", "us-east-1"
# The id of every AWS example, for SMS and voice [doc: notify-send-messages.html]; the others [inf].
ENGLISH = "notify-code-verification-english-001"
EXPIRING, SHORT = "notify-code-verification-english-002", "notify-code-verification-english-003"
SPANISH = "notify-code-verification-spanish-001"


def create(api, name="Acme", channels=("SMS", "VOICE"), **extra) -> dict:
    return api.create_notify_configuration(
        DisplayName=name, UseCase="CODE_VERIFICATION", EnabledChannels=list(channels), **extra
    )


def active(sim, api, **extra) -> dict:
    made = create(api, **extra)
    sim.advance(5)
    return made


def notify_of(sim):
    return sim.region(ACCOUNT, REGION).notify


def test_a_configuration_is_pending_then_active_on_the_clock(sim, api):
    made = create(api, Tags=[{"Key": "team", "Value": "auth"}])
    assert made["Status"] == "PENDING" and made["Tier"] == "BASIC" and made["TierUpgradeStatus"] == "BASIC"
    assert made["NotifyConfigurationArn"].endswith(f":notify-configuration/{made['NotifyConfigurationId']}")
    assert made["Tags"] == [{"Key": "team", "Value": "auth"}]
    assert made["DeletionProtectionEnabled"] is False
    sim.advance(4.9)
    assert api.describe_notify_configurations()["NotifyConfigurations"][0]["Status"] == "PENDING"
    sim.advance(0.1)
    shown = api.describe_notify_configurations(NotifyConfigurationIds=[made["NotifyConfigurationArn"]])
    assert shown["NotifyConfigurations"][0]["Status"] == "ACTIVE"
    assert "RejectionReason" not in shown["NotifyConfigurations"][0]


@pytest.mark.parametrize(
    "name, reason",
    [("www Acme", "URL"), ("getHTTP", "URL"), ("Big winner", "disallowed"), ("spam-co", "disallowed")],
)
def test_the_display_name_review_rejects_on_the_clock(sim, api, name, reason):
    made = create(api, name=name)
    assert made["Status"] == "PENDING"
    sim.advance(5)
    shown = api.describe_notify_configurations()["NotifyConfigurations"][0]
    assert shown["Status"] == "REJECTED" and reason in shown["RejectionReason"]
    with pytest.raises(ClientError) as exc:
        api.send_notify_text_message(
            NotifyConfigurationId=made["NotifyConfigurationId"],
            DestinationPhoneNumber=FR_MOBILE,
            TemplateVariables={"code": "1234"},
        )
    assert error_of(exc) == conflict(
        "NOTIFY_CONFIGURATION_NOT_ACTIVE", "notify-configuration", made["NotifyConfigurationId"]
    )


def test_the_review_rule_passes_ordinary_names():
    assert all(review(n) is None for n in ("Acme", "My Bank", "shop_2", "Winners Club"))


def test_sends_are_refused_until_active(sim, api):
    made = create(api)
    with pytest.raises(ClientError) as exc:
        api.send_notify_text_message(
            NotifyConfigurationId=made["NotifyConfigurationId"],
            DestinationPhoneNumber=FR_MOBILE,
            TemplateVariables={"code": "1234"},
        )
    assert error_of(exc)["Reason"] == "NOTIFY_CONFIGURATION_NOT_ACTIVE"
    assert sim.sent_messages() == []


def test_text_and_voice_sends_resolve_the_template(sim, api):
    cid = active(sim, api)["NotifyConfigurationId"]
    text = api.send_notify_text_message(
        NotifyConfigurationId=cid,
        DestinationPhoneNumber=FR_MOBILE,
        TemplateVariables={"code": "654321"},
        Context={"k": "v"},
    )
    assert text["TemplateId"] == ENGLISH  # the first of the channel, tier and country
    assert text["ResolvedMessageBody"] == "Your Acme verification code is 654321."  # brandName: Acme
    expiring = api.send_notify_text_message(
        NotifyConfigurationId=cid,
        DestinationPhoneNumber=FR_MOBILE,
        TemplateId=EXPIRING,
        TemplateVariables={"code": "654321", "expiryMinutes": "5"},
    )
    assert expiring["ResolvedMessageBody"] == (
        "Acme: your verification code is 654321. It expires in 5 minutes. Do not share it."
    )
    voice = api.send_notify_voice_message(
        NotifyConfigurationId=cid,
        DestinationPhoneNumber=GB_MOBILE,
        TemplateVariables={"code": "1234"},
        VoiceId="MATTHEW",
    )
    assert voice["TemplateId"] == ENGLISH  # one template for SMS and voice [doc]
    assert "1234" in voice["ResolvedMessageBody"] and "Acme" in voice["ResolvedMessageBody"]
    log = sim.sent_messages()
    assert [m["Operation"] for m in log] == ["SendNotifyTextMessage"] * 2 + ["SendNotifyVoiceMessage"]
    assert log[0]["MessageId"] == text["MessageId"] and log[0]["MessageBody"] == text["ResolvedMessageBody"]
    assert (log[0]["Details"]["NotifyConfigurationId"], log[0]["IsoCountryCode"], log[0]["Context"]) == (
        cid,
        "FR",
        {"k": "v"},
    )
    assert log[2]["Details"]["VoiceId"] == "MATTHEW"


def test_an_explicit_template_and_the_configurations_default(sim, api):
    cid = active(sim, api, DefaultTemplateId=SPANISH)["NotifyConfigurationId"]
    sent = api.send_notify_text_message(
        NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE, TemplateVariables={"code": "1234"}
    )
    assert sent["TemplateId"] == SPANISH and "código" in sent["ResolvedMessageBody"]
    sent = api.send_notify_text_message(
        NotifyConfigurationId=cid,
        DestinationPhoneNumber=FR_MOBILE,
        TemplateId=ENGLISH,
        TemplateVariables={"code": "1234"},
    )
    assert sent["TemplateId"] == ENGLISH
    updated = api.update_notify_configuration(
        NotifyConfigurationId=cid, DefaultTemplateId="UNSET_DEFAULT_TEMPLATE"
    )
    assert "DefaultTemplateId" not in updated


@pytest.mark.parametrize(
    "variables, reason, field",
    [
        ({}, "MISSING_PARAMETER", "TemplateVariables.code"),
        ({"code": "12"}, "FIELD_VALIDATION_FAILED", "TemplateVariables.code"),  # pattern: 4-8 digits
        ({"code": "abcdef"}, "FIELD_VALIDATION_FAILED", "TemplateVariables.code"),
        (
            {"code": "1234", "expiryMinutes": "soon"},
            "FIELD_VALIDATION_FAILED",
            "TemplateVariables.expiryMinutes",
        ),
        (
            {"code": "1234", "expiryMinutes": "61"},
            "FIELD_VALIDATION_FAILED",
            "TemplateVariables.expiryMinutes",
        ),
        ({"code": "1234", "colour": "red"}, "INVALID_PARAMETER", "TemplateVariables.colour"),
        (
            {"code": "1234", "brandName": "Evil"},
            "INVALID_PARAMETER",
            "TemplateVariables.brandName",
        ),  # SYSTEM: the configuration's display name
    ],
)
def test_template_variables_are_checked_against_their_declarations(sim, api, variables, reason, field):
    cid = active(sim, api)["NotifyConfigurationId"]
    with pytest.raises(ClientError) as exc:
        api.send_notify_text_message(
            NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE, TemplateId=EXPIRING,
            TemplateVariables=variables
        )
    assert error_of(exc)["Code"] == "ValidationException" and error_of(exc)["Reason"] == reason
    assert exc.value.response["Fields"][0]["Name"] == field
    assert sim.sent_messages() == []


def test_templates_that_do_not_fit_are_refused(sim, api):
    cid = active(sim, api, channels=("SMS",))["NotifyConfigurationId"]
    cases = [
        ("notify-code-verification-english-000", "INVALID_PARAMETER"),  # INACTIVE
        (SHORT, "INVALID_PARAMETER"),  # ADVANCED only
    ]
    for template, reason in cases:
        with pytest.raises(ClientError) as exc:
            api.send_notify_text_message(
                NotifyConfigurationId=cid,
                DestinationPhoneNumber=FR_MOBILE,
                TemplateId=template,
                TemplateVariables={"code": "1234"},
            )
        assert error_of(exc)["Reason"] == reason, template
    both = active(sim, api, name="Both")["NotifyConfigurationId"]
    with pytest.raises(ClientError) as exc:  # an SMS template for a voice call
        api.send_notify_voice_message(NotifyConfigurationId=both, DestinationPhoneNumber=FR_MOBILE,
                                      TemplateId=EXPIRING, TemplateVariables={"code": "1234"})
    assert error_of(exc)["Reason"] == "CHANNEL_NOT_ENABLED"
    with pytest.raises(ClientError) as exc:
        api.send_notify_text_message(
            NotifyConfigurationId=cid,
            DestinationPhoneNumber=FR_MOBILE,
            TemplateId="no-such-template",
            TemplateVariables={"code": "1234"},
        )
    assert error_of(exc) == not_found("notify-template", "no-such-template")
    with pytest.raises(ClientError) as exc:  # VOICE is not enabled on this configuration
        api.send_notify_voice_message(
            NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE, TemplateVariables={"code": "1234"}
        )
    assert error_of(exc)["Reason"] == "CHANNEL_NOT_ENABLED"


def test_countries_follow_the_tier_and_the_configuration(sim, api):
    cid = active(sim, api, EnabledCountries=["FR"])["NotifyConfigurationId"]
    with pytest.raises(ClientError) as exc:  # GB is a BASIC country, but not enabled here
        api.send_notify_text_message(
            NotifyConfigurationId=cid, DestinationPhoneNumber=GB_MOBILE, TemplateVariables={"code": "1234"}
        )
    assert error_of(exc)["Reason"] == "COUNTRY_NOT_ENABLED"
    other = active(sim, api, name="Other")["NotifyConfigurationId"]
    with pytest.raises(ClientError) as exc:  # KR is ADVANCED only
        api.send_notify_text_message(
            NotifyConfigurationId=other, DestinationPhoneNumber=KR_MOBILE, TemplateVariables={"code": "1234"}
        )
    assert error_of(exc)["Reason"] == "COUNTRY_NOT_ENABLED"
    with pytest.raises(ClientError) as exc:  # not a Notify country at all
        api.send_notify_text_message(
            NotifyConfigurationId=other,
            DestinationPhoneNumber="+79161234567",
            TemplateVariables={"code": "1234"},
        )
    assert error_of(exc)["Reason"] == "DESTINATION_COUNTRY_BLOCKED"
    with pytest.raises(ClientError) as exc:
        create(api, EnabledCountries=["KR"])  # a BASIC configuration cannot enable an ADVANCED country
    assert error_of(exc)["Reason"] == "COUNTRY_NOT_ENABLED"
    notify_of(sim).set_tier(other, "ADVANCED")
    sent = api.send_notify_text_message(
        NotifyConfigurationId=other, DestinationPhoneNumber=KR_MOBILE, TemplateVariables={"code": "1234"}
    )
    assert sent["MessageId"]
    shown = api.describe_notify_configurations(NotifyConfigurationIds=[other])["NotifyConfigurations"][0]
    assert (shown["Tier"], shown["TierUpgradeStatus"]) == ("ADVANCED", "ADVANCED")


def test_the_basic_tier_caps_messages_per_day():
    sim = Simulator(clock="manual", seed=3, quotas={"NOTIFY_BASIC_DAILY_MESSAGES": 2})
    api = sim.client()
    cid = active(sim, api)["NotifyConfigurationId"]

    def send(**extra):
        return api.send_notify_text_message(
            NotifyConfigurationId=cid,
            DestinationPhoneNumber=FR_MOBILE,
            TemplateVariables={"code": "1234"},
            **extra,
        )

    send(), send()
    assert send(DryRun=True)["MessageId"]  # a dry run is checked, not counted
    with pytest.raises(ClientError) as exc:
        send()
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
    assert error_of(exc)["Reason"] == "DAILY_NOTIFY_TIER_MESSAGE_LIMIT"
    sim.advance(86400)
    assert send()["MessageId"]  # a new day
    notify_of(sim).set_tier(cid, "ADVANCED")
    for _ in range(3):
        send()  # ADVANCED has no daily cap


def test_the_default_cap_is_the_documented_200():
    sim = Simulator(clock="manual", seed=3)
    api = sim.client(short_circuit=True)
    cid = active(sim, api)["NotifyConfigurationId"]
    for n in range(200):  # to 200 destinations: one destination gets at most 10 a day
        api.send_notify_text_message(
            NotifyConfigurationId=cid, DestinationPhoneNumber=f"+33612345{n:03d}",
            TemplateVariables={"code": "1234"},
        )
    with pytest.raises(ClientError) as exc:
        api.send_notify_text_message(
            NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE, TemplateVariables={"code": "1234"}
        )
    assert error_of(exc)["Reason"] == "DAILY_NOTIFY_TIER_MESSAGE_LIMIT"


def test_one_destination_gets_at_most_ten_notify_messages_a_day_per_configuration_and_per_account():
    """"10 messages per day per notify configuration and 10 messages per day per account" for
    a given destination number [doc: notify-quotas.html], on every tier."""
    sim = Simulator(clock="manual", seed=3)
    api = sim.client(short_circuit=True)
    first, second = (active(sim, api)["NotifyConfigurationId"] for _ in range(2))
    notify_of(sim).set_tier(first, "ADVANCED")  # no tier cap: the destination's limit still holds

    def send(cid, destination=FR_MOBILE, **extra):
        return api.send_notify_text_message(NotifyConfigurationId=cid, DestinationPhoneNumber=destination,
                                            TemplateVariables={"code": "1234"}, **extra)

    for _ in range(6):
        send(first)
    for _ in range(4):
        send(second)
    assert send(second, DryRun=True)["MessageId"]  # a dry run is checked, not counted
    for cid in (first, second):  # 6 + 4 = 10 to this destination from the account today
        with pytest.raises(ClientError) as exc:
            send(cid)
        assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
        assert error_of(exc)["Reason"] == "DAILY_DESTINATION_CALL_LIMIT"
    assert send(first, GB_MOBILE)["MessageId"]  # another destination is not affected
    saved = export_state(sim)
    restarted = Simulator(clock="manual", seed=3)
    import_state(restarted, json.loads(json.dumps(saved)))  # the day's counts survive a restart
    with pytest.raises(ClientError) as exc:
        restarted.client().send_notify_text_message(
            NotifyConfigurationId=first, DestinationPhoneNumber=FR_MOBILE, TemplateVariables={"code": "1234"})
    assert error_of(exc)["Reason"] == "DAILY_DESTINATION_CALL_LIMIT"
    sim.advance(86400)
    assert send(first)["MessageId"]  # a new UTC day

    alone = Simulator(clock="manual", seed=3, quotas={"NOTIFY_MESSAGES_PER_DESTINATION_PER_DAY": 2})
    api = alone.client(short_circuit=True)
    cid = active(alone, api)["NotifyConfigurationId"]
    send(cid), send(cid)
    with pytest.raises(ClientError) as exc:
        send(cid)
    assert error_of(exc)["Reason"] == "DAILY_DESTINATION_CALL_LIMIT"


def test_a_new_day_drops_the_per_destination_counts_of_the_days_before():
    """Only today's counts are read: yesterday's destinations leave the saved state, which
    would otherwise grow with every number a configuration ever sent to."""
    sim = Simulator(clock="manual", seed=3)
    api = sim.client(short_circuit=True)
    cid = active(sim, api)["NotifyConfigurationId"]
    for destination in (FR_MOBILE, GB_MOBILE, FR_MOBILE):
        api.send_notify_text_message(NotifyConfigurationId=cid, DestinationPhoneNumber=destination,
                                     TemplateVariables={"code": "1234"})
    sim.advance(86400)
    api.send_notify_text_message(NotifyConfigurationId=cid, DestinationPhoneNumber=GB_MOBILE,
                                 TemplateVariables={"code": "1234"})
    today = int(sim.clock.now() // 86400)
    [row] = [c for region in export_state(sim)["regions"]
             for c in region["families"]["notify"]["configurations"]]
    assert row["sent_to"] == {GB_MOBILE: [today, 1]}
    assert list(row["sent_on"]) == [today, 1]


def test_customer_owned_countries_need_a_pool_and_a_pool_serves_one_configuration(sim, api):
    notify_of(sim).set_tier(cid := active(sim, api)["NotifyConfigurationId"], "ADVANCED")
    with pytest.raises(ClientError) as exc:
        api.send_notify_text_message(
            NotifyConfigurationId=cid, DestinationPhoneNumber=US_NUMBER, TemplateVariables={"code": "1234"}
        )
    assert error_of(exc)["Reason"] == "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY"
    pool = active_pool(sim, api, active_phone(sim, api))
    updated = api.update_notify_configuration(NotifyConfigurationId=cid, PoolId=pool["PoolArn"])
    assert updated["PoolId"] == pool["PoolId"]
    sent = api.send_notify_text_message(
        NotifyConfigurationId=cid, DestinationPhoneNumber=US_NUMBER, TemplateVariables={"code": "1234"}
    )
    assert sim.sent_messages()[-1]["PoolId"] == pool["PoolId"] and sent["MessageId"]
    with pytest.raises(ClientError) as exc:
        create(api, name="Second", PoolId=pool["PoolId"])
    assert error_of(exc) == conflict("POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION", "pool", pool["PoolId"])
    with pytest.raises(ServiceError) as rule:  # the rule the pools family calls on DeletePool
        notify_of(sim).check_pool_deletable(pool["PoolId"])
    assert rule.value.members["Reason"] == "POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION"
    cleared = api.update_notify_configuration(
        NotifyConfigurationId=cid, PoolId="UNSET_DEFAULT_POOL_FOR_NOTIFY"
    )
    assert "PoolId" not in cleared
    notify_of(sim).check_pool_deletable(pool["PoolId"])  # free again
    with pytest.raises(ClientError) as exc:
        create(api, name="Third", PoolId="pool-00000000000000000000000000000000")
    assert error_of(exc)["ResourceType"] == "pool"


def test_opted_out_destinations_are_refused(sim, api):
    cid = active(sim, api)["NotifyConfigurationId"]
    api.put_opted_out_number(OptOutListName="Default", OptedOutNumber=FR_MOBILE)
    with pytest.raises(ClientError) as exc:
        api.send_notify_text_message(
            NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE, TemplateVariables={"code": "1234"}
        )
    assert error_of(exc)["Reason"] == "DESTINATION_PHONE_NUMBER_OPTED_OUT"


def test_create_and_update_checks(sim, api):
    with pytest.raises(ClientError) as exc:
        create(api, channels=("MMS",))
    assert error_of(exc)["Reason"] == "CHANNEL_NOT_ENABLED"
    with pytest.raises(ClientError) as exc:
        create(api, DefaultTemplateId=SHORT)  # ADVANCED-only template
    assert error_of(exc)["Reason"] == "INVALID_PARAMETER"
    with pytest.raises(ClientError) as exc:
        create(api, channels=("VOICE",), DefaultTemplateId=EXPIRING)  # an SMS template
    assert error_of(exc)["Reason"] == "INVALID_PARAMETER"
    with pytest.raises(ClientError) as exc:
        create(api, DefaultTemplateId="nope")
    assert error_of(exc)["ResourceType"] == "notify-template"
    cid = create(api)["NotifyConfigurationId"]
    before = api.describe_notify_configurations()["NotifyConfigurations"]
    with pytest.raises(ClientError) as exc:  # one bad member: nothing changes
        api.update_notify_configuration(
            NotifyConfigurationId=cid,
            EnabledChannels=["SMS"],
            DeletionProtectionEnabled=True,
            EnabledCountries=["KR"],
        )
    assert api.describe_notify_configurations()["NotifyConfigurations"] == before
    with pytest.raises(ClientError) as exc:
        api.update_notify_configuration(NotifyConfigurationId="notify-missing")
    assert error_of(exc) == not_found("notify-configuration", "notify-missing")


def test_delete_honours_deletion_protection(sim, api):
    cid = create(api, DeletionProtectionEnabled=True)["NotifyConfigurationId"]
    with pytest.raises(ClientError) as exc:
        api.delete_notify_configuration(NotifyConfigurationId=cid)
    assert error_of(exc) == conflict("DELETION_PROTECTION_ENABLED", "notify-configuration", cid)
    api.update_notify_configuration(NotifyConfigurationId=cid, DeletionProtectionEnabled=False)
    assert api.delete_notify_configuration(NotifyConfigurationId=cid)["NotifyConfigurationId"] == cid
    sim.advance(10)  # its pending review step fires into nothing
    assert "NotifyConfigurations" not in api.describe_notify_configurations()
    with pytest.raises(ClientError) as exc:
        api.describe_notify_configurations(NotifyConfigurationIds=[cid])
    assert error_of(exc)["ResourceType"] == "notify-configuration"


def test_filters_and_pages(sim, api):
    for name in ("A", "B", "C"):
        create(api, name=name)
    sim.advance(5)
    create(api, name="D", channels=("SMS",))
    pages = list(
        api.get_paginator("describe_notify_configurations").paginate(PaginationConfig={"PageSize": 2})
    )
    assert [len(p["NotifyConfigurations"]) for p in pages] == [2, 2]
    assert (
        len(
            api.describe_notify_configurations(Filters=[{"Name": "status", "Values": ["ACTIVE"]}])[
                "NotifyConfigurations"
            ]
        )
        == 3
    )
    only = api.describe_notify_configurations(Filters=[{"Name": "display-name", "Values": ["D"]}])
    assert [c["DisplayName"] for c in only["NotifyConfigurations"]] == ["D"]
    voice = api.describe_notify_configurations(Filters=[{"Name": "enabled-channels", "Values": ["VOICE"]}])
    assert len(voice["NotifyConfigurations"]) == 3


def test_templates_are_shipped_data_with_filters(api):
    every = api.describe_notify_templates()["NotifyTemplates"]
    assert len(every) == len(shipped()["templates"]) >= 4
    otp = every[0]
    assert otp["TemplateType"] == "OTP_VERIFICATION" and otp["Variables"]["code"]["Required"] is True
    assert otp["Variables"]["brandName"]["Source"] == "SYSTEM"
    voice = api.describe_notify_templates(Filters=[{"Name": "channels", "Values": ["VOICE"]}])[
        "NotifyTemplates"
    ]
    assert [t["TemplateId"] for t in voice] == [ENGLISH]
    assert "JOANNA" in voice[0]["SupportedVoiceIds"]
    es = api.describe_notify_templates(Filters=[{"Name": "language-code", "Values": ["es"]}])
    assert [t["TemplateId"] for t in es["NotifyTemplates"]] == [SPANISH]
    one = api.describe_notify_templates(TemplateIds=[EXPIRING])["NotifyTemplates"]
    assert len(one) == 1
    with pytest.raises(ClientError) as exc:
        api.describe_notify_templates(TemplateIds=["nope"])
    assert error_of(exc)["ResourceType"] == "notify-template"


def test_notify_countries(api):
    every = api.list_notify_countries()["NotifyCountries"]
    assert len(every) == len(shipped()["countries"])
    basic = api.list_notify_countries(Tier="BASIC")["NotifyCountries"]
    assert len(basic) == 30  # [doc] Basic: 30 pre-approved countries
    us = next(c for c in every if c["IsoCountryCode"] == "US")
    assert us["CustomerOwnedIdentityRequired"] is True and us["SupportedTiers"] == ["ADVANCED"]
    voice = api.list_notify_countries(Channels=["VOICE"], UseCases=["CODE_VERIFICATION"])["NotifyCountries"]
    assert all("VOICE" in c["SupportedChannels"] for c in voice) and len(voice) < len(every)
    pages = list(api.get_paginator("list_notify_countries").paginate(PaginationConfig={"PageSize": 20}))
    assert sum(len(p["NotifyCountries"]) for p in pages) == len(every)


def test_the_quota_on_configurations_is_configurable():
    sim = Simulator(clock="manual", seed=3, quotas={"NOTIFY_CONFIGURATIONS": 1})
    api = sim.client()
    create(api)
    with pytest.raises(ClientError) as exc:
        create(api, name="Two")
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
    assert error_of(exc)["Reason"] == "NOTIFY_CONFIGURATIONS_PER_ACCOUNT"


def test_idempotent_create_and_tags(sim, api):
    first = create(api, ClientToken="token-1")
    assert create(api, ClientToken="token-1")["NotifyConfigurationId"] == first["NotifyConfigurationId"]
    api.tag_resource(ResourceArn=first["NotifyConfigurationArn"], Tags=[{"Key": "a", "Value": "b"}])
    assert api.list_tags_for_resource(ResourceArn=first["NotifyConfigurationArn"])["Tags"] == [
        {"Key": "a", "Value": "b"}
    ]


def test_configurations_survive_state_export_and_import(sim, api):
    pending = create(api)["NotifyConfigurationId"]
    saved = json.loads(json.dumps(export_state(sim)))
    fresh = Simulator(clock="manual", seed=1234)
    import_state(fresh, saved)
    fresh.advance(5)
    again = fresh.client()
    assert again.describe_notify_configurations()["NotifyConfigurations"][0]["Status"] == "ACTIVE"
    assert again.send_notify_text_message(
        NotifyConfigurationId=pending, DestinationPhoneNumber=FR_MOBILE, TemplateVariables={"code": "1234"}
    )["MessageId"]


# -- issue 20, Notify leads: what AWS's pages and its own guide show ---------------------------------
def test_the_documented_sends_work_as_written(sim, api):
    """AWS's send-notify-text-message and send-notify-voice-message examples: the template
    `notify-code-verification-english-001`, the variable `code`, the voice JOANNA [doc:
    https://docs.aws.amazon.com/sms-voice/latest/userguide/notify-send-messages.html]."""
    cid = active(sim, api, name="Example")["NotifyConfigurationId"]
    text = api.send_notify_text_message(NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE,
                                        TemplateId=ENGLISH, TemplateVariables={"code": "123456"})
    voice = api.send_notify_voice_message(NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE,
                                          TemplateId=ENGLISH, TemplateVariables={"code": "123456"},
                                          VoiceId="JOANNA")
    assert text["TemplateId"] == voice["TemplateId"] == ENGLISH
    assert "Example" in text["ResolvedMessageBody"] and "123456" in text["ResolvedMessageBody"]


def test_templates_declare_brand_name_as_the_system_variable(api):
    for template in api.describe_notify_templates()["NotifyTemplates"]:
        assert template["TemplateId"].startswith("notify-code-verification-")
        system = [name for name, spec in template["Variables"].items() if spec["Source"] == "SYSTEM"]
        assert system == ["brandName"]
        assert template["Variables"]["code"]["Required"] is True


def test_language_codes_are_lowercase_and_an_uppercase_filter_value_is_refused(api):
    english = api.describe_notify_templates(Filters=[{"Name": "language-code", "Values": ["en"]}])
    assert ENGLISH in [t["TemplateId"] for t in english["NotifyTemplates"]]
    assert {t["LanguageCode"] for t in api.describe_notify_templates()["NotifyTemplates"]} == {"en", "es"}
    assert api.describe_notify_templates(
        Filters=[{"Name": "language-code", "Values": ["fr-CA"]}])["NotifyTemplates"] == []
    for wrong in ("EN", "en-us", "english", "En"):
        with pytest.raises(ClientError) as exc:
            api.describe_notify_templates(Filters=[{"Name": "channels", "Values": ["SMS"]},
                                                   {"Name": "language-code", "Values": ["en", wrong]}])
        assert (error_of(exc)["Code"], error_of(exc)["Reason"]) == \
            ("ValidationException", "INVALID_FILTER_VALUES")
