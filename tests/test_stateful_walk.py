"""A stateful random walk over real resources, through a real boto3 client.

Hypothesis' rule-based state machine creates, links, updates, sends through and
deletes pools, phone numbers, sender IDs, opt-out lists, keywords and tags, and
moves the clock, in any order. After every step:

- no answer is a 5xx (the client does no retries, so none is hidden);
- an operation that failed changed nothing (what `--state` saves, every family,
  idempotency memory and clock, is the same before and after: tests/atomic.py);
- every phone number is in at most one pool, and membership reads the same
  from both sides (pool -> members, number -> PoolId, sender ID -> PoolIds).

`make test` runs a short, derandomized walk. A long one on demand:

    SMSVOICE_SIM_WALK_EXAMPLES=2000 SMSVOICE_SIM_WALK_STEPS=100 \
        .venv/bin/python -m pytest -q -s tests/test_stateful_walk.py

(with a long walk the examples are drawn at random, not derandomized). The
counts of requests tried and 5xx seen are printed at the end.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from smsvoice_sim.simulator import Simulator

from atomic import saved_state

EXAMPLES = int(os.environ.get("SMSVOICE_SIM_WALK_EXAMPLES", "0") or 0)
STEPS = int(os.environ.get("SMSVOICE_SIM_WALK_STEPS", "0") or 0)
NO_RETRIES = Config(retries={"total_max_attempts": 1})
TRIED = {"requests": 0, "5xx": 0, "errors": 0, "failed_checks": 0}
# A long walk can write its counts here as it goes (every 1,000 requests).
PROGRESS = os.environ.get("SMSVOICE_SIM_WALK_PROGRESS")
ANSWERS: Counter = Counter()  # (operation, error code or "ok")

MESSAGE_TYPES = ["TRANSACTIONAL", "TRANSACTIONAL", "PROMOTIONAL"]  # mostly one: more joins succeed
COUNTRIES = ["US", "GB"]
NUMBER_TYPES = ["LONG_CODE", "TOLL_FREE", "SIMULATOR"]
CAPABILITIES = st.lists(st.sampled_from(["SMS", "VOICE", "MMS"]), min_size=1, max_size=3, unique=True)
OPT_OUT_NAMES = ["Default", "Default", "listA", "listB"]
SENDER_NAMES = ["ACME", "BRAVO", "CHARLIE"]
KEYWORDS = ["HELP", "STOP", "JOIN", "INFO"]
DESTINATIONS = ["+12065550100", "+12065550101", "+447700900123"]
TAG_KEYS = ["env", "team", "cost"]
BOOLS = st.booleans()
READS = ["describe_phone_numbers", "describe_sender_ids", "describe_pools",
         "list_pool_origination_identities", "describe_opt_out_lists", "describe_opted_out_numbers",
         "describe_keywords", "list_tags_for_resource", "describe_account_limits"]


def some_of(data, **optional) -> dict:
    """Each optional parameter half the time (Update* calls: any subset may be sent)."""
    return {name: value for name, value in optional.items() if data.draw(BOOLS)}


class Walk(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.sim = Simulator(clock="manual", seed=42)
        self.client = self.sim.client(region_name="us-east-1", config=NO_RETRIES)
        # The first request of an account and region brings its view into sim.state()
        # (with the Default opt-out list AWS gives every account): make it before the walk.
        self.client.describe_account_limits()
        # Every id or ARN the walk has seen, live or not: stale references are part of the walk.
        self.pools: list[str] = []
        self.phones: list[str] = []  # ids and ARNs
        self.numbers: list[str] = []  # E.164: sending takes these too
        self.senders: list[tuple[str, str, str]] = []  # (name, country, ARN)
        self.arns: list[str] = []
        self.phone_arns: list[str] = []

    @initialize()
    def an_active_number_in_an_active_pool(self):
        """Every walk starts from a working pool, so deep states are a few steps away."""
        number = self.call("request_phone_number", IsoCountryCode="US", MessageType="TRANSACTIONAL",
                           NumberCapabilities=["SMS", "VOICE"], NumberType="LONG_CODE")
        self.phones += [number["PhoneNumberId"], number["PhoneNumberArn"]]
        self.numbers.append(number["PhoneNumber"])
        self.arns.append(number["PhoneNumberArn"])
        self.sim.force_transition(number["PhoneNumberId"])
        pool = self.call("create_pool", OriginationIdentity=number["PhoneNumberId"],
                         MessageType="TRANSACTIONAL")
        self.pools += [pool["PoolId"], pool["PoolArn"]]
        self.arns.append(pool["PoolArn"])
        self.sim.force_transition(pool["PoolId"])

    # -- one request, checked ---------------------------------------------------------------
    def call(self, operation: str, **params) -> dict | None:
        with self.sim.lock:
            self.sim.lifecycles.settle()  # steps the clock made due are not the request's doing
            before = saved_state(self.sim)
        TRIED["requests"] += 1
        if PROGRESS and TRIED["requests"] % 1000 == 0:
            with open(PROGRESS, "w", encoding="utf-8") as fh:
                fh.write(f"{TRIED}\n")
        try:
            result = getattr(self.client, operation)(**params)
            ANSWERS[(operation, "ok")] += 1
            return result
        except ClientError as err:
            TRIED["errors"] += 1
            ANSWERS[(operation, err.response.get("Reason") or err.response["Error"]["Code"])] += 1
            status = err.response["ResponseMetadata"]["HTTPStatusCode"]
            TRIED["5xx"] += status >= 500
            changed = saved_state(self.sim) != before
            TRIED["failed_checks"] += status >= 500 or changed
            assert status < 500, (operation, params, err.response["Error"])
            assert not changed, (f"{operation} failed ({err.response['Error']['Code']}) but "
                                 f"changed state", params)
            return None

    def ref(self, data, items: list, extra: list | None = None, live: list | None = None):
        """Mostly a live resource (so the walk gets deep); sometimes a stale or bogus one."""
        if live and data.draw(st.integers(0, 9)) < 8:
            return data.draw(st.sampled_from(live))
        choices = list(items) + list(extra or [])
        return data.draw(st.sampled_from(choices)) if choices else None

    def region_view(self) -> dict:
        return self.sim.state()["accounts"]["123456789012"]["us-east-1"]

    def pool_ref(self, data) -> str:
        live = [ref for p in self.region_view()["pools"] for ref in (p["PoolId"], p["PoolArn"])]
        return self.ref(data, self.pools, ["pool-00000000000000000000000000000000"], live)

    def unsettled_pool_ref(self, data) -> str:
        """Half the time a pool with a member that is not ACTIVE, if there is one: the edge
        states (a number PENDING, ASSOCIATING... in a pool) are where the bugs were."""
        view = self.region_view()
        settled = {p["PhoneNumberId"] for p in view["phone_numbers"] if p["Status"] == "ACTIVE"}
        unsettled = [p["PoolId"] for p in view["pools"]
                     if any(m.startswith("phone-") and m not in settled for m in p["OriginationIdentities"])]
        if unsettled and data.draw(BOOLS):
            return data.draw(st.sampled_from(unsettled))
        return self.pool_ref(data)

    def phone_ref(self, data) -> str:
        live = [ref for p in self.region_view()["phone_numbers"] if p["Status"] != "DELETED"
                for ref in (p["PhoneNumberId"], p["PhoneNumberArn"])]
        return self.ref(data, self.phones, ["phone-00000000000000000000000000000000"], live)

    def identity_ref(self, data) -> tuple[str, str | None]:
        """An origination identity (number or sender ID) and the IsoCountryCode to pass."""
        if self.senders and data.draw(BOOLS):
            name, iso, sender_arn = data.draw(st.sampled_from(self.senders))
            return data.draw(st.sampled_from([(sender_arn, None), (name, iso)]))
        return self.phone_ref(data), None

    def member_ref(self, data, pool_id: str) -> tuple[str, str | None]:
        """Mostly a member of `pool_id` (and then the number most often), else any identity."""
        pools = [p for p in self.region_view()["pools"] if p["PoolId"] == pool_id]
        members = pools[0]["OriginationIdentities"] if pools else []
        if members and data.draw(st.integers(0, 3)) > 0:
            member = data.draw(st.sampled_from(members))
            if member.startswith("phone-"):
                return member, None
            isos = [s[1] for s in self.senders if s[0] == member]
            return member, data.draw(st.sampled_from(isos)) if isos else "US"
        return self.identity_ref(data)

    def describe_phone_numbers(self, data):
        ids = [p for p in self.phones if p.startswith("phone-")]
        params = {}
        if ids and data.draw(BOOLS):
            params["PhoneNumberIds"] = [data.draw(st.sampled_from(ids))]
        self.call("describe_phone_numbers", **params)

    @rule(data=st.data(), protected=BOOLS, self_managed=BOOLS)
    def update_phone_number(self, data, protected, self_managed):
        self.call("update_phone_number", PhoneNumberId=self.phone_ref(data), **some_of(
            data, DeletionProtectionEnabled=protected, SelfManagedOptOutsEnabled=self_managed,
            OptOutListName=data.draw(st.sampled_from(OPT_OUT_NAMES)),
            InternationalSendingEnabled=data.draw(BOOLS)))

    @rule(data=st.data(), number_type=st.sampled_from(NUMBER_TYPES))
    def request_phone_number_into_a_live_pool(self, data, number_type):
        """RequestPhoneNumber(PoolId=...) that the pool accepts: the path that hid a 500."""
        pools = [p for p in self.region_view()["pools"] if p["Status"] != "DELETING"]
        if not pools:
            return
        pool = data.draw(st.sampled_from(pools))
        result = self.call("request_phone_number", IsoCountryCode="US", MessageType=pool["MessageType"],
                           NumberType=number_type, NumberCapabilities=["SMS"], PoolId=pool["PoolId"])
        if result:
            self.phones += [result["PhoneNumberId"], result["PhoneNumberArn"]]
            self.numbers.append(result["PhoneNumber"])

    @rule(data=st.data())
    def release_phone_number(self, data):
        self.call("release_phone_number", PhoneNumberId=self.phone_ref(data))

    # -- sender IDs ---------------------------------------------------------------------------
    @rule(name=st.sampled_from(SENDER_NAMES), iso=st.sampled_from(COUNTRIES),
          types=st.lists(st.sampled_from(MESSAGE_TYPES), max_size=2, unique=True), protected=BOOLS)
    def request_sender_id(self, name, iso, types, protected):
        params = {"SenderId": name, "IsoCountryCode": iso, "DeletionProtectionEnabled": protected}
        if types:
            params["MessageTypes"] = types
        result = self.call("request_sender_id", **params)
        if result:
            self.senders.append((name, iso, result["SenderIdArn"]))
            self.arns.append(result["SenderIdArn"])

    def describe_sender_ids(self, data):
        params = {}
        if self.senders and data.draw(BOOLS):
            name, iso, _ = data.draw(st.sampled_from(self.senders))
            params["SenderIds"] = [{"SenderId": name, "IsoCountryCode": iso}]
        self.call("describe_sender_ids", **params)

    @rule(data=st.data(), protected=BOOLS)
    def update_sender_id(self, data, protected):
        if self.senders:
            name, iso, _ = data.draw(st.sampled_from(self.senders))
            self.call("update_sender_id", SenderId=name, IsoCountryCode=iso,
                      DeletionProtectionEnabled=protected)

    @rule(data=st.data())
    def release_sender_id(self, data):
        if self.senders:
            name, iso, _ = data.draw(st.sampled_from(self.senders))
            self.call("release_sender_id", SenderId=name, IsoCountryCode=iso)

    # -- pools and membership -----------------------------------------------------------------
    @rule(data=st.data(), message_type=st.sampled_from(MESSAGE_TYPES), protected=BOOLS)
    def create_pool(self, data, message_type, protected):
        identity, iso = self.identity_ref(data)
        params = {"OriginationIdentity": identity, "MessageType": message_type,
                  "DeletionProtectionEnabled": protected}
        if iso:
            params["IsoCountryCode"] = iso
        result = self.call("create_pool", **params)
        if result:
            self.pools += [result["PoolId"], result["PoolArn"]]
            self.arns.append(result["PoolArn"])

    def describe_pools(self, data):
        params = {}
        ids = [p for p in self.pools if p.startswith("pool-")]
        if ids and data.draw(BOOLS):
            params["PoolIds"] = [data.draw(st.sampled_from(ids))]
        self.call("describe_pools", **params)

    @rule(data=st.data(), protected=BOOLS, shared=BOOLS, self_managed=BOOLS)
    def update_pool(self, data, protected, shared, self_managed):
        self.call("update_pool", PoolId=self.pool_ref(data), **some_of(
            data, DeletionProtectionEnabled=protected, SharedRoutesEnabled=shared,
            SelfManagedOptOutsEnabled=self_managed, OptOutListName=data.draw(st.sampled_from(OPT_OUT_NAMES))))

    @rule(data=st.data())
    def delete_pool(self, data):
        pool = self.unsettled_pool_ref(data)
        self.call("delete_pool", PoolId=pool)

    @rule(data=st.data())
    def associate_origination_identity(self, data):
        identity, iso = self.identity_ref(data)
        params = {"PoolId": self.pool_ref(data), "OriginationIdentity": identity}
        if iso:
            params["IsoCountryCode"] = iso
        self.call("associate_origination_identity", **params)

    @rule(data=st.data())
    def disassociate_origination_identity(self, data):
        pool = self.unsettled_pool_ref(data)
        identity, iso = self.member_ref(data, pool)
        params = {"PoolId": pool, "OriginationIdentity": identity}
        if iso:
            params["IsoCountryCode"] = iso
        self.call("disassociate_origination_identity", **params)

    def list_pool_origination_identities(self, data):
        self.call("list_pool_origination_identities", PoolId=self.pool_ref(data))

    # -- opt-out lists --------------------------------------------------------------------------
    @rule(name=st.sampled_from(OPT_OUT_NAMES))
    def create_opt_out_list(self, name):
        self.call("create_opt_out_list", OptOutListName=name)

    @rule(name=st.sampled_from(OPT_OUT_NAMES))
    def delete_opt_out_list(self, name):
        self.call("delete_opt_out_list", OptOutListName=name)

    def describe_opt_out_lists(self, data):
        self.call("describe_opt_out_lists")

    @rule(name=st.sampled_from(OPT_OUT_NAMES), number=st.sampled_from(DESTINATIONS))
    def put_opted_out_number(self, name, number):
        self.call("put_opted_out_number", OptOutListName=name, OptedOutNumber=number)

    @rule(name=st.sampled_from(OPT_OUT_NAMES), number=st.sampled_from(DESTINATIONS))
    def delete_opted_out_number(self, name, number):
        self.call("delete_opted_out_number", OptOutListName=name, OptedOutNumber=number)

    def describe_opted_out_numbers(self, data):
        name = data.draw(st.sampled_from(OPT_OUT_NAMES))
        self.call("describe_opted_out_numbers", OptOutListName=name)

    # -- keywords -----------------------------------------------------------------------------
    def keyword_owner(self, data) -> str:
        return self.pool_ref(data) if data.draw(BOOLS) else self.phone_ref(data)

    @rule(data=st.data(), word=st.sampled_from(KEYWORDS),
          action=st.sampled_from(["AUTOMATIC_RESPONSE", "OPT_OUT", "OPT_IN"]))
    def put_keyword(self, data, word, action):
        self.call("put_keyword", OriginationIdentity=self.keyword_owner(data), Keyword=word,
                  KeywordMessage="reply", KeywordAction=action)

    @rule(data=st.data(), word=st.sampled_from(KEYWORDS))
    def delete_keyword(self, data, word):
        self.call("delete_keyword", OriginationIdentity=self.keyword_owner(data), Keyword=word)

    def describe_keywords(self, data):
        self.call("describe_keywords", OriginationIdentity=self.keyword_owner(data))

    # -- tags -----------------------------------------------------------------------------------
    def arn_ref(self, data) -> str:
        return self.ref(data, self.arns, [
            "arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/Default",
            "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-00000000000000000000000000000000",
            "arn:aws:sms-voice:eu-west-1:123456789012:opt-out-list/Default"])

    @rule(data=st.data(), key=st.sampled_from(TAG_KEYS), value=st.sampled_from(["a", "b"]))
    def tag_resource(self, data, key, value):
        self.call("tag_resource", ResourceArn=self.arn_ref(data), Tags=[{"Key": key, "Value": value}])

    @rule(data=st.data(), key=st.sampled_from(TAG_KEYS))
    def untag_resource(self, data, key):
        self.call("untag_resource", ResourceArn=self.arn_ref(data), TagKeys=[key])

    def list_tags_for_resource(self, data):
        self.call("list_tags_for_resource", ResourceArn=self.arn_ref(data))

    # -- sending ------------------------------------------------------------------------------
    @rule(data=st.data(), how=st.sampled_from(["send_text_message", "send_voice_message",
                                               "send_media_message"]),
          destination=st.sampled_from(DESTINATIONS))
    def send(self, data, how, destination):
        origin = self.ref(data, self.pools + self.phones + self.numbers + [s[0] for s in self.senders])
        params = {"DestinationPhoneNumber": destination}
        if origin is not None:
            params["OriginationIdentity"] = origin
        elif how != "send_text_message":
            return  # only a text may leave the origin to the service
        if how == "send_voice_message":
            params["MessageBody"] = "hello"
        elif how == "send_media_message":
            params["MediaUrls"] = ["s3://bucket/cat.png"]
        else:
            params["MessageBody"] = "hello"
        self.call(how, **params)

    def describe_account_limits(self, data):
        self.call("describe_account_limits")

    # -- reads: one rule, so that reads do not crowd out the writes --------------------------
    @rule(data=st.data(), which=st.sampled_from(READS))
    def read(self, data, which):
        getattr(self, which)(data)

    # -- time -----------------------------------------------------------------------------------
    @rule(seconds=st.sampled_from([0, 1, 3, 5, 10, 600]))
    def advance_clock(self, seconds):
        self.sim.advance(seconds)

    @rule(data=st.data())
    def force_transition(self, data):
        ids = [r for r in self.pools + self.phones if r.startswith(("pool-", "phone-"))]
        if ids:
            try:
                self.sim.force_transition(data.draw(st.sampled_from(ids)))
            except KeyError:
                pass  # a pool that is gone

    # -- invariants -----------------------------------------------------------------------------
    @invariant()
    def numbers_in_at_most_one_pool_and_membership_is_symmetric(self):
        try:
            self._check_membership(self.sim.state())
        except AssertionError:
            TRIED["failed_checks"] += 1
            raise

    @staticmethod
    def _check_membership(state: dict) -> None:
        for regions in state["accounts"].values():
            for region in regions.values():
                numbers = {n["PhoneNumberId"]: n for n in region["phone_numbers"]}
                senders = {(s["SenderId"], s["IsoCountryCode"]): s for s in region["sender_ids"]}
                holder: dict[str, str] = {}
                for pool in region["pools"]:
                    for member in pool["OriginationIdentities"]:
                        if member.startswith("phone-"):
                            assert member not in holder, f"{member} in {holder[member]} and {pool['PoolId']}"
                            holder[member] = pool["PoolId"]
                            assert numbers[member].get("PoolId") == pool["PoolId"], (member, pool)
                        else:
                            assert any(pool["PoolId"] in s["PoolIds"] for key, s in senders.items()
                                       if key[0] == member), (member, pool["PoolId"])
                for number in numbers.values():
                    assert number.get("PoolId") == holder.get(number["PhoneNumberId"]), number
                pool_members = {p["PoolId"]: set(p["OriginationIdentities"]) for p in region["pools"]}
                for (name, _iso), sender in senders.items():
                    for pool_id in sender["PoolIds"]:
                        assert name in pool_members.get(pool_id, set()), (name, pool_id)


def walk_settings() -> settings:
    if EXAMPLES:  # a long walk on demand: random, many examples
        return settings(max_examples=EXAMPLES, stateful_step_count=STEPS or 60, deadline=None,
                        derandomize=False, database=None, suppress_health_check=list(HealthCheck))
    return settings(max_examples=40, stateful_step_count=STEPS or 40, deadline=None,
                    derandomize=True, database=None, suppress_health_check=list(HealthCheck))


Walk.TestCase.settings = walk_settings()
TestWalk = Walk.TestCase


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    """The walk's numbers (each request is asserted on as it goes)."""
    yield
    print(f"\nstateful walk: {TRIED['requests']} requests tried, {TRIED['errors']} error answers, "
          f"{TRIED['5xx']} 5xx")
    if os.environ.get("SMSVOICE_SIM_WALK_VERBOSE"):
        for (operation, answer), count in sorted(ANSWERS.items()):
            print(f"  {operation:36} {answer:40} {count}")


