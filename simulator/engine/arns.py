"""ARNs of this service, built and read in one place.

The ARN's partition follows the region, as on AWS: `aws-cn` for China
regions, `aws-us-gov` for GovCloud, `aws` everywhere else.
"""

from __future__ import annotations

import re
from typing import NamedTuple

SERVICE = "sms-voice"
_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):sms-voice:([a-z0-9-]+):(\d{12}):(.+)$")
_ANY_ARN = re.compile(r"^arn:aws[a-z-]*:sms-voice:([a-z0-9-]+):(\d{12}):")


class Arn(NamedTuple):
    partition: str
    region: str
    account: str
    resource: str  # `pool/pool-...`, `sender-id/NAME/US`

    @property
    def resource_type(self) -> str:
        return self.resource.split("/", 1)[0]


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def build(region: str, account: str, resource: str) -> str:
    return f"arn:{partition_of(region)}:{SERVICE}:{region}:{account}:{resource}"


def is_arn(ref: str) -> bool:
    return ref.startswith("arn:")


def parse(ref: str) -> Arn | None:
    """The parts of an sms-voice ARN, or None for anything else."""
    match = _ARN.match(ref)
    return Arn(*match.groups()) if match else None


def account_region_in(value) -> tuple[str, str] | None:
    """The (account, region) of the first sms-voice ARN anywhere in a JSON value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            match = _ANY_ARN.match(item)
            if match:
                return match.group(2), match.group(1)
    return None


def is_pool_reference(ref: str) -> bool:
    """A pool's id or ARN (as opposed to a number's or a sender ID's): every family that
    takes an origination identity tells them apart this way."""
    return ref.startswith("pool-") or ":pool/" in ref
