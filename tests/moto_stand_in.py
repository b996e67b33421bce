"""A real local stand-in for SNS, SQS, Firehose and CloudWatch Logs: moto's server,
started on 127.0.0.1 on a free port for a test and stopped after it; and a dead one,
which accepts connections and never answers."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest

from smsvoice_sim.proxy.processes import stop

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
        stop(proc)


def silent_endpoint_url():
    """The URL of an endpoint that accepts TCP connections and never answers (a hung
    stand-in). A test module makes it a fixture, as moto_server_url."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)  # accept() looks at `closing` this often
    closing = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not closing.is_set():
            try:
                held.append(server.accept()[0])
            except (TimeoutError, OSError):
                continue

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        closing.set()
        acceptor.join(timeout=10)
        server.close()
        for connection in held:
            connection.close()


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


class TopicReader:
    """What the program's queue (subscribed to the two-way topic) received: the SNS envelope's
    Message, a compact JSON string, parsed."""

    def __init__(self, sqs, queue_url: str):
        self.sqs, self.queue_url = sqs, queue_url

    def raw_messages(self) -> list[str]:
        got = []
        for _ in range(20):  # bounded: moto answers at once; a few rounds drain the queue
            batch = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=0).get("Messages", [])
            if not batch:
                break
            for message in batch:
                got.append(json.loads(message["Body"])["Message"])
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return got

    def payloads(self) -> list[dict]:
        return [json.loads(raw) for raw in self.raw_messages()]
