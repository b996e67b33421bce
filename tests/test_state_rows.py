"""`--state` saves per change: one row per resource, and a request writes only the rows of
what it changed. The rows must always read back as the whole export (`export_state`): here
every operation of the model, a walk through real resources, the clock's moves, reviews,
reset and adoption are checked row by row after every request, and the rows a request writes
are counted with SQLite itself."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import invariant
from test_snapshot_every_family import PNG, populated, view
from test_stateful_walk import Walk
from test_validation import call

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.persistence import BadStateFile
from smsvoice_sim.simulator.engine.snapshot import document_from_rows, export_state
from smsvoice_sim.simulator.families import Family
from smsvoice_sim.simulator.families import operation as simulates
from smsvoice_sim.simulator.wire.coverage import COVERED_OPERATIONS
from smsvoice_sim.simulator.wire.model import operation, operation_names

from strategies import valid

ROWS = "SELECT account, region, family, part, key, data FROM state_rows ORDER BY seq"


def file_rows(path) -> dict[tuple, str]:
    """Every row of the file, by its name, read by SQLite alone."""
    with sqlite3.connect(path) as conn:
        found = {tuple(r[:5]): r[5] for r in conn.execute(ROWS)}
    conn.close()
    return found


def file_document(path) -> dict:
    """The document the file's rows make, read with a connection of its own."""
    with sqlite3.connect(path) as conn:
        meta = {n: json.loads(d) for n, d in conn.execute("SELECT name, data FROM state_meta")}
        rows = [(*r[:5], json.loads(r[5])) for r in conn.execute(ROWS)]
    conn.close()
    return document_from_rows(meta, rows)


def assert_rows_are_the_export(sim: Simulator, save: bool = True) -> None:
    """The file holds the export. `save`: first write what the clock moved outside a request
    (the walk settles); without it, what the requests themselves wrote is compared."""
    with sim.lock:
        if save:
            sim.save()
        whole = json.loads(json.dumps(export_state(sim)))
    saved = file_document(sim.state_file.path)
    if not save:  # an answer that changed nothing (an error) draws a request id, unsaved
        saved.pop("ids"), whole.pop("ids")
    assert saved == whole, differences(saved, whole)


def differences(saved, whole, path: str = "") -> list[str]:
    """Where the saved document differs from the whole export: the first few places."""
    if type(saved) is not type(whole):
        return [f"{path}: saved {str(saved)[:200]} but is {str(whole)[:200]}"]
    if isinstance(saved, dict):
        found = [f"{path}: saved members {sorted(saved)} but has {sorted(whole)}"] if list(
            saved) != list(whole) else []
        return (found + [d for k in saved if k in whole
                         for d in differences(saved[k], whole[k], f"{path}/{k}")])[:5]
    if isinstance(saved, list):
        if len(saved) != len(whole):
            return [f"{path}: saved {len(saved)} items but has {len(whole)}: "
                    f"{str(saved)[:300]} / {str(whole)[:300]}"]
        return [d for i, (a, b) in enumerate(zip(saved, whole, strict=True))
                for d in differences(a, b, f"{path}[{i}]")][:5]
    return [] if saved == whole else [f"{path}: saved {saved!r} but is {whole!r}"]


# -- every operation, every family, the clock, reset and adoption ---------------------------
def test_every_family_and_the_clock_s_moves_are_in_the_rows(tmp_path):
    sim, _refs = populated(Simulator(clock="manual", seed=11, state_file=str(tmp_path / "s.db")))
    assert_rows_are_the_export(sim)
    for seconds in (1, 60, 3600, 86_400, 30 * 86_400):  # reviews, uploads, lifecycles move
        sim.advance(seconds)
        assert_rows_are_the_export(sim)
    sim.reset()
    assert_rows_are_the_export(sim)
    assert set(file_rows(sim.state_file.path)) == {
        r for r in file_rows(sim.state_file.path) if r[3] == ""}  # only the frames are left


