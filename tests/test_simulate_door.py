"""The simulate door (proxy/http_server.py) against what a hostile client sends: chunk
sizes that are not hex, methods the stdlib has no handler for, control characters in a
request line. Every answer is the service's JSON error, at once."""

from __future__ import annotations

import json
import socket

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator.wire.json_read import max_request_bytes
from smsvoice_sim.simulator.wire.model import service_model

from helpers import cli_server, drain
from upstreams import post

LIMIT = max_request_bytes()
PNG = b"\x89PNG\r\n\x1a\n"

HEAD = ("POST / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
        "X-Amz-Target: PinpointSMSVoiceV2.DescribePools\r\n"
        "Content-Type: application/x-amz-json-1.0\r\n\r\n")


def read_answer(sock: socket.socket) -> tuple[int, dict, dict]:
    """(status, headers, JSON body) of one answer on a raw connection."""
    reply = sock.makefile("rb")
    status = int(reply.readline().split()[1])
    headers = {}
    while (line := reply.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reply.read(int(headers.get("content-length", "0")))
    return status, headers, json.loads(body) if body else {}


def size_line_answer(server, size_line: bytes) -> tuple[int, dict, dict]:
    """Send a chunked request's head and one chunk-size line, nothing more, and read the
    answer: it must come without the body (a 10 s timeout fails the test otherwise)."""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(HEAD.format(host=f"{host}:{port}").encode() + size_line + b"\r\n")
        return read_answer(sock)


@pytest.mark.parametrize("size_line", [b"-1", b"-0", b"+10", b"0x10", b"1_0", b"1 0", b"",
                                       b"g", b"\xff"])
def test_a_chunk_size_that_is_not_hex_is_refused_at_once(server, size_line):
    """`-1` used to pass the limit check and make the server read until the client hung up."""
    status, headers, payload = size_line_answer(server, size_line)
    assert (status, payload["__type"]) == (400, "SerializationException")
    assert headers["connection"] == "close"


@pytest.mark.parametrize("size_line", [f"{LIMIT + 1:X}".encode(), b"FFFFFFFF",
                                       b"FFFFFFFFFFFFFFFFFFFF", f"0000{LIMIT + 1:x};ext=1".encode()])
def test_a_chunk_over_the_limit_is_refused_before_it_is_read(server, size_line):
    status, _, payload = size_line_answer(server, size_line)
    assert (status, payload["__type"]) == (413, "SerializationException")


@pytest.mark.parametrize("length", ["-1", "+5", "1_0", "0x10", "5, 6"])
def test_a_content_length_that_is_not_a_number_is_refused(server, length):
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {length}\r\n"
                     "\r\n{}".encode())
        status, _, payload = read_answer(sock)
    assert (status, payload["__type"]) == (400, "SerializationException")


def test_a_chunked_body_cut_short_is_malformed_not_accepted(server):
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(HEAD.format(host=f"{host}:{port}").encode() + b"10\r\n{}")
        sock.shutdown(socket.SHUT_WR)
        status, _, payload = read_answer(sock)
    assert (status, payload["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "CONNECT", "PROPFIND", "GET", "PUT"])
def test_every_method_gets_the_services_json_error(server, method):
    """As the mitmproxy doors answer (test_fail_closed): 400 UnknownOperationException, JSON,
    never the stdlib's HTML 501 page."""
    status, headers, payload = post(server.url, b"{}", method=method)
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert payload["__type"] == "UnknownOperationException"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"


@pytest.mark.parametrize("request_line", [b"GARBAGE", b"GET / HTTP/9.9", b"GET / HTTP/x",
                                          b"GET /" + b"a" * 70000 + b" HTTP/1.1"])
def test_a_request_the_stdlib_cannot_parse_gets_json_too(server, request_line):
    """Whatever the stdlib refuses before any handler runs (a request line it cannot parse,
    a version, a line too long) is the service's JSON error, not an HTML page. (A line
    without a version is HTTP/0.9: the answer is the body alone.)"""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request_line + b"\r\n\r\n")
        reply = sock.makefile("rb").read()  # the connection is closed after an error
    head, _, body = reply.rpartition(b"\r\n\r\n")
    assert json.loads(body)["__type"] == "SerializationException"
    assert b"<html" not in reply.lower()
    if head:
        assert head.startswith(b"HTTP/1.1 4") or head.startswith(b"HTTP/1.1 5")
        assert b"application/x-amz-json-1.0" in head


def test_control_characters_from_a_request_line_are_escaped_in_the_log():
    """`simulate -v` logs every request line: an ESC sequence or a bare CR from a client
    must reach stderr escaped, never acted on by a terminal."""
    with cli_server("simulate", "--listen", "127.0.0.1:0", "-v") as (ready, proc):
        host, port = ready.group(1).rsplit("/", 1)[1].split(":")
        for line in (b"POST /\x1b[2J\x1b[31mforged HTTP/1.1", b"GET /a\rforged\x9b1m HTTP/1.1"):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(line + b"\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                assert read_answer(sock)[0] == 400
        proc.terminate()
        proc.wait(timeout=15)
        log = "".join(drain(proc))
    assert "\x1b" not in log and "\x9b" not in log
    assert "/\\x1b[2J\\x1b[31mforged" in log
    # A bare CR would have split the line (the pipe is read with universal newlines).
    assert any("/a\\x0dforged\\x9b1m" in line for line in log.splitlines())


def test_the_request_limit_is_the_largest_attachment_as_base64_and_headroom():
    blob = service_model().shape_for("AttachmentBody").metadata["max"]
    assert LIMIT > len(json.dumps({"AttachmentBody": "A" * (4 * -(-blob // 3))})) + 64 * 1024


def test_a_5_mb_attachment_is_taken_by_every_door(door):
    """The HTTP doors refused any body over 1 MiB (413) while the model allows a 5 MB file
    (6,990,508 bytes; ~9.3 MB as base64 in JSON): the attachment worked in-process only."""
    sim, make = door
    client = make(region_name="us-east-1")
    made = client.create_registration_attachment(AttachmentBody=PNG + b"\x00" * 4_999_992)
    assert made["AttachmentStatus"] == "UPLOAD_IN_PROGRESS"
    with pytest.raises(ClientError) as too_big:  # the largest blob the model allows, as base64
        client.create_registration_attachment(AttachmentBody=PNG + b"\x00" * (6_990_508 - 8))
    assert too_big.value.response["Reason"] == "MAXIMUM_SIZE_EXCEEDED"  # the member is named


def test_a_body_over_the_limit_is_413_naming_the_limit(server):
    body = b'{"AttachmentBody": "' + b"A" * LIMIT + b'"}'
    status, _, payload = post(server.url, body, target="PinpointSMSVoiceV2.CreateRegistrationAttachment")
    assert (status, payload["__type"]) == (413, "SerializationException")
    assert f"exceeds the {LIMIT}-byte limit (the largest attachment" in payload["message"]


def test_in_process_a_body_over_the_limit_is_a_serialization_error_naming_it(sim):
    with pytest.raises(ClientError) as refused:
        sim.client().create_registration_attachment(AttachmentBody=b"A" * LIMIT)
    assert refused.value.response["Error"]["Code"] == "SerializationException"
    assert f"larger than {LIMIT} bytes" in refused.value.response["Error"]["Message"]
