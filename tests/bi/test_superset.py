"""The dashboards through the real Superset, started by `monev bi up`, on a small month
built by the real ingest and `dbt build`: every chart answers, through the chart-data API,
exactly what SQL on the mart answers for the same warehouse login (cell for cell); a
provincial login never receives another province's rows; revoking ends Superset access
at once; SQL Lab cannot write; a re-imported edited spec changes the chart; and each
dashboard renders in headless Chromium with the expected numbers (screenshots in docs/).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from bi_support import MONEV, as_login, monev, rows_of_api, rows_of_sql
from extract_writers import nik, rentan_row, write_rentan
from transform_support import build_ok, ingest, kepesertaan_file, module_warehouse
from warehouse_support import admin_url_for

from monev.bi import assets, bundle, server, spec
from monev.bi.api import Superset
from monev.config import PROJECT_ROOT

pytestmark = pytest.mark.service  # Superset, Chromium


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# MONEV_BI_TEST_PORT, else a free loopback port (the CI machine may run other servers)
PORT = int(os.environ.get("MONEV_BI_TEST_PORT") or _free_port())
BASE = f"http://127.0.0.1:{PORT}"
PW = "bi-test-Pw-1"  # test-only passwords of throw-away logins
_TAG = uuid.uuid4().hex[:6]
# granted before Superset ever started (its user is made at its first sign-in), and
# granted while it runs the way compose runs it (no pid file)
EARLY, LATE = f"bi62e_{_TAG}", f"bi63l_{_TAG}"
DOCS = PROJECT_ROOT / "docs"

# Kalimantan Tengah (62), Kalimantan Selatan (63), Papua Selatan (93), two months.
ROWS_JAN = [
    ("62.01", "PU", "UMUM", "PEMBERI_KERJA", 1000, 800),
    ("62.01", "BPU", "PEKERJA_RENTAN", "APBD_KABKOTA", 300, 250),
    ("62.71", "PU", "UMUM", "PEMBERI_KERJA", 2000, 1500),
    ("63.01", "PU", "UMUM", "PEMBERI_KERJA", 700, 640),
    ("63.71", "BPU", "PEKERJA_RENTAN", "CSR", 50, 45),
    ("93.01", "PU", "UMUM", "PEMBERI_KERJA", 400, 180),
]
ROWS_FEB = [(k, s, kat, src, t + 20, a + 17) for k, s, kat, src, t, a in ROWS_JAN]


def _reference(folder: Path) -> None:
    """Denominators (BPS Sakernas) and coverage targets, so coverage is not NULL."""
    folder.mkdir(parents=True, exist_ok=True)
    bekerja = [("00", 9000), ("62.01", 2500), ("62.71", 3000), ("63.01", 1500),
               ("63.71", 400), ("93.01", 900)]
    (folder / "penduduk_bekerja.csv").write_text(
        "tahun,kode_wilayah,penduduk_bekerja,sumber\n"
        + "".join(f"2023,{k},{v},BRS\n" for k, v in bekerja), encoding="utf-8")
    target = [("00", "45.00"), ("62", "40.00"), ("63", "50.00"), ("62.01", "35.00"),
              ("62.71", "55.00"), ("63.01", "45.00")]
    (folder / "target_ucj.csv").write_text(
        "tahun,kode_wilayah,sumber_target,target_persen\n"
        + "".join(f"2024,{k},KEMENDAGRI_UCJ,{v}\n" for k, v in target), encoding="utf-8")


@pytest.fixture(scope="module")
def wh(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
       ) -> Iterator[tuple[str, Path]]:
    """The warehouse, and Superset as users start it (`monev bi up`: first start copies
    the metadata, creates the admin, imports the bundle) — started while the marts build,
    the two are independent and each takes a minute or more on two cores."""
    state = tmp_path_factory.mktemp("state")
    with module_warehouse(server_url, template_db, state) as url:
        env = {**os.environ, "WAREHOUSE_URL": url, "MONEV_STATE_DIR": str(state)}
        # the operator grants a login while no BI server has ever run
        granted = _grant_cli(EARLY, "62", env)
        assert granted.returncode == 0, granted.stdout + granted.stderr
        up = subprocess.Popen([MONEV, "bi", "up", "--port", str(PORT)], env=env,
                              cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        land = state / "landing"
        # two participants paid twice (62.01 by province and kab/kota, 63.01 by CSR and
        # the province) and one paid once
        peserta = [rentan_row("2024-02", nik=nik(serial=1), kode_wilayah_domisili="62.01",
                              sumber_iuran="APBD_PROVINSI", kode_pemda_pembayar="62"),
                   rentan_row("2024-02", nik=nik(serial=1), kode_wilayah_domisili="62.01",
                              sumber_iuran="APBD_KABKOTA", kode_pemda_pembayar="62.01"),
                   rentan_row("2024-02", nik=nik(serial=2), kode_wilayah_domisili="63.01",
                              sumber_iuran="CSR", kode_pemda_pembayar=""),
                   rentan_row("2024-02", nik=nik(serial=2), kode_wilayah_domisili="63.01",
                              sumber_iuran="APBD_PROVINSI", kode_pemda_pembayar="63"),
                   rentan_row("2024-02", nik=nik(serial=3), kode_wilayah_domisili="93.01",
                              sumber_iuran="APBD_KABKOTA", kode_pemda_pembayar="93.01")]
        _reference(land / "referensi")
        ingest([land / "referensi",
                kepesertaan_file(land, "202401", ROWS_JAN),
                kepesertaan_file(land, "202402", ROWS_FEB),
                write_rentan(land / "peserta_rentan_202402.csv.gz", peserta)])
        try:
            build_ok()
            out, _ = up.communicate(timeout=600)
            assert up.returncode == 0, out
            assert f"{BASE}/dashboard/list/" in out
            yield url, state
        finally:
            up.kill()
            monev("bi", "down", env=env)
            with psycopg.connect(admin_url_for(url), autocommit=True) as conn:
                for role in (assets.DEFAULT_LOGIN, EARLY, LATE):
                    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                    (role,)).fetchone():
                        # roles are the cluster's: one left behind makes the next
                        # warehouse on the cluster refuse it (it did not create the role)
                        conn.execute(f'DROP OWNED BY "{role}"')
                        conn.execute(f'DROP ROLE "{role}"')


def _grant_cli(login: str, prov: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """`monev access grant-province` as the operator runs it (password on stdin)."""
    return subprocess.run([MONEV, "access", "grant-province", login, prov, "--password-stdin"],
                          input=PW + "\n", env=env or dict(os.environ), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


@contextmanager
def _as_compose_runs_it() -> Iterator[None]:
    """Superset running as `monev bi up --foreground` runs it (compose): no pid file."""
    pid = server.paths().pid
    hidden = pid.with_name("gunicorn.pid.hidden")
    pid.rename(hidden)
    try:
        yield
    finally:
        hidden.rename(pid)


@pytest.fixture(scope="module")
def bi(wh: tuple[str, Path]) -> str:
    return BASE


@pytest.fixture(scope="module")
def logins(wh: tuple[str, Path], bi: str) -> Iterator[dict[str, tuple[str, str | None]]]:
    """A national and two provincial BI logins, granted in the warehouse and in Superset."""
    from monev.transform import access

    url, _ = wh
    tag = uuid.uuid4().hex[:6]
    made = {f"binas_{tag}": None, f"bi62_{tag}": "62", f"bi63_{tag}": "63"}
    for login, prov in made.items():
        access.grant(login, prov, PW)
        assets.add_login(login, PW, bi)
    yield {"nasional": (f"binas_{tag}", None), "62": (f"bi62_{tag}", "62"),
           "63": (f"bi63_{tag}", "63")}
    with psycopg.connect(admin_url_for(url), autocommit=True) as conn:
        for login in made:
            conn.execute(f'DROP OWNED BY "{login}"')
            conn.execute(f'DROP ROLE IF EXISTS "{login}"')


def _charts(bi: str, login: str) -> dict[str, dict]:
    """The login's charts as Superset lists them (id, datasource_id, …), by spec key."""
    if (bi, login) not in _IDS:
        with assets.admin_session(bi) as api:
            _IDS[bi, login] = {
                c.key: api.find("chart", uuid=bundle.object_uuid(login, "chart", c.key))[0]
                for d in spec.DASHBOARDS for c in d.charts}
    return _IDS[bi, login]