@pytest.mark.parametrize("op", sorted(op for op in operation_names() if op in COVERED_OPERATIONS))
def test_every_operation_writes_what_it_changed(tmp_path, op):
    """Model-valid parameters, naming the populated simulator's resources where the operation
    names one: a 200 or an error, the rows compared as the door itself wrote them."""
    sim, refs = populated(Simulator(clock="manual", seed=3, state_file=str(tmp_path / "s.db")))
    shape = operation(op).input_shape
    known = _named(refs, creates=op.startswith(("Create", "Request")))

    @settings(max_examples=4, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(params=valid(shape))
    def check(params):
        params.update({k: v for k, v in known.items()
                       if k in params or (shape is not None and k in shape.required_members)})
        call(op, params, sim=sim)
        assert_rows_are_the_export(sim, save=False)  # on disk when answered, by the door itself

    check()


def _named(refs: dict, creates: bool) -> dict:
    """Members that name a resource, naming the populated one (random ids name nothing). An
    operation that creates keeps its own new names."""
    ids = {"PoolId": refs["pool"]["PoolId"], "PhoneNumberId": refs["number"]["PhoneNumberId"],
           "OriginationIdentity": refs["number"]["PhoneNumberId"],
           "RegistrationId": refs["registration"]["RegistrationId"],
           "RegistrationAttachmentId": refs["attachment"]["RegistrationAttachmentId"],
           "VerifiedDestinationNumberId": refs["verified"]["VerifiedDestinationNumberId"],
           "ProtectConfigurationId": refs["protect"]["ProtectConfigurationId"],
           "NotifyConfigurationId": refs["notify"]["NotifyConfigurationId"],
           "RcsAgentId": refs["agent"]["RcsAgentId"], "ResourceArn": refs["pool"]["PoolArn"],
           "DestinationPhoneNumber": "+14254147755"}
    names = {"ConfigurationSetName": "cs1", "OptOutListName": "listA", "EventDestinationName": "logs",
             "SenderId": "ACME", "IsoCountryCode": "GB"}
    return ids if creates else {**ids, **names}


class RowsWalk(Walk):
    """The stateful walk (creates, links, updates, sends, deletes, the clock), saving."""

    def __init__(self):
        super().__init__()
        self.sim = Simulator(clock="manual", seed=42, state_file=str(WALK_FILES.pop() / "s.db"))
        self.client = self.sim.client(region_name="us-east-1")
        self.client.describe_account_limits()

    def teardown(self):
        self.sim.close()

    @invariant()
    def the_rows_are_the_export(self):
        assert_rows_are_the_export(self.sim)


WALK_FILES: list = []


def _other_number(api) -> str:
    return api.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL", NumberType="SIMULATOR",
                                    NumberCapabilities=["SMS", "VOICE", "MMS"])["PhoneNumberId"]


def _policy(arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "s", "Effect": "Allow", "Principal": {"AWS": ["333333333333"]}, "Action": "sms-voice:*",
        "Resource": arn}]})


# The write operations random parameters never bring to a 200 (they name nothing, or a state
# they need is not there): each with what makes it succeed on a populated simulator.
HAPPY: dict[str, Callable[[Simulator, dict, Any], dict]] = {}


def happy(op: str):
    def keep(prepare):
        HAPPY[op] = prepare
        return prepare
    return keep


@happy("AssociateOriginationIdentity")
def _associate(sim, refs, api) -> dict:
    return {"PoolId": refs["pool"]["PoolId"], "OriginationIdentity": _other_number(api),
            "IsoCountryCode": "US"}


@happy("DisassociateOriginationIdentity")
def _disassociate(sim, refs, api) -> dict:
    params = _associate(sim, refs, api)
    api.associate_origination_identity(**params)
    return params


