"""`smsvoice-sim`: simulate, record, replay, and look after cassettes.

A mistake a user can make (bad flag, port in use, missing cassette) ends in
one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import math
import os
import signal
import sys
import threading
from pathlib import Path

from smsvoice_sim.simulator.gates.sandbox import DEFAULT_TIER, TIERS

from .cli_cassette import add_cassette_commands, read_observations
from .cli_inbound import INBOUND_OPTIONS, cmd_inbound
from .clock_hint import watch_manual_clock
from .control import listen_warning, proxy_exposure
from .settings import Mode, RecordMode, SessionSettings, add_cli_options, clock_spec, quota_setting, seconds
from .settings import from_args as settings_from_args
from .usage import UsageError, arg, parse_endpoint_url

DEFAULT_CONFDIR = "~/.mitmproxy"


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (exit 2), as every other CLI error,
    led by the command it was made in (`smsvoice-sim simulate: error: ...`)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class CommandParser(Parser):
    """A subcommand's parser. argparse hands the arguments a subcommand does not know up to
    the top parser, whose error then reads `smsvoice-sim: error:` and names no subcommand;
    here the subcommand that was given them says so, and suggests what was meant."""

    def parse_known_args(self, args=None, namespace=None):
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}{self._did_you_mean(extras)}")
        return parsed, extras

    def _did_you_mean(self, extras: list[str]) -> str:
        known = [flag for action in self._actions for flag in action.option_strings]
        for extra in extras:
            if extra.startswith("--"):
                close = difflib.get_close_matches(extra.partition("=")[0], known, n=1)
                if close:
                    return f" (did you mean {close[0]}?)"
        return ""


def package_version() -> str:
    """The installed distribution's version: pyproject.toml is its one source."""
    try:
        return importlib.metadata.version("smsvoice-sim")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


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
        number = float(seconds)
        if not sep or ":" not in key:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: use KIND:FROM->TO=SECONDS, e.g. pool:CREATING->ACTIVE=30") from None
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"{value!r}: SECONDS must be a finite number >= 0")
    return key, number


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


SIMULATOR_OPTIONS = (
    arg("--clock", default="real", type=clock_spec,
        help="real (default), manual, instant, or reads:N"),
    arg("--seed", type=int, help="same seed, same ids: reproducible runs"),
    arg("--duration", action="append", type=parse_duration, default=[],
        metavar="KIND:FROM->TO=SECONDS",
        help="override a lifecycle step, e.g. pool:CREATING->ACTIVE=30"),
    arg("--quota", action="append", type=quota_setting, default=[], metavar="NAME=N",
        help="set one of the simulator's quotas, e.g. SENDER_IDS=100 (repeatable; the README "
             "lists them: documented ones as AWS documents, the others high)"),
    arg("--account", action="append", type=parse_account, default=[], metavar="AKID=ACCOUNT",
        help="map an access key id to an account id"),
    arg("--verify-sigv4", action="store_true",
        help="check SigV4 signatures for real (needs --credentials)"),
    arg("--credentials", action="append", type=parse_credentials, default=[],
        metavar="AKID:SECRET[:ACCOUNT]",
        help="a key pair the service accepts, optionally mapped to an account"),
    arg("--events-endpoint-url", metavar="URL", type=parse_endpoint_url,
        help="deliver delivery events to the SNS / Firehose / CloudWatch Logs at this endpoint "
             "(e.g. a local moto_server); they always go to GET /_smsvoice/events"),
    arg("--allow-real-aws-events", action="store_true",
        help="let delivery events go to real AWS (off: an amazonaws.com endpoint is refused)"),
    arg("--account-tier", choices=TIERS, default=DEFAULT_TIER,
        help=f"every account's tier (default {DEFAULT_TIER}); SANDBOX sends only to verified "
             "destination numbers and spends at most $1 a month"),
    arg("--region-allow", action="append", default=[], metavar="NAME",
        help="also answer in this region (repeatable); by default only the regions botocore "
             "lists for the service are answered, others get InvalidSignatureException"),
    arg("--registration-catalogue", action="append", default=[], metavar="FILE",
        help="registration forms (JSON: the three DescribeRegistration* outputs) added to the "
             "built-in catalogue; repeatable"),
    arg("--strict-registration-submit", action="store_true",
        help="refuse SubmitRegistrationVersion of an incomplete form (ValidationException), as the "
             "service model reads (off: AWS accepts it and its review denies the version)"),
    arg("--registration-versions-inherit", action="store_true",
        help="start a new registration version from the previous one's answers (off: empty, as AWS)"),
    arg("--drop-answered-keywords", action="store_true",
        help="do not publish to the two-way topic the keywords the service answered itself (HELP, "
             "STOP, opt-out words while AWS manages opt-outs); AWS does not say which it does"),
)

