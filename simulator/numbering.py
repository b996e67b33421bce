"""What a destination number is, from libphonenumber's data (the `phonenumbers` package)."""

from __future__ import annotations

import phonenumbers


def country_of(number: str) -> str | None:
    """The ISO country of an E.164 number (`+33612345678` -> `FR`), None when unknown."""
    try:
        parsed = phonenumbers.parse(number if number.startswith("+") else "+" + number, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(parsed)
