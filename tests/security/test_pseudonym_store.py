"""The pseudonym key is never taken from an Airflow Variable unless the operator chose
it (MONEV_PSEUDONYM_KEY_FROM_AIRFLOW): a Variable anyone with Airflow rights can create
(here through Airflow's own environment backend, AIRFLOW_VAR_…) must not become the key
every NIK is hashed with. Runs in a fresh process, as a task would, with airflow.sdk
imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = ("import airflow.sdk\n"
         "from monev.sources.pseudonym import key_file, pseudonym_key\n"
         "print(pseudonym_key().decode()); print(oct(key_file().stat().st_mode & 0o777))\n")


def _key(tmp_path: Path, **env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW", "MONEV_PSEUDONYM"))}
    base.update({"MONEV_STATE_DIR": str(tmp_path / "state"),
                 "AIRFLOW_HOME": str(tmp_path / "airflow"),
                 "AIRFLOW_VAR_MONEV_PSEUDONYM_KEY": "planted-by-a-variable"}, **env)
    out = subprocess.run([sys.executable, "-c", PROBE], env=base, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()[-2:]


def test_a_variable_is_not_the_key_by_default(tmp_path: Path) -> None:
    key, mode = _key(tmp_path)
    assert key != "planted-by-a-variable"
    assert key == (tmp_path / "state" / "secrets" / "pseudonym.key").read_text().strip()
    assert mode == "0o600"


def test_the_variable_is_the_key_when_the_operator_chose_it(tmp_path: Path) -> None:
    (tmp_path / "state" / "secrets").mkdir(parents=True)
    (tmp_path / "state" / "secrets" / "pseudonym.key").write_text("file-key\n")
    (tmp_path / "state" / "secrets" / "pseudonym.key").chmod(0o600)
    key, _ = _key(tmp_path, MONEV_PSEUDONYM_KEY_FROM_AIRFLOW="true")
    assert key == "planted-by-a-variable"
