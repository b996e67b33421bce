"""Only real regions get state: the ones botocore lists for the service, plus those a user
allows (`extra_regions=` / `--region-allow`); any other scope region is refused as AWS
refuses a credential scoped to a region its endpoint does not serve, and a read in an
account-region that holds nothing stores nothing."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.cli import build_parser
from smsvoice_sim.proxy.settings import Mode, from_args
from smsvoice_sim.simulator import HttpRequest, Simulator
from smsvoice_sim.simulator.wire.regions import served_regions

from helpers import run_cli


def _signed_for(sim: Simulator, region: str, operation: str = "DescribePools"):
    auth = (f"AWS4-HMAC-SHA256 Credential=AKIAFUZZFUZZFUZZ0000/20260101/{region}/sms-voice/"
            "aws4_request, SignedHeaders=host, Signature=" + "0" * 64)
    return sim.handle(HttpRequest("POST", "https://sms-voice.us-east-1.amazonaws.com/",
                                  {"X-Amz-Target": f"PinpointSMSVoiceV2.{operation}",
                                   "Authorization": auth}, b"{}"))


def test_the_served_regions_are_botocores_for_every_partition():
    session = botocore.session.Session()
    expected = {region for partition in session.get_available_partitions()
                for region in session.get_available_regions("pinpoint-sms-voice-v2",
                                                            partition_name=partition)}
    assert served_regions() == expected and "us-east-1" in expected and "us-gov-west-1" in expected


def test_an_invented_region_is_refused_and_stores_nothing():
    sim = Simulator(clock="manual", seed=1)
    for i in range(2_000):  # 20,000 of these grew the process by 147 MiB
        response = _signed_for(sim, f"xx-{i}-1")
        assert response.status == 400
    assert response.json()["__type"] == "InvalidSignatureException"
    assert "scoped to a valid region, not 'xx-1999-1'" in response.json()["message"]
    assert sim.regions == {}
    with pytest.raises(ClientError) as refused:
        sim.client(region_name="mars-north-1").create_configuration_set(ConfigurationSetName="cs")
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert sim.regions == {}


def test_an_allowed_extra_region_is_answered():
    sim = Simulator(clock="manual", seed=1, extra_regions=["mars-north-1"])
    client = sim.client(region_name="mars-north-1")
    client.create_configuration_set(ConfigurationSetName="cs")
    assert [c["ConfigurationSetName"] for c in client.describe_configuration_sets()[
        "ConfigurationSets"]] == ["cs"]
    assert list(sim.regions) == [("123456789012", "mars-north-1")]
    with pytest.raises(ValueError, match="not a region name"):
        Simulator(extra_regions=["Mars North"])


def test_every_served_region_is_answered_and_a_read_stores_nothing():
    sim = Simulator(clock="manual", seed=1)
    for region in sorted(served_regions()):
        answer = sim.client(region_name=region).describe_opt_out_lists()
        assert [o["OptOutListName"] for o in answer["OptOutLists"]] == ["Default"]
    assert sim.regions == {}  # reads in account-regions that hold nothing: nothing stored
    sim.client(region_name="eu-west-1").create_configuration_set(ConfigurationSetName="cs")
    assert list(sim.regions) == [("123456789012", "eu-west-1")]
    assert sim.client(region_name="eu-west-1").describe_configuration_sets()["ConfigurationSets"]


def test_the_cli_takes_region_allow_for_simulate_and_replay():
    line = run_cli("simulate", "--region-allow", "Mars North", timeout=60).stderr.strip()
    assert line == "smsvoice-sim: error: 'Mars North' is not a region name (like us-east-1)"
    args = build_parser().parse_args(["replay", "--cassette", "x.db", "--region-allow",
                                      "mars-north-1", "--region-allow", "mars-south-1"])
    assert from_args(args, Mode.REPLAY).sim_regions == ("mars-north-1", "mars-south-1")
