"""Registrations through real boto3: the forms as data, the review on a clock the test
controls, the simulated reviewer, and registrations gating numbers and sends."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError
from registration_fixtures import (
    BRAND_VALUES,
    CAMPAIGN_VALUES,
    DAY,
    PDF,
    PNG,
    TFN_VALUES,
    UPLOAD,
    error_of,
    fill,
    put,
    statuses,
    uploaded,
    us_number,
)

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.registrations.catalogue import MAX_CATALOGUE_BYTES, CatalogueError
from smsvoice_sim.simulator.wire.errors import ServiceError

from helpers import control_answer, run_cli


def ready_toll_free(sim, client, number: dict | None = None) -> tuple[str, dict]:
    """A toll-free registration filled in, with its opt-in image and number: ready to submit."""
    number = number or us_number(client, "TOLL_FREE")
    reg = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    fill(client, reg, TFN_VALUES)
    put(client, reg, "messagingUseCase.optInImage", uploaded(sim, client))
    client.create_registration_association(RegistrationId=reg, ResourceId=number["PhoneNumberId"])
    return reg, number


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=14)


@pytest.fixture
def client(sim):
    return sim.client(region_name="us-east-1")


# -- the end-to-end run -------------------------------------------------------------
def test_toll_free_registration_end_to_end(sim, client):
    number = us_number(client, "TOLL_FREE")
    assert number["Status"] == "PENDING"
    sim.advance(DAY)
    phone_id = number["PhoneNumberId"]
    assert client.describe_phone_numbers(PhoneNumberIds=[phone_id])["PhoneNumbers"][0]["Status"] == "PENDING"

    reg = client.create_registration(
        RegistrationType="US_TOLL_FREE_REGISTRATION", Tags=[{"Key": "team", "Value": "otp"}]
    )
    reg_id = reg["RegistrationId"]
    assert (reg["RegistrationStatus"], reg["CurrentVersionNumber"]) == ("CREATED", 1)
    fill(client, reg_id, TFN_VALUES)
    with pytest.raises(ClientError) as bad:
        put(client, reg_id, "contactInfo.supportEmail", "not an email")
    assert error_of(bad) == {
        "Code": "ValidationException",
        "Reason": "INVALID_PARAMETER",
        "Fields": [{"Name": "textValue", "Message": bad.value.response["Fields"][0]["Message"]}],
    }
    # The opt-in image uploads on the clock; a field takes it once the upload is complete.
    client.create_registration_association(RegistrationId=reg_id, ResourceId=phone_id)
    image = client.create_registration_attachment(AttachmentBody=PNG)
    assert image["AttachmentStatus"] == "UPLOAD_IN_PROGRESS"
    with pytest.raises(ClientError) as uploading:
        put(client, reg_id, "messagingUseCase.optInImage", image["RegistrationAttachmentId"])
    assert error_of(uploading)["Reason"] == "RESOURCE_NOT_ACTIVE"
    sim.advance(UPLOAD)
    put(client, reg_id, "messagingUseCase.optInImage", image["RegistrationAttachmentId"])
    listed = client.list_registration_associations(RegistrationId=reg_id)["RegistrationAssociations"]
    assert listed == [
        {
            "ResourceArn": number["PhoneNumberArn"],
            "ResourceId": phone_id,
            "ResourceType": "PHONE_NUMBER",
            "IsoCountryCode": "US",
            "PhoneNumber": number["PhoneNumber"],
        }
    ]
    assert (
        client.describe_phone_numbers(PhoneNumberIds=[phone_id])["PhoneNumbers"][0]["RegistrationId"]
        == reg_id
    )

    submitted = client.submit_registration_version(RegistrationId=reg_id)
    assert (submitted["RegistrationVersionStatus"], submitted["AwsReview"]) == ("SUBMITTED", False)
    with pytest.raises(ClientError) as locked:
        put(client, reg_id, "companyInfo.city", "Portland")
    assert error_of(locked)["Reason"] == "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED"
    with pytest.raises(ClientError) as unsent:
        client.send_text_message(
            DestinationPhoneNumber="+12065550142", OriginationIdentity=phone_id, MessageBody="hi"
        )
    assert error_of(unsent)["Code"] == "ConflictException"

    sim.advance(10 * DAY)
    described = client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]
    assert (described["RegistrationStatus"], described["ApprovedVersionNumber"]) == ("COMPLETE", 1)
    version = client.describe_registration_versions(RegistrationId=reg_id)["RegistrationVersions"][0]
    assert version["RegistrationVersionStatus"] == "APPROVED"
    history = version["RegistrationVersionStatusHistory"]
    assert set(history) == {"DraftTimestamp", "SubmittedTimestamp", "ReviewingTimestamp", "ApprovedTimestamp"}
    assert (history["ApprovedTimestamp"] - history["SubmittedTimestamp"]).total_seconds() == 7 * DAY + 3600
    assert client.describe_phone_numbers(PhoneNumberIds=[phone_id])["PhoneNumbers"][0]["Status"] == "ACTIVE"
    sent = client.send_text_message(
        DestinationPhoneNumber="+12065550142", OriginationIdentity=phone_id, MessageBody="Your code is 123456"
    )
    assert sent["MessageId"]
    assert statuses(sim, reg_id) == ["CREATED", "SUBMITTED", "REVIEWING", "PROVISIONING", "COMPLETE"]
    times = [
        e["detail"]["registrationDetails"]["registrationStatusChangeTimestamp"]
        for e in sim.registration_events(reg_id)
    ]
    assert times == sorted(times)


def test_denied_fixed_in_a_new_version_resubmitted_approved(sim, client):
    sim.registrations.rule(
        "US_TOLL_FREE_REGISTRATION",
        "deny",
        times=1,
        reasons=[
            {
                "Reason": "Opt-in",
                "ShortDescription": "The opt-in image is unreadable",
                "DocumentationLink": "https://docs.aws.amazon.com/sms-voice/",
            }
        ],
        feedback="Upload a readable screenshot of the sign-up form.",
        field_feedback={
            "messagingUseCase.optInImage": {
                "DeniedReason": "Unreadable image",
                "Feedback": "Use a larger screenshot",
            }
        },
    )
    reg_id, number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    sim.advance(10 * DAY)
    reg = client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]
    assert (reg["RegistrationStatus"], reg["LatestDeniedVersionNumber"]) == ("REQUIRES_UPDATES", 1)
    assert "ApprovedVersionNumber" not in reg
    denied = client.describe_registration_versions(RegistrationId=reg_id)["RegistrationVersions"][0]
    assert denied["RegistrationVersionStatus"] == "DENIED"
    assert denied["DeniedReasons"] == [
        {
            "Reason": "Opt-in",
            "ShortDescription": "The opt-in image is unreadable",
            "DocumentationLink": "https://docs.aws.amazon.com/sms-voice/",
        }
    ]
    assert denied["Feedback"] == "Upload a readable screenshot of the sign-up form."
    image = client.describe_registration_field_values(
        RegistrationId=reg_id, FieldPaths=["messagingUseCase.optInImage"]
    )["RegistrationFieldValues"][0]
    assert (image["DeniedReason"], image["Feedback"]) == ("Unreadable image", "Use a larger screenshot")
    with pytest.raises(ClientError) as frozen:
        put(client, reg_id, "messagingUseCase.optInImage", "attachment-" + "0" * 32)
    assert error_of(frozen)["Reason"] == "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED"
    assert (
        client.describe_phone_numbers(PhoneNumberIds=[number["PhoneNumberId"]])["PhoneNumbers"][0]["Status"]
        == "PENDING"
    )

    v2 = client.create_registration_version(RegistrationId=reg_id)
    assert (v2["VersionNumber"], v2["RegistrationVersionStatus"]) == (2, "DRAFT")
    # A new version starts empty: every answer again, the corrected one among them.
    assert client.describe_registration_field_values(RegistrationId=reg_id)["RegistrationFieldValues"] == []
    fill(client, reg_id, TFN_VALUES)
    put(client, reg_id, "messagingUseCase.optInImage", uploaded(sim, client, PDF))
    client.submit_registration_version(RegistrationId=reg_id)
    sim.advance(10 * DAY)
    reg = client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]
    assert (
        reg["RegistrationStatus"],
        reg["ApprovedVersionNumber"],
        reg["LatestDeniedVersionNumber"],
        reg["CurrentVersionNumber"],
    ) == ("COMPLETE", 2, 1, 2)
    versions = client.describe_registration_versions(RegistrationId=reg_id)["RegistrationVersions"]
    assert [(v["VersionNumber"], v["RegistrationVersionStatus"]) for v in versions] == [
        (2, "APPROVED"),
        (1, "DENIED"),
    ]
    assert (
        client.describe_phone_numbers(PhoneNumberIds=[number["PhoneNumberId"]])["PhoneNumbers"][0]["Status"]
        == "ACTIVE"
    )
    assert statuses(sim, reg_id) == [
        "CREATED",
        "SUBMITTED",
        "REVIEWING",
        "REQUIRES_UPDATES",
        "SUBMITTED",
        "REVIEWING",
        "PROVISIONING",
        "COMPLETE",
    ]
    event = sim.registration_events(reg_id)[3]
    assert event["detail-type"] == "Registration Status Change" and event["source"] == "aws.sms-voice"
    assert event["resources"] == [event["detail"]["registrationArn"]]
    assert event["detail"]["registrationDetails"]["registrationVersionNumber"] == 1


# -- the reviewer, from Python ---------------------------------------------------------------
def test_python_review_calls(sim, client):
    reg_id, number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    assert sim.registrations.require_authentication(reg_id) == "REQUIRES_AUTHENTICATION"
    version = client.describe_registration_versions(RegistrationId=reg_id)["RegistrationVersions"][0]
    assert version["RegistrationVersionStatus"] == "REQUIRES_AUTHENTICATION"
    assert sim.registrations.authenticate(reg_id) == "REVIEWING"
    assert sim.registrations.deny(reg_id, reasons=["Website does not load"]) == "REQUIRES_UPDATES"
    reasons = client.describe_registration_versions(RegistrationId=reg_id)["RegistrationVersions"][0]
    assert reasons["DeniedReasons"] == [
        {"Reason": "Website does not load", "ShortDescription": "Website does not load"}
    ]
    client.create_registration_version(RegistrationId=reg_id)
    client.submit_registration_version(RegistrationId=reg_id)
    assert sim.registrations.approve(reg_id) == "COMPLETE"  # provisioning takes no time by default
    phone_id = number["PhoneNumberId"]
    client.send_text_message(
        DestinationPhoneNumber="+12065550142", OriginationIdentity=phone_id, MessageBody="ok"
    )
    assert sim.registrations.revoke(reg_id, reasons=["Carrier complaint"]) == "REQUIRES_UPDATES"
    with pytest.raises(ClientError) as refused:
        client.send_text_message(
            DestinationPhoneNumber="+12065550142", OriginationIdentity=phone_id, MessageBody="still?"
        )
    assert error_of(refused) == {
        "Code": "ConflictException",
        "Reason": "REGISTRATION_NOT_COMPLETE",
        "ResourceType": "phone-number",
    }
    versions = client.describe_registration_versions(RegistrationId=reg_id)["RegistrationVersions"]
    assert [v["RegistrationVersionStatus"] for v in versions] == ["REVOKED", "DENIED"]
    with pytest.raises(ServiceError) as nothing:  # nothing is under review
        sim.registrations.approve(reg_id)
    assert nothing.value.code == "ConflictException"
    with pytest.raises(KeyError):
        sim.registrations.approve("registration-" + "0" * 32)
    # A decision comes out of review: deciding a SUBMITTED version passes through REVIEWING.
    assert statuses(sim, reg_id) == [
        "CREATED",
        "SUBMITTED",
        "REVIEWING",
        "REQUIRES_AUTHENTICATION",
        "REVIEWING",
        "REQUIRES_UPDATES",
        "SUBMITTED",
        "REVIEWING",
        "PROVISIONING",
        "COMPLETE",
        "REQUIRES_UPDATES",
    ]


def test_rules_per_type_and_their_bounds(sim, client):
    rule = sim.registrations.rule("*", "require_authentication", times=1)
    assert rule["Times"] == 1 and sim.registrations.rules()[0]["Outcome"] == "require_authentication"
    reg_id, _ = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    sim.advance(10 * DAY)
    assert (
        client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]
        == "REQUIRES_AUTHENTICATION"
    )
    assert sim.registrations.rules() == []  # used up
    sim.registrations.authenticate(reg_id)
    sim.advance(7 * DAY)
    assert (
        client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]
        == "COMPLETE"
    )
    sim.registrations.rule("US_TOLL_FREE_REGISTRATION", "deny")
    assert sim.registrations.clear_rules("US_TOLL_FREE_REGISTRATION") == 1
    with pytest.raises(ValueError):
        sim.registrations.rule("US_TOLL_FREE_REGISTRATION", "maybe")
    with pytest.raises(ValueError):
        sim.registrations.rule("US_TOLL_FREE_REGISTRATION", "deny", times=0)
    with pytest.raises(ValueError):
        sim.registrations.deny(reg_id, reasons=[{"NoReason": 1}])


def test_durations_per_type_and_aws_review():
    sim = Simulator(
        clock="manual",
        seed=3,
        durations={
            "registration:US_TOLL_FREE_REGISTRATION:REVIEWING->PROVISIONING": 60,
            "registration:SUBMITTED->AWS_REVIEWING": 10,
            "registration:AWS_REVIEWING->REVIEWING": 20,
            "registration:PROVISIONING->COMPLETE": 5,
        },
    )
    client = sim.client()
    reg_id, _ = ready_toll_free(sim, client)
    out = client.submit_registration_version(RegistrationId=reg_id, AwsReview=True)
    assert out["AwsReview"] is True
    sim.advance(10)
    version = client.describe_registration_versions(RegistrationId=reg_id)["RegistrationVersions"][0]
    assert version["RegistrationVersionStatus"] == "AWS_REVIEWING"
    sim.advance(20 + 60)
    assert (
        client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]
        == "PROVISIONING"
    )
    sim.advance(5)
    assert (
        client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]
        == "COMPLETE"
    )
    # AWS_REVIEWING is not among the statuses EventBridge publishes.
    assert statuses(sim, reg_id) == ["CREATED", "SUBMITTED", "REVIEWING", "PROVISIONING", "COMPLETE"]
    with pytest.raises(ValueError):
        Simulator(durations={"registration:US_TOLL_FREE_REGISTRATION:NOWHERE": 1})


# -- the forms ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path,kwargs,reason,field",
    [
        ("companyInfo.nope", {"TextValue": "x"}, "UNKNOWN_REGISTRATION_FIELD", "fieldPath"),
        ("companyInfo.companyName", {"SelectChoices": ["x"]}, "INVALID_PARAMETER", "selectChoices"),
        ("companyInfo.companyName", {"TextValue": "x" * 101}, "INVALID_PARAMETER", "textValue"),
        ("companyInfo.zipCode", {"TextValue": "!!!"}, "INVALID_PARAMETER", "textValue"),
        ("companyInfo.companyName", {}, "MISSING_PARAMETER", "textValue"),
        (
            "companyInfo.companyName",
            {"TextValue": "x", "SelectChoices": ["y"]},
            "PARAMETERS_CANNOT_BE_USED_TOGETHER",
            "textValue",
        ),
        ("companyInfo.businessType", {"SelectChoices": ["MEGACORP"]}, "INVALID_PARAMETER", "selectChoices"),
        ("companyInfo.businessType", {"SelectChoices": []}, "INVALID_PARAMETER", "selectChoices"),
        (
            "companyInfo.businessType",
            {"SelectChoices": ["NON_PROFIT", "GOVERNMENT"]},
            "INVALID_PARAMETER",
            "selectChoices",
        ),
        ("messagingUseCase.optInImage", {"TextValue": "x"}, "INVALID_PARAMETER", "textValue"),
    ],
)
def test_field_values_are_checked_against_the_form(client, path, kwargs, reason, field):
    reg_id = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as exc:
        client.put_registration_field_value(RegistrationId=reg_id, FieldPath=path, **kwargs)
    err = error_of(exc)
    assert (err["Code"], err["Reason"], err["Fields"][0]["Name"]) == ("ValidationException", reason, field)
    assert client.describe_registration_field_values(RegistrationId=reg_id)["RegistrationFieldValues"] == []


def test_conditional_fields_at_a_strict_submit_and_required_deletes():
    client = Simulator(clock="manual", seed=14, strict_registration_submit=True).client()
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, {**BRAND_VALUES, "companyInfo.stockSymbol": "EXMP"})
    with pytest.raises(ClientError) as disallowed:  # a stock symbol only for PUBLIC_PROFIT
        client.submit_registration_version(RegistrationId=brand)
    assert error_of(disallowed)["Reason"] == "INVALID_PARAMETER"
    assert disallowed.value.response["Fields"][0]["Name"] == "companyInfo.stockSymbol"
    put(client, brand, "companyInfo.legalType", ["PUBLIC_PROFIT"])
    with pytest.raises(ClientError) as needs_exchange:
        client.submit_registration_version(RegistrationId=brand)
    assert [f["Name"] for f in needs_exchange.value.response["Fields"]] == [
        "companyInfo.stockExchange", "companyInfo.businessContactEmail"]
    with pytest.raises(ClientError) as required:
        client.delete_registration_field_value(RegistrationId=brand, FieldPath="companyInfo.taxId")
    assert error_of(required)["Reason"] == "REGISTRATION_FIELD_CANNOT_BE_DELETED"
    deleted = client.delete_registration_field_value(
        RegistrationId=brand, FieldPath="companyInfo.stockSymbol"
    )
    assert deleted["TextValue"] == "EXMP" and deleted["VersionNumber"] == 1
    with pytest.raises(ClientError) as gone:
        client.delete_registration_field_value(RegistrationId=brand, FieldPath="companyInfo.stockSymbol")
    assert error_of(gone)["Code"] == "ResourceNotFoundException"
    put(client, brand, "companyInfo.legalType", ["PRIVATE_PROFIT"])
    assert (
        client.submit_registration_version(RegistrationId=brand)["RegistrationVersionStatus"] == "SUBMITTED"
    )
    campaign = client.create_registration(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION")[
        "RegistrationId"
    ]
    put(client, campaign, "campaignUseCase.useCase", ["MIXED"])
    with pytest.raises(ClientError) as too_many:
        put(client, campaign, "campaignUseCase.subUseCases", ["MARKETING", "CUSTOMER_CARE", "FRAUD_ALERT",
                                                              "SECURITY_ALERT", "POLLING_VOTING",
                                                              "HIGHER_EDUCATION"])
    assert "1 to 5 choices" in too_many.value.response["Error"]["Message"]
    put(client, campaign, "campaignUseCase.subUseCases", ["MARKETING"])


def test_section_and_field_filters_on_values(client):
    reg_id = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    fill(client, reg_id, TFN_VALUES)
    contact = client.describe_registration_field_values(RegistrationId=reg_id, SectionPath="contactInfo")
    assert [v["FieldPath"] for v in contact["RegistrationFieldValues"]] == [
        p for p in TFN_VALUES if p.startswith("contactInfo.")
    ]
    assert contact["VersionNumber"] == 1 and contact["RegistrationId"] == reg_id
    for kwargs, reason in [
        ({"SectionPath": "nope"}, "UNKNOWN_REGISTRATION_SECTION"),
        ({"FieldPaths": ["nope.nope"]}, "UNKNOWN_REGISTRATION_FIELD"),
        ({"VersionNumber": 9}, "UNKNOWN_REGISTRATION_VERSION"),
    ]:
        with pytest.raises(ClientError) as exc:
            client.describe_registration_field_values(RegistrationId=reg_id, **kwargs)
        assert error_of(exc)["Reason"] == reason
    pages = client.get_paginator("describe_registration_field_values").paginate(
        RegistrationId=reg_id, PaginationConfig={"PageSize": 4}
    )
    assert sum(len(p["RegistrationFieldValues"]) for p in pages) == len(TFN_VALUES)


# -- versions and their rules ------------------------------------------------------------------
def test_version_rules(sim, client):
    reg_id, _ = ready_toll_free(sim, client)
    with pytest.raises(ClientError) as draft_open:
        client.create_registration_version(RegistrationId=reg_id)
    assert error_of(draft_open)["Reason"] == "CREATE_REGISTRATION_VERSION_NOT_ALLOWED"
    with pytest.raises(ClientError) as not_submitted:
        client.discard_registration_version(RegistrationId=reg_id)
    assert error_of(not_submitted)["Reason"] == "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED"
    client.submit_registration_version(RegistrationId=reg_id)
    with pytest.raises(ClientError) as twice:
        client.submit_registration_version(RegistrationId=reg_id)
    assert error_of(twice)["Reason"] == "REGISTRATION_ALREADY_SUBMITTED"
    with pytest.raises(ClientError) as busy:
        client.delete_registration(RegistrationId=reg_id)
    assert error_of(busy)["Reason"] == "RESOURCE_DELETION_NOT_ALLOWED"
    discarded = client.discard_registration_version(RegistrationId=reg_id)
    assert discarded["RegistrationVersionStatus"] == "DISCARDED"
    assert "DiscardedTimestamp" in discarded["RegistrationVersionStatusHistory"]
    assert (
        client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]
        == "CREATED"
    )
    sim.advance(30 * DAY)  # the discarded submission's review never happens
    assert (
        client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]
        == "CREATED"
    )
    with pytest.raises(ClientError) as discarded_again:
        client.submit_registration_version(RegistrationId=reg_id)
    assert error_of(discarded_again)["Reason"] == "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"
    assert client.create_registration_version(RegistrationId=reg_id)["VersionNumber"] == 2
    client.submit_registration_version(RegistrationId=reg_id)
    only = client.describe_registration_versions(RegistrationId=reg_id, VersionNumbers=[1])
    assert [v["RegistrationVersionStatus"] for v in only["RegistrationVersions"]] == ["DISCARDED"]
    submitted = client.describe_registration_versions(
        RegistrationId=reg_id, Filters=[{"Name": "registration-version-status", "Values": ["SUBMITTED"]}]
    )
    assert [v["VersionNumber"] for v in submitted["RegistrationVersions"]] == [2]
    with pytest.raises(ClientError) as unknown:
        client.describe_registration_versions(RegistrationId=reg_id, VersionNumbers=[7])
    assert error_of(unknown)["Reason"] == "UNKNOWN_REGISTRATION_VERSION"


def test_create_describe_delete_registrations(sim, client):
    with pytest.raises(ClientError) as unknown:
        client.create_registration(RegistrationType="US_TOLL_FREE_VERIFICATION")
    assert error_of(unknown)["Reason"] == "UNKNOWN_REGISTRATION_TYPE"
    ids = [
        client.create_registration(RegistrationType=t)["RegistrationId"]
        for t in ("US_TOLL_FREE_REGISTRATION", "US_TEN_DLC_BRAND_REGISTRATION", "JO_SENDER_ID_REGISTRATION")
    ]
    brands = client.describe_registrations(
        Filters=[{"Name": "registration-type", "Values": ["US_TEN_DLC_BRAND_REGISTRATION"]}]
    )
    assert [r["RegistrationId"] for r in brands["Registrations"]] == [ids[1]]
    created = client.describe_registrations(Filters=[{"Name": "registration-status", "Values": ["CREATED"]}])
    assert len(created["Registrations"]) == 3
    pages = list(client.get_paginator("describe_registrations").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["Registrations"]) for p in pages] == [2, 1]
    arn = client.describe_registrations(RegistrationIds=[ids[0]])["Registrations"][0]["RegistrationArn"]
    assert (
        client.describe_registrations(RegistrationIds=[arn])["Registrations"][0]["RegistrationId"] == ids[0]
    )
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    deleted = client.delete_registration(RegistrationId=ids[0])
    assert deleted["RegistrationStatus"] == "DELETED"
    with pytest.raises(ClientError) as gone:
        client.describe_registrations(RegistrationIds=[ids[0]])
    assert error_of(gone) == {"Code": "ResourceNotFoundException", "ResourceType": "registration"}
    assert statuses(sim, ids[0]) == ["CREATED", "DELETED"]
    limited = Simulator(quotas={"REGISTRATIONS": 1}).client()
    limited.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")
    with pytest.raises(ClientError) as quota:
        limited.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")
    assert error_of(quota)["Reason"] == "REGISTRATIONS_PER_ACCOUNT"


# -- attachments -------------------------------------------------------------------------------
def test_attachments(sim, client):
    for kwargs, reason in [
        ({}, "MISSING_PARAMETER"),
        ({"AttachmentBody": PNG, "AttachmentUrl": "s3://bucket/a.png"}, "PARAMETERS_CANNOT_BE_USED_TOGETHER"),
        ({"AttachmentBody": b"GIF89a" + b"\x00" * 10}, "ATTACHMENT_TYPE_NOT_SUPPORTED"),
        ({"AttachmentBody": PDF + b"\x00" * (5 * 1024 * 1024)}, "MAXIMUM_SIZE_EXCEEDED"),
        ({"AttachmentUrl": "https://example.com/a.png"}, "INVALID_PARAMETER"),
        ({"AttachmentUrl": "s3://bucket/a.gif"}, "ATTACHMENT_TYPE_NOT_SUPPORTED"),
    ]:
        with pytest.raises(ClientError) as exc:
            client.create_registration_attachment(**kwargs)
        assert error_of(exc)["Reason"] == reason, kwargs
    by_url = client.create_registration_attachment(AttachmentUrl="s3://bucket/optin.PDF")
    by_body = client.create_registration_attachment(AttachmentBody=PNG, Tags=[{"Key": "k", "Value": "v"}])
    assert by_body["Tags"] == [{"Key": "k", "Value": "v"}]
    described = client.describe_registration_attachments(
        RegistrationAttachmentIds=[by_url["RegistrationAttachmentId"]]
    )["RegistrationAttachments"]
    assert described[0]["AttachmentUrl"] == "s3://bucket/optin.PDF"
    sim.advance(UPLOAD)
    complete = client.describe_registration_attachments(
        Filters=[{"Name": "attachment-status", "Values": ["UPLOAD_COMPLETE"]}]
    )["RegistrationAttachments"]
    assert len(complete) == 2
    reg_id = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    put(client, reg_id, "messagingUseCase.optInImage", by_body["RegistrationAttachmentArn"])
    value = client.describe_registration_field_values(
        RegistrationId=reg_id, FieldPaths=["messagingUseCase.optInImage"]
    )["RegistrationFieldValues"][0]
    assert value["RegistrationAttachmentId"] == by_body["RegistrationAttachmentId"]
    gone = client.delete_registration_attachment(RegistrationAttachmentId=by_url["RegistrationAttachmentId"])
    assert gone["AttachmentStatus"] == "DELETED"
    with pytest.raises(ClientError) as missing:
        client.delete_registration_attachment(RegistrationAttachmentId=by_url["RegistrationAttachmentId"])
    assert error_of(missing) == {
        "Code": "ResourceNotFoundException",
        "ResourceType": "registration-attachment",
    }
    with pytest.raises(ClientError) as dangling:
        put(client, reg_id, "messagingUseCase.optInImage", by_url["RegistrationAttachmentId"])
    assert error_of(dangling)["Code"] == "ResourceNotFoundException"


def test_a_submitted_attachment_cannot_be_deleted(sim, client):
    reg_id, _ = ready_toll_free(sim, client)
    image = client.describe_registration_field_values(
        RegistrationId=reg_id, FieldPaths=["messagingUseCase.optInImage"]
    )["RegistrationFieldValues"][0]
    client.submit_registration_version(RegistrationId=reg_id)
    with pytest.raises(ClientError) as exc:
        client.delete_registration_attachment(RegistrationAttachmentId=image["RegistrationAttachmentId"])
    assert error_of(exc)["Reason"] == "RESOURCE_DELETION_NOT_ALLOWED"


# -- associations and the numbers they gate -----------------------------------------------------
def test_association_rules(sim, client):
    reg_id = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    long_code = us_number(client, "LONG_CODE")
    with pytest.raises(ClientError) as wrong_kind:
        client.create_registration_association(RegistrationId=reg_id, ResourceId=long_code["PhoneNumberId"])
    assert error_of(wrong_kind)["Reason"] == "INVALID_REGISTRATION_ASSOCIATION"
    with pytest.raises(ClientError) as no_number:
        client.create_registration_association(RegistrationId=reg_id, ResourceId="phone-" + "0" * 32)
    assert error_of(no_number) == {"Code": "ResourceNotFoundException", "ResourceType": "phone-number"}
    first, second = us_number(client, "TOLL_FREE"), us_number(client, "TOLL_FREE")
    client.create_registration_association(RegistrationId=reg_id, ResourceId=first["PhoneNumberArn"])
    with pytest.raises(ClientError) as again:
        client.create_registration_association(RegistrationId=reg_id, ResourceId=first["PhoneNumberId"])
    assert error_of(again)["Reason"] == "RESOURCE_ALREADY_ASSOCIATED"
    with pytest.raises(ClientError) as one_only:
        client.create_registration_association(RegistrationId=reg_id, ResourceId=second["PhoneNumberId"])
    assert error_of(one_only) == {
        "Code": "ServiceQuotaExceededException",
        "Reason": "PHONE_NUMBERS_PER_REGISTRATION",
    }
    other = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as taken:
        client.create_registration_association(RegistrationId=other, ResourceId=first["PhoneNumberId"])
    assert error_of(taken)["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_REGISTRATION"
    filtered = client.list_registration_associations(
        RegistrationId=reg_id, Filters=[{"Name": "iso-country-code", "Values": ["CA"]}]
    )
    assert (
        filtered["RegistrationAssociations"] == []
        and filtered["RegistrationType"] == "US_TOLL_FREE_REGISTRATION"
    )
    with pytest.raises(ClientError) as before_submit:  # its number first (the form: in review)
        client.submit_registration_version(RegistrationId=other)
    assert error_of(before_submit)["Reason"] == "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"
    campaign = client.create_registration(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION")[
        "RegistrationId"
    ]
    ten_dlc = us_number(client, "TEN_DLC")
    with pytest.raises(ClientError) as not_complete:
        client.create_registration_association(RegistrationId=campaign, ResourceId=ten_dlc["PhoneNumberId"])
    assert error_of(not_complete)["Reason"] == "REGISTRATION_NOT_COMPLETE"


def test_toll_free_needs_its_number_before_submit(client):
    reg_id = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    fill(client, reg_id, {**TFN_VALUES, "messagingUseCase.optInType": ["VERBAL"]})
    with pytest.raises(ClientError) as exc:
        client.submit_registration_version(RegistrationId=reg_id)
    assert error_of(exc)["Reason"] == "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"


def test_numbers_requested_with_a_registration_wait_for_it(sim, client):
    campaign = client.create_registration(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION")[
        "RegistrationId"
    ]
    number = us_number(client, "TEN_DLC")  # requested first, associated once the campaign is COMPLETE
    assert number["Status"] == "PENDING" and "RegistrationId" not in number
    long_code = us_number(client, "LONG_CODE")
    sim.advance(DAY)
    phones = {p["PhoneNumberId"]: p["Status"] for p in client.describe_phone_numbers()["PhoneNumbers"]}
    assert phones == {number["PhoneNumberId"]: "PENDING", long_code["PhoneNumberId"]: "ACTIVE"}
    fill(client, campaign, CAMPAIGN_VALUES)
    with pytest.raises(ClientError) as no_brand:
        client.submit_registration_version(RegistrationId=campaign)
    assert error_of(no_brand)["Reason"] == "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    linked = client.create_registration_association(RegistrationId=campaign, ResourceId=brand)
    assert (linked["ResourceType"], linked["ResourceId"]) == ("REGISTRATION", brand)
    with pytest.raises(ClientError) as brand_pending:  # the brand must be COMPLETE first
        client.submit_registration_version(RegistrationId=campaign)
    assert error_of(brand_pending)["Reason"] == "REGISTRATION_NOT_COMPLETE"
    other = client.create_registration(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as same_type:
        client.create_registration_association(RegistrationId=other, ResourceId=campaign)
    assert error_of(same_type)["Reason"] == "INVALID_REGISTRATION_ASSOCIATION"
    sim.advance(3 * DAY)  # a brand is reviewed in 2 days by default
    assert client.describe_registrations(RegistrationIds=[brand])["Registrations"][0][
        "RegistrationStatus"
    ] == ("COMPLETE")
    client.submit_registration_version(RegistrationId=campaign)
    sim.advance(13 * DAY)
    with pytest.raises(ClientError) as in_review:  # numbers join an approved campaign
        client.create_registration_association(RegistrationId=campaign, ResourceId=number["PhoneNumberId"])
    assert error_of(in_review)["Reason"] == "REGISTRATION_NOT_COMPLETE"
    sim.advance(2 * DAY)  # a campaign is reviewed in 14 days by default
    client.create_registration_association(RegistrationId=campaign, ResourceId=number["PhoneNumberId"])
    assert (
        client.describe_phone_numbers(PhoneNumberIds=[number["PhoneNumberId"]])["PhoneNumbers"][0]["Status"]
        == "ACTIVE"
    )
    later = us_number(client, "TEN_DLC", RegistrationId=campaign)
    assert later["RegistrationId"] == campaign
    assert (
        client.describe_phone_numbers(PhoneNumberIds=[later["PhoneNumberId"]])["PhoneNumbers"][0]["Status"]
        == "ACTIVE"
    )
    with pytest.raises(ClientError) as associated:
        client.delete_registration(RegistrationId=campaign)
    assert error_of(associated)["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_REGISTRATION"
    for kwargs, code in [
        ({"RegistrationId": "registration-" + "0" * 32}, "ResourceNotFoundException"),
        ({"RegistrationId": campaign, "NumberType": "TOLL_FREE"}, "ValidationException"),
    ]:
        with pytest.raises(ClientError) as exc:
            client.request_phone_number(
                **{
                    "IsoCountryCode": "US",
                    "MessageType": "TRANSACTIONAL",
                    "NumberCapabilities": ["SMS"],
                    "NumberType": "TEN_DLC",
                    **kwargs,
                }
            )
        assert error_of(exc)["Code"] == code
    assert len(client.describe_phone_numbers()["PhoneNumbers"]) == 3  # the refused requests made nothing


def test_releasing_the_number_closes_a_toll_free_registration(sim, client):
    reg_id, number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    with pytest.raises(ClientError) as under_review:
        client.release_phone_number(PhoneNumberId=number["PhoneNumberId"])
    assert error_of(under_review)["Reason"] == "DISASSOCIATE_REGISTRATION_NOT_ALLOWED"
    sim.advance(10 * DAY)
    client.release_phone_number(PhoneNumberId=number["PhoneNumberId"])
    reg = client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]
    assert reg["RegistrationStatus"] == "CLOSED"
    assert client.list_registration_associations(RegistrationId=reg_id)["RegistrationAssociations"] == []
    assert statuses(sim, reg_id)[-1] == "CLOSED"
    assert client.delete_registration(RegistrationId=reg_id)["RegistrationStatus"] == "DELETED"


def test_pool_of_unregistered_numbers_cannot_send(sim, client):
    number = us_number(client, "TOLL_FREE")
    reg_id, _ = ready_toll_free(sim, client, number)
    client.submit_registration_version(RegistrationId=reg_id)
    sim.advance(10 * DAY)
    pool = client.create_pool(OriginationIdentity=number["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.advance(60)
    client.send_text_message(
        DestinationPhoneNumber="+12065550142",
        OriginationIdentity=pool["PoolId"],
        MessageBody="through the pool",
    )
    sim.registrations.revoke(reg_id)
    with pytest.raises(ClientError) as exc:
        client.send_text_message(
            DestinationPhoneNumber="+12065550142",
            OriginationIdentity=pool["PoolId"],
            MessageBody="through the pool",
        )
    assert error_of(exc) == {
        "Code": "ConflictException",
        "Reason": "REGISTRATION_NOT_COMPLETE",
        "ResourceType": "pool",
    }


def test_rcs_agents_pass_the_registration_gate(sim, client):
    """An RCS message goes from an agent (its launches decide), even through a pool whose
    only number lost its registration; a text through that pool is still refused."""
    agent = client.create_rcs_agent()
    rcs = sim.region("123456789012", "us-east-1").rcs_agents
    rcs.submit_testing(agent["RcsAgentId"], "registration-testing")
    rcs.submit_country_launch(agent["RcsAgentId"], "US", "registration-launch")
    number = us_number(client, "TOLL_FREE")
    reg_id, _ = ready_toll_free(sim, client, number)
    client.submit_registration_version(RegistrationId=reg_id)
    sim.advance(10 * DAY)
    pool = client.create_pool(OriginationIdentity=number["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.advance(60)
    client.associate_origination_identity(PoolId=pool["PoolId"], OriginationIdentity=agent["RcsAgentId"])
    sim.registrations.revoke(reg_id)
    rcs_text = {"Content": {"TextMessage": {"Body": "Your parcel is on its way"}}}
    for origin in (agent["RcsAgentId"], pool["PoolId"]):
        client.send_rcs_message(
            DestinationPhoneNumber="+12065550142", OriginationIdentity=origin, RcsMessageContent=rcs_text
        )
    with pytest.raises(ClientError) as exc:
        client.send_text_message(
            DestinationPhoneNumber="+12065550142", OriginationIdentity=pool["PoolId"], MessageBody="sms"
        )
    assert error_of(exc)["Reason"] == "REGISTRATION_NOT_COMPLETE"


def test_sender_id_registration_provisions_the_sender_id(sim, client):
    reg_id = client.create_registration(RegistrationType="JO_SENDER_ID_REGISTRATION")["RegistrationId"]
    loa = uploaded(sim, client, PDF)
    cr = uploaded(sim, client, PDF)
    fill(
        client,
        reg_id,
        {
            "companyInfo.companyName": "Example Corp",
            "companyInfo.website": "https://example.com",
            "companyInfo.businessRegistrationDocument": cr,
            "companyInfo.letterOfAuthorization": loa,
            "senderIdInfo.senderId": "EXAMPLECO",
            "senderIdInfo.messageType": ["TRANSACTIONAL"],
            "senderIdInfo.useCaseDescription": "One-time passcodes.",
            "senderIdInfo.messageSample": "Your EXAMPLECO code is 123456.",
        },
    )
    client.submit_registration_version(RegistrationId=reg_id)
    assert client.describe_sender_ids()["SenderIds"] == []
    sim.advance(6 * DAY)
    sender = client.describe_sender_ids()["SenderIds"][0]
    assert (sender["SenderId"], sender["IsoCountryCode"], sender["Registered"], sender["RegistrationId"]) == (
        "EXAMPLECO",
        "JO",
        True,
        reg_id,
    )
    assert (
        client.list_registration_associations(RegistrationId=reg_id)["RegistrationAssociations"][0][
            "ResourceType"
        ]
        == "SENDER_ID"
    )
    client.send_text_message(
        DestinationPhoneNumber="+962791234567",
        OriginationIdentity=sender["SenderIdArn"],
        MessageBody="Your code is 1",
    )
    client.delete_registration(RegistrationId=reg_id)  # DELETE_REGISTRATION_DISASSOCIATES
    sender = client.describe_sender_ids()["SenderIds"][0]
    assert sender["Registered"] is False and "RegistrationId" not in sender
    with pytest.raises(ClientError) as exc:
        client.send_text_message(
            DestinationPhoneNumber="+962791234567",
            OriginationIdentity=sender["SenderIdArn"],
            MessageBody="Your code is 2",
        )
    assert error_of(exc)["Reason"] == "SENDER_ID_NOT_REGISTERED"


# -- definitions and the catalogue --------------------------------------------------------------
def test_definitions(client):
    types = client.describe_registration_type_definitions()["RegistrationTypeDefinitions"]
    assert {t["RegistrationType"] for t in types} >= {
        "US_TOLL_FREE_REGISTRATION",
        "US_TEN_DLC_BRAND_REGISTRATION",
        "US_TEN_DLC_CAMPAIGN_REGISTRATION",
        "JO_SENDER_ID_REGISTRATION",
    }
    senders = client.describe_registration_type_definitions(
        Filters=[{"Name": "supported-association-resource-type", "Values": ["SENDER_ID"]}]
    )
    assert [t["RegistrationType"] for t in senders["RegistrationTypeDefinitions"]] == [
        "JO_SENDER_ID_REGISTRATION"
    ]
    us = client.describe_registration_type_definitions(
        Filters=[{"Name": "supported-association-iso-country-code", "Values": ["US"]}]
    )
    assert len(us["RegistrationTypeDefinitions"]) == 2
    tfn = client.describe_registration_type_definitions(RegistrationTypes=["US_TOLL_FREE_REGISTRATION"])
    assert (
        tfn["RegistrationTypeDefinitions"][0]["SupportedAssociations"][0]["AssociationBehavior"]
        == "ASSOCIATE_BEFORE_SUBMIT"
    )
    sections = client.describe_registration_section_definitions(RegistrationType="US_TOLL_FREE_REGISTRATION")
    assert [s["SectionPath"] for s in sections["RegistrationSectionDefinitions"]] == [
        "companyInfo",
        "contactInfo",
        "messagingUseCase",
        "messageSamples",
    ]
    fields = client.describe_registration_field_definitions(
        RegistrationType="US_TOLL_FREE_REGISTRATION", SectionPath="messagingUseCase"
    )
    image = [
        f for f in fields["RegistrationFieldDefinitions"] if f["FieldPath"] == "messagingUseCase.optInImage"
    ]
    assert image[0]["FieldType"] == "ATTACHMENT" and image[0]["FieldRequirement"] == "REQUIRED"
    one = client.describe_registration_field_definitions(
        RegistrationType="US_TEN_DLC_BRAND_REGISTRATION", FieldPaths=["companyInfo.legalType"]
    )
    assert one["RegistrationFieldDefinitions"][0]["SelectValidation"]["Options"] == [
        "PRIVATE_PROFIT",
        "PUBLIC_PROFIT",
        "NON_PROFIT",
        "GOVERNMENT",
    ]
    pages = client.get_paginator("describe_registration_field_definitions").paginate(
        RegistrationType="US_TOLL_FREE_REGISTRATION", PaginationConfig={"PageSize": 5}
    )
    assert sum(len(p["RegistrationFieldDefinitions"]) for p in pages) == 25
    for call, kwargs, reason in [
        (
            client.describe_registration_section_definitions,
            {"RegistrationType": "NOPE"},
            "UNKNOWN_REGISTRATION_TYPE",
        ),
        (
            client.describe_registration_section_definitions,
            {"RegistrationType": "US_TOLL_FREE_REGISTRATION", "SectionPaths": ["nope"]},
            "UNKNOWN_REGISTRATION_SECTION",
        ),
        (
            client.describe_registration_field_definitions,
            {"RegistrationType": "US_TOLL_FREE_REGISTRATION", "FieldPaths": ["a.b"]},
            "UNKNOWN_REGISTRATION_FIELD",
        ),
        (
            client.describe_registration_type_definitions,
            {"RegistrationTypes": ["NOPE"]},
            "UNKNOWN_REGISTRATION_TYPE",
        ),
    ]:
        with pytest.raises(ClientError) as exc:
            call(**kwargs)
        assert error_of(exc)["Reason"] == reason


def test_a_team_loads_what_its_account_sees(tmp_path, client):
    """The outputs of the three describe calls, saved as they came, become the forms."""
    types = client.describe_registration_type_definitions(RegistrationTypes=["US_TOLL_FREE_REGISTRATION"])
    sections = client.describe_registration_section_definitions(RegistrationType="US_TOLL_FREE_REGISTRATION")
    fields = client.describe_registration_field_definitions(RegistrationType="US_TOLL_FREE_REGISTRATION")
    documents = []
    for doc in (types, sections, fields):
        doc = {k: v for k, v in doc.items() if k != "ResponseMetadata"}
        documents.append(json.loads(json.dumps(doc, default=str)))
    documents[0]["RegistrationTypeDefinitions"][0]["RegistrationType"] = "XX_ACCOUNT_REGISTRATION"
    documents[1]["RegistrationType"] = documents[2]["RegistrationType"] = "XX_ACCOUNT_REGISTRATION"
    for f in documents[2]["RegistrationFieldDefinitions"]:
        if f["FieldPath"] == "companyInfo.companyName":
            f["TextValidation"]["MaxLength"] = 5
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(documents))
    own = Simulator(registration_catalogue=str(path))
    mine = own.client()
    reg_id = mine.create_registration(RegistrationType="XX_ACCOUNT_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as exc:
        put(mine, reg_id, "companyInfo.companyName", "Example Corp")
    assert error_of(exc)["Reason"] == "INVALID_PARAMETER"
    put(mine, reg_id, "companyInfo.companyName", "Exmpl")
    assert {
        t["RegistrationType"]
        for t in mine.describe_registration_type_definitions()["RegistrationTypeDefinitions"]
    } >= {"XX_ACCOUNT_REGISTRATION", "US_TOLL_FREE_REGISTRATION"}


def one_text_field(sections: list[dict], pattern: str) -> dict:
    """A catalogue of one type X with one TEXT field s.f in section s."""
    field = {
        "SectionPath": "s",
        "FieldPath": "s.f",
        "FieldType": "TEXT",
        "FieldRequirement": "REQUIRED",
        "TextValidation": {"MinLength": 1, "MaxLength": 2, "Pattern": pattern},
        "DisplayHints": {"Title": "f", "ShortDescription": "f"},
    }
    kind = {"RegistrationType": "X", "DisplayHints": {"Title": "x"}}
    return {
        "Types": [
            {
                "RegistrationTypeDefinition": kind,
                "RegistrationSectionDefinitions": sections,
                "RegistrationFieldDefinitions": [field],
            }
        ]
    }


SECTION_S = {"SectionPath": "s", "DisplayHints": {"Title": "s", "ShortDescription": "s"}}


@pytest.mark.parametrize(
    "document,message",
    [
        ({"Types": [{"RegistrationTypeDefinition": {"RegistrationType": "X"}}]}, "DisplayHints"),
        ([{"RegistrationType": "X", "RegistrationFieldDefinitions": []}], "defines it"),
        ([{"Something": 1}], "neither a catalogue"),
        (one_text_field([], ".*"), "section s, which is not defined"),
        (one_text_field([SECTION_S], "(["), "pattern '\\(\\[' is not a regular expression"),
    ],
)
def test_a_catalogue_aws_could_not_have_sent_fails_loudly(document, message):
    with pytest.raises(CatalogueError, match=message):
        Simulator(registration_catalogue=document)


CATALOGUE_FILES = {
    "too large": (b" " * (MAX_CATALOGUE_BYTES + 1), "larger than 16 MiB"),
    "nested deeply": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "not JSON": (b"Types: []", "not JSON"),
    "not UTF-8": (b"\xff\xfe[]", "not JSON"),
    "empty": (b"[]", "defines no registration type"),
    "wrong types": (
        b'{"Types": [{"RegistrationTypeDefinition": "X"}]}',
        ("not what DescribeRegistrationTypeDefinitions returns: .*expected structure, got str"),
    ),
    "wrong container": (b'{"Types": {}}', "Types must be a list"),
}


@pytest.mark.parametrize("case", CATALOGUE_FILES)
def test_a_bad_catalogue_file_is_one_clear_error(tmp_path, case):
    content, message = CATALOGUE_FILES[case]
    path = tmp_path / "catalogue.json"
    path.write_bytes(content)
    with pytest.raises(CatalogueError, match=f"^registration catalogue {re.escape(str(path))}: {message}"):
        Simulator(registration_catalogue=str(path))


def test_the_cli_names_a_bad_catalogue_in_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(CATALOGUE_FILES["nested deeply"][0])
    done = run_cli("simulate", "--listen", "127.0.0.1:0", "--registration-catalogue", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"smsvoice-sim: error: registration catalogue {path}: nested too deeply to be a catalogue"
    ]


# -- the monitor a public project runs, over HTTP on a real clock --------------------------------
def test_public_style_monitor_over_http_with_a_real_clock():
    import time

    from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer

    from conftest import endpoint_client

    fast = {
        "registration:SUBMITTED->REVIEWING": 0.05,
        "registration:PROVISIONING->COMPLETE": 0.05,
        "registration:US_TOLL_FREE_REGISTRATION:REVIEWING->PROVISIONING": 0.2,
        "registration-attachment:UPLOAD_IN_PROGRESS->UPLOAD_COMPLETE": 0.05,
    }
    sim = Simulator(clock="real", seed=5, durations=fast)
    sim.registrations.rule("US_TOLL_FREE_REGISTRATION", "deny", times=1, reasons=["Sample message is vague"])
    with EndpointServer(simulator_answer(sim)) as server:
        client = endpoint_client(server.url)
        reg_id, number = ready_toll_free(sim, client)

        def monitor(wanted: set[str], timeout: float = 10.0) -> tuple[str, int]:
            deadline, polls = time.monotonic() + timeout, 0
            while time.monotonic() < deadline:
                polls += 1
                reg = client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]
                if reg["RegistrationStatus"] in wanted:
                    return reg["RegistrationStatus"], polls
                time.sleep(0.02)
            raise AssertionError(f"{reg_id} never reached {wanted}")

        client.submit_registration_version(RegistrationId=reg_id)
        assert monitor({"REQUIRES_UPDATES", "COMPLETE"})[0] == "REQUIRES_UPDATES"
        image = client.describe_registration_field_values(
            RegistrationId=reg_id, FieldPaths=["messagingUseCase.optInImage"])["RegistrationFieldValues"][0]
        client.create_registration_version(RegistrationId=reg_id)  # empty: every answer again
        fill(client, reg_id, {**TFN_VALUES, "messagingUseCase.optInImage": image["RegistrationAttachmentId"],
                              "messageSamples.messageSample1": "Your Example Corp sign-in code is 123456."})
        client.submit_registration_version(RegistrationId=reg_id)
        status, polls = monitor({"REQUIRES_UPDATES", "COMPLETE"})
        assert status == "COMPLETE" and polls > 1
        assert (
            client.describe_phone_numbers(PhoneNumberIds=[number["PhoneNumberId"]])["PhoneNumbers"][0][
                "Status"
            ]
            == "ACTIVE"
        )


def test_every_filter_the_model_names_is_implemented():
    from smsvoice_sim.simulator.families import registration_attachments, registration_definitions
    from smsvoice_sim.simulator.families import registrations as family
    from smsvoice_sim.simulator.wire.model import enum_values

    for shape, getters in [
        ("RegistrationFilterName", family.REGISTRATION_FILTERS),
        ("RegistrationVersionFilterName", family.VERSION_FILTERS),
        ("RegistrationAttachmentFilterName", registration_attachments.ATTACHMENT_FILTERS),
        ("RegistrationAssociationFilterName", family.ASSOCIATION_FILTERS),
        ("RegistrationTypeFilterName", registration_definitions.TYPE_FILTERS),
    ]:
        assert set(getters) == set(enum_values(shape)), shape


def test_the_seed_catalogue_ships_as_package_data():
    from importlib import resources

    data = resources.files("smsvoice_sim.simulator.registrations").joinpath("catalogue.json").read_text()
    assert json.loads(data)["Catalogue"]["Seed"] is True


def test_the_seed_catalogue_holds_only_what_the_model_describes():
    """On a botocore that has every member the seed uses, shaping the seed as the installed
    model changes nothing: a misspelt key in catalogue.json would be dropped by that shaping
    (an older botocore's missing members are), so here it fails instead."""
    from smsvoice_sim.simulator.registrations import catalogue

    raw = json.loads(catalogue.SEED_PATH.read_text())
    assert catalogue._as_installed_model(raw) == raw


# -- the control API's registration routes -------------------------------------------------------
def control(sim, method: str, path: str, body: dict | None = None):
    return control_answer(sim, method, path, body)


def test_control_routes_decide_reviews(sim, client):
    reg_id, number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    status, body = control(
        sim,
        "POST",
        "/_smsvoice/registrations/review",
        {
            "RegistrationId": reg_id,
            "Decision": "deny",
            "DeniedReasons": ["Sample message is vague"],
            "FieldFeedback": {"messageSamples.messageSample1": {"Feedback": "Show the real text"}},
        },
    )
    assert (status, body) == (200, {"RegistrationId": reg_id, "RegistrationStatus": "REQUIRES_UPDATES"})
    sample = client.describe_registration_field_values(
        RegistrationId=reg_id, FieldPaths=["messageSamples.messageSample1"]
    )["RegistrationFieldValues"][0]
    assert sample["Feedback"] == "Show the real text"
    status, body = control(
        sim, "POST", "/_smsvoice/registrations/review", {"RegistrationId": reg_id, "Decision": "approve"}
    )
    assert status == 409 and body["__type"] == "ConflictException"
    assert (
        control(
            sim,
            "POST",
            "/_smsvoice/registrations/review",
            {"RegistrationId": "registration-" + "0" * 32, "Decision": "approve"},
        )[0]
        == 404
    )
    for bad in (
        {"RegistrationId": reg_id},
        {"RegistrationId": reg_id, "Decision": "maybe"},
        {"RegistrationId": reg_id, "Decision": "deny", "DeniedReasons": "not a list"},
        {"RegistrationId": reg_id, "Decision": "deny", "Bogus": 1},
    ):
        assert control(sim, "POST", "/_smsvoice/registrations/review", bad)[0] == 400, bad
    status, body = control(
        sim,
        "POST",
        "/_smsvoice/registrations/rules",
        {"RegistrationType": "US_TOLL_FREE_REGISTRATION", "Decision": "approve", "Times": 1},
    )
    assert status == 200 and body["rules"][0]["Times"] == 1
    assert control(sim, "GET", "/_smsvoice/registrations/rules")[1]["rules"][0]["Outcome"] == "approve"
    assert control(sim, "POST", "/_smsvoice/registrations/rules", {"Decision": "deny"})[0] == 400
    assert (
        control(sim, "DELETE", "/_smsvoice/registrations/rules?registrationType=US_TOLL_FREE_REGISTRATION")[
            1
        ]["cleared"]
        == 1
    )
    status, body = control(sim, "GET", f"/_smsvoice/registrations/events?registrationId={reg_id}")
    assert [e["detail"]["registrationDetails"]["currentStatus"] for e in body["events"]] == [
        "CREATED",
        "SUBMITTED",
        "REVIEWING",
        "REQUIRES_UPDATES",
    ]
    assert control(sim, "GET", "/_smsvoice/registrations/nope")[0] == 404
    assert control(sim, "PUT", "/_smsvoice/registrations/rules")[0] == 405


def test_state_file_keeps_registrations_and_their_review(tmp_path):
    path = str(tmp_path / "state.json")
    first = Simulator(clock="manual", seed=21, state_file=path)
    client = first.client()
    reg_id, number = ready_toll_free(first, client)
    client.submit_registration_version(RegistrationId=reg_id)
    first.advance(DAY)
    waiting = us_number(client, "TOLL_FREE")  # no registration yet: PENDING for ever

    second = Simulator(clock="manual", seed=21, state_file=path)
    again = second.client()
    assert again.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0][
        "RegistrationStatus"
    ] == ("REVIEWING")
    second.advance(DAY)
    phones = {p["PhoneNumberId"]: p["Status"] for p in again.describe_phone_numbers()["PhoneNumbers"]}
    assert phones == {number["PhoneNumberId"]: "PENDING", waiting["PhoneNumberId"]: "PENDING"}
    second.advance(7 * DAY)
    assert again.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0][
        "RegistrationStatus"
    ] == ("COMPLETE")
    assert (
        again.describe_phone_numbers(PhoneNumberIds=[number["PhoneNumberId"]])["PhoneNumbers"][0]["Status"]
        == "ACTIVE"
    )
    values = again.describe_registration_field_values(RegistrationId=reg_id)["RegistrationFieldValues"]
    assert len(values) == len(TFN_VALUES) + 1
    assert len(again.describe_registration_attachments()["RegistrationAttachments"]) == 1


