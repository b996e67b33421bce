"""Who may call the control API under /_smsvoice/ (its routes are the simulator's:
simulator/control/routes.py), shared by every HTTP door, and what a listener exposes.

It can be turned off, or require a token in the X-SmsVoice-Sim-Token header.

Browsers must not reach it from another site: with no token, a request is
refused (403) when its `Host` is a name other than a loopback name (DNS
rebinding: evil.example resolving to 127.0.0.1; an IP address is fine), when
it carries an `Origin` (or `Sec-Fetch-Site`) of another site, or when it is a
POST a page can send without asking (`text/plain`, form data).
Scripts send JSON (`Content-Type: application/json`) or no body. A token, once
configured and given, is proof enough: a page elsewhere cannot know it.

The inspector's own files (/_smsvoice/ui/: HTML, CSS, JavaScript, no data) are served without
the token, so that a browser can load the page that then asks for it; the cross-site checks
still apply to them, and --no-control removes them with the rest.
"""

from __future__ import annotations

import hmac
import ipaddress

from smsvoice_sim.simulator import HttpRequest, HttpResponse, Simulator
from smsvoice_sim.simulator.control import assets, routes
from smsvoice_sim.simulator.control.routes import is_control  # noqa: F401 - the doors' name for it

TOKEN_HEADER = "X-SmsVoice-Sim-Token"
# Bodies a browser page may POST to another site without a CORS preflight.
SIMPLE_CONTENT_TYPES = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}


# -- who may call it ------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """A loopback address or a name that always resolves to one (RFC 6761)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def cross_site(request: HttpRequest, check_host: bool = True) -> str | None:
    """Why this request looks like it came from a web page on another site, or None.

    An IP address in `Host` cannot be DNS rebinding (the page's own origin would be
    that address); a name must be a loopback name."""
    host = request.header("host") or ""
    name = _hostname(host).lower()
    if check_host and name and not (is_loopback(name) or _is_ip(name)):
        return (f"Host {host!r} is not this server's address (a web page may be reaching it "
                "through DNS rebinding); call it as 127.0.0.1 or localhost")
    origin = request.header("origin")
    if origin is not None and origin.lower() not in (f"http://{host}".lower(),
                                                     f"https://{host}".lower()):
        return f"Origin {origin!r} is another site"
    fetch_site = (request.header("sec-fetch-site") or "none").lower()
    if fetch_site not in ("none", "same-origin"):
        return f"Sec-Fetch-Site is {fetch_site!r}: a browser request from another site"
    media = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    if request.method.upper() != "GET" and media in SIMPLE_CONTENT_TYPES:
        return (f"a {media} {request.method.upper()} is what a web page can send anywhere; send "
                "Content-Type: application/json (curl: -H 'Content-Type: application/json')")
    return None


def guard(request: HttpRequest, enabled: bool, token: str | None, *,
          check_host: bool = False) -> HttpResponse | None:
    """Refuse the control API when it is turned off, when a token is set and not given,
    or (with no token) when the request looks like a browser's from another site.

    `check_host`: the door passes the Host header as the client sent it, so it can be
    checked (DNS rebinding). Every door of `smsvoice-sim` does; the addon run by a bare
    `mitmdump` without keep_host_header cannot (mitmproxy rewrites Host to the upstream's
    before any hook sees it), and leaves it off; the other checks hold in every door."""
    if not enabled:
        return _error(404, "the control API is turned off (--no-control)")
    page_file = assets.is_ui(request.path)  # the same for everyone: no token needed
    if token and not page_file:
        if not hmac.compare_digest((request.header(TOKEN_HEADER) or "").encode(), token.encode()):
            return routes.error(403, f"the control API needs the {TOKEN_HEADER} header",
                                token="required")
        return None
    why = cross_site(request, check_host)
    if why:
        return _error(403, f"control API refused: {why}. (A --control-token, given in the "
                           f"{TOKEN_HEADER} header, allows any caller that has it.)")
    return None


CONTROL_EXPOSED = {
    "off": "",
    "token": "its control API (/_smsvoice/) to whoever has the token",
    "open": ("with no token, its control API (/_smsvoice/: every resource and sent message, "
             "reset, the clock, faults); add --control-token or --no-control"),
}


def _control_exposed(control: bool, token: str | None) -> str:
    return CONTROL_EXPOSED["off" if not control else "token" if token else "open"]


def exposure(control: bool, token: str | None) -> str:
    """What a simulate endpoint exposes, for the warning when it listens beyond loopback."""
    api = _control_exposed(control, token)
    return "the simulated service" + (f", and {api}" if api else " (the control API is off)")


def proxy_exposure(mode: str, control: bool, token: str | None, resign: bool) -> str:
    """What a record/replay listener exposes (for the CLI's mitmproxy doors)."""
    if mode == "record":
        what = ("a recorder that forwards requests to AWS"
                + (" re-signed with YOUR credentials (anyone can act as you)" if resign else "")
                + " and writes them to the cassette")
    else:
        what = "the recorded responses of the cassette"
    api = _control_exposed(control, token)
    return f"{what}; and {api}" if api else what


def listen_warning(host: str, port: int, exposes: str) -> str | None:
    """The warning for a listener other machines can reach, or None on loopback."""
    if is_loopback(host):
        return None
    where = "every interface" if host in ("", "0.0.0.0", "::") else host
    return (f"smsvoice-sim: warning: listening on {host or '0.0.0.0'}:{port} ({where}) is "
            f"reachable from other machines: anyone who can connect gets {exposes}. Listen on "
            f"127.0.0.1 unless that is what you want.")


def _error(status: int, message: str) -> HttpResponse:
    return routes.error(status, message)


def handle_control(sim: Simulator | None, request: HttpRequest, mode: str,
                   extra_health: dict | None = None) -> HttpResponse:
    """The control API's answer (simulator/control/routes.py), once `guard` let it through."""
    return routes.answer(sim, request, mode, extra_health)
