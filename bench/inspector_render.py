"""The inspector with 10,000 messages and 1,000 resources, in headless Chromium: how long the
page takes to show them, page through and filter them (`python -m bench.inspector_render`).

Needs Debian's chromium (/usr/bin/chromium) and the playwright package (the `test` extra). Each
figure is the median of ROUNDS, timed by the page's own clock: from the user's click or
keystroke (or the navigation's start) to the end of the render that shows the rows (app.js marks
each render with performance.measure), the control API's answer included; "rendering" is the
render's JavaScript alone. Playwright's own overhead is not counted."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from smsvoice_sim.proxy.inspector import open_inspector
from smsvoice_sim.simulator import Simulator

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ROUNDS = 5
MESSAGES, RESOURCES = 10_000, 1_000


def world() -> Simulator:
    sim = Simulator(clock="manual", seed=1, quotas={"CONFIGURATION_SETS": RESOURCES})
    client = sim.client(short_circuit=True)
    for n in range(MESSAGES):
        client.send_text_message(DestinationPhoneNumber=f"+1206555{n:04d}", MessageBody=f"message {n}")
    for n in range(RESOURCES):
        client.create_configuration_set(ConfigurationSetName=f"set-{n:04d}")
    sim.advance(5)
    return sim


# Every click, keystroke and choice is noted (capturing) before the page's handlers run.
NOTE_EVENTS = """for (const kind of ["click", "input", "change"]) {
  document.addEventListener(kind, () => { window.lastAction = performance.now(); }, true);
}"""


def _last_render_ms(page, view: str) -> float:
    return page.evaluate(f"performance.getEntriesByName('render {view}').at(-1).duration")


def _shown(page, action, selector: str, text: str, view: str) -> float:
    """From the action (or the navigation's start) to the end of the render showing `text`."""
    page.evaluate("window.lastAction = 0") if page.url.startswith("http") else None
    action()
    page.wait_for_function("([s, t]) => document.querySelector(s)?.textContent === t",
                           arg=[selector, text], timeout=30_000, polling="raf")
    return page.evaluate(f"""(() => {{
        const render = performance.getEntriesByName('render {view}').at(-1);
        return render.startTime + render.duration - (window.lastAction || 0);
    }})()""")


def measure(page, url: str) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        found.setdefault(name, []).append(value)

    for _ in range(ROUNDS):
        note("open the page: 100 of 10,000 messages shown (ms)",
             _shown(page, lambda: page.goto(url), "#message-count", "1–100 of 10000 messages", "messages"))
        note("  of which rendering 100 rows (ms)", _last_render_ms(page, "messages"))
        note("jump to the oldest page (ms)",
             _shown(page, lambda: page.click("#page-last"), "#message-count",
                    "9901–10000 of 10000 messages", "messages"))
        note("filter 10,000 by number (ms, 250 of them the typing pause)",
             _shown(page, lambda: page.fill("#filter-number", "+12065554321"), "#message-count",
                    "1–1 of 1 messages", "messages"))
        page.fill("#filter-number", "")
        page.wait_for_function("document.querySelector('#message-count').textContent"
                               ".endsWith('of 10000 messages')")
        note("500 rows a page (ms)",
             _shown(page, lambda: page.select_option("#page-size", "500"), "#message-count",
                    "1–500 of 10000 messages", "messages"))
        note("  of which rendering 500 rows (ms)", _last_render_ms(page, "messages"))
        note("open resources: 100 of 1,001 shown (ms)",
             _shown(page, lambda: page.click("a[data-view='resources']"), "#resource-count",
                    "1–100 of 1001 resources", "resources"))
        note("filter 1,001 resources by name (ms, 250 of them the typing pause)",
             _shown(page, lambda: page.fill("#resource-text", "set-099"), "#resource-count",
                    "1–10 of 10 resources", "resources"))
    return found


def main() -> int:
    if not CHROMIUM.exists():
        print(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
        return 1
    from playwright.sync_api import sync_playwright
    started = time.perf_counter()
    sim = world()
    print(f"{MESSAGES} messages and {RESOURCES} configuration sets made in "
          f"{time.perf_counter() - started:.1f} s")
    with open_inspector(sim) as inspector, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        # bypass_csp: the page's policy forbids evaluating strings, which wait_for_function
        # does to see the rows as soon as they are drawn (the page itself is unchanged).
        page = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
        page.add_init_script(NOTE_EVENTS)
        print(f"Chromium {browser.version}, median of {ROUNDS} rounds")
        for name, values in measure(page, inspector.url).items():
            low, high = min(values), max(values)
            print(f"  {name:52} {statistics.median(values):8.1f}   (min {low:.1f}, max {high:.1f})")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
