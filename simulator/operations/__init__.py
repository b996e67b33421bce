"""Kept for imports written before operation families: see simulator/families."""

from ..families import load_all  # noqa: F401
