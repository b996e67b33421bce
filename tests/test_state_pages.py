"""The state view in pages, and `--state` written outside the lock every request shares: a
large state is read page by page (`GET /_smsvoice/state?max_results=N&next_token=T`, or whole,
made of pages), and a read goes on while a write waits for the disk."""

from __future__ import annotations

import base64
import http.client
import json
import sqlite3
import threading

import pytest
from botocore.exceptions import ClientError
from test_state_rows import file_rows

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.control import routes
from smsvoice_sim.simulator.wire.http import HttpRequest

WAIT = 60  # seconds any wait below is bounded by


def control(sim: Simulator, path: str) -> tuple[int, dict]:
    response = routes.answer(sim, HttpRequest("GET", path, {}, b""), "simulate")
    return response.status, json.loads(response.body)


def pages(fetch) -> list[dict]:
    found, token = [], None
    for _ in range(1000):
        page = fetch(token)
        found.append(page)
        token = page.get("NextToken")
        if token is None:
            return found
    raise AssertionError("the pages never ended")


def joined(found: list[dict]) -> dict:
    whole: dict = {}
    for page in found:
        for account, regions in page["accounts"].items():
            for region, members in regions.items():
                for member, entries in members.items():
                    whole.setdefault(account, {}).setdefault(region, {}).setdefault(
                        member, []).extend(entries)
    return whole


@pytest.fixture(scope="module")
def big() -> Simulator:
    sim = Simulator(clock="manual", seed=4)
    for region in ("us-east-1", "eu-west-2"):
        client = sim.client(region_name=region, short_circuit=True)
        for i in range(120):
            client.request_sender_id(SenderId=f"S{i:03d}", IsoCountryCode="US")
        for i in range(90):
            client.create_configuration_set(ConfigurationSetName=f"cs{i}")
    return sim


@pytest.mark.parametrize("size", [1, 37, 500])
def test_pages_joined_are_the_whole_view(big, size):
    found = pages(lambda token: big.state(max_results=size, next_token=token))
    assert joined(found) == big.state()["accounts"]
    counts = [sum(len(e) for r in p["accounts"].values() for m in r.values() for e in m.values())
              for p in found]
    assert max(counts) <= size and all(count == size for count in counts[:-1])


def test_the_http_view_is_whole_or_in_pages(big):
    status, whole = control(big, "/_smsvoice/state")
    assert status == 200 and whole["accounts"] == big.state()["accounts"]
    assert "NextToken" not in whole
    found = pages(lambda token: control(big, "/_smsvoice/state?max_results=50" + (
        f"&next_token={token}" if token else ""))[1])
    assert len(found) > 5 and joined(found) == whole["accounts"]


@pytest.mark.parametrize("query", ["max_results=0", "max_results=x", "max_results=-3",
                                   "max_results=5&next_token=bm9wZQ", "next_token=abc",
                                   "max_results=5&next_token=%%%"])
def test_a_bad_page_request_is_400(big, query):
    status, body = control(big, f"/_smsvoice/state?{query}")
    assert status == 400 and body["error"], body


@pytest.mark.parametrize("query", ["max_results=" + "1" + "0" * 23, "max_results=%C2%B2",
                                   "max_results=1000001", "max_results=0"])
def test_max_results_is_bounded_ascii_digits_as_every_whole_number_the_api_reads(big, query):
    status, body = control(big, f"/_smsvoice/state?{query}")
    assert (status, body["error"]) == (
        400, f'"max_results" must be a whole number in [1, {routes.MAX_STATE_PAGE}], not '
             f'{routes._query("/?" + query)["max_results"][:20]!r}'), body


DEEP_TOKEN = base64.urlsafe_b64encode(b"[" * 3000).decode()


def test_a_deeply_nested_next_token_is_a_value_error_not_a_recursion_error(big):
    with pytest.raises(ValueError, match="is not one a page of the state gave"):
        big.state(max_results=5, next_token=DEEP_TOKEN)


def test_a_deeply_nested_next_token_is_400_over_http(big):
    with EndpointServer(simulator_answer(big)) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        try:
            conn.request("GET", f"/_smsvoice/state?max_results=5&next_token={DEEP_TOKEN}")
            response = conn.getresponse()
            status, body = response.status, json.loads(response.read())
        finally:
            conn.close()
    assert status == 400 and "next_token" in body["error"], body


# -- the disk is written outside the lock ------------------------------------------------------
def test_a_read_goes_on_while_a_write_waits_for_the_disk(tmp_path):
    path = tmp_path / "s.db"
    sim = Simulator(clock="manual", seed=1, state_file=str(path))
    writer, reader = sim.client(short_circuit=True), sim.client(short_circuit=True)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the file's write lock: the writer's commit waits
    done = threading.Event()
    thread = threading.Thread(target=lambda: (
        writer.create_configuration_set(ConfigurationSetName="waiting"), done.set()))
    thread.start()
    try:
        for _ in range(WAIT * 100):  # the change is made (in memory) before the disk waits
            names = [c["ConfigurationSetName"]
                     for c in reader.describe_configuration_sets()["ConfigurationSets"]]
            if names:
                break
            done.wait(0.01)
        assert names == ["waiting"] and not done.is_set()  # read while the write still waits
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        thread.join(timeout=WAIT)
    assert done.is_set()
    assert ("configuration_sets", "sets", "waiting") in {k[2:] for k in file_rows(path)}
    sim.close()


def test_a_change_the_disk_refuses_is_a_500_and_is_written_with_the_next(tmp_path):
    path = tmp_path / "s.db"
    sim = Simulator(clock="manual", seed=1, state_file=str(path))
    client = sim.client(short_circuit=True)
    sim.state_file.conn.execute("PRAGMA busy_timeout = 50")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ClientError) as refused:
            client.create_configuration_set(ConfigurationSetName="kept")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "could not write it to --state" in error["Error"]["Message"]
    assert "kept" not in {k[4] for k in file_rows(path)}
    client.create_configuration_set(ConfigurationSetName="next")
    assert {"kept", "next"} <= {k[4] for k in file_rows(path)}
    sim.close()
    again = Simulator(clock="manual", seed=1, state_file=str(path))
    assert {c["ConfigurationSetName"] for c in again.client().describe_configuration_sets()[
        "ConfigurationSets"]} == {"kept", "next"}
    again.close()
