"""Sending moved to simulator/families/messages.py. The send-gate extension point stays
importable from here too, for code written before the move."""

from ..sending import Send, register_after_send, register_send_gate  # noqa: F401
