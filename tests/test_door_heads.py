"""The simulate door reads an ordinary request's head itself (proxy/http_server.py,
`simple_head`) and leaves anything unusual to the stdlib's parser: what it reads must be
what the stdlib would have read, and what it declines must still be answered as before."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading

import pytest

from smsvoice_sim.proxy.http_server import simple_head

from conftest import endpoint_client

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAHEADS00000000000/20240101/us-east-1/sms-voice/"
        "aws4_request, SignedHeaders=host, Signature=abc")

SIMPLE = [
    b"Host: a\r\n\r\n",
    b"\r\n",
    b"\n",
    b"Host: a\nX-Amz-Target:PinpointSMSVoiceV2.DescribePools\n\n",
    b"Host:   a  \r\nhost: b\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    b"X-Empty:\r\nX-Tab:\tv\t\r\nX-Odd-Chars: !#$%&'*+.^_`|~\r\n\r\nbody",
    b"Authorization: " + AUTH.encode() + b"\r\nX-Amz-Date: 20240101T000000Z\r\n\r\n",
]
UNUSUAL = [
    b"Host: a\r\n",  # the blank line has not arrived
    b"Host: a\r\n X-Folded: continued\r\n\r\n",  # obs-fold
    b"Host : a\r\n\r\n",  # a space before the colon
    b"Host: caf\xe9\r\n\r\n",  # not ASCII
    b"Bare line\r\n\r\n",  # no colon
    b"Host: a\r\r\n\r\n",  # a stray CR
    b"".join(b"X-H%d: v\r\n" % i for i in range(101)) + b"\r\n",  # more than http.client takes
]


@pytest.mark.parametrize("block", SIMPLE)
def test_a_simple_head_reads_as_the_stdlib_reads_it(block):
    stream = io.BytesIO(block)
    theirs = http.client.parse_headers(stream)
    items, length = simple_head(block)
    assert items == theirs.items() and length == stream.tell()
    for name in {n.lower() for n, _v in items} | {"missing"}:
        for spelling in (name, name.upper(), name.title()):
            ours = [v for n, v in items if n.lower() == spelling.lower()]
            assert (ours[0] if ours else None) == theirs.get(spelling)
            assert (ours or None) == theirs.get_all(spelling)


@pytest.mark.parametrize("block", UNUSUAL)
def test_an_unusual_head_is_left_to_the_stdlib(block):
    assert simple_head(block) is None


def _ask(server, head: bytes, body: bytes = b"{}") -> tuple[bytes, dict]:
    """One raw request; (status line, JSON body) of its answer."""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head + body)
        reply = sock.makefile("rb")
        status = reply.readline()
        length = 0
        while (line := reply.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return status, json.loads(reply.read(length))


def _head(version: str = "HTTP/1.1", *extra: bytes) -> bytes:
    return b"\r\n".join([f"POST / {version}".encode(), b"Host: x",
                         b"X-Amz-Target: PinpointSMSVoiceV2.DescribePools",
                         b"Content-Type: application/x-amz-json-1.0", b"Content-Length: 2",
                         b"Authorization: " + AUTH.encode(), *extra, b"", b""])


@pytest.mark.parametrize("extra", [(), (b"X-Note: caf\xe9",), (b"X-Folded: a", b" b"),
                                   (b"Host : spaced",)], ids=["simple", "latin-1", "obs-fold",
                                                              "spaced-name"])
def test_both_readers_answer_the_request(server, extra):
    status, body = _ask(server, _head("HTTP/1.1", *extra))
    assert status.startswith(b"HTTP/1.1 200") and body == {"Pools": []}


def test_keep_alive_and_expect_follow_the_request(server):
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        reply = sock.makefile("rb")
        for _ in range(2):  # HTTP/1.0 asking to keep the connection: it stays open
            sock.sendall(_head("HTTP/1.0", b"Connection: keep-alive") + b"{}")
            assert reply.readline().startswith(b"HTTP/1.1 200")
            while reply.readline() not in (b"\r\n", b""):
                pass
            assert reply.read(len(b'{"Pools":[]}')) == b'{"Pools":[]}'
        sock.sendall(_head("HTTP/1.1", b"Expect: 100-continue"))
        assert reply.readline().startswith(b"HTTP/1.1 100")
        assert reply.readline() == b"\r\n"
        sock.sendall(b"{}")
        assert reply.readline().startswith(b"HTTP/1.1 200")
    status, body = _ask(server, _head("HTTP/1.0"))  # HTTP/1.0 alone: answered, then closed
    assert status.startswith(b"HTTP/1.1 200")


def test_concurrent_clients_each_get_their_own_answer(server, sim):
    """32 connections at once, each tagging the same pool with its own key and reading it
    back: every answer is its own request's (ids never repeat), and no change is lost."""
    client = endpoint_client(server.url)
    arn = client.request_sender_id(SenderId="HEADS", IsoCountryCode="GB")["SenderIdArn"]
    pool = client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL")
    request_ids, failures = [], []

    def one(i: int) -> None:
        mine = endpoint_client(server.url)
        try:
            for _ in range(5):
                answer = mine.tag_resource(ResourceArn=pool["PoolArn"],
                                           Tags=[{"Key": f"k{i}", "Value": "v"}])
                request_ids.append(answer["ResponseMetadata"]["RequestId"])
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's number
            failures.append(f"{i}: {exc!r}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and not any(t.is_alive() for t in threads)
    assert len(request_ids) == len(set(request_ids)) == 160
    tags = client.list_tags_for_resource(ResourceArn=pool["PoolArn"])["Tags"]
    assert {t["Key"] for t in tags} == {f"k{i}" for i in range(32)}
