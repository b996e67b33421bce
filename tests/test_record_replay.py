"""Record through the real mitmproxy (reverse and forward) in front of a real local
upstream that verifies signatures, then replay offline with that upstream still
running and untouched."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.cassette import Cassette, CassetteError
from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.proxy.inprocess import cassette_client
from smsvoice_sim.proxy.session import MISS_TYPE, CassetteSession
from smsvoice_sim.simulator import Simulator

from helpers import ROOT, cli_server, control, drain, run_cli
from workflows import pool_workflow

pytest_plugins = ["upstreams"]  # its confdir (this module has its own, signature-checking upstream)

# Canary credentials: no byte of these may ever reach a cassette's folder.
CLIENT = {"aws_access_key_id": "AKIACANARYCLIENT7777", "aws_secret_access_key": "canary-client-secret-7777",
          "aws_session_token": "canary-client-session-token-7777"}
RECORDER = {"AWS_ACCESS_KEY_ID": "AKIACANARYRECORD8888", "AWS_SECRET_ACCESS_KEY": "canary-rec-secret-8888",
            "AWS_SESSION_TOKEN": "canary-recorder-session-token-8888"}
CANARIES = [v for d in (CLIENT, RECORDER) for v in d.values()]


class Upstream:
    """The simulator's endpoint standing in for AWS: verifies SigV4, counts hits."""

    def __init__(self, known: dict[str, str]):
        self.sim = Simulator(clock="reads:2", seed=11, verify_sigv4=True, credentials=known)
        self.hits = 0
        self.sim.listeners.append(lambda *_: self._hit())
        self.server = EndpointServer(simulator_answer(self.sim)).start()
        self.url = self.server.url

    def _hit(self):
        self.hits += 1

    def close(self):
        self.server.close()


@pytest.fixture
def upstream():
    up = Upstream({RECORDER["AWS_ACCESS_KEY_ID"]: RECORDER["AWS_SECRET_ACCESS_KEY"]})
    yield up
    up.close()


def recording_client(url: str, creds: dict = CLIENT, **kwargs):
    client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                          **creds, **kwargs)
    bodies: list[bytes] = []
    client.meta.events.register("response-received.*",
                                lambda response_dict, **_: bodies.append(response_dict["body"]))
    return client, bodies


def no_canary_under(folder: Path) -> int:
    found = 0
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += sum(data.count(c.encode()) for c in CANARIES)
    return found


def test_reverse_record_then_replay_offline(tmp_path, upstream, confdir):
    cassette = tmp_path / "cassettes" / "pool.db"
    with cli_server("record", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                    "--upstream", upstream.url, "--confdir", confdir, env=RECORDER) as (ready, proc):
        client, recorded_bodies = recording_client(ready.group(1))
        recorded = pool_workflow(client)
    assert "recorded #10 DeletePool -> 200" in "".join(drain(proc))
    # The client's own key is unknown upstream: only the recorder's re-signing got through.
    assert upstream.hits == 10
    assert recorded[1] == ("poll number", ["PENDING", "PENDING", "ACTIVE"])
    assert recorded[4][1] == ("ConflictException", "PHONE_NUMBER_ASSOCIATED_TO_POOL")

    with cli_server("replay", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                    "--upstream", upstream.url, "--confdir", confdir) as (ready, proc):
        client, replayed_bodies = recording_client(ready.group(1))
        replayed = pool_workflow(client)
    assert replayed == recorded
    assert replayed_bodies == recorded_bodies  # byte-identical, polling sequence included
    assert upstream.hits == 10  # the upstream was reachable and never touched
    assert no_canary_under(tmp_path / "cassettes") == 0


