"""Registration forms filled in as programs that reached COMPLETE on AWS filled them (the seed
catalogue's field paths and options), and the small helpers the registration tests share."""

from __future__ import annotations

DAY, HOUR = 86_400, 3_600
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64
UPLOAD = 5  # seconds an attachment takes to upload by default (UPLOAD_IN_PROGRESS -> UPLOAD_COMPLETE)

# US_TOLL_FREE_REGISTRATION without its opt-in image (an attachment: `uploaded` first).
TFN_VALUES = {
    "companyInfo.companyName": "Example Corp",
    "companyInfo.website": "https://www.example.com",
    "companyInfo.address1": "1 Main Street",
    "companyInfo.city": "Seattle",
    "companyInfo.state": "WA",
    "companyInfo.zipCode": "98109",
    "companyInfo.isoCountryCode": "US",
    "companyInfo.businessType": ["PRIVATE_PROFIT"],
    "companyInfo.taxId": "123456789",
    "companyInfo.taxIdAuthority": ["EIN"],
    "companyInfo.taxIdCountry": "US",
    "contactInfo.firstName": "Ada",
    "contactInfo.lastName": "Lovelace",
    "contactInfo.supportEmail": "support@example.com",
    "contactInfo.supportPhoneNumber": "+12065550100",
    "messagingUseCase.monthlyMessageVolume": ["10,000"],
    "messagingUseCase.useCaseCategory": ["ONE_TIME_PASSCODES"],
    "messagingUseCase.useCaseDetails": "One-time passcodes for sign-in.",
    "messagingUseCase.optInType": ["DIGITAL_FORM"],
    "messagingUseCase.optInDescription": "Users tick a box on the sign-up form.",
    "messageSamples.messageSample1": "Your Example Corp code is 123456. Reply STOP to opt out.",
}

BRAND_VALUES = {
    "companyInfo.companyName": "Example Corp",
    "companyInfo.taxIdIssuingCountry": "US",
    "companyInfo.taxId": "123456789",
    "companyInfo.legalType": ["PRIVATE_PROFIT"],
    "companyInfo.address": "1 Main St",
    "companyInfo.city": "Seattle",
    "companyInfo.state": "WA",
    "companyInfo.zipCode": "98109",
    "companyInfo.isoCountryCode": "US",
    "contactInfo.dbaName": "Example Corp",
    "contactInfo.vertical": ["TECHNOLOGY"],
    "contactInfo.website": "https://example.com",
    "contactInfo.supportEmail": "a@example.com",
    "contactInfo.supportPhoneNumber": "+12065550100",
}

CAMPAIGN_VALUES = {
    "campaignInfo.campaignName": "Appointment reminders for Example Clinic patients.",
    "campaignInfo.vertical": ["HEALTHCARE"],
    "campaignInfo.optInWorkflow": "Patients opt in on the booking form by ticking a box.",
    "campaignInfo.optInMessage": "Example Clinic: you will get appointment reminders.",
    "campaignInfo.helpMessage": "Example Clinic: call 206-555-0100 for help.",
    "campaignInfo.stopMessage": "You are unsubscribed from Example Clinic.",
    "campaignCapabilities.numberCapabilities": ["SMS"],
    "campaignCapabilities.messageType": ["Transactional"],
    "campaignUseCase.useCase": ["ACCOUNT_NOTIFICATION"],
    **{
        f"campaignUseCase.{name}": ["Yes"]
        for name in ("subscriberOptIn", "subscriberOptOut", "subscriberHelp")
    },
    **{
        f"campaignUseCase.{name}": ["No"]
        for name in ("directLending", "embeddedLink", "embeddedPhone", "ageGated")
    },
    "messageSamples.messageSample1": "Reminder: your appointment is tomorrow at 10am.",
}


def error_of(exc_info, *members: str) -> dict:
    """The error's code, Reason, ResourceType and Fields (and any other `members` asked for)."""
    response = exc_info.value.response
    wanted = ("Reason", "ResourceType", "Fields", *members)
    return {"Code": response["Error"]["Code"], **{k: response[k] for k in wanted if k in response}}


def us_number(client, number_type: str, **kwargs) -> dict:
    """RequestPhoneNumber's answer for a US transactional SMS number of `number_type` (a
    TOLL_FREE or TEN_DLC one waits PENDING for its registration)."""
    return client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                       NumberCapabilities=["SMS"], NumberType=number_type, **kwargs)


def put(client, registration_id: str, path: str, value) -> dict:
    if isinstance(value, list):
        return client.put_registration_field_value(
            RegistrationId=registration_id, FieldPath=path, SelectChoices=value
        )
    if isinstance(value, str) and (value.startswith("attachment-") or ":registration-attachment/" in value):
        return client.put_registration_field_value(
            RegistrationId=registration_id, FieldPath=path, RegistrationAttachmentId=value
        )
    return client.put_registration_field_value(
        RegistrationId=registration_id, FieldPath=path, TextValue=value
    )


def fill(client, registration_id: str, values: dict) -> None:
    for path, value in values.items():
        put(client, registration_id, path, value)


def uploaded(sim, client, body: bytes = PNG) -> str:
    """An attachment whose upload finished, ready for a form's ATTACHMENT field: AWS uploads
    asynchronously (UPLOAD_IN_PROGRESS first), so wait as a program does, polling (a reads
    clock moves on reads alone) after the clock moved past the upload."""
    attachment = client.create_registration_attachment(AttachmentBody=body)["RegistrationAttachmentId"]
    sim.advance(UPLOAD)
    for _ in range(10):
        found = client.describe_registration_attachments(RegistrationAttachmentIds=[attachment])
        if found["RegistrationAttachments"][0]["AttachmentStatus"] == "UPLOAD_COMPLETE":
            return attachment
    raise AssertionError(f"{attachment} never finished uploading")


def status_of(client, registration_id: str) -> str:
    return client.describe_registrations(RegistrationIds=[registration_id])["Registrations"][0][
        "RegistrationStatus"
    ]


def statuses(sim, registration_id: str) -> list[str]:
    return [
        e["detail"]["registrationDetails"]["currentStatus"] for e in sim.registration_events(registration_id)
    ]


def complete_brand(sim, client, values: dict | None = None) -> str:
    """A 10DLC brand filled in, submitted and reviewed (2 days by default): COMPLETE."""
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, values or BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    sim.advance(3 * DAY)
    return brand
