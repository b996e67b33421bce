"""Scrub secrets from an interaction before any byte of it is written.

Both directions are scrubbed: request and response headers, bodies and URLs.
What goes: `Authorization`, `X-Amz-Security-Token`, `X-Amz-Date`, SDK
invocation ids, `Set-Cookie`/`Cookie`, the caller's access key id wherever it
appears, the session token wherever it appears, and any user pattern.
Optionally, account ids and phone numbers are replaced by consistent
pseudonyms (same input, same pseudonym within a cassette), so a replayed
session still matches.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.auth import parse_authorization

REDACTED = "REDACTED"

# Headers replaced by REDACTED (present but empty of secrets) and headers dropped
# (they change on every run and mean nothing in a cassette).
SECRET_HEADERS = {"authorization", "x-amz-security-token", "cookie", "set-cookie",
                  "proxy-authorization"}
VOLATILE_HEADERS = {"x-amz-date", "amz-sdk-invocation-id", "amz-sdk-request", "date",
                    "x-amzn-trace-id", "x-amz-content-sha256"}

# AWS access key ids are 16+ characters; shorter "keys" are test placeholders, and
# scrubbing them everywhere would mangle bodies for nothing.
MIN_KEY_LENGTH = 16
_ACCOUNT_IN_ARN = re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:)(\d{12})(?=:)")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


@dataclass
class Redactor:
    patterns: list[str] = field(default_factory=list)
    pseudonymise: bool = False
    salt: str = ""

    def __post_init__(self):
        self._compiled = [re.compile(p) for p in self.patterns]

    # -- what secrets this exchange carries -----------------------------------
    @staticmethod
    def secrets_of(request: HttpRequest) -> list[str]:
        found = []
        signed = parse_authorization(request.header("authorization"))
        if signed is not None and len(signed.access_key_id) >= MIN_KEY_LENGTH:
            found.append(signed.access_key_id)
        token = request.header("x-amz-security-token")
        if token:
            found.append(token)
        return found

    # -- scrubbing -------------------------------------------------------------
    def _pseudonym(self, value: str, keep: int) -> str:
        digest = hmac.new(self.salt.encode(), value.encode(), hashlib.sha256).hexdigest()
        digits = "".join(str(int(c, 16) % 10) for c in digest)
        return value[:keep] + digits[: len(value) - keep]

    def scrub_text(self, text: str, secrets: list[str]) -> str:
        for secret in secrets:
            if secret:
                text = text.replace(secret, REDACTED)
        for rx in self._compiled:
            text = rx.sub(REDACTED, text)
        if self.pseudonymise:
            text = _ACCOUNT_IN_ARN.sub(lambda m: m.group(1) + self._pseudonym(m.group(2), 0), text)
            text = _E164.sub(lambda m: self._pseudonym(m.group(0), 2), text)
        return text

    def scrub_headers(self, headers: dict[str, str], secrets: list[str]) -> dict[str, str]:
        out = {}
        for name, value in headers.items():
            low = name.lower()
            if low in VOLATILE_HEADERS:
                continue
            out[name] = REDACTED if low in SECRET_HEADERS else self.scrub_text(value, secrets)
        return out

    def _body(self, body: bytes, secrets: list[str]) -> bytes:
        if not body:
            return body
        try:
            return self.scrub_text(body.decode("utf-8"), secrets).encode("utf-8")
        except UnicodeDecodeError:
            return body

    def request(self, request: HttpRequest, secrets: list[str] | None = None) -> HttpRequest:
        secrets = self.secrets_of(request) if secrets is None else secrets
        body = self._body(request.body, secrets)
        headers = _fix_length(self.scrub_headers(request.headers, secrets), body)
        return HttpRequest(request.method, self.scrub_text(request.url, secrets), headers, body)

    def response(self, response: HttpResponse, secrets: list[str]) -> HttpResponse:
        body = self._body(response.body, secrets)
        headers = _fix_length(self.scrub_headers(response.headers, secrets), body)
        return HttpResponse(response.status, headers, body)


def _fix_length(headers: dict[str, str], body: bytes) -> dict[str, str]:
    for name in list(headers):
        if name.lower() == "content-length":
            headers[name] = str(len(body))
    return headers
