"""Inbound messages without a stand-in (issue 22): keyword matching as AWS documents it (and
the labelled inferences), which identity's settings apply, refusals that change nothing, the
response's send gates, the clock, seeds and --state, the HTTP route and a burst of messages."""

from __future__ import annotations

import json

import pytest

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.families.keywords import matching
from smsvoice_sim.simulator.families.parts import Keyword, default_keywords
from smsvoice_sim.simulator.messaging.inbound import INBOUND_LOG_LIMIT, body_limit

from conftest import active_phone
from helpers import control, control_answer

HANDSET = "+14254147755"  # a US simulator destination: a SIMULATOR number sends only to those
ACCOUNT, REGION = "123456789012", "us-east-1"


def table(**extra: str) -> dict[str, Keyword]:
    found = default_keywords()
    for word, action in extra.items():
        word = word.replace("_", " ")
        found[word] = Keyword(word, f"{word} reply", action)
    return found


# -- matching ------------------------------------------------------------------------------
@pytest.mark.parametrize("body,expected", [
    ("STOP", "STOP"), ("stop", "STOP"), ("  Stop  ", "STOP"), ("STOP.", "STOP"), ("stop!!", "STOP"),
    ("Help me understand", "HELP"), ("help\nplease", "HELP"),
    ("STOPPING", None), ("please stop", None), ("", None), ("   ", None), ("H E L P", None),
    ("STOP ALL now", "STOP ALL"), ("stop   all", "STOP ALL"), ("STOP AL", "STOP"),
])
def test_a_keyword_matches_the_words_a_message_begins_with(body, expected):
    found = matching(table(STOP_ALL="OPT_OUT"), body, opt_out_words=False)
    assert (found.keyword if found else None) == expected


def test_the_opt_out_words_act_only_where_asked_and_stopall_is_not_one():
    for word in ("ARRET", "cancel", "End", "opt-out", "OPTOUT", "quit", "REMOVE", "td", "Unsubscribe"):
        found = matching(table(), word, opt_out_words=True)
        assert (found.keyword, found.action, found.message) == (
            word.upper(), "OPT_OUT", default_keywords()["STOP"].message)
        assert matching(table(), word, opt_out_words=False) is None
    assert matching(table(), "STOPALL", opt_out_words=True) is None
    configured = matching(table(END="AUTOMATIC_RESPONSE"), "end", opt_out_words=True)
    assert configured.action == "AUTOMATIC_RESPONSE"  # a configured keyword wins over the list


# -- whose rules apply ---------------------------------------------------------------------
@pytest.fixture
def api(sim):
    return sim.client()


def number(client, iso="US", number_type="SIMULATOR", capabilities=("SMS",)) -> dict:
    return client.request_phone_number(IsoCountryCode=iso, MessageType="TRANSACTIONAL",
                                       NumberCapabilities=list(capabilities), NumberType=number_type)


def opted_out(client, list_name="Default") -> dict[str, bool]:
    return {e["OptedOutNumber"]: e["EndUserOptedOut"]
            for e in client.describe_opted_out_numbers(OptOutListName=list_name)["OptedOutNumbers"]}


def test_opt_out_words_work_on_us_and_canadian_numbers_only(sim, api):
    us, gb = number(api), active_phone(sim, api, iso="GB")
    sim.receive(from_=HANDSET, to=us["PhoneNumber"], body="Unsubscribe")
    assert opted_out(api) == {HANDSET: True}
    record = sim.receive(from_="+447700900123", to=gb["PhoneNumber"], body="unsubscribe")
    assert record["keyword"] is None and "+447700900123" not in opted_out(api)
    assert sim.receive(from_="+447700900123", to=gb["PhoneNumber"], body="stop")["keyword"] == "STOP"


def test_a_us_toll_free_stop_is_the_carriers_and_stop_is_its_only_opt_out_word(sim, api):
    toll_free = api.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS"], NumberType="TOLL_FREE")
    region = sim.region(ACCOUNT, REGION)  # as its registration's approval would: ACTIVE
    region.lifecycles.move(region.phone_numbers.get(toll_free["PhoneNumberId"]), "activate", region.now())
    assert sim.receive(from_=HANDSET, to=toll_free["PhoneNumber"], body="END")["keyword"] is None
    record = sim.receive(from_=HANDSET, to=toll_free["PhoneNumber"], body="STOP")
    assert record["reply"] == {"by": "carrier", "messageBody": default_keywords()["STOP"].message}
    assert opted_out(api) == {HANDSET: True} and sim.sent_messages() == []


