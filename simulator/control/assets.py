"""The inspector's own files (HTML, CSS, JavaScript in simulator/control/inspector/, shipped as
package data) served under /_smsvoice/ui/ wherever the control API is mounted.

The files hold no data: every value the page shows comes from the control API's JSON routes,
which the page calls with its token (if one is set). So a door serves these without the token,
but behind the same cross-site checks (the door's guard), and not at all with --no-control.

Every answer carries a Content-Security-Policy that allows only this origin's own script,
style and fetches: no inline script, no other site, no framing.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ..wire.http import HttpResponse

UI_PREFIX = "/_smsvoice/ui"
FOLDER = "inspector"
# Only plain names (no folders, no dots but the extension's): nothing else can be asked for.
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.(html|css|js)")
TYPES = {"html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
         "js": "text/javascript; charset=utf-8"}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


def is_ui(path: str) -> bool:
    """A path of the inspector's files (the query string aside)."""
    bare = path.split("?", 1)[0]
    return bare == UI_PREFIX or bare.startswith(UI_PREFIX + "/")


@cache
def _file(name: str) -> bytes | None:
    found = resources.files(__package__).joinpath(FOLDER, name)
    return found.read_bytes() if found.is_file() else None


def _plain(status: int, text: str, extra: dict[str, str] | None = None) -> HttpResponse:
    body = text.encode()
    return HttpResponse(status, {"Content-Type": "text/plain; charset=utf-8",
                                 "Content-Length": str(len(body)), **SECURITY_HEADERS,
                                 **(extra or {})}, body)


def serve(method: str, path: str) -> HttpResponse:
    """The answer to `method path` under /_smsvoice/ui/."""
    bare = path.split("?", 1)[0]
    if method.upper() not in ("GET", "HEAD"):
        return _plain(405, f"{bare} takes GET", {"Allow": "GET, HEAD"})
    if bare == UI_PREFIX:  # relative links in the page need the trailing slash
        return _plain(308, "the inspector is at /_smsvoice/ui/", {"Location": UI_PREFIX + "/"})
    name = bare[len(UI_PREFIX) + 1:] or "index.html"
    match = _NAME.fullmatch(name)
    content = _file(name) if match else None
    if match is None or content is None:
        return _plain(404, f"the inspector has no file {name[:80]!r}")
    return HttpResponse(200, {"Content-Type": TYPES[match.group(1)],
                              "Content-Length": str(len(content)), **SECURITY_HEADERS}, content)
