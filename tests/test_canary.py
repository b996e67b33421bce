"""Canaries: plant every form a credential takes on the wire, record through the real
doors, and find no byte of any of them on disk — the cassette, its -wal while the
recorder runs, an export, a --state file, and what the processes logged."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from pathlib import Path
from urllib.parse import quote, quote_plus

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.cassette import Cassette
from smsvoice_sim.proxy.http_server import EndpointServer
from smsvoice_sim.proxy.inprocess import cassette_client
from smsvoice_sim.proxy.redaction import Redactor, credential_secrets
from smsvoice_sim.proxy.session import CassetteSession
from smsvoice_sim.simulator import HttpRequest, HttpResponse

from helpers import cli_server, drain, run_cli

# The caller's credentials (the session token is shaped like a real one: '/', '+', '=').
CLIENT_KEY = "AKIACANARYCLIENT0001"
CLIENT_SECRET = "canary/Client+Secret/Key0000000000000001"
CLIENT_TOKEN = "IQoJCanaryClientToken//////////wEaCXVz+ZWFzdC0x/SJHMEUCIQCanary+Client/Token=="
# A presigned URL's credentials (they travel in the query string, not in headers).
PRESIGNED_KEY = "ASIACANARYPRESIGN001"
PRESIGNED_TOKEN = "FwoGZXIvCanaryPresigned/Token+Query//////wEaDCanary+Presigned/Tok=="
# The recorder's own credentials, which re-sign every upstream request.
RECORDER_KEY = "AKIACANARYRECORDER01"
RECORDER_SECRET = "canary/Recorder+Secret/Key000000000000001"
RECORDER_TOKEN = "IQoJCanaryRecorderToken//////////wEaCXVz+ZWFzdC0x/Recorder+Token/Canary=="
RECORDER_ENV = {"AWS_ACCESS_KEY_ID": RECORDER_KEY, "AWS_SECRET_ACCESS_KEY": RECORDER_SECRET,
                "AWS_SESSION_TOKEN": RECORDER_TOKEN}
CLIENT_SECRETS = [CLIENT_KEY, CLIENT_TOKEN, PRESIGNED_KEY, PRESIGNED_TOKEN]
RECORDER_SECRETS = [RECORDER_KEY, RECORDER_SECRET, RECORDER_TOKEN]
NO_RETRY = Config(retries={"max_attempts": 1})


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def wire_forms(secret: str) -> dict[str, str]:
    """The forms a secret takes on the wire, named; each is planted somewhere."""
    encoded = quote(secret, safe="")
    forms = {"raw": secret, "url-encoded": encoded, "url-encoded, lower hex": _lower_hex(encoded),
             "form-encoded": quote_plus(secret), "url-encoded twice": quote(encoded, safe=""),
             "JSON \\/": secret.replace("/", "\\/"), "JSON \\u002f": secret.replace("/", "\\u002f"),
             # JSON text quoted in JSON again (an upstream echoing an echo)
             "JSON twice \\\\/": secret.replace("/", "\\\\/"),
             "JSON twice \\\\\\/": secret.replace("/", "\\\\\\/"),
             "JSON twice \\\\u002f": secret.replace("/", "\\\\u002f"),
             "url-encoded thrice": quote(quote(encoded, safe=""), safe="")}
    for pad in (b"", b"x", b"xy"):  # base64 inside a longer text starts at any of 3 offsets
        forms[f"base64 +{len(pad)}"] = base64.b64encode(pad + secret.encode() + b"tail").decode()
        forms[f"urlsafe base64 +{len(pad)}"] = \
            base64.urlsafe_b64encode(pad + secret.encode() + b"tail").decode()
    return forms


def needles(secret: str) -> dict[str, bytes]:
    """What must not be on disk: each form, and of a base64 form the part made of the
    secret's own bits (its first 4 and last 8 characters also hold the padding)."""
    return {name: (form[4:-8] if "base64" in name else form).encode()
            for name, form in wire_forms(secret).items()}


def planted(secrets: list[str]) -> str:
    return " | ".join(form for s in secrets for form in wire_forms(s).values())


