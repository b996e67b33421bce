"""What a destination number is, from libphonenumber's data (the `phonenumbers` package):
the one place a number's country comes from (sends, prices, protect, Notify, RCS)."""

from __future__ import annotations

import functools

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
        phonenumbers.region_code_for_country_code(parsed.country_code)
    return None if iso in _NO_COUNTRY else iso
