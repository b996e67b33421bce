"""Open the inspector on an in-process Simulator, e.g. while debugging a test:

    from smsvoice_sim.proxy.inspector import open_inspector

    with open_inspector(sim) as inspector:
        print(inspector.url)       # http://127.0.0.1:PORT/_smsvoice/ui/
        breakpoint()               # look around in the browser, then continue

It serves the simulator the way `smsvoice-sim simulate` does (the service at `endpoint_url`,
the control API and the inspector under /_smsvoice/), from a thread, on 127.0.0.1 and a free
port; `close()` (or leaving the `with`) stops it. `with Inspector(sim) as inspector:` starts
and stops it the same way. Requests from the test and from the page take
the simulator's lock in turn, as any two clients do.
"""

from __future__ import annotations

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.control.assets import UI_PREFIX

from .http_server import EndpointServer, simulator_answer

UI_PATH = UI_PREFIX + "/"  # the page (its relative links need the trailing slash)


class Inspector:
    """A running inspector: `url` (the page), `endpoint_url` (the service, for boto3)."""

    def __init__(self, sim: Simulator, port: int = 0, control_token: str | None = None,
                 host: str = "127.0.0.1"):
        self.simulator = sim
        self.server = EndpointServer(simulator_answer(sim, control_token=control_token), host, port)
        self._serving = False

    @property
    def endpoint_url(self) -> str:
        return self.server.url

    @property
    def url(self) -> str:
        return self.server.url + UI_PATH

    def start(self) -> Inspector:
        """Serve from a thread; a second call (`with open_inspector(...)`) changes nothing."""
        if not self._serving:
            self.server.start()
            self._serving = True
        return self

    def close(self) -> None:
        if self._serving:
            self.server.close()
            self._serving = False
        else:  # never served: only the listening socket to close (a shutdown would wait forever)
            self.server.httpd.server_close()

    def __enter__(self) -> Inspector:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def open_inspector(sim: Simulator, port: int = 0, control_token: str | None = None) -> Inspector:
    """Serve `sim` and its inspector on 127.0.0.1 (a free port unless `port` is given) until
    `close()`; with `control_token`, the page asks for it before it shows anything."""
    return Inspector(sim, port, control_token).start()
