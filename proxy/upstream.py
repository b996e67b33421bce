"""Talking to the real service: re-signing for reverse mode, and sending in-process.

In reverse mode the client signed its request for the listener's host, so AWS
would reject it once the proxy rewrites `Host`. The recorder re-signs each
upstream request with botocore's own SigV4 signer and its own credentials.
"""

from __future__ import annotations

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.httpsession import URLLib3Session

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.model import SIGNING_NAME

_UNSIGNED = {"authorization", "x-amz-date", "x-amz-security-token", "host", "content-length",
             "x-amz-content-sha256"}


class NoCredentials(Exception):
    pass


def recorder_credentials(profile: str | None = None):
    session = botocore.session.Session(profile=profile or None)
    creds = session.get_credentials()
    if creds is None:
        where = f"profile {profile!r}" if profile else "the default credential chain"
        raise NoCredentials(f"no AWS credentials found in {where} to re-sign upstream requests")
    return creds


def resign(request: HttpRequest, url: str, region: str, credentials) -> dict[str, str]:
    """Headers for `request` sent to `url`, signed with the recorder's credentials."""
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _UNSIGNED}
    aws = AWSRequest(method=request.method, url=url, data=request.body, headers=headers)
    SigV4Auth(credentials.get_frozen_credentials(), SIGNING_NAME, region).add_auth(aws)
    return dict(aws.headers.items())


def send(request: HttpRequest, timeout: float = 60, verify=True, proxies=None) -> HttpResponse:
    """Send with botocore's own HTTP stack (as boto3 would have)."""
    aws = AWSRequest(method=request.method, url=request.url, data=request.body,
                     headers=request.headers).prepare()
    session = URLLib3Session(verify=verify, proxies=proxies, timeout=timeout)
    try:
        raw = session.send(aws)
        return HttpResponse(raw.status_code, dict(raw.headers.items()), raw.content)
    finally:
        session.close()
