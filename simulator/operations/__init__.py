"""The simulated operations. Each handler takes the caller's Partition and the
validated parameters and returns the output structure, or raises ServiceError."""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def operation(name: str):
    def register(fn: Callable) -> Callable:
        HANDLERS[name] = fn
        return fn
    return register


def load_all() -> dict[str, Callable]:
    from ..families import load_all as load_families
    from . import (  # noqa: F401
        account,
        keywords,
        phone_numbers,
        pools,
        sender_ids,
        tags,
    )
    return {**HANDLERS, **load_families()}
