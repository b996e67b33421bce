"""The inspector driven in a real headless Chromium (Debian's `chromium` package, never a
downloaded browser) through Playwright: what a person does in the page, checked through boto3
and the simulator.

Where /usr/bin/chromium (or the playwright package) is missing these tests skip and say why;
CI installs both (`apt-get install -y chromium`, the `test` extra).

Screenshots for the docs (docs/images/inspector-*.png) are taken here when
SMSVOICE_SIM_SCREENSHOTS=1; otherwise a test only checks they exist."""

from __future__ import annotations

import os
import re
from pathlib import Path

import boto3
import inspector_scene
import pytest
from botocore.config import Config

from smsvoice_sim.proxy.http_server import EndpointServer
from smsvoice_sim.proxy.inspector import open_inspector
from smsvoice_sim.simulator import HttpResponse, Simulator

from helpers import ROOT

CHROMIUM = Path(os.environ.get("SMSVOICE_SIM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
WAIT_MS = 15_000  # the longest any expectation waits (the page polls every second)
SCREENSHOTS = ROOT / "docs" / "images"
PAGES = ("messages", "resources", "reviewer", "clock", "events")
TOKEN = "s3cret-token"

pytestmark = pytest.mark.slow


def _why_no_browser() -> str | None:
    if not CHROMIUM.exists():
        return (f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y "
                "chromium) to drive the inspector in a browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


needs_browser = pytest.mark.skipif(_why_no_browser() is not None, reason=_why_no_browser() or "")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect
    expect.set_options(timeout=WAIT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    found = context.new_page()
    found.set_default_timeout(WAIT_MS)
    found.dialogs = []  # type: ignore[attr-defined]  # alert(), confirm(): none may open unasked
    found.on("dialog", lambda dialog: (found.dialogs.append(dialog.message), dialog.accept()))
    found.errors = []  # type: ignore[attr-defined]
    found.on("pageerror", lambda error: found.errors.append(str(error)))
    yield found
    context.close()


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=3)


@pytest.fixture
def inspector(sim):
    with open_inspector(sim) as running:
        yield running


def boto3_client(endpoint_url: str):
    return boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=endpoint_url,
                        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="example",
                        config=Config(retries={"max_attempts": 0}))


def expect_(locator):
    from playwright.sync_api import expect
    return expect(locator)


def open_tab(page, name: str) -> None:
    page.click(f"a[data-view='{name}']")
    expect_(page.locator(f"a[data-view='{name}']")).to_have_class(re.compile("active"))


# -- the four things it must do -------------------------------------------------------------------
@needs_browser
def test_a_boto3_send_appears_live_and_is_delivered_after_an_advance_clicked(page, sim, inspector):
    page.goto(inspector.url)
    expect_(page.locator("#message-count")).to_have_text("0–0 of 0 messages")
    page.evaluate("window.notReloaded = true")
    client = boto3_client(inspector.endpoint_url)
    sent = client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="hello from boto3")
    row = page.locator(f"tr[data-message-id='{sent['MessageId']}']")
    expect_(row).to_contain_text("QUEUED")  # the poll brought it: no reload
    before = sim.clock.now()
    open_tab(page, "clock")
    page.fill("#advance-seconds", "5")
    page.click("#advance")
    open_tab(page, "messages")
    expect_(row).to_contain_text("DELIVERED")
    row.click()
    timeline = page.locator("#timeline")
    expect_(timeline).to_contain_text("TEXT_SUCCESSFUL")
    expect_(timeline).to_contain_text("TEXT_DELIVERED")
    expect_(page.locator("#selected-message")).to_contain_text("AWS's US simulator success number")
    assert sim.clock.now() == before + 5
    assert page.evaluate("window.notReloaded") is True
    open_tab(page, "events")
    expect_(page.locator("#event-rows tr[data-event-type='TEXT_DELIVERED']")).to_have_count(1)
    expect_(page.locator("#delivery-stats")).to_contain_text(
        "deliveries: 0 delivered, 0 failed, 0 refused · no event destination endpoint is configured")
    assert page.errors == []


@needs_browser
def test_a_registration_approved_in_the_page_reads_complete_through_boto3(page, sim, inspector):
    client = boto3_client(inspector.endpoint_url)
    registration = inspector_scene.submitted_registration(sim, client)
    sim.advance(3600)  # picked up: REVIEWING
    page.goto(inspector.url + "#reviewer")
    card = page.locator(f"article[data-registration-id='{registration}']")
    expect_(card).to_contain_text("REVIEWING")
    card.locator("button.approve").click()
    expect_(page.locator("#revocable")).to_contain_text(registration)
    found = client.describe_registrations(RegistrationIds=[registration])["Registrations"][0]
    assert found["RegistrationStatus"] == "COMPLETE"
    assert page.errors == []


@needs_browser
def test_a_message_body_that_looks_like_html_is_shown_as_text_and_runs_nothing(page, sim, inspector):
    client = boto3_client(inspector.endpoint_url)
    scene = inspector_scene.build(sim, client)
    receipts = client.describe_configuration_sets()["ConfigurationSets"][0]["ConfigurationSetArn"]
    client.tag_resource(ResourceArn=receipts, Tags=[{"Key": "<script>alert(2)</script>",
                                                     "Value": inspector_scene.XSS_BODY}])
    page.goto(inspector.url)
    row = page.locator(f"tr[data-message-id='{scene.xss_message_id}']")
    expect_(row.locator("td.body")).to_have_text(inspector_scene.XSS_BODY)
    row.click()
    expect_(page.locator("#message-body")).to_have_text(inspector_scene.XSS_BODY)
    expect_(page.locator("#conversation")).to_contain_text(inspector_scene.XSS_BODY)
    page.goto(inspector.url + "#resources")
    page.fill("#resource-text", "receipts")
    page.locator("#resource-rows tr", has_text="receipts").click()
    expect_(page.locator("#resource-detail")).to_contain_text("<script>alert(2)</script>")
    assert page.locator("img").count() == 0 and page.locator("main script").count() == 0
    assert page.dialogs == [] and page.errors == []


@needs_browser
def test_a_reply_typed_as_the_handset_is_received_and_its_keyword_acts(page, sim, inspector):
    client = boto3_client(inspector.endpoint_url)
    scene = inspector_scene.build(sim, client)
    page.goto(inspector.url)
    page.locator(f"tr[data-message-id='{scene.xss_message_id}']").click()
    page.fill("#reply-text", "STOP")
    page.click("#reply-form button")
    expect_(page.locator("#conversation li.inbound")).to_contain_text("STOP")
    (record,) = sim.inbound(origination=inspector_scene.HANDSET)
    assert record["keyword"] == "STOP" and record["optOut"]["change"] == "OPTED_OUT"
    opted = client.describe_opted_out_numbers(OptOutListName="Default")["OptedOutNumbers"]
    assert [n["OptedOutNumber"] for n in opted] == [inspector_scene.HANDSET]
    assert page.errors == []


EVIL_PAGE = """<!doctype html><html><body>
<form id="form" method="POST" action="{target}/_smsvoice/reset" target="sink" enctype="text/plain">
<input name='{{"a":"' value='"}}'></form><iframe name="sink"></iframe>
<iframe id="framed" src="{target}/_smsvoice/ui/"></iframe>
<script>
const target = "{target}";
const results = {{}};
async function attempt(name, request) {{
  try {{
    const response = await request();
    results[name] = response.type === "opaque" ? "opaque" : response.status + " " + (await response.text());
  }} catch (error) {{ results[name] = "blocked: " + error; }}
}}
(async () => {{
  const json = {{"Content-Type": "application/json"}};
  await attempt("advance", () => fetch(target + "/_smsvoice/clock/advance",
    {{method: "POST", headers: json, body: '{{"seconds": 999}}'}}));
  const plain = {{"Content-Type": "text/plain"}};
  await attempt("advance-no-cors", () => fetch(target + "/_smsvoice/clock/advance",
    {{method: "POST", mode: "no-cors", headers: plain, body: '{{"seconds": 999}}'}}));
  await attempt("reset-no-cors", () => fetch(target + "/_smsvoice/reset",
    {{method: "POST", mode: "no-cors"}}));
  await attempt("read-state", () => fetch(target + "/_smsvoice/state"));
  await attempt("read-messages", () => fetch(target + "/_smsvoice/messages/page"));
  document.getElementById("form").submit();
  window.results = results;
  document.title = "done";
}})();
</script></body></html>"""


@needs_browser
@pytest.mark.parametrize("token", [None, TOKEN])
def test_a_page_from_another_origin_cannot_drive_the_control_api(page, sim, token):
    client = sim.client()
    pool = client.create_pool(OriginationIdentity=client.request_sender_id(
        SenderId="ACME", IsoCountryCode="GB")["SenderIdArn"], MessageType="TRANSACTIONAL")["PoolId"]
    now = sim.clock.now()
    with open_inspector(sim, control_token=token) as target:
        html = EVIL_PAGE.format(target=target.endpoint_url).encode()
        evil = EndpointServer(lambda request: HttpResponse(200, {"Content-Type": "text/html"}, html))
        with evil:
            page.goto(evil.url.replace("127.0.0.1", "localhost") + "/")
            page.wait_for_function("document.title === 'done'")
            results = page.evaluate("window.results")
            # The form's cross-site POST has been answered (refused) before anything is checked.
            page.frame(name="sink").wait_for_url(re.compile("/_smsvoice/reset"))
    assert sim.clock.now() == now, results
    assert [p["PoolId"] for p in client.describe_pools()["Pools"]] == [pool], results
    for name in ("advance", "read-state", "read-messages"):
        assert results[name].startswith("blocked") or results[name].startswith("403"), results
    # Framing the inspector is refused (frame-ancestors 'none', X-Frame-Options: DENY).
    framed = page.frame_locator("#framed").locator("#tabs a")
    assert framed.count() == 0


# -- failures, reconnection, the token ---------------------------------------------------------
@needs_browser
def test_a_refused_advance_shows_the_error_and_changes_nothing(page, sim, inspector):
    now = sim.clock.now()
    page.goto(inspector.url + "#clock")
    page.fill("#advance-seconds", "2000000000")
    page.click("#advance")
    expect_(page.locator("#errors .error")).to_contain_text('"seconds" must be in [0, 1e+09]')
    assert sim.clock.now() == now
    expect_(page.locator("#clock-detail")).to_contain_text("manual clock")


@needs_browser
def test_a_decision_on_a_registration_no_longer_under_review_shows_the_error(page, sim, inspector):
    client = boto3_client(inspector.endpoint_url)
    registration = inspector_scene.submitted_registration(sim, client)
    sim.advance(3600)
    page.goto(inspector.url + "#reviewer")
    card = page.locator(f"article[data-registration-id='{registration}']")
    card.locator("button.deny").click()
    page.fill("#deny-reasons", "Vague samples")
    sim.registrations.approve(registration)  # decided behind the page's back
    page.click("#deny-submit")
    expect_(page.locator("#errors .error")).to_contain_text("ConflictException")
    found = client.describe_registrations(RegistrationIds=[registration])["Registrations"][0]
    assert found["RegistrationStatus"] == "COMPLETE"  # the denial changed nothing
    expect_(page.locator("#deny-dialog")).to_be_visible()  # nothing closed as if it had worked


@needs_browser
def test_the_page_says_the_connection_is_lost_and_reconnects_when_the_server_is_back(page, sim):
    first = open_inspector(sim)
    port = first.server.port
    try:
        page.goto(first.url)
        expect_(page.locator("#connection")).to_have_text("connected")
    finally:
        first.close()
    expect_(page.locator("#connection")).to_contain_text("connection lost")
    before = page.locator("#clock-now").text_content()
    sim.advance(3600)
    with open_inspector(sim, port=port):
        expect_(page.locator("#connection")).to_have_text("connected")
        expect_(page.locator("#clock-now")).not_to_have_text(before)  # live again


@needs_browser
def test_with_a_token_the_page_asks_for_it_and_keeps_it_out_of_urls(page, sim):
    sim.client().send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="secret stuff")
    urls: list[str] = []
    tokens: list[str | None] = []
    page.on("request", lambda r: (urls.append(r.url), tokens.append(r.headers.get("x-smsvoice-sim-token"))))
    with open_inspector(sim, control_token=TOKEN) as inspector:
        page.goto(inspector.url)
        expect_(page.locator("#token-dialog")).to_be_visible()
        expect_(page.locator("#message-rows tr")).to_have_count(0)
        page.fill("#token-input", "wrong")
        page.click("#token-submit")
        expect_(page.locator("#token-dialog")).to_be_visible()  # asked again
        page.fill("#token-input", TOKEN)
        page.click("#token-submit")
        expect_(page.locator("#message-rows tr")).to_have_count(1)
        assert page.evaluate("sessionStorage.getItem('smsvoice-sim-token')") == TOKEN
    assert not any(TOKEN in url for url in urls)
    assert TOKEN in tokens


