"""Numbers RequestPhoneNumber hands out are valid numbers of their country and type by
libphonenumber, distinct, drawn from the seed, and inside the ranges reserved for fiction
where a country has one (issue 15, "Rules real programs caught")."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType as Lib

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.ids import IdFactory
from smsvoice_sim.simulator.engine.numbering import supported_countries
from smsvoice_sim.simulator.wire.model import enum_values

PER_TYPE = 20
NANP = {"US", "CA", "PR"}

# What libphonenumber must call a number, per kind of number (README "Numbers handed out").
# North America and Mexico do not tell mobiles from landlines: fixed line or mobile.
MOBILE_TYPE = {iso: Lib.FIXED_LINE_OR_MOBILE for iso in (*NANP, "MX")}
LANDLINE_TYPE = {iso: Lib.FIXED_LINE_OR_MOBILE for iso in NANP}
# CarrierLookup's words for libphonenumber's types (toll-free has none in the model: OTHER).
LOOKUP_TYPE = {Lib.MOBILE: "MOBILE", Lib.FIXED_LINE_OR_MOBILE: "MOBILE", Lib.FIXED_LINE: "LANDLINE",
               Lib.TOLL_FREE: "OTHER"}

# Reservations for fiction the numbers must stay inside (written out here, not read from the code).
RESERVED = {
    ("US", "mobile"): r"\+1\d{3}55501\d\d", ("US", "landline"): r"\+1\d{3}55501\d\d",
    ("CA", "mobile"): r"\+1\d{3}55501\d\d", ("CA", "landline"): r"\+1\d{3}55501\d\d",
    ("PR", "mobile"): r"\+1\d{3}55501\d\d", ("PR", "landline"): r"\+1\d{3}55501\d\d",
    ("GB", "landline"): r"\+442079460\d{3}",  # Ofcom: 020 7946 0000-0999
    ("GB", "toll-free"): r"\+448081570\d{3}",  # Ofcom: 0808 157 0000-0999
    ("AU", "landline"): r"\+6125550\d{4}",  # ACMA: 02 5550 0000-9999
    ("FR", "landline"): r"\+3319900\d{4}",  # ARCEP: 01 99 00 00 00-01 99 00 99 99
}


def requests() -> list[tuple[str, str, list[str], str]]:
    """(label, NumberType, capabilities, kind): every requestable NumberType, a long code that
    texts, and a voice-only long code."""
    out = []
    for number_type in enum_values("RequestableNumberType"):
        kind = "toll-free" if number_type == "TOLL_FREE" else "mobile"
        out.append((number_type, number_type, ["SMS", "VOICE"], kind))
    out.append(("LONG_CODE voice-only", "LONG_CODE", ["VOICE"], "landline"))
    return out


def expected_type(iso: str, kind: str) -> int:
    if kind == "toll-free":
        return Lib.TOLL_FREE
    if kind == "mobile":
        return MOBILE_TYPE.get(iso, Lib.MOBILE)
    return LANDLINE_TYPE.get(iso, Lib.FIXED_LINE)


def handed_out(iso: str, seed: int = 15) -> dict[str, list[str]]:
    client = Simulator(clock="manual", seed=seed).client()
    numbers = {}
    for label, number_type, capabilities, _ in requests():
        numbers[label] = [client.request_phone_number(
            IsoCountryCode=iso, MessageType="TRANSACTIONAL", NumberCapabilities=capabilities,
            NumberType=number_type)["PhoneNumber"] for _ in range(PER_TYPE)]
    return numbers


@pytest.mark.parametrize("iso", supported_countries())
def test_numbers_handed_out_are_valid_numbers_of_their_country_and_type(iso):
    numbers = handed_out(iso)
    every = [n for batch in numbers.values() for n in batch]
    assert len(every) == len(set(every)), "a number was handed out twice"
    wrong = []
    for label, _, _, kind in requests():
        for number in numbers[label]:
            parsed = phonenumbers.parse(number)
            if not (phonenumbers.is_valid_number(parsed)
                    and phonenumbers.is_valid_number_for_region(parsed, iso)
                    and phonenumbers.number_type(parsed) == expected_type(iso, kind)):
                wrong.append((label, number, phonenumbers.number_type(parsed)))
            reserved = RESERVED.get((iso, kind))
            if reserved and not re.fullmatch(reserved, number):
                wrong.append((label, number, "outside the range reserved for fiction"))
    assert not wrong, f"{iso}: {len(wrong)} of {len(every)} wrong, e.g. {wrong[:3]}"


@pytest.mark.parametrize("iso", ["US", "CA", "GB", "AU", "FR", "DE", "MX", "JP"])
def test_carrier_lookup_of_a_handed_out_number_reports_its_country_and_type(iso):
    sim = Simulator(clock="manual", seed=15)
    client = sim.client()
    for label, number_type, capabilities, kind in requests():
        number = client.request_phone_number(
            IsoCountryCode=iso, MessageType="TRANSACTIONAL", NumberCapabilities=capabilities,
            NumberType=number_type)["PhoneNumber"]
        found = client.carrier_lookup(PhoneNumber=number)
        # NANP toll-free codes are shared by the whole plan: libphonenumber names the US.
        country = "US" if iso in NANP and kind == "toll-free" else iso
        assert (found["IsoCountryCode"], found["PhoneNumberType"]) == \
            (country, LOOKUP_TYPE[expected_type(iso, kind)]), (label, number)


def test_the_same_seed_hands_out_the_same_numbers_and_another_seed_others():
    first = handed_out("GB", seed=7)
    assert handed_out("GB", seed=7) == first
    assert handed_out("GB", seed=8) != first


def test_a_full_block_gives_its_last_free_number_then_none():
    from smsvoice_sim.simulator.engine.numbering import number_block

    block = number_block("GB", "TOLL_FREE")
    assert len(block) == 1000
    last = block[417]
    taken = set(block) - {last}
    ids = IdFactory(seed=1)
    assert ids.phone_number("GB", taken, "TOLL_FREE") == last
    assert ids.phone_number("GB", taken | {last}, "TOLL_FREE") is None



def test_every_block_holds_only_valid_numbers_of_its_country_and_kind():
    """Beyond the numbers drawn above: each prefix's first and last number and every 97th
    between, of every block (a stride, so the test stays fast; each block was walked whole
    when it was chosen)."""
    from smsvoice_sim.simulator.engine.numbering import number_block

    wrong, checked = [], 0
    for iso in supported_countries():
        for kind, label in (("MOBILE", "mobile"), ("LANDLINE", "landline"), ("TOLL_FREE", "toll-free")):
            block = number_block(iso, kind)
            per_prefix = 10 ** block.digits
            picks = {i for start in range(0, len(block), per_prefix)
                     for i in (start, start + per_prefix - 1, *range(start, start + per_prefix, 97))}
            for index in sorted(picks):
                parsed = phonenumbers.parse(block[index])
                checked += 1
                if not (phonenumbers.is_valid_number_for_region(parsed, iso)
                        and phonenumbers.number_type(parsed) == expected_type(iso, label)):
                    wrong.append((iso, kind, block[index]))
    assert checked > 5000 and not wrong, wrong[:5]
