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

import enum
import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache

import botocore.loaders

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.http import json_response
from smsvoice_sim.simulator.wire.model import SERVICE_NAME, SIGNING_NAME

from .cassette import Cassette, CassetteWriteError
from .matching import (
    MatchKey,
    canonical_body,
    differing_fields,
    match_key,
    operation_of,
    region_of,
)
from .redaction import Redactor, printable
from .settings import Mode, OnExhausted, OnMiss, RecordMode, SessionSettings, quota_pair

RECORD_MODES = tuple(m.value for m in RecordMode)
EXHAUSTED = tuple(m.value for m in OnExhausted)
MISS_TYPE = "SmsVoiceSimCassetteMiss"
NOT_RECORDED_TYPE = "SmsVoiceSimNotRecorded"


class Action(enum.StrEnum):
    REPLAY = "replay"  # answered from the cassette
    FORWARD = "forward"  # send upstream, then record
    SIMULATE = "simulate"  # answered by the simulator (on_miss=simulate)
    MISS = "miss"  # answered with a miss error


@dataclass
class Decision:
    action: Action
    response: HttpResponse | None = None


@dataclass
class Pending:
    """A request on its way upstream, remembered until its response is recorded."""

    request: HttpRequest
    secrets: list[str]
    wall_started: float = field(default_factory=time.time)  # stored as recorded_at
    perf_started: float = field(default_factory=time.perf_counter)  # for duration_ms


class NotRecorded(Exception):
    """An answered interaction that could not be written to the cassette."""


class CassetteSession:
    def __init__(self, cassette: Cassette, record_mode: str | RecordMode = "none",
                 on_exhausted: str | OnExhausted = "repeat",
                 ignore: tuple[str, ...] = (), redact_patterns: tuple[str, ...] = (),
                 pseudonymise: bool = False, announce=None, simulator=None,
                 write_timeout: float = 5.0):
        try:
            self.record_mode = RecordMode(record_mode)
        except ValueError:
            raise ValueError(f"record mode {record_mode!r}: use one of {', '.join(RECORD_MODES)}") \
                from None
        try:
            self.on_exhausted = OnExhausted(on_exhausted)
        except ValueError:
            raise ValueError(f"on_exhausted {on_exhausted!r}: use repeat or error") from None
        self.cassette = cassette
        self.write_timeout = write_timeout
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
        self.unrecorded = 0  # answered upstream, but the write failed (the client was told)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings: SessionSettings, announce=None) -> CassetteSession:
        """The cassette and (with on_miss=simulate) the simulator the settings ask for."""
        from smsvoice_sim.simulator import Simulator
        record_mode = settings.effective_record_mode
        simulator = None
        if settings.on_miss == OnMiss.SIMULATE and settings.mode == Mode.REPLAY:
            simulator = Simulator(clock=settings.sim_clock, seed=settings.sim_seed,
                                  quotas=dict(quota_pair(rule) for rule in settings.sim_quotas),
                                  extra_regions=settings.sim_regions)
        # Pure replay never writes: read-only, so a read-only checkout replays too.
        cassette = Cassette(settings.cassette, create=record_mode != RecordMode.NONE,
                            readonly=record_mode == RecordMode.NONE)
        try:
            return cls(cassette, record_mode=record_mode, on_exhausted=settings.on_exhausted,
                       ignore=settings.ignore, redact_patterns=settings.redact,
                       pseudonymise=settings.pseudonymise, announce=announce,
                       simulator=simulator, write_timeout=settings.write_timeout)
        except BaseException:
            cassette.close()
            raise

    @property
    def may_record(self) -> bool:
        return self.record_mode in (RecordMode.NEW_EPISODES, RecordMode.ALL) or (
            self.record_mode == RecordMode.ONCE and self.started_empty)

    def rewind(self) -> None:
        """Start every recorded sequence again from its first response (a second test run
        against the same replay process), and reset the on-miss simulator, if any."""
        with self._lock:
            self.cursors.clear()
            if self.simulator is not None:
                self.simulator.reset()

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
        assert self._index is not None  # built by the lookup that adds to it
        base = MatchKey(it.operation, it.region, it.match_body)
        self._index.setdefault(_without(base, self.ignore).digest, []).append(it.id)

    def decide(self, request: HttpRequest) -> Decision:
        key = self.key_of(request, self.ignore)
        if self.record_mode == RecordMode.ALL:
            return Decision(Action.FORWARD)
        with self._lock:
            index = self.cursors.get(key.digest, 0)
            hit = self._nth(key, index)
            if hit is None and index > 0 and not self.may_record and \
                    self.on_exhausted == OnExhausted.REPEAT:
                hit = self._nth(key, index - 1)
            elif hit is not None:
                self.cursors[key.digest] = index + 1
            if hit is not None:
                self.replayed += 1
                if self.simulator is not None:
                    self.simulator.adopt(key.operation, request.body, hit.response.status,
                                         hit.response.body)
                return Decision(Action.REPLAY, _fresh(hit.response))
            if self.may_record:
                return Decision(Action.FORWARD)
            if self.simulator is not None:
                self.simulated += 1
                return Decision(Action.SIMULATE, self.simulator.handle(request))
            self.missed += 1
        return Decision(Action.MISS, self.miss_response(key, exhausted=index > 0))

    def start(self, request: HttpRequest) -> Pending:
        return Pending(request, Redactor.secrets_of(request))

    def record(self, pending: Pending, response: HttpResponse) -> int:
        """Redact and write one answered interaction; raises NotRecorded when it cannot be
        written (the caller must then tell its client so)."""
        return self.write(self.prepare(pending, response))

    def prepare(self, pending: Pending, response: HttpResponse) -> dict:
        """The redacted row for an answered interaction (pure: no I/O)."""
        duration_ms = (time.perf_counter() - pending.perf_started) * 1000
        request = self.redactor.request(pending.request, pending.secrets)
        stored = self.redactor.response(response, pending.secrets)
        key = match_key(request, region=region_of(pending.request))
        return {"key": key, "request": request, "response": stored,
                "recorded_at": pending.wall_started, "duration_ms": duration_ms}

    def write(self, row: dict) -> int:
        """Commit a prepared row (blocking: call it off the event loop). A write lock held
        elsewhere is waited for at most `write_timeout` seconds."""
        key: MatchKey = row["key"]
        try:
            seq, row_id = self.cassette.append(
                operation=key.operation, region=key.region, match_key=key.digest,
                match_body=key.body, request=row["request"], response=row["response"],
                recorded_at=row["recorded_at"], duration_ms=row["duration_ms"],
                timeout=self.write_timeout, with_id=True)
        except CassetteWriteError as exc:
            with self._lock:
                self.unrecorded += 1
            raise NotRecorded(str(exc)) from exc
        with self._lock:
            played = _without(key, self.ignore).digest
            if self._index is not None:
                self._index.setdefault(played, []).append(row_id)
            # What was just recorded counts as played: a later identical request
            # in this session gets the next response, not this one again.
            self.cursors[played] = self.cursors.get(played, 0) + 1
            self.recorded += 1
        if self.announce:
            self.announce(printable(f"recorded #{seq} {key.operation or row['request'].url} -> "
                                    f"{row['response'].status} ({row['duration_ms']:.0f} ms)"))
        return seq

    def not_recorded_response(self, status: int, reason: str) -> HttpResponse:
        """What a client is told instead of an answer that could not be recorded."""
        message = (f"smsvoice-sim record: the upstream answered {status}, but the interaction "
                   f"was NOT recorded in cassette {self.cassette.path}: {reason}. The request did "
                   "reach the upstream (it may have changed something there).")
        return json_response(400, {"__type": NOT_RECORDED_TYPE, "message": message},
                             {"x-amzn-ErrorType": NOT_RECORDED_TYPE})

    def summary(self) -> str:
        return (f"smsvoice-sim: {self.recorded} recorded, {self.replayed} replayed, "
                f"{self.simulated} simulated, {self.missed} missed, {self.unrecorded} not recorded "
                f"(answered with an error)")

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
        best, best_diff = None, list[str]()
        for candidate in self.cassette.candidates(key.operation):
            diff = differing_fields(key, MatchKey(candidate.operation, candidate.region,
                                                  candidate.match_body))
            if best is None or len(diff) < len(best_diff):
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


