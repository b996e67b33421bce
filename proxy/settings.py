"""The record/replay settings, declared once.

Each field of `SessionSettings` is one option. From this one declaration come
the CLI flags of `smsvoice-sim record|replay`, the addon's mitmproxy options
(`--set smsvoice_<name>=...`) and the configure watch list, and the keywords
of the pytest marker. Adding an option is one field here plus its behaviour.

The choices are Enums with VCR.py's names where VCR has them (record modes).
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import math
import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

PREFIX = "smsvoice_"  # every mitmproxy option of the addon starts so


class Mode(enum.StrEnum):
    RECORD = "record"
    REPLAY = "replay"


class RecordMode(enum.StrEnum):
    """VCR's record modes."""

    NONE = "none"  # replay only; a miss is an error, never a network call
    ONCE = "once"  # record everything if the cassette started empty, else as NONE
    NEW_EPISODES = "new_episodes"  # replay what matches, record what does not
    ALL = "all"  # record everything, replay nothing


class OnExhausted(enum.StrEnum):
    REPEAT = "repeat"  # a used-up polling sequence repeats its last response
    ERROR = "error"  # ... or is a miss


class OnMiss(enum.StrEnum):
    ERROR = "error"  # a miss is a clear error
    SIMULATE = "simulate"  # the simulator answers it, after adopting what was replayed


