"""The SMS/voice sandbox: account tiers, AWS's simulator destination numbers, and the rules
of verification codes. Pure rules; the verified-numbers family applies them.

Sources: sandbox.html and verify-destination-phone-number.html [doc] for the tier, the 10
numbers and "only verified destinations"; test-phone-numbers.html [doc] for the simulator
numbers. Code length, lifetime and attempts per day are not documented: the values below
are [inf] and configurable (`sim.set_verification_code_lifetime(seconds)`,
`Simulator(quotas={"VERIFICATION_ATTEMPTS_PER_DAY": n})`).
"""

from __future__ import annotations

SANDBOX = "SANDBOX"  # the value observed on a new account [obs]
PRODUCTION = "PRODUCTION"  # not documented [inf]
TIERS = (SANDBOX, PRODUCTION)
# Production by default: a simulator that starts in the sandbox would refuse every send to an
# unverified number, breaking every existing test and script. The sandbox is one flag away.
DEFAULT_TIER = PRODUCTION

# AWS's destination simulator numbers: one success and one failure number per country
# [doc: test-phone-numbers.html]. Sends to them need no verification, even in the sandbox.
SIMULATOR_DESTINATIONS: frozenset[str] = frozenset({
    "+14254147755", "+14254147167",  # US
    "+61455944038", "+61455944039",  # AU
    "+43676800442031", "+43676800442032",  # AT
    "+32460213922", "+32460213923",  # BE
    "+56229140630", "+56229140631",  # CL
    "+420790542286", "+420790542287",  # CZ
    "+4525919410", "+4525919215",  # DK
    "+37282720792", "+37282720793",  # EE
    "+3584573979110", "+3584573979111",  # FI
    "+33755512501", "+33755512502",  # FR
    "+85257048426", "+85257048854",  # HK
})

CODE_DIGITS = 6  # [inf] the length of the code AWS texts
CODE_LIFETIME_SECONDS = 24 * 3600.0  # [inf] how long a code can be used
ATTEMPTS_PER_DAY = 5  # [inf] code sends per number per rolling 24 hours
DAY = 24 * 3600.0


def check_tier(tier: str) -> str:
    if tier not in TIERS:
        raise ValueError(f"unknown account tier {tier!r}: use {' or '.join(TIERS)}")
    return tier


def is_simulator_destination(number: str) -> bool:
    return number in SIMULATOR_DESTINATIONS


def code_from(hex32: str) -> str:
    """A numeric code from 32 random hex digits (the simulator's seeded id generator)."""
    return str(int(hex32, 16) % 10 ** CODE_DIGITS).zfill(CODE_DIGITS)


def code_message(code: str) -> str:
    # [inf] AWS's wording is not documented; the code is what a test reads from it.
    return f"Your verification code is {code}"