def test_an_opted_out_handset_still_gets_the_help_it_asks_for(sim, api):
    phone = number(api)
    api.put_opted_out_number(OptOutListName="Default", OptedOutNumber=HANDSET)
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="HELP")
    assert record["reply"]["messageId"] and sim.sent_messages()[-1]["DestinationPhoneNumber"] == HANDSET
    sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="STOP")  # the user's own opt-out now
    assert opted_out(api) == {HANDSET: True}


def test_the_response_passes_the_send_gates_and_a_refusal_is_recorded(sim, api):
    phone = number(api, iso="GB", number_type="LONG_CODE")  # simulator destinations pass the sandbox
    sim.advance(86_400)  # the number is ACTIVE
    sim.set_account_tier("SANDBOX")
    record = sim.receive(from_="+447700900123", to=phone["PhoneNumber"], body="HELP")
    assert record["reply"]["refused"]["Reason"] == "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"
    assert sim.sent_messages() == [] and sim.inbound()[-1]["inboundMessageId"] == record["inboundMessageId"]


# -- refusals change nothing -----------------------------------------------------------------
@pytest.mark.parametrize("body,status,words", [
    ({"from": HANDSET, "to": "+19999999999", "body": "hi"}, 404, "not a number or RCS agent"),
    ({"from": HANDSET, "to": "ACME", "body": "hi"}, 400, "sender ID"),
    ({"from": HANDSET, "to": "arn:aws:sms-voice:us-east-1:123456789012:sender-id/ACME/GB",
      "body": "hi"}, 400, "sender ID"),
    ({"from": "2065550100", "to": "{number}", "body": "hi"}, 400, "E.164"),
    ({"from": "+1206555010a", "to": "{number}", "body": "hi"}, 400, "E.164"),
    ({"from": HANDSET, "to": "12345", "body": "hi"}, 400, "not an E.164 number"),
    ({"from": HANDSET, "to": "{number}", "body": ""}, 400, "empty"),
    ({"from": HANDSET, "to": "{number}", "body": " \n "}, 400, "empty"),
    ({"from": HANDSET, "to": "{number}", "body": "x" * (body_limit("SMS") + 1)}, 400, "at most 1600"),
    ({"from": HANDSET, "to": "{pool}", "body": "hi"}, 400, "is a pool"),
    ({"from": HANDSET, "to": "{pending}", "body": "hi"}, 409, "PENDING"),
    ({"from": HANDSET, "to": "{voice}", "body": "hi"}, 400, "voice-only"),
    ({"from": HANDSET, "to": "{number}", "body": "hi", "extra": 1}, 400, "unknown: ['extra']"),
    ({"from": HANDSET, "to": "{number}"}, 400, "needs from and to and body"),
    ({"from": HANDSET, "to": "{number}", "body": 5}, 400, '"body" must be a string'),
    ({"from": HANDSET, "to": "{number}", "body": None}, 400, '"body" must be a string, the text the '
     "handset sent, not null"),
    ({"from": HANDSET, "to": "{number}", "body": "hi", "account": "111111111111"}, 404,
     "account 111111111111"),
    ({"from": HANDSET, "to": "{number}", "body": "hi", "previousPublishedMessageId": "nope"}, 400,
     "names no message"),
])
def test_bad_input_gets_a_4xx_naming_the_problem_and_changes_nothing(sim, api, body, status, words):
    phone = number(api)
    pool = api.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    pending = api.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                       NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    voice = active_phone(sim, api)
    sim.region(ACCOUNT, REGION).phone_numbers.numbers[voice["PhoneNumberId"]].number_capabilities = ["VOICE"]
    names = {"number": phone["PhoneNumber"], "pool": pool["PoolId"], "pending": pending["PhoneNumber"],
             "voice": voice["PhoneNumber"]}
    body = {k: v.format(**names) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}
    before, seed_before = json.dumps(sim.state(), sort_keys=True), sim.ids.saved()
    got, answer = control_answer(sim, "POST", "/_smsvoice/inbound", body)
    assert got == status and words in answer["error"], answer
    assert json.dumps(sim.state(), sort_keys=True) == before
    assert sim.ids.saved() == seed_before  # no id drawn: the seed's sequence is unchanged
    assert sim.inbound() == []
    assert all(m["MetricName"] != "NumberOfMessagesReceived" for m in sim.metrics())


