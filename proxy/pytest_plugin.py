"""pytest plugin, registered by the package's entry point.

Fixtures:
- `smsvoice_sim`: a fresh Simulator on a manual clock, per test.
- `smsvoice_inspector`: the inspector (a web page) on that simulator, served on 127.0.0.1 and
  a free port for the test's length; its URL is printed. `--smsvoice-inspector` opens one for
  every test that uses `smsvoice_sim`: add a `breakpoint()` and look around in the browser.
- `smsvoice_client`: a boto3 client answered in-process from the cassette named by
  `@pytest.mark.smsvoice_cassette("path.db")` (relative to the test file; default
  `cassettes/<module>/<test>.db`). Matching is the addon's own.

With `on_miss="simulate"` in the marker, what the cassette lacks is answered by a
simulator (`smsvoice_session.simulator`) that first adopts what was replayed.

Option `--smsvoice-record-mode=none|once|new_episodes|all` (VCR's names; default
`none`, pure replay) records what the cassette lacks through botocore's own
HTTP stack, with your default AWS credentials.

The plugin is loaded by every pytest run in an environment where smsvoice-sim is
installed, so this module imports nothing heavy (boto3, mitmproxy, sqlite-utils,
the simulator): the fixtures do, when a test uses them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from .settings import RecordMode, marker_keywords

MARKER = "smsvoice_cassette"
# Marker keywords of the plugin itself; the session's come from settings.SessionSettings.
CLIENT_KEYWORDS = {"path": None, "region_name": "us-east-1", "client_kwargs": None}


def pytest_addoption(parser):
    group = parser.getgroup("smsvoice-sim")
    group.addoption("--smsvoice-record-mode", default=None, choices=[m.value for m in RecordMode],
                    help="record what smsvoice cassettes lack (default: none, pure replay)")
    group.addoption("--smsvoice-inspector", action="store_true", default=False,
                    help="open the inspector (a web page) on every smsvoice_sim and print its URL")


def pytest_configure(config):
    keywords = ", ".join(f"{k}={v!r}" for k, v in {**CLIENT_KEYWORDS, **marker_keywords()}.items())
    config.addinivalue_line(
        "markers", f"{MARKER}({keywords}): answer smsvoice_client from this cassette "
                   "(on_miss='simulate': the simulator answers what it lacks)")


INSPECTOR = pytest.StashKey[object]()


@pytest.fixture
def smsvoice_sim(request):
    """A fresh simulator on a manual clock, for this test only: no AWS account, no network.
    `smsvoice_sim.client(region_name=...)` is a boto3 client it answers in-process;
    `smsvoice_sim.clock.advance(seconds)` moves lifecycles on (a pool CREATING -> ACTIVE)
    without sleeping."""
    from smsvoice_sim.simulator import Simulator
    sim = Simulator(clock="manual")
    if request.config.getoption("--smsvoice-inspector"):
        _inspect(request, sim)
    return sim


@pytest.fixture
def smsvoice_inspector(request, smsvoice_sim):
    """The inspector on this test's `smsvoice_sim`: `.url` (the page), `.endpoint_url` (the
    service, for a boto3 client or another SDK)."""
    return request.node.stash.get(INSPECTOR, None) or _inspect(request, smsvoice_sim)


def _inspect(request, sim):
    """Serve `sim` and its inspector until the test ends; print where (past output capture)."""
    from .inspector import open_inspector
    inspector = open_inspector(sim)
    request.addfinalizer(inspector.close)
    request.node.stash[INSPECTOR] = inspector
    line = f"smsvoice-sim inspector for {request.node.name} at {inspector.url}"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n{line}", flush=True)
    return inspector


def _cassette_path(request) -> Path:
    marker = request.node.get_closest_marker(MARKER)
    given = (marker.args[0] if marker and marker.args else None) or \
        (marker.kwargs.get("path") if marker else None)
    base = Path(request.node.path).parent
    if given:
        path = Path(given)
        return path if path.is_absolute() else base / path
    return base / "cassettes" / request.node.path.stem / f"{request.node.name}.db"


@pytest.fixture
def smsvoice_session(request):
    """The cassette session behind `smsvoice_client`: the cassette named by
    `@pytest.mark.smsvoice_cassette(...)` (default `cassettes/<module>/<test>.db` beside the
    test file), opened in the record mode `--smsvoice-record-mode` gives (default `none`:
    replay only; a missing cassette fails the test). With `on_miss="simulate"`,
    `.simulator` answers what the cassette lacks."""
    from .session import CassetteSession
    from .settings import from_marker
    marker = request.node.get_closest_marker(MARKER)
    kwargs = dict(marker.kwargs) if marker else {}
    path = _cassette_path(request)
    settings = from_marker(str(path), kwargs, request.config.getoption("--smsvoice-record-mode"))
    if settings.record_mode == RecordMode.NONE and not path.exists():
        pytest.fail(f"smsvoice cassette {path} does not exist; record it with "
                    f"--smsvoice-record-mode=once", pytrace=False)
    session = CassetteSession.open(settings)
    yield session
    lost = session.cassette.lost()
    session.cassette.close()
    if lost is not None and session.recorded:
        pytest.fail(f"smsvoice-sim: {lost}", pytrace=False)


@pytest.fixture
def smsvoice_client(request, smsvoice_session):
    """A boto3 `pinpoint-sms-voice-v2` client answered in-process from the test's cassette
    (see `smsvoice_session`): no sockets, no proxy. Marker keywords `region_name` (default
    us-east-1) and `client_kwargs` shape it. It signs with throwaway keys on replay, and
    with your default AWS credentials when recording."""
    from .inprocess import cassette_client
    marker = request.node.get_closest_marker(MARKER)
    kwargs = dict(marker.kwargs) if marker else {}
    client_kwargs = dict(kwargs.get("client_kwargs") or {})
    # Replay signs with throwaway keys (no AWS account is needed or touched);
    # recording uses the default credential chain, as the code under test would.
    return cassette_client(smsvoice_session, region_name=kwargs.get("region_name", "us-east-1"),
                           use_default_credentials=smsvoice_session.may_record, **client_kwargs)
