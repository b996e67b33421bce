"""A real local stand-in for SNS, SQS, Firehose and CloudWatch Logs: moto's server,
started on 127.0.0.1 on a free port for a test and stopped after it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

CREDS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_server_command() -> list[str] | None:
    beside = Path(sys.executable).with_name("moto_server")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("moto_server")
    return [found] if found else None


def moto_server_url():
    """The URL of a fresh moto_server; skips (saying why) where moto[server] is absent.
    A test module makes it a fixture: `moto_url = pytest.fixture(moto_server_url)`."""
    command = _moto_server_command()
    if command is None:
        pytest.skip("moto_server is not installed (pip install 'moto[server]'): the delivery tests "
                    "need a local SNS/SQS/Firehose/CloudWatch Logs stand-in")
    port = _free_port()
    proc = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.skip(f"moto_server did not start on port {port}")
                time.sleep(0.05)  # waiting for a subprocess to listen, not for simulated time
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def aws(service: str, url: str, region: str = "us-east-1"):
    return boto3.client(service, region_name=region, endpoint_url=url, **CREDS)


def topic_into_queue(url: str, name: str = "sms-events") -> tuple[str, str]:
    """An SNS topic subscribed by an SQS queue, as a receipt pipeline has: (topic ARN, queue URL)."""
    sns, sqs = aws("sns", url), aws("sqs", url)
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url,
                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, queue_url
