"""`make demo`: a pool's life against the simulator, offline, with no AWS account."""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator


def _say(clock_start: float, sim: Simulator, text: str) -> None:
    print(f"  t+{sim.clock.now() - clock_start:6.1f}s  {text}")


def _expect_error(call, **kwargs) -> str:
    try:
        call(**kwargs)
    except ClientError as err:
        reason = err.response.get("Reason") or err.response.get("ResourceType") or ""
        return f"{err.response['Error']['Code']} {reason}".strip()
    raise AssertionError(f"{call.__name__} should have failed")


def simulate_walk() -> None:
    sim = Simulator(clock="manual", seed=2026)
    client = sim.client(region_name="us-east-1")
    t0 = sim.clock.now()
    wall = time.perf_counter()
    print("1. Simulate: a pool's life on a manual clock (nothing sleeps)")
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    _say(t0, sim, f"RequestPhoneNumber -> {phone['PhoneNumber']} {phone['Status']}")
    _say(t0, sim, "CreatePool with a PENDING number -> "
         + _expect_error(client.create_pool, OriginationIdentity=phone["PhoneNumberId"],
                         IsoCountryCode="US", MessageType="TRANSACTIONAL"))
    sim.advance(5)
    status = client.describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberId"]])
    _say(t0, sim, f"clock +5s; the number is {status['PhoneNumbers'][0]['Status']}")
    # IsoCountryCode: the oldest botocore this runs on still requires it in CreatePool.
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], IsoCountryCode="US",
                              MessageType="TRANSACTIONAL", DeletionProtectionEnabled=True)
    pool_id = pool["PoolId"]
    _say(t0, sim, f"CreatePool -> {pool_id} {pool['Status']}")
    for _ in range(30):  # a client's polling loop, one simulated second per poll
        state = client.describe_pools(PoolIds=[pool_id])["Pools"][0]["Status"]
        _say(t0, sim, f"  DescribePools -> {state}")
        if state == "ACTIVE":
            break
        sim.advance(1)
    sender = client.request_sender_id(SenderId="MYBRAND", IsoCountryCode="GB")
    client.associate_origination_identity(PoolId=pool_id, OriginationIdentity=sender["SenderIdArn"],
                                          IsoCountryCode="GB")
    members = client.list_pool_origination_identities(PoolId=pool_id)["OriginationIdentities"]
    _say(t0, sim, "pool members: " + ", ".join(m["OriginationIdentity"] for m in members))
    _say(t0, sim, "ReleasePhoneNumber while pooled -> "
         + _expect_error(client.release_phone_number, PhoneNumberId=phone["PhoneNumberId"]))
    _say(t0, sim, "DeletePool with deletion protection -> "
         + _expect_error(client.delete_pool, PoolId=pool_id))
    client.update_pool(PoolId=pool_id, DeletionProtectionEnabled=False)
    _say(t0, sim, f"DeletePool -> {client.delete_pool(PoolId=pool_id)['Status']}")
    sim.advance(5)
    _say(t0, sim, "clock +5s; DescribePools -> "
         + _expect_error(client.describe_pools, PoolIds=[pool_id]))
    released = client.release_phone_number(PhoneNumberId=phone["PhoneNumberId"])
    _say(t0, sim, f"ReleasePhoneNumber -> {released['Status']}")
    print(f"   ({sim.clock.now() - t0:.0f} simulated seconds in "
          f"{(time.perf_counter() - wall) * 1000:.0f} ms of wall time)")


def _until_active(status, limit: int = 20) -> list[str]:
    """A client's polling loop, bounded: each status seen until ACTIVE."""
    seen = [status()]
    while seen[-1] != "ACTIVE" and len(seen) < limit:
        seen.append(status())
    return seen


def _demo_transcript(client) -> list[tuple[str, object]]:
    """What the demo records and then replays: a number, a pool made from it and polled
    until ACTIVE, the ConflictException of pooling the number twice, the delete."""
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")

    def number_status():
        found = client.describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberId"]])
        return found["PhoneNumbers"][0]["Status"]

    said = [("RequestPhoneNumber", phone["Status"]), ("poll number", _until_active(number_status))]
    pool_args = {"OriginationIdentity": phone["PhoneNumberId"], "IsoCountryCode": "US",
                 "MessageType": "TRANSACTIONAL"}
    pool = client.create_pool(**pool_args)

    def pool_status():
        return client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["Status"]

    return said + [("CreatePool", pool["Status"]), ("poll pool", _until_active(pool_status)),
                   ("CreatePool again", _expect_error(client.create_pool, **pool_args)),
                   ("DeletePool", client.delete_pool(PoolId=pool["PoolId"])["Status"])]


def record_replay_walk() -> None:
    import subprocess
    import tempfile

    import boto3

    from .http_server import EndpointServer, simulator_answer
    from .processes import CLI, cli_server, drain

    print("\n2. Record -> replay: the simulator's endpoint stands in for AWS")
    creds = {"aws_access_key_id": "AKIADEMODEMODEMO0000", "aws_secret_access_key": "demo"}
    env = {"AWS_ACCESS_KEY_ID": creds["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": creds["aws_secret_access_key"]}
    with tempfile.TemporaryDirectory(prefix="smsvoice-demo-") as folder:
        cassette = f"{folder}/demo.db"
        sim = Simulator(clock="reads:2", seed=7)
        with EndpointServer(simulator_answer(sim)) as upstream:
            print(f"  upstream (simulator) on {upstream.url}")
            with cli_server("record", "--cassette", cassette, "--listen", "127.0.0.1:0",
                            "--upstream", upstream.url, env=env) as (ready, proc):
                print(f"  recorder on {ready.group(1)}")
                client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                                      endpoint_url=ready.group(1), **creds)
                recorded = _demo_transcript(client)
            for line in drain(proc):
                print("   ", line.rstrip())
        print("  upstream stopped; nothing listens there any more")
        shown = subprocess.run([*CLI, "cassette", "show", cassette], capture_output=True,
                               text=True, timeout=60)
        for line in shown.stdout.splitlines():
            print("   ", line)
        with cli_server("replay", "--cassette", cassette, "--listen", "127.0.0.1:0") \
                as (ready, proc):
            print(f"  replaying on {ready.group(1)} (offline)")
            client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                                  endpoint_url=ready.group(1), **creds)
            replayed = _demo_transcript(client)
        for (step, was), (_, now) in zip(recorded, replayed, strict=True):
            print(f"    {step:<18} recorded {was!s:<52} replayed {'same' if was == now else now}")
        if recorded != replayed:
            raise SystemExit("replay differed from the recording")


def run_demo() -> int:
    simulate_walk()
    record_replay_walk()
    return 0
