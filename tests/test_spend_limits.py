"""Account attributes and monthly spend limits: the limits AWS reports, overrides, and sends
refused once the month's spend reaches the enforced limit."""

from __future__ import annotations

import calendar
import math
import time
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.gates import spend
from smsvoice_sim.simulator.messaging import prices

from conftest import active_phone
from families_fixtures import reason

US_SUCCESS_SIMULATOR = "+14254147755"  # no verification needed, even in the sandbox
CHANNELS = ["TEXT", "VOICE", "MEDIA", "NOTIFY", "RCS"]


def limits(client) -> dict[str, dict]:
    return {x.pop("Name"): x for x in client.describe_spend_limits()["SpendLimits"]}


def seconds_to_next_month(now: float) -> float:
    t = time.gmtime(now)
    year, month = (t.tm_year + 1, 1) if t.tm_mon == 12 else (t.tm_year, t.tm_mon + 1)
    return calendar.timegm((year, month, 1, 0, 0, 0)) - now


def test_describe_spend_limits_lists_every_channel_of_the_model(client):
    got = limits(client)
    assert list(got) == [f"{c}_MESSAGE_MONTHLY_SPEND_LIMIT" for c in CHANNELS]
    assert all(v == {"EnforcedLimit": 10_000, "MaxLimit": 10_000, "Overridden": False}
               for v in got.values())
    assert len(client.describe_spend_limits(MaxResults=2)["SpendLimits"]) == 2


def test_a_sandbox_account_starts_at_one_dollar(sim, client):
    sim.set_account_tier("SANDBOX")
    got = limits(client)
    assert got["TEXT_MESSAGE_MONTHLY_SPEND_LIMIT"] == {"EnforcedLimit": 1, "MaxLimit": 1,
                                                      "Overridden": False}
    assert got["MEDIA_MESSAGE_MONTHLY_SPEND_LIMIT"]["EnforcedLimit"] == 1


@pytest.mark.parametrize("channel", ["Text", "Voice", "Media", "Notify", "Rcs"])
def test_overrides_set_and_delete_for_every_channel(client, channel):
    name = f"{channel.upper()}_MESSAGE_MONTHLY_SPEND_LIMIT"
    setter = getattr(client, f"set_{channel.lower()}_message_spend_limit_override")
    deleter = getattr(client, f"delete_{channel.lower()}_message_spend_limit_override")
    assert setter(MonthlyLimit=250)["MonthlyLimit"] == 250
    assert limits(client)[name] == {"EnforcedLimit": 250, "MaxLimit": 10_000, "Overridden": True}
    with pytest.raises(ClientError) as over:
        setter(MonthlyLimit=10_001)
    assert reason(over) == ("ValidationException",
                            "REQUESTED_SPEND_LIMIT_HIGHER_THAN_SERVICE_LIMIT")
    assert limits(client)[name]["EnforcedLimit"] == 250  # a refused change changes nothing
    assert deleter()["MonthlyLimit"] == 250
    assert limits(client)[name] == {"EnforcedLimit": 10_000, "MaxLimit": 10_000,
                                    "Overridden": False}


def test_spend_runs_out_at_one_dollar_and_returns_next_month(door):
    sim, make = door
    client = make(region_name="us-east-1")
    sim.set_account_tier("SANDBOX")
    phone = active_phone(sim, client)
    price = Decimal(str(prices.price_of("TEXT", "US", "hello")))
    allowed = math.floor(Decimal(1) / price)
    for _ in range(allowed):
        client.send_text_message(DestinationPhoneNumber=US_SUCCESS_SIMULATOR, MessageBody="hello")
    with pytest.raises(ClientError) as spent:
        client.send_text_message(DestinationPhoneNumber=US_SUCCESS_SIMULATOR, MessageBody="hello")
    assert reason(spent) == ("ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT")
    assert len(sim.sent_messages()) == allowed  # the refused send was not recorded
    # Other channels have their own limit.
    assert client.send_voice_message(DestinationPhoneNumber=US_SUCCESS_SIMULATOR,
                                     OriginationIdentity=phone["PhoneNumberId"],
                                     MessageBody="hello")["MessageId"]
    sim.advance(seconds_to_next_month(sim.clock.now()))
    assert client.send_text_message(DestinationPhoneNumber=US_SUCCESS_SIMULATOR,
                                    MessageBody="hello")["MessageId"]


def test_longer_bodies_cost_more_parts(sim, client):
    client.set_text_message_spend_limit_override(MonthlyLimit=1)
    body = "x" * 161  # two GSM parts
    price = Decimal(str(prices.price_of("TEXT", "US", body)))
    assert price == 2 * Decimal(str(prices.price_of("TEXT", "US", "x")))
    for _ in range(math.floor(Decimal(1) / price)):
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody=body)
    with pytest.raises(ClientError) as spent:
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody=body)
    assert reason(spent)[1] == "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"
    backend = sim.region(sim.default_account, "us-east-1")
    assert backend.account_attributes.spent_this_month("TEXT") <= 1