SIMULATE_OPTIONS = (
    arg("--listen", type=parse_listen, default=("127.0.0.1", 4566 + 300), metavar="HOST:PORT",
        help="where to listen (default 127.0.0.1:4866)"),
    *SIMULATOR_OPTIONS,
    arg("--state", metavar="FILE",
        help="keep every resource and the clock in this SQLite file; a restart continues where "
             "it stopped"),
    arg("--rate-limits", action="store_true",
        help="enforce AWS's published 1 request/s for CreatePool, DeletePool, DescribePools and "
             "AssociateOriginationIdentity (ThrottlingException)"),
    arg("--timings-from", metavar="CASSETTE",
        help="lifecycle durations learned from a recording (use with --clock real)"),
    arg("--no-control", action="store_true", help="turn the /_smsvoice/ API off"),
    arg("--control-token", metavar="TOKEN",
        help="require this token in the X-SmsVoice-Sim-Token header of control calls"),
    arg("--idle-timeout", type=seconds, default=60.0, metavar="SECONDS",
        help="close a keep-alive connection silent this long (default 60), so idle clients "
             "cannot hold every file descriptor"),
    arg("-v", "--verbose", action="store_true", help="log every request"),
)

# The doors' own flags; the session's options come from settings.SessionSettings.
PROXY_OPTIONS = (
    arg("--cassette", required=True, type=Path, help="cassette file (SQLite)"),
    arg("--listen", type=parse_listen, metavar="HOST:PORT",
        help="serve as the client's endpoint_url (reverse proxy)"),
    arg("--proxy-listen", type=parse_listen, metavar="HOST:PORT",
        help="serve as a forward HTTPS proxy (HTTPS_PROXY + AWS_CA_BUNDLE)"),
    arg("--upstream", metavar="URL",
        help="where requests go upstream (default https://sms-voice.REGION.amazonaws.com)"),
    arg("--region", default="us-east-1", help="picks the default upstream"),
    arg("--confdir", default=DEFAULT_CONFDIR,
        help="mitmproxy's folder; its CA is mitmproxy-ca-cert.pem there"),
    arg("--ssl-insecure", action="store_true",
        help="do not verify the upstream's certificate (local test upstreams)"),
)


def add_options(parser: argparse.ArgumentParser, options) -> None:
    for flags, kwargs in options:
        parser.add_argument(*flags, **kwargs)


def build_simulator(args):
    from smsvoice_sim.simulator import Simulator
    if args.verify_sigv4 and not args.credentials:
        raise UsageError("--verify-sigv4 needs at least one --credentials AKID:SECRET")
    accounts = dict(args.account)
    accounts.update({akid: account for akid, _secret, account in args.credentials if account})
    timings = None
    if getattr(args, "timings_from", None):
        timings = read_observations(args.timings_from)
    try:
        return Simulator(clock=args.clock, seed=args.seed, durations=dict(args.duration),
                         quotas=dict(args.quota),
                         accounts=accounts, verify_sigv4=args.verify_sigv4,
                         credentials={akid: secret for akid, secret, _ in args.credentials},
                         rate_limits=getattr(args, "rate_limits", False), timings_from=timings,
                         state_file=getattr(args, "state", None),
                         events_endpoint_url=args.events_endpoint_url,
                         allow_real_aws_events=args.allow_real_aws_events,
                         account_tier=args.account_tier,
                         registration_catalogue=args.registration_catalogue or None,
                         extra_regions=args.region_allow,
                         strict_registration_submit=args.strict_registration_submit,
                         registration_versions_inherit=args.registration_versions_inherit,
                         publish_answered_keywords=not args.drop_answered_keywords)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_simulate(args) -> int:
    from .http_server import EndpointServer, simulator_answer
    sim = build_simulator(args)
    watch_manual_clock(sim, lambda hint: print(hint, file=sys.stderr, flush=True))
    host, port = args.listen
    try:
        server = EndpointServer(simulator_answer(sim, control=not args.no_control,
                                                 control_token=args.control_token),
                                host, port, quiet=not args.verbose,
                                idle_timeout=args.idle_timeout)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    ticker = None
    if args.events_endpoint_url and sim.clock.mode != "manual":
        # A clock that moves by itself: events fall due while nobody calls in.
        ticker = sim.start_event_ticker()
    control = "the control API is off" if args.no_control else \
        f"control API at {server.url}/_smsvoice/; inspector at {server.url}/_smsvoice/ui/"
    print(f"smsvoice-sim simulating on {server.url} (clock={sim.clock.mode}); {control}", flush=True)
    server.start()
    try:
        wait_for_signal()
    finally:
        server.close()  # no request is running: the ticker and the --state file may go
        if ticker is not None:
            ticker.stop()
        sim.close()
    return 0


