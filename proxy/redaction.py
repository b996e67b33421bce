"""Scrub secrets from an interaction before any byte of it is written.

Both directions are scrubbed: request and response headers, bodies (UTF-8 or
not) and URLs. What goes:

- headers: `Authorization`, `X-Amz-Security-Token`, cookies (replaced by
  REDACTED); `X-Amz-Date`, SDK invocation ids and other run-to-run noise (dropped);
- every credential this exchange carries (the caller's access key id and
  session token, from its headers or a presigned query string) and every extra
  secret the session registers (the recorder's own access key id, secret key
  and session token, used to re-sign) — in each form it can take on the wire:
  as is, URL-encoded (any number of times, either hex case), JSON-escaped any
  number of times (`\\/`, `\\\\/`, `\\u002f`, `\\\\u002f`) and base64 (standard or
  URL-safe, at any offset inside a longer base64 text);
- presigned-URL and Authorization-header fields wherever they are quoted
  (`X-Amz-Credential=`, `X-Amz-Security-Token=`, `X-Amz-Signature=`,
  `Credential=`, `Signature=`, also URL-encoded), so an upstream error that
  echoes the request (IncompleteSignatureException quotes the header) keeps
  nothing of it;
- anything shaped like an AWS access key id (`AKIA…`, `ASIA…`), whoever's it is, also
  beside `_` or inside a base64 text, and anything shaped like a secret access key
  (40 characters of its alphabet, mixed case and digits: the shape AWS's git-secrets
  looks for), whoever's it is;
- header names as well as values;
- any user pattern (`--redact`).

Optionally, account ids and phone numbers are replaced by consistent
pseudonyms (same input, same pseudonym within a cassette), so a replayed
session still matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.auth import parse_authorization

REDACTED = "REDACTED"

# Headers replaced by REDACTED (present but empty of secrets) and headers dropped
# (they change on every run and mean nothing in a cassette).
SECRET_HEADERS = {"authorization", "x-amz-security-token", "cookie", "set-cookie",
                  "proxy-authorization"}
VOLATILE_HEADERS = {"x-amz-date", "amz-sdk-invocation-id", "amz-sdk-request", "date",
                    "x-amzn-trace-id", "x-amz-content-sha256"}

# AWS access key ids are 16+ characters; shorter "keys" are test placeholders, and
# scrubbing them everywhere would mangle bodies for nothing. Below this length a
# secret is still scrubbed as is, but not in its base64 forms (too short to be
# told apart from chance).
MIN_KEY_LENGTH = 16
_ACCOUNT_IN_ARN = re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:)(\d{12})(?=:)")
_E164 = re.compile(r"\+[1-9]\d{6,14}")

# A signed request's fields, quoted anywhere: a presigned query string, an echoed
# Authorization header, either of them URL-encoded inside another URL or JSON text.
_SIGNED_FIELD = re.compile(
    r"(?i)\b(X-Amz-Credential|X-Amz-Security-Token|X-Amz-Signature|Credential|Signature)"
    r"(=|%3D)((?:(?!%26|%2C)[^&,;\s\"'<>#\\])+)")
# The prefixes AWS gives its unique ids of keys: long-term (AKIA) and temporary (ASIA).
# Bounded by what cannot be part of one (not \\b: `_` is a word character).
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_ACCESS_KEY_ID_BYTES = re.compile(_ACCESS_KEY_ID.pattern.encode())
# A secret access key: 40 characters of base64's alphabet, standing alone; its `/` and `+`
# may be escaped as JSON or URL text escapes them. Only a run with upper case, lower case
# and digits is taken (a SHA-1 in hex, a word, an id are not).
_SLASH_OR_PLUS = r"(?:\\*[/+]|%(?:25)*2[BbFf]|\\+u002[BbFf])"
_SECRET_KEY = re.compile(rf"(?<![A-Za-z0-9/+\\%])(?:[A-Za-z0-9]|{_SLASH_OR_PLUS}){{40}}"
                         rf"(?![A-Za-z0-9/+=]|%(?:25)*(?:2[BbFf]|3[Dd]))")
# A base64 text long enough to hold an access key id (20 bytes: 27 characters).
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{27,}={0,2}")
_CREDENTIAL_QUERY = {"x-amz-credential", "x-amz-security-token"}


def _char_forms(char: str) -> str:
    """A regex for one character of a secret in any encoding it meets on the wire, however
    many times it was encoded: URL-encoded (`%2F`, `%252F`, ...), JSON-escaped (`\\/`, and
    escaped again `\\\\/`, `\\\\\\/`; `\\u002f`, `\\\\u002f`)."""
    if char.isalnum() or char in "-_.~":  # never escaped by URL or JSON encoders
        return re.escape(char)
    code = f"{ord(char):02x}"
    hexed = f"[{code[0].lower()}{code[0].upper()}][{code[1].lower()}{code[1].upper()}]"
    forms = [rf"\\*{re.escape(char)}", f"%(?:25)*{hexed}", rf"\\+u00{hexed}"]
    return "(?:" + "|".join(forms) + ")"


def _base64_cores(secret: bytes) -> set[str]:
    """The part of base64(...secret...) that depends on the secret alone, for each of
    the three offsets it can start at inside a longer text, in both alphabets."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret).decode()
        first = -(-8 * offset // 6)  # the first character made only of the secret's bits
        end = 8 * (offset + len(secret)) // 6
        core = encoded[first:end]
        cores.add(core)
        cores.add(core.translate(str.maketrans("+/", "-_")))
    return cores


@dataclass(frozen=True)
class _SecretForms:
    pattern: re.Pattern
    clues: tuple[str, ...]  # a literal run of each form: no clue in a text, no form in it

    def scrub(self, text: str) -> str:
        if not any(clue in text for clue in self.clues):
            return text
        return self.pattern.sub(REDACTED, text)


@lru_cache(maxsize=256)
def secret_forms(secret: str) -> _SecretForms:
    """Every form of `secret` we scrub: as is, URL-encoded, JSON-escaped, base64."""
    literals = {secret}
    if len(secret) >= MIN_KEY_LENGTH:
        literals |= _base64_cores(secret.encode("utf-8"))
    alternatives = sorted(("".join(_char_forms(c) for c in lit) for lit in literals),
                          key=len, reverse=True)
    # Characters that no encoder touches appear as they are in every form; the
    # longest such run of each form is a cheap test that the costly regex can match.
    clues = tuple(max(re.findall(r"[A-Za-z0-9_.~-]+", lit) or [""], key=len) for lit in literals)
    return _SecretForms(re.compile("|".join(alternatives)), clues)


def credential_secrets(credentials) -> list[str]:
    """The strings of a botocore Credentials object that must never be written: the
    access key id, the secret key and the session token (for the recorder's own)."""
    frozen = credentials.get_frozen_credentials() if hasattr(credentials, "get_frozen_credentials") \
        else credentials
    return [value for value in (getattr(frozen, "access_key", None),
                                getattr(frozen, "secret_key", None),
                                getattr(frozen, "token", None)) if value]


@dataclass
class Redactor:
    patterns: list[str] = field(default_factory=list)
    pseudonymise: bool = False
    salt: str = ""
    # Secrets scrubbed from every interaction, whoever sent them (the recorder's own
    # re-signing credentials); `add_secrets` adds more once they are known.
    extra_secrets: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._compiled = [re.compile(p) for p in self.patterns]
        self.extra_secrets = [s for s in self.extra_secrets if s]

    def add_secrets(self, *values: str | None) -> None:
        for value in values:
            if value and value not in self.extra_secrets:
                self.extra_secrets.append(value)

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
        # A presigned request carries its credentials in the query string.
        for name, value in parse_qsl(urlsplit(request.url).query, keep_blank_values=False):
            if name.lower() in _CREDENTIAL_QUERY and value:
                secret = value.split("/", 1)[0] if name.lower() == "x-amz-credential" else value
                if len(secret) >= MIN_KEY_LENGTH or name.lower() == "x-amz-security-token":
                    found.append(secret)
        return found

    # -- scrubbing -------------------------------------------------------------
    def _pseudonym(self, value: str, keep: int) -> str:
        digest = hmac.new(self.salt.encode(), value.encode(), hashlib.sha256).hexdigest()
        digits = "".join(str(int(c, 16) % 10) for c in digest)
        return value[:keep] + digits[: len(value) - keep]

    def scrub_text(self, text: str, secrets: list[str]) -> str:
        # Longest first: a token that contains a key id goes whole, not in pieces.
        for secret in sorted({s for s in (*secrets, *self.extra_secrets) if s}, key=len,
                             reverse=True):
            text = secret_forms(secret).scrub(text)
        lowered = text.lower()  # cheap tests first: most texts hold none of these
        if "credential" in lowered or "signature" in lowered or "security-token" in lowered:
            text = _SIGNED_FIELD.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
        if "AKIA" in text or "ASIA" in text:
            text = _ACCESS_KEY_ID.sub(REDACTED, text)
        text = _scrub_foreign_keys(text)
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
            # A name is the client's text too (`X-AKIA...: 1`).
            out[self.scrub_text(name, secrets)] = REDACTED if low in SECRET_HEADERS \
                else self.scrub_text(value, secrets)
        return out

    def _body(self, body: bytes, secrets: list[str]) -> bytes:
        if not body:
            return body
        try:
            return self.scrub_text(body.decode("utf-8"), secrets).encode("utf-8")
        except UnicodeDecodeError:
            # Not UTF-8: scrub it as Latin-1, which maps every byte to one character and
            # back, so the secrets (ASCII) go and every other byte stays as it was.
            return self.scrub_text(body.decode("latin-1"), secrets).encode("latin-1", "replace")

    def request(self, request: HttpRequest, secrets: list[str] | None = None) -> HttpRequest:
        secrets = self.secrets_of(request) if secrets is None else secrets
        body = self._body(request.body, secrets)
        headers = _fix_length(self.scrub_headers(request.headers, secrets), body)
        return HttpRequest(request.method, self.scrub_text(request.url, secrets), headers, body)

    def response(self, response: HttpResponse, secrets: list[str]) -> HttpResponse:
        body = self._body(response.body, secrets)
        headers = _fix_length(self.scrub_headers(response.headers, secrets), body)
        return HttpResponse(response.status, headers, body)


# What base64 makes of "AKIA"/"ASIA" at each offset: no such run, no base64 key to look for.
_BASE64_KEY_CLUES = tuple(core[:4] for prefix in (b"AKIA", b"ASIA")
                          for core in _base64_cores(prefix) if len(core) >= 4)


def _scrub_foreign_keys(text: str) -> str:
    """Keys nobody registered: a secret-key-shaped run, and a base64 text that decodes to
    something holding an access key id (the whole base64 text goes)."""
    text = _SECRET_KEY.sub(_secret_key_or_not, text)
    if any(clue in text for clue in _BASE64_KEY_CLUES):
        text = _BASE64_RUN.sub(_base64_run_or_not, text)
    return text


def _secret_key_or_not(match: re.Match) -> str:
    run = match.group(0)
    plain = re.sub(_SLASH_OR_PLUS, "/", run)
    if any(c.isupper() for c in plain) and any(c.islower() for c in plain) and \
            any(c.isdigit() for c in plain):
        return REDACTED
    return run


def _base64_run_or_not(match: re.Match) -> str:
    run = match.group(0)
    standard = run.rstrip("=").translate(str.maketrans("-_", "+/"))
    for start in range(4):  # the run may begin mid-way through a base64 text
        part = standard[start:]
        part = part[: len(part) - (len(part) % 4 == 1)]  # one spare character holds no byte
        part += "=" * (-len(part) % 4)
        try:
            decoded = base64.b64decode(part, validate=True)
        except ValueError:
            continue
        if _ACCESS_KEY_ID_BYTES.search(decoded):
            return REDACTED
    return run


def _fix_length(headers: dict[str, str], body: bytes) -> dict[str, str]:
    for name in list(headers):
        if name.lower() == "content-length":
            headers[name] = str(len(body))
    return headers


# Characters a terminal acts on or hides (ESC, CR, backspace, C1 controls, bidi overrides,
# line separators): written from a request into a log, they could forge or hide lines.
_UNPRINTABLE = frozenset(("Cc", "Cf", "Zl", "Zp"))


def printable(text: str) -> str:
    """`text` with every control or formatting character written as an escape (`\\x1b`,
    `\\u202e`), so a log line shows what a client sent and nothing acts on the terminal."""
    if text.isprintable():
        return text
    return "".join(char if unicodedata.category(char) not in _UNPRINTABLE
                   else (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
                   for char in text)


def for_log(text: str, redactor: Redactor | None = None, secrets: list[str] | None = None) -> str:
    """What may be printed of anything a request carried: scrubbed as the cassette is
    (with the session's redactor and this exchange's secrets, when known), then escaped."""
    return printable((redactor or Redactor()).scrub_text(text, list(secrets or ())))
