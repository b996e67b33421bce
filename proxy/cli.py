"""`smsvoice-sim`: simulate, record, replay, and look after cassettes.

A mistake a user can make (bad flag, port in use, missing cassette) ends in
one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .cli_cassette import add_cassette_commands, open_cassette
from .usage import UsageError


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


def parse_credentials(value: str) -> tuple[str, str, str | None]:
    parts = value.split(":")
    if len(parts) not in (2, 3) or not all(parts[:2]) or (
            len(parts) == 3 and not (parts[2].isdigit() and len(parts[2]) == 12)):
        raise argparse.ArgumentTypeError(f"{value!r}: use AKID:SECRET or AKID:SECRET:ACCOUNT")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


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
    parser.add_argument("--verify-sigv4", action="store_true",
                        help="check SigV4 signatures for real (needs --credentials)")
    parser.add_argument("--credentials", action="append", type=parse_credentials, default=[],
                        metavar="AKID:SECRET[:ACCOUNT]",
                        help="a key pair the service accepts, optionally mapped to an account")


def build_simulator(args):
    from smsvoice_sim.simulator import Simulator
    if args.verify_sigv4 and not args.credentials:
        raise UsageError("--verify-sigv4 needs at least one --credentials AKID:SECRET")
    accounts = dict(args.account)
    accounts.update({akid: account for akid, _secret, account in args.credentials if account})
    timings = None
    if getattr(args, "timings_from", None):
        with open_cassette(args.timings_from) as cassette:
            timings = list(cassette.observations())
    try:
        return Simulator(clock=args.clock, seed=args.seed, durations=dict(args.duration),
                         accounts=accounts, verify_sigv4=args.verify_sigv4,
                         credentials={akid: secret for akid, secret, _ in args.credentials},
                         rate_limits=getattr(args, "rate_limits", False), timings_from=timings,
                         state_file=getattr(args, "state", None))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_simulate(args) -> int:
    from .http_server import EndpointServer, simulator_answer
    sim = build_simulator(args)
    host, port = args.listen
    try:
        server = EndpointServer(simulator_answer(sim, control=not args.no_control,
                                                 control_token=args.control_token),
                                host, port, quiet=not args.verbose)
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


def _proxy_settings(args, mode: str) -> dict:
    return {
        "smsvoice_cassette": str(args.cassette), "smsvoice_mode": mode,
        "smsvoice_record_mode": getattr(args, "record_mode", "none"),
        "smsvoice_on_exhausted": getattr(args, "on_exhausted", "repeat"),
        "smsvoice_ignore": list(args.ignore), "smsvoice_redact": list(args.redact),
        "smsvoice_pseudonymise": args.pseudonymise, "smsvoice_resign": not args.no_resign,
        "smsvoice_profile": args.profile or "",
        "smsvoice_resolve": list(args.resolve),
        "smsvoice_on_miss": getattr(args, "on_miss", "error"),
        "smsvoice_sim_clock": getattr(args, "clock", "real"),
        "smsvoice_sim_seed": getattr(args, "seed", None),
        "smsvoice_control": not args.no_control,
        "smsvoice_control_token": args.control_token or "",
    }


def _run_proxy(args, mode: str) -> int:
    from mitmproxy import exceptions

    from . import mitm
    if not args.listen and not args.proxy_listen:
        raise UsageError("give --listen HOST:PORT (endpoint) and/or --proxy-listen HOST:PORT "
                         "(forward proxy)")
    for addr in filter(None, (args.listen, args.proxy_listen)):
        try:
            mitm.check_free(*addr)
        except OSError as exc:
            raise UsageError(f"cannot listen on {addr[0]}:{addr[1]}: {exc.strerror or exc}") from None
    if mode == "replay" and args.record_mode == "none" and not Path(args.cassette).exists():
        raise UsageError(f"cassette {args.cassette} does not exist; record it first with "
                         f"`smsvoice-sim record --cassette {args.cassette} ...`")
    upstream = args.upstream or f"https://sms-voice.{args.region}.amazonaws.com"
    opts = mitm.build_options(listen=args.listen, proxy_listen=args.proxy_listen,
                              upstream=upstream, confdir=args.confdir,
                              settings=_proxy_settings(args, mode), ssl_insecure=args.ssl_insecure)
    try:
        mitm.run(opts)
    except exceptions.OptionsError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_record(args) -> int:
    return _run_proxy(args, "record")


def cmd_replay(args) -> int:
    return _run_proxy(args, "replay")


def cmd_diagram(args) -> int:
    from smsvoice_sim.simulator import Simulator
    from smsvoice_sim.simulator.diagram import all_diagrams, mermaid
    lifecycles = Simulator().lifecycles
    if args.kind:
        if args.kind not in lifecycles.machines:
            raise UsageError(f"no lifecycle {args.kind!r}: use {', '.join(lifecycles.machines)}")
        print(mermaid(lifecycles, args.kind))
    else:
        print(all_diagrams(lifecycles))
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
    sim.add_argument("--state", metavar="FILE",
                     help="keep every resource and the clock in this SQLite file; a restart "
                          "continues where it stopped")
    sim.add_argument("--rate-limits", action="store_true",
                     help="enforce AWS's published 1 request/s for CreatePool, DeletePool, "
                          "DescribePools and AssociateOriginationIdentity (ThrottlingException)")
    sim.add_argument("--timings-from", metavar="CASSETTE",
                     help="lifecycle durations learned from a recording (use with --clock real)")
    sim.add_argument("--no-control", action="store_true", help="turn the /_smsvoice/ API off")
    sim.add_argument("--control-token", metavar="TOKEN",
                     help="require this token in the X-SmsVoice-Sim-Token header of control calls")
    sim.add_argument("-v", "--verbose", action="store_true", help="log every request")
    sim.set_defaults(func=cmd_simulate)

    for name, help_text in (
            ("record", "record real traffic into a cassette through mitmproxy"),
            ("replay", "answer from a cassette, offline, through mitmproxy")):
        cmd = sub.add_parser(name, help=help_text, description=help_text.capitalize() + ".")
        cmd.add_argument("--cassette", required=True, type=Path, help="cassette file (SQLite)")
        cmd.add_argument("--listen", type=parse_listen, metavar="HOST:PORT",
                         help="serve as the client's endpoint_url (reverse proxy)")
        cmd.add_argument("--proxy-listen", type=parse_listen, metavar="HOST:PORT",
                         help="serve as a forward HTTPS proxy (HTTPS_PROXY + AWS_CA_BUNDLE)")
        cmd.add_argument("--upstream", metavar="URL",
                         help="where requests go upstream (default "
                              "https://sms-voice.REGION.amazonaws.com)")
        cmd.add_argument("--region", default="us-east-1", help="picks the default upstream")
        cmd.add_argument("--profile", help="AWS profile whose credentials re-sign upstream "
                                           "requests in reverse mode")
        cmd.add_argument("--no-resign", action="store_true",
                         help="forward the client's own signature unchanged")
        cmd.add_argument("--confdir", default="~/.mitmproxy",
                         help="mitmproxy's folder; its CA is mitmproxy-ca-cert.pem there")
        cmd.add_argument("--ignore", action="append", default=[], metavar="MEMBER",
                         help="request member to ignore when matching (repeatable)")
        cmd.add_argument("--redact", action="append", default=[], metavar="REGEX",
                         help="extra pattern scrubbed before writing (repeatable)")
        cmd.add_argument("--pseudonymise", action="store_true",
                         help="replace account ids and phone numbers with consistent pseudonyms")
        cmd.add_argument("--resolve", action="append", default=[], metavar="HOST=ADDRESS:PORT",
                         help="send upstream requests for HOST to ADDRESS:PORT (curl's --resolve)")
        cmd.add_argument("--no-control", action="store_true",
                         help="turn the /_smsvoice/ API of the endpoint off")
        cmd.add_argument("--control-token", metavar="TOKEN",
                         help="require this token in the X-SmsVoice-Sim-Token header of control "
                              "calls")
        cmd.add_argument("--ssl-insecure", action="store_true",
                         help="do not verify the upstream's certificate (local test upstreams)")
        if name == "replay":
            cmd.add_argument("--record-mode", default="none",
                             choices=["none", "once", "new_episodes", "all"],
                             help="VCR's record modes; none (default) is pure replay")
            cmd.add_argument("--on-exhausted", default="repeat", choices=["repeat", "error"],
                             help="when a polling sequence is used up: repeat the last response "
                                  "(default) or answer a miss")
            cmd.add_argument("--on-miss", default="error", choices=["error", "simulate"],
                             help="answer what the cassette lacks with an error (default) or with "
                                  "the simulator, which adopts what was replayed")
            cmd.add_argument("--clock", default="real",
                             help="the simulator's clock with --on-miss simulate")
            cmd.add_argument("--seed", type=int, help="the simulator's seed with --on-miss simulate")
        cmd.set_defaults(func=cmd_record if name == "record" else cmd_replay)

    add_cassette_commands(sub)

    diagram = sub.add_parser("diagram", help="the lifecycle state machines as Mermaid",
                             description="Print the simulator's lifecycle machines as Mermaid "
                                         "state diagrams, drawn by transitions from the machines "
                                         "it runs.")
    diagram.add_argument("--kind", help="pool or phone-number (default: every lifecycle, as "
                                        "Markdown mermaid blocks)")
    diagram.set_defaults(func=cmd_diagram)

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
    except BrokenPipeError:  # e.g. `cassette export C | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
