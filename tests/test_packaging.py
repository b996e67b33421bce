"""The artefact users get: the wheel, installed in a fresh virtual environment, used
from outside the checkout, beside a project that has its own `proxy` and `simulator`.

Building the wheel and the venv costs a few seconds, once per session. The wheel's
dependencies are not downloaded again: the fresh venv sees the test venv's
site-packages through a `.pth` line, which makes its packages importable but does not
run that folder's own `.pth` files, so the checkout's editable install stays invisible
and `smsvoice_sim` can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from helpers import cli_server

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


# pip's notices about this machine's package index settings (a configured index folder that
# does not exist): they are about the machine, not the project, and are not counted.
MACHINE_NOTICE = re.compile(r"WARNING: Location '[^']*' is ignored")
# A Python warning's category (SetuptoolsDeprecationWarning, BuildBackendWarning), pip's
# WARNING:/DEPRECATION:, setuptools' `!!` boxes. Not distutils' lower-case log lines of a
# verbose build ("warning: build_py: byte-compiling is disabled"), which no user sees.
WARNING = re.compile(r"\w*Warning\b|WARNING:|DEPRECATION|deprecated|!!")


def warnings_in(output: str) -> list[str]:
    """Lines of a verbose pip run that warn: setuptools' deprecations and its editable-install
    notice (both printed in `!!` boxes), pip's own warnings. Verbose, because only recent
    pips (25.x) show what a build backend warns without it."""
    return [line for line in output.splitlines()
            if WARNING.search(line) and not MACHINE_NOTICE.search(line)]


def fresh_venv(home: Path) -> Path:
    """A venv without pip that sees the test venv's packages (see the module docstring);
    returns its python."""
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    fresh_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    Path(fresh_site, "test-venv-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def pip_into(python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-v",
                           "--no-deps", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def wheel_build(tmp_path_factory) -> tuple[Path, str]:
    """The wheel, and what building it printed."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out),
                            str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (found,) = out.glob("smsvoice_sim-*.whl")
    return found, build.stdout + build.stderr


@pytest.fixture(scope="module")
def wheel(wheel_build) -> Path:
    return wheel_build[0]


@pytest.fixture(scope="module")
def wheel_install(wheel, tmp_path_factory) -> tuple[Path, str]:
    """A fresh venv with the wheel installed: its bin folder, and what installing printed."""
    python = fresh_venv(tmp_path_factory.mktemp("venv"))
    install = pip_into(python, str(wheel))
    assert install.returncode == 0, install.stderr
    return python.parent, install.stdout + install.stderr


@pytest.fixture(scope="module")
def installed(wheel_install) -> Path:
    return wheel_install[0]


def test_building_and_installing_the_wheel_prints_no_warning(wheel_build, wheel_install):
    """setuptools warned three times per build that `project.license` as a table is
    deprecated; the license is an SPDX expression now."""
    assert warnings_in(wheel_build[1]) == [], wheel_build[1]
    assert warnings_in(wheel_install[1]) == [], wheel_install[1]


