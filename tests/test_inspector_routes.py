"""The control API's read routes the inspector uses (simulator/control/views.py, resources.py),
called in-process as the other routes are, and the inspector's own files (assets.py)."""

from __future__ import annotations

import re

import inspector_scene
import pytest
from registration_fixtures import TFN_VALUES

from smsvoice_sim.simulator import HttpRequest, Simulator
from smsvoice_sim.simulator.control import assets
from smsvoice_sim.simulator.control.routes import MAX_PAGE, answer
from smsvoice_sim.simulator.engine.diagram import mermaid

from helpers import ROOT, control_answer

UI_FOLDER = ROOT / "simulator" / "control" / "inspector"


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=11)


@pytest.fixture
def scene(sim):
    return inspector_scene.build(sim, sim.client())


def get(sim, path: str) -> dict:
    status, body = control_answer(sim, "GET", path)
    assert status == 200, body
    return body


def send(client, destination: str, body: str = "hi", **extra) -> str:
    sent = client.send_text_message(DestinationPhoneNumber=destination, MessageBody=body, **extra)
    return sent["MessageId"]


# -- messages ---------------------------------------------------------------------------------
def test_messages_come_newest_first_a_page_at_a_time(sim):
    client = sim.client()
    ids = []
    for n in range(7):
        ids.append(send(client, f"+1206555010{n}", f"message {n}"))
        sim.advance(1)
    page = get(sim, "/_smsvoice/messages/page?limit=3&offset=2")
    assert (page["total"], page["offset"], page["limit"]) == (7, 2, 3)
    assert [m["id"] for m in page["items"]] == ids[::-1][2:5]
    assert [m["body"] for m in page["items"]] == ["message 4", "message 3", "message 2"]


@pytest.mark.parametrize("query", ["limit=0", f"limit={MAX_PAGE + 1}", "offset=-1", "limit=ten",
                                   "offset=1.5", "limit=%C2%B2", "offset=%C2%B2", "offset=%D9%A3",
                                   "offset=" + "9" * 5000])
def test_a_page_out_of_range_is_refused_with_400(sim, query):
    status, body = control_answer(sim, "GET", f"/_smsvoice/messages/page?{query}")
    assert status == 400 and "must be a whole number in [" in body["error"], body


def test_messages_filter_by_number_configuration_set_status_and_channel(sim, scene):
    def ids(query: str) -> list[str]:
        return [m["destination"] for m in get(sim, f"/_smsvoice/messages/page?{query}")["items"]]

    handset = inspector_scene.HANDSET
    assert ids("number=2065550199") == [inspector_scene.BLOCKED_HANDSET]
    assert ids(f"number={handset.replace('+', '%2B')}") == [handset] * 3
    assert ids("configurationSet=receipts") == [handset, handset]
    assert ids("status=BLOCKED") == [inspector_scene.BLOCKED_HANDSET]
    assert ids("channel=VOICE") == [handset]
    page = get(sim, "/_smsvoice/messages/page")
    assert {"QUEUED", "BLOCKED", "DELIVERED", "COMPLETED"} <= set(page["statuses"])


def test_a_message_shows_its_timeline_on_the_simulated_clock_and_what_decided_it(sim):
    client = sim.client()
    sim.set_outcome("+1206555*", "TEXT_BLOCKED")
    delivered = send(client, "+14254147755")  # AWS's US success number
    blocked = send(client, "+12065550100")
    plain = send(client, "+13125550100")
    rows = {m["id"]: m for m in get(sim, "/_smsvoice/messages/page")["items"]}
    sent_at = rows[delivered]["at"]
    assert rows[delivered]["status"] == "QUEUED" and rows[delivered]["timeline"] == []
    assert [(p["status"], round(p["at"] - sent_at, 3)) for p in rows[delivered]["planned"]] == \
        [("SUCCESSFUL", 0.3), ("DELIVERED", 2.75)]
    sim.advance(5)
    rows = {m["id"]: m for m in get(sim, "/_smsvoice/messages/page")["items"]}
    timeline = rows[delivered]["timeline"]
    assert [(e["eventType"], round(e["at"] - sent_at, 3)) for e in timeline] == \
        [("TEXT_SUCCESSFUL", 0.3), ("TEXT_DELIVERED", 2.75)]
    assert rows[delivered]["status"] == "DELIVERED" and rows[delivered]["planned"] == []
    assert rows[delivered]["decidedBy"] == "AWS's US simulator success number"
    assert rows[blocked]["decidedBy"] == "outcome rule +1206555* → TEXT_BLOCKED"
    assert rows[plain]["decidedBy"] == "no rule matches: the message succeeds"
    sim.clear_outcomes()
    assert get(sim, "/_smsvoice/messages/page?status=BLOCKED")["items"][0]["decidedBy"] == \
        "an outcome rule no longer in force"


