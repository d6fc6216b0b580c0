"""End to end: hand-made raw data -> `dbt build` -> the Monev marts equal hand-computed figures.

The input is tiny and every expected value below was worked out on paper from it:
three provinces (62 with five kab/kota, 63 with two, 93 with one), January and
February 2024. Coverage files (with a revision) and the reference CSVs go through the
real ingest pipeline; the budget workbooks and the participant list are written into
raw.* directly so their values stay hand-picked (old-code roll-ups are unit-tested in
dbt: int_kepesertaan_kode_lama_ke_provinsi_baru, int_penyebut_*).
Expected values are written as the arithmetic of the raw numbers, never recomputed
with the models' SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from monev.config import reset_settings
from monev.warehouse import db

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
OTHER_MODEL_PATHS = ["models/staging", "models/intermediate/wilayah", "models/marts/core"]

WILAYAH = [
    ("62", "62", "KALIMANTAN TENGAH", "PROVINSI", "62"),
    ("62.01", "6201", "KAB. KOTAWARINGIN BARAT", "KABUPATEN", "62"),
    ("62.02", "6202", "KAB. KOTAWARINGIN TIMUR", "KABUPATEN", "62"),
    ("62.03", "6203", "KAB. KAPUAS", "KABUPATEN", "62"),
    ("62.71", "6271", "KOTA PALANGKA RAYA", "KOTA", "62"),
    ("62.72", "6272", "KOTA FIKTIF", "KOTA", "62"),
    ("63", "63", "KALIMANTAN SELATAN", "PROVINSI", "63"),
    ("63.01", "6301", "KAB. TANAH LAUT", "KABUPATEN", "63"),
    ("63.71", "6371", "KOTA BANJARMASIN", "KOTA", "63"),
    ("93", "93", "PAPUA SELATAN", "PROVINSI", "93"),
    ("93.01", "9301", "KAB. MERAUKE", "KABUPATEN", "93"),
]

# (kode, segmen, kategori, sumber_iuran, terdaftar, aktif, baru, keluar) for February.
KEPESERTAAN_FEB = [
    ("62.01", "PU", "UMUM", "PEMBERI_KERJA", 1020, 820, 30, 10),
    ("62.01", "BPU", "PEKERJA_RENTAN", "APBD_KABKOTA", 300, 260, 12, 2),
    ("62.01", "BPU", "PEKERJA_RENTAN", "APBD_PROVINSI", 100, 90, 0, 0),
    ("62.02", "PU", "UMUM", "PEMBERI_KERJA", 500, 408, 5, 3),
    ("62.02", "JAKON", "UMUM", "PEMBERI_KERJA", 60, 60, 60, 0),
    ("62.03", "PU", "UMUM", "MANDIRI", 50, 40, 1, 1),
    ("62.71", "PU", "UMUM", "PEMBERI_KERJA", 2000, 1570, 40, 10),
    ("62.71", "PMI", "UMUM", "MANDIRI", 40, 30, 0, 0),
    ("62.72", "BPU", "PEKERJA_RENTAN", "APBDES", 150, 100, 0, 0),
    ("63.01", "PU", "UMUM", "PEMBERI_KERJA", 700, 650, 0, 0),
    ("63.71", "PU", "UMUM", "PEMBERI_KERJA", 900, 600, 0, 0),
    ("63.71", "BPU", "PEKERJA_RENTAN", "CSR", 50, 50, 0, 0),
    ("93.01", "PU", "UMUM", "PEMBERI_KERJA", 400, 200, 0, 0),
]


def _kepesertaan_jan() -> list[tuple[Any, ...]]:
    # January = February except: 62.01 PU had 800 active of 1000, 63.01 delivered
    # nothing, 93.01 had 180 active.
    rows = []
    for r in KEPESERTAAN_FEB:
        if r[0] == "63.01":
            continue
        if r[0] == "62.01" and r[1] == "PU":
            r = (*r[:4], 1000, 800, *r[6:])
        if r[0] == "93.01":
            r = (*r[:4], 400, 180, *r[6:])
        rows.append(r)
    return rows


PENDUDUK_BEKERJA = [  # (tahun, kode, value)
    (2023, "62.01", 10000),
    (2025, "62.01", 99999),  # a later year never serves 2024
    (2022, "62.02", 4000),
    (2023, "62.71", 8000),
    (2024, "62.72", 1000),
    (2023, "63", 30000),  # province row delivered: used instead of its kab/kota sum
    (2023, "63.01", 3000),
    (2021, "93.01", 2000),  # an old year still serves 2024
]
POTENSI = [(2024, "00", 10000, 5000, 1000), (2024, "62.01", 2000, 1000, 0)]
TARGET = [
    (2024, "00", "KEMENDAGRI_UCJ", "52.15"),
    (2024, "00", "RPJMN", "32.15"),
    (2024, "62", "KEMENDAGRI_UCJ", "20.00"),
    (2024, "62.01", "KEMENDAGRI_UCJ", "15.00"),
    (2023, "62.02", "KEMENDAGRI_UCJ", "40.00"),  # other year: no fallback
]
ANGGARAN = [  # (tahun, versi, pemda, sasaran, target_peserta, pagu)
    (2024, "murni", "62", "PEKERJA_RENTAN", 100, 20_160_000),
    (2024, "murni", "62.01", "PEKERJA_RENTAN", 200, 30_000_000),
    (2024, "murni", "62.01", "NON_ASN", 50, 10_000_000),
    (2024, "perubahan", "62.01", "PEKERJA_RENTAN", 250, 50_400_000),
    (2024, "perubahan", "62.01", "NON_ASN", 50, 12_000_000),
    (2024, "pergeseran", "63.01", "PEKERJA_RENTAN", 10, 1_000_000),
]
REALISASI = [  # (tahun, bulan, pemda, value)
    (2024, 1, "62.01", 4_200_000),
    (2024, 1, "62", 1_680_000),
    (2024, 2, "62.01", 8_400_000),  # the province has no February row: January counts
]
PESERTA_RENTAN_FEB = [  # (peserta_id, domisili, sumber, pemda, mulai, status, iuran)
    ("a" * 64, "62.01", "APBD_KABKOTA", "62.01", date(2023, 5, 1), "AKTIF", 16800),
    ("a" * 64, "62.01", "APBD_PROVINSI", "62", date(2023, 5, 1), "AKTIF", 16800),
    ("b" * 64, "62.71", "CSR", None, date(2022, 1, 1), "AKTIF", 36800),
    ("b" * 64, "62.02", "APBDES", "62.02", date(2022, 1, 1), "NONAKTIF", 16800),
    ("c" * 64, "63.71", "APBD_KABKOTA", "63.71", date(2024, 1, 1), "AKTIF", 16800),
    ("c" * 64, "63.71", "APBD_PROVINSI", "63", date(2024, 2, 1), "AKTIF", 16800),
    ("c" * 64, "63.71", "CSR", None, date(2024, 2, 1), "AKTIF", 16800),
    ("d" * 64, "62.01", "APBD_KABKOTA", "62.01", date(2023, 1, 1), "AKTIF", 16800),
    ("e" * 64, "93.01", "APBD_KABKOTA", "93.01", date(2023, 1, 1), "AKTIF", 16800),
    ("e" * 64, "93.01", "APBDES", "93.01", date(2023, 1, 1), "AKTIF", 16800),
]
REGULASI = [  # (pemda, jenis, tanggal_penetapan)
    ("62.01", "PERBUP", date(2024, 2, 15)),
    ("62.71", "PERWALI", date(2023, 1, 1)),
    ("62.02", "SE", date(2023, 1, 1)),  # a circular does not count
    ("62", "PERGUB", date(2024, 1, 31)),  # on the last day of January: counts in January
    ("63.01", "PKS", date(2023, 1, 1)),
]


def _batch(
    cur: psycopg.Cursor, source: str, period_key: str, revision: int = 0, status: str = "loaded"
) -> int:
    cur.execute(
        """insert into audit.load_batches
               (source, period_key, file_name, sha256, bytes, revision, rows, status,
                published_at, finished_at)
           values (%s, %s, %s, %s, 100, %s, 1, %s, now(), now()) returning batch_id""",
        (
            source,
            period_key,
            f"{source}_{period_key}_rev{revision}.csv",
            uuid.uuid4().hex * 2,
            revision,
            status,
        ),
    )
    return cur.fetchone()[0]


def _csv(path: Path, header: str, rows: list[tuple[Any, ...]], sep: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [sep.join("" if v is None else str(v) for v in r) for r in rows]
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return path


def _kepesertaan_csv(folder: Path, name: str, periode: str, rows: list[tuple[Any, ...]]) -> Path:
    header = (
        "periode;kode_wilayah;nama_wilayah;segmen;kategori_pekerja;sumber_iuran;"
        "tk_terdaftar;tk_aktif;tk_baru;tk_keluar;jumlah_proyek;iuran_rp"
    )
    lines = [
        (periode, k, "", seg, kat, src, t, a, b, o, 3 if seg == "JAKON" else None, 0)
        for k, seg, kat, src, t, a, b, o in rows
    ]
    return _csv(folder / name, header, lines, sep=";")


def _deliver(landing: Path) -> None:
    """Coverage files (incl. a revision) and the reference CSVs go through the real
    ingest pipeline (parse -> stage -> gate -> publish)."""
    from monev.ingest.pipeline import ingest_paths

    ref = landing / "referensi"
    _csv(
        ref / "wilayah_perubahan.csv",
        "kode_lama,kode_baru,berlaku_mulai,dasar_hukum",
        [("91.01", "93.01", "2022-07-25", "UU 14/2022")],
    )
    _csv(
        ref / "penduduk_bekerja.csv",
        "tahun,kode_wilayah,penduduk_bekerja,sumber",
        [(*r, "BRS") for r in PENDUDUK_BEKERJA],
    )
    _csv(
        ref / "potensi_peserta.csv",
        "tahun,kode_wilayah,potensi_pu,potensi_bpu,potensi_jakon,sumber",
        [(*r, "BPJS") for r in POTENSI],
    )
    _csv(ref / "target_ucj.csv", "tahun,kode_wilayah,sumber_target,target_persen", TARGET)
    _csv(
        ref / "regulasi_daerah.csv",
        "kode_pemda,jenis,nomor,tahun,tanggal_penetapan,judul",
        [(p, j, "1", t.year, t, "Jamsostek") for p, j, t in REGULASI],
    )
    # January is delivered twice: rev1 supersedes the first file (which had February's rows).
    _kepesertaan_csv(landing, "kepesertaan_202401.csv", "2024-01", KEPESERTAAN_FEB)
    _kepesertaan_csv(landing, "kepesertaan_202401_rev1.csv", "2024-01", _kepesertaan_jan())
    _kepesertaan_csv(landing, "kepesertaan_202402.csv", "2024-02", KEPESERTAAN_FEB)
    results = ingest_paths([landing])
    bad = [(r.file_name, r.status, [e.message for e in r.errors]) for r in results if not r.ok]
    assert not bad, bad


def _load(url: str, landing: Path) -> None:
    """The region reference of this test replaces the shipped one (a reference delivery
    replaces the whole table); then the files through the pipeline; the budget xlsx
    exports and the NIK-bearing participant list are published straight into raw.* with
    their audit batches, their values chosen by hand."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("delete from raw.wilayah")
        conn.cursor().executemany("insert into raw.wilayah values (%s, %s, %s, %s, %s)", WILAYAH)
    _deliver(landing)
    with psycopg.connect(url, autocommit=False) as conn, conn.cursor() as cur:
        for versi in ("murni", "pergeseran", "perubahan"):
            b = _batch(cur, "anggaran", f"2024/{versi}")
            cur.executemany(
                """insert into raw.anggaran values (%s, %s, %s, null, null, null,
                   '2.07.02.1.01.0005', null, %s, null, %s, %s, %s, %s, %s)""",
                [
                    (t, v, p, f"5.1.02.02.02.000{i}", s, n, pagu, b, i + 2)
                    for i, (t, v, p, s, n, pagu) in enumerate(ANGGARAN)
                    if v == versi
                ],
            )
        for bulan in (1, 2):
            b = _batch(cur, "realisasi", f"2024-0{bulan}")
            cur.executemany(
                """insert into raw.realisasi values
                   (%s, %s, %s, '2.07.02.1.01.0005', '5.1.02.02.02.0006', 'PEKERJA_RENTAN',
                    %s, 0, %s, %s)""",
                [(t, m, p, v, b, i + 2) for i, (t, m, p, v) in enumerate(REALISASI) if m == bulan],
            )
        cur.execute(
            "create table if not exists raw.peserta_rentan_202402 partition of raw.peserta_rentan"
            " for values in ('2024-02-01')"
        )
        b = _batch(cur, "peserta_rentan", "2024-02")
        cur.executemany(
            """insert into raw.peserta_rentan values
               (%s, %s, 'L', 1990, %s, %s, %s, 'JKK_JKM', %s, %s, %s,
                true, true, true, null, %s, %s)""",
            [
                (FEB, pid, dom, sumber, pemda, mulai, status, iuran, b, i + 2)
                for i, (pid, dom, sumber, pemda, mulai, status, iuran) in enumerate(
                    PESERTA_RENTAN_FEB
                )
            ],
        )
        _batch(cur, "kepesertaan", "2024-03", 0, "rejected")  # never fed a mart
        conn.commit()


