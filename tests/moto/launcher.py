#!/usr/bin/env python3
"""trailwarden's local AWS endpoint for the integration tests: moto 5.2.5 in server mode,
corrected where it differs from AWS (corrections.py, cbor_shim.py), behind a WSGI
middleware that logs every AWS call and can inject latency, throttling and failures.

    .venv/bin/python tests/moto/launcher.py [--port N] [--host 127.0.0.1] [--verbose]

Prints exactly one line on stdout once moto answers, then nothing else there:

    READY http://127.0.0.1:<port>

Exits cleanly on SIGTERM / SIGINT, and when its standard input reaches end of file if stdin
is a pipe or socket (a test that spawns it with a piped stdin and dies takes it along).
Everything else (warnings, errors, --verbose access log) goes to stderr.

Control API (answered by the middleware, never by moto):
    POST /_trailwarden/faults         {"latency_ms": 0, "throttle_every": 0,
                                       "fail_service": null, "fail_status": 500,
                                       "fail_code": null, "fail_operation": null,
                                       "fail_account": null, "fail_resource": null}
    GET  /_trailwarden/faults         the current settings and counters
    POST /_trailwarden/faults/reset
    GET  /_trailwarden/calls          [{"seq", "service", "api", "operation", "account",
                                        "region", "access_key", "method", "path", "status",
                                        "fault"}, ...] in arrival order
    POST /_trailwarden/calls/reset
    POST /_trailwarden/organizations/delegated-administrators
                                      {"account_id", "service_principal",
                                       "management_account_id"?}
    POST /_trailwarden/reset          moto's reset + faults reset + calls reset
Moto's own API (/moto-api/..., e.g. POST /moto-api/reset) passes through untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import stat
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone

# moto reads its settings when it is imported.
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
os.environ["MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS"] = "false"

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the sources
if HERE not in sys.path:
    sys.path.insert(0, HERE)


def _keep_stdout_for_ready_line():
    """Returns a file on the real stdout and points fd 1 (and sys.stdout) at stderr, so that
    nothing moto or a library prints can follow the READY line on stdout."""
    sys.stdout.flush()
    real = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return real


READY_OUT = _keep_stdout_for_ready_line()

import awsreq  # noqa: E402
import cbor_shim  # noqa: E402
import corrections  # noqa: E402

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server  # noqa: E402

CONTROL_PREFIX = "/_trailwarden/"
PASS_THROUGH_PREFIXES = ("/moto-api", "/favicon.ico", "/latest/meta-data/", "/latest/api/")


class Faults:
    """Latency, throttling and per-service failure injected into AWS requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.latency_ms = 0
            self.throttle_every = 0
            self.fail_service: set[str] = set()
            self.fail_status = 500
            self.fail_code: str | None = None
            self.fail_operation: set[str] = set()
            self.fail_account: set[str] = set()
            self.fail_resource: set[str] = set()
            self.counter = 0
            self.throttled = 0
            self.failed = 0

    def configure(self, doc: dict):
        unknown = set(doc) - {
            "latency_ms",
            "throttle_every",
            "fail_service",
            "fail_status",
            "fail_code",
            "fail_operation",
            "fail_account",
            "fail_resource",
        }
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        latency = int(doc.get("latency_ms") or 0)
        every = int(doc.get("throttle_every") or 0)
        status = int(doc.get("fail_status") or 500)
        services = {s.lower() for s in _names(doc, "fail_service", "a signing service name")}
        operations = _names(doc, "fail_operation", "an operation name (as in the call log)")
        accounts = _names(doc, "fail_account", "an account id")
        resources = _names(doc, "fail_resource", "a resource ARN or name a request names")
        if (operations or accounts or resources) and not services:
            raise ValueError("fail_operation, fail_account and fail_resource narrow fail_service, which is required with them")
        if latency < 0 or every < 0 or not 400 <= status <= 599:
            raise ValueError("latency_ms and throttle_every must be >= 0, fail_status 400..599")
        with self.lock:
            self.latency_ms, self.throttle_every = latency, every
            self.fail_service, self.fail_status = services, status
            self.fail_code = doc.get("fail_code") or None
            self.fail_operation, self.fail_account = operations, accounts
            self.fail_resource = resources
            self.counter = self.throttled = self.failed = 0

    def describe(self) -> dict:
        with self.lock:
            return {
                "latency_ms": self.latency_ms,
                "throttle_every": self.throttle_every,
                "fail_service": sorted(self.fail_service) or None,
                "fail_status": self.fail_status,
                "fail_code": self.fail_code,
                "fail_operation": sorted(self.fail_operation) or None,
                "fail_account": sorted(self.fail_account) or None,
                "fail_resource": sorted(self.fail_resource) or None,
                "aws_requests_seen": self.counter,
                "throttled": self.throttled,
                "failed": self.failed,
            }

    def decide(self, service: str | None, operation: str, account: str | None, resources: set[str]) -> tuple[float, str | None]:
        """(seconds to sleep, None | 'fail' | 'throttle') for one AWS request naming `resources`."""
        with self.lock:
            delay = self.latency_ms / 1000.0
            if (
                service
                and service in self.fail_service
                and (not self.fail_operation or operation in self.fail_operation)
                and (not self.fail_account or account in self.fail_account)
                and (not self.fail_resource or bool(resources & self.fail_resource))
            ):
                self.failed += 1
                return delay, "fail"
            self.counter += 1
            if self.throttle_every and self.counter % self.throttle_every == 0:
                self.throttled += 1
                return delay, "throttle"
            return delay, None


class CallLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls: list[dict] = []
        self.seq = 0

    def add(self, entry: dict) -> dict:
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.calls.append(entry)
        return entry

    def snapshot(self) -> list[dict]:
        with self.lock:
            return [dict(c) for c in self.calls]

    def reset(self):
        with self.lock:
            self.calls = []


def _account_of(environ, access_key: str | None) -> str | None:
    """The account moto files the request under: MOTO_ACCOUNT_ID, else the x-moto-account-id
    header, else the account that owns the access key (an IAM user's key or an
    AssumeRole session's key), else moto's default account."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    if not access_key:
        return None
    try:
        from moto.iam.models import get_account_id_from

        return get_account_id_from(access_key)
    except Exception:  # noqa: BLE001 - the log must never break a request
        return None


class Middleware:
    def __init__(self, app):
        self.app = app
        self.faults = Faults()
        self.calls = CallLog()

    # ---------------------------------------------------------------- WSGI entry point
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(CONTROL_PREFIX) or path.rstrip("/") == CONTROL_PREFIX.rstrip("/"):
            return self.control(environ, start_response)
        if path.startswith(PASS_THROUGH_PREFIXES):
            return self.app(environ, start_response)
        return self.aws(environ, start_response)

    # ---------------------------------------------------------------- AWS requests
    def aws(self, environ, start_response):
        access_key, region, service = awsreq.credential_scope(environ)
        proto = awsreq.protocol(environ, service)
        try:
            api, op = awsreq.operation(environ, service, proto)
        except Exception as exc:  # noqa: BLE001
            api, op = service or "", f"unidentified ({exc})"
        entry = self.calls.add(
            {
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "service": service,
                "api": api,
                "operation": op,
                "account": _account_of(environ, access_key),
                "region": region,
                "access_key": access_key,
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "status": None,
                "fault": None,
            }
        )

        delay, fault = self.faults.decide(service, op, entry["account"], awsreq.named_resources(environ, proto))
        if delay:
            time.sleep(delay)
        if fault:
            # S3 Control signs as s3 but answers errors in its own (wrapped) XML shape.
            proto = "s3control" if api == "s3control" else proto
            if fault == "throttle":
                code, status = awsreq.THROTTLE[proto]
                message = awsreq.THROTTLE_MESSAGE.get(proto, "Rate exceeded")
            else:
                status = self.faults.fail_status
                code = self.faults.fail_code or awsreq.default_failure_code(proto, status)
                message = f"Injected failure for {service} (trailwarden test endpoint)"
            line, headers, body = awsreq.error_reply(environ, proto, status, code, message)
            entry["status"], entry["fault"] = status, fault
            start_response(line, headers)
            return [body]

        def recording_start_response(status, headers, exc_info=None):
            try:
                entry["status"] = int(status.split()[0])
            except (ValueError, IndexError):
                pass
            return start_response(status, headers, exc_info)

        answer = corrections.missing_api(environ, service, op)
        if answer is not None:
            entry["status"] = answer[0]
            return _reply(start_response, *answer)

        cbor = cbor_shim.match(environ) if proto == "cbor" else None
        try:
            if cbor:
                return cbor_shim.call(self.app, environ, recording_start_response, *cbor)
            return self.app(environ, recording_start_response)
        except NotImplementedError as exc:
            # moto raises this for an API it lacks (CloudTrail Lake, among others), which its
            # server would turn into an HTML 500 page that a client retries as a server fault.
            # Answer as an endpoint that does not offer the operation: 501 Not Implemented.
            line, headers, body = awsreq.error_reply(environ, proto, 501, "NotImplemented", f"{op}: {exc} (moto {corrections.EXPECTED_MOTO})")
            entry["status"] = 501
            start_response(line, headers)
            return [body]

    # ---------------------------------------------------------------- control API
    def control(self, environ, start_response):
        method = (environ.get("REQUEST_METHOD") or "GET").upper()
        path = (environ.get("PATH_INFO") or "").rstrip("/")
        try:
            if path == "/_trailwarden/faults" and method == "POST":
                self.faults.configure(_json_body(environ))
                return _reply(start_response, 200, self.faults.describe())
            if path == "/_trailwarden/faults" and method == "GET":
                return _reply(start_response, 200, self.faults.describe())
            if path == "/_trailwarden/faults/reset" and method == "POST":
                self.faults.reset()
                return _reply(start_response, 200, self.faults.describe())
            if path == "/_trailwarden/calls" and method == "GET":
                return _reply(start_response, 200, self.calls.snapshot())
            if path == "/_trailwarden/calls/reset" and method == "POST":
                self.calls.reset()
                return _reply(start_response, 200, {"ok": True})
            if path == "/_trailwarden/organizations/delegated-administrators" and method == "POST":
                doc = _json_body(environ)
                for key in ("account_id", "service_principal"):
                    if not isinstance(doc.get(key), str) or not doc[key]:
                        raise ValueError(f"{key} is required")
                seeded = corrections.seed_delegated_admin(
                    doc["account_id"], doc["service_principal"], doc.get("management_account_id")
                )
                return _reply(start_response, 200, seeded)
            if path == "/_trailwarden/reset" and method == "POST":
                from moto.moto_api._internal.models import moto_api_backend

                moto_api_backend.reset()
                self.faults.reset()
                self.calls.reset()
                return _reply(start_response, 200, {"ok": True})
            return _reply(start_response, 404, {"error": f"no control endpoint {method} {path}"})
        except LookupError as exc:
            return _reply(start_response, 404, {"error": str(exc)})
        except (ValueError, TypeError) as exc:
            return _reply(start_response, 400, {"error": str(exc)})


def _names(doc: dict, key: str, what: str) -> set[str]:
    """A fault setting that is null, one name or a list of names, as a set."""
    value = doc.get(key)
    if value is None or value == "":
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return set(value)
    raise ValueError(f"{key} must be null, {what} or a list of them")


def _json_body(environ) -> dict:
    raw = awsreq.read_body(environ)
    if not raw.strip():
        return {}
    doc = json.loads(raw)
    if not isinstance(doc, dict):
        raise ValueError("expected a JSON object")
    return doc


def _reply(start_response, status: int, doc) -> list[bytes]:
    body = json.dumps(doc).encode()
    start_response(
        f"{status} {awsreq._REASONS.get(status, 'OK') if status != 200 else 'OK'}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


# ------------------------------------------------------------------------------------ main


def _stdin_is_a_pipe() -> bool:
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    parser.add_argument(
        "--stdin-watch",
        choices=("auto", "on", "off"),
        default="auto",
        help="exit when stdin reaches EOF; auto: only if stdin is a pipe or socket",
    )
    parser.add_argument("--verbose", action="store_true", help="werkzeug access log on stderr")
    parser.add_argument("--ready-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    import logging

    logging.getLogger("werkzeug").setLevel(logging.INFO if args.verbose else logging.ERROR)

    corrections.apply()

    dispatcher = DomainDispatcherApplication(create_backend_app)
    dispatcher.debug = True  # as moto's own server: unhandled errors answer 500 with a page
    app = Middleware(dispatcher)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    os.environ["MOTO_PORT"] = str(port)  # moto builds some self-referencing URLs from it
    url = f"http://{args.host}:{port}"

    stop = threading.Event()
    why = {"reason": None}

    def on_signal(signum, _frame):
        why["reason"] = signal.Signals(signum).name
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    serving = threading.Thread(target=server.serve_forever, name="moto-server", daemon=True)
    serving.start()

    deadline = time.monotonic() + args.ready_timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=5) as resp:
                if resp.status == 200:
                    break
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if stop.is_set() or time.monotonic() > deadline:
            print(f"launcher: moto did not answer {url}/moto-api/data.json", file=sys.stderr)
            server.shutdown()
            return 1
        time.sleep(0.05)

    READY_OUT.write(f"READY {url}\n")
    READY_OUT.flush()

    if args.stdin_watch == "on" or (args.stdin_watch == "auto" and _stdin_is_a_pipe()):

        def watch_stdin():
            try:
                while os.read(0, 65536):
                    pass
            except OSError:
                pass
            why["reason"] = why["reason"] or "stdin closed"
            stop.set()

        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    while not stop.wait(0.5):
        pass
    print(f"launcher: stopping ({why['reason']})", file=sys.stderr)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