@happy("CreateEventDestination")
def _event_destination(sim, refs, api) -> dict:
    return {"ConfigurationSetName": "cs1", "EventDestinationName": "more", "MatchingEventTypes": ["ALL"],
            "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}


@happy("CreatePool")
def _pool(sim, refs, api) -> dict:
    return {"OriginationIdentity": _other_number(api), "MessageType": "TRANSACTIONAL"}


@happy("DeletePool")
def _delete_pool(sim, refs, api) -> dict:
    sim.force_transition(refs["pool"]["PoolId"])  # ACTIVE
    return {"PoolId": refs["pool"]["PoolId"]}


@happy("CreateRegistration")
def _registration(sim, refs, api) -> dict:
    return {"RegistrationType": "US_TOLL_FREE_REGISTRATION"}


@happy("CreateRegistrationAttachment")
def _attachment(sim, refs, api) -> dict:
    return {"AttachmentBody": PNG}


@happy("PutRegistrationFieldValue")
def _field(sim, refs, api) -> dict:
    return {"RegistrationId": refs["registration"]["RegistrationId"], "FieldPath": "companyInfo.taxId",
            "TextValue": "12-3456789"}  # optional: it may be deleted


@happy("DeleteRegistrationFieldValue")
def _delete_field(sim, refs, api) -> dict:
    params = _field(sim, refs, api)
    api.put_registration_field_value(**params)
    return {"RegistrationId": params["RegistrationId"], "FieldPath": params["FieldPath"]}


@happy("DeleteDefaultSenderId")
def _delete_default_sender(sim, refs, api) -> dict:
    api.set_default_sender_id(ConfigurationSetName="cs1", SenderId="ACME")
    return {"ConfigurationSetName": "cs1"}


@happy("DeleteKeyword")
def _delete_keyword(sim, refs, api) -> dict:
    return {"OriginationIdentity": refs["pool"]["PoolId"], "Keyword": "JOIN"}


@happy("DeleteOptedOutNumber")
def _delete_opted_out(sim, refs, api) -> dict:
    return {"OptOutListName": "listA", "OptedOutNumber": "+12065550111"}


@happy("DeleteProtectConfigurationRuleSetNumberOverride")
def _delete_override(sim, refs, api) -> dict:
    return {"ProtectConfigurationId": refs["protect"]["ProtectConfigurationId"],
            "DestinationPhoneNumber": "+12065550124"}


@happy("DisassociateProtectConfiguration")
def _disassociate_protect(sim, refs, api) -> dict:
    params = {"ProtectConfigurationId": refs["protect"]["ProtectConfigurationId"],
              "ConfigurationSetName": "cs1"}
    api.associate_protect_configuration(**params)
    return params


@happy("PutMessageFeedback")
def _feedback(sim, refs, api) -> dict:
    sent = api.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="hi",
                                 OriginationIdentity=refs["number"]["PhoneNumberId"],
                                 MessageFeedbackEnabled=True)
    return {"MessageId": sent["MessageId"], "MessageFeedbackStatus": "RECEIVED"}


@happy("PutResourcePolicy")
def _policy_put(sim, refs, api) -> dict:
    return {"ResourceArn": refs["pool"]["PoolArn"], "Policy": _policy(refs["pool"]["PoolArn"])}


@happy("ReleasePhoneNumber")
def _release(sim, refs, api) -> dict:
    return {"PhoneNumberId": _other_number(api)}


@happy("RequestPhoneNumber")
def _request_number(sim, refs, api) -> dict:
    return {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL", "NumberCapabilities": ["SMS"],
            "NumberType": "SIMULATOR"}


@happy("SendMediaMessage")
def _media(sim, refs, api) -> dict:
    return {"DestinationPhoneNumber": "+14254147755", "OriginationIdentity": _other_number(api),
            "MediaUrls": ["s3://bucket/a.png"]}


@happy("SendVoiceMessage")
def _voice(sim, refs, api) -> dict:
    return {"DestinationPhoneNumber": "+14254147755", "OriginationIdentity": _other_number(api),
            "MessageBody": "hi"}


@happy("SendNotifyTextMessage")
def _notify(sim, refs, api) -> dict:
    sim.force_transition(refs["notify"]["NotifyConfigurationId"])  # ACTIVE
    return {"NotifyConfigurationId": refs["notify"]["NotifyConfigurationId"],
            "DestinationPhoneNumber": "+447700900123", "TemplateVariables": {"code": "123456"}}  # GB: BASIC


@pytest.mark.parametrize("op", sorted(HAPPY))
def test_an_operation_that_succeeds_writes_what_it_changed(tmp_path, op):
    """What random parameters cannot reach: a 200 of each, the rows compared as the door
    itself wrote them."""
    sim, refs = populated(Simulator(clock="manual", seed=11, state_file=str(tmp_path / "s.db")))
    api = sim.client(config=Config(retries={"max_attempts": 1}))
    params = HAPPY[op](sim, refs, api)
    getattr(api, xform_name(op))(**params)  # a 200, or the test fails
    assert_rows_are_the_export(sim, save=False)


def test_a_walk_writes_what_it_changed(tmp_path_factory):
    WALK_FILES.extend(tmp_path_factory.mktemp("walk") for _ in range(40))
    RowsWalk.TestCase.settings = settings(max_examples=12, stateful_step_count=30, deadline=None,
                                          derandomize=True, database=None,
                                          suppress_health_check=list(HealthCheck))
    RowsWalk.TestCase().runTest()