def test_reverse_record_without_resigning_is_refused_by_a_verifying_upstream(tmp_path, upstream,
                                                                               confdir):
    with cli_server("record", "--cassette", str(tmp_path / "c.db"), "--listen", "127.0.0.1:0",
                    "--upstream", upstream.url, "--confdir", confdir, "--no-resign",
                    env=RECORDER) as (ready, _proc):
        client, _ = recording_client(ready.group(1))
        with pytest.raises(ClientError) as exc:
            client.describe_pools()
    assert exc.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_forward_proxy_record_then_offline_https_replay(tmp_path, confdir):
    # Forward mode keeps the client's signature, so the upstream must know the client's key.
    up = Upstream({CLIENT["aws_access_key_id"]: CLIENT["aws_secret_access_key"]})
    cassette = tmp_path / "cassettes" / "forward.db"
    try:
        with cli_server("record", "--cassette", str(cassette), "--proxy-listen", "127.0.0.1:0",
                        "--confdir", confdir) as (ready, _proc):
            proxy_url = ready.group(1)
            client, recorded_bodies = recording_client(
                up.url, config=Config(proxies={"http": proxy_url, "https": proxy_url}))
            recorded = pool_workflow(client)
        assert up.hits == 10
        # Replay as an unmodified client would run: the real AWS host name over HTTPS,
        # HTTPS_PROXY plus mitmproxy's CA. Nothing resolves or dials out.
        with cli_server("replay", "--cassette", str(cassette), "--proxy-listen", "127.0.0.1:0",
                        "--confdir", confdir, "--upstream", "https://sms-voice.invalid") \
                as (ready, _proc):
            proxy_url = ready.group(1)
            client = boto3.client(
                "pinpoint-sms-voice-v2", region_name="us-east-1", **CLIENT,
                verify=str(Path(confdir) / "mitmproxy-ca-cert.pem"),
                config=Config(proxies={"https": proxy_url}))
            assert client.meta.endpoint_url == "https://sms-voice.us-east-1.amazonaws.com"
            bodies: list[bytes] = []
            client.meta.events.register("response-received.*",
                                        lambda response_dict, **_: bodies.append(response_dict["body"]))
            replayed = pool_workflow(client)
        assert replayed == recorded and bodies == recorded_bodies
        assert up.hits == 10
        assert no_canary_under(tmp_path / "cassettes") == 0
    finally:
        up.close()


def test_forward_proxy_passes_other_traffic_through_unrecorded(tmp_path, confdir):
    from smsvoice_sim.simulator import HttpResponse
    other = EndpointServer(lambda req: HttpResponse(200, {"Content-Type": "text/plain"},
                                                    b"not sms-voice")).start()
    cassette = tmp_path / "c.db"
    try:
        with cli_server("record", "--cassette", str(cassette), "--proxy-listen", "127.0.0.1:0",
                        "--confdir", confdir) as (ready, _proc):
            import urllib.request
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({"http": ready.group(1)}))
            with opener.open(other.url + "/sts-like", timeout=10) as resp:
                assert resp.read() == b"not sms-voice"
    finally:
        other.close()
    with Cassette(cassette) as c:
        assert c.count() == 0


def _recorded_cassette(tmp_path, upstream) -> Path:
    """Record the workflow in-process (botocore's HTTP stack) into a fresh cassette."""
    path = tmp_path / "inproc.db"
    with Cassette(path) as cassette:
        session = CassetteSession(cassette, record_mode="all")
        client = cassette_client(session, endpoint_url=upstream.url,
                                 aws_access_key_id=RECORDER["AWS_ACCESS_KEY_ID"],
                                 aws_secret_access_key=RECORDER["AWS_SECRET_ACCESS_KEY"])
        pool_workflow(client)
    return path


def test_miss_is_a_clear_error_never_a_network_call(tmp_path, upstream):
    path = _recorded_cassette(tmp_path, upstream)
    hits = upstream.hits
    with Cassette(path) as cassette:
        client = cassette_client(CassetteSession(cassette), endpoint_url=upstream.url)
        with pytest.raises(ClientError) as exc:
            client.describe_phone_numbers(PhoneNumberIds=["phone-" + "0" * 32])
    err = exc.value.response
    message = err["Error"]["Message"]
    assert err["Error"]["Code"] == MISS_TYPE
    assert str(path) in message and "DescribePhoneNumbers" in message
    assert "closest recorded interaction is #2" in message and "PhoneNumberIds" in message
    assert "--record-mode new_episodes" in message
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["ResponseMetadata"]["RetryAttempts"] == 0  # botocore does not retry it
    assert upstream.hits == hits


