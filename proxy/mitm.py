"""Embed mitmproxy with the addon: a reverse-proxy endpoint and/or a forward proxy.

Connections upstream are lazy and no upstream certificate is sniffed, so
replay works with no network and no DNS: mitmproxy only dials out for a
request the addon lets through.
"""

from __future__ import annotations

import asyncio
import signal
import socket

from mitmproxy import options
from mitmproxy.tools.dump import DumpMaster

from .addon import SmsVoiceAddon

DEFAULT_CONFDIR = "~/.mitmproxy"


def check_free(host: str, port: int) -> None:
    """Fail fast, with the OS's reason, when a listen address is taken."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
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
        "keep_host_header": False,
        **settings,
    }


def _quiet_cancellations(loop, context) -> None:
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


def run(opts: dict, announce=None) -> None:
    """Run until SIGINT/SIGTERM."""
    async def main():
        master = DumpMaster(options.Options(), with_termlog=False, with_dumper=False)
        master.addons.add(SmsVoiceAddon(announce=announce))
        master.options.update(**opts)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, master.shutdown)
        await master.run()
        # Keep-alive client connections still open at shutdown are cancelled;
        # that is the normal end of a session, not an error worth a traceback.
        loop.set_exception_handler(_quiet_cancellations)

    asyncio.run(main())