# -- a write touches only the rows of what it changed -----------------------------------------
def written_by(sim: Simulator, request) -> tuple[set, int]:
    """The state_rows a request changed (their names, from the file before and after) and
    how many rows SQLite itself says the writer's connection changed (total_changes)."""
    before = file_rows(sim.state_file.path)
    changes = sim.state_file.conn.total_changes
    request()
    after = file_rows(sim.state_file.path)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return changed, sim.state_file.conn.total_changes - changes


@pytest.mark.parametrize("numbers", [20, 400])
def test_a_write_touches_only_the_rows_of_what_it_changed(tmp_path, numbers):
    sim = Simulator(clock="manual", seed=5, state_file=str(tmp_path / "s.db"))
    client = sim.client(short_circuit=True)
    ids = [client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                       NumberCapabilities=["SMS"], NumberType="SIMULATOR",
                                       ClientToken=f"n{i}")["PhoneNumberId"] for i in range(numbers)]
    sim.advance(3600)  # every number ACTIVE: no lifecycle step falls due during what follows
    meta = 2  # state_meta: when it was saved, where the id generator is (the manual clock stood)

    changed, total = written_by(sim, lambda: client.update_phone_number(
        PhoneNumberId=ids[7], DeletionProtectionEnabled=True))
    assert [k[2:] for k in changed] == [("phone_numbers", "numbers", ids[7])]
    assert total == len(changed) + meta

    changed, total = written_by(sim, lambda: client.create_pool(
        OriginationIdentity=ids[3], MessageType="TRANSACTIONAL", ClientToken="pool"))
    assert sorted(k[2:4] for k in changed) == [("", "idempotency"), ("phone_numbers", "numbers"),
                                              ("pools", "pools")]
    assert total == len(changed) + meta

    sim.advance(3600)  # the pool and its number ACTIVE
    changed, total = written_by(sim, lambda: client.describe_phone_numbers())  # a read: nothing
    assert (changed, total) == (set(), 0)


def test_a_request_s_rows_are_on_disk_when_it_is_answered(tmp_path):
    """The rows are written outside the lock, before the answer: another connection sees
    them as soon as the client has its answer."""
    sim = Simulator(clock="manual", seed=5, state_file=str(tmp_path / "s.db"))
    client = sim.client(short_circuit=True)
    for name in ("one", "two", "three"):
        client.create_configuration_set(ConfigurationSetName=name)
        assert ("configuration_sets", "sets", name) in {k[2:] for k in file_rows(tmp_path / "s.db")}