@pytest.mark.parametrize("step", ["delete_pool", "disassociate_origination_identity"])
def test_a_pending_number_requested_into_a_pool_breaks_neither_delete_nor_disassociate(step):
    """Issue 10's 500: a PENDING number requested into a pool made DeletePool and
    Disassociate answer MachineError after changing state."""
    sim = Simulator(clock="manual", seed=1)
    client = sim.client(config=NO_RETRIES)
    first = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    sim.force_transition(first["PhoneNumberId"])
    pool = client.create_pool(OriginationIdentity=first["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.force_transition(pool["PoolId"])
    pending = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                          NumberCapabilities=["SMS"], NumberType="LONG_CODE",
                                          PoolId=pool["PoolId"])
    before = sim.state()
    try:
        if step == "delete_pool":
            client.delete_pool(PoolId=pool["PoolId"])
        else:
            client.disassociate_origination_identity(PoolId=pool["PoolId"],
                                                     OriginationIdentity=pending["PhoneNumberId"])
    except ClientError as err:
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] < 500, err.response["Error"]
        assert sim.state() == before, "a failing operation changed state"


def test_the_membership_check_catches_a_number_in_two_pools_and_a_one_sided_link():
    def view(pools, numbers, senders=()):
        return {"accounts": {"123456789012": {"us-east-1": {
            "pools": [{"PoolId": p, "OriginationIdentities": m} for p, m in pools],
            "phone_numbers": [{"PhoneNumberId": n, "PoolId": p} for n, p in numbers],
            "sender_ids": [{"SenderId": s, "IsoCountryCode": "US", "PoolIds": ids} for s, ids in senders]}}}}

    Walk._check_membership(view([("pool-a", ["phone-1", "ACME"])], [("phone-1", "pool-a")],
                                [("ACME", ["pool-a"])]))
    for broken in (view([("pool-a", ["phone-1"]), ("pool-b", ["phone-1"])], [("phone-1", "pool-a")]),
                   view([("pool-a", [])], [("phone-1", "pool-a")]),
                   view([("pool-a", [])], [], [("ACME", ["pool-a"])]),
                   view([("pool-a", ["ACME"])], [], [("ACME", [])])):
        with pytest.raises(AssertionError):
            Walk._check_membership(broken)
