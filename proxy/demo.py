"""`make demo`: a pool's life against the simulator, offline, with no AWS account."""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from simulator import Simulator


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
                         MessageType="TRANSACTIONAL"))
    sim.advance(5)
    status = client.describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberId"]])
    _say(t0, sim, f"clock +5s; the number is {status['PhoneNumbers'][0]['Status']}")
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
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
    client.associate_origination_identity(PoolId=pool_id, OriginationIdentity=sender["SenderIdArn"])
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


def run_demo() -> int:
    simulate_walk()
    return 0
