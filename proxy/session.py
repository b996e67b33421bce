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

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire import json_response

from .cassette import Cassette
from .matching import (
    MatchKey,
    canonical_body,
    differing_fields,
    match_key,
    operation_of,
    region_of,
)
from .redaction import Redactor

RECORD_MODES = ("none", "once", "new_episodes", "all")
EXHAUSTED = ("repeat", "error")
MISS_TYPE = "SmsVoiceSimCassetteMiss"


@dataclass
class Decision:
    action: str  # "replay", "forward" (send upstream, then record), "simulate" or "miss"
    response: HttpResponse | None = None


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
                 pseudonymise: bool = False, announce=None, simulator=None):
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
        self._index: dict[str, list[int]] | None = None
        self.announce = announce  # callable(str) for progress lines, or None
        # With a simulator, a miss is answered by it (replay, then simulate), and every
        # replayed answer is adopted first, so the simulator carries on from the recording.
        self.simulator = simulator
        self.replayed = self.recorded = self.missed = self.simulated = 0
        self._lock = threading.Lock()

    @property
    def may_record(self) -> bool:
        return self.record_mode in ("new_episodes", "all") or (
            self.record_mode == "once" and self.started_empty)

    def key_of(self, request: HttpRequest, ignore: tuple[str, ...] = ()) -> MatchKey:
        # Keys are computed on the redacted request: that is what the cassette holds.
        region = region_of(request)
        return match_key(self.redactor.request(request), ignore, region=region)

    def _nth(self, key: MatchKey, index: int):
        """The index-th recorded interaction for `key`. The cassette indexes keys made
        without user ignores; with some, an in-memory index re-keys it once."""
        if not self.ignore:
            return self.cassette.nth_match(key.digest, index)
        if self._index is None:
            self._index = {}
            for it in self.cassette.interactions():
                self._index_add(it)
        ids = self._index.get(key.digest, [])
        return self.cassette.by_id(ids[index]) if index < len(ids) else None

    def _index_add(self, it) -> None:
        base = MatchKey(it.operation, it.region, it.match_body)
        self._index.setdefault(_without(base, self.ignore).digest, []).append(it.id)

    def decide(self, request: HttpRequest) -> Decision:
        key = self.key_of(request, self.ignore)
        if self.record_mode == "all":
            return Decision("forward")
        with self._lock:
            index = self.cursors.get(key.digest, 0)
            hit = self._nth(key, index)
            if hit is None and index > 0 and not self.may_record and self.on_exhausted == "repeat":
                hit = self._nth(key, index - 1)
            elif hit is not None:
                self.cursors[key.digest] = index + 1
            if hit is not None:
                self.replayed += 1
                if self.simulator is not None:
                    self.simulator.adopt(key.operation, request.body, hit.response.status,
                                         hit.response.body)
                return Decision("replay", _fresh(hit.response))
            if self.may_record:
                return Decision("forward")
            if self.simulator is not None:
                self.simulated += 1
                return Decision("simulate", self.simulator.handle(request))
            self.missed += 1
        return Decision("miss", self.miss_response(key, exhausted=index > 0))

    def start(self, request: HttpRequest) -> Pending:
        return Pending(request, Redactor.secrets_of(request))

    def record(self, pending: Pending, response: HttpResponse) -> int:
        duration_ms = (time.perf_counter() - pending.started) * 1000
        request = self.redactor.request(pending.request, pending.secrets)
        stored = self.redactor.response(response, pending.secrets)
        key = match_key(request, region=region_of(pending.request))
        with self._lock:
            seq = self.cassette.append(
                operation=key.operation, region=key.region, match_key=key.digest,
                match_body=key.body, request=request, response=stored,
                recorded_at=pending.started_at, duration_ms=duration_ms)
            played = _without(key, self.ignore).digest
            if self._index is not None:
                self._index.setdefault(played, []).append(self.cassette.last_id())
            # What was just recorded counts as played: a later identical request
            # in this session gets the next response, not this one again.
            self.cursors[played] = self.cursors.get(played, 0) + 1
            self.recorded += 1
        if self.announce:
            self.announce(f"recorded #{seq} {key.operation or request.url} -> {response.status} "
                          f"({duration_ms:.0f} ms)")
        return seq

    def miss_response(self, key: MatchKey, exhausted: bool = False) -> HttpResponse:
        operation = key.operation or "(not an sms-voice request)"
        if exhausted:
            count = len(self._index.get(key.digest, [])) if self.ignore and self._index is not None \
                else self.cassette.matches(key.digest)
            detail = (f"its {count} recorded response(s) were all "
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


def _without(key: MatchKey, ignore: tuple[str, ...]) -> MatchKey:
    if not ignore:
        return key
    return MatchKey(key.operation, key.region,
                    canonical_body(key.operation, key.body.encode(), ignore))


def _fresh(response: HttpResponse) -> HttpResponse:
    return HttpResponse(response.status, dict(response.headers), response.body)


def is_sms_voice(request: HttpRequest) -> bool:
    host = request.host.split(":", 1)[0]
    return bool(operation_of(request)) or (host.startswith("sms-voice.")
                                           and host.endswith(".amazonaws.com"))
