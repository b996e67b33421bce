"""`smsvoice-sim inbound`: a handset texts one of the simulated account's numbers, through the
control API of a running `smsvoice-sim simulate` (POST /_smsvoice/inbound). Prints the inbound
record as JSON; a refusal is one line naming the problem (exit 2)."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

from .control import TOKEN_HEADER
from .usage import UsageError, arg, parse_endpoint_url

DEFAULT_URL = "http://127.0.0.1:4866"  # where `smsvoice-sim simulate` listens by default
TIMEOUT = 30.0  # seconds: the server answers once the message's deliveries landed (<= 8 s)


INBOUND_OPTIONS = (
    arg("--endpoint-url", default=DEFAULT_URL, metavar="URL", type=parse_endpoint_url,
        help=f"the running `smsvoice-sim simulate` (default {DEFAULT_URL})"),
    arg("--from", dest="from_", required=True, metavar="E164",
        help="the handset's number, e.g. +12065550100"),
    arg("--to", required=True, metavar="NUMBER",
        help="the account's number (E.164, id or ARN) or an RCS agent's id or ARN"),
    arg("--body", required=True, help="what the handset sent, e.g. STOP"),
    arg("--previous-published-message-id", metavar="MESSAGE_ID",
        help="the outbound message this one answers (default: the newest sent to the handset)"),
    arg("--account", help="the account that has the number (when several do)"),
    arg("--region", help="the region that has the number (when several do)"),
    arg("--control-token", metavar="TOKEN",
        help="the server's --control-token (sent in the X-SmsVoice-Sim-Token header)"),
)


def cmd_inbound(args) -> int:
    payload = {"from": args.from_, "to": args.to, "body": args.body}
    for key, value in (("previousPublishedMessageId", args.previous_published_message_id),
                       ("account", args.account), ("region", args.region)):
        if value is not None:
            payload[key] = value
    status, answer = _post(args.endpoint_url.rstrip("/") + "/_smsvoice/inbound", payload,
                           args.control_token)
    if status != 200:
        raise UsageError(f"the simulator refused the inbound message ({status}): "
                         f"{answer.get('error') or answer}")
    json.dump(answer["inbound"], sys.stdout, indent=2)
    print()
    return 0


def _post(url: str, payload: dict, token: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers[TOKEN_HEADER] = token
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, _json(response.read(), url)
    except urllib.error.HTTPError as err:
        return err.code, _json(err.read(), url)
    except (urllib.error.URLError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise UsageError(f"cannot reach {url} ({why}): is `smsvoice-sim simulate` running there "
                         "with its control API on?") from None


def _json(raw: bytes, url: str) -> dict:
    try:
        found = json.loads(raw or b"{}")
    except ValueError:
        raise UsageError(f"{url} did not answer JSON: is it a smsvoice-sim control API?") from None
    return found if isinstance(found, dict) else {"error": str(found)}
