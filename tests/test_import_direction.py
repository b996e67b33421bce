"""Imports point one way: `proxy` may use `simulator`, never the reverse; a family module
uses another family only through its public names (no `_private` ones).

Read from the source with `ast`, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAMILY_FOLDERS = ("families",)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines inside `if TYPE_CHECKING:` blocks: imports for annotations only, never run."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(path: Path, where: Path | None = None,
             runtime_only: bool = False) -> list[tuple[str, list[str], int]]:
    """(absolute module, imported names, line) for every import in `path`, read as if it
    stood at `where` in the checkout (`runtime_only`: not those under TYPE_CHECKING)."""
    package = ["smsvoice_sim", *(where or path).relative_to(ROOT).with_suffix("").parts[:-1]]
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in typing_only:
            continue
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


# Inside the simulator, what each folder may import (besides itself). Nothing imports upward,
# so there is no circle: wire is the model and the wire format; engine the clock, scheduler,
# state and names; messaging the one send path's parts; gates the send gates' rules;
# registrations the catalogue, forms, reviewer and its machines; families the operations;
# control the control surface; the top-level modules (account, pipeline, service, settings,
# inprocess) wire them together.
MAY_IMPORT = {
    "wire": set(),
    "engine": {"wire"},
    "messaging": {"engine", "wire"},
    "gates": {"messaging", "engine", "wire"},
    "registrations": {"messaging", "engine", "wire"},
    "families": {"registrations", "gates", "messaging", "engine", "wire"},
    "control": {"account", "families", "registrations", "gates", "messaging", "engine", "wire"},
}
TOP_LEVEL = {"account", "pipeline", "service", "settings", "inprocess", "__init__"}


def _folder_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] != ["smsvoice_sim", "simulator"] or len(parts) < 3:
        return None
    return parts[2]


def test_simulator_folders_import_only_downward():
    offenders = []
    for folder, allowed in MAY_IMPORT.items():
        for path in (ROOT / "simulator" / folder).rglob("*.py"):
            # Annotations may name a type of a folder above (the account-region a family is
            # part of): they are never imported when the program runs, so make no circle.
            for module, names, line in _imports(path, runtime_only=True):
                target = _folder_of(module)
                if module == "smsvoice_sim.simulator":  # `from .. import x`: x names the folder
                    targets = set(names)
                else:
                    targets = {target} if target else set()
                for found in targets - {folder} - allowed:
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({found})")
    assert not offenders, offenders


def test_the_folders_and_top_level_modules_are_the_ones_the_rule_knows():
    folders = {p.name for p in (ROOT / "simulator").iterdir() if (p / "__init__.py").exists()}
    assert folders == set(MAY_IMPORT)
    modules = {p.stem for p in (ROOT / "simulator").glob("*.py")}
    assert modules == TOP_LEVEL


def test_no_folder_holds_more_than_15_modules_but_families():
    for folder in MAY_IMPORT:
        modules = [p for p in (ROOT / "simulator" / folder).glob("*.py") if p.name != "__init__.py"]
        assert folder == "families" or len(modules) <= 15, (folder, len(modules))
