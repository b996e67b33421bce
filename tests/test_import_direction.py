"""Imports point one way: `proxy` may use `simulator`, never the reverse; a family module
uses another family only through its public names (no `_private` ones).

Read from the source with `ast`, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAMILY_FOLDERS = ("families", "operations")


def _imports(path: Path, where: Path | None = None) -> list[tuple[str, list[str], int]]:
    """(absolute module, imported names, line) for every import in `path`, read as if it
    stood at `where` in the checkout."""
    package = ["smsvoice_sim", *(where or path).relative_to(ROOT).with_suffix("").parts[:-1]]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((module, [a.name for a in node.names], node.lineno))
    return found


def test_simulator_never_imports_proxy():
    offenders = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                 for path in (ROOT / "simulator").rglob("*.py")
                 for module, names, line in _imports(path)
                 if module.split(".")[:2] == ["smsvoice_sim", "proxy"] or module.split(".")[0] == "proxy"
                 or (module == "smsvoice_sim" and "proxy" in names)]
    assert not offenders, offenders


def test_nothing_imports_the_uninstalled_top_level_names():
    """`import simulator` would work from a checkout and break once installed."""
    offenders = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                 for folder in ("simulator", "proxy", "tests", "bench", "cassettes")
                 for path in (ROOT / folder).rglob("*.py") if "node_modules" not in path.parts
                 for module, _, line in _imports(path)
                 if module.split(".")[0] in ("simulator", "proxy")]
    assert not offenders, offenders


def test_families_use_each_other_only_through_public_names():
    offenders = []
    for folder in FAMILY_FOLDERS:
        prefix = f"smsvoice_sim.simulator.{folder}."
        for path in (ROOT / "simulator" / folder).glob("*.py"):
            for module, names, line in _imports(path):
                if module.startswith(prefix) and module != prefix + path.stem:
                    private = [n for n in names if n.startswith("_")]
                    if private:
                        offenders.append(f"{path.relative_to(ROOT)}:{line} takes {private} from {module}")
    assert not offenders, offenders


def test_the_walker_resolves_relative_imports(tmp_path):
    """Not blind: a `from ..proxy import x` in simulator/ is seen as the proxy package."""
    planted = tmp_path / "planted.py"
    planted.write_text("from ..proxy import session\nfrom .families import _rules\n")
    found = _imports(planted, where=ROOT / "simulator" / "planted.py")
    assert [(m, n) for m, n, _ in found] == [("smsvoice_sim.proxy", ["session"]),
                                            ("smsvoice_sim.simulator.families", ["_rules"])]
