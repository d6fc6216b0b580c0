"""BI access on the real PostgreSQL: the read-only role reads `marts` and nothing else,
and row-level security limits a provincial user to its province (plus the national
rows) - after the first build AND after a rebuild that replaced every table.

Data goes through the real ingest pipeline (contract CSV files), then `dbt build`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from extract_writers import nik, rentan_row, write_rentan
from psycopg import errors
from sqlalchemy.engine import make_url
from transform_support import build_ok, ingest, kepesertaan_file, module_warehouse
from warehouse_support import admin_url_for

# 62 Kalimantan Tengah, 63 Kalimantan Selatan; 91.01 is the pre-2022 code of Merauke,
# now 93.01 in Papua Selatan (93): its rows must be visible to a 93 user, not a 91 one.
ROWS = [
    ("62.01", "PU", "UMUM", "PEMBERI_KERJA", 100, 80),
    ("62.71", "BPU", "PEKERJA_RENTAN", "APBD_KABKOTA", 50, 40),
    ("63.01", "PU", "UMUM", "PEMBERI_KERJA", 70, 65),
    ("91.01", "PU", "UMUM", "MANDIRI", 30, 20),
]
PASSWORD = "rls-test-pw"  # test-only


@pytest.fixture(scope="module")
def wh(
    server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    state = tmp_path_factory.mktemp("state")
    with module_warehouse(server_url, template_db, state) as url:
        peserta = [
            rentan_row("2022-01", nik=nik(serial=i), kode_wilayah_domisili=kode,
                       kode_pemda_pembayar=kode)
            for i, kode in enumerate(("62.01", "62.71", "63.01", "91.01"), start=1)
        ]
        ingest([kepesertaan_file(state / "landing", "202201", ROWS),
                write_rentan(state / "landing" / "peserta_rentan_202201.csv.gz", peserta)])
        build_ok()
        yield url


@pytest.fixture(scope="module")
def users(wh: str) -> Iterator[dict[str, str]]:
    from monev.transform import access

    tag = uuid.uuid4().hex[:8]
    made = {
        "prov62": f"bi62_{tag}",
        "prov93": f"bi93_{tag}",
        "nasional": f"binas_{tag}",
        "tanpa": f"bix_{tag}",
        "analis": f"an_{tag}",
        "analis62": f"an62_{tag}",
    }
    access.grant(made["prov62"], "62", PASSWORD)
    access.grant(made["prov93"], "93", PASSWORD)
    access.grant(made["nasional"], None, PASSWORD)
    access.grant(made["analis"], None, PASSWORD, role="monev_analyst")
    access.grant(made["analis62"], "62", PASSWORD, role="monev_analyst")
    access.grant(made["tanpa"], "63", PASSWORD)
    access.revoke(made["tanpa"])  # loses the BI role, the mapping and its login
    with psycopg.connect(admin_url_for(wh), autocommit=True) as conn:
        # a DBA's BI role with no mapping
        conn.execute(f'ALTER ROLE "{made["tanpa"]}" LOGIN PASSWORD \'{PASSWORD}\'')
        conn.execute(f'GRANT monev_bi TO "{made["tanpa"]}"')
    yield made
    # roles are cluster-wide: drop them (the database goes with the wh fixture)
    with psycopg.connect(admin_url_for(wh), autocommit=True) as conn:
        for role in made.values():
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _as(url: str, user: str) -> psycopg.Connection:
    u = make_url(url).set(username=user, password=PASSWORD)
    return psycopg.connect(u.render_as_string(hide_password=False), autocommit=True)


def _provinces(url: str, user: str, table: str) -> set[str | None]:
    with _as(url, user) as conn:
        return {r[0] for r in conn.execute(f"select distinct kode_provinsi from marts.{table}")}


def _denied(url: str, user: str, sql: str) -> bool:
    with _as(url, user) as conn:
        try:
            conn.execute(sql).fetchall()
        except errors.InsufficientPrivilege:
            return True
    return False


def _check_access(url: str, u: dict[str, str]) -> None:
    # facts: province only; the old Papua code counts for its new province 93
    assert _provinces(url, u["prov62"], "fct_kepesertaan_bulanan") == {"62"}
    assert _provinces(url, u["prov93"], "fct_kepesertaan_bulanan") == {"93"}
    assert _provinces(url, u["nasional"], "fct_kepesertaan_bulanan") == {"62", "63", "93"}
    assert _provinces(url, u["tanpa"], "fct_kepesertaan_bulanan") == set()
    # the mart: own province's rows plus the national row (kode_provinsi NULL)
    mart = "mart_monev_wilayah_bulanan"
    assert _provinces(url, u["prov62"], mart) == {"62", None}
    assert _provinces(url, u["tanpa"], mart) == {None}
    everything = _provinces(url, u["nasional"], mart)
    assert {"62", "63", "93", None} <= everything and len(everything) == 39  # 38 + nation
    # the projection mart (issue 24) carries the same province policy
    assert _provinces(url, u["prov62"], "mart_proyeksi_target") == {"62", None}
    assert _provinces(url, u["tanpa"], "mart_proyeksi_target") == {None}
    assert len(_provinces(url, u["nasional"], "mart_proyeksi_target")) == 39
    # the BI role reads marts and nothing else
    for sql in (
        "select * from raw.kepesertaan",
        "select * from audit.load_batches",
        "select * from staging.stg_bpjs__kepesertaan",
        "select * from intermediate.int_wilayah__kode_terkini",
        "select * from marts.fct_peserta_rentan_bulanan",
        "select * from access.pengguna_wilayah",
    ):
        assert _denied(url, u["nasional"], sql), sql
    # reference dimension: not province-limited
    with _as(url, u["prov62"]) as conn:
        n = conn.execute("select count(*) from marts.dim_wilayah where is_current").fetchone()[0]
    assert n == 552
    # analysts with a need read the pseudonymised participants, still not raw
    assert not _denied(url, u["analis"], "select * from marts.fct_peserta_rentan_bulanan")
    assert _denied(url, u["analis"], "select * from raw.peserta_rentan")
    # the participant fact is a view (no policy of its own): the province rule is in it
    fakta = "fct_peserta_rentan_bulanan"
    assert _provinces(url, u["analis"], fakta) == {"62", "63", "93"}
    assert _provinces(url, u["analis62"], fakta) == {"62"}
    assert _denied(url, u["analis62"], "select * from raw.peserta_rentan")


def _oid(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("select %s::regclass::oid", (f"marts.{table}",)).fetchone()[0]


def test_access_after_first_build(wh: str, users: dict[str, str]) -> None:
    _check_access(wh, users)


def test_access_survives_rebuilds(wh: str, users: dict[str, str]) -> None:
    before = _oid(wh, "mart_monev_wilayah_bulanan"), _oid(wh, "fct_kepesertaan_bulanan")
    # a second build that replaces every table, the incremental facts included (data
    # tests already ran in the first build; skipping them keeps the suite fast)
    build_ok(full_refresh=True, exclude=["resource_type:test", "resource_type:unit_test"])
    assert _oid(wh, "mart_monev_wilayah_bulanan") != before[0]
    assert _oid(wh, "fct_kepesertaan_bulanan") != before[1]
    _check_access(wh, users)


def test_descriptions_reach_the_database(wh: str) -> None:
    """persist_docs: every marts relation, and its columns, carry a COMMENT."""
    with psycopg.connect(wh) as conn:
        rows = conn.execute(
            """select c.relname, obj_description(c.oid, 'pg_class'),
                      count(*) filter (where col_description(c.oid, a.attnum) is null)
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
               join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
                    and not a.attisdropped
               where n.nspname = 'marts' and c.relkind in ('r', 'p', 'v')
               group by c.relname, c.oid"""
        ).fetchall()
    names = {r[0] for r in rows}
    assert {"dim_wilayah", "fct_kepesertaan_bulanan", "mart_monev_wilayah_bulanan"} <= names
    assert [r[0] for r in rows if not r[1]] == []
    assert [(r[0], r[2]) for r in rows if r[2]] == []


def test_marts_schema_is_named_exactly(wh: str) -> None:
    with psycopg.connect(wh) as conn:
        schemas = {
            r[0]
            for r in conn.execute(
                "select table_schema from information_schema.tables"
                " where table_name in ('stg_bpjs__kepesertaan', 'int_wilayah__kode_terkini',"
                " 'dim_wilayah')"
            )
        }
    assert schemas == {"staging", "intermediate", "marts"}