def test_reads_clock_moves_a_review_every_n_polls():
    sim = Simulator(clock="reads:2", seed=8)
    client = sim.client()
    reg_id, _ = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    seen = [
        client.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]
        for _ in range(6)
    ]
    # Two reads in each state; provisioning takes no time, so approval lands on COMPLETE.
    assert seen == ["SUBMITTED", "SUBMITTED", "REVIEWING", "REVIEWING", "COMPLETE", "COMPLETE"]


def test_state_view_and_reset(sim, client):
    reg_id, _ = ready_toll_free(sim, client)
    view = json.loads(json.dumps(sim.state()))["accounts"]["123456789012"]["us-east-1"]
    assert view["registrations"][0]["RegistrationId"] == reg_id
    assert len(view["registrations"][0]["Versions"][0]["FieldValues"]) == len(TFN_VALUES) + 1
    assert len(view["registration_attachments"]) == 1
    sim.reset()
    assert sim.registration_events() == []
    assert client.describe_registrations()["Registrations"] == []
    assert (
        client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationStatus"]
        == "CREATED"
    )


@pytest.mark.parametrize(
    "operator,values,answer,expected",
    [
        ("EQUALS", ["A"], ["A"], "REQUIRED"),
        ("EQUALS", ["A"], ["B"], "OPTIONAL"),
        ("NOT_EQUALS", ["A"], ["B"], "REQUIRED"),
        ("NOT_EQUALS", ["A"], ["A"], "OPTIONAL"),
        ("IN", ["A", "B"], ["B"], "REQUIRED"),
        ("IN", ["A", "B"], None, "OPTIONAL"),
        ("NOT_IN", ["A", "B"], ["C"], "REQUIRED"),
        ("NOT_IN", ["A", "B"], ["A"], "OPTIONAL"),
        ("HAS_VALUE", None, ["anything"], "REQUIRED"),
        ("HAS_VALUE", None, None, "OPTIONAL"),
        ("NO_VALUE", None, None, "REQUIRED"),
        ("NO_VALUE", None, ["x"], "OPTIONAL"),
        ("SOUNDS_LIKE", ["A"], ["A"], "OPTIONAL"),  # the model: an unknown operator skips its rule
    ],
)
def test_conditional_rules_resolve_as_the_model_says(operator, values, answer, expected):
    from smsvoice_sim.simulator.registrations.forms import resolve

    condition = {
        "DependsOnFieldPath": "s.kind",
        "Operator": operator,
        **({"Values": values} if values else {}),
    }
    field = {
        "FieldPath": "s.f",
        "FieldRequirement": "CONDITIONAL",
        "ConditionalBehavior": {
            "Rules": [
                {
                    "Conditions": [condition],
                    "RuleBehavior": "REQUIRED",
                    "ConditionalValidation": {"MaxLength": 3},
                }
            ],
            "DefaultBehavior": "OPTIONAL",
        },
    }
    filled = {"s.kind": {"FieldPath": "s.kind", "SelectChoices": answer}} if answer else {}
    behavior, overrides = resolve(field, filled)
    assert behavior == expected
    assert overrides == ({"MaxLength": 3} if expected == "REQUIRED" else {})


