"""A small world for the inspector's tests and screenshots, built through boto3 as a user
would: numbers, a pool, a sender ID, a configuration set with an event destination, a protect
configuration, a toll-free registration under review, an RCS agent, a Notify configuration,
and messages that end in every way (delivered, blocked by a rule, a voice call in SSML, media,
a body that looks like HTML)."""

from __future__ import annotations

from dataclasses import dataclass

from registration_fixtures import TFN_VALUES, fill, put, uploaded

XSS_BODY = "<img src=x onerror=alert(1)>"
HANDSET = "+12065550142"
SSML_BODY = "<speak>Your code is <say-as interpret-as='digits'>123456</say-as></speak>"
BLOCKED_HANDSET = "+12065550199"

@dataclass
class Scene:
    pool_id: str
    number_id: str
    registration_id: str
    xss_message_id: str


def submitted_registration(sim, client) -> str:
    """A toll-free registration, every required field filled, submitted: under review."""
    number = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS"], NumberType="TOLL_FREE")
    reg = client.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    fill(client, reg, TFN_VALUES)
    put(client, reg, "messagingUseCase.optInImage", uploaded(sim, client))
    client.create_registration_association(RegistrationId=reg, ResourceId=number["PhoneNumberId"])
    client.submit_registration_version(RegistrationId=reg)
    return reg


def build(sim, client) -> Scene:
    """The world, on a manual clock; the pool and the newest messages still on their way."""
    # A long code: a simulator number sends only to its country's simulator numbers [doc].
    number = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS", "VOICE"], NumberType="LONG_CODE")
    sender = client.request_sender_id(SenderId="ACME", IsoCountryCode="GB")
    client.create_configuration_set(ConfigurationSetName="receipts")
    client.create_event_destination(
        ConfigurationSetName="receipts", EventDestinationName="to-sns", MatchingEventTypes=["TEXT_ALL"],
        SnsDestination={"TopicArn": "arn:aws:sns:us-east-1:123456789012:sms-events"})
    client.create_opt_out_list(OptOutListName="marketing")
    client.create_protect_configuration()
    client.create_rcs_agent()
    client.create_notify_configuration(DisplayName="Acme", UseCase="CODE_VERIFICATION",
                                       EnabledChannels=["SMS"])
    registration = submitted_registration(sim, client)
    sim.advance(3600)  # the review starts
    sim.set_outcome(BLOCKED_HANDSET, "TEXT_BLOCKED")
    origin = number["PhoneNumberArn"]
    client.send_text_message(DestinationPhoneNumber=HANDSET, OriginationIdentity=origin,
                             MessageBody="Your code is 123456", ConfigurationSetName="receipts")
    client.send_text_message(DestinationPhoneNumber=BLOCKED_HANDSET, OriginationIdentity=origin,
                             MessageBody="This one is blocked by an outcome rule")
    client.send_voice_message(DestinationPhoneNumber=HANDSET, OriginationIdentity=origin,
                              MessageBody=SSML_BODY,
                              MessageBodyTextType="SSML")
    sim.advance(60)
    pool = client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="TRANSACTIONAL")
    xss = client.send_text_message(DestinationPhoneNumber=HANDSET, OriginationIdentity=origin,
                                   MessageBody=XSS_BODY, ConfigurationSetName="receipts")
    return Scene(pool["PoolId"], number["PhoneNumberId"], registration, xss["MessageId"])