def test_a_voice_message_keeps_its_ssml_and_a_dry_run_says_so(sim, scene):
    client = sim.client()
    client.send_text_message(DestinationPhoneNumber="+13125550100", MessageBody="x", DryRun=True)
    voice = get(sim, "/_smsvoice/messages/page?channel=VOICE")["items"][0]
    assert voice["body"] == inspector_scene.SSML_BODY and voice["bodyType"] == "SSML"
    dry = get(sim, "/_smsvoice/messages/page?number=3125550100")["items"][0]
    assert dry["status"] == "DRY_RUN" and dry["decidedBy"] is None


def test_the_conversation_with_a_handset_is_oldest_first_with_its_replies(sim, scene):
    talk = get(sim, f"/_smsvoice/conversation?number={inspector_scene.HANDSET.replace('+', '%2B')}")
    assert [row["body"] for row in talk["items"]] == [
        "Your code is 123456", inspector_scene.SSML_BODY, inspector_scene.XSS_BODY]
    assert {row["direction"] for row in talk["items"]} == {"outbound"}
    # The reply box always appears: the inbound route always exists, so no flag says so.
    assert "inbound" not in talk and "inbound" not in get(sim, "/_smsvoice/summary")
    ours = talk["items"][-1]["origin"]
    sim.advance(30)
    record = sim.receive(from_=inspector_scene.HANDSET, to=ours, body="thanks")
    sim.receive(from_=inspector_scene.BLOCKED_HANDSET, to=ours, body="not this handset's")
    talk = get(sim, f"/_smsvoice/conversation?number={inspector_scene.HANDSET.replace('+', '%2B')}")
    last = talk["items"][-1]
    assert [row["direction"] for row in talk["items"]] == ["outbound"] * 3 + ["inbound"]
    assert (last["id"], last["body"], last["origin"], last["destination"], last["channel"]) == (
        record["inboundMessageId"], "thanks", inspector_scene.HANDSET, ours, "SMS")
    assert last["replyTo"] == talk["items"][-2]["id"]  # the newest message sent to the handset
    status, body = control_answer(sim, "GET", "/_smsvoice/conversation")
    assert status == 400 and "number" in body["error"]


# -- events -------------------------------------------------------------------------------------
def test_the_event_page_is_eventbridge_shaped_newest_first_with_each_delivery(sim, scene):
    sim.advance(5)
    page = get(sim, "/_smsvoice/events/page?limit=500")
    assert page["total"] == len(page["items"]) > 0
    first = page["items"][0]["envelope"]
    assert first["source"] == "aws.sms-voice" and "detail-type" in first
    times = [item["envelope"]["time"] for item in page["items"]]
    assert times == sorted(times, reverse=True)
    to_sns = [item for item in page["items"] if item["deliveries"]]
    assert to_sns and all(d["name"] == "to-sns" for item in to_sns for d in item["deliveries"])
    # No event endpoint is configured: every delivery says it did not happen, and why.
    assert all(d["delivered"] is False and d["error"] for item in to_sns for d in item["deliveries"])
    registration = get(sim, "/_smsvoice/events/page?type=Registration Status Change")
    assert page["deliveryConfigured"] is False and "outcomes" in page
    # The delivery block is the one every route shows: per kind of delivery.
    assert page["delivery"] == get(sim, "/_smsvoice/inbound")["delivery"] == control_answer(
        sim, "GET", "/_smsvoice/events")[1]["delivery"]
    assert set(page["delivery"]) == {"event-destinations", "two-way", "eventbridge", "metrics"}
    only_delivered = get(sim, "/_smsvoice/events/page?type=TEXT_DELIVERED")["items"]
    assert only_delivered and {i["eventType"] for i in only_delivered} == {"TEXT_DELIVERED"}
    assert registration["total"] == 0  # a type filter names message event types


