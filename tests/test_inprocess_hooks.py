"""The in-process door's hook: registered under its own unique_id, and removable."""

from __future__ import annotations

import pytest

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.inprocess import unhook


@pytest.mark.parametrize("short_circuit", [False, True], ids=["before-send", "short-circuit"])
def test_an_unhooked_client_goes_to_its_endpoint(short_circuit):
    inside, outside = Simulator(seed=1), Simulator(seed=2)
    with EndpointServer(simulator_answer(outside)) as server:
        client = inside.client(short_circuit=short_circuit, endpoint_url=server.url)
        client.request_sender_id(SenderId="INSIDE", IsoCountryCode="US")
        assert [s["SenderId"] for s in client.describe_sender_ids()["SenderIds"]] == ["INSIDE"]
        assert unhook(client) is True
        assert client.describe_sender_ids()["SenderIds"] == []  # answered by the endpoint now
        client.request_sender_id(SenderId="OUTSIDE", IsoCountryCode="US")
        assert unhook(client) is False  # nothing left to remove
    assert [s["SenderId"] for s in inside.state()["accounts"]["123456789012"]["us-east-1"]
            ["sender_ids"]] == ["INSIDE"]
    assert [s["SenderId"] for s in outside.state()["accounts"]["123456789012"]["us-east-1"]
            ["sender_ids"]] == ["OUTSIDE"]


def test_unhooking_one_client_leaves_the_others_answered():
    sim = Simulator(seed=3)
    first, second = sim.client(), sim.client()
    assert unhook(first) is True
    assert second.describe_pools()["Pools"] == []  # still in-process


def test_the_short_circuit_door_picks_the_account_by_the_key_the_client_was_given():
    sim = Simulator(seed=4, accounts={"AKIAMAPPED0000000000": "210987654321"})
    client = sim.client(short_circuit=True, aws_access_key_id="AKIAMAPPED0000000000",
                        aws_secret_access_key="s")
    sender = client.request_sender_id(SenderId="MAPPED", IsoCountryCode="US")
    assert ":210987654321:" in sender["SenderIdArn"]
    default = sim.client(short_circuit=True).request_sender_id(SenderId="DEFAULT", IsoCountryCode="US")
    assert ":123456789012:" in default["SenderIdArn"]


def test_making_clients_does_not_grow_the_shared_event_table():
    """Each boto3 Session registers boto3's handlers on its botocore session again: one per
    in-process client grew the shared table, which every new client then copies."""
    from smsvoice_sim.simulator.inprocess import _shared_botocore_session

    def handlers() -> int:  # what the table answers an S3 client class being made (boto3's
        # S3 handler twice raises: it would inject its methods into the class twice)
        emitter = _shared_botocore_session().get_component("event_emitter")
        return len(emitter.emit("creating-client-class.s3", class_attributes={},
                                base_classes=[]))

    sim = Simulator(seed=5)
    sim.client()
    before = handlers()
    for short_circuit in (False, True, False, True):
        sim.client(short_circuit=short_circuit)
    assert handlers() == before
