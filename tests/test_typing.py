"""The package type-checks, and keeps doing so: `make test` runs mypy (settings in
pyproject.toml's [tool.mypy]) after ruff and before the suite, so a type error stops it."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_test_runs_mypy_after_ruff_and_before_the_suite(tmp_path):
    venv = tmp_path / "venv"
    run = subprocess.run(["make", "-n", "test", f"VENV={venv}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    steps = [line.split()[0] for line in run.stdout.splitlines()
             if line.startswith(f"{venv}/bin/") and " pip " not in line and "compileall" not in line]
    assert steps == [f"{venv}/bin/ruff", f"{venv}/bin/mypy", f"{venv}/bin/python"], run.stdout


def test_mypy_checks_both_packages_and_skips_only_the_untyped_libraries_it_names():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mypy = pyproject["tool"]["mypy"]
    assert mypy["packages"] == ["smsvoice_sim.simulator", "smsvoice_sim.proxy"]
    assert mypy["check_untyped_defs"] is True
    assert "ignore_missing_imports" not in mypy, "named per library in [[tool.mypy.overrides]]"
    for override in mypy["overrides"]:
        assert "*" not in override["module"], override
    assert any(r.startswith("mypy") for r in pyproject["project"]["optional-dependencies"]["test"])
