"""What every command of the CLI shares: the one kind of error it prints as a single line,
how an option is declared, and the argparse types more than one command reads."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit


class UsageError(Exception):
    """A problem the user can fix (bad flag, port in use, missing cassette)."""


def arg(*flags: str, **kwargs) -> tuple[tuple[str, ...], dict]:
    """One option as argparse's add_argument takes it: flags, then keywords."""
    return flags, kwargs


def parse_endpoint_url(value: str) -> str:
    """An http:// or https:// URL with a host (and a port that is one), else argparse's
    one-line error."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{value!r}: give an http:// or https:// URL, e.g. http://127.0.0.1:5000")
    return value
