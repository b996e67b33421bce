"""A light HTTP/1.1 endpoint (keep-alive, threaded) serving any request handler.

`smsvoice-sim simulate` runs on this rather than on mitmproxy: the endpoint
only answers, it never forwards, and the stdlib server costs a fraction of
mitmproxy's per-request work (see bench/). mitmproxy stays the door for
record and replay, where interception is the point.

Many clients share one process, so the GIL is what they queue for (the simulator's lock is
held ~0.1 ms a request and almost never waited on: bench/b8_concurrency.py). The door keeps
its own share small: an ordinary request's head is read without the stdlib's email parser
(the parser still reads anything unusual, exactly as before), and an answer leaves in one
write, so a client is woken once and the thread gives up the GIL once per answer.
"""

from __future__ import annotations

import errno
import io
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.http import json_response, wait_for
from smsvoice_sim.simulator.wire.json_read import max_request_bytes

# A body over max_request_bytes() (the model's largest attachment as base64, plus headroom;
# wire/json_read.py) is refused unparsed, 413; up to this much of it is read and dropped so
# the client sees the answer rather than a reset.
MAX_DRAIN_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 4096  # a chunk-size or trailer line; longer is malformed
MAX_TRAILER_LINES = 64
# A chunk size is hex digits (RFC 9112 7.1): no sign, no spaces inside, no "0x"; eight
# significant digits are more than the limit allows, so more is refused unread.
_CHUNK_SIZE = re.compile(rb"0*([0-9A-Fa-f]{1,8})")
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
# A keep-alive connection that sends nothing for this long is closed, so idle clients
# cannot hold every file descriptor (and thread) the server has. Also bounds how long
# a client may stall in the middle of sending a request.
IDLE_TIMEOUT_SECONDS = 60.0
LISTEN_BACKLOG = 128  # the stdlib's 5 drops bursts of new clients
MAX_SIMPLE_HEADERS = 100  # as http.client: more goes to the stdlib, which refuses it (431)
# A request line and header lines the stdlib's parser would read the same way: one space
# between method, target and version; header names that are tokens, printable ASCII values.
_SIMPLE_REQUEST_LINE = re.compile(rb"([A-Za-z]+) (/[\x21-\x7e]*) (HTTP/1\.[01])\r?\n")
_SIMPLE_HEADER_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\x20-\x7e\t]*)\r?\n")


def _serialization_error(status: int, message: str) -> HttpResponse:
    return json_response(status, {"__type": "SerializationException", "message": message},
                         {"x-amzn-ErrorType": "SerializationException"})


def too_large_message() -> str:
    """What every door says of a body over the limit (413)."""
    return (f"The request body is malformed or exceeds the {max_request_bytes()}-byte limit "
            "(the largest attachment the service model allows, as base64, and the rest of "
            "the request).")


def _too_large() -> HttpResponse:
    return _serialization_error(413, too_large_message())


def _malformed(what: str) -> HttpResponse:
    return _serialization_error(400, f"The request is malformed: {what}.")


def wrong_method(method: str) -> HttpResponse:
    """What every door answers a method other than POST on the service's endpoint.
    [inf] The service's operations are all POST / (AWS JSON 1.0); what AWS answers other
    methods on its endpoint is not documented. This mirrors the unknown-operation answer."""
    error_type = "UnknownOperationException"
    return json_response(400, {"__type": error_type, "message": (
        f"smsvoice-sim: {method.upper()} runs no operation; this service's operations are "
        "POST requests with an X-Amz-Target header.")}, {"x-amzn-ErrorType": error_type})


def simple_head(buffered: bytes) -> tuple[list[tuple[str, str]], int] | None:
    """The header lines at the start of `buffered`, as (name, value) pairs, and how many
    bytes they take with the blank line that ends them; None if any line is not simple
    (the stdlib's parser reads those) or the blank line has not arrived."""
    items: list[tuple[str, str]] = []
    at = 0
    while not buffered.startswith((b"\r\n", b"\n"), at):
        line = _SIMPLE_HEADER_LINE.match(buffered, at)
        if line is None or len(items) == MAX_SIMPLE_HEADERS:
            return None
        items.append((line[1].decode("ascii"), line[2].decode("ascii")))
        at = line.end()
    return items, at + (2 if buffered.startswith(b"\r\n", at) else 1)


class _SimpleHeaders:
    """A request's header lines as http.client's parser gives simple ones: the first value
    of a name (any case) by `get`, all by `get_all`, every (name, value) by `items`."""

    def __init__(self, items: list[tuple[str, str]]):
        self._items = items

    def get(self, name: str, default=None):
        name = name.lower()
        return next((value for key, value in self._items if key.lower() == name), default)

    def get_all(self, name: str, failobj=None):
        name = name.lower()
        return [value for key, value in self._items if key.lower() == name] or failobj

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __getitem__(self, name: str):
        return self.get(name)

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None


