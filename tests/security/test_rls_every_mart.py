"""Row-level security through every mart, as a provincial analyst would probe it: the
session's small generated months (every source, the gate's evidence included, through
the real ingest and dbt build: `built_months_template`), then every relation of `marts`
read as a provincial login.

Each relation the BI role may read is one of: province-bound (a `kode_provinsi` column:
only the login's province and national rows), national-only (no row for a provincial
login), a reference dimension that carries no figure, or dbt's own run metadata. A new
mart that is none of these fails here, and no text or JSON value a provincial login
reads names another province's region.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url
from transform_support import module_warehouse
from warehouse_support import admin_url_for

PASSWORD = "rls-every-mart"  # test-only
# reference dimensions: codes and names, no figure of any region
DIMENSIONS = {"dim_wilayah", "dim_waktu", "dim_program", "dim_segmen", "dim_kategori_pekerja",
              "dim_sumber_iuran", "dim_rekening", "dim_versi_anggaran"}
NATIONAL_ONLY = {"mart_kesehatan_aturan", "mart_kesehatan_muatan", "mart_kesehatan_status_sumber",
                 "mart_sumber_data"}
# dbt's own run metadata (node names, timings, test outcomes): no region in it, which the
# text scan below holds
PIPELINE_METADATA = {"mart_dbt_run_results"}
REGION_CODE = re.compile(r"(?<![0-9.])([0-9]{2})\.[0-9]{2}(?![0-9])")


@pytest.fixture(scope="module")
def wh(server_url: str, built_months_template: str,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("state")
    with module_warehouse(server_url, built_months_template, state) as url:
        yield url


@pytest.fixture(scope="module")
def logins(wh: str) -> Iterator[dict[str, str]]:
    from monev.transform import access

    with psycopg.connect(wh) as conn:
        provinces = [r[0] for r in conn.execute(
            "select distinct kode_provinsi from marts.mart_monev_wilayah_bulanan"
            " where kode_provinsi is not null order by 1")]
    assert len(provinces) >= 2, provinces
    tag = uuid.uuid4().hex[:8]
    made = {"prov": f"bip_{tag}", "nasional": f"bin_{tag}", "other": f"bio_{tag}"}
    access.grant(made["prov"], provinces[0], PASSWORD)
    access.grant(made["other"], provinces[1], PASSWORD)
    access.grant(made["nasional"], None, PASSWORD)
    yield {**made, "kode": provinces[0], "kode_other": provinces[1]}
    with psycopg.connect(admin_url_for(wh), autocommit=True) as conn:
        for role in made.values():
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _as(url: str, user: str) -> psycopg.Connection:
    u = make_url(url).difference_update_query(["passfile"]).set(username=user,
                                                                password=PASSWORD)
    return psycopg.connect(u.render_as_string(hide_password=False), autocommit=True)


def _readable_marts(url: str) -> dict[str, dict[str, str]]:
    """Every marts relation monev_bi may read, with its columns and their types."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
               join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
                    and not a.attisdropped
               where n.nspname = 'marts' and c.relkind in ('r', 'p', 'v', 'm')
                 and has_table_privilege('monev_bi', c.oid, 'SELECT')""").fetchall()
    out: dict[str, dict[str, str]] = {}
    for rel, col, typ in rows:
        out.setdefault(rel, {})[col] = typ
    return out


def test_a_provincial_login_reads_no_other_province_in_any_mart(
    wh: str, logins: dict[str, str]
) -> None:
    marts = _readable_marts(wh)
    assert {"mart_monev_wilayah_bulanan", "mart_kesehatan_aturan"} <= set(marts)
    mine = logins["kode"]
    unclassified = []
    with _as(wh, logins["prov"]) as conn, _as(wh, logins["nasional"]) as nat:
        for rel, cols in sorted(marts.items()):
            rows = conn.execute(f'select * from marts."{rel}"').fetchall()
            names = list(cols)
            if rel in DIMENSIONS:
                # reference: every province's codes and names, no figure
                assert not [c for c, t in cols.items() if t.startswith("numeric")], rel
                continue
            if rel in NATIONAL_ONLY:
                assert rows == [], rel
                assert nat.execute(f'select count(*) from marts."{rel}"').fetchone()[0] > 0, rel
                continue
            if "kode_provinsi" in cols:
                seen = {r[names.index("kode_provinsi")] for r in rows}
                assert seen <= {mine, None}, (rel, seen)
            elif rel not in PIPELINE_METADATA:
                unclassified.append(rel)
                continue
            # region codes in any text or JSON column belong to this province
            texts = {c for c, t in cols.items() if t in ("text", "jsonb", "json")
                     or t.startswith("character")}
            for r in rows:
                for name, value in zip(names, r, strict=True):
                    if value is None or name not in texts:
                        continue
                    text = json.dumps(value) if isinstance(value, dict | list) else str(value)
                    for prov in REGION_CODE.findall(text):
                        assert prov == mine, (rel, name, text[:200])
    assert unclassified == [], f"marts readable by BI with no province rule: {unclassified}"


def test_the_gate_evidence_is_for_national_logins_only(
    wh: str, logins: dict[str, str]
) -> None:
    """The finding: a provincial login read other provinces' kab/kota figures in
    mart_kesehatan_aturan.observed. The evidence is there (a national login reads it,
    other provinces' regions included); a provincial login reads none of it."""
    other = logins["kode_other"]
    with _as(wh, logins["nasional"]) as nat:
        evidence = [r[0] for r in nat.execute(
            "select observed::text from marts.mart_kesehatan_aturan where observed is not null")]
    assert evidence
    with _as(wh, logins["prov"]) as conn:
        seen = conn.execute("select count(*) from marts.mart_kesehatan_aturan"
                            " where observed is not null").fetchone()[0]
    assert seen == 0, f"{seen} rows of gate evidence (other provinces' incl. {other}.xx)"


def test_the_access_mapping_answers_for_oneself_only(wh: str, logins: dict[str, str]) -> None:
    with _as(wh, logins["prov"]) as conn:
        assert conn.execute("select access.provinsi_pengguna(current_user)"
                            ).fetchone()[0] == logins["kode"]
        assert conn.execute("select access.provinsi_pengguna(%s)",
                            (logins["other"],)).fetchone()[0] is None
        assert conn.execute("select access.akses_nasional(%s)",
                            (logins["nasional"],)).fetchone()[0] is False
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from access.pengguna_wilayah")
    with _as(wh, logins["nasional"]) as conn:
        assert conn.execute("select access.akses_nasional(current_user)").fetchone()[0] is True


def test_generated_deliveries_exist(wh: str) -> None:
    """Guard: the month really went through (an empty warehouse would pass the above)."""
    with psycopg.connect(wh) as conn:
        n = conn.execute("select count(*) from marts.mart_monev_wilayah_bulanan").fetchone()[0]
    assert n > 0
