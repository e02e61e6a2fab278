"""The local AWS endpoint: moto's server with a journal, so its data survives a restart.

moto keeps every bucket, object, table and message in memory. This process serves moto's
own application unchanged and appends each request that changes state, once moto has
answered it without error, to a journal (one JSON line per request) before the answer goes
out. At start it replays the journal into the fresh moto in-process, then serves: the lake,
the recommendation archive and the history come back after the endpoint or the stack was
stopped or killed.

Why a journal of requests rather than moto's recorder (``/moto-api/recorder/``): the
recorder logs reads too (every ``GET``, DynamoDB ``Query``, the page's polling), so its file
grows with traffic, and it replays over HTTP, one request at a time, into the running
server. Here only writes are kept and the replay calls the application directly.

Known limits (a local stand-in, not a database): the journal is written without fsync, so
it survives the process dying but not a power cut; replayed objects get the replay's time as
``LastModified``; identifiers moto draws at random (multipart upload ids, receipt handles)
differ after a replay, so an upload in flight when the endpoint died must be started again.

    python -m local.aws_endpoint --port 55000 --journal .local/aws/journal.jsonl
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Actions that only read (DynamoDB, SNS, SQS, Secrets Manager and CloudWatch send their
# reads as POST). Anything not recognised as a read is journaled: a read journaled by
# mistake costs a little replay time, a write left out would lose data.
_READ_ACTION = re.compile(r"(?:Get|List|Describe|Query|Scan|BatchGet|TransactGet|Head|Select)(?![a-z])")
# The request's CGI variables worth keeping: the WSGI ones (wsgi.*, werkzeug.*) are objects
# of this process, and the body travels on its own.
_KEPT = re.compile(r"[A-Z][A-Z0-9_]*\Z")
_DROPPED = frozenset({"CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING", "REMOTE_PORT"})


def request_action(environ: dict[str, Any], body: bytes) -> str | None:
    """The API action a request names, where its protocol names one in a header, the form
    body or the path; None for REST requests (S3), whose method says what they do."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    if "/operation/" in environ.get("PATH_INFO", ""):  # Smithy RPC v2 (CBOR) clients
        return environ["PATH_INFO"].rstrip("/").rsplit("/", 1)[-1]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    return action[0] if action else None


def changes_state(environ: dict[str, Any], body: bytes) -> bool:
    """Whether a request may change what the endpoint stores (and so goes to the journal)."""
    if environ.get("REQUEST_METHOD", "GET").upper() in _READ_METHODS:
        return False
    if environ.get("PATH_INFO", "").startswith("/moto-api/recorder/"):
        return False
    action = request_action(environ, body)
    return action is None or not _READ_ACTION.match(action)


def _read_body(environ: dict[str, Any]) -> bytes:
    from werkzeug.wsgi import get_input_stream

    return get_input_stream(environ, safe_fallback=True).read()


class Journal:
    """The append-only file of state-changing requests, one JSON object per line."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = None

    def entries(self) -> Iterable[dict[str, Any]]:
        """The journaled requests in order. A last line cut short (the process was killed
        while writing it) is dropped from the file, so new lines start clean."""
        if not self.path.exists():
            return
        good_end = 0
        with open(self.path, "rb") as file:
            for line in file:
                try:
                    entry = json.loads(line)
                except ValueError:
                    break
                if not line.endswith(b"\n"):
                    break
                good_end += len(line)
                yield entry
        if good_end != self.path.stat().st_size:
            print(f"journal: dropped a torn last entry at byte {good_end}", file=sys.stderr, flush=True)
            os.truncate(self.path, good_end)

    def append(self, environ: dict[str, Any], body: bytes) -> None:
        entry = {
            "environ": {k: v for k, v in environ.items()
                        if isinstance(v, str) and _KEPT.match(k) and k not in _DROPPED},
            "body": base64.b64encode(body).decode("ascii"),
        }
        if self._file is None:
            self._file = open(self.path, "ab", buffering=0)
        # One write call per line, unbuffered: once it returns, the line is in the kernel's
        # page cache and survives this process being killed.
        self._file.write(json.dumps(entry, separators=(",", ":")).encode() + b"\n")


def _environ(stored: dict[str, str], body: bytes) -> dict[str, Any]:
    environ: dict[str, Any] = dict(stored)
    environ.update({
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    })
    return environ


class JournaledApp:
    """moto's WSGI application with writes journaled. Writes run one at a time, so the
    journal's order is the order moto applied them; reads run concurrently."""

    def __init__(self, app: Callable, journal: Journal | None):
        self.app = app
        self.journal = journal
        self._lock = threading.Lock()

    def replay(self) -> tuple[int, int]:
        """Apply the journal to the (empty) application: (requests replayed, refused)."""
        replayed = refused = 0
        if self.journal is None:
            return 0, 0
        for entry in self.journal.entries():
            body = base64.b64decode(entry["body"])
            status: list[str] = []
            chunks = self.app(_environ(entry["environ"], body), lambda s, h, e=None: status.append(s))
            for _ in chunks:
                pass
            getattr(chunks, "close", lambda: None)()
            replayed += 1
            if not status or int(status[0].split()[0]) >= 400:
                refused += 1
        return replayed, refused

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        if self.journal is None:
            return self.app(environ, start_response)
        body = _read_body(environ)
        # The body is read once here; moto reads it again from memory.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
        if not changes_state(environ, body):
            return self.app(environ, start_response)
        status: list[str] = []

        def recording_start_response(value: str, headers: list, exc_info: Any = None) -> Any:
            status.append(value)
            return start_response(value, headers, exc_info)

        with self._lock:
            # moto's answers are complete once its application returns: the write is
            # journaled before the caller sees the answer, so whatever a caller was told is
            # stored is in the journal.
            chunks = list(self.app(environ, recording_start_response))
            if status and int(status[0].split()[0]) < 400:
                self.journal.append(environ, body)
        return chunks


def moto_application() -> Callable:
    """moto's server application, with its list of service modules read once: moto lists
    its package folder (a stat per service, about 170) on every request to find the backend
    for a host, which was a third of the replay's time. The list cannot change while the
    process runs."""
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    return DomainDispatcherApplication(create_backend_app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.aws_endpoint", description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--journal", type=Path, help="file of the journal (without it, memory only, like moto)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import run_simple

    app = JournaledApp(moto_application(), Journal(args.journal) if args.journal else None)
    started = time.monotonic()
    replayed, refused = app.replay()
    if args.journal:
        print(f"journal {args.journal}: replayed {replayed} request(s) in {time.monotonic() - started:.1f} s"
              + (f", {refused} refused again" if refused else ""), flush=True)
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