def test_polling_sequence_repeats_last_or_errors(tmp_path, upstream):
    path = _recorded_cassette(tmp_path, upstream)
    with Cassette(path) as cassette:
        rows = list(cassette.interactions())
        pool_id = json.loads(rows[4].response.body)["PoolId"]
        for on_exhausted, tail in (("repeat", ["ACTIVE", "ACTIVE"]), ("error", [MISS_TYPE])):
            client = cassette_client(CassetteSession(cassette, on_exhausted=on_exhausted))
            seen = []
            for _ in range(5):
                try:
                    seen.append(client.describe_pools(PoolIds=[pool_id])["Pools"][0]["Status"])
                except ClientError as e:
                    seen.append(e.response["Error"]["Code"])
                    break
            assert seen == ["CREATING", "CREATING", "ACTIVE", *tail]


def test_record_modes(tmp_path, upstream):
    path = _recorded_cassette(tmp_path, upstream)
    creds = {"aws_access_key_id": RECORDER["AWS_ACCESS_KEY_ID"],
             "aws_secret_access_key": RECORDER["AWS_SECRET_ACCESS_KEY"]}
    with Cassette(path) as cassette:
        before, hits = cassette.count(), upstream.hits
        # once: the cassette was not empty, so it is replay-only.
        client = cassette_client(CassetteSession(cassette, record_mode="once"),
                                 endpoint_url=upstream.url, **creds)
        with pytest.raises(ClientError):
            client.describe_account_limits()
        # new_episodes: replays what matches, records what does not.
        client = cassette_client(CassetteSession(cassette, record_mode="new_episodes"),
                                 endpoint_url=upstream.url, **creds)
        client.describe_phone_numbers()
        limits = client.describe_account_limits()["AccountLimits"]
        assert upstream.hits == hits + 2 and cassette.count() == before + 2
        # ... and the new episode now replays offline.
        client = cassette_client(CassetteSession(cassette), endpoint_url=upstream.url, **creds)
        assert client.describe_account_limits()["AccountLimits"] == limits
        assert upstream.hits == hits + 2
        # all: records everything, replays nothing.
        client = cassette_client(CassetteSession(cassette, record_mode="all"),
                                 endpoint_url=upstream.url, **creds)
        client.describe_account_limits()
        assert upstream.hits == hits + 3


def test_cassette_format_is_checked_on_open(tmp_path, upstream):
    path = _recorded_cassette(tmp_path, upstream)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    with pytest.raises(CassetteError, match="format 99; this smsvoice-sim reads format 1"):
        Cassette(path)
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all" * 100)
    with pytest.raises(CassetteError, match="not a smsvoice-sim cassette"):
        Cassette(junk)
    result = run_cli("replay", "--cassette", str(tmp_path / "missing.db"), "--listen", "127.0.0.1:0")
    assert result.returncode == 2 and "does not exist" in result.stderr
    result = run_cli("cassette", "show", str(junk))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_export_import_round_trip_is_byte_identical(tmp_path, upstream):
    path = _recorded_cassette(tmp_path, upstream)
    exported = run_cli("cassette", "export", str(path))
    assert exported.returncode == 0
    lines = exported.stdout.splitlines()
    assert len(lines) == 10 and json.loads(lines[0])["operation"] == "RequestPhoneNumber"
    (tmp_path / "c.jsonl").write_text(exported.stdout)
    result = run_cli("cassette", "import", str(tmp_path / "c.jsonl"), str(tmp_path / "back.db"))
    assert result.returncode == 0 and "imported 10" in result.stdout
    with Cassette(path) as a, Cassette(tmp_path / "back.db") as b:
        for x, y in zip(a.interactions(), b.interactions(), strict=True):
            assert (x.match_key, x.response.body, x.request.body) == \
                (y.match_key, y.response.body, y.request.body)
    shown = run_cli("cassette", "show", str(path))
    assert "CreatePool" in shown.stdout and "CREATING ──" in shown.stdout
    listed = run_cli("cassette", "list", str(tmp_path))
    assert "inproc.db: 10 interactions" in listed.stdout


