"""`make bench`: every benchmark, each against a peer measured in the same run."""

from __future__ import annotations

import sys

from . import (
    b1_inprocess,
    b2_http,
    b3_replay_scale,
    b4_recording,
    b5_lifecycle,
    b6_memory,
    b7_per_test,
    b8_concurrency,
    b9_two_way,
    b10_state,
)
from .common import Table

ALL = {"1": b1_inprocess, "2": b2_http, "3": b3_replay_scale, "4": b4_recording,
       "5": b5_lifecycle, "6": b6_memory, "7": b7_per_test, "8": b8_concurrency,
       "9": b9_two_way, "10": b10_state}


def main(argv: list[str]) -> int:
    chosen = argv or list(ALL)
    table = Table()
    for key in chosen:
        print(f"running benchmark {key}: {ALL[key].__doc__.splitlines()[0]}", flush=True)
        ALL[key].run(table)
    print()
    print(table.render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
