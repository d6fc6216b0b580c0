"""SFTP landing: a real OpenSSH server on loopback (high port, throwaway host and user
keys, started by the test), listed and pulled through the same Landing + ingest DAG."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from monev.config import reset_settings

SSHD = Path("/usr/sbin/sshd")
pytestmark = [pytest.mark.service, pytest.mark.skipif(
    not SSHD.exists() or os.geteuid() != 0, reason="needs /usr/sbin/sshd and root"
)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sftp_server(tmp_path: Path) -> Iterator[dict]:
    # sshd refuses keys and configs in group/world-writable places: a private folder
    base = Path(f"/root/.monev-sftp-test-{os.getpid()}")
    base.mkdir(mode=0o700)
    try:
        host_key, user_key = base / "host_ed25519", base / "user_ed25519"
        for key in (host_key, user_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                           check=True)
        auth = base / "authorized_keys"
        shutil.copy(user_key.with_suffix(".pub"), auth)
        auth.chmod(0o600)
        port = _free_port()
        config = base / "sshd_config"
        config.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
            f"AuthorizedKeysFile {auth}\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
            "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n"
            f"PidFile {base / 'sshd.pid'}\nSubsystem sftp internal-sftp\n"
        )
        Path("/run/sshd").mkdir(exist_ok=True)
        proc = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)],
                                stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        remote = tmp_path / "sftp_landing"
        remote.mkdir()
        yield {"port": port, "key": str(user_key), "dir": remote}
        proc.terminate()
        proc.wait(timeout=10)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_sftp_pull_through_ingest_dag(dagbag: dict, landing: Path, warehouse: str,
                                      sftp_server: dict, monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    from monev.ingest.landing import Landing
    from monev.localrun.runner import run_dag
    from monev.synthetic import generate

    generate(tmp_path / "gen", "2025-01", "2025-01", scale="small", seed=5)
    shutil.copy(tmp_path / "gen" / "realisasi_202501.xlsx", sftp_server["dir"])
    url = f"sftp://root@127.0.0.1:{sftp_server['port']}{sftp_server['dir']}"
    monkeypatch.setenv("MONEV_LANDING_URL", url)
    monkeypatch.setenv("MONEV_LANDING_OPTIONS", json.dumps(
        {"key_filename": sftp_server["key"], "look_for_keys": False, "allow_agent": False}))
    reset_settings()

    listed = Landing().list()
    assert [f.relpath for f in listed] == ["realisasi_202501.xlsx"]

    out = run_dag(dagbag["ingest_landing"], {"periode": "2025-01"})
    assert out.state == "success", out.tasks
    assert [e["file"] for e in out.asset_events if "file" in e] == ["realisasi_202501.xlsx"]
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM raw.realisasi").fetchone()[0] > 0
        loc = conn.execute("SELECT DISTINCT location FROM audit.landing_files").fetchall()
    assert loc == [(url,)]  # no credential in the URL, so nothing to redact
