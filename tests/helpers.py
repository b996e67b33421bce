"""Running the CLI as users do: a real subprocess, bounded in time, always stopped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from smsvoice_sim.proxy.processes import CLI, cli_server, drain, stop  # noqa: F401 - re-exported for tests

ROOT = Path(__file__).resolve().parent.parent
# The AWS CLI beside this Python (awscli is in the test extras), else one on PATH.
AWS_CLI = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


def run_cli(*args: str, timeout: float = 60, env: dict | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**os.environ, **(env or {})}, input=stdin)


def aws_cli(url: str, *args: str, access_key: str) -> subprocess.CompletedProcess:
    """`aws pinpoint-sms-voice-v2 <args>` against `url`, answering JSON, signed with fake
    credentials of `access_key` (never the machine's profile), bounded in time."""
    assert AWS_CLI, "the AWS CLI is installed by `make test` (awscli in the test extras)"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": "cli-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}
    env.pop("AWS_PROFILE", None)
    return subprocess.run([AWS_CLI, "pinpoint-sms-voice-v2", *args, "--endpoint-url", url,
                           "--output", "json"], capture_output=True, text=True, timeout=120, env=env)


def aws_cli_json(url: str, *args: str, access_key: str) -> dict:
    """`aws_cli`'s answer to a call that succeeds, parsed."""
    done = aws_cli(url, *args, access_key=access_key)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "{}")


def control_answer(sim, method: str, path: str, body=None) -> tuple[int, dict]:
    """The control API's answer in-process (simulator/control/routes.py): (status, JSON body).
    `body` is JSON-encoded (any value, to test refusals); None sends no body."""
    from smsvoice_sim.simulator import HttpRequest
    from smsvoice_sim.simulator.control.routes import answer
    raw = b"" if body is None else json.dumps(body).encode()
    response = answer(sim, HttpRequest(method, f"http://127.0.0.1{path}", {}, raw), "simulate")
    return response.status, response.json()


def control(url: str, path: str, payload: dict | None = None,
            method: str | None = None) -> tuple[int, dict]:
    """Call the control API; (status, JSON body), errors included."""
    import urllib.error
    import urllib.request
    data = None if payload is None else json.dumps(payload).encode()
    # JSON, as scripts send it: the control API refuses what a web page can post (form data).
    req = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"},
                                 method=method or ("POST" if data is not None else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def self_signed_cert(folder: Path, host: str) -> tuple[str, str]:
    """A certificate for `host` (a local stand-in for an AWS endpoint)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = folder / "upstream.pem", folder / "upstream.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return str(certfile), str(keyfile)
