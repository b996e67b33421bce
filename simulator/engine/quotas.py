"""Every quota the simulator enforces, in one table, and the one way to override it."""

from __future__ import annotations

# Every quota the simulator enforces, in one table. `Simulator(quotas={NAME: n})` and
# `smsvoice-sim simulate --quota NAME=N` change any of them; DescribeAccountLimits reports the
# AccountLimitName ones from here, so the Max it shows is the limit applied.
# AWS documents few resource counts (quotas.html lists request rates only). A documented
# default is used as documented; an undocumented one is set where no real program trips it:
# a public program that requests a sender ID in each of 142 countries stopped at an inferred
# 100. A test that wants the error sets a small value (`quotas={"SENDER_IDS": 100}`).
GENEROUS = 10_000  # [inf] every resource count AWS does not document

DEFAULT_QUOTAS: dict[str, int] = {
    # DescribeAccountLimits' names (the model's AccountLimitName enum).
    "PHONE_NUMBERS": GENEROUS, "POOLS": GENEROUS, "CONFIGURATION_SETS": GENEROUS,
    "OPT_OUT_LISTS": GENEROUS, "SENDER_IDS": GENEROUS, "REGISTRATIONS": GENEROUS,
    "REGISTRATION_ATTACHMENTS": GENEROUS,
    # "You can add up to 10 verified destination numbers" [doc: verify-destination-phone-number.html]
    "VERIFIED_DESTINATION_NUMBERS": 10,
    # Enforced with a ServiceQuotaExceededException reason; not in DescribeAccountLimits.
    # "up to five event destinations" [doc: configuration-sets-event-destinations.html; model:
    # CreateEventDestination]
    "EVENT_DESTINATIONS_PER_CONFIGURATION_SET": 5,
    "KEYWORDS_PER_PHONE_NUMBER": GENEROUS, "KEYWORDS_PER_POOL": GENEROUS,
    "ORIGINATION_IDENTITIES_PER_POOL": GENEROUS,
    "PROTECT_CONFIGURATIONS": GENEROUS, "RCS_AGENTS": GENEROUS,
    "NOTIFY_CONFIGURATIONS": 25,  # "Notify configurations per account 25" [doc: notify-quotas.html]
    # [inf from the model] one TagResource takes up to 200 tags (older docs said 50 per resource;
    # today's do not)
    "TAGS_PER_RESOURCE": 200,
    # Per-day rates, owned by their families: Notify's BASIC tier cap, "Basic: 200 messages per
    # day" [doc: notify-tiers] and verification codes per number [inf] (an anti-abuse limit
    # the model names).
    "NOTIFY_BASIC_DAILY_MESSAGES": 200,
    # "For a given destination phone number, the limit is 10 messages per day per notify
    # configuration and 10 messages per day per account" [doc: notify-quotas.html]
    "NOTIFY_MESSAGES_PER_DESTINATION_PER_DAY": 10,
    "VERIFICATION_ATTEMPTS_PER_DAY": 5,  # [inf] code sends per number per rolling 24 hours
}


def quota_table(overrides: dict[str, int] | None = None) -> dict[str, int]:
    """The defaults with `overrides` applied. A name the table does not hold or a value that
    is not a whole number >= 0 is refused: a misspelt quota would silently change nothing."""
    table = dict(DEFAULT_QUOTAS)
    for name, value in (overrides or {}).items():
        if name not in DEFAULT_QUOTAS:
            raise ValueError(f"unknown quota {name!r}: use one of {', '.join(DEFAULT_QUOTAS)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"quota {name} must be a whole number >= 0, not {value!r}")
        table[name] = value
    return table
