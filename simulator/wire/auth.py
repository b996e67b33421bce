"""Who is calling, and from which region: the SigV4 Authorization header.

This is the one parser of that header; the service, the signature check and
the proxy's matching and scrubbing all read it through `parse_authorization`.
By default, as on AWS, a request with no signature is refused. The signature
itself is checked only with verify_sigv4; the access key picks the account and
the credential scope picks the region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ServiceError

_FIELDS = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]+)")
ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class SigV4Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> SigV4Authorization | None:
    """The parts of a well-formed SigV4 Authorization header, else None."""
    if not value or not value.startswith(ALGORITHM + " "):
        return None
    fields = dict(_FIELDS.findall(value))
    credential = fields.get("Credential", "").split("/")
    if (len(credential) != 5 or credential[4] != "aws4_request" or not all(credential[:4])
            or "SignedHeaders" not in fields or "Signature" not in fields):
        return None
    akid, date, region, service, _ = credential
    return SigV4Authorization(akid, date, region, service,
                              tuple(fields["SignedHeaders"].split(";")), fields["Signature"])


def caller_of(authorization: str | None) -> SigV4Authorization:
    """The caller, or the error AWS gives for a missing or malformed signature."""
    if not authorization:
        raise ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token")
    parsed = parse_authorization(authorization)
    if parsed is None:
        raise ServiceError("IncompleteSignatureException",
                           "Authorization header requires 'Credential', 'Signature' and "
                           f"'SignedHeaders' parameters. Authorization={authorization[:64]}")
    return parsed
