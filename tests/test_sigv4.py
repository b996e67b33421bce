"""`verify_sigv4` refuses what AWS refuses, each with AWS's error and message.

Where boto3 can be made to send the request (a client whose clock is wrong, a
client configured for another region) a real client sends it; otherwise
botocore's own signer signs a doctored request, as a hand-rolled client would.
"""

from __future__ import annotations

import datetime

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import HttpRequest, Simulator
from smsvoice_sim.simulator.engine.clock import ManualClock, RealClock
from smsvoice_sim.simulator.wire.sigv4 import reference_time

AKID, SECRET = "AKIASIGV4TEST0000000", "sigv4-test-secret"
URL = "https://sms-voice.us-east-1.amazonaws.com/"
NO_RETRY = Config(retries={"total_max_attempts": 1})


@pytest.fixture
def verifying() -> Simulator:
    return Simulator(clock="manual", seed=4, verify_sigv4=True, credentials={AKID: SECRET})


def client_of(sim: Simulator, **kwargs):
    return sim.client(aws_access_key_id=AKID, aws_secret_access_key=SECRET, config=NO_RETRY, **kwargs)


def refusal(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        call()
    err = exc.value.response
    return err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Code"], err["Error"]["Message"]


def client_clock_off_by(monkeypatch, minutes: float) -> None:
    """The client's clock is wrong: botocore signs with a time `minutes` away from now."""
    real = botocore.auth.get_current_datetime
    monkeypatch.setattr(botocore.auth, "get_current_datetime",
                        lambda: real() + datetime.timedelta(minutes=minutes))


class _Signer(SigV4Auth):
    """botocore's signer, told to leave some headers out of the signature."""

    def __init__(self, *args, leave_out: tuple[str, ...] = ()):
        super().__init__(*args)
        self.leave_out = leave_out

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        for name in self.leave_out:
            del headers[name]
        return headers


def doctored(sim: Simulator, service: str = "sms-voice", region: str = "us-east-1",
             leave_out: tuple[str, ...] = (), unsigned_payload: bool = False,
             body: bytes = b"{}", send_body: bytes | None = None, authorization=None):
    """Sign a DescribePools request with botocore's signer, change what is asked, send it."""
    request = AWSRequest(method="POST", url=URL, data=body, headers={
        "X-Amz-Target": "PinpointSMSVoiceV2.DescribePools",
        "Content-Type": "application/x-amz-json-1.0"})
    if unsigned_payload:
        request.context["payload_signing_enabled"] = False  # what S3 clients do
    _Signer(Credentials(AKID, SECRET), service, region, leave_out=leave_out).add_auth(request)
    headers = dict(request.headers.items())
    if authorization is not None:
        headers["Authorization"] = authorization(headers["Authorization"])
    response = sim.handle(HttpRequest("POST", URL, headers, body if send_body is None else send_body))
    return response.status, response.json()


# -- what passes ------------------------------------------------------------------------------

def test_a_real_client_passes_even_after_the_manual_clock_moved_days(verifying):
    client = client_of(verifying)
    assert client.describe_pools()["Pools"] == []
    verifying.advance(3 * 24 * 3600)  # manual clocks: the date is checked against the wall clock
    assert client.describe_pools()["Pools"] == []
    assert doctored(verifying)[0] == 200  # the doctoring helper itself signs correctly


def test_the_reference_time_follows_a_real_clock_and_not_a_manual_one():
    real, manual = RealClock(), ManualClock()
    real.advance(3600)
    manual.advance(3600)
    assert reference_time(real) == pytest.approx(real.now(), abs=1)
    assert abs(reference_time(manual) - (manual.now() - 3600)) < 5


def test_a_real_clock_moved_an_hour_ahead_finds_a_fresh_signature_expired():
    """The simulator compares with its own clock when that clock is real time."""
    sim = Simulator(clock="real", seed=4, verify_sigv4=True, credentials={AKID: SECRET})
    client = client_of(sim)
    assert client.describe_pools()["Pools"] == []
    sim.advance(3600)
    status, code, message = refusal(client.describe_pools)
    assert code == "InvalidSignatureException" and "Signature expired" in message, message


# -- one test per refusal ---------------------------------------------------------------------

def test_a_signature_from_more_than_15_minutes_ago_has_expired(verifying, monkeypatch):
    client_clock_off_by(monkeypatch, -16)
    status, code, message = refusal(client_of(verifying).describe_pools)
    assert (status, code) == (400, "InvalidSignatureException")
    assert message.startswith("Signature expired: ") and " is now earlier than " in message
    assert message.endswith(" - 15 min.)")


def test_a_signature_from_more_than_15_minutes_ahead_is_not_yet_current(verifying, monkeypatch):
    client_clock_off_by(monkeypatch, 16)
    status, code, message = refusal(client_of(verifying).describe_pools)
    assert (status, code) == (400, "InvalidSignatureException")
    assert message.startswith("Signature not yet current: ") and message.endswith(" + 15 min.)")


def test_a_clock_off_by_less_than_15_minutes_is_accepted(verifying, monkeypatch):
    client_clock_off_by(monkeypatch, -14)
    assert client_of(verifying).describe_pools()["Pools"] == []


def test_a_credential_scoped_to_another_region_than_the_endpoint(verifying):
    # A client configured for eu-west-1 but sent to the us-east-1 endpoint signs for eu-west-1.
    client = client_of(verifying, region_name="eu-west-1", endpoint_url=URL.rstrip("/"))
    assert refusal(client.describe_pools) == (
        400, "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'eu-west-1'.")


def test_a_credential_scoped_to_another_service(verifying):
    assert doctored(verifying, service="sms") == (400, {
        "__type": "InvalidSignatureException",
        "message": "Credential should be scoped to correct service: 'sms-voice'."})


def test_every_wrong_part_of_the_scope_is_named_at_once(verifying):
    status, body = doctored(verifying, service="sns", region="us-west-2")
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    assert body["message"] == ("Credential should be scoped to a valid region, not 'us-west-2'. "
                               "Credential should be scoped to correct service: 'sms-voice'.")


def test_a_scope_date_that_is_not_the_request_date(verifying):
    # Credential=AKID/YYYYMMDD/region/...: the scope's date changed after signing.
    status, body = doctored(verifying, authorization=lambda a: a.replace(a.split("/")[1], "20000101", 1))
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    assert body["message"].startswith("Date in Credential scope does not match YYYYMMDD from "
                                      "ISO-8601 version of date from HTTP: '20000101' != '")


def test_host_must_be_signed(verifying):
    assert doctored(verifying, leave_out=("host",)) == (400, {
        "__type": "InvalidSignatureException",
        "message": "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."})


def test_x_amz_target_must_be_signed(verifying):
    # Unsigned, the operation could be swapped (DescribePools -> DeletePool) under a valid signature.
    assert doctored(verifying, leave_out=("x-amz-target",)) == (400, {
        "__type": "InvalidSignatureException",
        "message": "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."})


def test_an_unsigned_payload_is_refused(verifying):
    status, body = doctored(verifying, unsigned_payload=True)
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    assert body["message"].startswith("The request signature we calculated does not match")


def test_a_body_other_than_the_one_signed_is_refused(verifying):
    # Even when the client's X-Amz-Content-SHA256 vouches for it: the body received is hashed.
    status, body = doctored(verifying, send_body=b'{"MaxResults": 1}')
    assert (status, body["__type"]) == (400, "InvalidSignatureException")


def test_a_date_that_is_not_iso_8601_basic(verifying):
    request = HttpRequest("POST", URL, {
        "X-Amz-Target": "PinpointSMSVoiceV2.DescribePools", "X-Amz-Date": "2026-11-28T10:00:00Z",
        "Authorization": f"AWS4-HMAC-SHA256 Credential={AKID}/20261128/us-east-1/sms-voice/"
                         "aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"}, b"{}")
    response = verifying.handle(request)
    assert (response.status, response.json()["__type"]) == (400, "IncompleteSignatureException")
    assert response.json()["message"] == ("Date must be in ISO-8601 'basic format'. Got "
                                          "'2026-11-28T10:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601")


def test_an_unknown_key_and_a_wrong_secret(verifying):
    stranger = verifying.client(aws_access_key_id="AKIASTRANGER00000000", aws_secret_access_key="x",
                                config=NO_RETRY)
    assert refusal(stranger.describe_pools) == (
        400, "UnrecognizedClientException", "The security token included in the request is invalid.")
    wrong = verifying.client(aws_access_key_id=AKID, aws_secret_access_key="wrong", config=NO_RETRY)
    status, code, message = refusal(wrong.describe_pools)
    assert (status, code) == (400, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match")
