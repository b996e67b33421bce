"""Who is calling, and from which region: read from the SigV4 Authorization header.

By default, as on AWS, a request with no signature is refused. The signature
itself is not checked (a later option verifies it); the access key picks the
account and the credential scope picks the region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ServiceError

_CREDENTIAL = re.compile(
    r"Credential=(?P<akid>[^/\s,]+)/(?P<date>\d{8})/(?P<region>[^/\s,]+)/(?P<service>[^/\s,]+)/aws4_request")


@dataclass(frozen=True)
class Caller:
    access_key_id: str
    region: str


def caller_of(authorization: str | None) -> Caller:
    if not authorization:
        raise ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        raise ServiceError("IncompleteSignatureException",
                           f"Authorization header requires existence of either a 'X-Amz-Date' or a "
                           f"'Date' header. Authorization={authorization[:64]}")
    match = _CREDENTIAL.search(authorization)
    if not match or "Signature=" not in authorization or "SignedHeaders=" not in authorization:
        raise ServiceError("IncompleteSignatureException",
                           "Authorization header requires 'Credential', 'Signature' and "
                           "'SignedHeaders' parameters.")
    return Caller(match["akid"], match["region"])
