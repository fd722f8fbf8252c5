"""Who is calling what: the signing service, operation, region and access key of an AWS
request as it arrives at the local endpoint, the wire protocol its error replies must use,
and error bodies in that protocol (used by the fault injection in launcher.py).

Pure functions over a WSGI environ; nothing here imports moto.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from urllib.parse import parse_qs, unquote

# --------------------------------------------------------------------------------------------
# Request identification
# --------------------------------------------------------------------------------------------

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/?]+)")


def credential_scope(environ) -> tuple[str | None, str | None, str | None]:
    """(access key id, region, signing service) from a SigV4 Authorization header, or from a
    presigned URL's X-Amz-Credential; (None, None, None) for an unsigned request."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = _CREDENTIAL.search(auth)
    if m:
        return m.group(1), m.group(3), m.group(4).lower()
    qs = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    cred = (qs.get("X-Amz-Credential") or [None])[0]
    if cred:
        parts = cred.split("/")
        if len(parts) == 5:
            return parts[0], parts[2], parts[3].lower()
    return None, None, None


def read_body(environ) -> bytes:
    """Reads a request body that has a Content-Length and puts it back for the next reader."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _is_form(environ) -> bool:
    return (environ.get("CONTENT_TYPE") or "").startswith("application/x-www-form-urlencoded")


def protocol(environ, service: str | None) -> str:
    """The wire protocol of the request: cbor, json, s3, ec2, query or restjson."""
    if (environ.get("HTTP_SMITHY_PROTOCOL") or "").lower() == "rpc-v2-cbor":
        return "cbor"
    ctype = environ.get("CONTENT_TYPE") or ""
    if environ.get("HTTP_X_AMZ_TARGET") or ctype.startswith("application/x-amz-json"):
        return "json"
    if service == "s3":
        return "s3"
    if service == "ec2":
        return "ec2"
    if _is_form(environ) or "Action=" in (environ.get("QUERY_STRING") or ""):
        return "query"
    return "restjson"


def operation(environ, service: str | None, proto: str) -> tuple[str, str]:
    """(api, operation name). api is the moto/SDK API the request is for; it differs from the
    signing service only for S3 Control, which signs as s3."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service or "", target.split(".")[-1]
    path = environ.get("PATH_INFO") or "/"
    if proto == "cbor":
        m = _CBOR_PATH.match(path)
        if m:
            return service or "", m.group(2)
    if proto in ("query", "ec2"):
        qs = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        action = (qs.get("Action") or [None])[0]
        if not action and _is_form(environ):
            form = parse_qs(read_body(environ).decode("utf-8", "replace"), keep_blank_values=True)
            action = (form.get("Action") or [None])[0]
        if action:
            return service or "", action
    if service == "s3":
        return s3_operation(environ)
    if proto == "restjson":
        # restJson1 services (the account API: POST /listRegions) name the operation in the path.
        last = [p for p in path.split("/") if p]
        if last:
            seg = unquote(last[-1])
            if re.fullmatch(r"[a-z][A-Za-z0-9]*", seg):
                return service or "", seg[0].upper() + seg[1:]
    return service or "", f"{environ.get('REQUEST_METHOD', '?')} {path}"


def named_resources(environ, proto: str) -> set[str]:
    """The strings an AWS JSON request names in its top-level parameters (an ARN, a name, or
    those in a list, such as GetEventDataStore's EventDataStore or ListTags' ResourceIdList),
    which the fault injection's fail_resource matches; empty for the other protocols."""
    if proto != "json":
        return set()
    try:
        doc = json.loads(read_body(environ) or b"{}")
    except ValueError:
        return set()
    if not isinstance(doc, dict):
        return set()
    named: set[str] = set()
    for value in doc.values():
        values = value if isinstance(value, list) else [value]
        named.update(v for v in values if isinstance(v, str))
    return named


