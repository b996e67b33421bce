"""What real programs caught (issue 20, items 4-10) through real boto3: brand vetting, the forms
as AWS serves them, a submit AWS accepts and its review denies, a new version that starts
empty, a 10DLC number that needs a complete campaign, attachments that upload on the clock,
and reviewer rules that name a registration type that exists."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from registration_fixtures import (
    BRAND_VALUES,
    CAMPAIGN_VALUES,
    DAY,
    HOUR,
    PDF,
    PNG,
    UPLOAD,
    complete_brand,
    error_of,
    fill,
    put,
    status_of,
    statuses,
    uploaded,
    us_number,
)

from smsvoice_sim.simulator import Simulator

from helpers import control_answer

VETTING = "US_TEN_DLC_BRAND_VETTING"
REJECTION_GUIDE = "https://docs.aws.amazon.com/sms-voice/latest/userguide/registration-help-rejection-troubleshooting.html"


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=20)


@pytest.fixture
def client(sim):
    return sim.client(region_name="us-east-1")


def definitions(client, registration_type: str) -> dict[str, dict]:
    pages = client.get_paginator("describe_registration_field_definitions").paginate(
        RegistrationType=registration_type
    )
    return {f["FieldPath"]: f for page in pages for f in page["RegistrationFieldDefinitions"]}


def filled_campaign(client, brand: str) -> str:
    campaign = client.create_registration(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION")[
        "RegistrationId"
    ]
    fill(client, campaign, CAMPAIGN_VALUES)
    client.create_registration_association(RegistrationId=campaign, ResourceId=brand)
    return campaign


# -- 4. US_TEN_DLC_BRAND_VETTING ---------------------------------------------------------------
def test_brand_vetting_has_no_fields_and_takes_its_brand_before_submit(client):
    kind = client.describe_registration_type_definitions(RegistrationTypes=[VETTING])[
        "RegistrationTypeDefinitions"
    ][0]
    assert kind["SupportedAssociations"] == [
        {
            "ResourceType": "REGISTRATION",
            "AssociationBehavior": "ASSOCIATE_BEFORE_SUBMIT",
            "DisassociationBehavior": "DELETE_REGISTRATION_DISASSOCIATES",
        }
    ]
    assert definitions(client, VETTING) == {}
    sections = client.describe_registration_section_definitions(RegistrationType=VETTING)
    assert sections["RegistrationSectionDefinitions"] == []


def test_brand_vetting_as_the_aws_sample_runs_it(sim, client):
    """create_registration -> create_registration_association(brand) -> submit, no fields."""
    vetting = client.create_registration(
        RegistrationType=VETTING, Tags=[{"Key": "Name", "Value": "request-1-Vetting"}]
    )["RegistrationId"]
    with pytest.raises(ClientError) as no_brand:
        client.submit_registration_version(RegistrationId=vetting)
    assert error_of(no_brand)["Reason"] == "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    linked = client.create_registration_association(RegistrationId=vetting, ResourceId=brand)
    assert (linked["ResourceType"], linked["ResourceId"]) == ("REGISTRATION", brand)
    with pytest.raises(ClientError) as brand_pending:  # the brand is vetted once it is approved
        client.submit_registration_version(RegistrationId=vetting)
    assert error_of(brand_pending)["Reason"] == "REGISTRATION_NOT_COMPLETE"
    sim.advance(3 * DAY)
    submitted = client.submit_registration_version(RegistrationId=vetting)
    assert submitted["RegistrationVersionStatus"] == "SUBMITTED"
    sim.advance(HOUR + 2 * DAY)  # 1-2 business days [doc]
    assert status_of(client, vetting) == "COMPLETE"
    assert statuses(sim, vetting) == ["CREATED", "SUBMITTED", "REVIEWING", "PROVISIONING", "COMPLETE"]
    assert client.delete_registration(RegistrationId=vetting)["RegistrationStatus"] == "DELETED"
    assert status_of(client, brand) == "COMPLETE"  # DELETE_REGISTRATION_DISASSOCIATES


def test_a_vetting_and_a_campaign_take_a_brand_and_nothing_else(sim, client):
    brand = complete_brand(sim, client)
    vetting = client.create_registration(RegistrationType=VETTING)["RegistrationId"]
    campaign = client.create_registration(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION")[
        "RegistrationId"
    ]
    for registration, other in ((campaign, vetting), (vetting, campaign)):
        with pytest.raises(ClientError) as wrong:
            client.create_registration_association(RegistrationId=registration, ResourceId=other)
        assert error_of(wrong)["Reason"] == "INVALID_REGISTRATION_ASSOCIATION"
    client.create_registration_association(RegistrationId=vetting, ResourceId=brand)
    client.create_registration_association(RegistrationId=campaign, ResourceId=brand)


# -- 5. 10DLC brand and campaign forms ---------------------------------------------------------
BRAND_PATHS = [
    "companyInfo.companyName", "companyInfo.taxIdIssuingCountry", "companyInfo.taxId",
    "companyInfo.legalType", "companyInfo.stockSymbol", "companyInfo.stockExchange",
    "companyInfo.businessContactEmail", "companyInfo.address", "companyInfo.city", "companyInfo.state",
    "companyInfo.zipCode", "companyInfo.isoCountryCode", "contactInfo.dbaName", "contactInfo.vertical",
    "contactInfo.website", "contactInfo.supportEmail", "contactInfo.supportPhoneNumber",
]
CAMPAIGN_PATHS = [
    "campaignInfo.campaignName", "campaignInfo.vertical", "campaignInfo.termsAndConditionsLink",
    "campaignInfo.termsAndConditionsFile", "campaignInfo.privacyPolicyLink",
    "campaignInfo.privacyPolicyFile", "campaignInfo.optInWorkflow", "campaignInfo.optInScreenshot",
    "campaignInfo.optInKeyword", "campaignInfo.optInMessage", "campaignInfo.helpMessage",
    "campaignInfo.stopMessage", "campaignCapabilities.numberCapabilities",
    "campaignCapabilities.messageType", "campaignUseCase.useCase", "campaignUseCase.subUseCases",
    "campaignUseCase.subscriberOptIn", "campaignUseCase.subscriberOptOut",
    "campaignUseCase.subscriberHelp", "campaignUseCase.directLending", "campaignUseCase.embeddedLink",
    "campaignUseCase.embeddedLinkSample", "campaignUseCase.embeddedPhone", "campaignUseCase.ageGated",
    *(f"messageSamples.messageSample{n}" for n in range(1, 6)),
    *(f"mmsFileSamples.mmsFileSample{n}" for n in range(1, 6)),
]
VERTICALS = [
    "AGRICULTURE", "COMMUNICATION", "CONSTRUCTION", "EDUCATION", "ENERGY", "ENTERTAINMENT", "FINANCIAL",
    "GAMBLING", "GOVERNMENT", "HEALTHCARE", "HOSPITALITY", "INSURANCE", "MANUFACTURING", "NGO",
    "REAL_ESTATE", "RETAIL", "TECHNOLOGY",
]


def test_the_ten_dlc_brand_form_is_served_as_aws_serves_it(client):
    fields = definitions(client, "US_TEN_DLC_BRAND_REGISTRATION")
    assert list(fields) == BRAND_PATHS
    assert fields["contactInfo.vertical"]["SelectValidation"]["Options"] == VERTICALS
    assert fields["contactInfo.dbaName"]["FieldRequirement"] == "REQUIRED"
    exchanges = fields["companyInfo.stockExchange"]["SelectValidation"]["Options"]
    assert len(exchanges) == 27 and {"NONE", "LON", "SGX", "OTHER"} <= set(exchanges)
    email = fields["companyInfo.businessContactEmail"]
    assert email["FieldRequirement"] == "CONDITIONAL"
    assert email["ConditionalBehavior"]["DefaultBehavior"] == "DISALLOWED"
    assert email["ConditionalBehavior"]["Rules"][0]["Conditions"][0]["Values"] == ["PUBLIC_PROFIT"]
    lengths = {p: fields[p]["TextValidation"]["MaxLength"] for p in
               ("companyInfo.address", "companyInfo.zipCode", "contactInfo.website",
                "contactInfo.supportPhoneNumber")}
    assert lengths == {"companyInfo.address": 100, "companyInfo.zipCode": 20, "contactInfo.website": 100,
                       "contactInfo.supportPhoneNumber": 30}
    assert fields["companyInfo.taxId"]["DisplayHints"]["ExampleTextValue"] == "123456789"


def test_an_ein_with_its_dash_is_refused_at_put(client):
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as dashed:  # [obs] "12-3456789" fails with INVALID_PARAMETER
        put(client, brand, "companyInfo.taxId", "12-3456789")
    assert (error_of(dashed)["Reason"], error_of(dashed)["Fields"][0]["Name"]) == ("INVALID_PARAMETER",
                                                                                 "textValue")
    put(client, brand, "companyInfo.taxId", "123456789")
    for old in ("companyInfo.address1", "companyInfo.dbaName", "companyInfo.vertical"):
        with pytest.raises(ClientError) as unknown:
            put(client, brand, old, "x")
        assert error_of(unknown)["Reason"] == "UNKNOWN_REGISTRATION_FIELD", old


def test_the_ten_dlc_campaign_form_is_served_as_aws_serves_it(client):
    fields = definitions(client, "US_TEN_DLC_CAMPAIGN_REGISTRATION")
    assert list(fields) == CAMPAIGN_PATHS
    capabilities = fields["campaignCapabilities.numberCapabilities"]["SelectValidation"]
    assert capabilities == {"MinChoices": 1, "MaxChoices": 1,
                            "Options": ["SMS", "SMS and MMS", "SMS and VOICE", "SMS and MMS and VOICE"]}
    assert fields["campaignCapabilities.messageType"]["FieldRequirement"] == "OPTIONAL"
    assert fields["campaignInfo.vertical"]["SelectValidation"]["Options"] == VERTICALS
    assert "CHARITY" in fields["campaignUseCase.useCase"]["SelectValidation"]["Options"]
    assert fields["campaignUseCase.subscriberOptIn"]["SelectValidation"]["Options"] == ["Yes"]
    sub = fields["campaignUseCase.subUseCases"]
    assert sub["SelectValidation"]["MinChoices"] == 1
    assert sub["ConditionalBehavior"]["DefaultBehavior"] == "OPTIONAL"
    kinds = {p: f["FieldType"] for p, f in fields.items() if f["FieldType"] == "ATTACHMENT"}
    assert set(kinds) == {"campaignInfo.termsAndConditionsFile", "campaignInfo.privacyPolicyFile",
                          "campaignInfo.optInScreenshot",
                          *(f"mmsFileSamples.mmsFileSample{n}" for n in range(1, 6))}


def test_a_campaign_filled_as_aws_serves_it_is_approved(sim, client):
    brand = complete_brand(sim, client)
    campaign = filled_campaign(client, brand)
    terms = uploaded(sim, client, PDF)
    fill(client, campaign, {
        "campaignCapabilities.numberCapabilities": ["SMS and MMS"],
        "campaignInfo.termsAndConditionsFile": terms,
        "campaignInfo.optInKeyword": "JOIN",
        "campaignUseCase.embeddedLink": ["Yes"],
        "campaignUseCase.embeddedLinkSample": "https://www.example.com/appointments",
        "messageSamples.messageSample5": "Your appointment moved to 11am: https://www.example.com/a",
    })
    client.submit_registration_version(RegistrationId=campaign)
    sim.advance(15 * DAY)
    assert status_of(client, campaign) == "COMPLETE"


# -- 6. US toll-free form ----------------------------------------------------------------------
def test_the_toll_free_form_is_served_as_aws_serves_it(client):
    fields = definitions(client, "US_TOLL_FREE_REGISTRATION")
    categories = fields["messagingUseCase.useCaseCategory"]["SelectValidation"]["Options"]
    assert categories == [
        "ONE_TIME_PASSCODES", "ACCOUNT_NOTIFICATIONS", "DELIVERY_NOTIFICATIONS", "EVENT_NOTIFICATIONS",
        "APPOINTMENT", "CUSTOMER_CARE", "EDUCATION", "BOOKING", "FINANCIAL_TRANSACTIONS", "HEALTH_CARE",
        "PUBLIC_ANNOUNCEMENTS", "NON_PROFIT", "NON_POLITICAL_POLLING_AND_SURVEY", "PROMOTIONS_AND_MARKETING",
    ]
    opt_in = fields["messagingUseCase.optInType"]
    assert (opt_in["FieldRequirement"], opt_in["SelectValidation"]["Options"]) == (
        "REQUIRED", ["VERBAL", "DIGITAL_FORM", "PAPER_FORM", "TEXT", "QR_CODE"])
    assert fields["messagingUseCase.optInImage"]["FieldRequirement"] == "REQUIRED"
    assert "companyInfo.businessRegistrationNumber" not in fields
    authority = fields["companyInfo.taxIdAuthority"]["SelectValidation"]["Options"]
    assert len(authority) == 18 and authority[0] == "EIN" and "USt-IdNr" in authority
    for path in ("companyInfo.taxId", "companyInfo.taxIdAuthority", "companyInfo.taxIdCountry"):
        rules = fields[path]["ConditionalBehavior"]["Rules"]
        assert rules[0]["Conditions"][0]["Values"] == ["SOLE_PROPRIETOR"]
        assert rules[0]["RuleBehavior"] == "DISALLOWED"


def test_toll_free_tax_fields_and_a_us_ein(sim, client):
    reg = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as gone:
        put(client, reg, "companyInfo.businessRegistrationNumber", "123456789")
    assert error_of(gone)["Reason"] == "UNKNOWN_REGISTRATION_FIELD"
    put(client, reg, "companyInfo.businessType", ["PRIVATE_PROFIT"])
    put(client, reg, "companyInfo.taxIdAuthority", ["EIN"])
    with pytest.raises(ClientError) as dashed:  # an EIN is nine digits
        put(client, reg, "companyInfo.taxId", "12-3456789")
    assert error_of(dashed)["Reason"] == "INVALID_PARAMETER"
    put(client, reg, "companyInfo.taxId", "123456789")
    put(client, reg, "companyInfo.taxIdAuthority", ["VAT"])  # another authority: its own format
    put(client, reg, "companyInfo.taxId", "DE-123 456 789")
    with pytest.raises(ClientError) as old_option:
        put(client, reg, "messagingUseCase.optInType", ["WEB_FORM"])
    assert error_of(old_option)["Reason"] == "INVALID_PARAMETER"


def test_no_seed_example_is_a_value_aws_refuses(client):
    """Every ExampleTextValue the seed forms give is accepted by their own field."""
    kinds = client.describe_registration_type_definitions()["RegistrationTypeDefinitions"]
    for kind in (k["RegistrationType"] for k in kinds):
        for path, field in definitions(client, kind).items():
            example = field["DisplayHints"].get("ExampleTextValue")
            assert example != "12-3456789", path
            if example is None or field["FieldRequirement"] == "CONDITIONAL":
                continue
            reg = client.create_registration(RegistrationType=kind)["RegistrationId"]
            put(client, reg, path, example)


def test_every_seed_field_carries_its_source(sim):
    forms = list(sim.registrations.catalogue)
    assert {f.name for f in forms} >= {VETTING, "US_TOLL_FREE_REGISTRATION"}
    for form in forms:
        assert set(form.sources) == {f["FieldPath"] for f in form.fields}, form.name
        for path, source in form.sources.items():
            assert any(label in source for label in ("[doc]", "[obs]", "[model]", "[inf]")), (form.name, path)


# -- 7. submit accepts, the review denies ------------------------------------------------------
def test_submit_accepts_an_incomplete_form_and_the_review_denies_it(sim, client):
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    answers = {k: v for k, v in BRAND_VALUES.items() if k != "contactInfo.vertical"}
    fill(client, brand, {**answers, "companyInfo.businessContactEmail": "ceo@example.com"})
    sim.registrations.rule("*", "approve", times=1)  # the form is checked before the reviewer's rules
    submitted = client.submit_registration_version(RegistrationId=brand)
    assert submitted["RegistrationVersionStatus"] == "SUBMITTED"
    sim.advance(HOUR)
    assert status_of(client, brand) == "REVIEWING"
    sim.advance(HOUR)  # a form's missing fields come back within hours, not the review's days
    assert status_of(client, brand) == "REQUIRES_UPDATES"
    version = client.describe_registration_versions(RegistrationId=brand)["RegistrationVersions"][0]
    assert version["RegistrationVersionStatus"] == "DENIED"
    assert version["DeniedReasons"] == [
        {
            "Reason": "MISSING_REQUIRED_FIELD",
            "ShortDescription": "Missing required field",
            "LongDescription": "A required field is missing from the submission: contactInfo.vertical.",
            "DocumentationTitle": "Rejection troubleshooting",
            "DocumentationLink": REJECTION_GUIDE,
        },
        {
            "Reason": "CONDITIONAL_FIELD_NOT_ALLOWED",
            "ShortDescription": "Conditional field not allowed",
            "LongDescription": "A conditionally allowed field was submitted but is not allowed for your "
                               "configuration: companyInfo.businessContactEmail.",
            "DocumentationTitle": "Rejection troubleshooting",
            "DocumentationLink": REJECTION_GUIDE,
        },
    ]
    assert "contactInfo.vertical" in version["Feedback"]
    email = client.describe_registration_field_values(
        RegistrationId=brand, VersionNumber=1, FieldPaths=["companyInfo.businessContactEmail"]
    )["RegistrationFieldValues"][0]
    assert email["DeniedReason"] == "Conditional field not allowed"
    assert "companyInfo.legalType" in email["Feedback"]
    assert statuses(sim, brand) == ["CREATED", "SUBMITTED", "REVIEWING", "REQUIRES_UPDATES"]
    assert sim.registrations.rules()[0]["Times"] == 1  # the rule was not used


def test_a_missing_conditional_field_is_its_own_denial_reason(sim, client):
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, {**BRAND_VALUES, "companyInfo.legalType": ["PUBLIC_PROFIT"],
                         "companyInfo.stockSymbol": "EXMP"})
    client.submit_registration_version(RegistrationId=brand)
    sim.advance(2 * HOUR)
    version = client.describe_registration_versions(RegistrationId=brand)["RegistrationVersions"][0]
    assert [(r["Reason"], r["LongDescription"].rsplit(": ", 1)[1]) for r in version["DeniedReasons"]] == [
        ("MISSING_CONDITIONAL_FIELD", "companyInfo.stockExchange, companyInfo.businessContactEmail.")
    ]


def test_the_denial_step_is_a_duration_like_every_other():
    sim = Simulator(clock="manual", durations={"registration:REVIEWING->REQUIRES_UPDATES": 60})
    client = sim.client()
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    client.submit_registration_version(RegistrationId=brand)  # nothing filled in
    sim.advance(HOUR + 59)
    assert status_of(client, brand) == "REVIEWING"
    sim.advance(1)
    assert status_of(client, brand) == "REQUIRES_UPDATES"


def test_a_complete_form_keeps_its_review_time(sim, client):
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    sim.advance(2 * HOUR)
    assert status_of(client, brand) == "REVIEWING"
    sim.advance(2 * DAY)
    assert status_of(client, brand) == "COMPLETE"


def test_strict_submit_refuses_at_submit_as_the_model_reads():
    sim = Simulator(clock="manual", strict_registration_submit=True)
    client = sim.client()
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    answers = {k: v for k, v in BRAND_VALUES.items() if k != "contactInfo.vertical"}
    fill(client, brand, {**answers, "companyInfo.businessContactEmail": "ceo@example.com"})
    with pytest.raises(ClientError) as missing:
        client.submit_registration_version(RegistrationId=brand)
    assert error_of(missing)["Reason"] == "MISSING_PARAMETER"
    assert [f["Name"] for f in missing.value.response["Fields"]] == ["contactInfo.vertical"]
    put(client, brand, "contactInfo.vertical", ["TECHNOLOGY"])
    with pytest.raises(ClientError) as disallowed:
        client.submit_registration_version(RegistrationId=brand)
    assert error_of(disallowed)["Reason"] == "INVALID_PARAMETER"
    assert [f["Name"] for f in disallowed.value.response["Fields"]] == ["companyInfo.businessContactEmail"]
    assert status_of(client, brand) == "CREATED"


# -- 8. a new version after a denial -----------------------------------------------------------
def test_a_new_version_starts_empty(sim, client):
    sim.registrations.rule("US_TEN_DLC_BRAND_REGISTRATION", "deny", times=1)
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    sim.advance(3 * DAY)
    assert status_of(client, brand) == "REQUIRES_UPDATES"
    assert client.create_registration_version(RegistrationId=brand)["VersionNumber"] == 2
    assert client.describe_registration_field_values(RegistrationId=brand)["RegistrationFieldValues"] == []
    denied = client.describe_registration_field_values(RegistrationId=brand, VersionNumber=1)
    assert len(denied["RegistrationFieldValues"]) == len(BRAND_VALUES)
    fill(client, brand, BRAND_VALUES)  # every field again, as AWS needs
    client.submit_registration_version(RegistrationId=brand)
    sim.advance(3 * DAY)
    assert status_of(client, brand) == "COMPLETE"


def test_a_new_version_inherits_when_asked():
    sim = Simulator(clock="manual", registration_versions_inherit=True)
    client = sim.client()
    sim.registrations.rule("*", "deny", times=1)
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    sim.advance(3 * DAY)
    client.create_registration_version(RegistrationId=brand)
    values = client.describe_registration_field_values(RegistrationId=brand)["RegistrationFieldValues"]
    assert len(values) == len(BRAND_VALUES) and all("DeniedReason" not in v for v in values)


# -- 9. a 10DLC number needs a complete campaign -----------------------------------------------
def test_a_ten_dlc_number_needs_a_complete_campaign(sim, client):
    brand = complete_brand(sim, client)
    campaign = filled_campaign(client, brand)
    for stage in ("CREATED", "SUBMITTED"):
        if stage == "SUBMITTED":
            client.submit_registration_version(RegistrationId=campaign)
        assert status_of(client, campaign) == stage
        with pytest.raises(ClientError) as early:
            us_number(client, "TEN_DLC", RegistrationId=campaign)
        assert error_of(early, "ResourceId") == {
            "Code": "ConflictException", "Reason": "REGISTRATION_NOT_COMPLETE",
            "ResourceType": "registration", "ResourceId": campaign}, stage
    assert client.describe_phone_numbers()["PhoneNumbers"] == []  # the refused requests made nothing
    sim.advance(15 * DAY)
    number = us_number(client, "TEN_DLC", RegistrationId=campaign)
    assert number["RegistrationId"] == campaign
    listed = client.list_registration_associations(RegistrationId=campaign)["RegistrationAssociations"]
    assert [a["ResourceType"] for a in listed] == ["REGISTRATION", "PHONE_NUMBER"]


def test_a_toll_free_number_still_joins_a_registration_being_filled_in(client):
    reg = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    number = us_number(client, "TOLL_FREE", RegistrationId=reg)
    assert (number["Status"], number["RegistrationId"]) == ("PENDING", reg)


# -- 10. attachments upload on the clock -------------------------------------------------------
def test_an_attachment_uploads_on_the_clock_and_is_bound_once_uploaded(sim, client):
    reg = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    image = client.create_registration_attachment(AttachmentBody=PNG)
    image_id = image["RegistrationAttachmentId"]
    assert image["AttachmentStatus"] == "UPLOAD_IN_PROGRESS"
    with pytest.raises(ClientError) as early:
        put(client, reg, "messagingUseCase.optInImage", image_id)
    assert error_of(early, "ResourceId") == {"Code": "ConflictException", "Reason": "RESOURCE_NOT_ACTIVE",
                               "ResourceType": "registration-attachment", "ResourceId": image_id}
    uploading = client.describe_registration_attachments(
        Filters=[{"Name": "attachment-status", "Values": ["UPLOAD_IN_PROGRESS"]}])["RegistrationAttachments"]
    assert [a["RegistrationAttachmentId"] for a in uploading] == [image_id]
    sim.advance(UPLOAD)
    described = client.describe_registration_attachments(RegistrationAttachmentIds=[image_id])
    assert described["RegistrationAttachments"][0]["AttachmentStatus"] == "UPLOAD_COMPLETE"
    assert put(client, reg, "messagingUseCase.optInImage", image_id)["RegistrationAttachmentId"] == image_id


def test_the_upload_takes_the_duration_given_and_the_state_file_keeps_it(tmp_path):
    step = "registration-attachment:UPLOAD_IN_PROGRESS->UPLOAD_COMPLETE"
    state = str(tmp_path / "state.db")
    sim = Simulator(clock="manual", durations={step: 30}, state_file=state)
    image = sim.client().create_registration_attachment(AttachmentBody=PNG)["RegistrationAttachmentId"]
    sim.advance(29)
    again = Simulator(clock="manual", durations={step: 30}, state_file=state)
    attachment = again.client().describe_registration_attachments(RegistrationAttachmentIds=[image])
    assert attachment["RegistrationAttachments"][0]["AttachmentStatus"] == "UPLOAD_IN_PROGRESS"
    again.advance(1)
    attachment = again.client().describe_registration_attachments(RegistrationAttachmentIds=[image])
    assert attachment["RegistrationAttachments"][0]["AttachmentStatus"] == "UPLOAD_COMPLETE"
    instant = Simulator(clock="instant").client()
    image = instant.create_registration_attachment(AttachmentBody=PNG)["RegistrationAttachmentId"]
    reg = instant.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    put(instant, reg, "messagingUseCase.optInImage", image)


# -- the reviewer's rules name a registration type ---------------------------------------------
def test_a_rule_for_a_registration_type_that_does_not_exist_is_refused(sim, client):
    reg = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    with pytest.raises(ValueError, match="US_TOLL_FREE_REGISTRATION") as refused:
        sim.registrations.rule(reg, "deny")
    assert VETTING in str(refused.value)
    status, body = control_answer(sim, "POST", "/_smsvoice/registrations/rules",
                                  {"RegistrationType": reg, "Decision": "deny"})
    assert status == 400 and reg in body["error"] and "US_TEN_DLC_CAMPAIGN_REGISTRATION" in body["error"]
    assert sim.registrations.rules() == []
    assert control_answer(sim, "POST", "/_smsvoice/registrations/rules",
                          {"RegistrationType": "*", "Decision": "deny"})[0] == 200
    assert sim.registrations.rule(VETTING, "deny")["RegistrationType"] == VETTING


def test_the_cli_flags_set_both_options():
    from smsvoice_sim.proxy.cli import build_parser, build_simulator

    args = build_parser().parse_args(["simulate", "--clock", "manual", "--strict-registration-submit",
                                      "--registration-versions-inherit"])
    sim = build_simulator(args)
    client = sim.client()
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as empty:
        client.submit_registration_version(RegistrationId=brand)
    assert error_of(empty)["Reason"] == "MISSING_PARAMETER"
    fill(client, brand, BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    sim.registrations.deny(brand)
    client.create_registration_version(RegistrationId=brand)
    values = client.describe_registration_field_values(RegistrationId=brand)["RegistrationFieldValues"]
    assert len(values) == len(BRAND_VALUES)


def test_an_attachment_saved_before_uploads_took_time_comes_back_complete():
    from smsvoice_sim.simulator.engine.snapshot import export_state, import_state

    sim = Simulator(clock="manual")
    image = sim.client().create_registration_attachment(AttachmentBody=PNG)["RegistrationAttachmentId"]
    saved = export_state(sim)
    for region in saved["regions"]:
        for row in region["families"]["registration_attachments"]["attachments"]:
            row.pop("lifecycle")
            row["status"] = "UPLOAD_COMPLETE"  # the row as state files held it before
    fresh = Simulator(clock="manual")
    import_state(fresh, saved)
    found = fresh.client().describe_registration_attachments(RegistrationAttachmentIds=[image])
    assert found["RegistrationAttachments"][0]["AttachmentStatus"] == "UPLOAD_COMPLETE"


def test_a_catalogue_source_for_a_field_the_form_lacks_fails_loudly():
    from smsvoice_sim.simulator.registrations.catalogue import CatalogueError

    kind = {"RegistrationType": "XX_OWN", "DisplayHints": {"Title": "x", "ShortDescription": "x"}}
    document = {"Types": [{"RegistrationTypeDefinition": kind, "FieldSources": {"a.b": "[inf]"}}]}
    with pytest.raises(CatalogueError, match="FieldSources names a.b"):
        Simulator(registration_catalogue=document)
