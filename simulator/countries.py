"""The countries a protect configuration's country rule sets list (ISO 3166-1 alpha-2).

"By default all country rule sets for each capability are set to ALLOW" [model:
CreateProtectConfiguration]: GetProtectConfigurationCountryRuleSet lists every country below
(the model allows 1-300 entries). AWS does not publish the exact list it returns [inf]: this is
every country and territory with its own E.164 calling code or NANP area code.
The country of a phone number comes from `prices.iso_country_of` (one table).
"""

from __future__ import annotations

COUNTRIES: tuple[str, ...] = tuple("""
    AD AE AF AG AI AL AM AO AR AS AT AU AW AZ BA BB BD BE BF BG BH BI BJ BM BN BO BQ BR BS BT BW BY
    BZ CA CD CF CG CH CI CK CL CM CN CO CR CU CV CW CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ
    FK FM FO FR GA GB GD GE GF GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IN IQ IR
    IS IT JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG
    MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TG TH TJ TL TM TN TO TR TT TV TW TZ UA UG US UY UZ VC VE VG VI VN VU WS XK YE YT
    ZA ZM ZW
""".split())


def all_countries() -> tuple[str, ...]:
    return COUNTRIES