# S3 REST operations: (method, query key present on a bucket URL) -> operation.
_S3_BUCKET_SUBRESOURCES = {
    "accelerate": "BucketAccelerateConfiguration",
    "acl": "BucketAcl",
    "analytics": "BucketAnalyticsConfiguration",
    "cors": "BucketCors",
    "encryption": "BucketEncryption",
    "intelligent-tiering": "BucketIntelligentTieringConfiguration",
    "inventory": "BucketInventoryConfiguration",
    "lifecycle": "BucketLifecycleConfiguration",
    "logging": "BucketLogging",
    "metrics": "BucketMetricsConfiguration",
    "notification": "BucketNotificationConfiguration",
    "object-lock": "ObjectLockConfiguration",
    "ownershipControls": "BucketOwnershipControls",
    "policy": "BucketPolicy",
    "policyStatus": "BucketPolicyStatus",
    "publicAccessBlock": "PublicAccessBlock",
    "replication": "BucketReplication",
    "requestPayment": "BucketRequestPayment",
    "tagging": "BucketTagging",
    "versioning": "BucketVersioning",
    "website": "BucketWebsite",
}
# Where the SDK operation name is not Get/Put/Delete + the suffix above.
_S3_BUCKET_SPECIAL = {
    ("GET", "location"): "GetBucketLocation",
    ("GET", "uploads"): "ListMultipartUploads",
    ("GET", "versions"): "ListObjectVersions",
    ("GET", "session"): "CreateSession",
    ("DELETE", "lifecycle"): "DeleteBucketLifecycle",
    ("DELETE", "encryption"): "DeleteBucketEncryption",
    ("POST", "delete"): "DeleteObjects",
}
_S3_OBJECT_SUBRESOURCES = {
    "acl": "ObjectAcl",
    "tagging": "ObjectTagging",
    "retention": "ObjectRetention",
    "legal-hold": "ObjectLegalHold",
}
_S3_CONTROL = {
    "/v20180820/configuration/publicAccessBlock": "PublicAccessBlock",
}


def s3_operation(environ) -> tuple[str, str]:
    """The S3 (or S3 Control) operation of a REST request: method + path + query keys."""
    method = (environ.get("REQUEST_METHOD") or "GET").upper()
    path = environ.get("PATH_INFO") or "/"
    qs = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    keys = set(qs)

    if path.startswith("/v20180820/"):
        suffix = _S3_CONTROL.get(path.rstrip("/"))
        verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method)
        if suffix and verb:
            return "s3control", verb + suffix
        return "s3control", f"{method} {path}"

    # The Rust SDK and botocore add ?x-id=OperationName where the REST shape alone is ambiguous.
    xid = (qs.get("x-id") or [None])[0]
    if xid:
        return "s3", xid

    host = (environ.get("HTTP_HOST") or "").split(":")[0]
    vhost = re.match(r"^(.+)\.s3[.-]", host)
    parts = [p for p in path.split("/") if p != ""] if path != "/" else []
    if vhost:
        bucket, key = vhost.group(1), "/".join(parts)
    else:
        bucket = parts[0] if parts else ""
        key = "/".join(parts[1:]) if len(parts) > 1 else ""

    if not bucket:
        return "s3", "ListBuckets" if method == "GET" else f"{method} /"

    if not key:  # bucket-level
        if method == "HEAD":
            return "s3", "HeadBucket"
        for k in sorted(keys):
            if (method, k) in _S3_BUCKET_SPECIAL:
                return "s3", _S3_BUCKET_SPECIAL[(method, k)]
        verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method)
        for k in sorted(keys):
            if k in _S3_BUCKET_SUBRESOURCES and verb:
                return "s3", verb + _S3_BUCKET_SUBRESOURCES[k]
        if method == "GET":
            return "s3", "ListObjectsV2" if "list-type" in keys else "ListObjects"
        if method == "PUT":
            return "s3", "CreateBucket"
        if method == "DELETE":
            return "s3", "DeleteBucket"
        return "s3", f"{method} bucket"

    # object-level
    verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method)
    for k in sorted(keys):
        if k in _S3_OBJECT_SUBRESOURCES and verb:
            return "s3", verb + _S3_OBJECT_SUBRESOURCES[k]
    if method == "GET":
        if "uploadId" in keys:
            return "s3", "ListParts"
        if "attributes" in keys:
            return "s3", "GetObjectAttributes"
        return "s3", "GetObject"
    if method == "HEAD":
        return "s3", "HeadObject"
    if method == "PUT":
        if "partNumber" in keys and "uploadId" in keys:
            copy = environ.get("HTTP_X_AMZ_COPY_SOURCE")
            return "s3", "UploadPartCopy" if copy else "UploadPart"
        return "s3", "CopyObject" if environ.get("HTTP_X_AMZ_COPY_SOURCE") else "PutObject"
    if method == "DELETE":
        return "s3", "AbortMultipartUpload" if "uploadId" in keys else "DeleteObject"
    if method == "POST":
        if "uploads" in keys:
            return "s3", "CreateMultipartUpload"
        if "uploadId" in keys:
            return "s3", "CompleteMultipartUpload"
        if "restore" in keys:
            return "s3", "RestoreObject"
    return "s3", f"{method} object"


