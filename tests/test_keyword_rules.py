"""Keyword rules real programs caught (issue 15): keywords are case-insensitive and stored
upper-case, HELP and STOP keep the actions AWS manages, on numbers and pools alike, and
through saved state."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.snapshot import export_state, import_state

from conftest import active_phone, active_pool
from families_fixtures import conflict, error_of

STOP_MESSAGE = "You will no longer get texts from Example. Reply START to resubscribe."


def keywords(api, owner: str, **params) -> dict[str, tuple[str, str]]:
    """The owner's keywords: {Keyword: (KeywordAction, KeywordMessage)}."""
    found = api.describe_keywords(OriginationIdentity=owner, **params)["Keywords"]
    return {k["Keyword"]: (k["KeywordAction"], k["KeywordMessage"]) for k in found}


@pytest.fixture(params=["phone-number", "pool"])
def owner(request, sim, api) -> str:
    """A keyword owner: a phone number, or a pool (which starts with its number's keywords)."""
    phone = active_phone(sim, api)
    if request.param == "pool":
        return active_pool(sim, api, phone)["PoolId"]
    return phone["PhoneNumberId"]


def test_put_keyword_is_case_insensitive_and_stored_upper_case(api, owner):
    before = keywords(api, owner)
    put = api.put_keyword(OriginationIdentity=owner, Keyword="stop", KeywordMessage=STOP_MESSAGE)
    assert put["Keyword"] == "STOP"
    after = keywords(api, owner)
    assert sorted(after) == sorted(before) == ["HELP", "STOP"]  # updated, not a second `stop`
    assert after["STOP"] == ("OPT_OUT", STOP_MESSAGE)
    api.put_keyword(OriginationIdentity=owner, Keyword="Promo", KeywordMessage="10% off",
                    KeywordAction="AUTOMATIC_RESPONSE")
    api.put_keyword(OriginationIdentity=owner, Keyword="PROMO", KeywordMessage="20% off")
    assert sorted(keywords(api, owner)) == ["HELP", "PROMO", "STOP"]
    assert keywords(api, owner)["PROMO"] == ("AUTOMATIC_RESPONSE", "20% off")


def test_put_keyword_stop_with_only_a_message_keeps_its_opt_out_action(api, owner):
    api.put_keyword(OriginationIdentity=owner, Keyword="STOP", KeywordMessage=STOP_MESSAGE)
    api.put_keyword(OriginationIdentity=owner, Keyword="help", KeywordMessage="Call 555-0199")
    assert keywords(api, owner) == {"STOP": ("OPT_OUT", STOP_MESSAGE),
                                    "HELP": ("AUTOMATIC_RESPONSE", "Call 555-0199")}
    # Asking for the action it has is fine (public keyword scripts pass it every time).
    api.put_keyword(OriginationIdentity=owner, Keyword="STOP", KeywordMessage="Bye", KeywordAction="OPT_OUT")
    assert keywords(api, owner)["STOP"] == ("OPT_OUT", "Bye")


def test_a_mandatory_keyword_refuses_another_action(api, owner):
    for word, action in (("STOP", "AUTOMATIC_RESPONSE"), ("stop", "OPT_IN"), ("Help", "OPT_OUT")):
        with pytest.raises(ClientError) as exc:
            api.put_keyword(OriginationIdentity=owner, Keyword=word, KeywordMessage="x",
                            KeywordAction=action)
        assert error_of(exc) == conflict("RESOURCE_MODIFICATION_NOT_ALLOWED", "keyword", word.upper())
    assert keywords(api, owner)["STOP"][0] == "OPT_OUT"  # the refused calls changed nothing
    assert keywords(api, owner)["HELP"][0] == "AUTOMATIC_RESPONSE"


def test_a_custom_keyword_updated_without_an_action_keeps_its_action(api, owner):
    api.put_keyword(OriginationIdentity=owner, Keyword="START", KeywordMessage="Welcome back",
                    KeywordAction="OPT_IN")
    api.put_keyword(OriginationIdentity=owner, Keyword="start", KeywordMessage="Welcome back!")
    assert keywords(api, owner)["START"] == ("OPT_IN", "Welcome back!")
    api.put_keyword(OriginationIdentity=owner, Keyword="INFO", KeywordMessage="See example.com")
    assert keywords(api, owner)["INFO"] == ("AUTOMATIC_RESPONSE", "See example.com")


def test_describe_and_delete_keywords_match_case_insensitively(api, owner):
    api.put_keyword(OriginationIdentity=owner, Keyword="Promo", KeywordMessage="10% off")
    assert sorted(keywords(api, owner, Keywords=["promo", "stop"])) == ["PROMO", "STOP"]
    deleted = api.delete_keyword(OriginationIdentity=owner, Keyword="pROMO")
    assert deleted["Keyword"] == "PROMO"
    assert sorted(keywords(api, owner)) == ["HELP", "STOP"]
    for word in ("stop", "help"):
        with pytest.raises(ClientError) as exc:
            api.delete_keyword(OriginationIdentity=owner, Keyword=word)
        assert error_of(exc) == conflict("RESOURCE_DELETION_NOT_ALLOWED", "keyword", word.upper())
    with pytest.raises(ClientError) as exc:
        api.delete_keyword(OriginationIdentity=owner, Keyword="promo")
    assert error_of(exc)["Code"] == "ResourceNotFoundException"


