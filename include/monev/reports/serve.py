"""Serve the reports archive read-only on the loopback interface (`monev reports serve`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote


class _ReadOnly(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: one line per request is noise on a stakeholder's terminal

    def send_head(self):  # type: ignore[no-untyped-def]
        # hidden paths (the staging folder of a build in progress, temporary pages)
        # are not part of the site
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if any(part.startswith(".") for part in path.split("/")):
            self.send_error(404)
            return None
        return super().send_head()

    def do_PUT(self) -> None:
        self.send_error(405)

    do_POST = do_DELETE = do_PUT


def make_server(root: Path, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    handler = functools.partial(_ReadOnly, directory=str(root))
    return ThreadingHTTPServer((host, port), handler)


def serve(root: Path, port: int, on_ready: Callable[[str], None] | None = None) -> None:
    server = make_server(root, port)
    if on_ready:
        on_ready(f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
