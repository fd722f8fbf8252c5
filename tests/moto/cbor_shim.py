"""Smithy RPC v2 CBOR in front of moto's AWS JSON 1.0 handlers.

The AWS SDK for Rust (aws-sdk-cloudwatch 1.1xx) calls CloudWatch with the `rpcv2Cbor`
protocol, the first one the CloudWatch service model lists (smithy-rpc-v2-cbor, json,
query): `POST /service/GraniteServiceVersion20100801/operation/DescribeAlarms`, headers
`smithy-protocol: rpc-v2-cbor`, `Content-Type: application/cbor`, a CBOR body. AWS answers
it; moto 5.2.5 does not know CBOR (it routes CloudWatch on `/` only and answers awsQuery
and AWS JSON 1.0), so the SDK's requests would get moto's 404 page.

This module translates such a request to AWS JSON 1.0 (the same operation, the same
members: `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, JSON body), lets moto
answer it, and encodes the JSON reply back to CBOR following the botocore output shape
(timestamps become CBOR tag 1 epoch seconds, blobs byte strings, doubles floats), as the
rpcv2Cbor spec says: https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
Errors become a CBOR map {"__type": code, "message": ...}, with moto's
`x-amzn-query-error` header kept (CloudWatch is awsQueryCompatible).

A small CBOR codec (RFC 8949) is included so that no extra package is needed.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
from datetime import datetime, timezone

# rpcv2Cbor service ids (the path's {ServiceName}) -> botocore service name.
SERVICES = {"GraniteServiceVersion20100801": "cloudwatch"}

_PATH = re.compile(r"^/service/([^/]+)/operation/([^/?]+)$")


# --------------------------------------------------------------------------------------------
# CBOR codec (the subset Smithy uses: ints, floats, strings, bytes, arrays, maps, tag 1,
# booleans, null; definite and indefinite lengths on input)
# --------------------------------------------------------------------------------------------


class Tag:
    __slots__ = ("tag", "value")

    def __init__(self, tag: int, value):
        self.tag, self.value = tag, value

    def __repr__(self) -> str:
        return f"Tag({self.tag}, {self.value!r})"


_BREAK = object()


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([(major << 5) | n])
    if n < 0x100:
        return bytes([(major << 5) | 24, n])
    if n < 0x10000:
        return bytes([(major << 5) | 25]) + struct.pack(">H", n)
    if n < 0x100000000:
        return bytes([(major << 5) | 26]) + struct.pack(">I", n)
    return bytes([(major << 5) | 27]) + struct.pack(">Q", n)


def dumps(value) -> bytes:
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _encode(v, out: bytearray) -> None:
    if v is None:
        out.append(0xF6)
    elif v is True:
        out.append(0xF5)
    elif v is False:
        out.append(0xF4)
    elif isinstance(v, int):
        out += _head(0, v) if v >= 0 else _head(1, -1 - v)
    elif isinstance(v, float):
        out.append(0xFB)
        out += struct.pack(">d", v)
    elif isinstance(v, str):
        b = v.encode("utf-8")
        out += _head(3, len(b)) + b
    elif isinstance(v, (bytes, bytearray)):
        out += _head(2, len(v)) + bytes(v)
    elif isinstance(v, (list, tuple)):
        out += _head(4, len(v))
        for x in v:
            _encode(x, out)
    elif isinstance(v, dict):
        out += _head(5, len(v))
        for k, x in v.items():
            _encode(k, out)
            _encode(x, out)
    elif isinstance(v, Tag):
        out += _head(6, v.tag)
        _encode(v.value, out)
    else:
        raise TypeError(f"cannot CBOR-encode {type(v).__name__}")


def loads(data: bytes):
    if not data:
        return None
    value, pos = _decode(data, 0)
    if value is _BREAK or pos != len(data):
        raise ValueError("malformed CBOR")
    return value


def _half(h: int) -> float:
    exp, mant = (h >> 10) & 0x1F, h & 0x3FF
    if exp == 0:
        val = mant * 2.0**-24
    elif exp == 31:
        val = math.inf if mant == 0 else math.nan
    else:
        val = (mant + 1024) * 2.0 ** (exp - 25)
    return -val if h & 0x8000 else val


def _decode(b: bytes, i: int):
    ib = b[i]
    major, info = ib >> 5, ib & 0x1F
    i += 1
    if major == 7:
        if info == 20:
            return False, i
        if info == 21:
            return True, i
        if info in (22, 23):
            return None, i
        if info == 25:
            return _half(struct.unpack(">H", b[i : i + 2])[0]), i + 2
        if info == 26:
            return struct.unpack(">f", b[i : i + 4])[0], i + 4
        if info == 27:
            return struct.unpack(">d", b[i : i + 8])[0], i + 8
        if info == 31:
            return _BREAK, i
        if info < 24:
            return None, i  # other simple values: treat as null
        if info == 24:
            return None, i + 1
        raise ValueError("bad CBOR simple value")
    if info < 24:
        n = info
    elif info == 24:
        n, i = b[i], i + 1
    elif info == 25:
        n, i = struct.unpack(">H", b[i : i + 2])[0], i + 2
    elif info == 26:
        n, i = struct.unpack(">I", b[i : i + 4])[0], i + 4
    elif info == 27:
        n, i = struct.unpack(">Q", b[i : i + 8])[0], i + 8
    elif info == 31:
        n = None  # indefinite length
    else:
        raise ValueError("bad CBOR length")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        if n is None:
            chunks = []
            while True:
                c, i = _decode(b, i)
                if c is _BREAK:
                    break
                chunks.append(c)
            return ("" if major == 3 else b"").join(chunks), i
        raw = b[i : i + n]
        return (raw.decode("utf-8") if major == 3 else bytes(raw)), i + n
    if major == 4:
        items = []
        if n is None:
            while True:
                x, i = _decode(b, i)
                if x is _BREAK:
                    break
                items.append(x)
        else:
            for _ in range(n):
                x, i = _decode(b, i)
                items.append(x)
        return items, i
    if major == 5:
        d = {}
        count = 0
        while n is None or count < n:
            k, i = _decode(b, i)
            if k is _BREAK:
                break
            v, i = _decode(b, i)
            d[k] = v
            count += 1
        return d, i
    if major == 6:
        v, i = _decode(b, i)
        return Tag(n, v), i
    raise ValueError("bad CBOR major type")


# --------------------------------------------------------------------------------------------
# CBOR <-> AWS JSON values
# --------------------------------------------------------------------------------------------


def cbor_to_json_value(v):
    """Request direction: tag 1 timestamps -> epoch seconds, byte strings -> base64."""
    if isinstance(v, Tag):
        return cbor_to_json_value(v.value)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode()
    if isinstance(v, dict):
        return {k: cbor_to_json_value(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [cbor_to_json_value(x) for x in v]
    return v


def _epoch(v) -> float:
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v)
    try:
        return float(s)
    except ValueError:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.timestamp()


def json_to_cbor_value(v, shape):
    """Response direction, typed by the botocore shape."""
    if v is None:
        return None
    t = shape.type_name if shape is not None else None
    if t == "structure":
        out = {}
        for name, x in (v or {}).items():
            member = shape.members.get(name)
            if member is None or x is None:
                continue  # unknown to the model: the SDK would skip it anyway
            out[name] = json_to_cbor_value(x, member)
        return out
    if t == "list":
        return [json_to_cbor_value(x, shape.member) for x in v if x is not None]
    if t == "map":
        return {str(k): json_to_cbor_value(x, shape.value) for k, x in v.items() if x is not None}
    if t == "timestamp":
        return Tag(1, _epoch(v))
    if t == "blob":
        return base64.b64decode(v) if isinstance(v, str) else bytes(v)
    if t in ("double", "float"):
        return float(v)
    if t in ("integer", "long", "short", "byte"):
        return int(v)
    if t == "boolean":
        return v if isinstance(v, bool) else str(v).lower() == "true"
    if t == "string":
        return str(v)
    return v


# --------------------------------------------------------------------------------------------
# WSGI
# --------------------------------------------------------------------------------------------


def match(environ) -> tuple[str, str, str] | None:
    """(service id, operation, botocore service) for an rpcv2Cbor request moto can answer
    in JSON, else None."""
    if (environ.get("HTTP_SMITHY_PROTOCOL") or "").lower() != "rpc-v2-cbor":
        return None
    m = _PATH.match(environ.get("PATH_INFO") or "")
    if not m or m.group(1) not in SERVICES:
        return None
    return m.group(1), m.group(2), SERVICES[m.group(1)]


def call(app, environ, start_response, service_id: str, op: str, service: str):
    """Runs an rpcv2Cbor request through moto as AWS JSON 1.0 and answers in CBOR."""
    import io

    from moto.core.utils import get_service_model

    from awsreq import read_body

    body = read_body(environ)
    try:
        params = cbor_to_json_value(loads(body)) or {}
    except Exception as exc:  # noqa: BLE001 - answer as AWS would: a serialization error
        return _cbor_error(start_response, 400, "SerializationException", f"bad CBOR body: {exc}")
    raw = json.dumps(params).encode()
    env = dict(environ)
    env["PATH_INFO"] = "/"
    env["RAW_URI"] = env["REQUEST_URI"] = "/"
    env["QUERY_STRING"] = ""
    env["CONTENT_TYPE"] = "application/x-amz-json-1.0"
    env["CONTENT_LENGTH"] = str(len(raw))
    env["HTTP_X_AMZ_TARGET"] = f"{service_id}.{op}"
    env.pop("HTTP_SMITHY_PROTOCOL", None)
    env.pop("HTTP_ACCEPT", None)
    env["wsgi.input"] = io.BytesIO(raw)

    captured = {}

    def capture(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    chunks = app(env, capture)
    try:
        out = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()

    status = captured.get("status", "500 Internal Server Error")
    code = int(status.split()[0])
    headers = [
        (k, v)
        for k, v in captured.get("headers", [])
        if k.lower() not in ("content-type", "content-length", "x-amzn-errortype")
    ]
    try:
        doc = json.loads(out) if out.strip() else {}
    except ValueError:
        doc = None
    if code >= 300:
        if isinstance(doc, dict):
            etype = str(doc.get("__type") or doc.get("code") or "InternalFailure")
            msg = doc.get("message") or doc.get("Message") or ""
        else:
            etype, msg = "InternalFailure", out.decode("utf-8", "replace")[:500]
        payload = dumps({"__type": etype.split("#")[-1], "message": str(msg)})
    else:
        model = get_service_model(service)
        shape = model.operation_model(op).output_shape
        payload = dumps(json_to_cbor_value(doc or {}, shape) if shape is not None else {})
    headers += [
        ("Content-Type", "application/cbor"),
        ("smithy-protocol", "rpc-v2-cbor"),
        ("Content-Length", str(len(payload))),
    ]
    start_response(status, headers)
    return [payload]


def _cbor_error(start_response, code: int, etype: str, msg: str):
    payload = dumps({"__type": etype, "message": msg})
    start_response(
        f"{code} Error",
        [
            ("Content-Type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
            ("Content-Length", str(len(payload))),
        ],
    )
    return [payload]
