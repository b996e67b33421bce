"""Embed mitmproxy with the addon: a reverse-proxy endpoint and/or a forward proxy.

Connections upstream are lazy and no upstream certificate is sniffed, so
replay works with no network and no DNS: mitmproxy only dials out for a
request the addon lets through.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
from collections.abc import Callable

from mitmproxy import options
from mitmproxy.tools.dump import DumpMaster

from .addon import SmsVoiceAddon
from .redaction import Redactor, for_log


def check_free(host: str, port: int) -> None:
    """Fail fast, with the OS's reason, when a listen address is taken. SO_REUSEADDR, as
    the listener itself has it (asyncio's servers, like the stdlib's HTTP server behind
    `simulate`): a connection left from the last run (TIME_WAIT, or a client still holding
    a keep-alive connection to a process now gone) does not keep the port; a listener
    does."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def build_options(*, listen: tuple[str, int] | None, proxy_listen: tuple[str, int] | None,
                  upstream: str, confdir: str, settings: dict, ssl_insecure: bool = False) -> dict:
    modes = []
    if listen:
        modes.append(f"reverse:{upstream}@{listen[0]}:{listen[1]}")
    if proxy_listen:
        modes.append(f"regular@{proxy_listen[0]}:{proxy_listen[1]}")
    return {
        "mode": modes,
        "confdir": confdir,
        "connection_strategy": "lazy",
        "upstream_cert": False,
        "ssl_insecure": ssl_insecure,
        "keep_host_header": True,  # the addon sets the upstream's Host itself, after the
        # control API has seen the client's (addon.upstream_host_header)
        **settings,
    }


def _quiet_cancellations(loop, context) -> None:
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


class _StderrErrors(logging.Handler):
    """mitmproxy's (and the addon's) errors, one per line on stderr: the CLI keeps them on.
    Each line is scrubbed as the cassette is (with the session's redactor, from
    `redactor()`, when there is one) and its control characters escaped: an error may
    quote a request (a presigned URL, an echoed header)."""

    def __init__(self, redactor: Callable[[], Redactor | None] = lambda: None):
        super().__init__(logging.ERROR)
        self.setFormatter(logging.Formatter("%(message)s"))
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        redactor = self._redactor()
        return "\n".join(for_log(line, redactor) for line in super().format(record).split("\n"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass  # stderr is gone: nothing left to tell


def run(opts: dict, announce=None) -> None:
    """Run until SIGINT/SIGTERM; then answer (bounded) what is in flight, flush every
    write, and close the cassette."""
    async def main():
        master = DumpMaster(options.Options(), with_termlog=False, with_dumper=False)
        addon = SmsVoiceAddon(announce=announce)
        handler = _StderrErrors(lambda: addon.session.redactor if addon.session else None)
        logging.getLogger().addHandler(handler)
        master.addons.add(addon)
        master.options.update(**opts)
        loop = asyncio.get_running_loop()
        stopping: list[asyncio.Task] = []

        def stop() -> None:
            if stopping:  # a second signal: stop now
                master.shutdown()
                return
            stopping.append(asyncio.ensure_future(_drain_then(addon, master)))
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        try:
            await master.run()
        finally:
            logging.getLogger().removeHandler(handler)
        # Keep-alive client connections still open at shutdown are cancelled;
        # that is the normal end of a session, not an error worth a traceback.
        loop.set_exception_handler(_quiet_cancellations)

    asyncio.run(main())


async def _drain_then(addon: SmsVoiceAddon, master) -> None:
    try:
        await addon.drain()
    finally:
        master.shutdown()
