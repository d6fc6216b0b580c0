"""Serve the reports archive read-only on the loopback interface (`monev reports serve`).

It is a service on a shared server, so it asks who you are even on loopback: HTTP basic
auth against a password generated once into `<state>/secrets/reports-site.password`
(0600; user `monev`). It serves the published documents only — no directory listings,
nothing reached through a symlink, nothing under a report's `_data/` snapshot (the
marts' rows the report was built from, participant pseudonyms included) or a hidden
folder (a run's staging area), and only the kinds of file the site is made of.

Failed logins are throttled per client address: after MAX_FAILURES wrong passwords in a
row the address gets 429 (with Retry-After) for a delay that doubles with each further
failure, up to MAX_DELAY_S, whatever it sends meanwhile — the right password included,
so guessing gains nothing. A right password outside a delay clears the count.
"""

from __future__ import annotations

import base64
import functools
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from monev.reports.withheld import withheld

USER = "monev"
# what the site is made of: pages, documents, workbooks and their images
SERVED_SUFFIXES = {".html", ".pdf", ".xlsx", ".png", ".svg", ".css", ".js", ".ico"}
# failed logins an address may make before it waits; the first wait and the longest
MAX_FAILURES = 5
FIRST_DELAY_S = 30.0
MAX_DELAY_S = 900.0


class Throttle:
    """Failed logins per client address (thread-safe: the server is threaded)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # address -> (count, wait until)

    def wait(self, address: str) -> float:
        """Seconds `address` must still wait before it may try again (0: it may)."""
        with self._lock:
            _, until = self._failures.get(address, (0, 0.0))
            return max(0.0, until - self.clock())

    def failed(self, address: str) -> None:
        with self._lock:
            count = self._failures.get(address, (0, 0.0))[0] + 1
            until = 0.0
            if count >= MAX_FAILURES:
                until = self.clock() + min(MAX_DELAY_S,
                                           FIRST_DELAY_S * 2 ** (count - MAX_FAILURES))
            self._failures[address] = (count, until)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def password_file(state_dir: Path) -> Path:
    return state_dir / "secrets" / "reports-site.password"


def ensure_password(state_dir: Path) -> str:
    """The site's password, generated on first use into a file only its owner reads."""
    f = password_file(state_dir)
    f.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(f.parent, 0o700)
    if not f.exists():
        fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(24) + "\n")
    os.chmod(f, 0o600)
    return f.read_text().strip()


def servable(root: Path, url_path: str) -> Path | None:
    """The file `url_path` names under `root`, or None when it may not be served."""
    parts = [p for p in unquote(urlsplit(url_path).path).split("/") if p]
    if any(p in (".", "..") or withheld(p) or "\\" in p or "\x00" in p for p in parts):
        return None
    target = root.joinpath(*parts) if parts else root
    # no symlink anywhere on the way (lstat each component below the root)
    probe = root
    for p in parts:
        probe = probe / p
        if probe.is_symlink():
            return None
    if target.is_dir():
        target = target / "index.html"
        if target.is_symlink():
            return None
    if not target.is_file() or target.suffix.lower() not in SERVED_SUFFIXES:
        return None
    return target


class _ReadOnly(SimpleHTTPRequestHandler):
    credential: bytes = b""
    throttle: Throttle

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: one line per request is noise on a stakeholder's terminal

    def _authorised(self) -> bool:
        address = self.client_address[0]
        wait = self.throttle.wait(address)
        if wait > 0:
            self.send_response(429)
            self.send_header("Retry-After", str(int(wait) + 1))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        given = self.headers.get("Authorization", "")
        if given.startswith("Basic ") and hmac.compare_digest(
                given[6:].strip().encode(), self.credential):
            self.throttle.succeeded(address)
            return True
        if given:  # a wrong password (a browser's first request carries none)
            self.throttle.failed(address)
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="Laporan Monev", charset="UTF-8"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def send_head(self):  # type: ignore[no-untyped-def]
        if not self._authorised():
            return None
        target = servable(Path(self.directory), self.path)
        if target is None:
            self.send_error(404)
            return None
        self.path = "/" + target.relative_to(Path(self.directory)).as_posix()
        return super().send_head()

    def list_directory(self, path):  # type: ignore[no-untyped-def]
        self.send_error(404)
        return None

    def do_PUT(self) -> None:
        self.send_error(405)

    do_POST = do_DELETE = do_PUT


def make_server(root: Path, port: int, password: str, host: str = "127.0.0.1",
                throttle: Throttle | None = None) -> ThreadingHTTPServer:
    credential = base64.b64encode(f"{USER}:{password}".encode())
    handler = functools.partial(
        type("_Site", (_ReadOnly,), {"credential": credential,
                                     "throttle": throttle or Throttle()}),
        directory=str(root.resolve()))
    return ThreadingHTTPServer((host, port), handler)


def serve(root: Path, port: int, password: str,
          on_ready: Callable[[str], None] | None = None, host: str = "127.0.0.1") -> None:
    server = make_server(root, port, password, host=host)
    if on_ready:
        on_ready(f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
