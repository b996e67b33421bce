"""The AWS CLI (a client nobody here wrote) against `smsvoice-sim simulate`: one
operation of each family issue 15 adds (lookups, resource policies, Notify, RCS)."""

from __future__ import annotations

from helpers import aws_cli_json, cli_server

ACCESS_KEY = "AKIAREMAININGCLI0000"


def aws(url: str, *args: str) -> dict:
    return aws_cli_json(url, *args, access_key=ACCESS_KEY)


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
