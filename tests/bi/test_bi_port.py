"""`monev bi up` on a port another program listens on says so, naming the port (it
said only "Superset stopped while starting")."""

from __future__ import annotations

import socket

import pytest
from bi_support import monev

pytestmark = pytest.mark.service  # runs `monev bi up` (it stops at the busy port)


def test_a_busy_port_is_named(warehouse: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = monev("bi", "up", "--port", str(port), timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert f"port {port} on 127.0.0.1 is busy" in " ".join(out.split()), out
    assert "stopped while starting" not in out
