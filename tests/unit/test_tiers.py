"""The tiers hold: a test not marked `service` cannot start a service (the guard in
tests/conftest.py refuses it, so `make check` never starts one unnoticed), and every
marker a test carries is one pyproject.toml registers (--strict-markers)."""

from __future__ import annotations

import subprocess

import pytest
from tiers import service_in


@pytest.mark.parametrize(("argv", "service"), [
    (["/venv/bin/monev", "airflow", "--port", "8080"], "monev airflow"),
    (["/venv/bin/monev", "airflow", "--init"], None),
    (["/venv/bin/monev", "airflow-cli", "dags", "list"], None),
    (["monev", "bi", "up", "--port", "8088"], "monev bi up"),
    (["/usr/sbin/sshd", "-D", "-e"], "sshd"),
    (["redis-server", "--port", "6400"], "redis-server"),
    (["/usr/bin/chromium", "--headless", "--dump-dom", "x"], "chromium"),
    (["python", "-m", "moto.server", "-p", "5000"], "an S3 server (moto)"),
    (["/usr/bin/docker-compose", "-f", "docker-compose.yml", "up"], "docker-compose"),
    (["/usr/bin/docker-compose", "-f", "docker-compose.yml", "config"], None),
    (["pdftotext", "-layout", "a.pdf", "-"], None),
    (["/venv/bin/monev", "ingest", "landing/"], None),
    ("redis-server --port 6400 &", "redis-server"),
])
def test_what_counts_as_a_service(argv: list[str], service: str | None) -> None:
    assert service_in(argv) == service


def test_an_unmarked_test_cannot_start_a_service(tmp_path) -> None:
    # refused before anything runs: the program need not even exist
    with pytest.raises(RuntimeError, match="not marked `service`"):
        subprocess.Popen([str(tmp_path / "redis-server"), "--port", "0"])
    # anything else still runs
    assert subprocess.run(["true"]).returncode == 0


@pytest.mark.service
def test_a_marked_test_may(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):  # the guard let it through to the exec
        subprocess.Popen([str(tmp_path / "redis-server"), "--port", "0"])
