"""A caller's protect-filter body pattern can never stall the simulator: it is searched in
time linear in the body (simulator/gates/linear_regex.py), with the answers Python's `re`
gives, and a pattern whose meaning needs backtracking is refused with a clear 400."""

from __future__ import annotations

import re
import threading

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.gates.linear_regex import MAX_PROGRAM, LinearRegex

from conftest import endpoint_client
from helpers import control

DESTINATION = "+12065550142"

# Patterns from a small grammar over the letters the texts use, so that they match often.
ATOMS = st.sampled_from(["a", "b", ".", "[ab]", "[^a]", r"\w", r"\s", r"\d", "(?:ab)", "A", r"\b"])
QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "{2}", "{1,3}", "*?", "+?"])


@st.composite
def patterns(draw, depth: int = 0) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            inner = "|".join(draw(st.lists(patterns(depth + 1), min_size=1, max_size=3)))
            atom = f"({inner})"
        else:
            atom = draw(ATOMS)
        pieces.append(atom + ("" if atom == r"\b" else draw(QUANTIFIERS)))
    if depth:
        return "".join(pieces)
    anchored = draw(st.sampled_from(["{}", "^{}", "{}$", "(?i){}", "(?m)^{}$", r"\A{}\Z"]))
    return anchored.format("".join(pieces))


TEXTS = st.text(alphabet="abAB 1\n_", max_size=8)  # short: Python's re backtracks


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(pattern=patterns(), text=TEXTS)
def test_the_linear_search_answers_as_python_re_does(pattern, text):
    try:
        linear = LinearRegex(pattern)
    except ValueError as exc:  # nested {1,3}s unrolled past MAX_PROGRAM: refused, not wrong
        assume("steps" not in str(exc))
        raise
    assert linear.search(text) == bool(re.search(pattern, text)), (pattern, text)


CASE_FOLDS = "ßSsſkKK\u212aAaéÉİiıΣσς"  # sharp s, long s, the Kelvin sign, dotted I, sigmas


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(pattern=st.builds("(?i){}{}".format, st.sampled_from(
           ["s", "k", "a", "é", "i", "σ", "[^a]", "[^a-z]", "[s-z]", "[^ſ]", "ß", "[ßk]", r"\w"]),
           st.sampled_from(["", "+", "$"])),
       text=st.text(alphabet=CASE_FOLDS, max_size=6))
def test_case_insensitive_patterns_answer_as_python_re_does_on_any_letter(pattern, text):
    """Case folding applies to a class's items before it is negated, and only to
    one-character case forms (sharp s is "SS" upper-case: no one character)."""
    assert LinearRegex(pattern).search(text) == bool(re.search(pattern, text)), (pattern, text)


@pytest.mark.parametrize("pattern, text, found", [
    ("(?i)[^a]", "A", False), ("(?i)^[^a-z]+$", "HELLO", False), ("(?i)prize", "Grüße aus Straße", False),
    ("(?i)k", "\u212a", True), ("(?i)s", "ß", False),
])
def test_case_insensitive_classes_and_letters_whose_case_forms_differ(pattern, text, found):
    assert LinearRegex(pattern).search(text) is found is bool(re.search(pattern, text))


@pytest.mark.parametrize("pattern, why", [
    (r"(a)\1", "backreferences"), (r"a(?=b)", "lookaround"), (r"(?<!a)b", "lookaround"),
    (r"(?>a+)b", "atomic groups"), (r"a++b", "possessive repeats"),
    (r"(a)?(?(1)b|c)", "conditional groups"), (r"(", "bad pattern"),
    ("(ab){200}", f"over {MAX_PROGRAM} steps"), ("a" * 1001, "longer than"),
    ("(" * 400 + ")" * 400 + "(", "bad pattern|nests"),
])
def test_a_pattern_that_needs_backtracking_is_refused_with_a_reason(pattern, why):
    with pytest.raises(ValueError, match=why):
        LinearRegex(pattern)


