"""9. Two-way: inbound messages in-process and through POST /_smsvoice/inbound, their payloads
delivered to a two-way topic on moto_server, and what the inbound family's after-send hook
costs every send."""

from __future__ import annotations

import http.client
import json
import time

import boto3

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.families import Family
from smsvoice_sim.simulator.families.inbound import InboundMessages

from .b2_http import CONFIG, CREDS, _moto_server
from .common import Table, per_call_us, verdict

HANDSET = "+14254147755"  # a US simulator destination: a SIMULATOR number sends only to those
DELIVERIES = 500


def _number(sim: Simulator) -> str:
    return sim.client().request_phone_number(
        IsoCountryCode="US", MessageType="TRANSACTIONAL", NumberCapabilities=["SMS"],
        NumberType="SIMULATOR")["PhoneNumber"]


def _in_process(table: Table) -> None:
    sim = Simulator(clock="manual", seed=1)
    number = _number(sim)
    ours = per_call_us(lambda: sim.receive(from_=HANDSET, to=number, body="hello"), calls=2000)
    answered = per_call_us(lambda: sim.receive(from_=HANDSET, to=number, body="HELP"), calls=1000)
    client = sim.client(short_circuit=True)
    sends = per_call_us(lambda: client.send_text_message(
        OriginationIdentity=number, DestinationPhoneNumber=HANDSET, MessageBody="hi"), calls=1000)
    table.add("9 inbound in-process (free text)", f"{1e6 / ours:,.0f}/s", f"send {1e6 / sends:,.0f}/s",
              f"{sends / ours:.2f}x a send's speed", verdict(ours < sends, "cheaper than a send"))
    table.add("9 inbound in-process (HELP: answered)", f"{1e6 / answered:,.0f}/s", f"{1e6 / ours:,.0f}/s",
              f"{answered / ours:.2f}x free text's time", verdict(answered < ours + sends * 1.5,
                                                                  "free text + one send"))


def _over_http(table: Table) -> None:
    sim = Simulator(clock="manual", seed=1)
    number = _number(sim)
    with EndpointServer(simulator_answer(sim)) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        inbound = json.dumps({"from": HANDSET, "to": number, "body": "hello"}).encode()
        empty = json.dumps({"seconds": 0}).encode()

        def post(path: str, body: bytes):
            conn.request("POST", path, body=body, headers=headers)
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 200

        ours = per_call_us(lambda: post("/_smsvoice/inbound", inbound), calls=500)
        peer = per_call_us(lambda: post("/_smsvoice/clock/advance", empty), calls=500)
        conn.close()
    table.add("9 inbound through POST /_smsvoice/inbound", f"{1e6 / ours:,.0f}/s",
              f"clock/advance {1e6 / peer:,.0f}/s", f"{ours / peer:.2f}x a control call's time",
              verdict(ours < peer * 3, "< 3x an empty control call"))


def _deliveries(table: Table) -> None:
    moto, url = _moto_server()
    try:
        aws = dict(region_name="us-east-1", endpoint_url=url, config=CONFIG, **CREDS)
        sns = boto3.client("sns", **aws)
        topic = sns.create_topic(Name="bench-two-way")["TopicArn"]
        start = time.perf_counter()
        for n in range(DELIVERIES):
            sns.publish(TopicArn=topic, Message=f"direct {n}")
        peer = DELIVERIES / (time.perf_counter() - start)
        sim = Simulator(clock="manual", seed=1, events_endpoint_url=url)
        client = sim.client()
        phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="SIMULATOR")
        client.update_phone_number(PhoneNumberId=phone["PhoneNumberId"], TwoWayEnabled=True,
                                   TwoWayChannelArn=topic)
        region = sim.region(sim.default_account, "us-east-1")
        start = time.perf_counter()
        records = [region.receive(HANDSET, phone["PhoneNumber"], f"burst {n}") for n in range(DELIVERIES)]
        for _ in range(60):  # bounded: each flush waits FLUSH_LIMIT at most
            if sim.messaging.flush():
                break
        ours = DELIVERIES / (time.perf_counter() - start)
        landed = sum(r.two_way.get("published") is True for r in records)
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    table.add(f"9 two-way payloads to moto_server ({landed}/{DELIVERIES} landed)", f"{ours:,.0f}/s",
              f"sns.publish {peer:,.0f}/s", f"{ours / peer:.2f}x", verdict(landed == DELIVERIES and
                                                                          ours > peer * 0.5,
                                                                          "all land, > 0.5x boto3"))


def _after_send_cost(table: Table) -> None:
    def sends_per_call(hooked: bool) -> float:
        saved = InboundMessages.after_send
        if not hooked:
            InboundMessages.after_send = Family.after_send  # not declared: not in the hooks
        try:
            sim = Simulator(clock="manual", seed=1)
        finally:
            InboundMessages.after_send = saved
        number = _number(sim)
        client = sim.client(short_circuit=True)
        return per_call_us(lambda: client.send_text_message(
            OriginationIdentity=number, DestinationPhoneNumber=HANDSET, MessageBody="hi"), calls=1000)
    without, with_hook = sends_per_call(False), sends_per_call(True)
    table.add("9 send with the inbound after-send hook", f"{with_hook:.0f} us", f"{without:.0f} us without",
              f"{with_hook / without:.2f}x", verdict(with_hook < without * 1.15, "< 15% more"))


def run(table: Table) -> None:
    _in_process(table)
    _over_http(table)
    _deliveries(table)
    _after_send_cost(table)