def test_an_earlier_message_can_be_named_as_the_one_answered(sim, api):
    phone = number(api)
    first = api.send_text_message(OriginationIdentity=phone["PhoneNumberId"],
                                  DestinationPhoneNumber=HANDSET, MessageBody="one")["MessageId"]
    api.send_text_message(OriginationIdentity=phone["PhoneNumberId"], DestinationPhoneNumber=HANDSET,
                          MessageBody="two")
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="yes",
                         previous_published_message_id=first)
    assert record["payload"]["previousPublishedMessageId"] == first
    other = sim.receive(from_="+12065550199", to=phone["PhoneNumber"], body="who is this?")
    assert "previousPublishedMessageId" not in other["payload"]  # nothing was sent to it [inf]


# -- clock, seeds, --state -----------------------------------------------------------------------
def test_the_same_seed_gives_the_same_inbound_ids_and_state_keeps_the_log(tmp_path):
    def run(path):
        with Simulator(clock="manual", seed=9, state_file=str(path)) as sim:
            phone = number(sim.client())
            sim.client().send_text_message(OriginationIdentity=phone["PhoneNumberId"],
                                           DestinationPhoneNumber=HANDSET, MessageBody="hi")
            started = sim.clock.now()
            sim.advance(60)
            record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="STOP")
            assert record["timestamp"] == started + 60  # the simulator's clock
            return phone, record

    phone, first = run(tmp_path / "a.db")
    again = run(tmp_path / "b.db")[1]
    assert {**again, "timestamp": None} == {**first, "timestamp": None}  # ids and payload: the seed's
    with Simulator(clock="manual", state_file=str(tmp_path / "a.db")) as again:
        assert again.inbound() == [first]
        assert opted_out(again.client()) == {HANDSET: True}
        later = again.receive(from_=HANDSET, to=phone["PhoneNumber"], body="hello")
        assert later["previousPublishedMessageId"] == first["reply"]["messageId"]
        assert [r["messageBody"] for r in again.inbound(keyword="stop")] == ["STOP"]
        assert [r["messageBody"] for r in again.inbound(keyword="none")] == ["hello"]


def test_a_burst_from_one_handset_is_received_whole_and_in_order(sim, api):
    """AWS documents no inbound rate for a number [open]; the simulator accepts every message,
    in the order sent [inf] (AWS does not promise the order [doc: two-way-sms.html])."""
    phone = number(api)
    for n in range(INBOUND_LOG_LIMIT + 5):
        sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body=f"message {n}")
    kept = sim.inbound(origination=HANDSET)
    assert len(kept) == INBOUND_LOG_LIMIT and kept[-1]["messageBody"] == f"message {INBOUND_LOG_LIMIT + 4}"
    (received,) = [m for m in sim.metrics("NumberOfMessagesReceived") if not m["Dimensions"]]
    assert received["Sum"] == INBOUND_LOG_LIMIT + 5


# -- over HTTP ---------------------------------------------------------------------------------------
def test_the_http_route_receives_and_filters(sim, api):
    phone = number(api)
    with EndpointServer(simulator_answer(sim)) as server:
        status, answer = control(server.url, "/_smsvoice/inbound",
                                 {"from": HANDSET, "to": phone["PhoneNumberId"], "body": "HELP"})
        assert status == 200 and answer["inbound"]["keyword"] == "HELP"
        control(server.url, "/_smsvoice/inbound", {"from": "+12065550111", "to": phone["PhoneNumber"],
                                                   "body": "hi"})
        status, found = control(server.url, "/_smsvoice/inbound?origination=%2B12065550111")
        assert status == 200 and [r["messageBody"] for r in found["inbound"]] == ["hi"]
        assert set(found["delivery"]) == {"event-destinations", "two-way", "eventbridge", "metrics"}
        status, shown = control(server.url, "/_smsvoice/metrics?name=NumberOfMessagesReceived")
        assert status == 200 and {m["Sum"] for m in shown["metrics"]} == {2.0}
        assert control(server.url, "/_smsvoice/inbound", {"from": HANDSET})[0] == 400


