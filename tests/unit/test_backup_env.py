"""The PostgreSQL tools get their connection through libpq's environment: a password
goes into a passfile that exists while the tool runs, never into argv or the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from monev.warehouse.backup import BackupError, libpq_env, write_key


def test_password_goes_to_a_private_passfile_only() -> None:
    url = "postgresql://loader:s3cr%3At@db.example:6543/monev?sslmode=require"
    with libpq_env(url) as env:
        assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"],
                env["PGSSLMODE"]) == ("db.example", "6543", "loader", "monev", "require")
        assert not any("s3cr" in v for k, v in env.items() if k != "PGPASSFILE")
        passfile = Path(env["PGPASSFILE"])
        assert passfile.stat().st_mode & 0o777 == 0o600
        assert passfile.read_text() == "*:*:*:*:s3cr\\:t\n"
    assert not passfile.exists()


def test_a_passfile_parameter_is_passed_on_and_unknown_ones_refused() -> None:
    with libpq_env("postgresql://app@127.0.0.1:5/monev?passfile=/s/pg.pass") as env:
        assert env["PGPASSFILE"] == "/s/pg.pass" and "PGPASSWORD" not in env
    with pytest.raises(BackupError, match="krbsrvname"), libpq_env(
            "postgresql://app@h/monev?krbsrvname=x"):
        pass


def test_the_key_is_never_written_into_the_data_backup(tmp_path: Path) -> None:
    data = tmp_path / "backup"
    for inside in (data / "key", data / "sub" / "key", tmp_path / "backup.partial" / "k"):
        with pytest.raises(BackupError, match="must not be stored inside"):
            write_key(b"k", inside, data)
    key = write_key(b"k", tmp_path / "apart" / "pseudonym.key", data)
    assert key.read_text() == "k\n" and key.stat().st_mode & 0o777 == 0o600
    with pytest.raises(BackupError, match="exists"):
        write_key(b"other", key, data)
