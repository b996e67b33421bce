"""A light HTTP/1.1 endpoint (keep-alive, threaded) serving any request handler.

`smsvoice-sim simulate` runs on this rather than on mitmproxy: the endpoint
only answers, it never forwards, and the stdlib server costs a fraction of
mitmproxy's per-request work (see bench/). mitmproxy stays the door for
record and replay, where interception is the point.
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.http import json_response, wait_for

MAX_BODY_BYTES = 1024 * 1024  # [inf] larger requests are refused, unparsed
MAX_DRAIN_BYTES = 16 * 1024 * 1024  # read and dropped so the client sees the answer
# A keep-alive connection that sends nothing for this long is closed, so idle clients
# cannot hold every file descriptor (and thread) the server has. Also bounds how long
# a client may stall in the middle of sending a request.
IDLE_TIMEOUT_SECONDS = 60.0
LISTEN_BACKLOG = 128  # the stdlib's 5 drops bursts of new clients


def _too_large() -> HttpResponse:
    return json_response(413, {"__type": "SerializationException",
                               "message": f"The request body is malformed or exceeds the "
                                          f"{MAX_BODY_BYTES}-byte limit."})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "smsvoice-sim"
    sys_version = ""
    answer: Callable[[HttpRequest], HttpResponse]
    quiet = True

    def setup(self) -> None:
        super().setup()  # applies `timeout` (the idle timeout) to the connection
        if hasattr(self.connection, "do_handshake"):
            self.connection.do_handshake()
        # Headers and body go out in separate writes; without this, Nagle plus
        # the client's delayed ACK adds ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _read_chunked(self) -> bytes | None:
        """A chunked body, or None when it is malformed or grows past the limit."""
        body = bytearray()
        try:
            while True:  # bounded: every chunk adds >= 1 byte, and the total is capped
                size = int(self.rfile.readline(65537).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(body)
                if len(body) + size > MAX_BODY_BYTES:
                    return None
                body += self.rfile.read(size)
                self.rfile.readline(65537)
        except ValueError:
            return None

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is too large (or malformed) to accept."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if 0 <= length <= MAX_BODY_BYTES:
            return self.rfile.read(length) if length else b""
        remaining = min(max(length, 0), MAX_DRAIN_BYTES)
        while remaining > 0:  # read and drop, so the client sees the answer
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)
        return None

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            response = _too_large()
            self.close_connection = True
        else:
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            scheme = "https" if hasattr(self.connection, "getpeercert") else "http"
            request = HttpRequest(self.command, f"{scheme}://{host}{self.path}",
                                  dict(self.headers.items()), body)
            response = self.answer(request)
            wait_for(response)
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib's name
        if not self.quiet:  # a request line can carry presigned credentials: scrubbed
            from .redaction import Redactor
            sys.stderr.write(f"{self.address_string()} - - [{self.log_date_time_string()}] "
                             f"{Redactor().scrub_text(format % args, [])}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

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
        return sim.handle(request)
    answer.exposes = exposure(control, control_token)  # type: ignore[attr-defined]
    return answer