def test_a_zero_limit_stops_a_channel_and_dry_runs_are_never_charged(sim, client):
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS", "VOICE", "MMS"],
                                        NumberType="LONG_CODE")
    sim.force_transition(phone["PhoneNumberId"])
    origin = {"OriginationIdentity": phone["PhoneNumberId"]}
    client.set_voice_message_spend_limit_override(MonthlyLimit=0)
    with pytest.raises(ClientError) as voice:
        client.send_voice_message(DestinationPhoneNumber="+12065550100", MessageBody="hi",
                                  **origin)
    assert reason(voice)[1] == "MONTHLY_SPEND_LIMIT_REACHED_FOR_VOICE"
    client.set_media_message_spend_limit_override(MonthlyLimit=1)
    media_price = Decimal(str(prices.price_of("MEDIA", "US")))
    for _ in range(3 * math.floor(Decimal(1) / media_price)):  # far past $1, all dry runs
        client.send_media_message(DestinationPhoneNumber="+12065550100",
                                  MediaUrls=["s3://bucket/cat.png"], DryRun=True, **origin)
    for _ in range(math.floor(Decimal(1) / media_price)):
        client.send_media_message(DestinationPhoneNumber="+12065550100",
                                  MediaUrls=["s3://bucket/cat.png"], **origin)
    with pytest.raises(ClientError) as media:
        client.send_media_message(DestinationPhoneNumber="+12065550100",
                                  MediaUrls=["s3://bucket/cat.png"], **origin)
    assert reason(media)[1] == "MONTHLY_SPEND_LIMIT_REACHED_FOR_MEDIA"


def test_spend_is_per_account_and_region():
    sim = Simulator(account_tier="SANDBOX", accounts={"AKIAOTHERACCOUNT0000": "210987654321"})
    east, west = sim.client(region_name="us-east-1"), sim.client(region_name="us-west-2")
    other = sim.client(region_name="us-east-1", aws_access_key_id="AKIAOTHERACCOUNT0000",
                       aws_secret_access_key="x")
    east.set_text_message_spend_limit_override(MonthlyLimit=0)
    with pytest.raises(ClientError) as spent:
        east.send_text_message(DestinationPhoneNumber=US_SUCCESS_SIMULATOR, MessageBody="x")
    assert reason(spent)[1] == "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"
    assert west.send_text_message(DestinationPhoneNumber=US_SUCCESS_SIMULATOR, MessageBody="x")
    assert other.send_text_message(DestinationPhoneNumber=US_SUCCESS_SIMULATOR, MessageBody="x")
    assert limits(other)["TEXT_MESSAGE_MONTHLY_SPEND_LIMIT"]["Overridden"] is False


def test_leaving_the_sandbox_raises_max_limit_and_keeps_overrides(sim, client):
    sim.set_account_tier("SANDBOX")
    client.set_text_message_spend_limit_override(MonthlyLimit=1)
    sim.set_account_tier("PRODUCTION")
    got = limits(client)["TEXT_MESSAGE_MONTHLY_SPEND_LIMIT"]
    assert got == {"EnforcedLimit": 1, "MaxLimit": 10_000, "Overridden": True}


def test_month_of_follows_utc_calendar_months():
    assert spend.month_of(calendar.timegm((2026, 11, 30, 23, 59, 59))) == "2026-11"
    assert spend.month_of(calendar.timegm((2026, 12, 1, 0, 0, 0))) == "2026-12"


def test_spend_survives_a_state_file(tmp_path):
    path = str(tmp_path / "state.json")
    sim = Simulator(state_file=path)
    client = sim.client()
    client.set_text_message_spend_limit_override(MonthlyLimit=3)
    client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
    again = Simulator(state_file=path)
    assert limits(again.client())["TEXT_MESSAGE_MONTHLY_SPEND_LIMIT"]["EnforcedLimit"] == 3
    backend = again.region(again.default_account, "us-east-1")
    assert backend.account_attributes.spent_this_month("TEXT") == prices.price_of("TEXT", "US", "hi")


def test_account_attributes_page(client):
    pid = client.create_protect_configuration()["ProtectConfigurationId"]
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    first = client.describe_account_attributes(MaxResults=1)
    rest = client.describe_account_attributes(NextToken=first["NextToken"])
    assert [a["Name"] for a in first["AccountAttributes"] + rest["AccountAttributes"]] == [
        "ACCOUNT_TIER", "DEFAULT_PROTECT_CONFIGURATION_ID"]


def test_every_channel_has_the_models_limit_name_and_refusal_reason():
    from smsvoice_sim.simulator.wire import model
    assert list(spend.limit_names().values()) == model.enum_values("SpendLimitName")
    assert {spend.limit_reached(c) for c in spend.channels()} <= set(model.enum_values(
        "ServiceQuotaExceededExceptionReason"))
