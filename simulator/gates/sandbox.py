"""The SMS/voice sandbox: account tiers, AWS's simulator destination numbers, and the rules
of verification codes. Pure rules; the verified-numbers family applies them.

Sources: sandbox.html and verify-destination-phone-number.html [doc] for the tier, the 10
numbers and "only verified destinations"; test-phone-numbers.html [doc] for the simulator
numbers. Code length, lifetime and attempts per day are not documented: the values (below,
and the quota in engine/quotas.py) are [inf] and configurable (`sim.set_verification_code_lifetime(seconds)`,
`Simulator(quotas={"VERIFICATION_ATTEMPTS_PER_DAY": n})`).
"""

from __future__ import annotations

SANDBOX = "SANDBOX"  # the value observed on a new account [obs]
PRODUCTION = "PRODUCTION"  # not documented [inf]
TIERS = (SANDBOX, PRODUCTION)
# Production by default: a simulator that starts in the sandbox would refuse every send to an
# unverified number, breaking every existing test and script. The sandbox is one flag away.
DEFAULT_TIER = PRODUCTION

# AWS's destination simulator numbers are kept once, in messaging/simulator_numbers.py: sends
# to them need no verification, even in the sandbox.

CODE_DIGITS = 6  # [inf] the length of the code AWS texts
CODE_LIFETIME_SECONDS = 24 * 3600.0  # [inf] how long a code can be used
DAY = 24 * 3600.0


def check_tier(tier: str) -> str:
    if tier not in TIERS:
        raise ValueError(f"unknown account tier {tier!r}: use {' or '.join(TIERS)}")
    return tier


def code_from(hex32: str) -> str:
    """A numeric code from 32 random hex digits (the simulator's seeded id generator)."""
    return str(int(hex32, 16) % 10 ** CODE_DIGITS).zfill(CODE_DIGITS)


def code_message(code: str) -> str:
    # [inf] AWS's wording is not documented; the code is what a test reads from it.
    return f"Your verification code is {code}"