def test_scrubbing_patterns_and_pseudonyms_keep_matching(tmp_path, upstream):
    path = tmp_path / "p.db"
    creds = {"aws_access_key_id": RECORDER["AWS_ACCESS_KEY_ID"],
             "aws_secret_access_key": RECORDER["AWS_SECRET_ACCESS_KEY"]}
    with Cassette(path) as cassette:
        session = CassetteSession(cassette, record_mode="all", pseudonymise=True,
                                  redact_patterns=(r"MYBRAND\d+",))
        client = cassette_client(session, endpoint_url=upstream.url, **creds)
        sender = client.request_sender_id(SenderId="MYBRAND42", IsoCountryCode="GB")
        phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="SIMULATOR")
        client.describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberArn"]])
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("p.db-*"))
    assert b"MYBRAND42" not in raw and b"123456789012" not in raw
    assert phone["PhoneNumber"].encode() not in raw
    assert sender["SenderIdArn"].startswith("arn:aws:sms-voice:us-east-1:123456789012:")
    with Cassette(path) as cassette:
        replay = cassette_client(CassetteSession(cassette, pseudonymise=True))
        # The client asks with the real ARN; it is pseudonymised the same way, so it matches.
        got = replay.describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberArn"]])
        number = got["PhoneNumbers"][0]
        assert number["PhoneNumber"] != phone["PhoneNumber"]
        assert len(number["PhoneNumber"]) == len(phone["PhoneNumber"])
        assert ":123456789012:" not in number["PhoneNumberArn"]


def test_killed_recorder_loses_nothing_it_answered(tmp_path, upstream, confdir):
    cassette = tmp_path / "killed.db"
    with cli_server("record", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                    "--upstream", upstream.url, "--confdir", confdir, env=RECORDER) as (ready, proc):
        client, _ = recording_client(ready.group(1))
        answered = 0
        for _ in range(7):
            client.describe_pools()
            answered += 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with Cassette(cassette) as c:
        assert c.integrity_ok() and c.count() == answered


def test_shipped_cassette_matches_its_export():
    cassettes = ROOT / "cassettes"
    with Cassette(cassettes / "pool_lifecycle.db", create=False) as c:
        from smsvoice_sim.proxy.cassette_tools import export_lines
        assert list(export_lines(c)) == \
            (cassettes / "pool_lifecycle.jsonl").read_text().splitlines()


@pytest.mark.smsvoice_cassette("../cassettes/pool_lifecycle.db")
def test_pytest_marker_replays_the_shipped_cassette(smsvoice_client, smsvoice_session):
    transcript = pool_workflow(smsvoice_client)
    assert [step for step, _ in transcript] == ["RequestPhoneNumber", "poll number", "CreatePool",
                                                "poll pool", "CreatePool again", "DeletePool"]
    assert transcript[3][1][-1] == "ACTIVE"
    assert transcript[4][1] == ("ConflictException", "PHONE_NUMBER_ASSOCIATED_TO_POOL")
    assert smsvoice_session.missed == 0 and smsvoice_session.recorded == 0


def test_mitmdump_loads_the_installed_addon_from_anywhere(tmp_path, upstream):
    """`mitmdump -s "$(smsvoice-sim addon-path)"` from a folder outside the checkout:
    the addon imports the installed package, no sys.path editing."""
    bindir = Path(os.sys.executable).parent
    mitmdump = shutil.which("mitmdump", path=str(bindir))
    assert mitmdump, "mitmdump is installed with mitmproxy"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    found = subprocess.run([str(bindir / "smsvoice-sim"), "addon-path"], cwd=outside,
                           capture_output=True, text=True, timeout=60, check=True)
    addon = Path(found.stdout.strip())
    assert addon.name == "addon.py" and addon.is_file()
    shutil.copy(ROOT / "cassettes" / "pool_lifecycle.db", outside / "c.db")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [mitmdump, "-q", "-s", str(addon), "--mode", f"reverse:{upstream.url}@127.0.0.1:0",
               "--set", "smsvoice_cassette=c.db", "--set", "smsvoice_mode=replay",
               "--set", f"confdir={tmp_path / 'conf'}", "--set", "connection_strategy=lazy"]
    with cli_server(command=command, ready=r"smsvoice-sim replay endpoint on (http://\S+)",
                    cwd=str(outside), env=env) as (ready, _proc):
        client, _ = recording_client(ready.group(1))
        assert [s for s, _ in pool_workflow(client)][0] == "RequestPhoneNumber"
    assert upstream.hits == 0


