"""The send path: the gate extension point other families hang rules on, prices,
and every Send* parameter acting as AWS says."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator, prices
from smsvoice_sim.simulator.errors import conflict
from smsvoice_sim.simulator.families.messages import register_after_send, register_send_gate
from smsvoice_sim.simulator.sending import unregister


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=5)


@pytest.fixture
def client(sim):
    return sim.client(region_name="us-east-1")


def _error(excinfo) -> dict:
    return excinfo.value.response["Error"]


def test_a_registered_gate_refuses_a_send_with_its_error_and_nothing_is_recorded(sim, client):
    seen = []

    def blocked_country(backend, send):
        seen.append((send.channel, send.destination, send.iso_country_code, send.dry_run))
        if send.iso_country_code == "GB":
            raise conflict("DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION", "protect-configuration",
                           "protect-x", "blocked")

    register_send_gate(blocked_country)
    try:
        with pytest.raises(ClientError) as excinfo:
            client.send_text_message(DestinationPhoneNumber="+447700900123", MessageBody="hi")
        assert _error(excinfo)["Code"] == "ConflictException"
        assert excinfo.value.response["Reason"] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
        assert sim.sent_messages() == []
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
        assert len(sim.sent_messages()) == 1
        assert seen == [("TEXT", "+447700900123", "GB", False), ("TEXT", "+12065550100", "US", False)]
    finally:
        unregister(blocked_country)


def test_after_send_hooks_see_each_real_send_with_its_price_but_not_dry_runs(sim, client):
    charged = []

    @register_after_send
    def account(backend, message):
        charged.append((message.message_id, message.send.price))

    try:
        sent = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi", DryRun=True)
        assert charged == [(sent["MessageId"], prices.price_of("TEXT", "US", "hi"))]
    finally:
        unregister(account)


def test_registering_twice_keeps_one_registration():
    def gate(backend, send):
        pass

    register_send_gate(gate)
    register_send_gate(gate)
    try:
        from smsvoice_sim.simulator.sending import SEND_GATES
        assert SEND_GATES.count(gate) == 1
    finally:
        unregister(gate)


@pytest.mark.parametrize("number,iso", [
    ("+12065550100", "US"), ("+14165550100", "CA"), ("+17875550100", "PR"),
    ("+447700900123", "GB"), ("+61455944038", "AU"), ("+3584573979110", "FI"),
    ("+85257048426", "HK"), ("+420790542286", "CZ"), ("+999123", None), ("12065550100", None),
])
def test_the_destination_country_comes_from_the_number(number, iso):
    assert prices.iso_country_of(number) == iso


def test_parts_and_encoding_follow_gsm_and_unicode_limits():
    assert (prices.encoding_of("hello"), prices.parts_of("a" * 160)) == ("GSM", 1)
    assert prices.parts_of("a" * 161) == 2
    assert prices.parts_of("€" * 80) == 1 and prices.parts_of("€" * 81) == 2  # extension: 2 septets
    assert (prices.encoding_of("こんにちは"), prices.parts_of("あ" * 70)) == ("UNICODE", 1)
    assert prices.parts_of("あ" * 71) == 2
    assert prices.price_of("TEXT", "US", "a" * 161) == round(2 * prices.PRICES["US"].text_per_part, 5)
    assert prices.price_of("TEXT", "ZZ", "a") == prices.DEFAULT_PRICE.text_per_part