# --------------------------------------------------------------------------------------------
# Error replies in each protocol
# --------------------------------------------------------------------------------------------

# The codes the AWS SDK for Rust classifies as throttling (aws-runtime
# retries::classifiers::THROTTLING_ERRORS): Throttling, ThrottlingException, SlowDown,
# RequestLimitExceeded, ... Each protocol gets the code its real service sends.
THROTTLE = {
    "json": ("ThrottlingException", 400),
    "restjson": ("ThrottlingException", 400),
    "cbor": ("ThrottlingException", 400),
    "query": ("Throttling", 400),
    "ec2": ("RequestLimitExceeded", 503),
    "s3": ("SlowDown", 503),
    "s3control": ("SlowDown", 503),
}
THROTTLE_MESSAGE = {
    "s3": "Please reduce your request rate.",
    "s3control": "Please reduce your request rate.",
    "ec2": "Request limit exceeded.",
}


def default_failure_code(proto: str, status: int) -> str:
    if status in (401, 403):
        return "AccessDenied" if proto in ("s3", "s3control", "query", "ec2") else "AccessDeniedException"
    if status == 503:
        return "ServiceUnavailable"
    if status == 404:
        return "NotFound"
    if status == 429:
        return "TooManyRequestsException"
    if 400 <= status < 500:
        return "InvalidRequest" if proto in ("s3", "s3control") else "ValidationException"
    return "InternalError" if proto in ("s3", "s3control") else "InternalFailure"


def error_reply(environ, proto: str, status: int, code: str, message: str):
    """(status line, headers, body bytes) of an AWS error in the request's protocol."""
    from xml.sax.saxutils import escape

    rid = str(uuid.uuid4())
    reason = _REASONS.get(status, "Error")
    head_only = (environ.get("REQUEST_METHOD") or "").upper() == "HEAD"
    headers = [("x-amzn-RequestId", rid)]
    if proto in ("json", "restjson"):
        ctype = environ.get("CONTENT_TYPE") or ""
        if not ctype.startswith("application/x-amz-json"):
            ctype = "application/json"
        body = json.dumps({"__type": code, "message": message}).encode()
        headers += [("Content-Type", ctype), ("x-amzn-errortype", code)]
    elif proto == "cbor":
        from cbor_shim import dumps as cbor_dumps

        body = cbor_dumps({"__type": code, "message": message})
        headers += [
            ("Content-Type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
            # awsQueryCompatible services (CloudWatch) also name the query-protocol code.
            ("x-amzn-query-error", f"{'Throttling' if code == 'ThrottlingException' else code};Sender"),
        ]
    elif proto == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{rid}</RequestId><HostId>{rid}</HostId></Error>"
        ).encode()
        headers = [("x-amz-request-id", rid), ("x-amz-id-2", rid), ("Content-Type", "application/xml")]
    elif proto == "s3control":
        # S3 Control wraps its errors, unlike S3: <ErrorResponse><Error>...</Error>
        # <RequestId>...</RequestId></ErrorResponse> (restXml without noErrorWrapping in the
        # AWS model; https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html).
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<ErrorResponse><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{rid}</RequestId><HostId>{rid}</HostId></ErrorResponse>"
        ).encode()
        headers = [("x-amz-request-id", rid), ("x-amz-id-2", rid), ("Content-Type", "application/xml")]
    elif proto == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{rid}</RequestID></Response>"
        ).encode()
        headers += [("Content-Type", "text/xml")]
    else:  # awsQuery
        kind = "Sender" if status < 500 else "Receiver"
        body = (
            "<ErrorResponse>"
            f"<Error><Type>{kind}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{rid}</RequestId></ErrorResponse>"
        ).encode()
        headers += [("Content-Type", "text/xml")]
    if head_only:
        body = b""
    headers.append(("Content-Length", str(len(body))))
    return f"{status} {reason}", headers, body


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