def leaks(folder: Path, secrets: list[str], extra: dict[str, bytes] | None = None) -> list[str]:
    """Every (where, which secret, which form) found; [] when the folder is clean."""
    found = []
    blobs = {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    blobs.update(extra or {})
    for where, data in blobs.items():
        for secret in secrets:
            for name, needle in needles(secret).items():
                if needle in data:
                    found.append(f"{where}: {secret[:12]}… as {name}")
    return found


# -- the Redactor, form by form --------------------------------------------------
FORMS = [(secret, name) for secret in (CLIENT_TOKEN, CLIENT_KEY) for name in wire_forms(secret)]


@pytest.mark.parametrize(("secret", "form"), FORMS, ids=[f"{s[:8]}-{f}" for s, f in FORMS])
def test_redactor_scrubs_each_form_everywhere(secret, form):
    value = wire_forms(secret)[form]
    request = HttpRequest("POST", f"https://sms-voice.us-east-1.amazonaws.com/?q={value}", {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={CLIENT_KEY}/20260101/us-east-1/sms-voice/"
                         "aws4_request, SignedHeaders=host, Signature=" + "ab" * 32,
        "X-Amz-Security-Token": CLIENT_TOKEN, "X-Echo": f"<{value}>"},
        json.dumps({"Value": f"pre {value} post"}).encode())
    redactor = Redactor()
    secrets = redactor.secrets_of(request)
    scrubbed = redactor.request(request, secrets)
    binary = redactor.response(HttpResponse(400, {"X-Echo": value},
                                            b"\xff\xfe" + value.encode() + b"\x80"), secrets)
    # Joined as they are (not through json.dumps, which would double every backslash and
    # hide a JSON-escaped form that survived).
    text = "\n".join([scrubbed.url, *scrubbed.headers.keys(), *scrubbed.headers.values(),
                      scrubbed.body.decode(), *binary.headers.values(),
                      binary.body.decode("latin-1")])
    assert not [n for n, needle in needles(secret).items() if needle.decode() in text]
    assert binary.body.startswith(b"\xff\xfe") and binary.body.endswith(b"\x80")


def test_presigned_query_credentials_and_echoed_authorization_are_scrubbed():
    url = ("https://sms-voice.us-east-1.amazonaws.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256"
           f"&X-Amz-Credential={quote(PRESIGNED_KEY + '/20260101/us-east-1/sms-voice/aws4_request')}"
           f"&X-Amz-Security-Token={quote(PRESIGNED_TOKEN, safe='')}"
           f"&X-Amz-Signature={'cd' * 32}&Action=x")
    request = HttpRequest("GET", url, {}, b"")
    redactor = Redactor()
    secrets = redactor.secrets_of(request)
    assert PRESIGNED_KEY in secrets and PRESIGNED_TOKEN in secrets
    echoed = json.dumps({"__type": "IncompleteSignatureException", "message": (
        f"'{PRESIGNED_KEY}' not a valid key=value pair in Authorization header: "
        f"'AWS4-HMAC-SHA256 Credential={RECORDER_KEY}/20260101/us-east-1/sms-voice/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={'ef' * 32}'. Also {url}")}).encode()
    stored_request = redactor.request(request, secrets)
    stored = redactor.response(HttpResponse(400, {}, echoed), secrets).body.decode()
    everything = stored_request.url + stored
    for secret in (PRESIGNED_KEY, PRESIGNED_TOKEN, RECORDER_KEY, "cd" * 32, "ef" * 32):
        assert secret not in everything and quote(secret, safe="") not in everything
    assert "Action=x" in stored_request.url  # the rest of the query stays readable


def test_the_recorders_own_secrets_go_once_registered():
    creds = Credentials(RECORDER_KEY, RECORDER_SECRET, RECORDER_TOKEN)
    assert credential_secrets(creds) == RECORDER_SECRETS
    redactor = Redactor()
    redactor.add_secrets(*credential_secrets(creds))
    text = redactor.scrub_text(planted(RECORDER_SECRETS), [])
    assert not [n for s in RECORDER_SECRETS for n, needle in needles(s).items()
                if needle.decode() in text]


# -- through the real doors ----------------------------------------------------------
def leaky_upstream(request: HttpRequest) -> HttpResponse:
    """An upstream that echoes everything it got and every planted form, in an error
    (IncompleteSignatureException quotes the Authorization header), and in headers."""
    # It plants what this request's sender had: the client's key and token always, the
    # presigned ones when the URL carries them (an upstream echoes what it was sent).
    sent = CLIENT_SECRETS if "X-Amz-Credential" in request.url else [CLIENT_KEY, CLIENT_TOKEN]
    message = (f"Authorization header requires 'Credential' parameter. Authorization="
               f"{request.header('authorization')}; token {request.header('x-amz-security-token')};"
               f" url {request.url}; {planted(sent)}; {planted(RECORDER_SECRETS)}")
    body = json.dumps({"__type": "IncompleteSignatureException", "message": message})
    return HttpResponse(400, {"Content-Type": "application/x-amz-json-1.0",
                              "x-amzn-ErrorType": "IncompleteSignatureException",
                              "X-Echo-Token": quote(CLIENT_TOKEN, safe=""),
                              "X-Echo-Base64": base64.b64encode(CLIENT_TOKEN.encode()).decode()},
                        body.encode())


def presigned_request(url: str, key: str, secret: str, token: str) -> urllib.request.Request:
    """A signed sms-voice request whose URL also carries presigned-style credentials and
    whose body carries the caller's token in every form (a careless client)."""
    query = (f"?X-Amz-Credential={quote(PRESIGNED_KEY + '/20260101/us-east-1/sms-voice/aws4_request')}"
             f"&X-Amz-Security-Token={quote(PRESIGNED_TOKEN, safe='')}&X-Amz-Signature={'ab' * 32}")
    body = json.dumps({"Tags": [{"Key": "note", "Value": planted(CLIENT_SECRETS)}]}).encode()
    aws = AWSRequest("POST", url + "/" + query, data=body, headers={
        "X-Amz-Target": "PinpointSMSVoiceV2.DescribePools",
        "Content-Type": "application/x-amz-json-1.0"})
    SigV4Auth(Credentials(key, secret, token), "sms-voice", "us-east-1").add_auth(aws)
    return urllib.request.Request(aws.url, data=body, headers=dict(aws.headers.items()),
                                  method="POST")


def _call_all(url: str) -> None:
    client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                          aws_access_key_id=CLIENT_KEY, aws_secret_access_key=CLIENT_SECRET,
                          aws_session_token=CLIENT_TOKEN, config=NO_RETRY)
    for call in (client.describe_pools, client.describe_account_limits):
        try:
            call()
        except ClientError:
            pass
    try:
        urllib.request.urlopen(presigned_request(url, CLIENT_KEY, CLIENT_SECRET, CLIENT_TOKEN),
                               timeout=30).read()
    except urllib.error.HTTPError as err:
        err.read()


