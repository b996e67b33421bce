"""The AWS CLI (a client nobody here wrote) against `smsvoice-sim simulate`: one
operation of each family issue 15 adds (lookups, resource policies, Notify, RCS)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import cli_server

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
CREDS = {
    "AWS_ACCESS_KEY_ID": "AKIAREMAININGCLI0000",
    "AWS_SECRET_ACCESS_KEY": "cli-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_PAGER": "",
}


def aws(url: str, *args: str) -> dict:
    assert AWS, "the AWS CLI is installed by `make test` (awscli in the test extras)"
    env = {**os.environ, **CREDS}
    env.pop("AWS_PROFILE", None)
    done = subprocess.run(
        [AWS, "pinpoint-sms-voice-v2", *args, "--endpoint-url", url, "--output", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "{}")


def test_aws_cli_drives_lookups_policies_notify_and_rcs():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "instant") as (ready, _p):
        url = ready.group(1)
        found = aws(url, "carrier-lookup", "--phone-number", "+33612345678")
        assert (found["IsoCountryCode"], found["PhoneNumberType"]) == ("FR", "MOBILE")
        lists = aws(url, "describe-opt-out-lists")["OptOutLists"]
        policy = aws(url, "get-resource-policy", "--resource-arn", lists[0]["OptOutListArn"])
        assert policy["Policy"] == "{}"
        config = aws(
            url,
            "create-notify-configuration",
            "--display-name",
            "CLI",
            "--use-case",
            "CODE_VERIFICATION",
            "--enabled-channels",
            "SMS",
        )
        sent = aws(
            url,
            "send-notify-text-message",
            "--notify-configuration-id",
            config["NotifyConfigurationId"],
            "--destination-phone-number",
            "+33612345678",
            "--template-variables",
            "code=123456",
        )
        assert "123456" in sent["ResolvedMessageBody"]  # the instant clock made it ACTIVE
        agent = aws(url, "create-rcs-agent")
        shown = aws(url, "describe-rcs-agents", "--rcs-agent-ids", agent["RcsAgentId"])
        assert shown["RcsAgents"][0]["Status"] == "CREATED"
