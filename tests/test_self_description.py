"""The tool says what it is: its version, what each pytest fixture it adds does, and how
the cassette it ships was made."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib

from helpers import ROOT, run_cli

PLUGIN_SECTION = re.compile(
    r"-+ fixtures defined from smsvoice_sim\.proxy\.pytest_plugin -+\n(.*?)\n\n(?:-|=|\Z)", flags=re.DOTALL)


def test_version_is_the_installed_distributions_and_pyprojects():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert importlib.metadata.version("smsvoice-sim") == declared
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"smsvoice-sim {declared}\n"


def test_every_fixture_of_the_plugin_says_what_it_is(tmp_path):
    """`pytest --fixtures` in a project of a user's: each fixture the plugin offers is
    described, none says "no docstring available"."""
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    shown = subprocess.run([sys.executable, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider",
                            "-p", "no:xdist"], capture_output=True, text=True, cwd=tmp_path,
                           timeout=120)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    section = PLUGIN_SECTION.search(shown.stdout + "\n\n")
    assert section, shown.stdout
    entries = re.split(r"\n(?=\S)", section.group(1).strip())
    names = {entry.split(" ", 1)[0] for entry in entries}
    assert {"smsvoice_sim", "smsvoice_session", "smsvoice_client"} <= names, names
    for entry in entries:
        assert "no docstring available" not in entry, entry
        assert len(entry.splitlines()) >= 2, entry


def test_the_shipped_cassette_says_how_it_was_made():
    shown = run_cli("cassette", "show", str(ROOT / "cassettes" / "pool_lifecycle.db"))
    assert shown.returncode == 0, shown.stderr
    note = shown.stdout.splitlines()[1]
    assert note.startswith("  note: recorded against smsvoice-sim's own simulator, not AWS"), note
    assert "cassettes/record_pool_lifecycle.py" in note
    readme = (ROOT / "cassettes" / "README.md").read_text()
    assert "recorded against smsvoice-sim's own simulator, not against AWS" in readme