def seconds(value: str) -> float:
    """A number of seconds: finite and not negative (NaN and infinities are refused)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"{value!r}: give a finite number of seconds >= 0")
    return number


def clock_spec(value: str) -> str:
    from smsvoice_sim.simulator.engine.clock import make_clock
    try:
        make_clock(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def quota_pair(value: str) -> tuple[str, int]:
    """NAME=N: one of the simulator's quotas (its table in simulator/region.py) set to N;
    ValueError for anything else."""
    from smsvoice_sim.simulator.engine.quotas import quota_table
    name, sep, number = value.partition("=")
    if not sep or not number.strip().isdigit():
        raise ValueError(f"{value!r}: use NAME=N, e.g. SENDER_IDS=100")
    quota_table({name: int(number)})
    return name, int(number)


def quota_setting(value: str) -> tuple[str, int]:
    """The --quota flag of `simulate`."""
    try:
        return quota_pair(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def quota_rule(value: str) -> str:
    """The --quota flag of `replay --on-miss simulate`: checked, kept as written (a session
    option is a list of strings in mitmproxy and the pytest marker)."""
    quota_setting(value)
    return value


def regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"bad regular expression {value!r}: {exc}") from None
    return value


def parse_resolve(rule: str) -> tuple[str, str, int] | None:
    """A HOST=ADDRESS:PORT rule (curl's --resolve) as (host, address, port), or None."""
    host, _, target = rule.partition("=")
    address, _, port = target.rpartition(":")
    if host and address and port.isdigit() and 0 < int(port) < 65536:
        return host, address, int(port)
    return None


def resolve_rule(value: str) -> str:
    """The --resolve flag: a rule the addon could not read would be ignored, and the
    request would go to the real HOST."""
    if parse_resolve(value) is None:
        raise argparse.ArgumentTypeError(f"{value!r}: use HOST=ADDRESS:PORT, e.g. "
                                         "sms-voice.us-east-1.amazonaws.com=127.0.0.1:4566")
    return value


def option(default: Any, help: str, *, flag: str | None = "", replay_only: bool = False,  # noqa: A002
           marker: str | None = "", marker_default: Any = dataclasses.MISSING,
           metavar: str | None = None, parse=None, mitm_type=None):
    """One option's declaration. `flag=""` derives `--name-with-dashes`, None: no CLI flag;
    `marker=""` derives the marker keyword from the name, None: not a marker keyword.
    A bool defaulting to True gets a `--no-...` flag."""
    meta = {"help": help, "flag": flag, "replay_only": replay_only, "marker": marker,
            "marker_default": marker_default, "metavar": metavar, "parse": parse,
            "mitm_type": mitm_type}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class SessionSettings:
    cassette: str = option("", "Cassette file (SQLite).", flag=None, marker=None)
    mode: Mode = option(Mode.REPLAY, "record or replay.", flag=None, marker=None)
    record_mode: RecordMode = option(
        RecordMode.NONE, "In replay: VCR's record modes; none (default) is pure replay.",
        replay_only=True)
    on_exhausted: OnExhausted = option(
        OnExhausted.REPEAT, "When a polling sequence is used up: repeat the last response "
        "(default) or answer a miss.", replay_only=True)
    on_miss: OnMiss = option(
        OnMiss.ERROR, "In replay: answer what the cassette lacks with an error (default) or "
        "with the simulator, which first adopts what was replayed.", replay_only=True)
    ignore: tuple[str, ...] = option(
        (), "Request member to ignore when matching (dotted path; repeatable).", metavar="MEMBER")
    redact: tuple[str, ...] = option(
        (), "Extra regular expression scrubbed before anything is written (repeatable).",
        metavar="REGEX", parse=regex)
    pseudonymise: bool = option(
        False, "Replace account ids and phone numbers with consistent pseudonyms.")
    resign: bool = option(
        True, "In reverse mode, re-sign upstream requests with the recorder's credentials "
        "(the client signed for the listener's host); --no-resign forwards the client's own "
        "signature unchanged.", marker=None)
    profile: str = option("", "AWS profile whose credentials re-sign upstream requests.",
                          marker=None)
    resolve: tuple[str, ...] = option(
        (), "HOST=ADDRESS:PORT: send upstream requests for HOST there instead (curl's --resolve; "
        "e.g. a local stand-in for an AWS host).", metavar="HOST=ADDRESS:PORT", marker=None,
        parse=resolve_rule)
    sim_clock: str = option(
        "real", "The simulator's clock with on_miss=simulate: real, manual, instant, reads:N.",
        flag="--clock", replay_only=True, marker="clock", marker_default="manual",
        metavar="CLOCK", parse=clock_spec)
    sim_seed: Optional[int] = option(  # noqa: UP045 - mitmproxy's option typecheck needs Optional
        None, "The simulator's seed with on_miss=simulate.", flag="--seed", replay_only=True,
        metavar="SEED", marker=None, parse=int)
    sim_quotas: tuple[str, ...] = option(
        (), "NAME=N: one of the simulator's quotas with on_miss=simulate, e.g. SENDER_IDS=100 "
        "(repeatable).", flag="--quota", replay_only=True, marker="quotas", metavar="NAME=N",
        parse=quota_rule)
    sim_regions: tuple[str, ...] = option(
        (), "NAME: also answer in this region with on_miss=simulate (repeatable); by default "
        "only the regions botocore lists for the service.", flag="--region-allow",
        replay_only=True, marker=None, metavar="NAME")
    control: bool = option(True, "Serve the /_smsvoice/ control API (--no-control: off).",
                           marker=None)
    control_token: str = option(
        "", "Require this token (X-SmsVoice-Sim-Token header) on control calls.",
        metavar="TOKEN", marker=None)
    write_timeout: float = option(
        5.0, "Seconds to wait for a cassette write lock held by another program before the "
        "client is answered with a not-recorded error.", metavar="SECONDS", parse=seconds,
        mitm_type=float)

    @property
    def effective_record_mode(self) -> RecordMode:
        return RecordMode.ALL if self.mode == Mode.RECORD else self.record_mode

    def to_mitm(self) -> dict[str, Any]:
        """`--set`-style mitmproxy option values."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[PREFIX + f.name] = _plain(value)
        return out

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> SessionSettings:
        """From plain values (mitmproxy options, marker keywords): Enums and tuples restored."""
        kwargs = {}
        for f in dataclasses.fields(cls):
            if f.name in values:
                kwargs[f.name] = _typed(f, values[f.name])
        return cls(**kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _enum_of(f: dataclasses.Field) -> type[enum.Enum] | None:
    kind = _field_type(f)
    return kind if isinstance(kind, type) and issubclass(kind, enum.Enum) else None


def _field_type(f: dataclasses.Field):
    return typing.get_type_hints(SessionSettings)[f.name]


def _typed(f: dataclasses.Field, value: Any) -> Any:
    kind = _enum_of(f)
    if kind is not None:
        try:
            return kind(value.value if isinstance(value, enum.Enum) else value)
        except ValueError:
            choices = ", ".join(m.value for m in kind)
            raise ValueError(f"{f.name} {value!r}: use one of {choices}") from None
    if isinstance(f.default, tuple):
        if isinstance(value, str):
            return (value,)
        return tuple(value or ())
    return value


# -- mitmproxy ------------------------------------------------------------------

def add_mitm_options(loader) -> None:
    for f in dataclasses.fields(SessionSettings):
        kind = _enum_of(f)
        meta = f.metadata
        if kind is not None:
            loader.add_option(PREFIX + f.name, str, f.default.value, meta["help"],
                              choices=[m.value for m in kind])
        elif isinstance(f.default, tuple):
            loader.add_option(PREFIX + f.name, Sequence[str], [], meta["help"])
        else:
            loader.add_option(PREFIX + f.name, meta["mitm_type"] or _field_type(f), f.default,
                              meta["help"])


MITM_OPTIONS = frozenset(PREFIX + f.name for f in dataclasses.fields(SessionSettings))
# Options read per request; changing them needs no new session.
LIVE_OPTIONS = frozenset(PREFIX + n for n in ("resign", "profile", "resolve", "control",
                                              "control_token"))
SESSION_OPTIONS = MITM_OPTIONS - LIVE_OPTIONS


def from_mitm(options) -> SessionSettings:
    return SessionSettings.from_values(
        {f.name: getattr(options, PREFIX + f.name) for f in dataclasses.fields(SessionSettings)})


# -- argparse --------------------------------------------------------------------

def _flag(f: dataclasses.Field) -> str | None:
    flag = f.metadata["flag"]
    if flag is None:
        return None
    return flag or "--" + f.name.replace("_", "-")


def add_cli_options(parser: argparse.ArgumentParser, mode: Mode) -> None:
    for f in dataclasses.fields(SessionSettings):
        flag = _flag(f)
        meta = f.metadata
        if flag is None or (meta["replay_only"] and mode != Mode.REPLAY):
            continue
        kind = _enum_of(f)
        common = {"dest": f.name, "help": meta["help"]}
        if meta["metavar"]:
            common["metavar"] = meta["metavar"]
        if kind is not None:
            parser.add_argument(flag, default=f.default.value, choices=[m.value for m in kind],
                                **common)
        elif isinstance(f.default, bool):
            if f.default:
                parser.add_argument("--no-" + flag[2:], action="store_false", default=True,
                                    **common)
            else:
                parser.add_argument(flag, action="store_true", **common)
        elif isinstance(f.default, tuple):
            parser.add_argument(flag, action="append", default=[], type=meta["parse"] or str,
                                **common)
        else:
            parser.add_argument(flag, default=f.default, type=meta["parse"] or str, **common)


def from_args(args: argparse.Namespace, mode: Mode) -> SessionSettings:
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(SessionSettings)
              if hasattr(args, f.name)}
    values["cassette"] = str(args.cassette)
    values["mode"] = mode
    return SessionSettings.from_values(values)


# -- the pytest marker -----------------------------------------------------------

def marker_keywords() -> dict[str, Any]:
    """keyword -> default, for every option the pytest marker takes."""
    out = {}
    for f in dataclasses.fields(SessionSettings):
        name = f.metadata["marker"]
        if name is None:
            continue
        default = f.metadata["marker_default"]
        out[name or f.name] = _plain(f.default if default is dataclasses.MISSING else default)
    return out


def from_marker(path: str, kwargs: dict[str, Any], record_mode: str | None) -> SessionSettings:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(SessionSettings):
        name = f.metadata["marker"]
        if name is None:
            continue
        default = f.metadata["marker_default"]
        values[f.name] = kwargs.get(name or f.name,
                                    f.default if default is dataclasses.MISSING else default)
    if record_mode:
        values["record_mode"] = record_mode
    values["cassette"] = path
    return SessionSettings.from_values(values)
