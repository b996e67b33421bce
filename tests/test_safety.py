"""Races, signatures, exposure, secrets in responses, two recorders, and load."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.cassette import Cassette
from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.proxy.inprocess import cassette_client
from smsvoice_sim.proxy.session import CassetteSession
from smsvoice_sim.simulator import HttpResponse, Simulator

from conftest import FAKE_CREDS, active_phone, endpoint_client
from helpers import cli_server, control

THREADS = 8
NO_RETRY = Config(retries={"max_attempts": 1}, max_pool_connections=THREADS)


def _call(fn):
    try:
        return fn()
    except ClientError as err:
        return err.response.get("Reason") or err.response["Error"]["Code"]


def race_create_pool(sim, server, **extra) -> tuple[list, object]:
    """THREADS clients, released together, each creating a pool from one phone number."""
    clients = [endpoint_client(server.url, config=NO_RETRY) for _ in range(THREADS)]
    phone = active_phone(sim, clients[0])
    barrier = threading.Barrier(THREADS)

    def create(client):
        barrier.wait(timeout=10)
        return _call(lambda: client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                                                MessageType="TRANSACTIONAL", **extra))

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(create, clients)), clients[0]


def test_one_client_token_one_pool_under_concurrency(sim, server):
    results, client = race_create_pool(sim, server, ClientToken="same-token")
    assert len({r["PoolId"] for r in results}) == 1
    assert len(client.describe_pools()["Pools"]) == 1


def test_one_phone_number_exactly_one_pool_wins(sim, server):
    results, _ = race_create_pool(sim, server)
    assert sum(isinstance(r, dict) for r in results) == 1
    assert [r for r in results if not isinstance(r, dict)] == \
        ["PHONE_NUMBER_ASSOCIATED_TO_POOL"] * (THREADS - 1)


def test_create_delete_describe_storm_leaves_consistent_state():
    sim = Simulator(clock="instant", seed=9, quotas={"POOLS": 25})
    with EndpointServer(simulator_answer(sim)) as srv:
        setup = endpoint_client(srv.url, config=NO_RETRY)
        phones = [active_phone(sim, setup)["PhoneNumberId"] for _ in range(12)]
        sender = setup.request_sender_id(SenderId="STORM", IsoCountryCode="US")["SenderIdArn"]
        allowed = {"PHONE_NUMBER_ASSOCIATED_TO_POOL", "ServiceQuotaExceededException",
                   "ResourceNotFoundException", "RESOURCE_NOT_ACTIVE", "LAST_PHONE_NUMBER",
                   "PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL", "RESOURCE_ALREADY_ASSOCIATED"}

        def worker(seed):
            import random
            rng = random.Random(seed)
            client = endpoint_client(srv.url, config=NO_RETRY)
            seen = []
            for _ in range(60):
                pools = client.describe_pools()["Pools"]
                action = rng.random()
                if action < 0.4:
                    identity = rng.choice(phones + [sender])
                    seen.append(_call(lambda: client.create_pool(OriginationIdentity=identity,  # noqa: B023 - called at once
                                                                 MessageType="TRANSACTIONAL")))
                elif action < 0.7 and pools:
                    seen.append(_call(lambda: client.delete_pool(PoolId=rng.choice(pools)["PoolId"])))  # noqa: B023 - called at once
                elif pools:
                    seen.append(_call(lambda: client.associate_origination_identity(
                        PoolId=rng.choice(pools)["PoolId"], OriginationIdentity=rng.choice(phones))))  # noqa: B023 - called at once
            return [s for s in seen if isinstance(s, str)]

        with ThreadPoolExecutor(6) as pool:
            errors = [e for errs in pool.map(worker, range(6)) for e in errs]
        assert set(errors) <= allowed, set(errors) - allowed
        state = sim.state()["accounts"]["123456789012"]["us-east-1"]
        members = [m for p in state["pools"] for m in p["OriginationIdentities"]
                   if m.startswith("phone-")]
        assert len(members) == len(set(members))  # every number in at most one pool
        pooled = {p["PhoneNumberId"]: p.get("PoolId") for p in state["phone_numbers"]}
        for pool in state["pools"]:
            for member in pool["OriginationIdentities"]:
                if member.startswith("phone-"):
                    assert pooled[member] == pool["PoolId"]
        limits = {x["Name"]: x for x in setup.describe_account_limits()["AccountLimits"]}
        assert limits["POOLS"]["Used"] == len(state["pools"]) <= 25


def test_verify_sigv4_through_the_cli_and_accounts_by_key():
    args = ("simulate", "--listen", "127.0.0.1:0", "--verify-sigv4",
            "--credentials", "AKIAALICE00000000000:alice-secret:111111111111",
            "--credentials", "AKIABOB0000000000000:bob-secret:222222222222")
    with cli_server(*args) as (ready, _proc):
        url = ready.group(1)
        alice = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                             aws_access_key_id="AKIAALICE00000000000",
                             aws_secret_access_key="alice-secret", config=NO_RETRY)
        bob = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                           aws_access_key_id="AKIABOB0000000000000",
                           aws_secret_access_key="bob-secret", config=NO_RETRY)
        sender = alice.request_sender_id(SenderId="ALICE", IsoCountryCode="US")
        pool = alice.create_pool(OriginationIdentity=sender["SenderIdArn"],
                                 MessageType="TRANSACTIONAL")
        assert ":111111111111:" in pool["PoolArn"]
        assert bob.describe_pools()["Pools"] == []  # no reading another account's pools
        with pytest.raises(ClientError) as exc:
            bob.describe_pools(PoolIds=[pool["PoolArn"]])
        assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
        for creds, code in (
                ({"aws_access_key_id": "AKIAALICE00000000000", "aws_secret_access_key": "wrong"},
                 "InvalidSignatureException"),
                ({"aws_access_key_id": "AKIAMALLORY000000000", "aws_secret_access_key": "x"},
                 "UnrecognizedClientException")):
            bad = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                               endpoint_url=url, config=NO_RETRY, **creds)
            with pytest.raises(ClientError) as exc:
                bad.describe_pools()
            assert exc.value.response["Error"]["Code"] == code
            assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        # Unsigned: refused, as AWS does.
        req = urllib.request.Request(url + "/", data=b"{}", headers={
            "X-Amz-Target": "PinpointSMSVoiceV2.DescribePools"})
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(req, timeout=5)
        assert json.loads(exc.value.read())["__type"] == "MissingAuthenticationTokenException"


def test_control_api_can_be_turned_off_or_given_a_token():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--no-control") as (ready, _p):
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(ready.group(1) + "/_smsvoice/state", timeout=5)
        assert exc.value.code == 404
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--control-token", "s3cret") as (ready, _p):
        url = ready.group(1) + "/_smsvoice/state"
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(url, timeout=5)
        assert exc.value.code == 403
        req = urllib.request.Request(url, headers={"X-SmsVoice-Sim-Token": "s3cret"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert "accounts" in json.loads(resp.read())


def test_servers_bind_loopback_by_default():
    from smsvoice_sim.proxy.cli import build_parser
    for command in (["simulate"], ["record", "--cassette", "c.db", "--listen", "4000"],
                    ["replay", "--cassette", "c.db", "--listen", "4000"]):
        args = build_parser().parse_args(command)
        assert args.listen[0] == "127.0.0.1"


def test_secrets_in_response_headers_and_bodies_are_scrubbed(tmp_path):
    akid = "AKIARESPONSECANARY00"
    token = "response-canary-session-token"

    def leaky(request):
        body = json.dumps({"Pools": [], "Echo": akid}).encode()
        return HttpResponse(200, {"Content-Type": "application/x-amz-json-1.0",
                                  "Set-Cookie": f"session={token}", "X-Debug-Key": akid,
                                  "Content-Length": str(len(body))}, body)

    with EndpointServer(leaky) as upstream, Cassette(tmp_path / "leak.db") as cassette:
        client = cassette_client(CassetteSession(cassette, record_mode="all"),
                                 endpoint_url=upstream.url, aws_access_key_id=akid,
                                 aws_secret_access_key="response-canary-secret",
                                 aws_session_token=token)
        client.describe_pools()
        stored = next(cassette.interactions())
    assert stored.response.headers["Set-Cookie"] == "REDACTED"
    assert stored.response.headers["X-Debug-Key"] == "REDACTED"
    assert int(stored.response.headers["Content-Length"]) == len(stored.response.body)
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert akid.encode() not in data and token.encode() not in data
        assert b"response-canary-secret" not in data


def test_two_recorders_on_one_cassette_lose_no_rows(tmp_path):
    sim = Simulator(clock="instant")
    env = {"AWS_ACCESS_KEY_ID": FAKE_CREDS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": FAKE_CREDS["aws_secret_access_key"]}
    cassette = str(tmp_path / "shared.db")
    with EndpointServer(simulator_answer(sim)) as upstream, \
            cli_server("record", "--cassette", cassette, "--listen", "127.0.0.1:0",
                       "--upstream", upstream.url, "--confdir", str(tmp_path), env=env) as (a, pa), \
            cli_server("record", "--cassette", cassette, "--listen", "127.0.0.1:0",
                       "--upstream", upstream.url, "--confdir", str(tmp_path), env=env) as (b, pb):
        clients = [endpoint_client(a.group(1), config=NO_RETRY),
                   endpoint_client(b.group(1), config=NO_RETRY)]

        def hammer(client):
            for _ in range(40):
                client.describe_pools()

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(hammer, clients))
    with Cassette(cassette) as c:
        seqs = [it.seq for it in c.interactions()]
        assert c.integrity_ok() and len(seqs) == 80 and len(set(seqs)) == 80


@pytest.mark.parametrize("target", ["simulate", "replay"])
def test_load_ten_thousand_mixed_requests(target, tmp_path):
    """10,000 requests from several concurrent clients: no error AWS would not give."""
    total, workers = 10_000, 4
    if target == "simulate":
        context = cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "instant")
    else:
        import shutil

        from helpers import ROOT
        shutil.copy(ROOT / "cassettes" / "pool_lifecycle.db", tmp_path / "c.db")
        with Cassette(tmp_path / "c.db") as shipped:
            recorded = {it.operation: json.loads(it.request.body) for it in shipped.interactions()}
        context = cli_server("replay", "--cassette", str(tmp_path / "c.db"), "--listen",
                             "127.0.0.1:0", "--confdir", str(tmp_path))
    with context as (ready, proc):
        url = ready.group(1)
        rss = []
        sender_ids = 2  # the operation whose successes the simulator's state must show

        def worker(index):
            client = endpoint_client(url, config=NO_RETRY)
            codes = {}
            for i in range(total // workers):
                if target == "simulate":
                    ops = (lambda: client.describe_pools(MaxResults=5),
                           lambda: client.describe_account_limits(),
                           lambda: client.request_sender_id(SenderId=f"L{index}x{i}",  # noqa: B023 - called at once
                                                            IsoCountryCode="US"),
                           lambda: client.describe_pools(PoolIds=["pool-" + "0" * 32]))
                else:
                    ops = (lambda: client.describe_pools(**recorded["DescribePools"]),
                           lambda: client.describe_phone_numbers(**recorded["DescribePhoneNumbers"]),
                           lambda: client.delete_pool(PoolId="pool-" + "2" * 32))
                result = _call(ops[i % len(ops)])
                key = result if isinstance(result, str) else "ok"
                codes[key] = codes.get(key, 0) + 1
                if key == "ok" and target == "simulate" and i % len(ops) == sender_ids:
                    codes["sender ids created"] = codes.get("sender ids created", 0) + 1
                if index == 0 and i % 500 == 0:
                    rss.append(_rss(proc.pid))
            return codes

        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(worker, range(workers)))
        # What the server counted must agree with what the clients were told.
        if target == "simulate":
            state = control(url, "/_smsvoice/state")[1]
            server_side = len(state["accounts"]["123456789012"]["us-east-1"]["sender_ids"])
        else:
            health = control(url, "/_smsvoice/health")[1]
            server_side = (health["replayed"], health["missed"])
    merged = {}
    for codes in results:
        for k, v in codes.items():
            merged[k] = merged.get(k, 0) + v
    if target == "simulate":
        assert server_side == merged.pop("sender ids created", 0)
    else:
        assert server_side == (merged.get("ok", 0), merged.get("SmsVoiceSimCassetteMiss", 0))
    expected = {"ok", "ResourceNotFoundException", "SENDER_IDS_PER_ACCOUNT"} \
        if target == "simulate" else {"ok", "SmsVoiceSimCassetteMiss"}
    assert set(merged) <= expected and merged["ok"] > total // 2, merged
    print(f"\nload {target}: {merged}; RSS KiB {rss[1]} -> {rss[-1]}")
    # Memory flat once warm (allow allocator noise: under 8 MiB over 9,000 requests).
    assert rss[-1] - rss[1] < 8 * 1024


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