def test_a_recorded_registered_number_sends_after_replay(sim, client):
    """Replay, then simulate: a toll-free number AWS showed ACTIVE with its RegistrationId is
    registered there, even though the registration itself was never recorded."""
    recorded = {
        "PhoneNumbers": [
            {
                "PhoneNumberArn": "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-" + "a" * 32,
                "PhoneNumberId": "phone-" + "a" * 32,
                "PhoneNumber": "+18885550100",
                "Status": "ACTIVE",
                "IsoCountryCode": "US",
                "MessageType": "TRANSACTIONAL",
                "NumberCapabilities": ["SMS"],
                "NumberType": "TOLL_FREE",
                "MonthlyLeasingPrice": "2.00",
                "TwoWayEnabled": False,
                "SelfManagedOptOutsEnabled": False,
                "OptOutListName": "Default",
                "DeletionProtectionEnabled": False,
                "RegistrationId": "registration-" + "b" * 32,
                "CreatedTimestamp": 1.7e9,
            }
        ]
    }
    sim.adopt("DescribePhoneNumbers", b"{}", 200, json.dumps(recorded).encode())
    sent = client.send_text_message(
        DestinationPhoneNumber="+12065550142", OriginationIdentity="phone-" + "a" * 32, MessageBody="hello"
    )
    assert sent["MessageId"]