class _Refused(Exception):
    """A request body this door will not read (further): answered with `response`, and
    the connection closed."""

    def __init__(self, response: HttpResponse):
        super().__init__(response.status)
        self.response = response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "smsvoice-sim"
    sys_version = ""
    answer: Callable[[HttpRequest], HttpResponse]
    quiet = True
    # What the stdlib gives this handler, more precisely than its base class says:
    rfile: io.BufferedReader  # socket.makefile("rb") with the default (-1) buffer: it peeks
    server: _Server

    def setup(self) -> None:
        super().setup()  # applies `timeout` (the idle timeout) to the connection
        if hasattr(self.connection, "do_handshake"):
            self.connection.do_handshake()
        # Headers and body go out in separate writes; without this, Nagle plus
        # the client's delayed ACK adds ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __getattr__(self, name: str):
        # The stdlib answers a method it has no do_<METHOD> for with an HTML 501 page; here
        # every method (OPTIONS, TRACE, anything) gets the service's JSON answer.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def parse_request(self) -> bool:
        """The request line and headers: an ordinary request (HTTP/1.x, every header line
        simple, the whole head already received) is read here; anything else by the stdlib,
        whose every check and refusal stands."""
        simple = _SIMPLE_REQUEST_LINE.fullmatch(self.raw_requestline)
        if simple is None or simple[2].startswith(b"//"):
            return super().parse_request()
        headers = self._simple_headers()
        if headers is None:
            return super().parse_request()
        self.command, self.path, self.request_version = (part.decode("ascii") for part in simple.groups())
        self.requestline = self.raw_requestline.decode("ascii").rstrip("\r\n")
        # Not a Message: the stdlib's own code does not read it once the head is parsed, and
        # this module reads only what _SimpleHeaders gives as http.client's Message does.
        self.headers = cast(Message, headers)
        connection = headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive")
        if (headers.get("Expect", "").lower() == "100-continue"
                and self.request_version == "HTTP/1.1"):
            return self.handle_expect_100()
        return True

    def _simple_headers(self) -> _SimpleHeaders | None:
        """The header lines, if all are simple and all have arrived (what the reader has
        buffered is looked at, not consumed, until they are); None leaves them unread."""
        simple = simple_head(self.rfile.peek(MAX_LINE_BYTES))
        if simple is None:
            return None
        items, length = simple
        self.rfile.read(length)
        return _SimpleHeaders(items)

    def _read_line(self, what: str) -> bytes:
        line = self.rfile.readline(MAX_LINE_BYTES + 1)
        if not line.endswith(b"\n"):  # the client hung up, or the line is too long
            raise _Refused(_malformed(f"{what} is cut short or longer than {MAX_LINE_BYTES} bytes"))
        return line

    def _read_chunked(self) -> bytes:
        """A chunked body, parsed strictly; refused (413) as soon as a chunk size says it
        would pass the limit, before any of that chunk is read."""
        body = bytearray()
        while True:  # bounded: every chunk adds >= 1 byte, and the total is capped
            text = self._read_line("a chunk size").split(b";", 1)[0].strip()  # extensions go
            hex_size = _CHUNK_SIZE.fullmatch(text)
            if hex_size is None:
                raise _Refused(_too_large() if re.fullmatch(rb"0*[0-9A-Fa-f]{9,}", text)
                               else _malformed(f"chunk size {text[:20]!r} is not hexadecimal"))
            size = int(hex_size.group(1), 16)
            if len(body) + size > max_request_bytes():
                raise _Refused(_too_large())
            if size == 0:
                return self._read_trailers(bytes(body))
            chunk = self.rfile.read(size)
            if len(chunk) != size or self._read_line("a chunk's end") not in (b"\r\n", b"\n"):
                raise _Refused(_malformed("a chunk is shorter or longer than its size"))
            body += chunk

    def _read_trailers(self, body: bytes) -> bytes:
        for _ in range(MAX_TRAILER_LINES):
            if self._read_line("a trailer") in (b"\r\n", b"\n"):
                return body
        raise _Refused(_malformed(f"more than {MAX_TRAILER_LINES} trailer lines"))

    def _read_body(self) -> bytes:
        """The request body; _Refused when it is too large or malformed."""
        codings = self.headers.get("Transfer-Encoding")
        if codings is not None:
            if codings.rsplit(",", 1)[-1].strip().lower() != "chunked":
                raise _Refused(_malformed(f"Transfer-Encoding {codings[:40]!r} does not end in "
                                          "chunked"))
            self.close_connection = True  # with Content-Length too, the framing is suspect
            return self._read_chunked()
        lengths = set(self.headers.get_all("Content-Length") or ["0"])
        length = lengths.pop().strip() if len(lengths) == 1 else ""
        if not _CONTENT_LENGTH.fullmatch(length):
            raise _Refused(_malformed("Content-Length is not one decimal number"))
        if int(length) <= max_request_bytes():
            body = self.rfile.read(int(length)) if int(length) else b""
            if len(body) != int(length):
                raise _Refused(_malformed("the body is shorter than its Content-Length"))
            return body
        self._drain(int(length))
        raise _Refused(_too_large())

    def _drain(self, length: int) -> None:
        """Read and drop (bounded), so the client sees the answer rather than a reset."""
        remaining = min(length, MAX_DRAIN_BYTES)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _Refused as refused:
            self.close_connection = True
            self._respond(refused.response)
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        scheme = "https" if hasattr(self.connection, "getpeercert") else "http"
        request = HttpRequest(self.command, f"{scheme}://{host}{self.path}",
                              dict(self.headers.items()), body)
        response = self.answer(request)
        wait_for(response)
        self._respond(response)

    def _respond(self, response: HttpResponse) -> None:
        """Status line, headers and body in one write (HTTP/0.9: the body alone)."""
        self.log_request(response.status)
        body = b"" if self.command == "HEAD" else response.body
        if self.request_version == "HTTP/0.9":
            self.wfile.write(body)
            return
        reason = self.responses.get(response.status, ("",))[0]
        head = [f"{self.protocol_version} {response.status} {reason}",
                f"Server: {self.version_string()}", f"Date: {self.date_time_string()}"]
        head += [f"{name}: {value}" for name, value in response.headers.items()
                 if name.lower() not in ("content-length", "connection", "date", "server")]
        if self.close_connection:
            head.append("Connection: close")
        head.append(f"Content-Length: {len(response.body)}")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "strict") + body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the stdlib answers a request it cannot parse (request line, version, header
        sizes), as the service's JSON error instead of an HTML page."""
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        short = self.responses.get(code, ("Bad request",))[0]
        self._respond(_serialization_error(code, f"The request is malformed: {message or short}."))

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib's name
        if not self.quiet:  # a request line can carry presigned credentials and terminal
            # control sequences: scrubbed as the cassette is, then escaped
            from .redaction import for_log
            sys.stderr.write(f"{self.address_string()} - - [{self.log_date_time_string()}] "
                             f"{for_log(format % args)}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG
    server_address: tuple[str, int]  # an AF_INET socket's name (ThreadingHTTPServer's family)

    def server_bind(self) -> None:
        self.connections: set[socket.socket] = set()  # open, so that close() can end them
        self.connections_lock = threading.Lock()
        super().server_bind()

    def process_request(self, request, client_address) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every kept-alive connection: a stopped server answers nobody, as a stopped
        process would (a browser page then sees it gone and reconnects to the next one)."""
        with self.connections_lock:
            found = list(self.connections)
        for connection in found:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone

    def get_request(self):
        try:
            return super().get_request()
        except OSError as exc:
            # Out of file descriptors: the listening socket stays readable, so without
            # a pause the accept loop would spin; idle connections time out meanwhile.
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                time.sleep(0.05)
            raise

    def handle_error(self, request, client_address) -> None:
        # A client that vanished, timed out or failed its TLS handshake is not news.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class EndpointServer:
    """Serve `answer` on host:port in a background thread until `close()`."""

    def __init__(self, answer: Callable[[HttpRequest], HttpResponse], host: str = "127.0.0.1",
                 port: int = 0, quiet: bool = True, tls: tuple[str, str] | None = None,
                 idle_timeout: float = IDLE_TIMEOUT_SECONDS, warn=None):
        """`tls` = (certfile, keyfile) serves HTTPS, e.g. a stand-in for an AWS host.
        `idle_timeout`: seconds a connection may stay silent before it is closed.
        Listening beyond loopback prints a warning (to `warn`, default stderr) that
        says what is exposed: the `exposes` attribute of `answer` if it has one."""
        if not idle_timeout > 0 or idle_timeout == float("inf"):
            raise ValueError(f"idle_timeout must be a positive number of seconds, not {idle_timeout}")
        handler = type("Handler", (_Handler,), {"answer": staticmethod(answer), "quiet": quiet,
                                                "timeout": idle_timeout})
        self.httpd = _Server((host, port), handler)
        self.scheme = "http"
        if tls:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            # The handshake happens in the connection's thread, under its idle timeout:
            # a client that connects and says nothing cannot stall the accept loop.
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True,
                                                    do_handshake_on_connect=False)
            self.scheme = "https"
        self._thread: threading.Thread | None = None
        from .control import listen_warning
        warning = listen_warning(host, self.port, getattr(answer, "exposes", "everything it serves"))
        if warning:
            (warn or (lambda line: print(line, file=sys.stderr, flush=True)))(warning)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.httpd.server_address[0]}:{self.port}"

    def start(self) -> EndpointServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.close_connections()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> EndpointServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def simulator_answer(sim, mode: str = "simulate", control: bool = True,
                     control_token: str | None = None) -> Callable[[HttpRequest], HttpResponse]:
    """The simulate endpoint: the control API (unless turned off), else the service."""
    from .control import exposure, guard, handle_control, is_control

    def answer(request: HttpRequest) -> HttpResponse:
        if is_control(request):
            refused = guard(request, control, control_token, check_host=True)
            return refused or handle_control(sim, request, mode)
        if request.method.upper() != "POST":  # as the mitmproxy doors answer it
            return wrong_method(request.method)
        return sim.handle(request)
    answer.exposes = exposure(control, control_token)  # type: ignore[attr-defined]
    return answer
