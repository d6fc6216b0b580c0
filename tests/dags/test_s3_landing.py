"""S3 landing: a real S3-compatible server (moto's server mode, its own process on a
loopback port, started by the test), listed and pulled through the same Landing and
ingest DAG as a local folder or SFTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from monev.config import reset_settings

pytestmark = pytest.mark.service  # an S3 server (moto)

BUCKET = "monev-landing"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_server() -> Iterator[dict]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                             "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start: {proc.stderr.read()!r}"
                                       ) from None
                time.sleep(0.2)
        options = {"key": "testing", "secret": "testing",
                   "client_kwargs": {"endpoint_url": f"http://127.0.0.1:{port}",
                                     "region_name": "us-east-1"}}
        import boto3
        import s3fs

        boto3.client("s3", aws_access_key_id="testing", aws_secret_access_key="testing",
                     **options["client_kwargs"]).create_bucket(Bucket=BUCKET)
        fs = s3fs.S3FileSystem(skip_instance_cache=True, **options)
        yield {"port": port, "options": options, "fs": fs}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_s3_pull_through_ingest_dag(dagbag: dict, landing: Path, warehouse: str,
                                    s3_server: dict, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    from monev.ingest.landing import Landing
    from monev.localrun.runner import run_dag
    from monev.synthetic import generate

    generate(tmp_path / "gen", "2025-01", "2025-01", scale="small", seed=5)
    fs = s3_server["fs"]
    fs.put(str(tmp_path / "gen" / "realisasi_202501.xlsx"),
           f"{BUCKET}/in/realisasi_202501.xlsx")
    fs.put(str(tmp_path / "gen" / "referensi" / "target_ucj.csv"),
           f"{BUCKET}/in/referensi/target_ucj.csv")
    fs.pipe(f"{BUCKET}/in/notes.txt", b"not an extract")
    url = f"s3://{BUCKET}/in"
    monkeypatch.setenv("MONEV_LANDING_URL", url)
    monkeypatch.setenv("MONEV_LANDING_OPTIONS", json.dumps(s3_server["options"]))
    reset_settings()

    listed = {f.relpath: f for f in Landing().list()}
    assert sorted(listed) == ["realisasi_202501.xlsx", "referensi/target_ucj.csv"]
    real = listed["realisasi_202501.xlsx"]
    assert (real.source, real.period_key, real.revision) == ("realisasi", "2025-01", 0)
    assert real.size == (tmp_path / "gen" / "realisasi_202501.xlsx").stat().st_size
    copy = Landing().fetch("realisasi_202501.xlsx", cache_dir=tmp_path / "cache")
    assert copy.read_bytes() == (tmp_path / "gen" / "realisasi_202501.xlsx").read_bytes()

    out = run_dag(dagbag["ingest_landing"], {"periode": "2025-01"})
    assert out.state == "success", out.tasks
    # one event per published batch
    assert sorted(e["file"] for e in out.asset_events if "file" in e) == [
        "realisasi_202501.xlsx", "target_ucj.csv"]
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM raw.realisasi").fetchone()[0] > 0
        loc = conn.execute("SELECT DISTINCT location FROM audit.landing_files").fetchall()
    assert loc == [(url,)]


def test_s3_replaced_object_seen_by_the_next_listing(s3_server: dict, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from monev.ingest.landing import Landing

    fs = s3_server["fs"]
    fs.pipe(f"{BUCKET}/in/realisasi_202501.xlsx", b"first delivery")
    monkeypatch.setenv("MONEV_LANDING_URL", f"s3://{BUCKET}/in")
    monkeypatch.setenv("MONEV_LANDING_OPTIONS", json.dumps(s3_server["options"]))
    reset_settings()
    before = Landing().list()[0]
    fs.pipe(f"{BUCKET}/in/realisasi_202501.xlsx", b"second, longer delivery")
    fs.pipe(f"{BUCKET}/in/kepesertaan_202501.csv", b"new")
    after = {f.relpath: f for f in Landing().list()}
    assert "kepesertaan_202501.csv" in after
    assert after["realisasi_202501.xlsx"].fingerprint != before.fingerprint