@pytest.fixture
def filtered():
    """A served simulator whose US SMS rule is FILTER, with `(a+)+$` as the body filter."""
    sim = Simulator(clock="manual", seed=9)
    with EndpointServer(simulator_answer(sim)) as srv:
        client = endpoint_client(srv.url)
        pid = client.create_protect_configuration()["ProtectConfigurationId"]
        client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
        client.update_protect_configuration_country_rule_set(
            ProtectConfigurationId=pid, NumberCapability="SMS",
            CountryRuleSetUpdates={"US": {"ProtectStatus": "FILTER"}})
        assert control(srv.url, "/_smsvoice/protect-filters", {"body": "(a+)+$"})[0] == 200
        yield sim, srv.url, client


def test_a_catastrophic_pattern_answers_a_send_at_once(filtered):
    """With Python's `re`, `(a+)+$` against 40 a's and a "!" backtracks 2^40 times (hours,
    under the simulator's lock); the linear search answers in a moment."""
    sim, _url, client = filtered
    sent = {}

    def send() -> None:
        sent["hostile"] = client.send_text_message(DestinationPhoneNumber=DESTINATION,
                                                   MessageBody="a" * 40 + "!")
        sent["matching"] = client.send_text_message(DestinationPhoneNumber=DESTINATION,
                                                    MessageBody="a" * 40)
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    sender.join(timeout=60)  # a bound on a wait, not a speed assertion: it takes milliseconds
    assert not sender.is_alive(), "the send is still matching the filter pattern"
    sim.advance(3600)
    assert sim.events(message_id=sent["hostile"]["MessageId"])[-1]["eventType"] == "TEXT_DELIVERED"
    assert sim.events(message_id=sent["matching"]["MessageId"])[-1]["eventType"] == \
        "TEXT_PROTECT_BLOCKED"


def test_the_control_route_refuses_a_backreference_with_a_clear_400(filtered):
    _sim, url, _client = filtered
    status, answer = control(url, "/_smsvoice/protect-filters", {"body": r"(a+)\1"})
    assert status == 400 and "backreferences" in answer["error"], answer


def _compiled_within_a_minute(pattern: str) -> LinearRegex:
    """Compile in a thread joined with a bound (not a speed assertion: it takes a moment)."""
    outcome: dict[str, LinearRegex | ValueError] = {}

    def compile_it() -> None:
        try:
            outcome["it"] = LinearRegex(pattern)
        except ValueError as exc:
            outcome["it"] = exc
    worker = threading.Thread(target=compile_it, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), f"{pattern!r} is still compiling"
    if isinstance(outcome["it"], ValueError):
        raise outcome["it"]
    return outcome["it"]


@pytest.mark.parametrize("pattern, text, found", [
    ("(?:){4000000000}", "", True), ("b(?:){4000000000}c", "bc", True),
    ("b(?:){4000000000}c", "bxc", False), ("b(?:a{0}){4000000000,}c", "bc", True),
    ("b(?:(?:(?:){99}){99}){3000000000}c", "bc", True), ("ba{0}c", "bac", False),
    ("ba{0}c", "bc", True), ("b(?:a?){0,3}c", "baac", True), ("b(?:a?){0,3}c", "baaaac", False),
])
def test_a_repeat_of_a_body_that_compiles_to_nothing_emits_nothing(pattern, text, found):
    """`(?:){4000000000}` looped four billion times over an empty body (minutes under the
    simulator's lock, from one POST); the body is compiled once and its repeat dropped.
    (Python's own `re` also takes minutes on these: the answer is compared with `re` on the
    same pattern with a count of 3.)"""
    assert _compiled_within_a_minute(pattern).search(text) is found
    small = re.sub(r"\{\d{7,}", "{3", pattern)
    assert bool(re.search(small, text)) is found is LinearRegex(small).search(text), small


@pytest.mark.parametrize("pattern", ["a{4000000000}", "(?:a|){300,}", "(?:\\b){257}", "a{0,4000000000}"])
def test_a_count_past_the_program_limit_is_refused_before_any_loop(pattern):
    with pytest.raises(ValueError, match=f"over {MAX_PROGRAM} steps"):
        _compiled_within_a_minute(pattern)


def test_the_control_route_takes_an_empty_repeat_at_once(filtered):
    _sim, url, _client = filtered
    assert control(url, "/_smsvoice/protect-filters", {"body": "(?:){4000000000}"})[0] == 200
