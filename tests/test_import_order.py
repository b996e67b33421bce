"""Importing any module first changes nothing: nothing registers at import time, so a program
whose first import is any module of the package gets the same simulator. Each module is
imported first in a process of its own, which then runs a send two gates would both refuse
(a sandbox account, an unverified destination, a country its protect configuration blocks):
the first gate of the family list answers, in every process.

The processes are forked from one that has imported the third-party libraries the package
uses (boto3, botocore, mitmproxy, ...) and nothing of the package itself (it checks), so
each pays for its own imports of the package only: what the test is about."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import smsvoice_sim.proxy
import smsvoice_sim.simulator

SCENARIO = """
import importlib, sys
importlib.import_module(sys.argv[1])
from smsvoice_sim.simulator.engine import lifecycle
from smsvoice_sim.simulator.families import EXTRA_FAMILIES
from smsvoice_sim.simulator.messaging import send
# Nothing registered, and no lifecycle compiled (the model read), by the import alone.
assert EXTRA_FAMILIES == [] and send.legacy_send_gates() == [] and send.legacy_after_send() == []
assert lifecycle._COMPILED == {}, sorted(lifecycle._COMPILED)
from botocore.exceptions import ClientError
from smsvoice_sim.simulator import Simulator
sim = Simulator(seed=1)
sim.set_account_tier("SANDBOX")
api = sim.client()
pid = api.create_protect_configuration()["ProtectConfigurationId"]
api.update_protect_configuration_country_rule_set(
    ProtectConfigurationId=pid, NumberCapability="SMS",
    CountryRuleSetUpdates={"GB": {"ProtectStatus": "BLOCK"}})
api.set_account_default_protect_configuration(ProtectConfigurationId=pid)
try:
    api.send_text_message(DestinationPhoneNumber="+447700900123", MessageBody="hi")
    print("SENT")
except ClientError as exc:
    print(exc.response["Error"]["Code"], exc.response.get("Reason"))
"""
# The sandbox gate (verified numbers) comes before the protect gate in the family list.
EXPECTED = "ConflictException DESTINATION_PHONE_NUMBER_NOT_VERIFIED"


def modules_of(package) -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."))


MODULES = modules_of(smsvoice_sim.simulator) + modules_of(smsvoice_sim.proxy)


def test_every_module_is_listed():
    assert "smsvoice_sim.simulator.families.verified_numbers" in MODULES
    assert "smsvoice_sim.simulator.families.registrations" in MODULES
    assert len(MODULES) > 60


# Reads module names on stdin; for each, forks a process that imports it first and runs
# SCENARIO, and writes one JSON line: that process's exit code and output.
FORKER = """
import contextlib, io, json, os, sys, traceback
for name in ("boto3", "botocore.client", "botocore.parsers", "botocore.session", "transitions",
             "mitmproxy.http", "mitmproxy.options", "phonenumbers", "sqlite_utils", "urllib3"):
    __import__(name)
ours = sorted(m for m in sys.modules if m.startswith("smsvoice_sim"))
print(json.dumps({"ready": not ours, "imported": ours}), flush=True)
scenario = sys.argv[1]
for line in sys.stdin:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        out, code = io.StringIO(), 0
        try:
            with contextlib.redirect_stdout(out):
                sys.argv = ["-c", line.strip()]
                exec(scenario, {"__name__": "__main__"})
        except BaseException:
            out.write(traceback.format_exc())
            code = 1
        with os.fdopen(write_end, "w") as pipe:
            pipe.write(json.dumps({"code": code, "out": out.getvalue()}))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    print(answer, flush=True)
"""


@pytest.fixture(scope="module")
def forker():
    """The forking process (stopped, bounded, when the module's tests are done)."""
    proc = subprocess.Popen([sys.executable, "-c", FORKER, SCENARIO], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(proc.stdout.readline() or "{}")
        assert ready.get("ready"), f"the forking process imported the package first: {ready}"
        yield proc
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def check_first_import(forker, module: str) -> None:
    forker.stdin.write(module + "\n")
    forker.stdin.flush()
    done = json.loads(forker.stdout.readline() or '{"code": -1, "out": "the forking process died"}')
    assert done["code"] == 0, done["out"][-2000:]
    assert done["out"].strip() == EXPECTED


# Half here, half in test_import_order_rest.py: the suite spreads files over its workers.
@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES[::2])
def test_a_module_imported_first_changes_nothing(forker, module):
    check_first_import(forker, module)
