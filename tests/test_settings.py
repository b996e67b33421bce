"""Record/replay options are declared once (proxy/settings.py); the CLI flags, the
addon's mitmproxy options and the pytest marker's keywords all come from it."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from mitmproxy import addonmanager, optmanager

from smsvoice_sim.proxy.cli import build_parser
from smsvoice_sim.proxy.settings import (
    MITM_OPTIONS,
    PREFIX,
    Mode,
    OnMiss,
    RecordMode,
    SessionSettings,
    add_mitm_options,
    from_args,
    from_marker,
    from_mitm,
    marker_keywords,
)

FIELDS = [f.name for f in dataclasses.fields(SessionSettings)]


def test_cli_defaults_are_the_declared_defaults():
    args = build_parser().parse_args(["replay", "--cassette", "c.db"])
    assert from_args(args, Mode.REPLAY) == SessionSettings(cassette="c.db", mode=Mode.REPLAY)
    args = build_parser().parse_args(["record", "--cassette", "c.db"])
    assert not hasattr(args, "record_mode")  # replay-only options stay off `record`
    assert from_args(args, Mode.RECORD).effective_record_mode == RecordMode.ALL


def test_every_cli_flag_reaches_its_field():
    args = build_parser().parse_args([
        "replay", "--cassette", "c.db", "--record-mode", "new_episodes", "--on-exhausted", "error",
        "--on-miss", "simulate", "--ignore", "A.B", "--ignore", "C", "--redact", "X+",
        "--pseudonymise", "--no-resign", "--profile", "p", "--resolve", "h=1.2.3.4:5",
        "--clock", "reads:3", "--seed", "7", "--quota", "POOLS=3", "--no-control",
        "--control-token", "t", "--write-timeout", "0.5"])
    got = from_args(args, Mode.REPLAY)
    assert got == SessionSettings(
        cassette="c.db", mode=Mode.REPLAY, record_mode=RecordMode.NEW_EPISODES,
        on_exhausted="error", on_miss=OnMiss.SIMULATE, ignore=("A.B", "C"), redact=("X+",),
        pseudonymise=True, resign=False, profile="p", resolve=("h=1.2.3.4:5",),
        sim_clock="reads:3", sim_seed=7, sim_quotas=("POOLS=3",), control=False, control_token="t",
        write_timeout=0.5)
    assert {f: getattr(got, f) for f in FIELDS} != \
        {f: getattr(SessionSettings(), f) for f in FIELDS if f != "cassette"}


def test_every_field_is_a_mitmproxy_option_and_round_trips():
    assert MITM_OPTIONS == {PREFIX + name for name in FIELDS}

    opts = optmanager.OptManager()
    add_mitm_options(addonmanager.Loader(SimpleNamespace(options=opts)))
    assert {name for name in opts.keys()} == MITM_OPTIONS
    settings = SessionSettings(cassette="c.db", mode=Mode.RECORD, ignore=("A",),
                               on_miss=OnMiss.SIMULATE, write_timeout=1.5)
    opts.update(**settings.to_mitm())
    assert from_mitm(opts) == settings


def test_marker_keywords_come_from_the_declaration():
    keywords = marker_keywords()
    assert keywords["record_mode"] == "none" and keywords["clock"] == "manual"
    assert {"on_exhausted", "ignore", "on_miss", "redact", "pseudonymise"} <= set(keywords)
    assert "control_token" not in keywords  # a door option, not a cassette one
    got = from_marker("c.db", {"on_miss": "simulate", "ignore": ["Tags"], "clock": "instant"},
                      record_mode="once")
    assert (got.on_miss, got.ignore, got.sim_clock, got.record_mode) == \
        (OnMiss.SIMULATE, ("Tags",), "instant", RecordMode.ONCE)