def test_reset_rewinds_a_replay_endpoint_for_a_second_run(tmp_path, upstream, confdir):
    shutil.copy(ROOT / "cassettes" / "pool_lifecycle.db", tmp_path / "c.db")
    with cli_server("replay", "--cassette", str(tmp_path / "c.db"), "--listen", "127.0.0.1:0",
                    "--upstream", upstream.url, "--confdir", confdir) as (ready, _proc):
        url = ready.group(1)
        client, first_bodies = recording_client(url)
        first = pool_workflow(client)
        status, body = control(url, "/_smsvoice/reset", {})
        assert status == 200 and body["rewound"] is True
        client, second_bodies = recording_client(url)
        second = pool_workflow(client)  # from the start again, polling sequences included
    assert second == first and second_bodies == first_bodies
    assert upstream.hits == 0


def test_user_ignored_members_match_whatever_the_value(tmp_path, upstream):
    path = tmp_path / "ign.db"
    creds = {"aws_access_key_id": RECORDER["AWS_ACCESS_KEY_ID"],
             "aws_secret_access_key": RECORDER["AWS_SECRET_ACCESS_KEY"]}
    with Cassette(path) as cassette:
        client = cassette_client(CassetteSession(cassette, record_mode="all"),
                                 endpoint_url=upstream.url, **creds)
        client.create_opt_out_list(OptOutListName="run-1", Tags=[{"Key": "run", "Value": "1"}])
    with Cassette(path) as cassette:
        strict = cassette_client(CassetteSession(cassette))
        with pytest.raises(ClientError):
            strict.create_opt_out_list(OptOutListName="run-2", Tags=[{"Key": "run", "Value": "2"}])
        loose = cassette_client(CassetteSession(cassette, ignore=("OptOutListName", "Tags")))
        got = loose.create_opt_out_list(OptOutListName="run-2", Tags=[{"Key": "run", "Value": "2"}])
        assert got["OptOutListName"] == "run-1"  # the recorded answer


def test_pytest_plugin_records_once_then_replays(pytester, upstream):
    pytester.makeconftest("")
    pytester.makepyfile(test_rec=f'''
import pytest

@pytest.mark.smsvoice_cassette("cassettes/limits.db",
                               client_kwargs={{"endpoint_url": "{upstream.url}"}})
def test_limits(smsvoice_client):
    limits = smsvoice_client.describe_account_limits()["AccountLimits"]
    assert any(l["Name"] == "POOLS" for l in limits)
''')
    env = {"AWS_ACCESS_KEY_ID": RECORDER["AWS_ACCESS_KEY_ID"],
           "AWS_SECRET_ACCESS_KEY": RECORDER["AWS_SECRET_ACCESS_KEY"]}
    for k, v in env.items():
        pytester._monkeypatch.setenv(k, v)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)  # no cassette and pure replay: a clear failure
    result.stdout.fnmatch_lines(["*cassette*limits.db does not exist*"])
    result = pytester.runpytest_subprocess("--smsvoice-record-mode=once")
    result.assert_outcomes(passed=1)
    assert upstream.hits == 1
    result = pytester.runpytest_subprocess()  # replay: the upstream is not touched
    result.assert_outcomes(passed=1)
    assert upstream.hits == 1
    assert (pytester.path / "cassettes" / "limits.db").exists()
