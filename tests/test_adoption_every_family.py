"""Replay, then simulate, for every family a recording can show: each family learns from a
recorded answer through its own `learn_from`, so the simulator answering what the cassette
lacks keeps every rule on those resources — Notify configurations, RCS agents and
registrations as much as pools and numbers. The "recording" here is another simulator's
answers, handed over as replay hands them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from test_registrations import ready_toll_free

from smsvoice_sim.simulator import Simulator


@pytest.fixture
def pair():
    """(recorded, learner): every answer the first gives is adopted by the second."""
    recorded, learner = Simulator(clock="manual", seed=1), Simulator(clock="manual", seed=2)

    def adopt(operation, request, response):
        learner.adopt(operation, request.body, response.status, response.body)

    recorded.listeners.append(adopt)
    return recorded, learner


def test_a_recorded_notify_configuration_is_adopted_in_its_status(pair):
    recorded, learner = pair
    api = recorded.client()
    made = api.create_notify_configuration(DisplayName="Acme", UseCase="CODE_VERIFICATION",
                                           EnabledChannels=["SMS"])
    recorded.advance(5)
    api.describe_notify_configurations()  # the recording shows it ACTIVE
    shown = learner.client().describe_notify_configurations()["NotifyConfigurations"]
    assert [(c["NotifyConfigurationId"], c["Status"], c["DisplayName"]) for c in shown] == [
        (made["NotifyConfigurationId"], "ACTIVE", "Acme")]
    api.delete_notify_configuration(NotifyConfigurationId=made["NotifyConfigurationId"])
    assert learner.client().describe_notify_configurations().get("NotifyConfigurations", []) == []


def test_a_recorded_rcs_agent_and_its_launches_are_adopted(pair):
    recorded, learner = pair
    api = recorded.client()
    agent = api.create_rcs_agent(DeletionProtectionEnabled=True)
    rcs = recorded.region("123456789012", "us-east-1").rcs_agents
    rcs.submit_testing(agent["RcsAgentId"], "registration-testing")
    rcs.submit_country_launch(agent["RcsAgentId"], "US", "registration-launch")
    recorded.advance(120)
    api.describe_rcs_agents()
    api.describe_rcs_agent_country_launch_status(RcsAgentId=agent["RcsAgentId"])
    learned = learner.client()
    shown = learned.describe_rcs_agents()["RcsAgents"][0]
    assert (shown["RcsAgentId"], shown["Status"], shown["DeletionProtectionEnabled"]) == (
        agent["RcsAgentId"], "ACTIVE", True)
    launches = learned.describe_rcs_agent_country_launch_status(RcsAgentId=agent["RcsAgentId"])
    assert [(c["IsoCountryCode"], c["Status"]) for c in launches["CountryLaunchStatus"]] == [("US", "ACTIVE")]
    with pytest.raises(ClientError) as exc:  # the rule holds on the learned agent
        learned.delete_rcs_agent(RcsAgentId=agent["RcsAgentId"])
    assert exc.value.response["Reason"] == "DELETION_PROTECTION_ENABLED"


def test_a_recorded_registration_under_review_carries_on_on_the_learners_clock(pair):
    recorded, learner = pair
    api = recorded.client()
    registration_id, _number = ready_toll_free(recorded, api)
    api.submit_registration_version(RegistrationId=registration_id)
    api.describe_registrations(RegistrationIds=[registration_id])
    learned = learner.client()
    shown = learned.describe_registrations(RegistrationIds=[registration_id])["Registrations"][0]
    assert shown["RegistrationStatus"] == "SUBMITTED" and shown["CurrentVersionNumber"] == 1
    learner.advance(30 * 86_400)  # the learner's own reviewer decides on its own clock
    shown = learned.describe_registrations(RegistrationIds=[registration_id])["Registrations"][0]
    assert shown["RegistrationStatus"] in ("COMPLETE", "REQUIRES_UPDATES")
    versions = learned.describe_registration_versions(RegistrationId=registration_id)
    assert versions["RegistrationVersions"][0]["RegistrationVersionStatus"] in ("APPROVED", "DENIED")
