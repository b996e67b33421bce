"""Configuration sets, event destinations and send-time defaults, through real boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator

SNS = {"TopicArn": "arn:aws:sns:us-east-1:123456789012:events"}
CWL = {"IamRoleArn": "arn:aws:iam::123456789012:role/sms", "LogGroupArn":
       "arn:aws:logs:us-east-1:123456789012:log-group:sms"}
FIREHOSE = {"IamRoleArn": "arn:aws:iam::123456789012:role/sms", "DeliveryStreamArn":
            "arn:aws:firehose:us-east-1:123456789012:deliverystream/sms"}


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=21)


@pytest.fixture
def client(sim):
    return sim.client(region_name="us-east-1")


def error(excinfo) -> tuple:
    response = excinfo.value.response
    return (response["Error"]["Code"], response.get("Reason"), response.get("ResourceType"))


def test_create_describe_delete_round_trip_with_tags(client):
    made = client.create_configuration_set(ConfigurationSetName="alerts",
                                           Tags=[{"Key": "team", "Value": "ops"}])
    assert made["ConfigurationSetArn"] == "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/alerts"
    assert made["Tags"] == [{"Key": "team", "Value": "ops"}]
    listed = client.describe_configuration_sets()["ConfigurationSets"]
    assert [(s["ConfigurationSetName"], s["EventDestinations"]) for s in listed] == [("alerts", [])]
    assert client.list_tags_for_resource(ResourceArn=made["ConfigurationSetArn"])["Tags"] == [
        {"Key": "team", "Value": "ops"}]
    client.tag_resource(ResourceArn=made["ConfigurationSetArn"], Tags=[{"Key": "env", "Value": "ci"}])
    assert len(client.list_tags_for_resource(ResourceArn=made["ConfigurationSetArn"])["Tags"]) == 2
    client.create_event_destination(ConfigurationSetName="alerts", EventDestinationName="sns",
                                    MatchingEventTypes=["ALL"], SnsDestination=SNS)
    deleted = client.delete_configuration_set(ConfigurationSetName=made["ConfigurationSetArn"])
    assert deleted["ConfigurationSetName"] == "alerts"
    assert [d["EventDestinationName"] for d in deleted["EventDestinations"]] == ["sns"]
    assert client.describe_configuration_sets()["ConfigurationSets"] == []


def test_create_refuses_a_duplicate_and_the_account_quota(sim, client):
    client.create_configuration_set(ConfigurationSetName="a")
    with pytest.raises(ClientError) as exc:
        client.create_configuration_set(ConfigurationSetName="a")
    assert error(exc) == ("ConflictException", "RESOURCE_ALREADY_EXISTS", "configuration-set")
    small = Simulator(clock="manual", quotas={"CONFIGURATION_SETS": 1}).client()
    small.create_configuration_set(ConfigurationSetName="one")
    with pytest.raises(ClientError) as exc:
        small.create_configuration_set(ConfigurationSetName="two")
    assert error(exc)[:2] == ("ServiceQuotaExceededException", "CONFIGURATION_SETS_PER_ACCOUNT")


def test_unknown_sets_are_not_found_everywhere(client):
    calls = [
        lambda: client.describe_configuration_sets(ConfigurationSetNames=["nope"]),
        lambda: client.delete_configuration_set(ConfigurationSetName="nope"),
        lambda: client.create_event_destination(ConfigurationSetName="nope", EventDestinationName="d",
                                                MatchingEventTypes=["ALL"], SnsDestination=SNS),
        lambda: client.update_event_destination(ConfigurationSetName="nope", EventDestinationName="d"),
        lambda: client.delete_event_destination(ConfigurationSetName="nope", EventDestinationName="d"),
        lambda: client.set_default_sender_id(ConfigurationSetName="nope", SenderId="ACME"),
        lambda: client.delete_default_sender_id(ConfigurationSetName="nope"),
        lambda: client.set_default_message_type(ConfigurationSetName="nope", MessageType="PROMOTIONAL"),
        lambda: client.delete_default_message_type(ConfigurationSetName="nope"),
        lambda: client.set_default_message_feedback_enabled(ConfigurationSetName="nope",
                                                            MessageFeedbackEnabled=True),
        lambda: client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x",
                                         ConfigurationSetName="nope"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("ResourceNotFoundException", None, "configuration-set")


def test_describe_filters_and_pages(client):
    for name in ("a", "b", "c"):
        client.create_configuration_set(ConfigurationSetName=name)
    client.set_default_message_type(ConfigurationSetName="b", MessageType="PROMOTIONAL")
    client.set_default_sender_id(ConfigurationSetName="c", SenderId="ACME")
    client.set_default_message_feedback_enabled(ConfigurationSetName="c", MessageFeedbackEnabled=True)
    client.create_event_destination(ConfigurationSetName="a", EventDestinationName="logs",
                                    MatchingEventTypes=["TEXT_DELIVERED"], CloudWatchLogsDestination=CWL)

    def names(*filters):
        found = client.describe_configuration_sets(
            Filters=[{"Name": n, "Values": v} for n, v in filters])["ConfigurationSets"]
        return [s["ConfigurationSetName"] for s in found]

    assert names(("default-message-type", ["PROMOTIONAL"])) == ["b"]
    assert names(("default-sender-id", ["ACME"])) == ["c"]
    assert names(("default-message-feedback-enabled", ["true"])) == ["c"]
    assert names(("event-destination-name", ["logs"])) == ["a"]
    assert names(("matching-event-types", ["TEXT_DELIVERED"])) == ["a"]
    assert names(("default-message-type", ["TRANSACTIONAL"])) == []
    first = client.describe_configuration_sets(MaxResults=2)
    rest = client.describe_configuration_sets(MaxResults=2, NextToken=first["NextToken"])
    assert [s["ConfigurationSetName"] for s in first["ConfigurationSets"] + rest["ConfigurationSets"]] == [
        "a", "b", "c"]
    paged = client.get_paginator("describe_configuration_sets").paginate(PaginationConfig={"PageSize": 1})
    assert len([s for page in paged for s in page["ConfigurationSets"]]) == 3


def test_event_destinations_of_each_kind_update_and_delete(client):
    client.create_configuration_set(ConfigurationSetName="cs")
    for name, kind, target in (("sns", "SnsDestination", SNS), ("logs", "CloudWatchLogsDestination", CWL),
                               ("hose", "KinesisFirehoseDestination", FIREHOSE)):
        made = client.create_event_destination(ConfigurationSetName="cs", EventDestinationName=name,
                                               MatchingEventTypes=["TEXT_ALL"], **{kind: target})
        assert made["EventDestination"] == {"EventDestinationName": name, "Enabled": True,
                                            "MatchingEventTypes": ["TEXT_ALL"], kind: target}
    updated = client.update_event_destination(ConfigurationSetName="cs", EventDestinationName="sns",
                                              Enabled=False, MatchingEventTypes=["VOICE_ALL", "TEXT_BLOCKED"],
                                              SnsDestination={"TopicArn": SNS["TopicArn"] + "2"})
    assert updated["EventDestination"]["Enabled"] is False
    assert updated["EventDestination"]["SnsDestination"]["TopicArn"].endswith("events2")
    with pytest.raises(ClientError) as exc:
        client.update_event_destination(ConfigurationSetName="cs", EventDestinationName="sns",
                                        CloudWatchLogsDestination=CWL)
    assert error(exc) == ("ConflictException", "EVENT_DESTINATION_MISMATCH", "event-destination")
    deleted = client.delete_event_destination(ConfigurationSetName="cs", EventDestinationName="logs")
    assert deleted["EventDestination"]["CloudWatchLogsDestination"] == CWL
    described = client.describe_configuration_sets()["ConfigurationSets"][0]["EventDestinations"]
    assert [d["EventDestinationName"] for d in described] == ["sns", "hose"]
    for call in (client.update_event_destination, client.delete_event_destination):
        with pytest.raises(ClientError) as exc:
            call(ConfigurationSetName="cs", EventDestinationName="logs")
        assert error(exc) == ("ResourceNotFoundException", None, "event-destination")


def test_event_destination_rules(client):
    arn = client.create_configuration_set(ConfigurationSetName="cs")["ConfigurationSetArn"]
    make = client.create_event_destination
    with pytest.raises(ClientError) as exc:
        make(ConfigurationSetName="cs", EventDestinationName="none", MatchingEventTypes=["ALL"])
    assert error(exc)[:2] == ("ValidationException", "MISSING_PARAMETER")
    with pytest.raises(ClientError) as exc:
        make(ConfigurationSetName="cs", EventDestinationName="two", MatchingEventTypes=["ALL"],
             SnsDestination=SNS, CloudWatchLogsDestination=CWL)
    assert error(exc)[:2] == ("ValidationException", "PARAMETERS_CANNOT_BE_USED_TOGETHER")
    with pytest.raises(ClientError) as exc:
        make(ConfigurationSetName="cs", EventDestinationName="sent", MatchingEventTypes=["TEXT_SENT"],
             SnsDestination=SNS)
    assert error(exc)[:2] == ("ValidationException", "INVALID_PARAMETER")
    with pytest.raises(ClientError) as exc:  # [obs: Terraform] the set's ARN names nothing here
        make(ConfigurationSetName=arn, EventDestinationName="d", MatchingEventTypes=["ALL"],
             SnsDestination=SNS)
    assert error(exc) == ("ResourceNotFoundException", None, "configuration-set")
    for i in range(5):
        make(ConfigurationSetName="cs", EventDestinationName=f"d{i}", MatchingEventTypes=["ALL"],
             SnsDestination=SNS)
    with pytest.raises(ClientError) as exc:
        make(ConfigurationSetName="cs", EventDestinationName="d0", MatchingEventTypes=["ALL"],
             SnsDestination=SNS)
    assert error(exc) == ("ConflictException", "RESOURCE_ALREADY_EXISTS", "event-destination")
    with pytest.raises(ClientError) as exc:
        make(ConfigurationSetName="cs", EventDestinationName="d5", MatchingEventTypes=["ALL"],
             SnsDestination=SNS)
    assert error(exc)[:2] == ("ServiceQuotaExceededException", "EVENT_DESTINATIONS_PER_CONFIGURATION_SET")


def test_defaults_set_and_delete_return_what_they_changed(client):
    arn = client.create_configuration_set(ConfigurationSetName="cs")["ConfigurationSetArn"]
    assert client.set_default_sender_id(ConfigurationSetName=arn, SenderId="ACME")["SenderId"] == "ACME"
    assert client.set_default_message_type(ConfigurationSetName="cs",
                                           MessageType="PROMOTIONAL")["MessageType"] == "PROMOTIONAL"
    assert client.set_default_message_feedback_enabled(
        ConfigurationSetName="cs", MessageFeedbackEnabled=True)["MessageFeedbackEnabled"] is True
    info = client.describe_configuration_sets(ConfigurationSetNames=[arn])["ConfigurationSets"][0]
    assert (info["DefaultSenderId"], info["DefaultMessageType"], info["DefaultMessageFeedbackEnabled"]) == (
        "ACME", "PROMOTIONAL", True)
    assert client.delete_default_sender_id(ConfigurationSetName="cs")["SenderId"] == "ACME"
    assert client.delete_default_message_type(ConfigurationSetName="cs")["MessageType"] == "PROMOTIONAL"
    info = client.describe_configuration_sets()["ConfigurationSets"][0]
    assert "DefaultSenderId" not in info and "DefaultMessageType" not in info
    for call in (client.delete_default_sender_id, client.delete_default_message_type):
        with pytest.raises(ClientError) as exc:  # [inf] nothing to delete
            call(ConfigurationSetName="cs")
        assert error(exc)[0] == "ResourceNotFoundException"


def test_a_refused_create_changes_nothing(client):
    client.create_configuration_set(ConfigurationSetName="cs")
    with pytest.raises(ClientError):
        client.create_event_destination(ConfigurationSetName="cs", EventDestinationName="d",
                                        MatchingEventTypes=["TEXT_SENT"], SnsDestination=SNS)
    assert client.describe_configuration_sets()["ConfigurationSets"][0]["EventDestinations"] == []


def test_idempotent_create_with_a_client_token(client):
    first = client.create_configuration_set(ConfigurationSetName="cs", ClientToken="t-1")
    again = client.create_configuration_set(ConfigurationSetName="cs", ClientToken="t-1")
    assert first["ConfigurationSetArn"] == again["ConfigurationSetArn"]


def test_state_survives_a_restart_with_a_state_file(tmp_path):
    path = str(tmp_path / "state.json")
    sim = Simulator(clock="manual", state_file=path)
    client = sim.client()
    client.create_configuration_set(ConfigurationSetName="cs", Tags=[{"Key": "k", "Value": "v"}])
    client.create_event_destination(ConfigurationSetName="cs", EventDestinationName="d",
                                    MatchingEventTypes=["TEXT_ALL"], SnsDestination=SNS)
    client.set_default_message_type(ConfigurationSetName="cs", MessageType="PROMOTIONAL")
    again = Simulator(clock="manual", state_file=path).client()
    info = again.describe_configuration_sets()["ConfigurationSets"][0]
    assert info["DefaultMessageType"] == "PROMOTIONAL"
    assert info["EventDestinations"][0]["SnsDestination"] == SNS
    assert again.list_tags_for_resource(ResourceArn=info["ConfigurationSetArn"])["Tags"] == [
        {"Key": "k", "Value": "v"}]


def test_the_state_view_shows_configuration_sets(sim, client):
    client.create_configuration_set(ConfigurationSetName="cs")
    region = sim.state()["accounts"]["123456789012"]["us-east-1"]
    assert [s["ConfigurationSetName"] for s in region["configuration_sets"]] == ["cs"]