def test_previous_ids_keep_the_pairs_sent_to_most_recently_and_forget_1_percent_at_once(tmp_path):
    """Past the limit the pairs sent to least recently go, 1% of the limit at once; a pair
    sent to again is recent, though its row keeps its first place; the stamps survive a restart."""
    path = str(tmp_path / "state.db")
    handsets = [f"+4477009{n:05d}" for n in range(102)]
    with Simulator(clock="manual", state_file=path) as sim:
        api = sim.client()
        family = sim.region(ACCOUNT, REGION).inbound
        family.last_sent_limit = 100
        phone = active_phone(sim, api, iso="GB")

        def send(to: str) -> str:
            return api.send_text_message(OriginationIdentity=phone["PhoneNumberId"],
                                         DestinationPhoneNumber=to, MessageBody="hi")["MessageId"]
        for handset in handsets[:100]:
            send(handset)
        again = send(handsets[0])  # the first pair is now the most recent
        send(handsets[100])  # 101 pairs: the two least recent (1 over, 1% of 100) go
        assert len(family.last_sent) == 99
        kept = {handset for _origin, handset in family.last_sent}
        assert handsets[0] in kept and not {handsets[1], handsets[2]} & kept
        assert sim.receive(from_=handsets[0], to=phone["PhoneNumber"],
                           body="hi")["payload"]["previousPublishedMessageId"] == again
    with Simulator(clock="manual", state_file=path) as sim:
        family = sim.region(ACCOUNT, REGION).inbound
        family.last_sent_limit = 100
        stamps = {handset: e.stamp for (_origin, handset), e in family.last_sent.items()}
        assert max(stamps, key=stamps.__getitem__) == handsets[100]
        assert list(stamps)[0] == handsets[0]  # first seen: its row kept its place
        api = sim.client()
        for handset in handsets[101], "+447700999999":  # 100 pairs, then 101: two go
            api.send_text_message(OriginationIdentity=phone["PhoneNumberId"],
                                  DestinationPhoneNumber=handset, MessageBody="hi")
        kept = {handset for _origin, handset in family.last_sent}
        assert handsets[0] in kept and not {handsets[3], handsets[4]} & kept


def test_an_rcs_agent_receives_a_body_longer_than_an_sms_up_to_the_rcs_limit(sim, api):
    """An RCS text may be 3,072 characters (the model's RcsTextMessage Body), an SMS 1,600."""
    assert (body_limit("SMS"), body_limit("RCS")) == (1600, 3072)
    rcs = sim.region(ACCOUNT, REGION).rcs_agents
    agent = api.create_rcs_agent()
    rcs.submit_testing(agent["RcsAgentId"], "registration-testing")
    rcs.submit_country_launch(agent["RcsAgentId"], "US", "registration-launch")
    sim.advance(120)
    record = sim.receive(from_=HANDSET, to=agent["RcsAgentId"], body="x" * 2000)
    assert (record["channel"], len(record["messageBody"])) == ("RCS", 2000)
    with pytest.raises(ValueError, match="at most 3072"):
        sim.receive(from_=HANDSET, to=agent["RcsAgentId"], body="x" * 3073)
    assert len(sim.inbound()) == 1


def test_an_rcs_agent_not_launched_in_the_handsets_country_answers_409_country_not_enabled(sim, api):
    rcs = sim.region(ACCOUNT, REGION).rcs_agents
    agent = api.create_rcs_agent()
    rcs.submit_country_launch(agent["RcsAgentId"], "US", "registration-launch")
    sim.advance(120)
    status, answer = control_answer(sim, "POST", "/_smsvoice/inbound",
                                    {"from": "+447700900123", "to": agent["RcsAgentId"], "body": "hi"})
    assert status == 409
    assert (answer["__type"], answer["Reason"]) == ("ValidationException", "COUNTRY_NOT_ENABLED")
    assert "not launched in GB" in answer["error"] and sim.inbound() == []
