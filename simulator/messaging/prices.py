"""What a message costs, per destination country: MaxPrice, the price in delivery
events, and (helper "gates") spend limits all read this one table.

[inf] AWS publishes prices on its pricing page, per country and per carrier, and
changes them; the API exposes none of them. The numbers below are round figures
of the order of that page (USD, base price plus a typical carrier fee), not
AWS's price list: tests that need an exact figure read `price_of`, not a literal.
Countries missing from the table cost DEFAULT_PRICE.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..engine.numbering import country_of
from ..wire import errors


@dataclass(frozen=True)
class CountryPrice:
    text_per_part: float  # one SMS part (160 GSM / 70 UCS-2 characters)
    voice_per_minute: float
    media_per_message: float  # one MMS


PRICES: dict[str, CountryPrice] = {
    "US": CountryPrice(0.00883, 0.01300, 0.02000),
    "CA": CountryPrice(0.00736, 0.01300, 0.02000),
    "PR": CountryPrice(0.00883, 0.01300, 0.02000),
    "GB": CountryPrice(0.04630, 0.03000, 0.05000),
    "IE": CountryPrice(0.07470, 0.03500, 0.08000),
    "DE": CountryPrice(0.09390, 0.04000, 0.10000),
    "FR": CountryPrice(0.07250, 0.04000, 0.08000),
    "ES": CountryPrice(0.07500, 0.04000, 0.08000),
    "IT": CountryPrice(0.08260, 0.04000, 0.09000),
    "NL": CountryPrice(0.10500, 0.04000, 0.11000),
    "BE": CountryPrice(0.09710, 0.04000, 0.10000),
    "AT": CountryPrice(0.09950, 0.04000, 0.10000),
    "CZ": CountryPrice(0.05360, 0.04000, 0.06000),
    "DK": CountryPrice(0.04830, 0.04000, 0.05000),
    "EE": CountryPrice(0.07140, 0.04000, 0.08000),
    "FI": CountryPrice(0.08720, 0.04000, 0.09000),
    "SE": CountryPrice(0.05720, 0.04000, 0.06000),
    "AU": CountryPrice(0.05030, 0.03500, 0.06000),
    "NZ": CountryPrice(0.10120, 0.04000, 0.11000),
    "JP": CountryPrice(0.07450, 0.05000, 0.08000),
    "SG": CountryPrice(0.04250, 0.04000, 0.05000),
    "HK": CountryPrice(0.05720, 0.04000, 0.06000),
    "IN": CountryPrice(0.00250, 0.02000, 0.01000),
    "BR": CountryPrice(0.03480, 0.03000, 0.04000),
    "MX": CountryPrice(0.03150, 0.03000, 0.04000),
    "CL": CountryPrice(0.03990, 0.03000, 0.04000),
    "ZA": CountryPrice(0.02250, 0.03000, 0.03000),
    "PH": CountryPrice(0.02130, 0.04000, 0.03000),
}
DEFAULT_PRICE = CountryPrice(0.05000, 0.04000, 0.06000)

_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")


def iso_country_of(number: str) -> str | None:
    """The ISO country of an E.164 number (libphonenumber's, `numbering.country_of`); None
    for what is not E.164 or has no country."""
    return country_of(number) if _E164.match(number or "") else None


def country_price(iso_country_code: str | None) -> CountryPrice:
    return PRICES.get(iso_country_code or "", DEFAULT_PRICE)


# GSM 03.38: the basic alphabet, and the extension characters that take two septets.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def encoding_of(body: str) -> str:
    """`GSM` when every character fits the GSM 7-bit alphabet, else `UNICODE` (as in
    delivery events' messageEncoding)."""
    return "GSM" if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in body) else "UNICODE"


def parts_of(body: str) -> int:
    """How many SMS parts a body takes: 160/153 septets for GSM, 70/67 characters for
    UNICODE (the 7 or 3 lost per part carry the concatenation header)."""
    if encoding_of(body) == "GSM":
        units, single, multi = sum(2 if c in _GSM_EXTENDED else 1 for c in body), 160, 153
    else:
        units, single, multi = sum(2 if ord(c) > 0xFFFF else 1 for c in body), 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def voice_minutes(body: str) -> int:
    """[inf] Billed minutes of a voice message: text read at ~150 words a minute, at
    least one minute (AWS bills voice per started minute)."""
    words = len(re.sub(r"<[^>]+>", " ", body or "").split())
    return max(1, math.ceil(words / 150))


def price_of(channel: str, iso_country_code: str | None, body: str | None = "") -> float:
    """Estimated USD for one message: TEXT per part, VOICE per started minute, MEDIA flat."""
    price = country_price(iso_country_code)
    if channel == "TEXT":
        return round(price.text_per_part * parts_of(body or ""), 5)
    if channel == "VOICE":
        return round(price.voice_per_minute * voice_minutes(body or ""), 5)
    return round(price.media_per_message, 5)


def check_max_price(params: dict, member: str, price: float) -> None:
    """A send dearer than its MaxPrice (MaxPricePerMinute) is refused; every send that has
    one (sent_log: SendRcsMessage) checks it here."""
    limit = params.get(member)
    if limit is not None and price > float(limit):
        raise errors.validation(
            "PRICE_OVER_THRESHOLD",
            f"The message would cost {price:.5f} USD, more than {member} {limit}.",
            [{"Name": member, "Message": f"Estimated price {price:.5f} exceeds {limit}"}])
