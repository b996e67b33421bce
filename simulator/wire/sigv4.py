"""Checking SigV4 signatures for real (`verify_sigv4` / `--verify-sigv4`), as AWS does.

The checks run in the order AWS's JSON services run them, each refusal with
AWS's error type and message [obs: messages quoted by SDK users and by
DynamoDB's Coral front end]:

1. `X-Amz-Date` present (IncompleteSignatureException) and in ISO 8601 basic
   format (IncompleteSignatureException).
2. The date within 15 minutes of now (InvalidSignatureException "Signature
   expired: ... is now earlier than ..." / "Signature not yet current: ...").
3. `host` among the signed headers, then `x-amz-target` [inf: worded as AWS
   words the Host rule] (InvalidSignatureException).
4. The credential scope: the region the endpoint serves (when the request's
   host names one, as `sms-voice.us-east-1.amazonaws.com` does), the service
   `sms-voice`, the terminator `aws4_request`, the date of `X-Amz-Date`
   (InvalidSignatureException; AWS lists every wrong part in one message).
5. The access key (UnrecognizedClientException), then the signature itself
   (InvalidSignatureException), computed by botocore's own signer over exactly
   the headers the client says it signed.

The payload hash is always computed from the body received: an
`X-Amz-Content-SHA256` header (`UNSIGNED-PAYLOAD`, or the hash of some other
body) is not trusted, so such a request fails the signature check, as on AWS
for services other than S3 [inf].

"Now" (step 2) is `reference_time(clock)`: the simulator's clock when it is
`real` (AWS compares with its own clock); with the `manual`, `instant` and
`reads` clocks, which tests move at will, the wall-clock time the request
arrives, i.e. the time the client signed it (give or take transit). So a test
may advance a manual clock by days and its clients' fresh signatures still hold.
"""

from __future__ import annotations

import calendar
import hmac
import re
import time
from hashlib import sha256

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from .auth import SigV4Authorization
from .errors import ServiceError
from .http import HttpRequest
from .model import SIGNING_NAME

BAD_SIGNATURE = ("The request signature we calculated does not match the signature you "
                 "provided. Check your AWS Secret Access Key and signing method. Consult the "
                 "service documentation for details.")
UNKNOWN_KEY = "The security token included in the request is invalid."
NO_DATE = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
TARGET_NOT_SIGNED = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
MAX_SKEW_SECONDS = 15 * 60
TERMINATOR = "aws4_request"
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
# sms-voice.{region}.amazonaws.com (and .com.cn), the endpoints botocore resolves.
_REGIONAL_HOST = re.compile(r"^sms-voice(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")


def reference_time(clock) -> float:
    """The time a request's X-Amz-Date is compared with (see the module's docstring)."""
    return clock.now() if getattr(clock, "mode", None) == "real" else time.time()


def _stamp(epoch: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def _parse_amz_date(value: str) -> float:
    if not _AMZ_DATE.fullmatch(value):
        raise ServiceError("IncompleteSignatureException",
                           f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
                           "See http://en.wikipedia.org/wiki/ISO_8601")
    try:
        return float(calendar.timegm(time.strptime(value, "%Y%m%dT%H%M%SZ")))
    except (ValueError, OverflowError):
        raise ServiceError("IncompleteSignatureException",
                           f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
                           "See http://en.wikipedia.org/wiki/ISO_8601") from None


def check_date(amz_date: str, now: float) -> None:
    """The request must be signed within 15 minutes either side of `now`."""
    signed_at = _parse_amz_date(amz_date)
    if signed_at < now - MAX_SKEW_SECONDS:
        raise ServiceError("InvalidSignatureException",
                           f"Signature expired: {amz_date} is now earlier than "
                           f"{_stamp(now - MAX_SKEW_SECONDS)} ({_stamp(now)} - 15 min.)")
    if signed_at > now + MAX_SKEW_SECONDS:
        raise ServiceError("InvalidSignatureException",
                           f"Signature not yet current: {amz_date} is still later than "
                           f"{_stamp(now + MAX_SKEW_SECONDS)} ({_stamp(now)} + 15 min.)")


def check_signed_headers(signed: tuple[str, ...]) -> None:
    lowered = {name.lower() for name in signed}
    if "host" not in lowered and ":authority" not in lowered:
        raise ServiceError("InvalidSignatureException", HOST_NOT_SIGNED)
    if "x-amz-target" not in lowered:
        raise ServiceError("InvalidSignatureException", TARGET_NOT_SIGNED)


def endpoint_region(host: str) -> str | None:
    """The region an AWS endpoint host names; None for any other host (127.0.0.1...)."""
    match = _REGIONAL_HOST.match(host.lower())
    return match.group(1) if match else None


def check_scope(caller: SigV4Authorization, amz_date: str, host: str) -> None:
    """Every wrong part of the credential scope, in one message, as AWS lists them."""
    wrong = []
    region = endpoint_region(host)
    if region is not None and caller.region != region:
        wrong.append(f"Credential should be scoped to a valid region, not '{caller.region}'. ")
    if caller.service != SIGNING_NAME:
        wrong.append(f"Credential should be scoped to correct service: '{SIGNING_NAME}'. ")
    if caller.date != amz_date[:8]:
        wrong.append("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                     f"date from HTTP: '{caller.date}' != '{amz_date[:8]}', from '{amz_date}'.")
    if wrong:
        raise ServiceError("InvalidSignatureException", "".join(wrong).rstrip())


class _ExactHeaders(SigV4Auth):
    """botocore's signer, told which headers the client signed, hashing the body it got."""

    def __init__(self, credentials, service, region, signed: list[str]):
        super().__init__(credentials, service, region)
        self._signed = signed

    def headers_to_sign(self, request):
        chosen = HTTPHeaders()
        lowered = {k.lower(): v for k, v in request.headers.items()}
        for name in self._signed:
            if name in lowered:
                chosen[name] = lowered[name]
        return chosen

    def payload(self, request):
        return sha256(request.body or b"").hexdigest()

    def canonical_request(self, request):
        # botocore takes the payload hash from X-Amz-Content-SHA256 when the header is
        # there (S3's rule); this service hashes the body it received.
        cr = super().canonical_request(request).rsplit("\n", 1)[0]
        return f"{cr}\n{self.payload(request)}"


def verify(request: HttpRequest, caller: SigV4Authorization, secrets: dict[str, str],
           now: float | None = None) -> None:
    """Raise the error AWS gives for a request whose signature does not hold; return if it
    holds. `now` is `reference_time(simulator clock)`; the wall clock when not given."""
    amz_date = request.header("x-amz-date")
    if not amz_date:
        raise ServiceError("IncompleteSignatureException", NO_DATE)
    check_date(amz_date, time.time() if now is None else now)
    check_signed_headers(caller.signed_headers)
    check_scope(caller, amz_date, request.host)
    akid = caller.access_key_id
    secret = secrets.get(akid)
    if secret is None:
        raise ServiceError("UnrecognizedClientException", UNKNOWN_KEY)
    signed = [name.lower() for name in caller.signed_headers]
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
