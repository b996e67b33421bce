"""The walk every botocore that pyproject.toml allows must pass: the package imports, `smsvoice-sim
simulate` serves, and a pool lives CREATING -> ACTIVE -> deleted through boto3.

It runs in the suite with the newest botocore, and noxfile.py's `floor` session runs it with the
oldest boto3/botocore pyproject.toml declares (1.34.0), whose model has 69 of the 110
operations and still requires IsoCountryCode in CreatePool: the calls here are ones both
models accept."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError

from helpers import cli_server, control

pytestmark = pytest.mark.slow
CREDENTIALS = {"aws_access_key_id": "AKIAEXAMPLEFLOORWALK", "aws_secret_access_key": "example"}
LATER = 3600  # seconds: longer than any lifecycle step the simulator takes by default


def test_the_package_imports_in_a_fresh_interpreter():
    probe = subprocess.run([sys.executable, "-c", "import botocore, smsvoice_sim.simulator, "
                            "smsvoice_sim.proxy.cli; print(botocore.__version__)"],
                           capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr


def test_a_pool_is_created_becomes_active_and_is_deleted_through_simulate():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual") as (ready, _):
        url = ready.group(1)
        client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                              **CREDENTIALS)
        phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="LONG_CODE")
        assert control(url, "/_smsvoice/clock/advance", {"seconds": LATER})[0] == 200
        pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], IsoCountryCode="US",
                                  MessageType="TRANSACTIONAL")
        assert pool["Status"] == "CREATING"
        assert control(url, "/_smsvoice/clock/advance", {"seconds": LATER})[0] == 200
        assert client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["Status"] == "ACTIVE"
        assert client.delete_pool(PoolId=pool["PoolId"])["Status"] == "DELETING"
        assert control(url, "/_smsvoice/clock/advance", {"seconds": LATER})[0] == 200
        with pytest.raises(ClientError) as gone:
            client.describe_pools(PoolIds=[pool["PoolId"]])
        assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
