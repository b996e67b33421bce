"""A pool's life as a client lives it, for tests that record it, replay it and
compare (the shipped cassette `cassettes/pool_lifecycle.db` was recorded with it)."""

from __future__ import annotations

from botocore.exceptions import ClientError

MAX_POLLS = 20  # every polling loop here is bounded


def _poll(call, pick, until: str, **kwargs) -> list[str]:
    seen = []
    for _ in range(MAX_POLLS):
        seen.append(pick(call(**kwargs)))
        if seen[-1] == until:
            break
    return seen


def pool_workflow(client) -> list[tuple[str, object]]:
    """Request a number, create a pool, poll until ACTIVE, hit a ConflictException,
    delete. Returns a transcript (step, what the service said) for comparison."""
    out: list[tuple[str, object]] = []
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    out.append(("RequestPhoneNumber", (phone["PhoneNumberId"], phone["Status"])))
    out.append(("poll number", _poll(client.describe_phone_numbers,
                                     lambda r: r["PhoneNumbers"][0]["Status"], "ACTIVE",
                                     PhoneNumberIds=[phone["PhoneNumberId"]])))
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                              MessageType="TRANSACTIONAL")
    out.append(("CreatePool", (pool["PoolId"], pool["Status"])))
    out.append(("poll pool", _poll(client.describe_pools, lambda r: r["Pools"][0]["Status"],
                                   "ACTIVE", PoolIds=[pool["PoolId"]])))
    try:
        client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
        out.append(("CreatePool again", "no error?"))
    except ClientError as err:
        out.append(("CreatePool again", (err.response["Error"]["Code"], err.response.get("Reason"))))
    out.append(("DeletePool", client.delete_pool(PoolId=pool["PoolId"])["Status"]))
    return out
