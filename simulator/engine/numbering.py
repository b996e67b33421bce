"""What a number is, from libphonenumber's data (the `phonenumbers` package): the one place a
destination's country comes from (sends, prices, protect, Notify, RCS), and the numbers the
simulator hands out (RequestPhoneNumber, ListAvailablePhoneNumbers)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

_NO_COUNTRY = {"ZZ", "001"}  # an unknown calling code; a non-geographic one (+800, +882...)


@functools.lru_cache(maxsize=4096)  # every send asks; parsing costs ~0.1 ms, destinations repeat
def country_of(number: str) -> str | None:
    """The ISO country of an E.164 number (`+33612345678` -> `FR`), None when unknown.
    A number no region's plan holds (a fictional `+447700900123`, `+15555550100`) belongs
    to its calling code's main country, as AWS prices and routes by calling code [inf]."""
    try:
        parsed = phonenumbers.parse(number if number.startswith("+") else "+" + number, None)
    except phonenumbers.NumberParseException:
        return None
    iso = phonenumbers.region_code_for_number(parsed) or \
        phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    return None if iso in _NO_COUNTRY else iso


# -- the numbers RequestPhoneNumber hands out (and ListAvailablePhoneNumbers offers) -------------
#
# Per country, three blocks: MOBILE (a long code that texts), LANDLINE (a voice-only long code)
# and TOLL_FREE. Every number of every block is a valid number of its country and type by
# libphonenumber (each block was walked whole when chosen; tests/test_number_validity.py
# checks the numbers drawn and a stride of every block). Where a regulator reserves numbers
# for fiction and libphonenumber accepts them as valid, the block is that reservation, so no
# real person is ever handed out; where none exists (or libphonenumber rejects it: Ofcom's
# 07700 900xxx, ARCEP's 06 39 98), the block is libphonenumber's own example number for the
# type with its last four digits varied. The blocks are written out, not computed from the
# installed libphonenumber, so a seed hands out the same numbers on every version.
# docs/reference/inference.md, "Numbers handed out", says which is which, and why.


@dataclass(frozen=True)
class NumberBlock:
    """The numbers `prefix + d…d` (`digits` free digits) for each prefix, in order: indexable,
    so a seed draws one by index and ListAvailablePhoneNumbers lists them all."""

    prefixes: tuple[str, ...]
    digits: int

    def __len__(self) -> int:
        return len(self.prefixes) * 10 ** self.digits

    def __getitem__(self, index: int) -> str:
        prefix, rest = divmod(index, 10 ** self.digits)
        return self.prefixes[prefix] + str(rest).zfill(self.digits)

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


def _nanp(area_codes: tuple[int, ...]) -> NumberBlock:
    """NPA-555-0100…0199: reserved for fiction in every geographic area code (NANPA)."""
    return NumberBlock(tuple(f"+1{npa}55501" for npa in area_codes), 2)


def _example(*prefixes: str) -> NumberBlock:
    """libphonenumber's example number for the type, its last four digits varied."""
    return NumberBlock(prefixes, 4)


US_AREA_CODES = (201, 202, 206, 212, 213, 303, 305, 312, 404, 415,
                 503, 512, 602, 617, 702, 713, 718, 801, 808, 919)
CA_AREA_CODES = (204, 236, 250, 289, 306, 403, 416, 418, 438, 450,
                 506, 514, 519, 604, 613, 647, 709, 778, 819, 902)
PR_AREA_CODES = (787, 939)
# NANP toll-free codes. NANPA's 555-01xx reservation is for geographic area codes; toll-free
# numbers keep the same shape so they read as fictional [inf].
TOLL_FREE_AREA_CODES = (800, 833, 844, 855, 866, 877, 888)

MOBILE, LANDLINE, TOLL_FREE = "MOBILE", "LANDLINE", "TOLL_FREE"

