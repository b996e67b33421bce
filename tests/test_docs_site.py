"""The docs as a whole: the site builds with `mkdocs build --strict`, every code block is
run (tests/test_docs_pages_*.py) or says why not, the diagrams are the running machines and
the real folders, the references cover every operation, the CLI page every option, and no
page cites a file outside the repository."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

import botocore.session
import pytest
from docs_blocks import PAGES, ROOT, RUNNABLE, all_blocks, blocks, group, pages_to_run

from smsvoice_sim.proxy.cli import build_parser
from smsvoice_sim.proxy.settings import MITM_OPTIONS
from smsvoice_sim.simulator.control import routes

from helpers import run_cli

README = ROOT / "README.md"
DOCS = ROOT / "docs"
MKDOCS_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def mkdocs_build(config, site) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(site)], capture_output=True, text=True, timeout=300, env=MKDOCS_ENV)


@pytest.mark.slow
def test_the_site_builds_strict(tmp_path):
    built = mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stdout + built.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "reference" / "inference" / "index.html").is_file()


@pytest.mark.slow
def test_a_broken_link_fails_the_strict_build(tmp_path):
    """--strict is what catches a page that moved: prove it does."""
    shutil.copytree(DOCS, tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    page = tmp_path / "docs" / "guides" / "replay.md"
    page.write_text(page.read_text() + "\nSee [the gone page](gone.md#nowhere).\n")
    built = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode != 0 and "gone.md" in built.stdout + built.stderr


def test_the_readme_is_short_and_names_its_two_commands_first():
    assert len(README.read_text().splitlines()) <= 250
    first = next(b for b in blocks(README) if b.lang == "sh")
    assert "make demo" in first.code and "make test" in first.code


def test_readme_links_point_at_pages_that_exist():
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README.read_text()):
        if "://" not in target:
            assert (ROOT / target).exists(), target


def test_every_page_is_in_the_site_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in DOCS.rglob("*.md"):
        assert page.relative_to(DOCS).as_posix() in nav, page


def test_every_block_runs_or_says_why_not():
    """Counted here, run by the page tests: a marker needs a reason; a block of a language
    the tests do not run needs a marker."""
    counts: dict[str, int] = {}
    for block in all_blocks():
        if block.not_run is not None:
            assert block.not_run, f"{block.where}: <!-- not-run --> without a reason"
            counts["not-run"] = counts.get("not-run", 0) + 1
            continue
        assert block.lang in RUNNABLE, f"{block.where}: a {block.lang or 'plain'} block needs " \
                                       "<!-- not-run: why --> on the line before it"
        kind = "pytest" if block.is_pytest else block.lang
        counts[kind] = counts.get(kind, 0) + 1
    assert counts["sh"] >= 15 and counts["python"] >= 15 and counts["pytest"] >= 3, counts
    assert counts["not-run"] <= 8, counts  # each one is a promise not kept: keep them few


def test_every_marker_stands_before_a_block():
    for page in PAGES:
        text = page.read_text()
        for match in re.finditer(r"<!--\s*not-run", text):
            rest = text[match.end():].split("-->", 1)[1].lstrip("\n")
            assert rest.startswith("```"), f"{page}: a not-run marker not followed by a block"


def test_the_page_tests_share_every_page_between_them():
    assert sorted(group(0, 3) + group(1, 3) + group(2, 3)) == sorted(pages_to_run())
    assert README in pages_to_run()


def test_mermaid_lifecycles_are_the_running_machines():
    """Each machine is drawn once, on the page of its family: the docs' lifecycle diagrams are
    exactly the running machines (regenerate with `smsvoice-sim diagram`)."""
    drawn = re.findall(r"```mermaid\n(.*?)```", run_cli("diagram").stdout, flags=re.DOTALL)
    embedded = [b.code for b in all_blocks() if b.lang == "mermaid" and "stateDiagram" in b.code]
    assert sorted(b.rstrip() for b in embedded) == sorted(b.rstrip() for b in drawn)


def test_the_architecture_diagram_names_every_folder_and_top_level_module():
    page = DOCS / "contributing" / "architecture.md"
    diagram = next(b.code for b in blocks(page) if b.lang == "mermaid")
    folders = {p.parent.name for p in (ROOT / "simulator").glob("*/__init__.py")}
    modules = {p.stem for p in (ROOT / "simulator").glob("*.py")} - {"__init__"}
    named = set(re.findall(r"\b(\w+)/", diagram)) | set(re.findall(r"\b(\w+)\.py", diagram))
    assert folders | modules | {"proxy", "simulator"} <= named, (folders | modules) - named
    assert named - {"proxy", "simulator"} <= folders | modules, named - folders - modules


def test_the_references_list_every_operation_once():
    model = set(botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2").operation_names)
    listed: list[str] = []
    for page in (DOCS / "reference").glob("*.md"):
        section = re.search(r"^## Operations\n(.*?)(?=^## |\Z)", page.read_text(), re.M | re.S)
        if section:
            listed += re.findall(r"`(\w+)`", section.group(1))
    assert sorted(listed) == sorted(model), (set(model) - set(listed), set(listed) - set(model))


def test_the_cli_page_names_every_option():
    text = (DOCS / "guides" / "cli.md").read_text()
    parser = build_parser()
    for action in parser._actions:  # the top level's own (--version)
        for flag in action.option_strings:
            assert flag in ("-h", "--help") or f"`{flag}" in text or f"{flag}`" in text, flag
    for name in MITM_OPTIONS:  # the addon's mitmproxy options
        assert f"`{name}`" in text, name
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert f"`{name}`" in text, name
        for action in command._actions:
            for flag in action.option_strings:
                assert flag in ("-h", "--help") or f"`{flag}" in text, f"{name} {flag}"


def test_the_control_api_page_names_every_query_parameter_the_routes_read():
    """Each route the control API module lists with its query parameters is a row of the
    control API page that names them all."""
    rows = [line for line in (DOCS / "guides" / "control-api.md").read_text().splitlines()
            if line.startswith("| `")]
    listed = re.findall(r"(GET|POST)\s+(/_smsvoice/[\w/-]+)\[\?([^\]]+)\]", routes.__doc__ or "")
    assert len(listed) >= 10
    for method, path, query in listed:
        row = next((r for r in rows if re.match(rf"\| `(\w+/)*{method}(/\w+)* {path}[?`[]", r)), None)
        assert row is not None, path
        for name in re.findall(r"(\w+)=", query):
            assert f"{name}=" in row, f"{path}: {name}= is not on its row"


def test_paths_the_docs_name_exist():
    for page in PAGES:
        for path in re.findall(r"`((?:simulator|proxy|tests|bench)/[\w./-]+)`", page.read_text()):
            assert (ROOT / path).exists(), f"{page.relative_to(ROOT)} names {path}"


def test_nothing_cites_a_file_outside_the_repository():
    """Facts about AWS are cited by AWS's own URL, never by notes kept outside the repository."""
    outside = ["AWS-" + "BEHAVIOUR", "AWS-" + "TWO-WAY", "DESIGN" + ".md"]
    roots = [README, ROOT / "mkdocs.yml", DOCS, ROOT / "simulator", ROOT / "proxy", ROOT / "tests",
             ROOT / "bench", ROOT / "cassettes"]
    for root in roots:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.suffix in (".py", ".md", ".json", ".yml", ".jsonl") and path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                for name in outside:
                    assert name not in text, f"{path.relative_to(ROOT)} cites {name}"