def test_every_registration_paginator_pages(sim, client):
    reg_id, _ = ready_toll_free(sim, client)
    client.create_registration_attachment(AttachmentBody=PDF)
    client.submit_registration_version(RegistrationId=reg_id)
    sim.registrations.deny(reg_id)
    client.create_registration_version(RegistrationId=reg_id)
    cases = [
        ("describe_registrations", {}, "Registrations", 1),
        ("describe_registration_versions", {"RegistrationId": reg_id}, "RegistrationVersions", 2),
        (
            "describe_registration_field_values",
            {"RegistrationId": reg_id, "VersionNumber": 1},
            "RegistrationFieldValues",
            len(TFN_VALUES) + 1,
        ),
        ("describe_registration_attachments", {}, "RegistrationAttachments", 2),
        ("list_registration_associations", {"RegistrationId": reg_id}, "RegistrationAssociations", 1),
        ("describe_registration_type_definitions", {}, "RegistrationTypeDefinitions", 7),
        (
            "describe_registration_section_definitions",
            {"RegistrationType": "US_TOLL_FREE_REGISTRATION"},
            "RegistrationSectionDefinitions",
            4,
        ),
        (
            "describe_registration_field_definitions",
            {"RegistrationType": "US_TOLL_FREE_REGISTRATION"},
            "RegistrationFieldDefinitions",
            25,
        ),
    ]
    for name, kwargs, key, total in cases:
        pages = list(client.get_paginator(name).paginate(**kwargs, PaginationConfig={"PageSize": 1}))
        assert len(pages) == total and sum(len(p[key]) for p in pages) == total, name
        assert all("NextToken" in p for p in pages[:-1]) and "NextToken" not in pages[-1], name
    with pytest.raises(ClientError) as bad:
        client.describe_registrations(NextToken="not-a-token")
    assert error_of(bad)["Reason"] == "INVALID_NEXT_TOKEN"
