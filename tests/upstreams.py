"""Stand-ins the door tests share: an upstream that counts what reaches it (and its
fixture), a mitmproxy confdir, raw requests boto3 would never send, and a throwaway
copy of the shipped cassette. A test module takes the fixtures with
`pytest_plugins = ["upstreams"]`."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from smsvoice_sim.proxy.http_server import EndpointServer
from smsvoice_sim.simulator import HttpResponse

from helpers import ROOT

SHIPPED = ROOT / "cassettes" / "pool_lifecycle.db"
TARGET = "PinpointSMSVoiceV2."
CREDS = {"aws_access_key_id": "AKIATESTTESTTEST0000", "aws_secret_access_key": "test-secret"}


class CountingUpstream:
    """Stands in for AWS: answers 200 `{}` to anything and counts what reached it. `delay`
    is network latency: it keeps requests in flight long enough to be caught mid-way.
    `tls` = (certfile, keyfile) serves HTTPS, as AWS does."""

    def __init__(self, delay: float = 0.0, tls: tuple[str, str] | None = None):
        self.hits = 0
        self.delay = delay
        self._lock = threading.Lock()
        self.server = EndpointServer(self._answer, tls=tls).start()
        self.port = self.server.port
        self.url = self.server.url

    def _answer(self, request):
        with self._lock:
            self.hits += 1
        if self.delay:
            threading.Event().wait(self.delay)
        return HttpResponse(200, {"Content-Type": "application/x-amz-json-1.0"}, b"{}")

    def close(self):
        self.server.close()


@pytest.fixture
def upstream():
    """A CountingUpstream, closed after the test."""
    up = CountingUpstream()
    yield up
    up.close()


@pytest.fixture(scope="session")
def confdir(tmp_path_factory):
    """mitmproxy's confdir: its CA is made once and shared by every door test."""
    return str(tmp_path_factory.mktemp("mitmproxy-conf"))


def post(url: str, body: bytes = b"{}", target: str | None = TARGET + "DescribePools",
         method: str = "POST", headers: dict | None = None) -> tuple[int, dict, dict]:
    """A raw request (what boto3 would never send): (status, headers, JSON body or {})."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        sent = {"Content-Type": "application/x-amz-json-1.0", **(headers or {})}
        if target:
            sent["X-Amz-Target"] = target
        conn.request(method, "/", body=body, headers=sent)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"raw": raw.decode(errors="replace")}
        return resp.status, dict(resp.getheaders()), payload
    finally:
        conn.close()


def shipped_copy(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    shutil.copy(SHIPPED, path)
    return path