def _chart_ids(bi: str, login: str) -> dict[str, int]:
    return {k: row["id"] for k, row in _charts(bi, login).items()}


def _month_data(api: Superset, chart: dict, c: spec.Chart, bulan: str) -> dict:
    """The chart's data with the dashboard's month filter set to `bulan` ('YYYY-MM'), as
    the dashboard asks for it: the filter's value (a date column's epoch milliseconds)
    in the query's filters and the form data's extra_form_data."""
    day = dt.datetime.strptime(bulan, "%Y-%m").replace(tzinfo=dt.UTC)
    flt = {"col": "periode", "op": "IN", "val": [int(day.timestamp() * 1000)]}
    form = {**json.loads(chart["params"]), "extra_form_data": {"filters": [flt]},
            "slice_id": chart["id"]}
    q = bundle.query(c)
    return api.call("POST", "/api/v1/chart/data", json={
        "datasource": {"id": chart["datasource_id"], "type": "table"}, "force": False,
        "queries": [{**q, "filters": [*q["filters"], flt]}], "form_data": form,
        "result_format": "json", "result_type": "full"})


def _differences(bi: str, wh_url: str, chart_login: str, sql_login: str
                 ) -> list[str]:
    """Charts of `chart_login`'s copy (fetched as that Superset user) whose data differ
    from SQL on the mart as the warehouse login `sql_login`."""
    ids = _chart_ids(bi, chart_login)
    out = []
    with Superset(bi, chart_login, PW) as api, as_login(wh_url, sql_login, PW) as conn:
        for d in spec.DASHBOARDS:
            for c in d.charts:
                got = rows_of_api(c, _chart_data(api, chart_login, ids[c.key]))
                want = rows_of_sql(conn, c)
                if got != want:
                    out.append(f"{d.title} / {c.title}: superset {got[:5]} != sql {want[:5]}")
    return out


