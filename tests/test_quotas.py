"""Quotas: AWS's documented ones as documented, the undocumented ones high enough that no real
program trips them, every one configurable, and DescribeAccountLimits reporting the limit that
is enforced (issue 15, "Rules real programs caught")."""

from __future__ import annotations

import re
from pathlib import Path

import phonenumbers
import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.quotas import DEFAULT_QUOTAS
from smsvoice_sim.simulator.wire.model import enum_values, error_shape, operation

from families_fixtures import error_of
from helpers import run_cli

README = Path(__file__).resolve().parent.parent / "docs" / "reference" / "quotas.md"  # the quota table
SNS = {"TopicArn": "arn:aws:sns:us-east-1:123456789012:events"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def countries(count: int) -> list[str]:
    """`count` different countries RequestSenderId takes: libphonenumber's regions that match
    the model's IsoCountryCode constraints."""
    shape = operation("RequestSenderId").input_shape.members["IsoCountryCode"]
    pattern = re.compile(shape.metadata["pattern"])
    regions = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if pattern.fullmatch(r))
    assert len(regions) >= count
    return regions[:count]


def recording(sim: Simulator) -> list:
    """The wire answers `sim` gives from now on (the simulator's own listener hook)."""
    seen: list = []
    sim.listeners.append(lambda _operation, _request, response: seen.append(response))
    return seen


def test_a_sender_id_in_each_of_142_countries_is_accepted_by_default():
    sim = Simulator(clock="manual", seed=15)
    client = sim.client(short_circuit=True)
    for iso in countries(142):
        client.request_sender_id(SenderId="ACME", IsoCountryCode=iso)
    assert len(client.describe_sender_ids(MaxResults=100)["SenderIds"]) == 100  # one page of 142
    limits = {x["Name"]: x for x in client.describe_account_limits()["AccountLimits"]}
    assert limits["SENDER_IDS"] == {"Name": "SENDER_IDS", "Used": 142, "Max": DEFAULT_QUOTAS["SENDER_IDS"]}


def test_a_sender_id_quota_set_to_100_refuses_the_101st_as_aws_does():
    sim = Simulator(clock="manual", seed=15, quotas={"SENDER_IDS": 100})
    client = sim.client(short_circuit=True)
    wanted = countries(101)
    for iso in wanted[:100]:
        client.request_sender_id(SenderId="ACME", IsoCountryCode=iso)
    answers = recording(sim)
    with pytest.raises(ClientError) as exc:
        client.request_sender_id(SenderId="ACME", IsoCountryCode=wanted[100])
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
    assert error_of(exc)["Reason"] == "SENDER_IDS_PER_ACCOUNT"
    assert "SENDER_IDS_PER_ACCOUNT" in enum_values("ServiceQuotaExceededExceptionReason")
    # The wire answer has exactly the members the model gives the error, and nothing changed.
    body = answers[-1].json()
    assert answers[-1].status == 400
    assert answers[-1].headers["x-amzn-ErrorType"] == "ServiceQuotaExceededException"
    assert set(body) == {"__type", *error_shape("ServiceQuotaExceededException").members}
    limits = {x["Name"]: x for x in client.describe_account_limits()["AccountLimits"]}
    assert limits["SENDER_IDS"] == {"Name": "SENDER_IDS", "Used": 100, "Max": 100}