def test_recording_through_mitmproxy_writes_no_credential(tmp_path):
    """Reverse mode, re-signing with the recorder's credentials: the client's key, token
    and presigned credentials, the recorder's key, secret key and session token (echoed
    by the upstream, in every form) — none reaches the cassette, its -wal, an export or
    the log: the recorder registers its own credentials with the redactor."""
    folder = tmp_path / "out"
    folder.mkdir()
    cassette = folder / "canary.db"
    with EndpointServer(leaky_upstream) as upstream, \
            cli_server("record", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                       "--upstream", upstream.url, "--confdir", str(tmp_path),
                       env=RECORDER_ENV) as (ready, proc):
        _call_all(ready.group(1))
        while_running = {f"{p} (while recording)": p.read_bytes() for p in folder.iterdir()}
        proc.terminate()
        log = "".join(proc.seen + drain(proc)).encode()
    assert any(name.endswith("-wal (while recording)") for name in while_running)
    with Cassette(cassette) as c:
        assert c.count() == 3
    result = run_cli("cassette", "export", str(cassette), "-o", str(folder / "canary.jsonl"))
    assert result.returncode == 0, result.stderr
    found = leaks(folder, [*CLIENT_SECRETS, *RECORDER_SECRETS],
                  {**while_running, "recorder log": log, "export stdout": result.stdout.encode()})
    assert found == []
    exported = (folder / "canary.jsonl").read_text()
    assert "IncompleteSignatureException" in exported and "REDACTED" in exported