def _visible_provinces(bi: str, wh_url: str, login: str) -> set[str]:
    """Provinces of the region names the login's charts return."""
    with psycopg.connect(wh_url) as conn:
        prov = dict(conn.execute("SELECT nama_wilayah, kode_provinsi FROM "
                                 "marts.mart_monev_wilayah_bulanan").fetchall())
    seen = set()
    ids = _chart_ids(bi, login)
    with Superset(bi, login, PW) as api:
        for d in spec.DASHBOARDS:
            for c in d.charts:
                names = [n for n in ("nama_wilayah", "nama_wilayah_domisili") if n in c.columns]
                if not names:
                    continue
                payload = _chart_data(api, login, ids[c.key])
                for row in payload["result"][0]["data"]:
                    seen.add(prov.get(row[names[0]]) or "00")
    return seen


def test_every_chart_equals_the_mart_for_each_login(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    url, _ = wh
    nonempty = 0
    for login, _prov in logins.values():
        assert _differences(bi, url, login, login) == []
        with as_login(url, login, PW) as conn:
            nonempty += sum(bool(rows_of_sql(conn, c))
                            for d in spec.DASHBOARDS for c in d.charts)
    # and the figures are the data's, worked out by hand from the February files:
    # Kalimantan Tengah has 62.01 (817 + 267) and 62.71 (1517) active of 2500 + 3000 employed
    aktif = sum(a for k, *_, a in ROWS_FEB if k.startswith("62."))
    with Superset(bi, logins["62"][0], PW) as api:
        chart = _chart_ids(bi, logins["62"][0])["prov_ringkasan"]
        (row,) = _chart_data(api, logins["62"][0], chart)["result"][0]["data"]
    assert aktif == 2601
    assert (row["nama_wilayah"], row["peserta_aktif"]) == ("KALIMANTAN TENGAH", aktif)
    assert round(row["cakupan_persen"], 6) == round(2601 / 5500 * 100, 6)
    assert row["target_persen"] == 40.0
    # the comparison is not of empty answers: most charts have rows for every login
    charts = sum(len(d.charts) for d in spec.DASHBOARDS)
    assert nonempty >= 3 * (charts - 3), nonempty


def test_a_province_sees_its_own_and_national_rows_only(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    url, _ = wh
    # (the national row shows in the big numbers and the trend, which name no region)
    for prov in ("62", "63"):
        seen = _visible_provinces(bi, url, logins[prov][0])
        assert prov in seen and seen <= {prov, "00"}, seen
    assert {"62", "63", "93"} <= _visible_provinces(bi, url, logins["nasional"][0])


def test_must_fail_a_connection_without_the_province_policy_is_caught(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    """If a provincial user's Superset connection ran as a role the policy does not
    restrict (here: the national login's), both checks above must fail."""
    url, _ = wh
    nas, p62 = logins["nasional"][0], logins["62"][0]
    assert _differences(bi, url, nas, p62), "a wider connection went unnoticed"
    assert _visible_provinces(bi, url, nas) - {"62", "00"}


_IDS: dict[tuple[str, str], dict[str, dict]] = {}
_DATA: dict[tuple[str, int], dict] = {}


def _chart_data(api: Superset, login: str, chart: int) -> dict:
    """A chart's data as `login` (asked once per module: the tests read the same answers)."""
    if (login, chart) not in _DATA:
        _DATA[login, chart] = api.call("GET", f"/api/v1/chart/{chart}/data/")
    return _DATA[login, chart]


def test_provincial_user_sees_only_its_own_dashboards(bi: str, logins: dict) -> None:
    p62, p63 = logins["62"][0], logins["63"][0]
    with Superset(bi, p62, PW) as api:
        slugs = {d["slug"] for d in api.call("GET", "/api/v1/dashboard/",
                                             params={"q": "(page_size:100)"})["result"]}
        databases = api.call("GET", "/api/v1/database/", params={"q": "(page_size:100)"})
        other = _chart_ids(bi, p63)["nas_peringkat"]
        assert api.http.get(f"/api/v1/chart/{other}/data/").status_code in (403, 404)
    assert slugs == {bundle.slug(d, p62) for d in spec.DASHBOARDS}
    assert [d["database_name"] for d in databases["result"]] == [bundle.database_name(p62)]


def test_sql_lab_cannot_write_nor_read_outside_the_marts(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    url, _ = wh
    login = logins["62"][0]
    with Superset(bi, login, PW) as api:
        (db,) = api.find("database", database_name=bundle.database_name(login))

        def run(sql: str) -> httpx.Response:
            return api.http.post("/api/v1/sqllab/execute/", json={
                "database_id": db["id"], "sql": sql, "schema": "marts", "runAsync": False,
                "client_id": uuid.uuid4().hex[:10], "tab": "t", "sql_editor_id": "1"})

        ok = run("SELECT count(*) AS n FROM marts.mart_monev_wilayah_bulanan")
        assert ok.status_code == 200, ok.text
        for sql in ("DELETE FROM marts.mart_monev_wilayah_bulanan",
                    "UPDATE marts.mart_monev_wilayah_bulanan SET peserta_aktif = 0",
                    "CREATE TABLE marts.x (a int)"):
            r = run(sql)
            assert r.status_code >= 400 and "DML" in r.text, (sql, r.status_code, r.text)
        for relation in ("raw.kepesertaan", "audit.load_batches", "staging.stg_kepesertaan"):
            r = run(f"SELECT * FROM {relation} LIMIT 1")
            assert r.status_code >= 400, (relation, r.text)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM marts.mart_monev_wilayah_bulanan"
                            ).fetchone()[0] > 0


def test_reimporting_an_edited_spec_changes_the_chart(
        wh: tuple[str, Path], bi: str, logins: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    login = logins["62"][0]
    chart = _chart_ids(bi, login)["prov_peringkat"]
    nasional, provinsi, kesehatan = spec.DASHBOARDS
    edited = tuple(dataclasses.replace(c, title="Cakupan kab/kota (diubah)",
                                       columns=("nama_wilayah", "cakupan_persen"))
                   if c.key == "prov_peringkat" else c for c in provinsi.charts)
    monkeypatch.setattr(bundle, "DASHBOARDS",
                        (nasional, dataclasses.replace(provinsi, charts=edited), kesehatan))
    with assets.admin_session(bi) as admin:
        assets.import_login(admin, login, PW)
    with Superset(bi, login, PW) as api:
        got = api.call("GET", f"/api/v1/chart/{chart}")["result"]
        data = api.call("GET", f"/api/v1/chart/{chart}/data/")["result"][0]
    assert got["slice_name"] == "Cakupan kab/kota (diubah)"
    assert data["colnames"] == ["nama_wilayah", "cakupan_persen"]
    monkeypatch.undo()
    with assets.admin_session(bi) as admin:
        assets.import_login(admin, login, PW)
    with Superset(bi, login, PW) as api:
        assert api.call("GET", f"/api/v1/chart/{chart}")["result"]["slice_name"] != \
            "Cakupan kab/kota (diubah)"


def test_the_month_filter_gives_the_marts_month(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    """January, not the latest month: every chart of the two Monev dashboards answers
    what SQL on the mart answers for January, and the trend ends at January."""
    url, _ = wh
    moved = 0
    for who in ("nasional", "62"):
        login = logins[who][0]
        charts = _charts(bi, login)
        with Superset(bi, login, PW) as api, as_login(url, login, PW) as conn:
            for d in spec.DASHBOARDS:
                for c in d.charts if d.month_filter else ():
                    got = rows_of_api(c, _month_data(api, charts[c.key], c, "2024-01"))
                    assert got == rows_of_sql(conn, c, "2024-01"), (login, c.key, got)
                    moved += got != rows_of_sql(conn, c)
                    if c.months == spec.TWELVE_MONTHS:
                        assert got and {r[0] for r in got} == {_ms(dt.date(2024, 1, 1))}
    # most charts show other figures in January (peserta_aktif grew in February)
    assert moved >= 8, moved


def _ms(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000


# Where the national report's Excel annex carries each dashboard column: (sheet, header).
REPORT_CELLS = {
    "peserta_aktif": ("Capaian", "Peserta aktif"),
    "penduduk_bekerja": ("Capaian", "Penduduk bekerja"),
    "cakupan_persen": ("Capaian", "Cakupan"), "target_persen": ("Capaian", "Target"),
    "capaian_target_persen": ("Capaian", "Capaian target"), "gap_pp": ("Capaian", "Gap"),
    "peringkat": ("Peringkat", "Peringkat"), "pagu_rp": ("Anggaran", "Pagu"),
    "realisasi_rp": ("Anggaran", "Realisasi"), "serapan_persen": ("Anggaran", "Serapan"),
    "pagu_rentan_rp": ("Anggaran", "Pagu pekerja rentan"),
    "kewajaran_pagu_persen": ("Anggaran", "Kewajaran pagu"),
    "regulasi_ada": ("Regulasi", "Regulasi pemda"),
    "regulasi_persen": ("Regulasi", "Kab/kota beregulasi"),
    "peserta_baru": ("Keaktifan", "Peserta baru"), "peserta_keluar": ("Keaktifan", "Keluar"),
    "pertumbuhan_aktif_persen": ("Keaktifan", "Pertumbuhan aktif"),
    "nik_ganda": ("Pekerja Rentan", "NIK ganda"),
}
BIG = {"Cakupan nasional (%)": "cakupan_persen", "Peserta aktif": "peserta_aktif",
       "Target (%)": "target_persen"}


def _report_sheets(url: str, bulan: str, scope: str, folder: Path) -> dict[str, list[dict]]:
    """The Excel annex of a month's report for a scope, built as the report build does
    (its data, its content, its workbook), read back as {sheet: rows by header}."""
    from openpyxl import load_workbook

    from monev.reports.content import build_content
    from monev.reports.data import MartData
    from monev.reports.excel import write_excel

    with psycopg.connect(url) as conn:
        data = MartData.load(conn, dt.date.fromisoformat(f"{bulan}-01"))
    path = write_excel(build_content(data.for_scope(scope), scope), 1,
                       folder / f"laporan_{bulan}_{scope}.xlsx")
    wb = load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets[1:]:
        rows = list(ws.iter_rows(values_only=True))
        out[ws.title] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    return out


def _same(api_value: object, report_value: object) -> bool:
    if isinstance(api_value, bool):
        return report_value == ("Ada" if api_value else "Belum ada")
    if api_value is None or report_value is None:
        return api_value is None and report_value is None
    if isinstance(api_value, int | float):
        return round(float(api_value), 6) == round(float(report_value), 6)
    return api_value == report_value


def _report_differences(c: spec.Chart, data: list[dict], sheets: dict[str, list[dict]],
                        national: dict[str, list[dict]]) -> tuple[list[str], int]:
    """Cells where a chart's data and the report's workbook disagree; cells compared."""
    from monev.reports.formatting import month_name

    out, n = [], 0

    def check(what: str, a: object, b: object) -> None:
        nonlocal n
        n += 1
        if not _same(a, b):
            out.append(f"{c.key} {what}: dashboard {a!r} != report {b!r}")

    if c.viz == "big_number_total":
        (row,) = data
        for label, value in row.items():
            sheet, header = REPORT_CELLS[BIG[label]]
            check(label, value, sheets[sheet][0][header])
    elif c.viz == "echarts_timeseries_line":  # the scope's own trend
        tren = {r["Bulan"]: r for r in sheets["Tren"]}
        for row in data:
            month = month_name(dt.datetime.fromtimestamp(row["periode"] / 1000, dt.UTC).date())
            for m in c.metrics:
                check(f"{month} {m.label}", row[m.label], tren[month][m.label.split(" (")[0]])
        check("months", len(data), len(tren))
    elif spec.KOMBINASI in c.columns:
        report = [(r["Pembayar"], r["Peserta"], r["Iuran ganda"]) for r in sheets["NIK Ganda"]]
        check("rows", [(r[spec.KOMBINASI], r["Peserta"], r["Iuran ganda (Rp)"])
                       for r in data], report)
    else:
        for row in data:
            for col, (sheet, header) in REPORT_CELLS.items():
                if col in row:
                    # a province's own rank is in the national report's ranking
                    rows = national[sheet] if sheet == "Peringkat" and c.key == \
                        "prov_ringkasan" else sheets[sheet]
                    (theirs,) = [r for r in rows if r["Wilayah"] == row["nama_wilayah"]]
                    check(f"{row['nama_wilayah']} {col}", row[col], theirs[header])
    return out, n


def test_dashboard_numbers_equal_the_national_report(
        wh: tuple[str, Path], bi: str, logins: dict, tmp_path: Path) -> None:
    """Monev Nasional as a national login and Monev Provinsi as the Kalimantan Tengah
    login show, for January (through the month filter) and February, the figures of that
    month's report for the nation and for Kalimantan Tengah (its Excel annex). Not
    compared: Provinsi's double funding by kab/kota of domicile, which the report does
    not break down."""
    url, _ = wh
    different, compared = [], 0
    for bulan in ("2024-01", "2024-02"):
        national = _report_sheets(url, bulan, "NASIONAL", tmp_path)
        for who, key, sheets in (("nasional", "nasional", national),
                                 ("62", "provinsi", _report_sheets(url, bulan, "62", tmp_path))):
            login = logins[who][0]
            charts = _charts(bi, login)
            d = next(d for d in spec.DASHBOARDS if d.key == key)
            with Superset(bi, login, PW) as api:
                for c in d.charts:
                    if c.key == "prov_ganda":
                        continue
                    data = _month_data(api, charts[c.key], c, bulan)["result"][0]["data"]
                    diff, n = _report_differences(c, data, sheets, national)
                    different += [f"{bulan} {d}" for d in diff]
                    compared += n
    assert different == []
    assert compared > 150, compared


def _figure(n: float) -> str:
    """A number as the id_ID d3 locale writes it (thousands '.')."""
    return f"{int(n):,}".replace(",", ".")


@pytest.mark.parametrize("key", ["nasional", "provinsi", "kesehatan"])
def test_dashboard_renders_in_chromium_as_a_province(
        wh: tuple[str, Path], bi: str, logins: dict, key: str) -> None:
    url, _ = wh
    # Kesehatan Data is the data engineers' dashboard: its deliveries and gate evidence
    # are for national logins only (a province sees none of them), so it is opened as one
    national = key == "kesehatan"
    login = logins["nasional" if national else "62"][0]
    d = next(d for d in spec.DASHBOARDS if d.key == key)
    with as_login(url, login, PW) as conn:
        if key == "kesehatan":
            expect = ["kepesertaan_202402.csv", "Kiriman berkas"]
        else:
            aktif, nama = conn.execute(
                "SELECT peserta_aktif, nama_wilayah FROM marts.mart_monev_wilayah_bulanan "
                "WHERE tingkat = 'PROVINSI' AND periode = '2024-02-01'").fetchone()
            # "Bulan": the month filter is on the page (it defaults to the latest month)
            expect = [nama, _figure(aktif), d.charts[0].title, "Bulan"]
        others = [r[0] for r in conn.execute(
            "SELECT nama_wilayah FROM marts.mart_monev_wilayah_bulanan WHERE false")]
    shot = DOCS / f"dashboard-{key}.png"
    job = {"base_url": bi, "username": login, "password": PW, "slug": bundle.slug(d, login),
           "expect": expect, "screenshot": str(shot)}
    done = subprocess.run([str(server.VENV / "bin" / "python"),
                           str(Path(__file__).with_name("render_dashboard.py"))],
                          input=json.dumps(job), capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    text = json.loads(done.stdout)["text"]
    if not national:
        assert "KALIMANTAN SELATAN" not in text and "PAPUA SELATAN" not in text
    assert not others
    assert shot.stat().st_size > 20_000


def test_a_login_granted_before_superset_started_sees_its_province(
        wh: tuple[str, Path], bi: str) -> None:
    """Granted while no BI server ran: its first sign-in makes its Superset side, and its
    charts show Kalimantan Tengah (and national rows) only."""
    url, _ = wh
    with Superset(bi, EARLY, PW):
        pass
    seen = _visible_provinces(bi, url, EARLY)
    assert "62" in seen and seen <= {"62", "00"}, seen
    assert _differences(bi, url, EARLY, EARLY) == []


def _open_chart(api: Superset, login: str, bi: str) -> httpx.Response:
    return api.http.get(f"/api/v1/chart/{_chart_ids(bi, login)['nas_peringkat']}/data/")


def test_grant_and_revoke_while_superset_runs_as_compose_runs_it(
        wh: tuple[str, Path], bi: str) -> None:
    """Granted and revoked by the CLI while Superset runs in the foreground (no pid
    file): the login works at once and sees its province only; after the revoke its
    open session gets no data, it cannot sign in again, and the open session ends."""
    url, _ = wh
    with _as_compose_runs_it():
        granted = _grant_cli(LATE, "63")
    assert granted.returncode == 0, granted.stdout + granted.stderr
    api = Superset(bi, LATE, PW)
    assert _open_chart(api, LATE, bi).status_code == 200
    seen = _visible_provinces(bi, url, LATE)
    assert "63" in seen and seen <= {"63", "00"}, seen
    with _as_compose_runs_it():
        revoked = monev("access", "revoke", LATE)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    r = _open_chart(api, LATE, bi)
    assert r.status_code != 200 or not r.json()["result"][0]["data"], r.text[:300]
    with pytest.raises(server.BiError):
        Superset(bi, LATE, PW)
    assert _open_chart(api, LATE, bi).status_code == 401
    api.http.close()


def test_superset_takes_the_password_the_warehouse_has(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    """A wrong password is refused; a password changed in the warehouse is the one
    Superset takes at once (the old one is refused, the new one signs in)."""
    from monev.transform import access

    login = logins["nasional"][0]
    with pytest.raises(server.BiError):
        Superset(bi, login, PW + "x")
    access.grant(login, None, PW + "-baru")
    try:
        with pytest.raises(server.BiError):
            Superset(bi, login, PW)
        with Superset(bi, login, PW + "-baru") as api:
            assert api.call("GET", "/api/v1/me/")["result"]["username"] == login
            # its connection signs in with the new password too
            assert api.http.get(
                f"/api/v1/chart/{_chart_ids(bi, login)['nas_peringkat']}/data/"
            ).status_code == 200
    finally:
        access.grant(login, None, PW)
        with Superset(bi, login, PW):
            pass


def test_a_wrong_guess_does_not_end_the_analysts_session(bi: str, logins: dict) -> None:
    """Anyone can type a wrong password for a login: refused, but the login's open
    session goes on (only a revoke or a changed password ends it)."""
    login = logins["nasional"][0]
    with Superset(bi, login, PW) as api:
        chart = f"/api/v1/chart/{_chart_ids(bi, login)['nas_peringkat']}/data/"
        assert api.http.get(chart).status_code == 200
        with pytest.raises(server.BiError):
            Superset(bi, login, PW + "-tebakan")
        assert api.http.get(chart).status_code == 200
    with Superset(bi, login, PW):
        pass


def test_repeated_wrong_passwords_are_throttled(bi: str) -> None:
    """Five failed sign-ins of a name from one address, then HTTP 429, on the API and
    on the login form (each its own count)."""
    name = f"bi_guess_{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=bi, timeout=60) as http:
        codes = [http.post("/api/v1/security/login", json={
            "username": name, "password": f"guess{i}", "provider": "db"}).status_code
            for i in range(6)]
    assert codes == [401] * 5 + [429], codes
    with httpx.Client(base_url=bi, timeout=60) as http:
        # the form's CSRF token is bound to the session cookie (as render_dashboard.py)
        token = http.post("/api/v1/security/login", json={
            "username": "admin", "password": assets.admin_password(),
            "provider": "db"}).json()["access_token"]
        csrf = http.get("/api/v1/security/csrf_token/",
                        headers={"Authorization": f"Bearer {token}"}).json()["result"]
        codes = [http.post("/login/", data={"username": name + "f", "password": "g",
                                            "csrf_token": csrf}).status_code
                 for _ in range(6)]
    assert 429 not in codes[:5] and codes[5] == 429, codes


def test_sql_lab_refuses_every_statement_but_a_query(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    login = logins["62"][0]
    with Superset(bi, login, PW) as api:
        (db,) = api.find("database", database_name=bundle.database_name(login))
        for sql in ("SELECT * INTO TEMP t62 FROM marts.mart_monev_wilayah_bulanan",
                    "CREATE TEMP TABLE t62b AS SELECT 1 AS a",
                    "PREPARE p62 AS SELECT * FROM marts.mart_monev_wilayah_bulanan",
                    "SET ROLE monev_bi", "SET default_transaction_read_only = off",
                    "COPY (SELECT 1) TO STDOUT"):
            r = api.http.post("/api/v1/sqllab/execute/", json={
                "database_id": db["id"], "sql": sql, "schema": "marts", "runAsync": False,
                "client_id": uuid.uuid4().hex[:10], "tab": "t", "sql_editor_id": "1"})
            assert r.status_code >= 400 and "DML" in r.text, (sql, r.status_code, r.text)


def test_a_province_cannot_chart_the_national_dataset(bi: str, logins: dict) -> None:
    p62, nas = logins["62"][0], logins["nasional"][0]
    national = _charts(bi, nas)["nas_peringkat"]["datasource_id"]
    own = _charts(bi, p62)["nas_peringkat"]["datasource_id"]
    with Superset(bi, p62, PW) as api:
        def chart(dataset: int) -> httpx.Response:
            return api.http.post("/api/v1/chart/", json={
                "slice_name": "coba", "viz_type": "table", "datasource_id": dataset,
                "datasource_type": "table", "params": "{}"})

        refused = chart(national)
        assert refused.status_code == 403, refused.text
        made = chart(own)  # its own dataset: allowed
        assert made.status_code == 201, made.text
        api.call("DELETE", f"/api/v1/chart/{made.json()['id']}")


def test_revoking_ends_superset_access_at_once(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    from monev.transform import access

    login = logins["63"][0]
    api = Superset(bi, login, PW)
    chart = _chart_ids(bi, login)["nas_peringkat"]
    assert api.http.get(f"/api/v1/chart/{chart}/data/").status_code == 200
    access.revoke(login)
    r = api.http.get(f"/api/v1/chart/{chart}/data/")
    assert r.status_code != 200 or not r.json()["result"][0]["data"], r.text[:300]
    with pytest.raises(server.BiError):
        Superset(bi, login, PW)
    assert api.http.get(f"/api/v1/chart/{chart}/data/").status_code == 401
    assets.remove_login(login, bi)
    with assets.admin_session(bi) as admin:
        assert admin.find("database", database_name=bundle.database_name(login)) == []
        assert admin.find("security/roles", name=f"monev_{login}") == []


def test_no_password_in_the_action_log_nor_the_metadata(
        wh: tuple[str, Path], bi: str, logins: dict) -> None:
    """After every login's sign-in and the dashboards' imports (their connection's
    password sent to the import endpoint): no password in `/api/v1/log/` as an admin
    reads it, nor anywhere in the bytes of Superset's metadata database."""
    _, state = wh
    secrets = [PW, PW + "-baru", assets.default_password()]
    with assets.admin_session(bi) as admin:
        page, seen = 0, 0
        while True:
            rows = admin.call("GET", "/api/v1/log/", params={
                "q": f"(page:{page},page_size:100)"})["result"]
            if not rows:
                break
            seen += len(rows)
            text = json.dumps(rows)
            assert not [s for s in secrets if s in text]
            page += 1
    assert seen > 10, seen
    metadata = (state / "superset" / "superset.db").read_bytes()
    assert not [s for s in secrets if s.encode() in metadata]