# One way to use up each of DescribeAccountLimits' limits, and the Reason AWS names for it.
CREATORS = {
    "PHONE_NUMBERS": ("PHONE_NUMBERS_PER_ACCOUNT", lambda c, i: c.request_phone_number(
        IsoCountryCode="US", MessageType="TRANSACTIONAL", NumberCapabilities=["SMS"],
        NumberType="LONG_CODE")),
    "POOLS": ("POOLS_PER_ACCOUNT", lambda c, i: c.create_pool(
        OriginationIdentity="arn:aws:sms-voice:us-east-1:123456789012:sender-id/POOLS/GB",
        MessageType="TRANSACTIONAL")),
    "CONFIGURATION_SETS": ("CONFIGURATION_SETS_PER_ACCOUNT",
                           lambda c, i: c.create_configuration_set(ConfigurationSetName=f"cs{i}")),
    "OPT_OUT_LISTS": ("OPT_OUT_LISTS_PER_ACCOUNT",
                      lambda c, i: c.create_opt_out_list(OptOutListName=f"list{i}")),
    "SENDER_IDS": ("SENDER_IDS_PER_ACCOUNT",
                   lambda c, i: c.request_sender_id(SenderId=f"ACME{i}", IsoCountryCode="DE")),
    "REGISTRATIONS": ("REGISTRATIONS_PER_ACCOUNT", lambda c, i: c.create_registration(
        RegistrationType="US_TOLL_FREE_REGISTRATION")),
    "REGISTRATION_ATTACHMENTS": ("REGISTRATION_ATTACHMENTS_PER_ACCOUNT",
                                 lambda c, i: c.create_registration_attachment(AttachmentBody=PNG)),
    "VERIFIED_DESTINATION_NUMBERS": ("VERIFIED_DESTINATION_NUMBERS_PER_ACCOUNT",
                                     lambda c, i: c.create_verified_destination_number(
                                         DestinationPhoneNumber=f"+1206555{i:04d}")),
}


def test_describe_account_limits_reports_the_limit_each_create_meets():
    assert set(CREATORS) == set(enum_values("AccountLimitName"))  # every limit the model names
    sim = Simulator(clock="manual", seed=15)
    client = sim.client(short_circuit=True)
    client.request_sender_id(SenderId="POOLS", IsoCountryCode="GB")  # what the pools are made of
    # Every limit set two above what the account uses (a sender ID, a Default opt-out list?).
    used = {x["Name"]: x["Used"] for x in client.describe_account_limits()["AccountLimits"]}
    sim.quotas.update({name: used[name] + 2 for name in CREATORS})
    for name, (reason, create) in CREATORS.items():
        made = 0
        for i in range(10):
            try:
                create(client, i)
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "ServiceQuotaExceededException", name
                assert exc.response["Reason"] == reason, name
                break
            made += 1
        assert made == 2, name
    limits = {x["Name"]: x for x in client.describe_account_limits()["AccountLimits"]}
    for name in CREATORS:
        assert limits[name]["Max"] == sim.quotas[name] == limits[name]["Used"], limits[name]


def test_describe_account_limits_reports_the_defaults_documented_or_not():
    limits = {x["Name"]: x["Max"] for x in Simulator().client().describe_account_limits()["AccountLimits"]}
    assert limits == {name: DEFAULT_QUOTAS[name] for name in enum_values("AccountLimitName")}
    assert limits["VERIFIED_DESTINATION_NUMBERS"] == 10  # [doc: verify-destination-phone-number]
    assert min(v for k, v in limits.items() if k != "VERIFIED_DESTINATION_NUMBERS") >= 10_000


def test_event_destinations_per_set_are_five_and_read_from_the_quota_table():
    client = Simulator(clock="manual").client()
    client.create_configuration_set(ConfigurationSetName="cs")
    for i in range(5):  # "You can associate up to five event destinations" [doc]
        client.create_event_destination(ConfigurationSetName="cs", EventDestinationName=f"d{i}",
                                        MatchingEventTypes=["ALL"], SnsDestination=SNS)
    with pytest.raises(ClientError) as exc:
        client.create_event_destination(ConfigurationSetName="cs", EventDestinationName="d5",
                                        MatchingEventTypes=["ALL"], SnsDestination=SNS)
    assert error_of(exc)["Reason"] == "EVENT_DESTINATIONS_PER_CONFIGURATION_SET"
    small = Simulator(clock="manual", quotas={"EVENT_DESTINATIONS_PER_CONFIGURATION_SET": 1}).client()
    small.create_configuration_set(ConfigurationSetName="cs")
    small.create_event_destination(ConfigurationSetName="cs", EventDestinationName="d0",
                                   MatchingEventTypes=["ALL"], SnsDestination=SNS)
    with pytest.raises(ClientError) as exc:
        small.create_event_destination(ConfigurationSetName="cs", EventDestinationName="d1",
                                       MatchingEventTypes=["ALL"], SnsDestination=SNS)
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
    assert error_of(exc)["Reason"] == "EVENT_DESTINATIONS_PER_CONFIGURATION_SET"


