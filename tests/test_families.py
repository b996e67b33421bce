"""The path the docs' "Adding an operation family" describes, followed to the letter: a
throwaway family in a module of its own (resources, an operation, a rule that asks
another family), given to a Simulator, and called through real boto3."""

from __future__ import annotations

import ast
import importlib
import logging
import sys
import textwrap
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator, families
from smsvoice_sim.simulator.account import SHIPPED_FAMILIES
from smsvoice_sim.simulator.families import operation, unregister
from smsvoice_sim.simulator.families.configuration_sets import ConfigurationSets

FAMILY_MODULES = [cls.__module__.rsplit(".", 1)[1] for cls in SHIPPED_FAMILIES]

FAMILIES_DIR = Path(families.__file__).parent

THROWAWAY = '''
"""Verified destination numbers, for a test: a family written from README's recipe."""

from dataclasses import dataclass, field
from typing import ClassVar

from smsvoice_sim.simulator.wire import errors
from smsvoice_sim.simulator.families import Family, operation
from smsvoice_sim.simulator.wire.paging import page_result, select
from smsvoice_sim.simulator.wire.projection import tag_dict


@dataclass(eq=False)
class Destination:
    WIRE: ClassVar[dict[str, str]] = {"VerifiedDestinationNumberArn": "arn",
                                      "VerifiedDestinationNumberId": "id",
                                      "Status": "state", "CreatedTimestamp": "created"}
    id: str
    arn: str
    destination_phone_number: str
    created: float
    state: str = "PENDING"
    tags: dict[str, str] = field(default_factory=dict)


class Destinations(Family):
    name = "throwaway_destinations"
    arn_types = ("verified-destination-number",)

    def __init__(self, region):
        super().__init__(region)
        self.numbers: dict[str, Destination] = {}

    def get(self, ref: str) -> Destination:
        return self.region.find(self.numbers, ref, "verified-destination-number")

    def used(self, quota: str):
        return len(self.numbers) if quota == "VERIFIED_DESTINATION_NUMBERS" else None

    @operation("CreateVerifiedDestinationNumber")
    def create(self, params: dict) -> Destination:
        number = params["DestinationPhoneNumber"]
        # The rule: a number that opted out cannot be verified (asked of its family).
        if self.region.opt_out_lists.is_opted_out("Default", number):
            raise errors.conflict("DESTINATION_PHONE_NUMBER_OPTED_OUT", "opted-out-number",
                                  number, f"{number} has opted out.")
        self.region.require_quota("VERIFIED_DESTINATION_NUMBERS",
                                  "VERIFIED_DESTINATION_NUMBERS_PER_ACCOUNT")
        ident = "verified-" + self.region.ids.hex32()
        found = Destination(ident, self.region.arn(f"verified-destination-number/{ident}"),
                            number, self.region.now(), tags=tag_dict(params.get("Tags")))
        self.numbers[ident] = found
        return found

    @operation("DescribeVerifiedDestinationNumbers")
    def describe(self, params: dict) -> dict:
        found = select(params, "VerifiedDestinationNumberIds", self.get, self.numbers.values())
        return page_result("DescribeVerifiedDestinationNumbers", "VerifiedDestinationNumbers",
                           found, params)[0]

    @operation("DeleteVerifiedDestinationNumber")
    def delete(self, params: dict) -> Destination:
        raise RuntimeError("a bug in a family")  # how the simulator answers its own bugs

    def view(self) -> dict:
        return {"verified_destination_numbers": [d.id for d in self.numbers.values()]}
'''


@pytest.fixture
def throwaway(tmp_path, monkeypatch):
    (tmp_path / "throwaway_family.py").write_text(textwrap.dedent(THROWAWAY))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("throwaway_family")
    try:
        yield module
    finally:
        sys.modules.pop("throwaway_family", None)


def test_a_family_added_by_the_documented_path_answers_through_boto3(throwaway):
    # The family takes over the verified-numbers family's operations in this simulator only.
    sim = Simulator(clock="manual", seed=3, families=(throwaway.Destinations,))
    client = sim.client(config=Config(parameter_validation=False))
    made = client.create_verified_destination_number(
        DestinationPhoneNumber="+12065550100", Tags=[{"Key": "team", "Value": "a"}])
    assert made["Status"] == "PENDING" and made["DestinationPhoneNumber"] == "+12065550100"
    assert made["Tags"] == [{"Key": "team", "Value": "a"}]
    assert made["VerifiedDestinationNumberArn"].endswith(
        f":123456789012:verified-destination-number/{made['VerifiedDestinationNumberId']}")
    listed = client.describe_verified_destination_numbers()["VerifiedDestinationNumbers"]
    assert [d["VerifiedDestinationNumberId"] for d in listed] == [made["VerifiedDestinationNumberId"]]
    assert "Tags" not in listed[0]  # the list's shape has no Tags: the projection follows the model
    # The rule goes through the opt-out lists family's method.
    client.put_opted_out_number(OptOutListName="Default", OptedOutNumber="+12065550199")
    with pytest.raises(ClientError) as exc:
        client.create_verified_destination_number(DestinationPhoneNumber="+12065550199")
    assert exc.value.response["Reason"] == "DESTINATION_PHONE_NUMBER_OPTED_OUT"
    region = sim.state()["accounts"]["123456789012"]["us-east-1"]
    assert region["verified_destination_numbers"] == [made["VerifiedDestinationNumberId"]]
    # Another simulator without the family has the shipped one.
    assert Simulator().client().describe_verified_destination_numbers()["VerifiedDestinationNumbers"] == []