_BLOCKS: dict[str, dict[str, NumberBlock]] = {
    # North America: libphonenumber cannot tell mobiles from landlines; one geographic block.
    "US": {MOBILE: _nanp(US_AREA_CODES), LANDLINE: _nanp(US_AREA_CODES),
           TOLL_FREE: _nanp(TOLL_FREE_AREA_CODES)},
    "CA": {MOBILE: _nanp(CA_AREA_CODES), LANDLINE: _nanp(CA_AREA_CODES),
           TOLL_FREE: _nanp(TOLL_FREE_AREA_CODES)},
    "PR": {MOBILE: _nanp(PR_AREA_CODES), LANDLINE: _nanp(PR_AREA_CODES),
           TOLL_FREE: _nanp(TOLL_FREE_AREA_CODES)},
    # Ofcom's drama numbers: 020 7946 0xxx and 0808 157 0xxx. Its mobile 07700 900xxx is
    # not a valid number to libphonenumber, so mobiles are the example 07400 12xxxx.
    "GB": {MOBILE: _example("+44740012"), LANDLINE: NumberBlock(("+442079460",), 3),
           TOLL_FREE: NumberBlock(("+448081570",), 3)},
    # ACMA's drama numbers: 02 5550 xxxx. Its 30 mobile and 6 freephone drama numbers are
    # too few for an account's numbers (a full block would refuse the 31st), so examples.
    "AU": {MOBILE: _example("+6141234"), LANDLINE: NumberBlock(("+6125550",), 4),
           TOLL_FREE: _example("+61180012")},
    # ARCEP's fiction block 01 99 00 xx xx; its mobile 06 39 98 is not valid to libphonenumber.
    "FR": {MOBILE: _example("+3361234"), LANDLINE: NumberBlock(("+3319900",), 4),
           TOLL_FREE: _example("+3380123")},
    # No reservation known for fiction: libphonenumber's example numbers.
    "DE": {MOBILE: _example("+491512345"), LANDLINE: _example("+493012"),
           TOLL_FREE: _example("+49800123456")},
    "IE": {MOBILE: _example("+35385012"), LANDLINE: _example("+353221"), TOLL_FREE: _example("+353180012")},
    "NZ": {MOBILE: _example("+6421123"), LANDLINE: _example("+643234"), TOLL_FREE: _example("+6480012")},
    # India's example landline is one libphonenumber calls fixed-or-mobile: Delhi's 011 2345 instead.
    "IN": {MOBILE: _example("+91812345"), LANDLINE: _example("+91112345"), TOLL_FREE: _example("+91180012")},
    "JP": {MOBILE: _example("+81901234"), LANDLINE: _example("+8131234"), TOLL_FREE: _example("+8112012")},
    "BR": {MOBILE: _example("+551196123"), LANDLINE: _example("+55112345"), TOLL_FREE: _example("+5580012")},
    # Mexico's plan no longer tells mobiles apart: libphonenumber says fixed line or mobile.
    "MX": {MOBILE: _example("+52222123"), LANDLINE: _example("+52200123"), TOLL_FREE: _example("+52800123")},
    "ES": {MOBILE: _example("+3461234"), LANDLINE: _example("+3481012"), TOLL_FREE: _example("+3480012")},
    "IT": {MOBILE: _example("+39312345"), LANDLINE: _example("+39021234"), TOLL_FREE: _example("+3980012")},
    "NL": {MOBILE: _example("+3161234"), LANDLINE: _example("+3110123"), TOLL_FREE: _example("+31800")},
    "SE": {MOBILE: _example("+4670123"), LANDLINE: _example("+46812"), TOLL_FREE: _example("+462012")},
    "SG": {MOBILE: _example("+658123"), LANDLINE: _example("+656123"), TOLL_FREE: _example("+651800123")},
    "ZA": {MOBILE: _example("+2771123"), LANDLINE: _example("+2710123"), TOLL_FREE: _example("+2780123")},
    "PH": {MOBILE: _example("+63905123"), LANDLINE: _example("+6323234"), TOLL_FREE: _example("+6318001234")},
}

# Capabilities only a mobile number carries; a long code with none of them is voice-only.
_TEXTING = {"SMS", "MMS", "RCS"}


def number_kind(number_type: str, capabilities) -> str:
    """Which block a requested number comes from. A TEN_DLC or SIMULATOR number is a long code
    of its country [inf]; a long code that texts is a mobile number, a voice-only one a landline
    [inf: AWS does not say; texting needs a mobile number in most plans]."""
    if number_type == "TOLL_FREE":
        return TOLL_FREE
    return MOBILE if _TEXTING & set(capabilities) else LANDLINE


def number_block(iso_country_code: str, kind: str) -> NumberBlock | None:
    """The numbers of this country and kind the simulator hands out, None for a country it has
    no numbers in."""
    return _BLOCKS.get(iso_country_code, {}).get(kind)


def supported_countries() -> list[str]:
    return sorted(_BLOCKS)
