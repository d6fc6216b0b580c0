"""The BI server's state folder (`<MONEV_STATE_DIR>/superset`): where its secrets, pid,
log and address live, and the secrets themselves (generated once, mode 0600).

Read by the process side (monev.bi.server) and the API side (monev.bi.assets) alike, so
neither has to import the other's module to find the server.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from monev.config import settings

DEFAULT_PORT = 8088


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def secret_key(self) -> Path:
        return self.home / "secret_key"

    @property
    def admin_password(self) -> Path:
        return self.home / "admin_password"

    @property
    def warehouse_password(self) -> Path:
        """The password of the national connection's warehouse login."""
        return self.home / "warehouse_password"

    @property
    def pid(self) -> Path:
        return self.home / "gunicorn.pid"

    @property
    def log(self) -> Path:
        return self.home / "superset.log"

    @property
    def address(self) -> Path:
        """host:port the running server was started on (for `monev bi url`)."""
        return self.home / "address"

    @property
    def initialised(self) -> Path:
        return self.home / ".initialised"

    @property
    def bundle_stamp(self) -> Path:
        """sha256 of the last imported spec (a start re-imports only when it changed)."""
        return self.home / "bundle.sha256"


def paths() -> Paths:
    return Paths(settings().state_dir / "superset")


def secret_file(path: Path, make: Callable[[], str]) -> str:
    """Read a secret from its 0600 file, generating it once."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return path.read_text().strip()


def admin_password() -> str:
    return secret_file(paths().admin_password, lambda: secrets.token_urlsafe(18))


def running_pid() -> int | None:
    p = paths().pid
    try:
        pid = int(p.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    except PermissionError:
        return pid
    return pid


def base_url() -> str:
    """The base URL of the running (or last started) server."""
    try:
        host, port = paths().address.read_text().split()
    except FileNotFoundError:
        host, port = "127.0.0.1", str(DEFAULT_PORT)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{shown}:{port}"
