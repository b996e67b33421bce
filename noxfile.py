"""CI over the supported range: the oldest and newest Python, and the oldest botocore.

    make nox ARGS=-l                 # list the sessions
    make nox ARGS="-s smoke-3.13"    # the smoke subset on Python 3.13 (mitmproxy 12)
    make nox ARGS="-s tests-3.13"    # the whole suite on Python 3.13
    make nox ARGS="-s floor"         # the floor walk on boto3/botocore 1.34.0
    make nox ARGS="-s ci"            # what .ci/run runs after `make test`

`make test` runs the whole suite once, on the default interpreter; .ci/run then runs the
`ci` session, which runs those in CI_SESSIONS (the smoke subset elsewhere in the range).
Each session has its own venv under .nox/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import nox
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent
OLDEST, NEWEST = "3.11", "3.13"  # requires-python says >= 3.11
PYTHONS = [OLDEST, "3.12", NEWEST]
# A few minutes that reach what differs between Pythons and dependency versions:
# packaging and the wheel, argparse, mitmproxy's doors (11 on 3.11, 12 on 3.12+), cassettes,
# the lifecycles, and the walk the botocore floor must pass.
SMOKE = ["tests/test_botocore_floor.py", "tests/test_packaging.py", "tests/test_cli_errors.py",
         "tests/test_self_description.py", "tests/test_record_replay.py", "tests/test_pools.py",
         "tests/test_cassette_io.py"]

nox.options.default_venv_backend = "virtualenv"
nox.options.error_on_missing_interpreters = True  # a Python that is not there fails, loud
nox.options.sessions = ["smoke"]


def declared_floor(name: str) -> str:
    """The lowest version pyproject.toml allows for a dependency (its `>=` bound): the
    floor is declared once, there, and the `floor` session installs exactly it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        if requirement.name == name:
            bounds = [spec.version for spec in requirement.specifier if spec.operator == ">="]
            if len(bounds) == 1:
                return bounds[0]
    raise LookupError(f"pyproject.toml declares no `{name}>=` floor")


def _runs(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", ""], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _find_pyenv_pythons() -> None:
    """nox looks for `python3.X` on PATH. Under pyenv that name is a shim that runs only
    the versions pyenv has selected, so a 3.13 pyenv installed may be there and still
    fail: put each installed version's own folder first on PATH for this run."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for wanted in PYTHONS:
        name = f"python{wanted}"
        found = shutil.which(name)
        if found and _runs(found):
            continue
        installed = sorted(versions.glob(f"{wanted}.*/bin/{name}"),
                           key=lambda p: [int(x) for x in p.parts[-3].split(".") if x.isdigit()])
        if installed:
            os.environ["PATH"] = f"{installed[-1].parent}{os.pathsep}{os.environ['PATH']}"


_find_pyenv_pythons()


def _install(session: nox.Session, *requirements: str) -> None:
    session.install("--disable-pip-version-check", *requirements)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole suite (as `make test`, without ruff and mypy) on one Python."""
    _install(session, "-e", ".[test]")
    session.run("pytest", "-q", "-n", "auto", "--dist", "loadfile", *session.posargs)


@nox.session(python=PYTHONS)
def smoke(session: nox.Session) -> None:
    """The smoke subset on one Python."""
    _install(session, "-e", ".[test]")
    session.run("pytest", "-q", "-n", "auto", "--dist", "loadfile", *(session.posargs or SMOKE))


@nox.session(python=OLDEST, default=False)
def floor(session: nox.Session) -> None:
    """The floor walk (tests/test_botocore_floor.py: import, simulate, a pool's life; and
    tests/test_botocore_range.py: no model read at import, unknown operations not served)
    with the oldest boto3 and botocore pyproject.toml allows, on the oldest Python."""
    pins = [f"{name}=={declared_floor(name)}" for name in ("boto3", "botocore")]
    _install(session, "-e", ".", "pytest", *pins)
    session.run("python", "-c", "import boto3, botocore; "
                "print(f'boto3 {boto3.__version__}, botocore {botocore.__version__}')")
    session.run("pytest", "-q", *(session.posargs or ["tests/test_botocore_floor.py",
                                                      "tests/test_botocore_range.py"]))
    if not session.posargs:
        session.run("smsvoice-sim", "demo")  # the README's first command, on the floor too


# What .ci/run runs after `make test` (the whole suite once, on the default Python): the
# smoke subset on the newest Python, and the floor walk on the oldest botocore.
CI_SESSIONS = [f"smoke-{NEWEST}", "floor"]


@nox.session(python=False, default=False)
def ci(session: nox.Session) -> None:
    """What .ci/run runs after `make test`: the sessions in CI_SESSIONS."""
    for name in CI_SESSIONS:
        session.notify(name)
