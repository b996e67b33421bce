"""Identifiers shaped like AWS's, reproducible from a seed.

Pool and phone-number ids are `pool-`/`phone-` + 32 lowercase hex (a dashless
UUID4), as observed on the live service.
"""

from __future__ import annotations

import random
import uuid

# E.164 prefixes for the countries the simulator hands out numbers in. The
# subscriber parts sit in ranges reserved for fiction or testing where one exists
# (555-01xx in NANP, 07700 900xxx in the UK) so no real person is ever dialled.
_NUMBER_PLANS: dict[str, tuple[str, int]] = {
    "GB": ("+447700900", 3), "AU": ("+6149155", 4), "DE": ("+4915550", 5),
    "FR": ("+3361555", 4), "IE": ("+35385555", 4), "NZ": ("+642155", 5),
    "IN": ("+9199995", 5), "JP": ("+8180555", 5), "BR": ("+5511955", 5),
    "MX": ("+5255555", 5), "ES": ("+3461555", 4), "IT": ("+3933355", 5),
    "NL": ("+3161555", 4), "SE": ("+4670155", 4), "SG": ("+658555", 4),
    "ZA": ("+2771555", 4), "PH": ("+6391755", 5),
}
# North American numbers: any area code, exchange 555, line 0100-0199 (fictional).
_NANP = {"US", "CA", "PR"}


def _draw(rng: random.Random, iso_country_code: str) -> str | None:
    if iso_country_code in _NANP:
        return f"+1{rng.randrange(201, 990)}55501{rng.randrange(100):02d}"
    plan = _NUMBER_PLANS.get(iso_country_code)
    if plan is None:
        return None
    prefix, digits = plan
    return prefix + str(rng.randrange(10 ** digits)).zfill(digits)


def supported_countries() -> list[str]:
    return sorted([*_NUMBER_PLANS, *_NANP])


class IdFactory:
    def __init__(self, seed: int | None = None):
        self._rng = random.Random(seed)

    def saved(self) -> list:
        """The generator's position as JSON, for `restore`."""
        version, internal, gauss = self._rng.getstate()
        return [version, list(internal), gauss]

    def restore(self, saved: list) -> None:
        version, internal, gauss = saved
        self._rng.setstate((version, tuple(internal), gauss))

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def hex32(self) -> str:
        return self._uuid().hex

    def pool_id(self) -> str:
        return f"pool-{self.hex32()}"

    def phone_number_id(self) -> str:
        return f"phone-{self.hex32()}"

    def request_id(self) -> str:
        return str(self._uuid())

    def message_id(self) -> str:
        return str(self._uuid())

    def phone_number(self, iso_country_code: str, taken: set[str]) -> str | None:
        for _ in range(10_000):  # bounded: gives up on a nearly full range
            number = _draw(self._rng, iso_country_code)
            if number is None or number not in taken:
                return number
        return None