# -- scale ---------------------------------------------------------------------------------------
@needs_browser
def test_ten_thousand_messages_and_a_thousand_resources_page_and_filter(page):
    sim = Simulator(clock="manual", seed=1, quotas={"CONFIGURATION_SETS": 1000})
    client = sim.client(short_circuit=True)
    for n in range(10_000):
        client.send_text_message(DestinationPhoneNumber=f"+1206555{n:04d}", MessageBody=f"message {n}")
    for n in range(1_000):
        client.create_configuration_set(ConfigurationSetName=f"set-{n:04d}")
    sim.advance(5)
    with open_inspector(sim) as inspector:
        page.goto(inspector.url)
        expect_(page.locator("#message-count")).to_have_text("1–100 of 10000 messages")
        page.click("#page-last")
        expect_(page.locator("#message-count")).to_have_text("9901–10000 of 10000 messages")
        page.fill("#filter-number", "+12065554321")
        expect_(page.locator("#message-count")).to_have_text("1–1 of 1 messages")
        expect_(page.locator("#message-rows")).to_contain_text("message 4321")
        open_tab(page, "resources")
        expect_(page.locator("#resource-count")).to_have_text("1–100 of 1001 resources")
        page.fill("#resource-text", "set-099")
        expect_(page.locator("#resource-count")).to_have_text("1–10 of 10 resources")
    assert page.errors == []


