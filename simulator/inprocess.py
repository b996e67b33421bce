"""A real boto3 client whose requests are answered in-process, with no socket.

Two places to answer from:
- `before-send` (the default): botocore serialises, signs, retries and parses
  exactly as against AWS; the hook only replaces the HTTP round trip. The same
  hook serves the simulator and the cassette pipeline.
- `before-call` (`short_circuit=True`): answered where botocore's Stubber
  answers, right after serialisation. No signing and no retry loop, so it costs
  a fraction of the full pipeline: for suites that make many calls and need
  neither. The simulator answers there as the Stubber does, with Python objects:
  its result, converted as botocore's parser would convert its bytes
  (wire/parsed.py; the test suite checks the two agree for every response it
  sees). A cassette's answers are bytes, which botocore's parser reads. Errors
  are always bytes parsed by botocore, so they raise exactly the ClientError
  the full door raises.

The hook is registered under `ANSWER_HOOK_ID`; `unhook(client)` removes it, after
which the client sends its requests to its endpoint like any other client.
"""

from __future__ import annotations

import functools
import io
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import Credentials
from botocore.parsers import create_parser

from .wire.http import JSON_CONTENT_TYPE, HttpRequest, HttpResponse, wait_for
from .wire.model import SERVICE_NAME, SIGNING_NAME
from .wire.parsed import parsed_output

if TYPE_CHECKING:
    from .pipeline import Answer

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


@functools.cache
def _shared_session() -> boto3.session.Session:
    """One boto3 session over it: each boto3 Session registers its handlers on the botocore
    session again (several without a unique id), so one per client grew the event table
    every client then copies, and made each new client slower than the last."""
    return boto3.session.Session(botocore_session=_shared_botocore_session())


class _Scope:
    """The credential scope an in-process client's requests carry (access key, day, region):
    the simulator reads the account from the key and the region from the scope."""

    def __init__(self, credentials: Credentials | None, region: str):
        self.credentials = credentials
        self.region = region
        self._made: tuple = (None, None, None)  # (day, access key, header), swapped whole

    def authorization(self) -> str:
        akid = self.credentials.get_frozen_credentials().access_key if self.credentials else "anonymous"
        day = int(time.time() // 86400)
        made_day, made_key, header = self._made
        if day != made_day or akid != made_key:
            scope = f"{akid}/{time.strftime('%Y%m%d', time.gmtime(day * 86400))}/{self.region}/" \
                    f"{SIGNING_NAME}/aws4_request"
            header = (f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, "
                      "Signature=in-process-not-signed")
            self._made = (day, akid, header)
        return header


def _request_of(params: dict, scope: _Scope) -> HttpRequest:
    """botocore's serialised request (before signing) as the simulator's request value."""
    headers = {k: v.decode("latin-1") if isinstance(v, bytes) else str(v)
               for k, v in params["headers"].items()}
    headers["Authorization"] = scope.authorization()
    body = params["body"]
    body = body.encode() if isinstance(body, str) else bytes(body or b"")
    return HttpRequest(params["method"], params["url"], headers, body)


def _parse_wire(parser, client, model, response: HttpResponse) -> dict:
    """botocore's parse of an answer's bytes, as its endpoint parses it: an error's modeled
    members (Reason, ResourceType...) join, and the metadata says no retry was made."""
    raw = {"status_code": response.status, "headers": HeadersDict(response.headers),
           "body": response.body}
    parsed = parser.parse(raw, model.output_shape)
    if response.status >= 300:
        code = parsed.get("Error", {}).get("Code")
        shape = client.meta.service_model.shape_for_error_code(code) if code else None
        if shape is not None:
            parsed.update(parser.parse(raw, shape))
    parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
    return parsed


def short_circuit_hook(answer: Callable[[HttpRequest], HttpResponse], client,
                       credentials: Credentials | None = None):
    """`credentials`: what the client signs with (botocore Credentials, None for anonymous);
    only the access key id is used, to pick the account. Answers are bytes (a cassette's),
    read by botocore's parser."""
    parser = create_parser(client.meta.service_model.protocol)
    scope = _Scope(credentials, client.meta.region_name)

    def hook(model, params, **_kwargs):
        response = answer(_request_of(params, scope))
        wait_for(response)
        return to_aws_response(params["url"], response), _parse_wire(parser, client, model, response)
    return hook


class _LazyBody(_RawBody):
    """The HTTP body of an answer given as Python objects: serialised only if read."""

    def __init__(self, answer: Answer):
        super().__init__()
        self._answer: Answer | None = answer  # None once serialised

    def stream(self, amt: int = 1024, decode_content: bool | None = None):
        if self._answer is not None:
            self.write(self._answer.wire().body)
            self.seek(0)
            self._answer = None
        return super().stream(amt, decode_content)


def object_hook(run: Callable[[HttpRequest], Answer], client, credentials: Credentials | None = None):
    """The simulator's short-circuit door: a 200 is handed to botocore as the Python objects
    its parser would have made of the bytes; an error is bytes botocore parses, so it raises
    the very ClientError the other doors raise. ResponseMetadata is the full door's, less
    the content-length header (no body is serialised)."""
    parser = create_parser(client.meta.service_model.protocol)
    scope = _Scope(credentials, client.meta.region_name)

    def hook(model, params, **_kwargs):
        answer = run(_request_of(params, scope))
        wait_for(answer)
        if answer.status >= 300:
            response = answer.wire()
            return to_aws_response(params["url"], response), _parse_wire(parser, client, model, response)
        headers = {"Content-Type": JSON_CONTENT_TYPE, **answer.headers}
        parsed = parsed_output(model.name, answer.payload)
        parsed["ResponseMetadata"] = {
            "RequestId": answer.headers["x-amzn-RequestId"], "HTTPStatusCode": answer.status,
            "HTTPHeaders": {k.lower(): v for k, v in headers.items()}, "RetryAttempts": 0}
        return AWSResponse(params["url"], answer.status, headers, _LazyBody(answer)), parsed
    return hook


def inprocess_client(answer: Callable[[HttpRequest], HttpResponse],
                     region_name: str = "us-east-1", use_default_credentials: bool = False,
                     short_circuit: bool = False,
                     answer_objects: Callable[[HttpRequest], Answer] | None = None, **kwargs):
    """A boto3 client answered by `answer`; with `short_circuit`, at before-call, and by
    `answer_objects` (the simulator's `Pipeline.run`) where it is given."""
    creds = {k: kwargs.pop(k) for k in ("aws_access_key_id", "aws_secret_access_key",
                                        "aws_session_token") if k in kwargs}
    if use_default_credentials and not creds:
        pass  # boto3's default chain: recording real traffic needs real credentials
    else:
        creds.setdefault("aws_access_key_id", DEFAULT_ACCESS_KEY)
        creds.setdefault("aws_secret_access_key", DEFAULT_SECRET_KEY)
    session = _shared_session()
    client = session.client(SERVICE_NAME, region_name=region_name, **creds, **kwargs)
    # The credentials the client signs with, by public means: the keys given, else the
    # default chain the session resolved for the client.
    signing = (Credentials(creds["aws_access_key_id"], creds.get("aws_secret_access_key"),
                           creds.get("aws_session_token")) if creds.get("aws_access_key_id")
               else session.get_credentials())
    _CREDENTIALS[client] = signing
    if short_circuit and answer_objects is not None:
        event, hook = _event(client, "before-call"), object_hook(answer_objects, client, signing)
    elif short_circuit:
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
