"""Shared fixtures, and the checks on every response the simulator produced in this
session: it holds against the model's output or error shape, and (a 200) the Python objects
the short-circuit door hands botocore equal botocore's own parse of its bytes."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.service import AUDIT_ENV
from smsvoice_sim.simulator.wire.conformance import check_response

# Test helper modules that hold assertions and are also loaded as plugins (`pytest_plugins`):
# rewritten like test modules, whichever imports them first.
pytest.register_assert_rewrite("upstreams")

FAKE_CREDS = {"aws_access_key_id": "AKIATESTTESTTEST0000", "aws_secret_access_key": "test-secret"}
NO_CLIENT_VALIDATION = Config(parameter_validation=False, retries={"max_attempts": 1})


def pytest_configure(config):
    # Every Simulator (in this process and in CLI subprocesses, which inherit the
    # environment) appends each response it sends to this file.
    if AUDIT_ENV not in os.environ:
        fd, path = tempfile.mkstemp(prefix="smsvoice-audit-", suffix=".jsonl")
        os.close(fd)
        os.environ[AUDIT_ENV] = path
        config._smsvoice_audit = path


def audited_violations(path: str, parsed_operations: set[str] | None = None) -> tuple[int, list[str]]:
    """How many responses the audit holds, and every violation: of the model's shapes, and
    (200s) differences between the short-circuit door's Python objects and botocore's parse
    of the bytes. `parsed_operations` collects the operations whose 200s were compared."""
    count, found = 0, []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        count += 1
        for problem in check_response(entry["operation"], entry["status"], entry["body"]):
            found.append(f"{entry['operation']} {entry['status']}: {problem}")
        if entry["status"] == 200 and entry["operation"]:
            if "parsed" not in entry:
                found.append(f"{entry['operation']} 200: not compared with botocore's parse")
            for difference in entry.get("parsed", ()):
                found.append(f"{entry['operation']} 200 short-circuit objects: {difference}")
            if parsed_operations is not None:
                parsed_operations.add(entry["operation"])
    return count, found


def pytest_sessionfinish(session, exitstatus):
    path = getattr(session.config, "_smsvoice_audit", None)
    if not path or not os.path.exists(path):
        return
    parsed_operations: set[str] = set()
    count, found = audited_violations(path, parsed_operations)
    os.unlink(path)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"smsvoice-sim conformance: {count} responses walked against the "
                            f"model; the 200s of {len(parsed_operations)} operations compared "
                            f"with botocore's parse; {len(found)} violations")
        for problem in found[:50]:
            reporter.write_line(f"  {problem}")
    if found:
        session.exitstatus = 1


def endpoint_client(url: str, region: str = "us-east-1", **kwargs):
    creds = {**FAKE_CREDS, **{k: kwargs.pop(k) for k in list(kwargs) if k.startswith("aws_")}}
    return boto3.client("pinpoint-sms-voice-v2", region_name=region, endpoint_url=url,
                        **creds, **kwargs)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(clock="manual", seed=1234)


@pytest.fixture
def server(sim):
    with EndpointServer(simulator_answer(sim)) as srv:
        yield srv


@pytest.fixture(params=["inprocess", "short-circuit", "http"])
def door(request, sim):
    """(simulator, client factory) for every door: the same tests drive each."""
    if request.param == "inprocess":
        yield sim, lambda **kw: sim.client(**kw)
        return
    if request.param == "short-circuit":
        yield sim, lambda **kw: sim.client(short_circuit=True, **kw)
        return
    with EndpointServer(simulator_answer(sim)) as srv:
        yield sim, lambda region_name="us-east-1", **kw: endpoint_client(srv.url, region_name, **kw)


@pytest.fixture
def client(door):
    sim, make = door
    return make(region_name="us-east-1")


@pytest.fixture
def raw_client(door):
    """Client-side validation off: the server does all the checking."""
    sim, make = door
    return make(region_name="us-east-1", config=NO_CLIENT_VALIDATION)


def active_phone(sim: Simulator, client, iso="US", message_type="TRANSACTIONAL", **extra) -> dict:
    phone = client.request_phone_number(IsoCountryCode=iso, MessageType=message_type,
                                        NumberCapabilities=["SMS", "VOICE"],
                                        NumberType="LONG_CODE", **extra)
    sim.force_transition(phone["PhoneNumberId"])
    return phone


def active_pool(sim: Simulator, client, phone: dict | None = None, **extra) -> dict:
    phone = phone or active_phone(sim, client)
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                              MessageType=phone["MessageType"], **extra)
    sim.force_transition(pool["PoolId"])
    return pool


@pytest.fixture
def api(sim):
    """A plain boto3 client of `sim` (the family tests' client: default account and region)."""
    return sim.client()
