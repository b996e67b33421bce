"""`smsvoice-sim cassette list|show|export|import|timings|verify`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import cassette_tools, drift
from .cassette import Cassette, CassetteError
from .usage import UsageError


def open_cassette(path) -> Cassette:
    """Open an existing cassette, or fail with one line the user can act on."""
    try:
        return Cassette(path, readonly=True)
    except CassetteError as exc:
        raise UsageError(str(exc)) from None


def read_observations(path) -> list:
    """What timings are learned from, or one line saying what is wrong with the cassette."""
    with open_cassette(path) as cassette:
        try:
            return list(cassette.observations())
        except CassetteError as exc:
            raise UsageError(str(exc)) from None


def cmd_list(args) -> int:
    folder = Path(args.path or "cassettes")
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    found = sorted(folder.rglob("*.db"))
    for path in found:
        print(cassette_tools.summary(path))
    if not found:
        print(f"no cassettes under {folder}")
    return 0


def cmd_show(args) -> int:
    with open_cassette(args.path) as cassette:
        print("\n".join(cassette_tools.timeline(cassette)))
    return 0


def cmd_export(args) -> int:
    with open_cassette(args.path) as cassette:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
        try:
            for line in cassette_tools.export_lines(cassette):
                out.write(line + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
    return 0


def cmd_import(args) -> int:
    from rich.progress import Progress
    source, target = Path(args.path), Path(args.target)
    if not source.is_file():
        raise UsageError(f"{source} does not exist")
    if target.exists() and not args.force:
        raise UsageError(f"{target} exists; pass --force to add to it")
    created = not target.exists()
    try:
        with Cassette(target) as cassette, open(source, encoding="utf-8") as lines, \
                Progress(transient=True) as progress:
            task = progress.add_task(f"importing {source.name}", total=source.stat().st_size)
            count = cassette_tools.import_lines(
                lines, cassette, progress=lambda n: progress.advance(task, n))
    except (CassetteError, UnicodeDecodeError) as exc:
        if created:  # no half-imported cassette left behind
            for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                leftover.unlink(missing_ok=True)
        if isinstance(exc, UnicodeDecodeError):
            raise UsageError(f"{source} is not UTF-8 text (JSON lines): {exc.reason} at byte "
                             f"{exc.start}") from None
        raise UsageError(str(exc)) from None
    print(f"imported {count} interactions into {target}")
    return 0


def cmd_timings(args) -> int:
    from smsvoice_sim.simulator.engine.timings import observed_steps, summarize
    summary = summarize(observed_steps(read_observations(args.path)))
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    if not summary:
        print(f"{args.path}: no resource was seen changing state")
    for kind, steps in summary.items():
        for step, stats in steps.items():
            print(f"{kind:<13} {step:<24} observed median {stats['median']:8.2f}s  "
                  f"min {stats['min']:.2f}s  max {stats['max']:.2f}s  "
                  f"({stats['count']} seen); learned {stats['estimate']:.2f}s")
    return 0


def cmd_verify(args) -> int:
    with open_cassette(args.path) as cassette:
        result = drift.verify(cassette)
    for op, kinds in result["operations"].items():
        for kind, items in kinds.items():
            for item in items:
                print(f"{op}: {kind}: {item}")
    bad = drift.drifted(result)
    print(f"{args.path}: {result['checked']} recorded responses checked against the installed "
          f"botocore model; {'DRIFT found' if bad else 'no drift that breaks replay'}")
    return 1 if bad else 0


def add_cassette_commands(sub) -> None:
    cas = sub.add_parser("cassette", help="list, show, export, import, time or verify cassettes")
    actions = cas.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    p = actions.add_parser("list", help="cassettes in a folder (default cassettes/)")
    p.add_argument("path", nargs="?")
    p.set_defaults(func=cmd_list)
    p = actions.add_parser("show", help="a readable timeline of a cassette")
    p.add_argument("path")
    p.set_defaults(func=cmd_show)
    p = actions.add_parser("export", help="JSON lines, one per interaction (secrets already absent)")
    p.add_argument("path")
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_export)
    p = actions.add_parser("import", help="turn exported JSON lines back into a cassette")
    p.add_argument("path", help="JSON lines file")
    p.add_argument("target", help="cassette to write")
    p.add_argument("--force", action="store_true", help="add to an existing cassette")
    p.set_defaults(func=cmd_import)
    p = actions.add_parser("timings", help="how long each lifecycle step took in the recording")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_timings)
    p = actions.add_parser("verify", help="hold recorded responses against the installed botocore "
                                          "model; exit 1 on drift")
    p.add_argument("path")
    p.set_defaults(func=cmd_verify)