def test_closing_writes_what_changed_outside_a_request(tmp_path):
    """The clock advanced directly, lifecycles settled by a read of the view: marked, not yet
    written by any request; close() writes them."""
    path = str(tmp_path / "s.db")
    sim = Simulator(clock="manual", seed=8, state_file=path)
    pool = sim.client().create_configuration_set(ConfigurationSetName="cs")
    number = sim.client().request_phone_number(IsoCountryCode="GB", MessageType="TRANSACTIONAL",
                                               NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    sim.clock.advance(30 * 86_400)
    moved = sim.state()  # settles: the number is ACTIVE
    now = sim.clock.now()
    sim.close()
    with Simulator(clock="manual", state_file=path) as again:
        assert again.clock.now() == now
        assert again.state()["accounts"] == moved["accounts"]
        (found,) = again.client().describe_phone_numbers()["PhoneNumbers"]
        assert found["PhoneNumberId"] == number["PhoneNumberId"] and found["Status"] == "ACTIVE"
    assert pool["ConfigurationSetName"] == "cs"


@dataclass
class OptOutListNote:
    name: str
    arn: str


class FailingRows(Family):
    """A family of one's own with a bug: the first row of the list named "boom" cannot be made."""

    name = "failing_rows"
    saved_by = {"lists": "name"}
    failures = 1

    def __init__(self, region):
        super().__init__(region)
        self.lists: dict[str, OptOutListNote] = {}

    @simulates("CreateOptOutList")
    def create(self, params: dict) -> dict:
        note = self.lists[params["OptOutListName"]] = OptOutListNote(
            params["OptOutListName"], self.region.arn(f"opt-out-list/{params['OptOutListName']}"))
        self.region.changed(note)
        return {"OptOutListName": note.name, "OptOutListArn": note.arn, "Tags": [],
                "CreatedTimestamp": self.region.now()}

    def saved_row(self, part: str, note: OptOutListNote) -> dict:
        if note.name == "boom" and FailingRows.failures:
            FailingRows.failures -= 1
            raise RuntimeError("a family's bug")
        return {"name": note.name, "arn": note.arn}

    def restore(self, data: dict) -> None:
        self.lists = {row["name"]: OptOutListNote(**row) for row in data["lists"]}


def test_a_row_a_family_cannot_make_is_told_and_written_with_the_next_save(tmp_path):
    sim = Simulator(clock="manual", seed=4, state_file=str(tmp_path / "s.db"), families=(FailingRows,))
    client = sim.client(short_circuit=True)
    client.create_opt_out_list(OptOutListName="before")
    with pytest.raises(ClientError) as refused:
        client.create_opt_out_list(OptOutListName="boom")
    assert refused.value.response["Error"]["Code"] == "InternalServerException"
    assert "could not write it to --state" in refused.value.response["Error"]["Message"]
    saved = {k[2:] for k in file_rows(tmp_path / "s.db")}
    assert ("failing_rows", "lists", "before") in saved and ("failing_rows", "lists", "boom") not in saved
    client.create_opt_out_list(OptOutListName="after")
    assert_rows_are_the_export(sim, save=False)  # "boom" too: the next save compared every row


# -- a file of the previous layout, and rows this smsvoice-sim would not have written ----------
def tables(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        found = sorted(r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    conn.close()
    return found


def test_a_file_of_the_previous_layout_is_migrated_when_opened(tmp_path):
    sim, _refs = populated()
    document = json.loads(json.dumps(export_state(sim)))
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # the layout of 0.1: the whole document in one row
        conn.execute("CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), "
                     "saved_at REAL, data TEXT)")
        conn.execute("INSERT INTO snapshot VALUES (1, 0, ?)", [json.dumps(document)])
    conn.close()
    opened = Simulator(clock="manual", state_file=str(path))
    assert tables(path) == ["state_meta", "state_rows"]  # rewritten as rows at once
    assert file_document(path) == document
    assert view(opened) == view(sim)  # the sent-message log is not state
    opened.close()
    again = Simulator(clock="manual", state_file=str(path))
    assert view(again) == view(sim)
    again.close()


def _edit(path, sql: str, *args) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql, args)
    conn.close()


ROW_EDITS = {
    "a row that is not JSON": ("UPDATE state_rows SET data = '{' WHERE family = 'pools' AND "
                               "part = 'pools'", "the row 123456789012/us-east-1 pools pools"),
    "a row that is a number": ("UPDATE state_rows SET data = 7 WHERE family = 'pools' AND "
                               "part = 'pools'", "not saved"),
    "a row that is a blob": ("UPDATE state_rows SET data = x'00ff' WHERE family = 'pools' AND "
                             "part = 'pools'", "not JSON this smsvoice-sim reads"),
    "a family's frame gone": ("DELETE FROM state_rows WHERE family = 'pools' AND part = ''",
                              "a row of pools"),
    "a row of no family": ("UPDATE state_rows SET family = '' WHERE family = 'pools' AND "
                           "part = 'pools'", "is not one smsvoice-sim writes"),
    "a pool naming a number not saved": (
        "DELETE FROM state_rows WHERE family = 'phone_numbers' AND part = 'numbers'", "not found"),
    "another layout": ("UPDATE state_meta SET data = '\"9\"' WHERE name = 'format'", "layout '9'"),
    "no clock": ("DELETE FROM state_meta WHERE name = 'clock'", "clock"),
}


@pytest.mark.parametrize("name", sorted(ROW_EDITS))
def test_a_hand_edited_row_is_refused_in_one_line_naming_the_file(tmp_path, name):
    path = tmp_path / "s.db"
    sim = Simulator(clock="manual", seed=1, state_file=str(path))
    client = sim.client()
    number = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    client.create_pool(OriginationIdentity=number["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.close()
    sql, expected = ROW_EDITS[name]
    _edit(path, sql)
    with pytest.raises(BadStateFile) as refused:
        Simulator(state_file=str(path), seed=1)
    message = str(refused.value)
    assert message.startswith(str(path)) and "\n" not in message and expected in message, message
