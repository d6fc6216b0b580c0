"""The dbt profile variables derived from a warehouse URL."""

from __future__ import annotations

import os

import pytest

from monev.transform.profile import dbt_env, dbt_environment


def test_url_parts_become_profile_variables() -> None:
    env = dbt_env("postgresql://bi_user:s%40cret@db.example:6543/monev?sslmode=require", threads=3)
    assert env == {
        "MONEV_DBT_HOST": "db.example",
        "MONEV_DBT_PORT": "6543",
        "MONEV_DBT_USER": "bi_user",
        "MONEV_DBT_PASSWORD": "s@cret",
        "MONEV_DBT_DBNAME": "monev",
        "MONEV_DBT_SSLMODE": "require",
        "MONEV_DBT_THREADS": "3",
    }


def test_defaults_for_a_bare_url() -> None:
    env = dbt_env("postgresql+psycopg://monev@127.0.0.1/monev")
    assert env["MONEV_DBT_PORT"] == "5432"
    assert env["MONEV_DBT_PASSWORD"] == ""
    assert env["MONEV_DBT_SSLMODE"] == "prefer"
    assert "MONEV_DBT_THREADS" not in env


def test_environment_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_DBT_HOST", "before")
    monkeypatch.delenv("MONEV_DBT_PASSWORD", raising=False)
    with dbt_environment("postgresql://u:pw@inside:1/d"):
        assert os.environ["MONEV_DBT_HOST"] == "inside"
        assert os.environ["MONEV_DBT_PASSWORD"] == "pw"
    assert os.environ["MONEV_DBT_HOST"] == "before"
    assert "MONEV_DBT_PASSWORD" not in os.environ
