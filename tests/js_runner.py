"""Run one of tests/js/*.mjs with Node.js against an endpoint and read the one JSON object
it prints: the AWS SDK for JavaScript v3 (no botocore code) as a test client."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from helpers import ROOT

JS = ROOT / "tests" / "js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed on this machine")


def run_js(script: str, *args: str, timeout: float = 120) -> dict:
    """`node tests/js/<script> <args...>`: its JSON output; the test fails on a non-zero exit
    (with the script's stderr) or when the SDK is not installed."""
    if not (JS / "node_modules" / "@aws-sdk" / "client-pinpoint-sms-voice-v2").exists():
        pytest.fail("the AWS SDK for JavaScript is not installed: `make test` runs "
                    "`npm ci --prefix tests/js` first")
    done = subprocess.run([NODE, str(JS / script), *args], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
