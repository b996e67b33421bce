"""smsvoice-sim's service simulator for AWS End User Messaging SMS and Voice v2."""

from .engine.clock import Clock, InstantClock, ManualClock, ReadsClock, RealClock, make_clock
from .service import DEFAULT_ACCOUNT, Simulator
from .wire.http import HttpRequest, HttpResponse

__all__ = ["Simulator", "Clock", "ManualClock", "RealClock", "InstantClock", "ReadsClock",
           "make_clock", "HttpRequest", "HttpResponse", "DEFAULT_ACCOUNT"]
