"""The mitmproxy addon: records sms-voice traffic into a cassette, or answers it
from one (and, where asked, from the simulator).

Load it the mitmproxy way, from the installed package:

    mitmdump -s "$(smsvoice-sim addon-path)" \\
        --mode reverse:https://sms-voice.us-east-1.amazonaws.com@8080 \\
        --set smsvoice_cassette=session.db --set smsvoice_mode=record

or let `smsvoice-sim record|replay` embed it. On an endpoint (reverse mode)
every request is sms-voice traffic; through the forward proxy only an
`X-Amz-Target: PinpointSMSVoiceV2.*` request, or a request to one of the
service's hosts however spelled (`sms-voice[-fips].REGION.` + any AWS DNS
suffix, any case, trailing dot), is. While recording, anything else (STS, SSO,
IMDS) passes through untouched and unrecorded. In replay nothing leaves, whatever
its host: that is decided by the mode, never by a name a client can spell another
way, and a `server_connect` guard refuses every upstream connection besides.

It fails closed: whatever goes wrong while handling sms-voice traffic (a body
it cannot decode, a cassette it cannot read or write, a bug), the client is
answered locally with an error naming the cause, logged to stderr; nothing
is forwarded unless the session may record, and a client is never told 200
for an interaction that was not recorded. Nothing slow runs on mitmproxy's
event loop: SQLite, the simulator and credential lookups run in threads,
injected latency is an `asyncio.sleep`.
"""

from __future__ import annotations

import asyncio
import logging
import zlib

from mitmproxy import ctx, exceptions, http
from mitmproxy.net.http import url
from mitmproxy.proxy import mode_specs, server_hooks

from smsvoice_sim.proxy.cassette import CassetteError
from smsvoice_sim.proxy.control import guard, handle_control, is_control
from smsvoice_sim.proxy.http_server import too_large_message, wrong_method
from smsvoice_sim.proxy.matching import region_of
from smsvoice_sim.proxy.redaction import Redactor, credential_secrets, for_log
from smsvoice_sim.proxy.session import (
    Action,
    CassetteSession,
    NotRecorded,
    Pending,
    is_sms_voice,
    normalised_host,
)
from smsvoice_sim.proxy.settings import SESSION_OPTIONS, add_mitm_options, from_mitm, parse_resolve
from smsvoice_sim.proxy.upstream import NoCredentials, recorder_credentials, resign
from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.http import json_response
from smsvoice_sim.simulator.wire.json_read import max_request_bytes

log = logging.getLogger("smsvoice_sim.proxy")

PENDING = "smsvoice_pending"  # flow.metadata: a request forwarded to be recorded
ERROR_TYPE = "SmsVoiceSimError"
MAX_LATENCY_S = 300.0
DRAIN_TIMEOUT_S = 10.0


class Refused(Exception):
    """A request answered locally with an error (status, __type, message)."""

    def __init__(self, status: int, error_type: str, message: str):
        super().__init__(message)
        self.status, self.error_type = status, error_type


def local_error(status: int, error_type: str, message: str) -> HttpResponse:
    # 4xx, and a type botocore does not know: never retried, so never re-sent.
    return json_response(status, {"__type": error_type, "message": message},
                         {"x-amzn-ErrorType": error_type})


def decoded_body(req: http.Request) -> bytes:
    """The request body, decoded from gzip/deflate within the size limit; anything it
    cannot decode is refused (never guessed at, never forwarded)."""
    raw, limit = req.raw_content or b"", max_request_bytes()
    if len(raw) > limit:
        raise Refused(413, "SerializationException", too_large_message())
    encoding = (req.headers.get("content-encoding") or "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise Refused(400, "SerializationException",
                      f"Content-Encoding {encoding!r} is not supported for this service.")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        body = inflater.decompress(raw, limit + 1)  # a bomb stops at the limit
        if len(body) > limit:
            raise Refused(413, "SerializationException", too_large_message())
        if not inflater.eof:
            raise zlib.error("truncated stream")
    except zlib.error as exc:
        raise Refused(400, "SerializationException",
                      f"The request body is not valid {encoding} ({exc}).") from None
    return body


def to_http_request(flow: http.HTTPFlow, body: bytes) -> HttpRequest:
    req = flow.request
    headers = {k: v for k, v in req.headers.items() if k.lower() != "content-encoding"}
    return HttpRequest(req.method, req.url, headers, body)


