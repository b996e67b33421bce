"""`smsvoice-sim`: simulate, record, replay, and look after cassettes.

A mistake a user can make (bad flag, port in use, missing cassette) ends in
one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading


class UsageError(Exception):
    """A problem the user can fix; printed as one line."""


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    try:
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST:PORT") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port {number} is out of range")
    return (host.strip("[]") or "127.0.0.1"), number


def parse_duration(value: str) -> tuple[str, float]:
    key, sep, seconds = value.partition("=")
    try:
        if not sep or ":" not in key:
            raise ValueError
        return key, float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: use KIND:FROM->TO=SECONDS, e.g. pool:CREATING->ACTIVE=30") from None


def parse_account(value: str) -> tuple[str, str]:
    key, sep, account = value.partition("=")
    if not sep or not account.isdigit() or len(account) != 12:
        raise argparse.ArgumentTypeError(f"{value!r}: use ACCESS_KEY_ID=123456789012")
    return key, account


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM, without sleeping in a loop."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def add_simulator_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clock", default="real",
                        help="real (default), manual, instant, or reads:N")
    parser.add_argument("--seed", type=int, help="same seed, same ids: reproducible runs")
    parser.add_argument("--duration", action="append", type=parse_duration, default=[],
                        metavar="KIND:FROM->TO=SECONDS",
                        help="override a lifecycle step, e.g. pool:CREATING->ACTIVE=30")
    parser.add_argument("--account", action="append", type=parse_account, default=[],
                        metavar="AKID=ACCOUNT", help="map an access key id to an account id")


def build_simulator(args):
    from simulator import Simulator
    try:
        return Simulator(clock=args.clock, seed=args.seed, durations=dict(args.duration),
                         accounts=dict(args.account))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_simulate(args) -> int:
    from .http_server import EndpointServer, simulator_answer
    sim = build_simulator(args)
    host, port = args.listen
    try:
        server = EndpointServer(simulator_answer(sim), host, port, quiet=not args.verbose)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    print(f"smsvoice-sim simulating on {server.url} (clock={sim.clock.mode}); "
          f"control API at {server.url}/_smsvoice/", flush=True)
    server.start()
    try:
        wait_for_signal()
    finally:
        server.close()
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo
    return run_demo()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smsvoice-sim",
        description="Record, replay and simulate AWS End User Messaging SMS and Voice v2 "
                    "(pinpoint-sms-voice-v2).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    sim = sub.add_parser("simulate", help="serve a simulated service on an HTTP endpoint",
                         description="Serve the simulated service for "
                                     "endpoint_url=http://HOST:PORT (or "
                                     "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2).")
    sim.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 4566 + 300),
                     metavar="HOST:PORT", help="where to listen (default 127.0.0.1:4866)")
    add_simulator_options(sim)
    sim.add_argument("-v", "--verbose", action="store_true", help="log every request")
    sim.set_defaults(func=cmd_simulate)

    demo = sub.add_parser("demo", help="an offline walk through a pool's life (no AWS account)")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"smsvoice-sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
