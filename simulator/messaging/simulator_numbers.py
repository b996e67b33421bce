"""AWS's destination simulator phone numbers: the one table the sandbox gate, the outcome rules
and the simulator-origination rule all read.

"For each country and region, there are phone numbers that generate message success events,
and numbers that generate message failure events" — 25 countries, 50 numbers [doc:
https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html]. Jersey (JE)
and the United Kingdom (GB) share +44; each number belongs to the country the table names.
"""

from __future__ import annotations

from typing import NamedTuple


class SimulatorPair(NamedTuple):
    success: str
    failure: str


# ISO country code -> (success number, failure number), in the order of AWS's table.
SIMULATOR_NUMBERS: dict[str, SimulatorPair] = {
    "AU": SimulatorPair("+61455944038", "+61455944039"),
    "AT": SimulatorPair("+43676800442031", "+43676800442032"),
    "BE": SimulatorPair("+32460213922", "+32460213923"),
    "CL": SimulatorPair("+56229140630", "+56229140631"),
    "CZ": SimulatorPair("+420790542286", "+420790542287"),
    "DK": SimulatorPair("+4525919410", "+4525919215"),
    "EE": SimulatorPair("+37282720792", "+37282720793"),
    "FI": SimulatorPair("+3584573979110", "+3584573979111"),
    "FR": SimulatorPair("+33755512501", "+33755512502"),
    "HK": SimulatorPair("+85257048426", "+85257048854"),
    "HU": SimulatorPair("+36707178770", "+36707178772"),
    "IT": SimulatorPair("+394390009172", "+394390009174"),
    "JE": SimulatorPair("+447937404990", "+447937404992"),
    "LU": SimulatorPair("+352691385880", "+352691385882"),
    "NL": SimulatorPair("+3197008100148", "+3197008100150"),
    "NO": SimulatorPair("+4759449384", "+4759449387"),
    "PL": SimulatorPair("+48732141440", "+48732141442"),
    "PT": SimulatorPair("+351927946948", "+351927946950"),
    "RO": SimulatorPair("+40783900330", "+40783900332"),
    "ES": SimulatorPair("+34683783440", "+34683783442"),
    "SE": SimulatorPair("+46790645100", "+46790645102"),
    "CH": SimulatorPair("+41798075872", "+41798075874"),
    "TW": SimulatorPair("+886903444630", "+886903444632"),
    "GB": SimulatorPair("+447860019066", "+447860019067"),
    "US": SimulatorPair("+14254147755", "+14254147167"),
}

_COUNTRY_OF: dict[str, str] = {
    number: iso for iso, pair in SIMULATOR_NUMBERS.items() for number in pair}
SUCCESS_NUMBERS: frozenset[str] = frozenset(pair.success for pair in SIMULATOR_NUMBERS.values())
FAILURE_NUMBERS: frozenset[str] = frozenset(pair.failure for pair in SIMULATOR_NUMBERS.values())


def is_simulator_destination(number: str) -> bool:
    return number in _COUNTRY_OF


def simulator_country(number: str) -> str | None:
    """The country whose simulator number `number` is (as AWS's table lists it), or None."""
    return _COUNTRY_OF.get(number)
