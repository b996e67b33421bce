"""Checking SigV4 signatures for real, with botocore's own signer.

The signer is asked to sign exactly the headers the client says it signed
(SignedHeaders), at the client's X-Amz-Date, with the secret the simulator
holds for the access key; the result must equal the client's Signature.
"""

from __future__ import annotations

import hmac

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .auth import SigV4Authorization
from .errors import ServiceError
from .wire import HttpRequest

BAD_SIGNATURE = ("The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.")
UNKNOWN_KEY = "The security token included in the request is invalid."


class _ExactHeaders(SigV4Auth):
    """botocore's signer, told which headers the client signed."""

    def __init__(self, credentials, service, region, signed: list[str]):
        super().__init__(credentials, service, region)
        self._signed = signed

    def headers_to_sign(self, request):
        from botocore.awsrequest import HTTPHeaders
        chosen = HTTPHeaders()
        lowered = {k.lower(): v for k, v in request.headers.items()}
        for name in self._signed:
            if name in lowered:
                chosen[name] = lowered[name]
        return chosen


def verify(request: HttpRequest, caller: SigV4Authorization, secrets: dict[str, str]) -> None:
    """Raise the error AWS gives for a bad or unknown signature; return if it holds."""
    akid = caller.access_key_id
    secret = secrets.get(akid)
    if secret is None:
        raise ServiceError("UnrecognizedClientException", UNKNOWN_KEY)
    amz_date = request.header("x-amz-date")
    if not amz_date:
        raise ServiceError("IncompleteSignatureException",
                           "Authorization header requires existence of either a 'X-Amz-Date' or "
                           "a 'Date' header.")
    signed = list(caller.signed_headers)
    headers = {k: v for k, v in request.headers.items() if k.lower() in signed}
    if "host" in signed and not any(k.lower() == "host" for k in headers):
        headers["host"] = request.host
    aws = AWSRequest(method=request.method, url=request.url, data=request.body, headers=headers)
    aws.context["timestamp"] = amz_date
    signer = _ExactHeaders(Credentials(akid, secret, request.header("x-amz-security-token")),
                           caller.service, caller.region, signed)
    expected = signer.signature(signer.string_to_sign(aws, signer.canonical_request(aws)), aws)
    if not hmac.compare_digest(expected, caller.signature):
        raise ServiceError("InvalidSignatureException", BAD_SIGNATURE)
