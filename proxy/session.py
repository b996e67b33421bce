"""Record and replay against one cassette: the decisions every door shares.

For each request: replay the next recorded response for its match key, or
forward it upstream to be recorded, or answer a miss — depending on the
record mode (VCR's names):

- `none`: replay only; a miss is an error, never a network call;
- `once`: record everything if the cassette started empty, else as `none`;
- `new_episodes`: replay what matches, record what does not;
- `all`: record everything, replay nothing.

Repeated identical requests (a polling loop) replay their recorded responses
in order; when the sequence is used up the last one repeats, or (with
`on_exhausted="error"`) the request is a miss.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from simulator import HttpRequest, HttpResponse
from simulator.wire import json_response

from .cassette import Cassette
from .matching import MatchKey, differing_fields, match_key, operation_of, region_of
from .redaction import Redactor

RECORD_MODES = ("none", "once", "new_episodes", "all")
EXHAUSTED = ("repeat", "error")
MISS_TYPE = "SmsVoiceSimCassetteMiss"


@dataclass
class Decision:
    action: str  # "replay", "forward" (send upstream, then record) or "miss"
    response: HttpResponse | None = None
    key: MatchKey | None = None


@dataclass
class Pending:
    """A request on its way upstream, remembered until its response is recorded."""

    request: HttpRequest
    secrets: list[str]
    started_at: float = field(default_factory=time.time)
    started: float = field(default_factory=time.perf_counter)


class CassetteSession:
    def __init__(self, cassette: Cassette, record_mode: str = "none", on_exhausted: str = "repeat",
                 ignore: tuple[str, ...] = (), redact_patterns: tuple[str, ...] = (),
                 pseudonymise: bool = False, announce=None):
        if record_mode not in RECORD_MODES:
            raise ValueError(f"record mode {record_mode!r}: use one of {', '.join(RECORD_MODES)}")
        if on_exhausted not in EXHAUSTED:
            raise ValueError(f"on_exhausted {on_exhausted!r}: use repeat or error")
        self.cassette = cassette
        self.record_mode = record_mode
        self.on_exhausted = on_exhausted
        self.ignore = tuple(ignore)
        self.redactor = Redactor(list(redact_patterns), pseudonymise,
                                 salt=cassette.meta("pseudonym_salt") or "")
        self.started_empty = cassette.count() == 0
        self.cursors: dict[str, int] = {}
        self.announce = announce  # callable(str) for progress lines, or None
        self.replayed = self.recorded = self.missed = 0
        self._lock = threading.Lock()

    @property
    def may_record(self) -> bool:
        return self.record_mode in ("new_episodes", "all") or (
            self.record_mode == "once" and self.started_empty)

    def key_of(self, request: HttpRequest) -> MatchKey:
        # Keys are computed on the redacted request: that is what the cassette holds.
        region = region_of(request)
        return match_key(self.redactor.request(request), self.ignore, region=region)

    def decide(self, request: HttpRequest) -> Decision:
        key = self.key_of(request)
        if self.record_mode == "all":
            return Decision("forward", key=key)
        with self._lock:
            index = self.cursors.get(key.digest, 0)
            hit = self.cassette.nth_match(key.digest, index)
            if hit is None and index > 0 and not self.may_record and self.on_exhausted == "repeat":
                hit = self.cassette.nth_match(key.digest, index - 1)
            elif hit is not None:
                self.cursors[key.digest] = index + 1
            if hit is not None:
                self.replayed += 1
                return Decision("replay", _fresh(hit.response), key)
            if self.may_record:
                return Decision("forward", key=key)
            self.missed += 1
        return Decision("miss", self.miss_response(key, exhausted=index > 0), key)

    def start(self, request: HttpRequest) -> Pending:
        return Pending(request, Redactor.secrets_of(request))

    def record(self, pending: Pending, response: HttpResponse) -> int:
        duration_ms = (time.perf_counter() - pending.started) * 1000
        request = self.redactor.request(pending.request, pending.secrets)
        stored = self.redactor.response(response, pending.secrets)
        key = match_key(request, self.ignore, region=region_of(pending.request))
        with self._lock:
            seq = self.cassette.append(
                operation=key.operation, region=key.region, match_key=key.digest,
                match_body=key.body, request=request, response=stored,
                recorded_at=pending.started_at, duration_ms=duration_ms)
            # What was just recorded counts as played: a later identical request
            # in this session gets the next response, not this one again.
            self.cursors[key.digest] = self.cursors.get(key.digest, 0) + 1
            self.recorded += 1
        if self.announce:
            self.announce(f"recorded #{seq} {key.operation or request.url} -> {response.status} "
                          f"({duration_ms:.0f} ms)")
        return seq

    def miss_response(self, key: MatchKey, exhausted: bool = False) -> HttpResponse:
        operation = key.operation or "(not an sms-voice request)"
        if exhausted:
            detail = (f"its {self.cassette.matches(key.digest)} recorded response(s) were all "
                      "replayed already (on_exhausted=error)")
        else:
            detail = self._closest(key)
        message = (
            f"smsvoice-sim replay: no recorded interaction in cassette {self.cassette.path} "
            f"matches PinpointSMSVoiceV2.{operation} in region {key.region or '?'}; {detail}. "
            "Nothing was sent upstream. To record it, replay with --record-mode new_episodes "
            "(pytest: --smsvoice-record-mode=new_episodes), or re-record the cassette.")
        return json_response(400, {"__type": MISS_TYPE, "message": message},
                             {"x-amzn-ErrorType": MISS_TYPE, "x-smsvoice-sim-miss": operation})

    def _closest(self, key: MatchKey) -> str:
        best, best_diff = None, None
        for candidate in self.cassette.candidates(key.operation):
            diff = differing_fields(key, MatchKey(candidate.operation, candidate.region,
                                                  candidate.match_body))
            if best_diff is None or len(diff) < len(best_diff):
                best, best_diff = candidate, diff
        if best is None:
            total = self.cassette.count()
            return (f"the cassette has no {key.operation} interaction at all "
                    f"({total} interaction(s) of other operations)")
        return (f"the closest recorded interaction is #{best.seq} ({best.operation}, "
                f"region {best.region}), which differs in: {', '.join(best_diff) or 'nothing'}")


def _fresh(response: HttpResponse) -> HttpResponse:
    return HttpResponse(response.status, dict(response.headers), response.body)


def is_sms_voice(request: HttpRequest) -> bool:
    host = request.host.split(":", 1)[0]
    return bool(operation_of(request)) or (host.startswith("sms-voice.")
                                           and host.endswith(".amazonaws.com"))