def test_the_wheel_carries_its_license_as_an_spdx_expression(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    headers = metadata.decode().split("\n\n", 1)[0].splitlines()
    assert "License-Expression: Apache-2.0" in headers and "License-File: LICENSE" in headers
    assert not any(h.startswith("License: ") for h in headers), "the deprecated License field"
    licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert zipfile.ZipFile(wheel).read(licence) == (ROOT / "LICENSE").read_bytes()


def test_an_editable_install_prints_no_warning_and_exposes_only_smsvoice_sim(tmp_path):
    """Mapped with `package-dir`, the folders made setuptools install an import hook and
    warn, on every editable install, about folders named like the package. Through
    src/smsvoice_sim/ the install is one .pth line naming src/: the checkout's code, under
    `smsvoice_sim` only."""
    python = fresh_venv(tmp_path / "venv")
    install = pip_into(python, "-e", str(ROOT))
    assert install.returncode == 0, install.stderr
    assert warnings_in(install.stdout + install.stderr) == [], install.stdout + install.stderr
    site = next((tmp_path / "venv" / "lib").glob("python3*/site-packages"))
    (pth,) = site.glob("__editable__*smsvoice_sim*.pth")
    assert pth.read_text().split() == [str(ROOT / "src")], "not the plain path entry: an import hook?"
    probe = subprocess.run([str(python), "-c", textwrap.dedent("""
        import importlib.util, smsvoice_sim.proxy.cli, smsvoice_sim.simulator.registrations.catalogue
        print(smsvoice_sim.proxy.cli.__file__)
        print(smsvoice_sim.simulator.registrations.catalogue.SEED_PATH.is_file())
        print(importlib.util.find_spec("proxy"), importlib.util.find_spec("simulator"))
    """)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert probe.returncode == 0, probe.stderr
    cli_file, seed_found, top_level = probe.stdout.splitlines()
    assert Path(cli_file).resolve() == (ROOT / "proxy" / "cli.py").resolve()
    assert seed_found == "True" and top_level == "None None"


def test_the_declared_botocore_floor_is_one_that_exists_before_the_newest_operations():
    """pyproject.toml's floor is what noxfile.py's `floor` session installs (boto3 and
    botocore ==floor): 1.34.0 or older, boto3 and botocore of the same release line."""
    from packaging.requirements import Requirement
    from packaging.version import Version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        if requirement.name in ("boto3", "botocore"):
            (floors[requirement.name],) = [Version(s.version) for s in requirement.specifier
                                           if s.operator == ">="]
    assert floors["botocore"] <= Version("1.34.0"), floors
    assert floors["boto3"].release[:2] == floors["botocore"].release[:2], floors


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_demo_installs_the_runtime_dependencies_only(tmp_path):
    """`make demo` on a fresh clone installed the test extras too (pytest, moto, awscli,
    ruff...), most of its first run; `make test` adds them."""
    def planned(target: str) -> list[str]:
        run = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return [line for line in run.stdout.splitlines() if " pip install " in line and " -e " in line]
    demo, test = planned("demo"), planned("test")
    assert demo and all(line.rstrip().endswith(" -e .") for line in demo), demo
    assert any("'.[test]'" in line for line in test), test


def test_the_wheel_installs_one_namespace_and_every_module(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith((".dist-info", ".data"))}
    assert top == {"smsvoice_sim"}, f"the wheel installs more than one top-level name: {top}"
    shipped = {n for n in names if n.endswith(".py")}
    for folder in ("simulator", "proxy"):
        for source in (ROOT / folder).rglob("*.py"):
            expected = "smsvoice_sim/" + source.relative_to(ROOT).as_posix()
            assert expected in shipped, f"{expected} is missing from the wheel (pyproject `packages`?)"
    page = ROOT / "simulator" / "control" / "inspector"  # the inspector: package data
    for source in page.iterdir():
        expected = "smsvoice_sim/" + source.relative_to(ROOT).as_posix()
        assert expected in names, f"{expected} is missing from the wheel (pyproject `package-data`?)"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "smsvoice_sim.proxy.pytest_plugin" in text and "smsvoice_sim.proxy.cli:main" in text


def _outside(bindir: Path, tmp_path: Path) -> dict:
    """Environment and folder of a user's shell: no checkout on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env.update(AWS_ACCESS_KEY_ID="AKIAEXAMPLEEXAMPLE00", AWS_SECRET_ACCESS_KEY="example",
               AWS_DEFAULT_REGION="us-east-1")
    return env


def test_simulate_record_replay_from_the_installed_package(installed, tmp_path):
    env = _outside(installed, tmp_path)
    python = str(installed / "python")
    cassette = tmp_path / "session.db"
    script = textwrap.dedent("""
        import sys, boto3
        c = boto3.client("pinpoint-sms-voice-v2", endpoint_url=sys.argv[1])
        s = c.request_sender_id(SenderId="ACME", IsoCountryCode="GB")
        p = c.create_pool(OriginationIdentity=s["SenderIdArn"], MessageType="TRANSACTIONAL",
                          ClientToken="fixed-token")
        print(p["PoolId"], c.describe_pools()["Pools"][0]["Status"])
    """)
    (tmp_path / "client.py").write_text(script)
    sim_cmd = [str(installed / "smsvoice-sim"), "simulate", "--listen", "127.0.0.1:0",
               "--clock", "manual", "--seed", "3"]
    with cli_server(command=sim_cmd, env=env, cwd=str(tmp_path)) as (sim_url, _):
        sim_url = sim_url.group(1)
        rec_cmd = [str(installed / "smsvoice-sim"), "record", "--cassette", str(cassette),
                   "--listen", "127.0.0.1:0", "--upstream", sim_url]
        with cli_server(command=rec_cmd, env=env, cwd=str(tmp_path)) as (rec_url, _):
            recorded = subprocess.run([python, "client.py", rec_url.group(1)], capture_output=True,
                                      text=True, cwd=tmp_path, env=env, timeout=60)
        assert recorded.returncode == 0, recorded.stderr
        with urllib.request.urlopen(sim_url + "/_smsvoice/ui/app.js", timeout=10) as resp:
            assert resp.headers["Content-Type"].startswith("text/javascript")  # the inspector
    # The simulator is gone: replay answers from the cassette alone.
    rep_cmd = [str(installed / "smsvoice-sim"), "replay", "--cassette", str(cassette),
               "--listen", "127.0.0.1:0"]
    with cli_server(command=rep_cmd, env=env, cwd=str(tmp_path)) as (rep_url, _):
        replayed = subprocess.run([python, "client.py", rep_url.group(1)], capture_output=True,
                                  text=True, cwd=tmp_path, env=env, timeout=60)
        with urllib.request.urlopen(rep_url.group(1) + "/_smsvoice/health", timeout=10) as resp:
            assert json.loads(resp.read())["mode"] == "replay"
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == recorded.stdout and "CREATING" in replayed.stdout


def test_pytest_plugin_in_a_project_with_its_own_proxy_and_simulator(installed, tmp_path):
    """pytest starts, the plugin's fixture works, and the project's own `proxy` and
    `simulator` packages are the ones its tests import."""
    for own in ("proxy", "simulator"):
        (tmp_path / own).mkdir()
        (tmp_path / own / "__init__.py").write_text(f"WHOSE = 'the project {own}'\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_theirs.py").write_text(textwrap.dedent("""
        import proxy, simulator

        def test_own_packages_win():
            assert proxy.WHOSE == "the project proxy"
            assert simulator.WHOSE == "the project simulator"

        def test_fixture(smsvoice_sim):
            client = smsvoice_sim.client(region_name="eu-west-1")
            sender = client.request_sender_id(SenderId="ACME", IsoCountryCode="GB")
            pool = client.create_pool(OriginationIdentity=sender["SenderIdArn"],
                                      MessageType="TRANSACTIONAL")
            smsvoice_sim.clock.advance(60)
            assert client.describe_pools()["Pools"][0]["PoolId"] == pool["PoolId"]
            assert client.describe_pools()["Pools"][0]["Status"] == "ACTIVE"
    """))
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    env = _outside(installed, tmp_path)
    env.pop("SMSVOICE_SIM_AUDIT_LOG", None)
    run = subprocess.run([str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_the_pytest_plugin_imports_nothing_heavy():
    """Every pytest run in an environment with smsvoice-sim installed loads the plugin: it
    must not pay for boto3, mitmproxy or the simulator until a test uses a fixture."""
    heavy = ["boto3", "botocore", "mitmproxy", "sqlite3", "smsvoice_sim.simulator"]
    probe = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        import smsvoice_sim.proxy.pytest_plugin
        print([m for m in {heavy!r} if m in sys.modules])
    """)], capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[]", probe.stdout
