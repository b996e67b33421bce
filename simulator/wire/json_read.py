"""Reading JSON that someone else wrote (request bodies, resource policies, state files,
catalogue files, recorded bodies) with limits that do not depend on the interpreter.

Python's `json.loads` recurses once per nested array or object: how deep it goes before a
RecursionError differs between versions (3.13 reads a 5,000-deep array that 3.11 and 3.12
refuse), and it reads `NaN`, `Infinity` and `1e400` (as inf), none of which is JSON
(RFC 8259, section 6) nor anything AWS's JSON protocols accept. `read_json` checks the size,
then the nesting depth with a cheap scan that never recurses, then parses with every
non-JSON number refused; every refusal is a `JsonRefused` (a ValueError) saying why.
"""

from __future__ import annotations

import functools
import json
import math
import re

# Deeper than any document this project reads legitimately (the service model nests about 6
# deep, an IAM policy about 6, a state file about 8), far below where any Python's parser
# recurses out of its stack (about 1,000 levels).
MAX_DEPTH = 100
# A request body holds, besides its largest blob, members the model bounds far below this
# (its longest string is 10,000 characters): see max_request_bytes.
REQUEST_HEADROOM_BYTES = 1024 * 1024

# What the depth scan looks at: a JSON string token (escapes included), skipped whole, or a
# bracket. A string that is never closed runs to the end of the text, so the scan moves
# forward only and never restarts at a later quote: one linear pass, whatever the text
# (matching closed strings only made an unclosed one be retried at every `"`: quadratic).
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


@functools.cache
def max_request_bytes() -> int:
    """The largest request body every door reads (larger: 413, unparsed). The model's largest
    blob (CreateRegistrationAttachment's AttachmentBody, a 5 MB file: max 6,990,508), as
    base64 in JSON, plus headroom for the rest of the body: a body the model allows is never
    refused for its size, an oversized member still gets the error that names it
    (MAXIMUM_SIZE_EXCEEDED), and no body makes reading unbounded. Read from the model at
    first use, not at import."""
    from .model import service_model  # botocore's model loads when a request first needs it

    model = service_model()
    largest_blob = max(shape.metadata.get("max", 0)
                       for shape in map(model.shape_for, model.shape_names)
                       if shape.type_name == "blob")
    return 4 * math.ceil(largest_blob / 3) + REQUEST_HEADROOM_BYTES


class JsonRefused(ValueError):
    """The text is not JSON this project reads (syntax, size, depth or a non-JSON number)."""


class JsonTooDeep(JsonRefused):
    """Arrays and objects nest deeper than the limit."""


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in `text`, brackets inside strings not counted.
    Never recurses; for malformed text it is an upper bound of what a parser would reach."""
    if text.count("[") + text.count("{") == 0:
        return 0
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _refuse_constant(name: str):
    raise JsonRefused(f"{name} is not a JSON number (give a finite number)")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JsonRefused(f"the number {text[:40]} is out of range")
    return value


def read_json(data: bytes | str, max_bytes: int | None = None, max_depth: int = MAX_DEPTH):
    """The value `data` holds; JsonRefused when it is larger than `max_bytes` (None: no
    limit), nests deeper than `max_depth`, is not UTF-8 or not JSON, or holds NaN, Infinity
    or a number out of a double's range."""
    if max_bytes is not None and len(data) > max_bytes:
        raise JsonRefused(f"it is larger than {max_bytes} bytes")
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonRefused(f"it is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    # The cheap test first: fewer brackets than the limit cannot nest deeper than it.
    if data.count("[") + data.count("{") > max_depth and nesting_depth(data) > max_depth:
        raise JsonTooDeep(f"it nests deeper than {max_depth} levels")
    try:
        return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
    except JsonRefused:
        raise
    except RecursionError:  # not reached below max_depth; kept so no interpreter can surprise
        raise JsonTooDeep(f"it nests deeper than this Python reads (limit {max_depth})") from None
    except ValueError as exc:  # JSONDecodeError, and ints past Python's digit limit
        raise JsonRefused(str(exc)) from None


def dump_json(value, **options) -> str:
    """`json.dumps` that refuses NaN and Infinity (ValueError): what it writes is JSON."""
    return json.dumps(value, allow_nan=False, **options)
