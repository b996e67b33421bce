"""Clocks and lifecycle machines: nothing sleeps, every step is on a clock the test holds."""

from __future__ import annotations

import gc
import weakref

import pytest
from transitions import MachineError

from smsvoice_sim.simulator import InstantClock, ManualClock, ReadsClock, Simulator
from smsvoice_sim.simulator.engine.clock import make_clock
from smsvoice_sim.simulator.engine.lifecycle import Lifecycles
from smsvoice_sim.simulator.families.pools import LIFECYCLE as POOL
from smsvoice_sim.simulator.families.pools import Pool

from conftest import active_phone


def pool_status(client, pool_id):
    return client.describe_pools(PoolIds=[pool_id])["Pools"][0]["Status"]


def new_pool(sim, client):
    """A pool from the account's LIFE sender ID (a sender ID may be in many pools)."""
    arn = "arn:aws:sms-voice:us-east-1:123456789012:sender-id/LIFE/US"
    if not client.describe_sender_ids()["SenderIds"]:
        arn = client.request_sender_id(SenderId="LIFE", IsoCountryCode="US")["SenderIdArn"]
    return client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL")["PoolId"]


def test_manual_clock_moves_only_when_advanced():
    sim = Simulator(clock="manual")
    client = sim.client()
    pool = new_pool(sim, client)
    for _ in range(20):
        assert pool_status(client, pool) == "CREATING"
    sim.clock.advance(5)  # advancing the clock alone is enough: the next request settles
    assert pool_status(client, pool) == "ACTIVE"


def test_instant_clock_makes_every_step_due_at_once():
    sim = Simulator(clock="instant")
    client = sim.client()
    pool = new_pool(sim, client)
    assert pool_status(client, pool) == "ACTIVE"
    client.delete_pool(PoolId=pool)
    assert client.describe_pools()["Pools"] == []


def test_reads_clock_gives_n_reads_in_each_state():
    sim = Simulator(clock="reads:3")
    client = sim.client()
    pool = new_pool(sim, client)
    assert [pool_status(client, pool) for _ in range(5)] == [
        "CREATING", "CREATING", "CREATING", "ACTIVE", "ACTIVE"]


def test_real_clock_catches_up_every_step_that_fell_due():
    # A late read must see every step since, each timed from when its state began.
    clock = make_clock("real")
    sim = Simulator(clock=clock, durations={"pool:CREATING->ACTIVE": 30,
                                            "phone-number:PENDING->ACTIVE": 20})
    client = sim.client()
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    created = sim.clock.now()
    sim.clock.advance(3600)  # an hour later, without waiting for it
    number = sim.region("123456789012", "us-east-1").phone_numbers.get(phone["PhoneNumberId"])
    assert number.state == "PENDING"  # nothing moves until something looks
    assert client.describe_phone_numbers()["PhoneNumbers"][0]["Status"] == "ACTIVE"
    assert number.entered_at == pytest.approx(created + 20, abs=0.5)


def test_durations_are_configurable():
    sim = Simulator(durations={"pool:CREATING->ACTIVE": 60})
    client = sim.client()
    pool = new_pool(sim, client)
    sim.advance(59)
    assert pool_status(client, pool) == "CREATING"
    sim.advance(1)
    assert pool_status(client, pool) == "ACTIVE"


def test_unknown_or_negative_durations_are_refused():
    with pytest.raises(ValueError, match="no lifecycle step pool:CREATING->READY"):
        Simulator(durations={"pool:CREATING->READY": 3})
    with pytest.raises(ValueError, match="negative"):
        Simulator(durations={"pool:CREATING->ACTIVE": -1})
    from helpers import run_cli
    result = run_cli("simulate", "--duration", "pool:CREATING->READY=3")
    assert result.returncode == 2 and "no lifecycle step" in result.stderr


def test_forced_transition_ignores_the_clock(sim, client):
    pool = new_pool(sim, client)
    assert sim.force_transition(pool) == "ACTIVE"
    assert pool_status(client, pool) == "ACTIVE"
    with pytest.raises(KeyError):
        sim.force_transition("pool-" + "f" * 32)


def test_simulator_numbers_are_active_at_once(sim, client):
    number = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    assert number["Status"] == "ACTIVE" and number["MonthlyLeasingPrice"] == "0.00"


