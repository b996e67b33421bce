"""`smsvoice-sim simulate --clock manual` says, once, why a script that sleeps never sees a
resource become ACTIVE (issue 15, "Rules real programs caught")."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.clock_hint import HINT

from conftest import endpoint_client
from helpers import cli_server, control, drain


def refused_twice(url: str) -> None:
    """What a script written for AWS does: request a number, then use it in a pool at once
    (and again after its sleep), refused as RESOURCE_NOT_ACTIVE both times."""
    client = endpoint_client(url)
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
        assert exc.value.response["Reason"] == "RESOURCE_NOT_ACTIVE"


def said_after(*args: str, advance: float | None = None) -> list[str]:
    """Every line `smsvoice-sim simulate ARGS` printed (stdout and stderr) while a script was
    refused twice; the clock advanced by `advance` seconds first, when given."""
    with cli_server("simulate", "--listen", "127.0.0.1:0", *args) as (ready, proc):
        url = ready.group(1)
        if advance is not None:
            assert control(url, "/_smsvoice/clock/advance", {"seconds": advance})[0] == 200
        refused_twice(url)
    return drain(proc)


def test_a_manual_clock_never_advanced_prints_the_hint_once():
    said = said_after("--clock", "manual")
    hints = [line for line in said if "hint:" in line]
    assert hints == [HINT + "\n"], said
    assert "POST /_smsvoice/clock/advance" in HINT and "--clock real|instant" in HINT


def test_no_hint_once_the_manual_clock_was_advanced():
    said = said_after("--clock", "manual", advance=0.001)  # moved, but not enough to activate
    assert not [line for line in said if "hint:" in line], said


def test_no_hint_on_a_real_clock():
    said = said_after("--clock", "real", "--duration", "phone-number:PENDING->ACTIVE=600")
    assert not [line for line in said if "hint:" in line], said
