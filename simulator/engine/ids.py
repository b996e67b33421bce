"""Identifiers shaped like AWS's, reproducible from a seed.

Pool and phone-number ids are `pool-`/`phone-` + 32 lowercase hex (a dashless
UUID4), as observed on the live service.
"""

from __future__ import annotations

import random
import uuid

from .numbering import number_block, number_kind

# How many random draws before walking the block for a free number (a nearly full block).
_DRAWS = 100


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

    def phone_number(self, iso_country_code: str, taken: set[str], number_type: str = "LONG_CODE",
                     capabilities=("SMS", "VOICE")) -> str | None:
        """A number of this country and type not in `taken` (numbering.py says which), drawn
        from the seed; None when the simulator has no such numbers or all are taken."""
        block = number_block(iso_country_code, number_kind(number_type, capabilities))
        if block is None:
            return None
        for _ in range(_DRAWS):
            number = block[self._rng.randrange(len(block))]
            if number not in taken:
                return number
        start = self._rng.randrange(len(block))  # nearly full: the first free one from here
        for step in range(len(block)):
            number = block[(start + step) % len(block)]
            if number not in taken:
                return number
        return None