# -- the docs' screenshots ------------------------------------------------------------------------
@needs_browser
@pytest.mark.skipif(os.environ.get("SMSVOICE_SIM_SCREENSHOTS") != "1",
                    reason="screenshots are retaken with SMSVOICE_SIM_SCREENSHOTS=1")
def test_take_the_docs_screenshots(page, sim, inspector):
    scene = inspector_scene.build(sim, boto3_client(inspector.endpoint_url))
    sim.advance(3)  # the newest message delivered, the pool still CREATING
    page.emulate_media(color_scheme="light")
    page.goto(inspector.url)
    page.locator(f"tr[data-message-id='{scene.xss_message_id}']").click()
    expect_(page.locator("#timeline")).to_contain_text("TEXT_DELIVERED")
    # What to click on each page, and what shows once it rendered.
    shots = {"messages": (None, "#conversation li"),
             "resources": (f"tr[data-resource='{scene.pool_id}']", "svg.machine"),
             "reviewer": (None, f"article[data-registration-id='{scene.registration_id}']"),
             "clock": (None, "#outcome-rows tr"),
             "events": ("#event-rows tr[data-event-type='TEXT_DELIVERED']", "#event-detail pre")}
    for name, (click, shown) in shots.items():
        if name != "messages":
            open_tab(page, name)
        if click:
            page.locator(click).first.click()
        expect_(page.locator(shown).first).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"inspector-{name}.png"))


def test_the_docs_have_a_screenshot_of_every_page():
    """Retaken by the test above with SMSVOICE_SIM_SCREENSHOTS=1."""
    missing = [name for name in PAGES if not (SCREENSHOTS / f"inspector-{name}.png").is_file()]
    assert not missing, f"docs/images/inspector-{{{','.join(missing)}}}.png missing: run " \
                        "SMSVOICE_SIM_SCREENSHOTS=1 pytest tests/test_inspector_browser.py"