def test_a_misspelt_or_negative_quota_is_refused_not_ignored():
    with pytest.raises(ValueError, match="unknown quota 'SENDER_ID'"):
        Simulator(quotas={"SENDER_ID": 100})
    with pytest.raises(ValueError, match="whole number"):
        Simulator(quotas={"SENDER_IDS": -1})


def test_the_simulate_command_takes_quotas_and_refuses_unknown_ones():
    bad = run_cli("simulate", "--listen", "127.0.0.1:0", "--quota", "SENDER_ID=100")
    assert bad.returncode == 2 and "unknown quota 'SENDER_ID'" in bad.stderr
    assert bad.stderr.strip().count("\n") == 0
    shape = run_cli("simulate", "--listen", "127.0.0.1:0", "--quota", "SENDER_IDS")
    assert shape.returncode == 2 and "NAME=N" in shape.stderr


def test_the_simulate_command_enforces_a_quota_it_was_given():
    from conftest import endpoint_client
    from helpers import cli_server
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                    "--quota", "SENDER_IDS=1") as (ready, _proc):
        client = endpoint_client(ready.group(1))
        client.request_sender_id(SenderId="ACME", IsoCountryCode="US")
        with pytest.raises(ClientError) as exc:
            client.request_sender_id(SenderId="ACME", IsoCountryCode="CA")
        assert error_of(exc)["Reason"] == "SENDER_IDS_PER_ACCOUNT"
        limits = {x["Name"]: x for x in client.describe_account_limits()["AccountLimits"]}
        assert limits["SENDER_IDS"]["Max"] == 1


def test_every_quota_is_in_the_docs_with_its_value_and_source():
    text = README.read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([A-Z_]+)` \| ([^|]+)\|", text, re.M)}
    for name, value in DEFAULT_QUOTAS.items():
        assert name in rows, f"docs/reference/quotas.md's table lacks {name}"
        assert f"{value:,}".replace(",", " ") in rows[name] or str(value) in rows[name], (name, rows[name])
    for line in text.splitlines():
        if line.startswith("| `") and line.split("`")[1] in DEFAULT_QUOTAS:
            assert "[doc" in line or "[inf" in line or "[model" in line, line


def test_replay_with_on_miss_simulate_takes_quotas(tmp_path):
    """`replay --on-miss simulate --quota NAME=N`: the simulator that answers misses enforces it;
    a bad rule is refused before anything starts, whichever door it came through."""
    from smsvoice_sim.proxy.session import CassetteSession
    from smsvoice_sim.proxy.settings import Mode, OnMiss, SessionSettings

    from upstreams import shipped_copy
    cassette = str(shipped_copy(tmp_path))
    settings = SessionSettings(cassette=cassette, mode=Mode.REPLAY, on_miss=OnMiss.SIMULATE,
                               sim_clock="manual", sim_quotas=("SENDER_IDS=1",))
    session = CassetteSession.open(settings)
    try:
        client = session.simulator.client()
        client.request_sender_id(SenderId="ACME", IsoCountryCode="US")
        with pytest.raises(ClientError) as exc:
            client.request_sender_id(SenderId="ACME", IsoCountryCode="CA")
        assert error_of(exc)["Reason"] == "SENDER_IDS_PER_ACCOUNT"
    finally:
        session.cassette.close()
    with pytest.raises(ValueError, match="unknown quota 'SENDER_ID'"):  # a mitmproxy --set, a marker
        CassetteSession.open(SessionSettings(cassette=cassette, mode=Mode.REPLAY, on_miss=OnMiss.SIMULATE,
                                             sim_quotas=("SENDER_ID=1",)))
    bad = run_cli("replay", "--cassette", cassette, "--listen", "127.0.0.1:0", "--on-miss", "simulate",
                  "--quota", "SENDER_ID=1")
    assert bad.returncode == 2 and "unknown quota 'SENDER_ID'" in bad.stderr
