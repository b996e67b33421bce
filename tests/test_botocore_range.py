"""The simulator runs with the botocore its user has: nothing reads the service model at import
time, and what the installed model lacks (an older botocore) is simply not served. The floor
itself (botocore 1.34.0) is run by the nox session `floor`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import HttpRequest, Simulator
from smsvoice_sim.simulator.families import Family, operation

NO_MODEL = """
import importlib, pkgutil
import botocore.session

def refuse(self, *args, **kwargs):
    raise RuntimeError("the service model was read at import time")

botocore.session.Session.get_service_model = refuse
botocore.session.Session.get_service_data = refuse
import smsvoice_sim.proxy, smsvoice_sim.simulator
for package in (smsvoice_sim.simulator, smsvoice_sim.proxy):
    for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(found.name)
print("imported")
"""


def test_no_module_reads_the_service_model_at_import_time():
    done = subprocess.run([sys.executable, "-c", NO_MODEL], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "imported"


class Pigeons(Family):
    """A family whose one operation no botocore model has (as an older botocore lacks newer
    operations): it is not served, and its lifecycles are never built."""

    name = "pigeons"

    @classmethod
    def lifecycles(cls):
        raise AssertionError("the lifecycles of a family the model cannot serve were built")

    @operation("SendCarrierPigeon")
    def send(self, params: dict) -> dict:
        return {}


def test_an_operation_the_installed_model_lacks_is_not_served():
    sim = Simulator(families=(Pigeons,))
    assert "SendCarrierPigeon" not in sim.handlers
    answer = sim.handle(HttpRequest("POST", "http://127.0.0.1/", {
        "X-Amz-Target": "PinpointSMSVoiceV2.SendCarrierPigeon",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIATEST/20260101/us-east-1/sms-voice/aws4_request, "
                         "SignedHeaders=host, Signature=00"}, b"{}"))
    assert answer.status == 400 and answer.json()["__type"] == "UnknownOperationException"
    # Everything else works as before.
    client = sim.client(config=Config(retries={"max_attempts": 1}))
    assert client.describe_pools()["Pools"] == []
    with pytest.raises(ClientError) as exc:
        client.describe_pools(PoolIds=["pool-nope"])
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