def to_mitm_response(response: HttpResponse) -> http.Response:
    if not (isinstance(response.status, int) and 100 <= response.status <= 599):
        raise ValueError(f"status {response.status!r} is not an HTTP status code")
    headers = [(k.encode(), v.encode()) for k, v in response.headers.items()
               if k.lower() not in ("content-length", "transfer-encoding", "connection")]
    return http.Response.make(response.status, response.body, headers)


def is_reverse(flow: http.HTTPFlow) -> bool:
    return isinstance(flow.client_conn.proxy_mode, mode_specs.ReverseMode)


def upstream_host_header(flow: http.HTTPFlow) -> str:
    """Give a reverse-mode request the upstream's Host, as mitmproxy does itself unless
    keep_host_header is set; return the Host the client sent. `smsvoice-sim record|replay`
    sets keep_host_header so the control API can check that Host (DNS rebinding), which
    mitmproxy's own rewrite destroys before any hook runs; AWS and the re-signer still
    see the upstream's Host."""
    client_host = flow.request.host_header or ""
    flow.request.host_header = url.hostport(flow.request.scheme, flow.request.host, flow.request.port)
    return client_host


class SmsVoiceAddon:
    def __init__(self, announce=None):
        self.session: CassetteSession | None = None
        self.credentials = None
        self.announce = announce or (lambda line: print(line, flush=True))
        self.draining = False
        self._open: set[str] = set()  # ids of sms-voice flows not answered yet
        self._writes: set[asyncio.Future] = set()
        self._stopping: asyncio.Event | None = None
        self._credentials_lock: asyncio.Lock | None = None

    # -- options --------------------------------------------------------------
    def load(self, loader) -> None:
        add_mitm_options(loader)

    def configure(self, updated) -> None:
        if not updated & SESSION_OPTIONS:
            return
        try:
            settings = from_mitm(ctx.options)
        except ValueError as exc:
            raise exceptions.OptionsError(str(exc)) from None
        self._close_session()
        if not settings.cassette:
            return  # sms-voice requests are refused until a cassette is set
        try:
            self.session = CassetteSession.open(settings, announce=self.announce)
        except (CassetteError, ValueError) as exc:
            raise exceptions.OptionsError(str(exc)) from None

    def _close_session(self) -> None:
        if self.session is not None:
            self.session.cassette.close()
            self.session = None

    # -- requests -------------------------------------------------------------
    async def request(self, flow: http.HTTPFlow) -> None:
        try:
            await self._request(flow)
        except Refused as exc:
            flow.response = to_mitm_response(local_error(exc.status, exc.error_type, str(exc)))
        except Exception as exc:  # noqa: BLE001 - fail closed: answered here, logged, never passed
            self._fail(flow, "request", exc)
        if flow.response is not None:
            self._open.discard(flow.id)
        elif PENDING not in flow.metadata and flow.id in self._open:
            # Ours, not answered, and not meant to be recorded: nothing may go upstream.
            self._fail(flow, "request", RuntimeError("an sms-voice request was about to be "
                                                     "forwarded while the session may not record"))
            self._open.discard(flow.id)

    async def _request(self, flow: http.HTTPFlow) -> None:
        reverse = is_reverse(flow)
        client_host = upstream_host_header(flow) if reverse and ctx.options.keep_host_header else None
        head = HttpRequest(flow.request.method, flow.request.url, dict(flow.request.headers.items()),
                           b"")
        if reverse and is_control(head):  # the endpoint's own API, never a proxied site's
            await self._control(flow, head, client_host)
            return
        # On the endpoint everything is the service's traffic; through the forward proxy,
        # only what is addressed to it.
        if not (reverse or is_sms_voice(head)):
            self._pass_through(flow)
            return
        self._open.add(flow.id)
        if self.draining:
            raise Refused(400, ERROR_TYPE,
                          "smsvoice-sim is shutting down; the request was not handled and "
                          "nothing was sent upstream.")
        session = self.session
        if session is None:
            raise Refused(400, ERROR_TYPE, "smsvoice-sim has no cassette (set smsvoice_cassette); "
                                           "nothing was sent upstream.")
        if flow.request.method.upper() != "POST":
            flow.response = to_mitm_response(wrong_method(flow.request.method))
            return
        request = to_http_request(flow, decoded_body(flow.request))
        decision = await asyncio.to_thread(session.decide, request)
        if decision.action is not Action.FORWARD:
            assert decision.response is not None  # every answer but FORWARD carries one
            await self._wait_latency(decision.response.delay)
            flow.response = to_mitm_response(decision.response)
            return
        if not session.may_record:  # belt and braces: a decision bug still cannot forward
            raise RuntimeError(f"decide() said forward in record mode {session.record_mode.value}")
        self._redirect(flow)
        if reverse and ctx.options.smsvoice_resign:
            # Signed over the bytes that go upstream: the body as the client sent it.
            await self._resign(flow, HttpRequest(request.method, request.url,
                                                 dict(flow.request.headers.items()),
                                                 flow.request.raw_content or b""))
        flow.metadata[PENDING] = session.start(request)

    async def _control(self, flow: http.HTTPFlow, head: HttpRequest, client_host: str | None) -> None:
        """`client_host`: the Host the client sent, when known (see upstream_host_header)."""
        headers = head.headers if client_host is None else {**head.headers, "Host": client_host}
        request = HttpRequest(head.method, head.url, headers, flow.request.raw_content or b"")
        refused = guard(request, ctx.options.smsvoice_control,
                        ctx.options.smsvoice_control_token or None, check_host=client_host is not None)
        session = self.session
        route = (request.method.upper(), request.path.split("?", 1)[0].rstrip("/"))
        if refused is None and session is not None and route == ("POST", "/_smsvoice/reset"):
            await asyncio.to_thread(session.rewind)
            refused = json_response(200, {"reset": True, "rewound": True},
                                    content_type="application/json")
        if refused is None:
            health = {"cassette": str(session.cassette.path), "replayed": session.replayed,
                      "recorded": session.recorded, "missed": session.missed,
                      "simulated": session.simulated, "not_recorded": session.unrecorded} \
                if session is not None else {"cassette": None}
            refused = await asyncio.to_thread(
                handle_control, session.simulator if session else None, request,
                ctx.options.smsvoice_mode, health)
        flow.response = to_mitm_response(refused)

    async def _wait_latency(self, delay: float) -> None:
        """Injected latency, without holding anyone else up; cut short by shutdown."""
        if delay <= 0:
            return
        try:
            await asyncio.wait_for(self._stop_event().wait(), min(delay, MAX_LATENCY_S))
        except TimeoutError:
            pass

    def _stop_event(self) -> asyncio.Event:
        if self._stopping is None:
            self._stopping = asyncio.Event()
        return self._stopping

    def _may_go_upstream(self) -> bool:
        session = self.session
        return session is not None and session.may_record

    def _pass_through(self, flow: http.HTTPFlow) -> None:
        """Traffic that is not the service's: passed on while recording (a client's STS or
        SSO calls), answered here otherwise."""
        if not self._may_go_upstream() or self.draining:
            raise Refused(400, ERROR_TYPE, f"smsvoice-sim {ctx.options.smsvoice_mode}: this "
                                           "session sends nothing upstream, to any host; the "
                                           "request was not sent.")
        self._redirect(flow)

    def _redirect(self, flow: http.HTTPFlow) -> None:
        """Apply the --resolve rules (curl's) to the host mitmproxy would dial (not to the
        Host header a client may spell as it likes), compared as DNS compares names."""
        wanted = normalised_host(flow.request.host)
        for host, address, port in filter(None, map(parse_resolve, ctx.options.smsvoice_resolve)):
            if normalised_host(host) == wanted:
                original = flow.request.host_header
                flow.request.host = address
                flow.request.port = port
                flow.request.host_header = original  # the client signed this Host
                return

    async def _resign(self, flow: http.HTTPFlow, request: HttpRequest) -> None:
        if self._credentials_lock is None:
            self._credentials_lock = asyncio.Lock()
        async with self._credentials_lock:
            if self.credentials is None:
                try:
                    self.credentials = await asyncio.to_thread(recorder_credentials,
                                                               ctx.options.smsvoice_profile)
                except NoCredentials as exc:
                    raise Refused(400, "SmsVoiceSimNoCredentials", str(exc)) from None
        if self.session is not None:  # the recorder's own keys are never written either
            self.session.redactor.add_secrets(*await asyncio.to_thread(credential_secrets,
                                                                       self.credentials))
        signed = await asyncio.to_thread(resign, request, flow.request.url,
                                         region_of(request) or "us-east-1", self.credentials)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in flow.request.headers:
                del flow.request.headers[name]
        for name, value in signed.items():
            flow.request.headers[name] = value

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        """Belt and braces: no connection upstream at all while the session may not record,
        whatever the request hooks decided and whatever the host is called."""
        if self._may_go_upstream():
            return
        data.server.error = for_log("smsvoice-sim: refused a connection to the service upstream "
                                    f"{data.server.address} while the session may not record")
        log.error(data.server.error)

    # -- responses ------------------------------------------------------------
    async def response(self, flow: http.HTTPFlow) -> None:
        pending: Pending | None = flow.metadata.pop(PENDING, None)
        try:
            if pending is not None:
                await self._record(flow, pending)
        finally:
            self._open.discard(flow.id)

    async def _record(self, flow: http.HTTPFlow, pending: Pending) -> None:
        session = self.session
        resp = flow.response
        assert resp is not None  # called from the response hook
        status = resp.status_code
        try:
            if session is None:
                raise NotRecorded("the cassette was closed while the request was upstream")
            answered = HttpResponse(status, dict(resp.headers.items()), resp.get_content() or b"")
            row = await asyncio.to_thread(session.prepare, pending, answered)
            write = asyncio.ensure_future(asyncio.to_thread(session.write, row))
            self._writes.add(write)
            write.add_done_callback(self._writes.discard)
            await asyncio.shield(write)  # a cancelled flow does not cancel its write
        except NotRecorded as exc:
            log.error(self._loggable(flow, f"smsvoice-sim: {flow.request.method} "
                                           f"{flow.request.pretty_url} answered {status} but was "
                                           f"not recorded: {exc}"))
            flow.response = to_mitm_response(session.not_recorded_response(status, str(exc))
                                              if session else local_error(400, ERROR_TYPE, str(exc)))
        except Exception as exc:  # noqa: BLE001 - fail closed: the client is told, it is logged
            if session is not None:
                session.unrecorded += 1
            self._fail(flow, "response", exc, not_recorded=True)

    def error(self, flow: http.HTTPFlow) -> None:
        flow.metadata.pop(PENDING, None)  # the upstream never answered: nothing to record
        self._open.discard(flow.id)

    def _fail(self, flow: http.HTTPFlow, where: str, exc: BaseException,
              not_recorded: bool = False) -> None:
        log.error(self._loggable(flow, f"smsvoice-sim: {where} hook failed for "
                                       f"{flow.request.method} {flow.request.pretty_url}; "
                                       "answered locally"), exc_info=exc)
        what = ("the upstream's answer was NOT recorded" if not_recorded
                else "nothing was sent upstream")
        flow.response = to_mitm_response(local_error(
            400, ERROR_TYPE, f"smsvoice-sim could not handle this request "
                             f"({type(exc).__name__}: {exc}); {what}."))

    def _loggable(self, flow: http.HTTPFlow, text: str) -> str:
        """What may be printed of `flow`: scrubbed as its cassette row would be (the
        session's secrets and this request's own), control characters escaped."""
        session = self.session
        head = HttpRequest(flow.request.method, flow.request.url,
                           dict(flow.request.headers.items()), b"")
        return for_log(text, session.redactor if session else None, Redactor.secrets_of(head))

    # -- lifecycle ------------------------------------------------------------
    def running(self) -> None:
        server = ctx.master.addons.get("proxyserver")
        lines = []
        for instance in getattr(server, "servers", []):
            kind = "forward proxy" if isinstance(instance.mode, mode_specs.RegularMode) \
                else "endpoint"
            for host, port, *_ in instance.listen_addrs:
                line = (f"smsvoice-sim {ctx.options.smsvoice_mode} {kind} on http://{host}:{port} "
                        f"(cassette {ctx.options.smsvoice_cassette})")
                if line not in lines:
                    lines.append(line)
        for line in lines:
            self.announce(line)
        if self.session is None:
            log.error("smsvoice-sim: no cassette set (--set smsvoice_cassette=FILE); every "
                      "request is refused and nothing is sent upstream")

    async def drain(self, timeout: float = DRAIN_TIMEOUT_S) -> None:
        """Stop taking sms-voice requests, cut injected latency short, and wait (bounded)
        until every request already taken is answered and every write has finished."""
        self.draining = True
        self._stop_event().set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (self._open or self._writes) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)  # let the last answers go out on their connections
        if self._open or self._writes:
            log.error("smsvoice-sim: %d request(s) still open and %d write(s) unfinished after "
                      "%g s at shutdown", len(self._open), len(self._writes), timeout)

    async def done(self) -> None:
        if self._writes:
            await asyncio.wait(list(self._writes), timeout=DRAIN_TIMEOUT_S)
        session = self.session
        if session is not None:
            lost = session.cassette.lost()
            if lost is None:
                self.announce(f"{session.summary()}; cassette {session.cassette.path} holds "
                              f"{session.cassette.count()} interactions")
            else:  # never "holds N" of a file that is gone
                self.announce(session.summary())
                log.error(for_log(f"smsvoice-sim: {lost}"))
            self._close_session()


addons = [SmsVoiceAddon()]
