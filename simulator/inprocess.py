"""A real boto3 client whose requests are answered in-process, with no socket.

Two places to answer from:
- `before-send` (the default): botocore serialises, signs, retries and parses
  exactly as against AWS; the hook only replaces the HTTP round trip. The same
  hook serves the simulator and the cassette pipeline.
- `before-call` (`short_circuit=True`): answered where botocore's Stubber
  answers, right after serialisation; botocore's own parser then reads the
  simulator's bytes. No signing and no retry loop, so it costs a fraction of
  the full pipeline: for suites that make many calls and need neither.

The hook is registered under `ANSWER_HOOK_ID`; `unhook(client)` removes it, after
which the client sends its requests to its endpoint like any other client.
"""

from __future__ import annotations

import functools
import io
import time
import weakref
from collections.abc import Callable

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials
from botocore.parsers import create_parser

from .wire.http import HttpRequest, HttpResponse, wait_for
from .wire.model import SERVICE_NAME, SIGNING_NAME

# The unique_id of the hook that answers a client in-process (one per client).
ANSWER_HOOK_ID = "smsvoice-sim.answer-in-process"

# Which event each client is answered on, for unhook; forgotten with the client.
_HOOKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CREDENTIALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # client -> its signing keys

# Fake credentials, so a test needs no AWS account and never finds a real one.
DEFAULT_ACCESS_KEY = "AKIASMSVOICESIM00000"
DEFAULT_SECRET_KEY = "smsvoice-sim-secret-key-not-a-real-one"


class _RawBody(io.BytesIO):
    """What botocore expects of urllib3's raw response."""

    def stream(self, amt: int = 1024, decode_content: bool | None = None):
        while chunk := self.read(amt):
            yield chunk


def to_http_request(prepared) -> HttpRequest:
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes | bytearray):
        body = body.read()
    headers = {k: v.decode("latin-1") if isinstance(v, bytes) else str(v)
               for k, v in prepared.headers.items()}
    return HttpRequest(prepared.method, prepared.url, headers, bytes(body))


def to_aws_response(url: str, response: HttpResponse) -> AWSResponse:
    return AWSResponse(url, response.status, dict(response.headers), _RawBody(response.body))


def before_send_hook(answer: Callable[[HttpRequest], HttpResponse | None]):
    def hook(request, **_kwargs):
        response = answer(to_http_request(request))
        if response is None:
            return None
        wait_for(response)
        return to_aws_response(request.url, response)
    return hook


@functools.cache
def _shared_botocore_session() -> botocore.session.Session:
    # One botocore session keeps the parsed service model and endpoint data
    # cached; a fresh session per client re-reads them (~100 ms each).
    return botocore.session.get_session()


def short_circuit_hook(answer: Callable[[HttpRequest], HttpResponse], client,
                       credentials: Credentials | None = None):
    """`credentials`: what the client signs with (botocore Credentials, None for anonymous);
    only the access key id is used, to pick the account."""
    parser = create_parser(client.meta.service_model.protocol)
    region = client.meta.region_name

    def hook(model, params, **_kwargs):
        akid = credentials.get_frozen_credentials().access_key if credentials else "anonymous"
        scope = f"{akid}/{time.strftime('%Y%m%d', time.gmtime())}/{region}/{SIGNING_NAME}/aws4_request"
        headers = {k: v.decode("latin-1") if isinstance(v, bytes) else str(v)
                   for k, v in params["headers"].items()}
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, "
                                    "Signature=in-process-not-signed")
        body = params["body"]
        body = body.encode() if isinstance(body, str) else bytes(body or b"")
        response = answer(HttpRequest(params["method"], params["url"], headers, body))
        wait_for(response)
        raw = {"status_code": response.status, "headers": response.headers, "body": response.body}
        parsed = parser.parse(raw, model.output_shape)
        if response.status >= 300:
            # As botocore's endpoint does: modeled members (Reason, ResourceType...) join.
            code = parsed.get("Error", {}).get("Code")
            shape = client.meta.service_model.shape_for_error_code(code) if code else None
            if shape is not None:
                parsed.update(parser.parse(raw, shape))
        return to_aws_response(params["url"], response), parsed
    return hook


def inprocess_client(answer: Callable[[HttpRequest], HttpResponse | None],
                     region_name: str = "us-east-1", use_default_credentials: bool = False,
                     short_circuit: bool = False, **kwargs):
    creds = {k: kwargs.pop(k) for k in ("aws_access_key_id", "aws_secret_access_key",
                                        "aws_session_token") if k in kwargs}
    if use_default_credentials and not creds:
        pass  # boto3's default chain: recording real traffic needs real credentials
    else:
        creds.setdefault("aws_access_key_id", DEFAULT_ACCESS_KEY)
        creds.setdefault("aws_secret_access_key", DEFAULT_SECRET_KEY)
    session = boto3.session.Session(botocore_session=_shared_botocore_session())
    client = session.client(SERVICE_NAME, region_name=region_name, **creds, **kwargs)
    # The credentials the client signs with, by public means: the keys given, else the
    # default chain the session resolved for the client.
    signing = (Credentials(creds["aws_access_key_id"], creds.get("aws_secret_access_key"),
                           creds.get("aws_session_token")) if creds.get("aws_access_key_id")
               else session.get_credentials())
    _CREDENTIALS[client] = signing
    if short_circuit:
        event, hook = _event(client, "before-call"), short_circuit_hook(answer, client, signing)
    else:
        event, hook = _event(client, "before-send"), before_send_hook(answer)
    client.meta.events.register_first(event, hook, unique_id=ANSWER_HOOK_ID)
    _HOOKED[client] = event
    return client


def credentials_of(client) -> Credentials | None:
    """The credentials an in-process client signs with (the recorder scrubs them)."""
    return _CREDENTIALS.get(client)


def _event(client, stage: str) -> str:
    return f"{stage}.{client.meta.service_model.service_id.hyphenize()}"


def unhook(client) -> bool:
    """Stop answering `client` in-process; True if it was answered in-process. Its requests
    then go to its endpoint (AWS, unless it was made with an endpoint_url), signed with its
    credentials."""
    event = _HOOKED.pop(client, None)
    if event is None:
        return False
    client.meta.events.unregister(event, unique_id=ANSWER_HOOK_ID)
    return True