def test_a_family_of_ones_own_counts_the_quota_of_what_it_took_over(throwaway):
    sim = Simulator(clock="manual", seed=3, families=(throwaway.Destinations,),
                    quotas={"VERIFIED_DESTINATION_NUMBERS": 1})
    client = sim.client(config=Config(parameter_validation=False))
    client.create_verified_destination_number(DestinationPhoneNumber="+12065550100")
    with pytest.raises(ClientError) as exc:
        client.create_verified_destination_number(DestinationPhoneNumber="+12065550101")
    assert exc.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    limits = client.describe_account_limits()["AccountLimits"]
    assert {(a["Name"], a["Used"]) for a in limits} >= {("VERIFIED_DESTINATION_NUMBERS", 1)}


def test_two_families_of_ones_own_that_simulate_one_operation_are_refused(throwaway):
    class Twin(throwaway.Destinations):
        name = "twin"

        @operation("CreateVerifiedDestinationNumber")
        def create(self, params: dict):
            return super().create(params)
    with pytest.raises(ValueError, match="both simulate"):
        Simulator(families=(throwaway.Destinations, Twin))


def test_a_family_of_ones_own_named_as_a_shipped_one_is_refused():
    class Sets(ConfigurationSets):  # the shipped family's name, inherited
        pass
    with pytest.raises(ValueError, match="give it a name of its own"):
        Simulator(families=(Sets,))


def test_the_deprecated_register_still_adds_a_family_for_one_release(throwaway):
    with pytest.warns(DeprecationWarning, match="Simulator\\(families="):
        families.register(throwaway.Destinations)
    try:
        client = Simulator().client(config=Config(parameter_validation=False))
        made = client.create_verified_destination_number(DestinationPhoneNumber="+12065550100")
        assert made["VerifiedDestinationNumberId"].startswith("verified-")
    finally:
        unregister(throwaway.Destinations)
    made = Simulator().client().create_verified_destination_number(DestinationPhoneNumber="+12065550100")
    assert not made["VerifiedDestinationNumberId"].startswith("verified-")


def test_a_bug_answers_500_naming_the_operation_and_logs_its_traceback(throwaway, caplog):
    client = Simulator(families=(throwaway.Destinations,)).client(config=Config(parameter_validation=False,
                                              retries={"max_attempts": 1}))
    with caplog.at_level(logging.ERROR, logger="smsvoice_sim.simulator"):
        with pytest.raises(ClientError) as exc:
            client.delete_verified_destination_number(VerifiedDestinationNumberId="v-1")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "DeleteVerifiedDestinationNumber" in exc.value.response["Error"]["Message"]
    assert "a bug in a family" in caplog.text and "Traceback" in caplog.text


def test_family_modules_import_no_other_family():
    # Families talk through `self.region.<family>` methods, never each other's modules.
    shipped = set(FAMILY_MODULES)
    for module in FAMILY_MODULES:
        tree = ast.parse((FAMILIES_DIR / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = {node.module} if node.module else {a.name for a in node.names}
                assert not names & shipped, f"{module} imports {names & shipped}"


def test_the_account_region_has_a_typed_attribute_per_family_in_the_list_order():
    """The wiring is written out in simulator/account.py: one attribute per family, named
    after it, of its class, in the order of SHIPPED_FAMILIES (the gates' order too)."""
    import inspect

    from smsvoice_sim.simulator.account import AccountRegion

    region = Simulator().region("123456789012", "us-east-1")
    assert [type(f) for f in region.families.values()] == list(SHIPPED_FAMILIES)
    # Written out, so a type checker knows each attribute's class: `self.pools = Pools(self)`.
    source = ast.parse(Path(inspect.getsourcefile(AccountRegion)).read_text())
    written = {(t.attr, node.value.func.id) for node in ast.walk(source) if isinstance(node, ast.Assign)
               for t in node.targets if isinstance(t, ast.Attribute) and isinstance(node.value, ast.Call)
               and isinstance(node.value.func, ast.Name)}
    assert {(cls.name, cls.__name__) for cls in SHIPPED_FAMILIES} <= written
    for cls in SHIPPED_FAMILIES:
        assert type(getattr(region, cls.name)) is cls, cls.name
        assert region.families[cls.name] is getattr(region, cls.name)
    gates = [g.__self__.name for g in region.send_gates]
    assert gates == ["registrations", "verified_numbers", "protect_configurations", "account_attributes"]
