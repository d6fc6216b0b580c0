"""The guard behind the `service` marker: while a test runs (set-up and tear-down
included), starting a service from this process is refused unless the test is marked
`service` — so `make check`, which leaves those out, can never start one unnoticed.

A service here is what outlives a command and listens: `monev airflow` (not its
`--init`), `monev bi up`, sshd, redis-server, Chromium and its driver, an S3 server,
docker (`docker-compose config`, which only reads a file offline, is not one). The
embedded PostgreSQL cluster is not: every tier runs on it."""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

_CURRENT: dict[str, object] = {"test": None, "service": False}
SERVERS = {"sshd", "redis-server", "chromium", "chromium-browser", "chromedriver"}


def current_test_is(nodeid: str | None, service: bool = False) -> None:
    _CURRENT.update(test=nodeid, service=service)


def service_in(argv: Sequence[object] | str | bytes) -> str | None:
    """The service this command line starts, if it starts one."""
    if isinstance(argv, bytes | os.PathLike):
        argv = [argv]
    elif isinstance(argv, str):  # a shell command line
        argv = shlex.split(argv)
    words = [os.fsdecode(a) if isinstance(a, bytes | os.PathLike) else str(a) for a in argv]
    if not words:
        return None
    program = os.path.basename(words[0])
    rest = words[1:]
    if program in SERVERS:
        return program
    if program == "monev" and rest[:1] == ["airflow"] and "--init" not in rest:
        return "monev airflow"
    if program == "monev" and rest[:2] == ["bi", "up"]:
        return "monev bi up"
    if program in ("docker", "docker-compose") and "config" not in rest:
        return program
    if "moto.server" in rest:
        return "an S3 server (moto)"
    return None


def starts_service(argv: Sequence[object] | str | bytes) -> None:
    """Refuse `argv` when it starts a service inside a test not marked `service`."""
    if _CURRENT["test"] is None or _CURRENT["service"]:
        return
    found = service_in(argv)
    if found:
        raise RuntimeError(
            f"{_CURRENT['test']} starts a service ({found}) but is not marked `service`:"
            " give it @pytest.mark.service (or the module pytestmark), so `make check`"
            " leaves it out")
