"""The mitmproxy addon: records sms-voice traffic into a cassette, or answers it
from one (and, where asked, from the simulator).

Load it the mitmproxy way:

    mitmdump -s proxy/addon.py --mode reverse:https://sms-voice.us-east-1.amazonaws.com@8080 \\
        --set smsvoice_cassette=session.db --set smsvoice_mode=record

or let `smsvoice-sim record|replay` embed it. Only sms-voice traffic (an
`X-Amz-Target: PinpointSMSVoiceV2.*` request, or a request to
`sms-voice.*.amazonaws.com`) is recorded or answered; anything else (STS, SSO,
IMDS) passes through untouched and unrecorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from mitmproxy import ctx, exceptions, http
from mitmproxy.proxy import mode_specs

from smsvoice_sim.proxy.cassette import Cassette, CassetteError
from smsvoice_sim.proxy.control import guard, handle_control, is_control
from smsvoice_sim.proxy.matching import region_of
from smsvoice_sim.proxy.session import EXHAUSTED, RECORD_MODES, CassetteSession, is_sms_voice
from smsvoice_sim.proxy.upstream import NoCredentials, recorder_credentials, resign
from smsvoice_sim.simulator import HttpRequest, HttpResponse, Simulator
from smsvoice_sim.simulator.wire import json_response, wait_for

MODES = ("record", "replay")


def to_http_request(flow: http.HTTPFlow) -> HttpRequest:
    req = flow.request
    return HttpRequest(req.method, req.url, dict(req.headers.items()), req.get_content() or b"")


def to_mitm_response(response: HttpResponse) -> http.Response:
    headers = [(k.encode(), v.encode()) for k, v in response.headers.items()
               if k.lower() not in ("content-length", "transfer-encoding", "connection")]
    out = http.Response.make(response.status, response.body, headers)
    return out


class SmsVoiceAddon:
    def __init__(self, announce=None):
        self.session: CassetteSession | None = None
        self.simulator: Simulator | None = None
        self.credentials = None
        self.announce = announce or (lambda line: print(line, flush=True))

    def load(self, loader) -> None:
        loader.add_option("smsvoice_cassette", str, "", "Cassette file (SQLite).")
        loader.add_option("smsvoice_mode", str, "replay", "record or replay.", choices=MODES)
        loader.add_option("smsvoice_record_mode", str, "none",
                          "In replay: none, once, new_episodes or all (VCR's names).",
                          choices=RECORD_MODES)
        loader.add_option("smsvoice_on_exhausted", str, "repeat",
                          "When a polling sequence is used up: repeat the last, or error.",
                          choices=EXHAUSTED)
        loader.add_option("smsvoice_ignore", Sequence[str], [],
                          "Extra request members to ignore when matching (dotted paths).")
        loader.add_option("smsvoice_redact", Sequence[str], [],
                          "Extra regular expressions scrubbed before anything is written.")
        loader.add_option("smsvoice_pseudonymise", bool, False,
                          "Replace account ids and phone numbers with consistent pseudonyms.")
        loader.add_option("smsvoice_resign", bool, True,
                          "In reverse mode, re-sign upstream requests with the recorder's "
                          "credentials (the client signed for the listener's host).")
        loader.add_option("smsvoice_profile", str, "", "AWS profile for re-signing.")
        loader.add_option("smsvoice_resolve", Sequence[str], [],
                          "HOST=ADDRESS:PORT: send upstream requests for HOST there instead "
                          "(curl's --resolve; e.g. a local stand-in for an AWS host).")
        loader.add_option("smsvoice_on_miss", str, "error",
                          "In replay: answer a miss with an error, or with the simulator, "
                          "which first adopts what the replayed responses said.",
                          choices=("error", "simulate"))
        loader.add_option("smsvoice_sim_clock", str, "real",
                          "The simulator's clock with on_miss=simulate: real, manual, instant, reads:N.")
        loader.add_option("smsvoice_sim_seed", Optional[int], None,  # noqa: UP045 - mitmproxy typecheck
                          "The simulator's seed.")
        loader.add_option("smsvoice_control", bool, True, "Serve the /_smsvoice/ control API.")
        loader.add_option("smsvoice_control_token", str, "",
                          "Require this token (X-SmsVoice-Sim-Token) on control calls.")

    def configure(self, updated) -> None:
        opts = ctx.options
        if not updated & {"smsvoice_cassette", "smsvoice_mode", "smsvoice_record_mode",
                          "smsvoice_on_exhausted", "smsvoice_ignore", "smsvoice_redact",
                          "smsvoice_pseudonymise", "smsvoice_on_miss", "smsvoice_sim_clock",
                          "smsvoice_sim_seed"}:
            return
        if not opts.smsvoice_cassette:
            raise exceptions.OptionsError("smsvoice_cassette is required")
        record_mode = "all" if opts.smsvoice_mode == "record" else opts.smsvoice_record_mode
        if self.session is not None:
            self.session.cassette.close()
        try:
            self.simulator = None
            if opts.smsvoice_on_miss == "simulate" and opts.smsvoice_mode == "replay":
                self.simulator = Simulator(clock=opts.smsvoice_sim_clock,
                                           seed=opts.smsvoice_sim_seed)
            cassette = Cassette(opts.smsvoice_cassette,
                                create=record_mode != "none" or opts.smsvoice_mode == "record")
            self.session = CassetteSession(
                cassette, record_mode=record_mode, on_exhausted=opts.smsvoice_on_exhausted,
                ignore=tuple(opts.smsvoice_ignore), redact_patterns=tuple(opts.smsvoice_redact),
                pseudonymise=opts.smsvoice_pseudonymise, announce=self.announce,
                simulator=self.simulator)
        except (CassetteError, ValueError) as exc:
            raise exceptions.OptionsError(str(exc)) from None

    def request(self, flow: http.HTTPFlow) -> None:
        request = to_http_request(flow)
        reverse = isinstance(flow.client_conn.proxy_mode, mode_specs.ReverseMode)
        if reverse and is_control(request):  # the endpoint's own API, never a proxied site's
            refused = guard(request, ctx.options.smsvoice_control,
                            ctx.options.smsvoice_control_token or None)
            flow.response = to_mitm_response(refused or handle_control(
                self.simulator, request, ctx.options.smsvoice_mode,
                {"cassette": str(self.session.cassette.path),
                 "replayed": self.session.replayed, "recorded": self.session.recorded,
                 "missed": self.session.missed, "simulated": self.session.simulated}))
            return
        if self.session is None or not is_sms_voice(request):
            return  # not ours: passes through untouched and unrecorded
        decision = self.session.decide(request)
        if decision.action != "forward":
            wait_for(decision.response)
            flow.response = to_mitm_response(decision.response)
            return
        flow.metadata["smsvoice_pending"] = self.session.start(request)
        self._redirect(flow)
        if reverse and ctx.options.smsvoice_resign:
            self._resign(flow, request)

    def _redirect(self, flow: http.HTTPFlow) -> None:
        for rule in ctx.options.smsvoice_resolve:
            host, _, target = rule.partition("=")
            address, _, port = target.rpartition(":")
            if host and address and port.isdigit() and flow.request.pretty_host == host:
                original = flow.request.host_header
                flow.request.host = address
                flow.request.port = int(port)
                flow.request.host_header = original  # the client signed this Host
                return

    def _resign(self, flow: http.HTTPFlow, request: HttpRequest) -> None:
        try:
            if self.credentials is None:
                self.credentials = recorder_credentials(ctx.options.smsvoice_profile)
        except NoCredentials as exc:
            flow.response = to_mitm_response(json_response(
                400, {"__type": "SmsVoiceSimNoCredentials", "message": str(exc)}))
            flow.metadata.pop("smsvoice_pending", None)
            return
        signed = resign(request, flow.request.url, region_of(request) or "us-east-1",
                        self.credentials)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in flow.request.headers:
                del flow.request.headers[name]
        for name, value in signed.items():
            flow.request.headers[name] = value

    def response(self, flow: http.HTTPFlow) -> None:
        pending = flow.metadata.pop("smsvoice_pending", None)
        if pending is None or self.session is None:
            return
        resp = flow.response
        self.session.record(pending, HttpResponse(resp.status_code, dict(resp.headers.items()),
                                                  resp.get_content() or b""))

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

    def done(self) -> None:
        if self.session is not None:
            s = self.session
            self.announce(f"smsvoice-sim: {s.recorded} recorded, {s.replayed} replayed, "
                          f"{s.simulated} simulated, {s.missed} missed; cassette {s.cassette.path} holds "
                          f"{s.cassette.count()} interactions")
            s.cassette.close()


addons = [SmsVoiceAddon()]
