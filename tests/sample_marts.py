"""Fixture marts with exactly the MARTS.md columns, for the report tests and
bench/bench_reports.py (a test fixture: the product builds its marts with dbt).

The report builder reads only `marts.*`; these tables stand in for the dbt models where
they are not built (a fresh test database, a bench run before `dbt build`). Values are
pseudo-random but internally consistent (coverage = active ÷ employed, and so on), so
report figures can be checked against the rows. Never called against real marts:
`create_fixture_marts` refuses when `marts.mart_monev_wilayah_bulanan` already exists.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import random
import re
from dataclasses import dataclass
from importlib import resources

import psycopg

from monev.reports.data import WILAYAH, add_months, columns, contracts, dbt_vars
from monev.transform.marts_doc import MARTS

# The marts the report reads, created from their dbt contracts (column names and types
# as dbt would create them); the status mart is its model's own SQL, as a view, so it
# follows whatever the fixture (or a test) puts in the marts it reads.
FIXTURE_MARTS = ("mart_monev_wilayah_bulanan", "mart_capaian_target", "mart_proyeksi_target",
                 "mart_nik_ganda", "mart_sumber_data", "mart_kesehatan_muatan",
                 "mart_kesehatan_kesegaran", "dim_wilayah")
VIEW_MARTS = {"mart_kesehatan_status_sumber": "health"}


def _ddl() -> str:
    tables = [f"CREATE TABLE marts.{name} ("
              + ", ".join(f"{c} {t}" for c, t in contracts()[name].items()) + ");"
              for name in FIXTURE_MARTS]
    views = []
    for name, folder in VIEW_MARTS.items():
        sql = (MARTS / folder / f"{name}.sql").read_text(encoding="utf-8")
        sql = re.sub(r"\{\{\s*ref\('(\w+)'\)\s*\}\}", r"marts.\1", sql)
        # the model's one source is audit.source_catalog (models/marts/health)
        sql = re.sub(r"\{\{\s*source\('\w+',\s*'(\w+)'\)\s*\}\}", r"audit.\1", sql)
        views.append(f"CREATE VIEW marts.{name} AS {sql};")
    return "\n".join(["CREATE SCHEMA IF NOT EXISTS marts;", *tables, *views])



@dataclass(frozen=True)
class Region:
    kode: str
    nama: str
    tingkat: str  # PROVINSI | KABUPATEN | KOTA
    kode_provinsi: str

_PROYEKSI = """
INSERT INTO marts.mart_proyeksi_target
WITH w AS (
    SELECT m.*, a.periode AS awal, a.cakupan_persen AS cakupan_awal, j.n
    FROM marts.mart_monev_wilayah_bulanan m
    CROSS JOIN LATERAL (
        SELECT count(*)::int AS n, min(x.periode) AS p0 FROM marts.mart_monev_wilayah_bulanan x
        WHERE x.kode_wilayah = m.kode_wilayah AND x.cakupan_persen IS NOT NULL
          AND x.periode BETWEEN m.periode - interval '5 months' AND m.periode) j
    LEFT JOIN marts.mart_monev_wilayah_bulanan a
        ON a.kode_wilayah = m.kode_wilayah AND a.periode = j.p0
), l AS (
    SELECT w.*, ((extract(year FROM periode) - extract(year FROM awal)) * 12
                 + extract(month FROM periode) - extract(month FROM awal))::int AS selang,
           (12 - extract(month FROM periode))::int AS sisa
    FROM w
), v AS (
    SELECT l.*,
           CASE WHEN n >= 2 THEN (cakupan_persen - cakupan_awal) / selang END AS dicapai,
           CASE WHEN sisa > 0 THEN (target_persen - cakupan_persen) / sisa END AS dibutuhkan
    FROM l
), s AS (
    SELECT v.*, CASE
        WHEN target_persen IS NULL OR cakupan_persen IS NULL THEN NULL
        WHEN cakupan_persen >= target_persen THEN 'on track'
        WHEN sisa = 0 THEN 'off track'
        WHEN dicapai IS NULL THEN NULL
        WHEN dicapai >= dibutuhkan THEN 'on track'
        WHEN dicapai >= 0.5 * dibutuhkan THEN 'at risk'
        ELSE 'off track' END AS status
    FROM v
)
SELECT periode, tingkat, kode_wilayah, nama_wilayah,
       CASE WHEN tingkat = 'NASIONAL' THEN NULL ELSE kode_provinsi END, 'KEMENDAGRI_UCJ',
       extract(year FROM periode)::int, target_persen, cakupan_persen, awal, cakupan_awal, n,
       selang, sisa, dicapai, dibutuhkan,
       CASE WHEN sisa = 0 THEN cakupan_persen
            WHEN dicapai IS NOT NULL THEN cakupan_persen + dicapai * sisa END,
       status,
       {label_status},
       CASE WHEN target_persen IS NULL THEN 'Tanpa target tahun ' || extract(year FROM periode)
            WHEN cakupan_persen IS NULL THEN 'Tanpa cakupan bulan ini'
            WHEN status IS NULL THEN 'Kurang dari dua bulan data cakupan' END