def test_recorder_secrets_echoed_upstream_are_scrubbed_once_registered(tmp_path):
    """The recorder's own key, secret key and session token, echoed by an upstream,
    through a real recording (in-process door, real HTTP upstream): the session
    registers them with its Redactor, as a re-signing door must."""
    def echo_recorder(request: HttpRequest) -> HttpResponse:
        body = json.dumps({"__type": "IncompleteSignatureException",
                           "message": planted(RECORDER_SECRETS)}).encode()
        return HttpResponse(400, {"X-Echo": planted(RECORDER_SECRETS)}, body)

    with EndpointServer(echo_recorder) as upstream, Cassette(tmp_path / "c.db") as cassette:
        session = CassetteSession(cassette, record_mode="all")
        session.redactor.add_secrets(*credential_secrets(
            Credentials(RECORDER_KEY, RECORDER_SECRET, RECORDER_TOKEN)))
        client = cassette_client(session, endpoint_url=upstream.url, aws_access_key_id=CLIENT_KEY,
                                 aws_secret_access_key=CLIENT_SECRET, config=NO_RETRY)
        with pytest.raises(ClientError):
            client.describe_pools()
        assert cassette.count() == 1
        wal = {"wal (open)": (tmp_path / "c.db-wal").read_bytes()}
    assert leaks(tmp_path, RECORDER_SECRETS, wal) == []


def test_simulate_with_state_file_and_log_writes_no_credential(tmp_path):
    state = tmp_path / "state.db"
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--state", str(state), "-v") \
            as (ready, proc):
        _call_all(ready.group(1))
        while_running = {f"{p} (while running)": p.read_bytes() for p in tmp_path.iterdir()
                         if p.is_file()}
        proc.terminate()
        log = "".join(proc.seen + drain(proc)).encode()
    assert b"DescribePools" in log or b"POST /" in log  # -v did log the requests
    assert leaks(tmp_path, CLIENT_SECRETS, {**while_running, "simulate -v log": log}) == []


# -- keys nobody registered, and what the tool prints -------------------------------
FOREIGN_KEY = "AKIAFOREIGNKEY000001"
FOREIGN_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documented example


@pytest.mark.parametrize("text", [
    f"id_{FOREIGN_KEY}_x", f"{FOREIGN_KEY}_", f"key={FOREIGN_KEY}&", f'"{FOREIGN_SECRET}"',
    f"s={quote(FOREIGN_SECRET, safe='')}&", json.dumps(json.dumps({"k": FOREIGN_SECRET})),
    FOREIGN_SECRET.replace("/", "\\/"),
    *(f"data:{encode(pad + FOREIGN_KEY.encode() + tail).decode()};"
      for encode in (base64.b64encode, base64.urlsafe_b64encode)
      for pad in (b"", b"x", b"xy") for tail in (b"", b"!", b" more text")),
])
def test_keys_nobody_registered_are_scrubbed(text):
    """A foreign access key id beside `_`, a secret access key (the caller's, which no door
    is told), a base64 copy of a foreign key: each is found by its shape."""
    scrubbed = Redactor().scrub_text(text, [])
    for needle in (FOREIGN_KEY, FOREIGN_SECRET, FOREIGN_SECRET[:13], "QUtJQUZPUkVJR05L",
                   "FLSUFGT1JFSUdOS0VZ", "BS0lBRk9SRUlHTktFWT"):
        assert needle not in scrubbed, (needle, scrubbed)
    assert "REDACTED" in scrubbed


@pytest.mark.parametrize("text", [
    "356a192b7913b04c54574d18c28d46e6395428ab",  # a SHA-1, in hex
    "pool-0123456789abcdef0123456789abcdef", "arn:aws:sms-voice:us-east-1:123456789012:pool/p",
    "AKIAIOSFODNN7EXAMPLEXX", base64.b64encode(b"just some text, no key in it at all").decode(),
])
def test_what_only_looks_like_a_key_is_kept(text):
    assert Redactor().scrub_text(text, []) == text