def test_association_steps_are_visible_when_given_a_duration():
    sim = Simulator(durations={"phone-number:ASSOCIATING->ACTIVE": 2})
    client = sim.client()
    phone = active_phone(sim, client)
    client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    status = client.describe_phone_numbers()["PhoneNumbers"][0]["Status"]
    assert status == "ASSOCIATING"
    sim.advance(2)
    assert client.describe_phone_numbers()["PhoneNumbers"][0]["Status"] == "ACTIVE"


def test_invalid_moves_are_impossible_by_construction():
    lifecycles = Lifecycles(ManualClock(), [POOL])
    pool = Pool(pool_id="pool-x")
    lifecycles.place(pool, "pool", 0.0)
    with pytest.raises(MachineError):
        lifecycles.move(pool, "purge", 0.0)  # CREATING cannot jump to gone
    with pytest.raises(AttributeError):
        lifecycles.move(pool, "to_DELETING", 0.0)  # no auto "to_X" shortcuts exist
    with pytest.raises(ValueError):
        lifecycles.place(Pool(pool_id="pool-y"), "pool", 0.0, state="PAUSED")
    assert pool.state == "CREATING"
    assert {t["dest"] for t in POOL.transitions} == {"ACTIVE", "DELETING", "GONE"}


def test_clock_specs():
    assert isinstance(make_clock("instant"), InstantClock)
    reads = make_clock("reads:4")
    assert isinstance(reads, ReadsClock) and reads.reads == 4
    for bad in ("sometimes", "reads:0", "reads:x"):
        with pytest.raises(ValueError):
            make_clock(bad)
    with pytest.raises(ValueError):
        ManualClock().advance(-1)


def test_deleted_pools_leave_nothing_behind():
    # Neither the machines nor the schedule may keep a deleted pool alive.
    sim = Simulator(clock="instant")
    client = sim.client()
    pools = sim.region("123456789012", "us-east-1").pools
    alive = []
    for _ in range(20):
        pool = new_pool(sim, client)
        client.describe_pools(PoolIds=[pool])
        alive.append(weakref.ref(pools.get(pool)))
        client.delete_pool(PoolId=pool)
    assert client.describe_pools()["Pools"] == []
    gc.collect()
    assert [ref for ref in alive if ref() is not None] == []


def test_the_plugin_fixture_is_a_fresh_manual_simulator(smsvoice_sim):
    assert smsvoice_sim.clock.mode == "manual"
    client = smsvoice_sim.client()
    assert client.describe_pools()["Pools"] == []
    pool = new_pool(smsvoice_sim, client)
    smsvoice_sim.clock.advance(5)
    assert pool_status(client, pool) == "ACTIVE"


def test_simulators_share_compiled_machines_and_their_moves_stay_their_own():
    # A machine is compiled once a process (Simulator() used to build all of them, ~3 ms) and
    # its move table is only read, so simulators moving resources at once in other threads
    # need no lock between them and still each see their own states.
    import threading

    first, second = Simulator(clock="manual"), Simulator(clock="manual")
    assert first.lifecycles.machines["pool"] is second.lifecycles.machines["pool"]
    pools = {}

    def churn(sim, name):
        client = sim.client(short_circuit=True)
        for _ in range(20):
            pool = new_pool(sim, client)
            sim.force_transition(pool)
            client.delete_pool(PoolId=pool)
        pools[name] = new_pool(sim, client)

    threads = [threading.Thread(target=churn, args=(sim, name))
               for sim, name in ((first, "first"), (second, "second"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(pools) == ["first", "second"]  # a thread that raised made no last pool
    for sim, name in ((first, "first"), (second, "second")):
        sim.advance(3600)  # the deleted pools go, the last one becomes ACTIVE
        assert [p["PoolId"] for p in sim.client().describe_pools()["Pools"]] == [pools[name]]
        assert sim.client().describe_pools()["Pools"][0]["Status"] == "ACTIVE"


def test_the_seed_catalogue_is_read_once_and_a_loaded_one_stays_with_its_simulator(tmp_path):
    import json

    seed = Simulator().registrations.catalogue
    assert Simulator().registrations.catalogue.get("US_TOLL_FREE_REGISTRATION") is \
        seed.get("US_TOLL_FREE_REGISTRATION")
    definition = dict(seed.get("US_TOLL_FREE_REGISTRATION").definition, RegistrationType="XX_OWN")
    document = [{"RegistrationTypeDefinitions": [json.loads(json.dumps(definition))]}]
    own = Simulator(registration_catalogue=document).registrations.catalogue
    assert "XX_OWN" in own and "XX_OWN" not in seed and "XX_OWN" not in Simulator().registrations.catalogue