FROM s
"""


def _label_status() -> str:
    """The model's CASE over the words of dbt_project.yml's vars (label_status)."""
    v = dbt_vars()
    whens = " ".join(f"WHEN '{k}' THEN '{w}'" for k, w in v["label_status"].items())
    return f"CASE status {whens} ELSE '{v['label_tanpa_status']}' END"


def reference_regions(conn: psycopg.Connection | None = None) -> list[Region]:
    """Regions from raw.wilayah if seeded, else the shipped reference CSV."""
    if conn is not None:
        rows = conn.execute(
            "SELECT kode, nama, tingkat, kode_provinsi FROM raw.wilayah ORDER BY kode"
        ).fetchall()
        if rows:
            return [Region(*r) for r in rows]
    seed = resources.files("monev.referensi") / "data" / "wilayah.csv"
    with seed.open(encoding="utf-8") as fh:
        return [
            Region(r["kode"], r["nama"], r["tingkat"], r["kode_provinsi"])
            for r in csv.DictReader(fh)
        ]


def small_regions() -> list[Region]:
    return [
        Region("31", "DKI JAKARTA", "PROVINSI", "31"),
        Region("31.71", "KOTA ADM. JAKARTA PUSAT", "KOTA", "31"),
        Region("31.72", "KOTA ADM. JAKARTA UTARA", "KOTA", "31"),
        Region("31.73", "KOTA ADM. JAKARTA BARAT", "KOTA", "31"),
        Region("62", "KALIMANTAN TENGAH", "PROVINSI", "62"),
        Region("62.01", "KAB. KOTAWARINGIN BARAT", "KABUPATEN", "62"),
        Region("62.02", "KAB. KOTAWARINGIN TIMUR", "KABUPATEN", "62"),
        Region("62.71", "KOTA PALANGKA RAYA", "KOTA", "62"),
    ]


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b * 100


def _rank(rows: list[dict]) -> None:
    """Competition ranking by unrounded coverage, NULL not ranked (DOMAIN.md)."""
    ranked = sorted((r for r in rows if r["cakupan_persen"] is not None),
                    key=lambda r: -r["cakupan_persen"])
    for r in rows:
        r["peringkat"] = None
    for i, r in enumerate(ranked):
        prev = ranked[i - 1] if i else None
        r["peringkat"] = prev["peringkat"] if prev and prev["cakupan_persen"] == r[
            "cakupan_persen"] else i + 1


def create_fixture_marts(
    conn: psycopg.Connection,
    periode: dt.date,
    regions: list[Region] | None = None,
    months: int = 13,
    seed: int = 0,
    budget_months: set[dt.date] | None = None,
) -> None:
    """Create and fill the fixture marts for `months` months up to `periode`.

    `budget_months`: months that have budget data (default all); the others get NULL
    budget columns, as the real mart does before anggaran is delivered.
    """
    regions = regions or small_regions()
    rng = random.Random(seed)
    conn.execute(_ddl())
    kabkota = [r for r in regions if r.tingkat != "PROVINSI"]
    provinces = [r for r in regions if r.tingkat == "PROVINSI"]
    base = {
        r.kode: {
            "pb": rng.randint(60_000, 900_000), "cov": rng.uniform(0.15, 0.6),
            "drift": rng.uniform(-0.01, 0.02), "reg": rng.random() < 0.7,
            "pagu_n": rng.randint(500, 20_000),
        }
        for r in kabkota
    }
    rows: list[dict] = []
    for m in range(months):
        p = add_months(periode, m - months + 1)
        has_budget = budget_months is None or p in budget_months
        kk_rows = []
        for r in kabkota:
            b = base[r.kode]
            aktif = int(b["pb"] * b["cov"] * (1 + b["drift"]) ** m)
            pu = int(aktif * 0.6)
            bpu = int(aktif * 0.3)
            jakon = int(aktif * 0.07)
            rentan = int(aktif * 0.05)
            parts = [int(rentan * f) for f in (0.3, 0.4, 0.2)]
            pagu = b["pagu_n"] * 16_800 * 12 if has_budget else None
            row = {
                "periode": p, "tingkat": "KABKOTA", "kode_wilayah": r.kode,
                "nama_wilayah": r.nama, "kode_provinsi": r.kode_provinsi,
                "peserta_aktif": aktif, "peserta_terdaftar": int(aktif * 1.4),
                "peserta_baru": int(aktif * 0.03), "peserta_keluar": int(aktif * 0.02),
                "peserta_aktif_pu": pu, "peserta_aktif_bpu": bpu, "peserta_aktif_jakon": jakon,
                "peserta_aktif_pmi": aktif - pu - bpu - jakon, "pekerja_rentan_aktif": rentan,
                "pekerja_rentan_aktif_apbd_provinsi": parts[0],
                "pekerja_rentan_aktif_apbd_kabkota": parts[1],
                "pekerja_rentan_aktif_apbdes": parts[2],
                "pekerja_rentan_aktif_csr": rentan - sum(parts),
                "penduduk_bekerja": b["pb"], "tahun_penduduk_bekerja": p.year - 1,
                "tahun_potensi": p.year - 1, "pagu_rp": pagu, "pagu_pemprov_rp": None,
                "realisasi_rp": None if pagu is None else pagu * p.month / 12 * 0.7,
                "iuran_ditagih_rp": None if pagu is None else pagu * p.month / 12 * 0.75,
                "pagu_rentan_rp": pagu, "target_peserta_rentan":
                    None if pagu is None else int(b["pagu_n"] * 1.02),
                "regulasi_ada": b["reg"], "regulasi_persen": None,
                "nik_ganda": rng.randint(0, 3) if m == months - 1 else 0,
                "iuran_ganda_rp": None, "target_persen": 40.0,
                "potensi": int(b["pb"] * 0.8), "cakupan_persen": _div(aktif, b["pb"]),
            }
            kk_rows.append(row)
        for prov in provinces:
            children = [x for x in kk_rows if x["kode_provinsi"] == prov.kode]
            _rank(children)
            agg = _sum(children, p, "PROVINSI", prov.kode, prov.nama, prov.kode)
            agg["pagu_pemprov_rp"] = None if not has_budget else 2_000 * 16_800 * 12
            if has_budget:
                agg["pagu_rp"] += agg["pagu_pemprov_rp"]
            agg["regulasi_ada"] = True
            agg["target_persen"] = 45.0
            rows.extend(children)
            rows.append(agg)
        prov_rows = [x for x in rows if x["periode"] == p and x["tingkat"] == "PROVINSI"]
        _rank(prov_rows)
        nat = _sum(prov_rows, p, "NASIONAL", "00", "INDONESIA", "00")
        nat["target_persen"] = 52.15
        nat["regulasi_ada"] = None
        nat["regulasi_persen"] = _div(sum(1 for x in kk_rows if x["regulasi_ada"]), len(kk_rows))
        rows.append(nat)
    _derive(rows)
    _insert(conn, rows, periode, months)


_SUMMED = [
    "peserta_aktif", "peserta_terdaftar", "peserta_baru", "peserta_keluar", "peserta_aktif_pu",
    "peserta_aktif_bpu", "peserta_aktif_jakon", "peserta_aktif_pmi", "pekerja_rentan_aktif",
    "pekerja_rentan_aktif_apbd_provinsi", "pekerja_rentan_aktif_apbd_kabkota",
    "pekerja_rentan_aktif_apbdes", "pekerja_rentan_aktif_csr", "penduduk_bekerja",
    "pagu_rp", "realisasi_rp", "iuran_ditagih_rp", "pagu_rentan_rp", "target_peserta_rentan",
    "nik_ganda", "potensi",
]


def _sum(children: list[dict], p: dt.date, tingkat: str, kode: str, nama: str, prov: str) -> dict:
    out: dict = {"periode": p, "tingkat": tingkat, "kode_wilayah": kode, "nama_wilayah": nama,
                 "kode_provinsi": prov, "tahun_penduduk_bekerja": p.year - 1,
                 "tahun_potensi": p.year - 1, "peringkat": None, "pagu_pemprov_rp": None,
                 "iuran_ganda_rp": None}
    for col in _SUMMED:
        values = [c[col] for c in children]
        out[col] = None if any(v is None for v in values) else sum(values)
    out["regulasi_persen"] = _div(sum(1 for c in children if c["regulasi_ada"]), len(children))
    out["cakupan_persen"] = _div(out["peserta_aktif"], out["penduduk_bekerja"])
    return out


def _derive(rows: list[dict]) -> None:
    prev = {(r["periode"], r["kode_wilayah"]): r["peserta_aktif"] for r in rows}
    for r in rows:
        r["cakupan_persen"] = _div(r["peserta_aktif"], r["penduduk_bekerja"])
        r["cakupan_potensi_persen"] = _div(r["peserta_aktif"], r.pop("potensi"))
        r["capaian_target_persen"] = _div(r["cakupan_persen"], r["target_persen"])
        r["gap_pp"] = r["target_persen"] - r["cakupan_persen"]
        r["belum_terlindungi"] = max(0, r["penduduk_bekerja"] - r["peserta_aktif"])
        r["keaktifan_persen"] = _div(r["peserta_aktif"], r["peserta_terdaftar"])
        before = prev.get((add_months(r["periode"], -1), r["kode_wilayah"]))
        r["pertumbuhan_aktif_persen"] = (
            None if not before else (r["peserta_aktif"] - before) / before * 100
        )
        r["serapan_persen"] = _div(r["realisasi_rp"], r["pagu_rp"])
        billed, spent = r["iuran_ditagih_rp"], r["realisasi_rp"]
        r["selisih_tagihan_rp"] = None if billed is None or spent is None else billed - spent
        r["rasio_realisasi_tagihan_persen"] = _div(spent, billed)
        n = r["target_peserta_rentan"]
        r["kewajaran_pagu_persen"] = _div(r["pagu_rentan_rp"], n * 16_800 * 12 if n else None)
        r["iuran_ganda_rp"] = r["nik_ganda"] * 16_800 if r["nik_ganda"] else 0


def _insert(conn: psycopg.Connection, rows: list[dict], periode: dt.date, months: int) -> None:
    with conn.cursor() as cur:
        cols = columns(WILAYAH)
        with cur.copy(f"COPY marts.{WILAYAH} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row([r[c] for c in cols])
        cur.execute(
            "INSERT INTO marts.mart_capaian_target (periode, kode_wilayah, sumber_target,"
            " target_persen, capaian_target_persen, gap_pp)"
            " SELECT periode, kode_wilayah, 'KEMENDAGRI_UCJ',"
            " target_persen, capaian_target_persen, gap_pp FROM marts.mart_monev_wilayah_bulanan"
        )
        cur.execute(
            "INSERT INTO marts.mart_capaian_target (periode, kode_wilayah, sumber_target,"
            " target_persen, capaian_target_persen, gap_pp)"
            " SELECT periode, kode_wilayah, 'RPJMN', 32.15,"
            " cakupan_persen / 32.15 * 100, 32.15 - cakupan_persen"
            " FROM marts.mart_monev_wilayah_bulanan WHERE tingkat = 'NASIONAL'"
        )
        # The projection mart by mart_proyeksi_target's rule (the dbt model is unit-tested
        # in dbt; here the fixture only needs rows that follow the same rule).
        cur.execute(_PROYEKSI.format(label_status=_label_status()))
        cur.execute(
            "INSERT INTO marts.mart_nik_ganda (periode, peserta_id, jumlah_pembayar, pembayar,"
            " jumlah_pembayaran, kode_wilayah_domisili, kode_provinsi, iuran_ganda_rp)"
            " SELECT periode, md5(kode_wilayah || g::text),"
            " 2, 'APBD_PROVINSI:' || kode_provinsi || ', APBD_KABKOTA:' || kode_wilayah, 2,"
            " kode_wilayah, kode_provinsi, 16800 FROM marts.mart_monev_wilayah_bulanan,"
            " generate_series(1, nik_ganda::int) g WHERE tingkat = 'KABKOTA'"
        )
        cur.execute(
            "INSERT INTO marts.dim_wilayah (kode_wilayah, nama_wilayah, tingkat, kode_provinsi,"
            " berlaku_mulai, berlaku_sampai, kode_pengganti)"
            " SELECT DISTINCT kode_wilayah, nama_wilayah,"
            " CASE WHEN tingkat = 'KABKOTA' AND nama_wilayah LIKE 'KOTA%%' THEN 'KOTA'"
            " WHEN tingkat = 'KABKOTA' THEN 'KABUPATEN' ELSE tingkat END, kode_provinsi,"
            " DATE '2025-01-01', NULL::date, NULL FROM marts.mart_monev_wilayah_bulanan"
            " WHERE tingkat <> 'NASIONAL'"
        )
        batch = 0
        for m in range(months):
            p = add_months(periode, m - months + 1)
            key = p.strftime("%Y-%m")
            for sumber, rows_n, warn in (("kepesertaan", 514, None),
                                         ("peserta_rentan", 20_000,
                                          "3 baris iuran di luar tarif standar")):
                batch += 1
                add_delivery(cur, batch, sumber, key, f"{sumber}_{key}.csv", rows_n, warn)
        add_delivery(cur, batch + 1, "anggaran", f"{periode.year}/murni",
                     f"anggaran_{periode.year}_murni.xlsx", 1200)
    conn.commit()


def add_delivery(cur: psycopg.Cursor, batch_id: int, source: str, period_key: str,
                 file_name: str, rows: int, warning: str | None = None,
                 status: str = "loaded") -> None:
    """One row of mart_sumber_data (a delivery, with at most one gate warning)."""
    month = period_key if re.fullmatch(r"\d{4}-\d{2}", period_key) else None
    warnings = [{"rule": f"{source}.peringatan", "message": warning}] if warning else []
    cur.execute(
        "INSERT INTO marts.mart_sumber_data (batch_id, source, period_key, periode, tahun,"
        " file_name, revision, sha256, rows, status, berlaku, warnings, jumlah_peringatan,"
        " jumlah_galat, loaded_at) VALUES (%s, %s, %s, %s, %s, %s, 0, %s, %s, %s, %s, %s,"
        " %s, 0, now())",
        (batch_id, source, period_key, f"{month}-01" if month else None,
         int(period_key[:4]), file_name,
         hashlib.sha256(f"{source}/{period_key}".encode()).hexdigest(), rows, status,
         status == "loaded", json.dumps(warnings), len(warnings)))