def test_a_key_in_a_header_name_is_scrubbed():
    request = HttpRequest("POST", "https://sms-voice.us-east-1.amazonaws.com/", {
        f"X-{FOREIGN_KEY}": "1", f"X-Echo-{CLIENT_TOKEN[:30]}": "2"}, b"{}")
    stored = Redactor().request(request, [CLIENT_TOKEN[:30]])
    assert not any(FOREIGN_KEY in name or CLIENT_TOKEN[:30] in name for name in stored.headers)
    assert {"X-REDACTED": "1", "X-Echo-REDACTED": "2"}.items() <= stored.headers.items()


def test_the_callers_secret_key_in_a_body_is_not_recorded(tmp_path):
    """In-process recording: the client's own secret key (never on the wire, so no header
    names it) pasted into a message body, plain and base64."""
    pasted = f"{CLIENT_SECRET} {base64.b64encode(b'x' + CLIENT_SECRET.encode()).decode()}"
    with EndpointServer(lambda request: HttpResponse(200, {}, b"{}")) as upstream, \
            Cassette(tmp_path / "c.db") as cassette:
        session = CassetteSession(cassette, record_mode="all")
        client = cassette_client(session, endpoint_url=upstream.url, aws_access_key_id=CLIENT_KEY,
                                 aws_secret_access_key=CLIENT_SECRET, config=NO_RETRY)
        client.send_text_message(DestinationPhoneNumber="+14255550123", MessageBody=pasted)
        assert cassette.count() == 1
        wal = {"wal (open)": (tmp_path / "c.db-wal").read_bytes()}
    assert leaks(tmp_path, [CLIENT_SECRET], wal) == []


def test_a_write_that_fails_logs_no_credential(tmp_path):
    """The recorder cannot write (the cassette is locked; a full disk takes the same path):
    the line it prints names the request without its presigned credentials or signature."""
    import sqlite3
    cassette = tmp_path / "locked.db"
    Cassette(cassette).close()
    lock = sqlite3.connect(cassette, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        with EndpointServer(lambda request: HttpResponse(200, {}, b"{}")) as upstream, \
                cli_server("record", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                           "--upstream", upstream.url, "--confdir", str(tmp_path),
                           "--write-timeout", "0", env=RECORDER_ENV) as (ready, proc):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(presigned_request(ready.group(1), CLIENT_KEY, CLIENT_SECRET,
                                                         CLIENT_TOKEN), timeout=30)
            assert json.loads(refused.value.read())["__type"] == "SmsVoiceSimNotRecorded"
            proc.terminate()
            log = "".join(proc.seen + drain(proc))
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "was not recorded" in log and "X-Amz-Signature=REDACTED" in log
    assert leaks(tmp_path / "nothing", [*CLIENT_SECRETS, *RECORDER_SECRETS],
                 {"recorder log": log.encode()}) == []
    assert "ab" * 32 not in log


def test_the_stderr_handler_scrubs_and_escapes_every_line():
    """mitmproxy's errors and the addon's, tracebacks included, as the CLI prints them."""
    import logging

    from smsvoice_sim.proxy.mitm import _StderrErrors
    url = f"https://h/?X-Amz-Credential={PRESIGNED_KEY}%2F20260101&X-Amz-Signature={'ab' * 32}"
    try:
        raise ValueError(f"echoed {CLIENT_TOKEN} from \x1b[2J{url}")
    except ValueError as exc:
        record = logging.LogRecord("smsvoice_sim.proxy", logging.ERROR, __file__, 1,
                                   f"failed for POST {url}\rforged", None, (type(exc), exc,
                                                                            exc.__traceback__))
    redactor = Redactor(extra_secrets=[CLIENT_TOKEN])
    text = _StderrErrors(lambda: redactor).format(record)
    assert "Traceback" in text and "\x1b" not in text and "\r" not in text
    for secret in (PRESIGNED_KEY, "ab" * 32, CLIENT_TOKEN):
        assert secret not in text
