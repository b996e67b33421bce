"""The resources of one account and region, and how each one describes itself.

`*_info()` methods produce the model's output structures (PoolInformation,
PhoneNumberInformation, ...); members the model marks optional are left out
when unset, as AWS does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lifecycle import Lifecycled
from .projection import tag_list  # noqa: F401 - unported families still import it here


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


@dataclass
class Keyword:
    keyword: str
    message: str
    action: str

    def info(self) -> dict:
        return {"Keyword": self.keyword, "KeywordMessage": self.message,
                "KeywordAction": self.action}


def default_keywords() -> dict[str, Keyword]:
    # Every new number answers HELP and STOP; STOP opts the sender out. [doc]
    return {
        "HELP": Keyword("HELP", "Reply STOP to unsubscribe. Msg&data rates may apply.",
                        "AUTOMATIC_RESPONSE"),
        "STOP": Keyword("STOP", "You have been unsubscribed. No more messages will be sent.",
                        "OPT_OUT"),
    }


@dataclass(eq=False)
class Settings:
    """What a pool shares with (and requires of) its origination identities."""

    two_way_enabled: bool = False
    two_way_channel_arn: str | None = None
    two_way_channel_role: str | None = None
    self_managed_opt_outs: bool = False
    opt_out_list_name: str = "Default"
    deletion_protection: bool = False

    def settings_info(self) -> dict:
        return _drop_none({
            "TwoWayEnabled": self.two_way_enabled,
            "TwoWayChannelArn": self.two_way_channel_arn,
            "TwoWayChannelRole": self.two_way_channel_role,
            "SelfManagedOptOutsEnabled": self.self_managed_opt_outs,
            "OptOutListName": self.opt_out_list_name,
        })


@dataclass(eq=False)
class PhoneNumber(Lifecycled, Settings):
    phone_number_id: str = ""
    arn: str = ""
    phone_number: str = ""
    iso_country_code: str = ""
    message_type: str = ""
    capabilities: list[str] = field(default_factory=list)
    number_type: str = ""
    monthly_price: str = "0.00"
    international_sending: bool = False
    pool_id: str | None = None
    registration_id: str | None = None
    created: float = 0.0
    tags: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, Keyword] = field(default_factory=default_keywords)

    @property
    def identity(self) -> str:
        return self.phone_number_id

    def info(self) -> dict:
        return _drop_none({
            "PhoneNumberArn": self.arn, "PhoneNumberId": self.phone_number_id,
            "PhoneNumber": self.phone_number, "Status": self.state,
            "IsoCountryCode": self.iso_country_code, "MessageType": self.message_type,
            "NumberCapabilities": list(self.capabilities), "NumberType": self.number_type,
            "MonthlyLeasingPrice": self.monthly_price, **self.settings_info(),
            "InternationalSendingEnabled": self.international_sending,
            "DeletionProtectionEnabled": self.deletion_protection,
            "PoolId": self.pool_id, "RegistrationId": self.registration_id,
            "CreatedTimestamp": self.created,
        })

    def metadata(self) -> dict:
        return {"OriginationIdentityArn": self.arn, "OriginationIdentity": self.phone_number_id,
                "IsoCountryCode": self.iso_country_code,
                "NumberCapabilities": list(self.capabilities), "PhoneNumber": self.phone_number}


@dataclass(eq=False)
class SenderId:
    sender_id: str
    iso_country_code: str
    arn: str
    message_types: list[str]
    monthly_price: str = "0.00"
    deletion_protection: bool = False
    registered: bool = False
    registration_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    pool_ids: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        return (self.sender_id, self.iso_country_code)

    @property
    def identity(self) -> str:
        return self.sender_id

    def info(self) -> dict:
        return _drop_none({
            "SenderIdArn": self.arn, "SenderId": self.sender_id,
            "IsoCountryCode": self.iso_country_code, "MessageTypes": list(self.message_types),
            "MonthlyLeasingPrice": self.monthly_price,
            "DeletionProtectionEnabled": self.deletion_protection,
            "Registered": self.registered, "RegistrationId": self.registration_id,
        })

    def metadata(self) -> dict:
        return {"OriginationIdentityArn": self.arn, "OriginationIdentity": self.sender_id,
                "IsoCountryCode": self.iso_country_code, "NumberCapabilities": ["SMS"]}


@dataclass(eq=False)
class Pool(Lifecycled, Settings):
    pool_id: str = ""
    arn: str = ""
    message_type: str = ""
    shared_routes: bool = False
    created: float = 0.0
    tags: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, Keyword] = field(default_factory=dict)
    # Members in the order they joined: PhoneNumber or SenderId objects.
    members: list = field(default_factory=list)

    def link(self, identity: PhoneNumber | SenderId) -> None:
        """Make `identity` a member; both sides of the membership stay in step."""
        if identity in self.members:
            return
        self.members.append(identity)
        if isinstance(identity, PhoneNumber):
            identity.pool_id = self.pool_id
        else:
            identity.pool_ids.add(self.pool_id)

    def unlink(self, identity: PhoneNumber | SenderId) -> None:
        if identity in self.members:
            self.members.remove(identity)
        if isinstance(identity, PhoneNumber):
            identity.pool_id = None
        else:
            identity.pool_ids.discard(self.pool_id)

    def info(self) -> dict:
        return {
            "PoolArn": self.arn, "PoolId": self.pool_id, "Status": self.state,
            "MessageType": self.message_type, **self.settings_info(),
            "SharedRoutesEnabled": self.shared_routes,
            "DeletionProtectionEnabled": self.deletion_protection,
            "CreatedTimestamp": self.created,
        }