def normalised_host(host: str) -> str:
    """A host as DNS compares it: no port, no brackets, lower case, no trailing dot
    (`SMS-VOICE.US-EAST-1.AMAZONAWS.COM.:443` is `sms-voice.us-east-1.amazonaws.com`)."""
    host = host.strip()
    if host.startswith("["):  # [::1]:443
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.lower().rstrip(".")


@lru_cache(maxsize=1)
def _service_host() -> re.Pattern:
    """Every host botocore's endpoint rules give this service, in every partition: the
    endpoint prefixes (`sms-voice`, `sms-voice-fips`) from the service's rule set, the DNS
    suffixes (plain and dual-stack: `amazonaws.com`, `api.aws`, `amazonaws.com.cn`, ...)
    from botocore's partitions. Read, not retyped: a new partition is known at once."""
    loader = botocore.loaders.create_loader()
    rules = json.dumps(loader.load_service_model(SERVICE_NAME, "endpoint-rule-set-1"))
    prefixes = set(re.findall(r"https://([a-z0-9-]+)\.\{Region\}", rules)) or {SIGNING_NAME}
    suffixes = {partition["outputs"][name]
                for partition in loader.load_data("partitions")["partitions"]
                for name in ("dnsSuffix", "dualStackDnsSuffix")}
    return re.compile(rf"(?:{'|'.join(map(re.escape, sorted(prefixes)))})\.[a-z0-9-]+\."
                      rf"(?:{'|'.join(map(re.escape, sorted(suffixes)))})")


def is_service_host(host: str) -> bool:
    """Whether `host`, however it is spelled, is one of this service's AWS endpoints."""
    return bool(_service_host().fullmatch(normalised_host(host)))


def is_sms_voice(request: HttpRequest) -> bool:
    """Traffic for this service: an X-Amz-Target of it, or addressed (URL or Host header)
    to one of its endpoints. Only `record` asks this, to choose what to record; in replay
    nothing leaves whatever this says."""
    url_host = request.url.split("://", 1)[-1].split("/", 1)[0]
    return bool(operation_of(request)) or is_service_host(request.host) or \
        is_service_host(url_host)