# -- resources ----------------------------------------------------------------------------------
def test_resources_carry_their_machines_and_time_to_the_next_step(sim, scene):
    page = get(sim, "/_smsvoice/resources")
    rows = {(r["type"], r["id"]): r for r in page["items"]}
    pool = rows[("pools", scene.pool_id)]
    assert pool["state"] == "CREATING" and pool["forceable"] is True
    (machine,) = pool["machines"]
    assert machine["kind"] == "pool" and machine["next"]["to"] == "ACTIVE"
    assert machine["next"]["in"] == pytest.approx(5.0)
    assert pool["members"] == [{"id": "ACME", "state": None}]
    registration = rows[("registrations", scene.registration_id)]
    assert registration["state"] == "REVIEWING"
    assert [m["kind"] for m in registration["machines"]] == ["registration", "registration-version"]
    assert registration["machines"][0]["next"]["trigger"] == "decide"
    assert set(page["counts"]) == {"pools", "phone_numbers", "sender_ids", "opt_out_lists",
                                   "configuration_sets", "protect_configurations", "registrations",
                                   "rcs_agents", "notify_configurations"}
    sim.advance(5)
    pool = next(r for r in get(sim, "/_smsvoice/resources?type=pools")["items"])
    assert pool["state"] == "ACTIVE" and pool["machines"][0]["next"] is None and not pool["forceable"]


def test_resources_filter_and_page(sim, scene):
    assert [r["name"] for r in get(sim, "/_smsvoice/resources?q=marketing")["items"]] == ["marketing"]
    assert {r["type"] for r in get(sim, "/_smsvoice/resources?state=PENDING")["items"]} == {"phone_numbers"}
    numbers = get(sim, "/_smsvoice/resources?type=phone_numbers&limit=1")
    assert numbers["total"] == 2 and len(numbers["items"]) == 1
    assert get(sim, "/_smsvoice/resources?account=999999999999")["total"] == 0
    status, body = control_answer(sim, "GET", "/_smsvoice/resources?type=nope")
    assert status == 400 and "pools" in body["error"]


@pytest.mark.parametrize("query", ["type=pools", "type=phone_numbers", "state=PENDING",
                                   "q=marketing", "type=phone_numbers&state=PENDING",
                                   "region=us-east-1&type=registrations", "account=999999999999",
                                   "offset=3&limit=4", "type=phone_numbers&offset=1&limit=1"])
def test_a_filtered_page_is_the_whole_listing_filtered(sim, scene, query):
    """Rows are filtered before their machines are read: the answer is the unfiltered
    listing's rows that match, the counts and states those of the whole account-regions."""
    sim.advance(2)
    whole = get(sim, "/_smsvoice/resources?limit=500")
    found = get(sim, f"/_smsvoice/resources?{query}")
    asked = dict(part.split("=") for part in query.split("&"))
    named = {"type": "type", "state": "state", "account": "account", "region": "region"}
    matching = [row for row in whole["items"]
                if all(row[named[k]] == v for k, v in asked.items() if k in named)
                and asked.get("q", "") in " ".join(str(v) for v in (row["id"], row["name"],
                                                                     *row["view"].values()))]
    offset, limit = int(asked.get("offset", 0)), int(asked.get("limit", 100))
    assert found["total"] == len(matching) and found["items"] == matching[offset:offset + limit]
    if "account" not in asked:
        assert (found["counts"], found["states"]) == (whole["counts"], whole["states"])


def test_a_forceable_row_is_what_force_transition_moves(sim, scene):
    pool = get(sim, "/_smsvoice/resources?type=pools")["items"][0]
    status, body = control_answer(sim, "POST", "/_smsvoice/transitions/force", {"ResourceId": pool["id"]})
    assert (status, body["Status"]) == (200, "ACTIVE")


def test_lifecycles_are_the_running_machines_as_data(sim):
    machines = get(sim, "/_smsvoice/lifecycles")["lifecycles"]
    assert set(machines) == set(sim.lifecycles.specs)
    pool = get(sim, "/_smsvoice/lifecycles?kind=pool")["lifecycles"]["pool"]
    assert pool["states"] == ["CREATING", "ACTIVE", "DELETING", "GONE"] and pool["initial"] == "CREATING"
    assert {(m["source"], m["dest"], m["automatic"], m["seconds"]) for m in pool["moves"]} == {
        ("CREATING", "ACTIVE", True, 5.0), ("ACTIVE", "DELETING", False, None),
        ("DELETING", "GONE", True, 5.0)}
    assert pool["mermaid"] == mermaid(sim.lifecycles, "pool")
    status, body = control_answer(sim, "GET", "/_smsvoice/lifecycles?kind=spaceship")
    assert status == 404 and "pool" in body["error"]