def test_a_keyword_that_starts_or_ends_with_a_space_is_refused(api, owner):
    for word in (" STOP", "PROMO "):
        with pytest.raises(ClientError) as exc:
            api.put_keyword(OriginationIdentity=owner, Keyword=word, KeywordMessage="x")
        assert error_of(exc)["Code"] == "ValidationException"
        assert exc.value.response["Reason"] == "INVALID_PARAMETER"
    assert sorted(keywords(api, owner)) == ["HELP", "STOP"]


def test_a_keyword_comes_back_no_longer_than_the_models_30(api, owner):
    """`ß`.upper() is `SS`: a 30-letter keyword must not come back 59 letters long (the model's
    Keyword has max 30); such a letter is kept as given, the others still fold."""
    word, stored = "ß" * 29 + "a", "ß" * 29 + "A"
    assert api.put_keyword(OriginationIdentity=owner, Keyword=word, KeywordMessage="x")["Keyword"] == stored
    assert list(keywords(api, owner, Keywords=[word])) == [stored]
    assert api.delete_keyword(OriginationIdentity=owner, Keyword=word)["Keyword"] == stored
    assert sorted(keywords(api, owner)) == ["HELP", "STOP"]


def test_a_pool_takes_its_numbers_keywords_and_keeps_them_apart(sim, api):
    phone = active_phone(sim, api)["PhoneNumberId"]
    api.put_keyword(OriginationIdentity=phone, Keyword="promo", KeywordMessage="10% off")
    pool = active_pool(sim, api, {"PhoneNumberId": phone, "MessageType": "TRANSACTIONAL"})["PoolId"]
    assert sorted(keywords(api, pool)) == ["HELP", "PROMO", "STOP"]
    api.put_keyword(OriginationIdentity=pool, Keyword="Promo", KeywordMessage="pool offer")
    assert keywords(api, pool)["PROMO"][1] == "pool offer"
    assert keywords(api, phone)["PROMO"][1] == "10% off"


def test_keyword_rules_hold_through_saved_state(sim, api, owner):
    api.put_keyword(OriginationIdentity=owner, Keyword="stop", KeywordMessage=STOP_MESSAGE)
    api.put_keyword(OriginationIdentity=owner, Keyword="promo", KeywordMessage="10% off")
    saved = json.loads(json.dumps(export_state(sim)))
    fresh = Simulator(clock="manual", seed=1)
    import_state(fresh, saved)
    again = fresh.client()
    assert keywords(again, owner) == keywords(api, owner)
    again.put_keyword(OriginationIdentity=owner, Keyword="Promo", KeywordMessage="later")
    assert sorted(keywords(again, owner)) == ["HELP", "PROMO", "STOP"]
    assert keywords(again, owner)["STOP"] == ("OPT_OUT", STOP_MESSAGE)


def _rows(saved: dict, family: str) -> list[dict]:
    """Every saved row of `family` that holds keywords (phone numbers or pools)."""
    return [row for region in saved["regions"]
            for table in region["families"][family].values() if isinstance(table, list)
            for row in table if isinstance(row, dict) and "keywords" in row]


def test_a_state_saved_with_a_lower_case_duplicate_reads_as_one_keyword(sim, api, owner):
    """A state written before this rule may hold `stop` beside `STOP`: it folds into one
    keyword, STOP's own action and message winning, and `stop` can be put and deleted again."""
    saved = json.loads(json.dumps(export_state(sim)))
    family = "pools" if owner.startswith("pool-") else "phone_numbers"
    rows = [row for row in _rows(saved, family) if owner in row.values()]
    assert len(rows) == 1
    rows[0]["keywords"].append(["stop", "old duplicate", "AUTOMATIC_RESPONSE"])
    rows[0]["keywords"].append(["promo", "10% off", "AUTOMATIC_RESPONSE"])
    fresh = Simulator(clock="manual", seed=1)
    import_state(fresh, saved)
    again = fresh.client()
    shown = keywords(again, owner)
    assert sorted(shown) == ["HELP", "PROMO", "STOP"] and shown["STOP"][0] == "OPT_OUT"
    again.delete_keyword(OriginationIdentity=owner, Keyword="promo")
    assert sorted(keywords(again, owner)) == ["HELP", "STOP"]


def test_a_us_toll_free_numbers_opt_outs_are_managed_by_carriers(sim, api):
    """US toll-free: STOP is the only opt-out keyword and its response cannot be changed
    [doc: keywords-required.html]; other keywords (START to opt back in, HELP) can."""
    number = api.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                      NumberCapabilities=["SMS"], NumberType="TOLL_FREE")["PhoneNumberId"]
    for word, action in (("STOP", None), ("stop", "OPT_OUT"), ("QUIT", "OPT_OUT")):
        extra = {"KeywordAction": action} if action else {}
        with pytest.raises(ClientError) as exc:
            api.put_keyword(OriginationIdentity=number, Keyword=word, KeywordMessage="Bye", **extra)
        assert error_of(exc) == conflict("RESOURCE_MODIFICATION_NOT_ALLOWED", "keyword", word.upper())
    api.put_keyword(OriginationIdentity=number, Keyword="START", KeywordMessage="Welcome back",
                    KeywordAction="OPT_IN")
    api.put_keyword(OriginationIdentity=number, Keyword="HELP", KeywordMessage="Call 555-0199")
    assert keywords(api, number)["STOP"][0] == "OPT_OUT"
    long_code = active_phone(sim, api)["PhoneNumberId"]  # any other number: its STOP is yours
    api.put_keyword(OriginationIdentity=long_code, Keyword="QUIT", KeywordMessage="Bye",
                    KeywordAction="OPT_OUT")
