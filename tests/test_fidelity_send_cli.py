"""The AWS CLI (a client nobody here wrote) against `smsvoice-sim simulate` for issue 20's
items 1-3 and the Notify leads: an SNS resource policy on an opt-out list and on a number, AWS's
whole table of simulator numbers in the sandbox, a SIMULATOR origination number held to its own
country's simulator numbers, lowercase Notify language codes."""

from __future__ import annotations

import json

import pytest

from helpers import AWS_CLI, aws_cli, aws_cli_json, cli_server

ACCESS_KEY = "AKIAFIDELITYCLI00000"
ACCOUNT = "123456789012"  # the simulator's default account


def aws(url: str, *args: str) -> dict:
    return aws_cli_json(url, *args, access_key=ACCESS_KEY)


def aws_error(url: str, *args: str) -> str:
    """The CLI's error line for a call AWS refuses: `An error occurred (<Code>) ...: <message>`."""
    done = aws_cli(url, *args, access_key=ACCESS_KEY)
    assert done.returncode != 0, done.stdout
    return done.stderr


def sns_policy(arn: str, *actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": list(actions), "Resource": arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})


@pytest.mark.skipif(AWS_CLI is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_drives_policies_simulator_numbers_and_notify_languages():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "instant",
                    "--account-tier", "SANDBOX") as (ready, _p):
        url = ready.group(1)
        # Item 1: SNS's policies, as AWS's SNS guide asks for them, are accepted.
        opt_out = aws(url, "describe-opt-out-lists")["OptOutLists"][0]["OptOutListArn"]
        policy = sns_policy(opt_out, "sms-voice:DescribeOptedOutNumbers", "sms-voice:DeleteOptedOutNumber")
        aws(url, "put-resource-policy", "--resource-arn", opt_out, "--policy", policy)
        back = json.loads(aws(url, "get-resource-policy", "--resource-arn", opt_out)["Policy"])
        assert back["Statement"][0]["Principal"] == {"Service": "sns.amazonaws.com"}
        number = aws(url, "request-phone-number", "--iso-country-code", "US", "--message-type",
                     "TRANSACTIONAL", "--number-capabilities", "SMS", "--number-type", "SIMULATOR")
        arn = number["PhoneNumberArn"]
        aws(url, "put-resource-policy", "--resource-arn", arn, "--policy",
            sns_policy(arn, "sms-voice:SendTextMessage"))
        bad = json.loads(sns_policy(arn, "sms-voice:SendTextMessage"))
        bad["Statement"][0]["NotPrincipal"] = bad["Statement"][0].pop("Principal")  # with Allow: refused
        assert "(ValidationException)" in aws_error(url, "put-resource-policy", "--resource-arn", arn,
                                                   "--policy", json.dumps(bad))
        # Item 2: a sandboxed account sends to the UK's success simulator number unverified.
        assert aws(url, "send-text-message", "--destination-phone-number", "+447860019066",
                   "--message-body", "hi")["MessageId"]
        assert "(ConflictException)" in aws_error(url, "send-text-message", "--destination-phone-number",
                                                 "+12065550100", "--message-body", "hi")
        # Item 3: the US simulator number sends to US simulator numbers only.
        assert aws(url, "send-text-message", "--origination-identity", number["PhoneNumberId"],
                   "--destination-phone-number", "+14254147755", "--message-body", "hi")["MessageId"]
        refused = aws_error(url, "send-text-message", "--origination-identity", number["PhoneNumberId"],
                            "--destination-phone-number", "+447860019066", "--message-body", "hi")
        assert "(ValidationException)" in refused and "destination simulator phone numbers of US" in refused
        # Notify: lowercase language codes; an upper-case filter value is refused.
        english = aws(url, "describe-notify-templates", "--filters", "Name=language-code,Values=en")
        assert "notify-code-verification-english-001" in [t["TemplateId"] for t in english["NotifyTemplates"]]
        assert "(ValidationException)" in aws_error(url, "describe-notify-templates", "--filters",
                                                   "Name=language-code,Values=EN")
