"""Serve the reports archive read-only on the loopback interface (`monev reports serve`).

It is a service on a shared server, so it asks who you are even on loopback: HTTP basic
auth against a password generated once into `<state>/secrets/reports-site.password`
(0600; user `monev`). It serves the published documents only — no directory listings,
nothing reached through a symlink, nothing under a report's `_data/` snapshot (the
marts' rows the report was built from, participant pseudonyms included) or a hidden
folder (a run's staging area), and only the kinds of file the site is made of.
"""

from __future__ import annotations

import base64
import functools
import hmac
import os
import secrets
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

USER = "monev"
# what the site is made of: pages, documents, workbooks and their images
SERVED_SUFFIXES = {".html", ".pdf", ".xlsx", ".png", ".svg", ".css", ".js", ".ico"}


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
    if any(p in (".", "..") or p.startswith(".") or p.endswith("_data") or "\\" in p
           or "\x00" in p for p in parts):
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

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: one line per request is noise on a stakeholder's terminal

    def _authorised(self) -> bool:
        given = self.headers.get("Authorization", "")
        if given.startswith("Basic ") and hmac.compare_digest(
                given[6:].strip().encode(), self.credential):
            return True
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


def make_server(root: Path, port: int, password: str,
                host: str = "127.0.0.1") -> ThreadingHTTPServer:
    credential = base64.b64encode(f"{USER}:{password}".encode())
    handler = functools.partial(type("_Site", (_ReadOnly,), {"credential": credential}),
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
