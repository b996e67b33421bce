"""Importing any module first changes nothing: nothing registers at import time, so a program
whose first import is any module of the package gets the same simulator. Each module is
imported first in a process of its own, which then runs a send two gates would both refuse
(a sandbox account, an unverified destination, a country its protect configuration blocks):
the first gate of the family list answers, in every process."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import smsvoice_sim.proxy
import smsvoice_sim.simulator

SCENARIO = """
import importlib, sys
importlib.import_module(sys.argv[1])
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


def check_first_import(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", SCENARIO, module], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == EXPECTED


# Half here, half in test_import_order_rest.py: the suite spreads files over its workers.
@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES[::2])
def test_a_module_imported_first_changes_nothing(module):
    check_first_import(module)
