"""No password in Superset's action log: a row an older version logged with a BI login's
password (the import endpoint's `passwords` field, a connection URI) is cleaned when
Superset starts, in the table and in the file's bytes. (That no new row keeps one, as an
admin reads `/api/v1/log/` after real sign-ins and imports: tests/bi/test_superset.py.)"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
from pathlib import Path

from monev.bi import server


def test_a_password_logged_before_is_cleaned_at_start(tmp_path: Path) -> None:
    home = tmp_path / "superset"
    home.mkdir()
    metadata = home / "superset.db"
    shutil.copyfile(server.TEMPLATE, metadata)
    (home / "secret_key").write_text(secrets.token_urlsafe(48))
    password = "Rahasia-" + secrets.token_hex(8)
    logged = {"path": "/api/v1/assets/import/", "overwrite": "true",
              "passwords": json.dumps({"databases/gudang_bi62.yaml": password}),
              "sqlalchemy_uri": f"postgresql+psycopg2://bi62:{password}@db:5432/monev",
              "note": f"postgresql://bi62:{password}@db/monev"}
    with sqlite3.connect(metadata) as conn:
        conn.execute("INSERT INTO logs (action, json, dttm) VALUES (?, ?, ?)",
                     ("ImportAssetsRestApi.import_", json.dumps(logged),
                      "2026-01-01 00:00:00.000000"))
    assert password.encode() in metadata.read_bytes()

    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERSET_")}
    env.update(SUPERSET_CONFIG_PATH=str(server.CONFIG), MONEV_SUPERSET_STATE=str(home),
               PYTHONWARNINGS="ignore")
    done = subprocess.run([str(server.VENV / "bin" / "python"), "-c",
                           "from superset.app import create_app; create_app()"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]

    with sqlite3.connect(metadata) as conn:
        (kept,) = conn.execute("SELECT json FROM logs WHERE action = ?",
                               ("ImportAssetsRestApi.import_",)).fetchone()
    assert password not in kept
    assert json.loads(kept)["path"] == "/api/v1/assets/import/"  # the rest is kept
    assert password.encode() not in metadata.read_bytes()