def _run_proxy(args, mode: Mode) -> int:
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
    settings = settings_from_args(args, mode)
    check_cassette(settings)
    exposes = proxy_exposure(mode.value, settings.control, settings.control_token or None,
                             settings.resign)
    for host, port in filter(None, (args.listen, args.proxy_listen)):
        warning = listen_warning(host, port, exposes)
        if warning:
            print(warning, file=sys.stderr, flush=True)
    confdir = Path(args.confdir).expanduser()
    try:  # mitmproxy would log it, print a traceback, and stop with nothing said on stdout
        confdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--confdir {args.confdir}: cannot make mitmproxy's folder there: "
                         f"{exc.strerror or exc}") from None
    upstream = args.upstream or f"https://sms-voice.{args.region}.amazonaws.com"
    opts = mitm.build_options(listen=args.listen, proxy_listen=args.proxy_listen,
                              upstream=upstream, confdir=args.confdir,
                              settings=settings.to_mitm(), ssl_insecure=args.ssl_insecure)
    try:
        mitm.run(opts)
    except exceptions.OptionsError as exc:
        raise UsageError(str(exc)) from None
    # The cassette is closed and every write committed. Tearing down the interpreter
    # (mitmproxy, botocore's models, the simulator) takes seconds on a busy machine; a
    # proxy told to stop should be gone at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def check_cassette(settings: SessionSettings) -> None:
    """Open the cassette as the addon will, before mitmproxy starts, so every problem is
    one line that names it (not a mitmproxy start-up log)."""
    import sqlite3

    from .cassette import CassetteError
    from .session import CassetteSession
    path = Path(settings.cassette)
    record_mode = settings.effective_record_mode
    if record_mode == RecordMode.NONE and not path.exists():
        raise UsageError(f"cassette {path} does not exist; record it first with "
                         f"`smsvoice-sim record --cassette {path} ...`")
    if record_mode != RecordMode.NONE:
        folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("."))
        if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise UsageError(f"cannot record into {path}: {folder if not path.exists() else path} "
                             "is not writable (a read-only checkout?); give --cassette a "
                             "writable path")
    try:
        session = CassetteSession.open(settings)
    except CassetteError as exc:
        raise UsageError(str(exc)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        if not session.cassette.integrity_ok():
            raise sqlite3.DatabaseError("integrity check failed")
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"cassette {path} is damaged (truncated or corrupt: {exc}); restore it "
                         "from version control or re-record it") from None
    finally:
        session.cassette.close()


def cmd_record(args) -> int:
    return _run_proxy(args, Mode.RECORD)


def cmd_replay(args) -> int:
    return _run_proxy(args, Mode.REPLAY)


def cmd_addon_path(args) -> int:
    """The installed addon file, for `mitmdump -s "$(smsvoice-sim addon-path)"`."""
    import importlib.util
    spec = importlib.util.find_spec("smsvoice_sim.proxy.addon")
    assert spec is not None  # this very package
    print(spec.origin)
    return 0


def cmd_diagram(args) -> int:
    from smsvoice_sim.simulator import Simulator
    from smsvoice_sim.simulator.engine.diagram import all_diagrams, mermaid
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


COMMANDS = (
    # name, function, help, description, options
    ("simulate", cmd_simulate, "serve a simulated service on an HTTP endpoint",
     "Serve the simulated service for endpoint_url=http://HOST:PORT (or "
     "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2).", SIMULATE_OPTIONS),
    ("record", cmd_record, "record real traffic into a cassette through mitmproxy", None,
     PROXY_OPTIONS),
    ("replay", cmd_replay, "answer from a cassette, offline, through mitmproxy", None,
     PROXY_OPTIONS),
    ("diagram", cmd_diagram, "the lifecycle state machines as Mermaid",
     "Print the simulator's lifecycle machines as Mermaid state diagrams, drawn by transitions "
     "from the machines it runs.",
     (arg("--kind", help="pool or phone-number (default: every lifecycle, as Markdown mermaid "
                         "blocks)"),)),
    ("inbound", cmd_inbound, "a handset texts a number of a running simulator",
     "Send an inbound message (a handset's SMS or RCS text) to one of the simulated account's "
     "numbers or RCS agents, through the control API of a running `smsvoice-sim simulate`; "
     "prints the inbound record.", INBOUND_OPTIONS),
    ("demo", cmd_demo, "an offline walk through a pool's life (no AWS account)", None, ()),
    ("addon-path", cmd_addon_path, "print the installed mitmproxy addon file",
     'For mitmdump -s "$(smsvoice-sim addon-path)" --set smsvoice_cassette=... .', ()),
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="smsvoice-sim",
        description="Record, replay and simulate AWS End User Messaging SMS and Voice v2 "
                    "(pinpoint-sms-voice-v2).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    # Every subcommand's parser (and theirs: `cassette list`) is a CommandParser.
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    sub.required = True
    for name, func, help_text, description, options in COMMANDS:
        cmd = sub.add_parser(name, help=help_text,
                             description=description or help_text.capitalize() + ".")
        add_options(cmd, options)
        if name in ("record", "replay"):
            add_cli_options(cmd, Mode(name))
        cmd.set_defaults(func=func)
        if name == "replay":
            add_cassette_commands(sub)  # `cassette ...` keeps its place in --help
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