# -- the reviewer --------------------------------------------------------------------------------
def test_the_review_queue_lists_what_awaits_and_what_may_be_revoked(sim, scene):
    queue = get(sim, "/_smsvoice/registrations/queue")
    (waiting,) = queue["awaiting"]
    assert waiting["id"] == scene.registration_id and waiting["status"] == "REVIEWING"
    # Decided by the clock 7 days after the review started; the scene waited 60 s since.
    assert waiting["next"]["trigger"] == "decide"
    assert waiting["next"]["in"] == pytest.approx(7 * 86400 - 60)
    assert {f["FieldPath"] for f in waiting["fields"]} >= set(TFN_VALUES)
    assert queue["revocable"] == [] and queue["rules"] == []
    control_answer(sim, "POST", "/_smsvoice/registrations/review",
                   {"RegistrationId": scene.registration_id, "Decision": "approve"})
    queue = get(sim, "/_smsvoice/registrations/queue")
    assert queue["awaiting"] == [] and [r["status"] for r in queue["revocable"]] == ["COMPLETE"]


def test_the_summary_is_the_clock_and_counts(sim, scene):
    summary = get(sim, "/_smsvoice/summary")
    assert summary["clock"] == sim.clock.describe()
    assert summary["messages"] == 4 and summary["events"] > 0
    assert summary["accounts"] == {"123456789012": ["us-east-1"]}


# -- the inspector's files ----------------------------------------------------------------------
def ui(path: str, method: str = "GET", sim_=None):
    return answer(sim_, HttpRequest(method, f"http://127.0.0.1{path}", {}, b""), "simulate")


def test_the_page_is_served_with_a_policy_that_allows_no_inline_script():
    page = ui("/_smsvoice/ui/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    html = page.body.decode()
    assert "<script>" not in html and not re.search(r"\son\w+=", html)  # no inline script
    script = ui("/_smsvoice/ui/app.js")
    assert script.status == 200 and script.headers["Content-Type"].startswith("text/javascript")
    # Served without a simulator too (a replay door): the page then says what is missing.
    assert ui("/_smsvoice/ui/inspector.css").headers["Content-Type"].startswith("text/css")


def test_every_file_the_page_loads_is_shipped_and_served():
    names = {p.name for p in UI_FOLDER.iterdir()}
    html = (UI_FOLDER / "index.html").read_text()
    wanted = set(re.findall(r'(?:src|href)="([a-z0-9-]+\.(?:js|css))"', html))
    for source in UI_FOLDER.glob("*.js"):
        wanted |= set(re.findall(r'from "\./([a-z0-9-]+\.js)"', source.read_text()))
    assert wanted and wanted <= names
    for name in names:
        assert ui(f"/_smsvoice/ui/{name}").body == (UI_FOLDER / name).read_bytes()


@pytest.mark.parametrize("path", ["/_smsvoice/ui/nope.js", "/_smsvoice/ui/../routes.py",
                                  "/_smsvoice/ui/%2e%2e/routes.py", "/_smsvoice/ui/sub/app.js",
                                  "/_smsvoice/ui/APP.JS", "/_smsvoice/ui/app.js.map"])
def test_nothing_but_the_pages_files_is_served(path):
    assert ui(path).status == 404


def test_the_page_answers_get_only_and_redirects_to_its_folder():
    assert ui("/_smsvoice/ui/", "POST").status == 405
    moved = ui("/_smsvoice/ui")
    assert moved.status == 308 and moved.headers["Location"] == "/_smsvoice/ui/"
    assert assets.is_ui("/_smsvoice/ui?x=1") and not assets.is_ui("/_smsvoice/uix")


def test_the_page_renders_values_as_text_never_as_html():
    """The page's own rule (dom.js): nothing it builds parses markup."""
    offenders = [f"{path.name}: {hit}" for path in UI_FOLDER.glob("*.js")
                 for hit in re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|"
                                       r"\beval\(|new Function|setAttribute\(\"on", path.read_text())]
    assert not offenders, offenders


