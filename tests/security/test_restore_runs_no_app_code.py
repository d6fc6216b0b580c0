"""A backup and restore of the embedded warehouse never runs the application's code with
the superuser's rights (issue 29, High #2).

The application's login owns every object of the warehouse. Holding its password (the
state folder's secrets), it adds a CHECK constraint whose function, when it runs as a
superuser, creates a role. The constraint is in every later backup; restoring one loads
the table's rows, evaluating the check as the login the restore runs as. The operator
backs up and restores with `monev warehouse backup/restore` on an embedded cluster of its
own (a state folder and port of this test): the restore succeeds and the role is never
made.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from monev.config import reset_settings, settings
from monev.warehouse import cluster

MONEV = Path(sys.executable).with_name("monev")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An embedded cluster of this test's own, as `monev warehouse up` makes it."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WAREHOUSE_URL", "WAREHOUSE_ADMIN_URL")}
    env.update({"MONEV_STATE_DIR": str(tmp_path / "state"), "MONEV_PG_PORT": str(_free_port()),
                "MONEV_PSEUDONYM_KEY": "restore-test-key",
                "MONEV_REPORTS_DIR": str(tmp_path / "reports")})
    with pytest.MonkeyPatch.context() as mp:
        for k in ("WAREHOUSE_URL", "WAREHOUSE_ADMIN_URL"):
            mp.delenv(k, raising=False)
        for k in ("MONEV_STATE_DIR", "MONEV_PG_PORT", "MONEV_PSEUDONYM_KEY",
                  "MONEV_REPORTS_DIR"):
            mp.setenv(k, env[k])
        reset_settings()
        c = cluster.up(settings())
        try:
            yield env
        finally:
            cluster.stop(c)
            shutil.rmtree(c.data_dir.parent, ignore_errors=True)
            reset_settings()


def _monev(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(MONEV), *args], capture_output=True, text=True, timeout=600,
                          env={**env, "COLUMNS": "200"}, stdin=subprocess.DEVNULL)


def test_a_restore_runs_no_planted_check_as_superuser(
        own_cluster: dict[str, str], tmp_path: Path) -> None:
    c = cluster.require()
    planted_role = f"planted_{uuid.uuid4().hex[:8]}"
    assert _monev(["warehouse", "up"], own_cluster).returncode == 0
    with psycopg.connect(c.app_url(), autocommit=True) as app:  # migrated by `up`'s path
        assert app.execute("select current_user").fetchone()[0] == cluster.APP_ROLE
        app.execute("select 1 from audit.schema_migrations limit 1")
        app.execute(f"""
            create function audit.versi_sah(v integer) returns boolean
            language plpgsql as $$
            begin
                if current_setting('is_superuser') = 'on'
                   and not exists (select 1 from pg_roles where rolname = '{planted_role}')
                then
                    execute 'create role {planted_role} superuser';
                end if;
                return v > 0;
            end $$""")
        app.execute("alter table audit.schema_migrations"
                    " add constraint versi_sah check (audit.versi_sah(version))")
    backup = tmp_path / "backup"
    made = _monev(["warehouse", "backup", str(backup), "--key-out", str(tmp_path / "key")],
                  own_cluster)
    assert made.returncode == 0, made.stdout + made.stderr
    restored = _monev(["warehouse", "restore", str(backup), "--force"], own_cluster)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    with psycopg.connect(c.admin_url("postgres"), autocommit=True) as admin:
        made_role = admin.execute("select 1 from pg_roles where rolname = %s",
                                  (planted_role,)).fetchone()
        if made_role:
            admin.execute(f'drop role "{planted_role}"')
    assert made_role is None
    with psycopg.connect(c.app_url()) as app:  # the restore itself did its work
        assert app.execute("select count(*) from audit.schema_migrations").fetchone()[0] > 10