@pytest.fixture(scope="module")
def marts_db(
    server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One warehouse and ONE dbt build for the whole module (builds are the slow part)."""
    name = f"monev_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_URL", url)
        mp.setenv("MONEV_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        reset_settings()
        db.forget_ready()
        _load(url, tmp_path_factory.mktemp("landing"))
        from monev.transform.runner import build

        # This module's own dbt unit tests run (the Monev models); other layers' unit
        # tests are run by their own modules, so one half-finished elsewhere cannot
        # hide a wrong figure here.
        result = build(exclude=[f"test_type:unit,path:{p}" for p in OTHER_MODEL_PATHS])
        assert result.success, [
            (n.name, n.status, n.message) for n in result.failed
        ] or result.error
        ran = {n.name for n in result.nodes if n.resource_type == "unit_test"}
        assert {
            "mart_monev_peringkat_seri_dan_tanpa_cakupan",
            "int_nik_ganda_pembayaran_pertama",
        } <= ran
        yield url
        reset_settings()
        db.forget_ready()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _row(url: str, periode: date, kode: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        cur = conn.execute(
            "select * from marts.mart_monev_wilayah_bulanan"
            " where periode = %s and kode_wilayah = %s",
            (periode, kode),
        )
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
    assert len(rows) == 1, f"{kode} {periode}: {len(rows)} rows"
    return dict(zip(names, rows[0], strict=True))


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-12)


def test_every_region_and_the_nation_every_month(marts_db: str) -> None:
    with psycopg.connect(marts_db) as conn:
        counts = conn.execute(
            "select periode, tingkat, count(*) from marts.mart_monev_wilayah_bulanan"
            " group by 1, 2 order by 1, 2"
        ).fetchall()
    assert counts == [
        (JAN, "KABKOTA", 8),
        (JAN, "NASIONAL", 1),
        (JAN, "PROVINSI", 3),
        (FEB, "KABKOTA", 8),
        (FEB, "NASIONAL", 1),
        (FEB, "PROVINSI", 3),
    ]


def test_kabkota_coverage_indicators(marts_db: str) -> None:
    r = _row(marts_db, FEB, "62.01")
    assert (r["tingkat"], r["kode_provinsi"], r["nama_wilayah"]) == (
        "KABKOTA",
        "62",
        "KAB. KOTAWARINGIN BARAT",
    )
    assert r["peserta_aktif"] == 820 + 260 + 90 == 1170
    assert r["peserta_terdaftar"] == 1020 + 300 + 100
    assert r["peserta_baru"] == 42 and r["peserta_keluar"] == 12
    assert (
        r["peserta_aktif_pu"],
        r["peserta_aktif_bpu"],
        r["peserta_aktif_jakon"],
        r["peserta_aktif_pmi"],
    ) == (820, 350, 0, 0)
    assert r["pekerja_rentan_aktif"] == 350
    assert (
        r["pekerja_rentan_aktif_apbd_kabkota"] == 260
        and r["pekerja_rentan_aktif_apbd_provinsi"] == 90
    )
    assert r["pekerja_rentan_aktif_apbdes"] == 0 and r["pekerja_rentan_aktif_csr"] == 0
    assert (r["penduduk_bekerja"], r["tahun_penduduk_bekerja"]) == (10000, 2023)  # not the 2025 row
    assert float(r["cakupan_persen"]) == approx(1170 / 10000 * 100)
    assert (r["tahun_potensi"], float(r["cakupan_potensi_persen"])) == (
        2024,
        approx(1170 / 3000 * 100),
    )
    assert r["target_persen"] == Decimal("15")
    assert float(r["capaian_target_persen"]) == approx(11.7 / 15 * 100)
    assert float(r["gap_pp"]) == approx(15 - 11.7)
    assert r["belum_terlindungi"] == 10000 - 1170
    assert float(r["keaktifan_persen"]) == approx(1170 / 1420 * 100)
    assert float(r["pertumbuhan_aktif_persen"]) == approx(
        (1170 - 1150) / 1150 * 100
    )  # January: 800 + 260 + 90


def test_missing_denominator_target_and_predecessor_are_null(marts_db: str) -> None:
    r = _row(marts_db, FEB, "62.03")  # no employed-population figure at all
    assert r["peserta_aktif"] == 40
    assert r["penduduk_bekerja"] is None and r["cakupan_persen"] is None
    assert r["belum_terlindungi"] is None and r["peringkat"] is None
    r = _row(marts_db, FEB, "62.02")  # only a 2023 target: no fallback
    assert r["target_persen"] is None and r["capaian_target_persen"] is None and r["gap_pp"] is None
    assert (r["penduduk_bekerja"], r["tahun_penduduk_bekerja"]) == (4000, 2022)
    r = _row(marts_db, FEB, "63.01")  # nothing delivered in January: 0 active, growth NULL
    assert _row(marts_db, JAN, "63.01")["peserta_aktif"] == 0
    assert r["pertumbuhan_aktif_persen"] is None
    r = _row(marts_db, JAN, "62.01")  # first month: no predecessor
    assert r["pertumbuhan_aktif_persen"] is None


def test_province_denominators_own_row_vs_sum_and_old_codes(marts_db: str) -> None:
    p62 = _row(marts_db, FEB, "62")  # no own row: sum of its kab/kota, latest year among them
    assert (p62["tingkat"], p62["kode_provinsi"]) == ("PROVINSI", "62")
    assert p62["peserta_aktif"] == 1170 + 468 + 40 + 1600 + 100
    assert (p62["penduduk_bekerja"], p62["tahun_penduduk_bekerja"]) == (
        10000 + 4000 + 8000 + 1000,
        2024,
    )
    assert float(p62["cakupan_persen"]) == approx(3378 / 23000 * 100)
    assert (p62["target_persen"], float(p62["gap_pp"])) == (
        Decimal("20"),
        approx(20 - 3378 / 23000 * 100),
    )
    p63 = _row(marts_db, FEB, "63")  # own 2023 row wins over 63.01's 3000
    assert (p63["penduduk_bekerja"], p63["tahun_penduduk_bekerja"]) == (30000, 2023)
    assert float(p63["cakupan_persen"]) == approx(1300 / 30000 * 100)
    p93 = _row(marts_db, FEB, "93")  # no own row: its one kab, an old year (2021)
    assert (p93["penduduk_bekerja"], p93["tahun_penduduk_bekerja"]) == (2000, 2021)
    assert _row(marts_db, FEB, "93.01")["penduduk_bekerja"] == 2000
    assert p63["cakupan_potensi_persen"] is None  # no potensi for 63 or its kab/kota


def test_nation(marts_db: str) -> None:
    n = _row(marts_db, FEB, "00")
    assert (n["tingkat"], n["kode_provinsi"], n["peringkat"]) == ("NASIONAL", None, None)
    assert n["peserta_aktif"] == 4878
    assert n["pekerja_rentan_aktif"] == 260 + 90 + 100 + 50
    assert (n["penduduk_bekerja"], n["tahun_penduduk_bekerja"]) == (23000 + 30000 + 2000, 2024)
    assert float(n["cakupan_persen"]) == approx(4878 / 55000 * 100)
    assert (n["tahun_potensi"], float(n["cakupan_potensi_persen"])) == (
        2024,
        approx(4878 / 16000 * 100),
    )
    assert float(n["capaian_target_persen"]) == approx(4878 / 55000 * 100 / 52.15 * 100)
    assert float(n["pertumbuhan_aktif_persen"]) == approx((4878 - 4188) / 4188 * 100)
    assert _row(marts_db, JAN, "00")["peserta_aktif"] == 4878 - 20 - 650 - 20


def test_rankings_share_ties_and_skip_nulls(marts_db: str) -> None:
    with psycopg.connect(marts_db) as conn:
        kab = dict(
            conn.execute(
                "select kode_wilayah, peringkat from marts.mart_monev_wilayah_bulanan"
                " where periode = %s and kode_provinsi = '62' and tingkat = 'KABKOTA'",
                (FEB,),
            ).fetchall()
        )
        prov = dict(
            conn.execute(
                "select kode_wilayah, peringkat from marts.mart_monev_wilayah_bulanan"
                " where periode = %s and tingkat = 'PROVINSI'",
                (FEB,),
            ).fetchall()
        )
    # 62.71 1600/8000=20 %, 62.01 1170/10000 = 62.02 468/4000 = 11.7 %, 62.72 100/1000 = 10 %
    assert kab == {"62.71": 1, "62.01": 2, "62.02": 2, "62.72": 4, "62.03": None}
    # 62: 14.69 %, 93: 10 %, 63: 4.33 %
    assert prov == {"62": 1, "93": 2, "63": 3}
    assert _row(marts_db, FEB, "63.71")["peringkat"] is None
    assert _row(marts_db, FEB, "63.01")["peringkat"] == 1


def test_budget_latest_version_realisation_and_billing(marts_db: str) -> None:
    k = _row(marts_db, FEB, "62.01")  # perubahan beats murni
    assert k["pagu_rp"] == 50_400_000 + 12_000_000 and k["pagu_pemprov_rp"] is None
    assert (k["pagu_rentan_rp"], k["target_peserta_rentan"]) == (50_400_000, 250)
    assert float(k["kewajaran_pagu_persen"]) == approx(50_400_000 / (250 * 16800 * 12) * 100)
    assert k["realisasi_rp"] == 8_400_000
    assert float(k["serapan_persen"]) == approx(8_400_000 / 62_400_000 * 100)
    assert k["iuran_ditagih_rp"] == 16800 + 16800  # a's and d's APBD_KABKOTA rows
    p = _row(marts_db, FEB, "62")
    assert p["pagu_rp"] == 20_160_000 + 62_400_000 and p["pagu_pemprov_rp"] == 20_160_000
    assert (p["pagu_rentan_rp"], p["target_peserta_rentan"]) == (20_160_000 + 50_400_000, 350)
    assert p["realisasi_rp"] == 8_400_000 + 1_680_000  # the province's January figure still counts
    assert float(p["serapan_persen"]) == approx(10_080_000 / 82_560_000 * 100)
    assert p["iuran_ditagih_rp"] == 16800 + 33600
    n = _row(marts_db, FEB, "00")
    assert (n["pagu_rp"], n["realisasi_rp"], n["iuran_ditagih_rp"]) == (
        83_560_000,
        10_080_000,
        100_800,
    )
    z = _row(marts_db, FEB, "62.02")  # budget delivered, none for this pemda: 0, absorption NULL
    assert z["pagu_rp"] == 0 and z["serapan_persen"] is None and z["kewajaran_pagu_persen"] is None
    j = _row(marts_db, JAN, "62.01")  # no participant list in January: billing unknown
    assert j["realisasi_rp"] == 4_200_000 and j["iuran_ditagih_rp"] is None


def test_regulation(marts_db: str) -> None:
    assert [_row(marts_db, m, "62.01")["regulasi_ada"] for m in (JAN, FEB)] == [False, True]
    assert _row(marts_db, JAN, "62")["regulasi_ada"] is True
    assert _row(marts_db, FEB, "62.02")["regulasi_ada"] is False  # SE
    assert _row(marts_db, FEB, "63.01")["regulasi_ada"] is False  # PKS
    assert float(_row(marts_db, JAN, "62")["regulasi_persen"]) == approx(1 / 5 * 100)
    assert float(_row(marts_db, FEB, "62")["regulasi_persen"]) == approx(2 / 5 * 100)
    assert float(_row(marts_db, FEB, "00")["regulasi_persen"]) == approx(2 / 8 * 100)
    assert _row(marts_db, FEB, "62.01")["regulasi_persen"] is None
    assert _row(marts_db, FEB, "00")["regulasi_ada"] is None


def test_double_funding(marts_db: str) -> None:
    with psycopg.connect(marts_db) as conn:
        rows = conn.execute(
            "select left(peserta_id, 1), kode_wilayah_domisili, kode_provinsi, jumlah_pembayar,"
            " sumber_iuran_pertama, kode_pemda_pembayar_pertama, iuran_ganda_rp"
            " from marts.mart_nik_ganda order by peserta_id"
        ).fetchall()
    assert rows == [
        ("a", "62.01", "62", 2, "APBD_PROVINSI", "62", 16800),  # same date: '62' < '62.01'
        ("b", "62.02", "62", 2, "APBDES", "62.02", 36800),  # CSR's empty code sorts last
        ("c", "63.71", "63", 3, "APBD_KABKOTA", "63.71", 16800 + 16800),  # earliest start
        ("e", "93.01", "93", 2, "APBDES", "93.01", 16800),
    ]
    assert (
        _row(marts_db, FEB, "62.02")["nik_ganda"],
        _row(marts_db, FEB, "62.71")["nik_ganda"],
    ) == (1, 0)
    p = _row(marts_db, FEB, "62")
    assert (p["nik_ganda"], p["iuran_ganda_rp"]) == (2, 16800 + 36800)
    n = _row(marts_db, FEB, "00")
    assert (n["nik_ganda"], n["iuran_ganda_rp"]) == (4, 16800 + 36800 + 33600 + 16800)
    assert _row(marts_db, JAN, "00")["nik_ganda"] is None


def test_capaian_target_per_source(marts_db: str) -> None:
    with psycopg.connect(marts_db) as conn:
        rows = conn.execute(
            "select kode_wilayah, sumber_target, target_persen, capaian_target_persen, gap_pp"
            " from marts.mart_capaian_target where periode = %s order by 1, 2",
            (FEB,),
        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("00", "KEMENDAGRI_UCJ", Decimal("52.15")),
        ("00", "RPJMN", Decimal("32.15")),
        ("62", "KEMENDAGRI_UCJ", Decimal("20")),
        ("62.01", "KEMENDAGRI_UCJ", Decimal("15")),
    ]
    rpjmn = rows[1]
    assert float(rpjmn[3]) == approx(4878 / 55000 * 100 / 32.15 * 100)
    assert float(rpjmn[4]) == approx(32.15 - 4878 / 55000 * 100)


def test_sumber_data_lists_published_superseded_and_rejected_batches(marts_db: str) -> None:
    with psycopg.connect(marts_db) as conn:
        rows = conn.execute(
            "select source, period_key, revision, status, periode from marts.mart_sumber_data"
            " where source = 'kepesertaan' order by period_key, revision"
        ).fetchall()
    assert rows == [
        ("kepesertaan", "2024-01", 0, "superseded", JAN),
        ("kepesertaan", "2024-01", 1, "loaded", JAN),
        ("kepesertaan", "2024-02", 0, "loaded", FEB),
        # a rejected delivery reaches the report's methodology too
        ("kepesertaan", "2024-03", 0, "rejected", date(2024, 3, 1)),
    ]


def test_no_clear_personal_data_in_mart_nik_ganda(marts_db: str) -> None:
    with psycopg.connect(marts_db) as conn:
        cols = {
            r[0]
            for r in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'marts' and table_name = 'mart_nik_ganda'"
            ).fetchall()
        }
    assert not cols & {"nik", "nama", "tanggal_lahir"}


def test_reconciliation_test_catches_a_wrong_national_total(marts_db: str) -> None:
    """The singular reconciliation test fails when the mart drifts from raw (run last)."""
    from monev.transform.runner import build

    sql = (
        "update marts.mart_monev_wilayah_bulanan set peserta_aktif = peserta_aktif + %s"
        " where kode_wilayah = '00' and periode = %s"
    )
    with psycopg.connect(marts_db, autocommit=True) as conn:
        conn.execute(sql, (1, FEB))
    try:
        result = build(select=["assert_mart_monev_nasional_sama_dengan_raw"])
        assert not result.success
        assert [n.name for n in result.failed] == ["assert_mart_monev_nasional_sama_dengan_raw"]
    finally:
        with psycopg.connect(marts_db, autocommit=True) as conn:
            conn.execute(sql, (-1, FEB))
    assert build(select=["assert_mart_monev_nasional_sama_dengan_raw"]).success


def test_revised_participant_list_rebuilds_its_month(marts_db: str) -> None:
    """A revision of February's participant list (new batch, one payment fewer) reaches
    the marts through the incremental double-funding models. Runs last: it changes data."""
    from monev.transform.runner import build

    with psycopg.connect(marts_db, autocommit=False) as conn, conn.cursor() as cur:
        cur.execute(
            "select batch_id from audit.load_batches"
            " where source = 'peserta_rentan' and status = 'loaded'"
        )
        (old,) = cur.fetchone()
        new = _batch(cur, "peserta_rentan", "2024-02", 1)
        cur.execute(
            "update audit.load_batches set status = 'superseded', superseded_by = %s"
            " where batch_id = %s",
            (new, old),
        )
        cur.execute("update raw.peserta_rentan set batch_id = %s", (new,))
        cur.execute(
            "delete from raw.peserta_rentan where peserta_id = %s and sumber_iuran = 'APBDES'",
            ("e" * 64,),
        )
        conn.commit()
    result = build(exclude=["test_type:unit"])
    assert result.success, [(n.name, n.message) for n in result.failed] or result.error
    n = _row(marts_db, FEB, "00")
    assert (n["nik_ganda"], n["iuran_ganda_rp"]) == (3, 16800 + 36800 + 33600)
    assert _row(marts_db, FEB, "93.01")["nik_ganda"] == 0
    assert _row(marts_db, FEB, "93")["iuran_ditagih_rp"] == 16800  # e's APBD_KABKOTA row stays
