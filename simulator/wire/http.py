"""The small value every door turns a request into, and AWS JSON 1.0 framing."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger("smsvoice_sim.simulator")


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


@dataclass
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str, default: str | None = None) -> str | None:
        # Headers are not changed once a request is made; the lowered view is built once.
        lowered = self.__dict__.get("_lowered")
        if lowered is None:
            lowered = self.__dict__["_lowered"] = _lower(self.headers)
        return lowered.get(name.lower(), default)

    @property
    def path(self) -> str:
        rest = self.url.split("://", 1)[-1]
        slash = rest.find("/")
        return "/" if slash < 0 else rest[slash:]

    @property
    def host(self) -> str:
        hdr = self.header("host")
        if hdr:
            return hdr
        rest = self.url.split("://", 1)[-1]
        return rest.split("/", 1)[0]


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds a door waits before answering (injected latency only)

    def json(self):
        return json.loads(self.body) if self.body else None


JSON_CONTENT_TYPE = "application/x-amz-json-1.0"


def json_response(status: int, payload: dict, extra_headers: dict[str, str] | None = None,
                  content_type: str = JSON_CONTENT_TYPE) -> HttpResponse:
    try:
        body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    except ValueError:  # NaN or Infinity, which JSON cannot carry: a bug, answered as one
        log.exception("smsvoice-sim bug: an answer held NaN or Infinity")
        status, body = 500, json.dumps({
            "__type": "InternalServerException",
            "Message": "smsvoice-sim bug: the answer held a number JSON cannot carry"}).encode()
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    if extra_headers:
        headers.update(extra_headers)
    return HttpResponse(status, headers, body)


def operation_from_target(target: str | None, prefix: str) -> str | None:
    """`PinpointSMSVoiceV2.CreatePool` -> `CreatePool`; None if not this service's."""
    if not target or "." not in target:
        return None
    head, _, op = target.partition(".")
    return op if head == prefix and op else None


class Delayed(Protocol):
    """An answer a latency fault may delay: an HttpResponse, or pipeline.py's Answer."""

    @property
    def delay(self) -> float: ...


def sleep_for_injected_latency(response: Delayed) -> None:
    """Sleep as long as a latency fault asked: the only wait in smsvoice-sim."""
    if response.delay > 0:
        threading.Event().wait(min(response.delay, 300.0))


wait_for = sleep_for_injected_latency  # the name the doors still import
