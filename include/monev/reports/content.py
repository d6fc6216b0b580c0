"""What a report says: headline figures, tables, charts and findings for one scope.

The same :class:`Table` objects feed the PDF/HTML template (formatted) and the Excel
annex (raw numbers), so the annex always carries exactly what the report shows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from monev.reports import charts, diff, findings, tilemap
from monev.reports import formatting as fmt
from monev.reports.data import NATIONAL, TREND_MONTHS, MartData, add_months, pick, records

PAYERS = [
    ("pekerja_rentan_aktif_apbd_provinsi", "APBD Provinsi"),
    ("pekerja_rentan_aktif_apbd_kabkota", "APBD Kab/Kota"),
    ("pekerja_rentan_aktif_apbdes", "APBDes"),
    ("pekerja_rentan_aktif_csr", "CSR"),
]
_FORMAT = {"int": fmt.num, "pct": fmt.pct, "rp": fmt.rupiah, "pp": fmt.pp, "bool": fmt.yes_no,
           "year": lambda v: fmt.MISSING if fmt.is_missing(v) else str(int(v)),
           "text": lambda v: fmt.MISSING if fmt.is_missing(v) else str(v)}


@dataclass(frozen=True)
class Column:
    key: str      # the mart column (or a side-mart field)
    header: str
    kind: str = "int"  # int | pct | rp | pp | bool | year | text


@dataclass
class Table:
    sheet: str
    title: str
    columns: list[Column]
    rows: list[dict]
    source: str = "marts.mart_monev_wilayah_bulanan"
    note: str = ""

    def cells(self) -> list[list[str]]:
        return [[_FORMAT[c.kind](r.get(c.key)) for c in self.columns] for r in self.rows]

    def numeric(self) -> list[bool]:
        return [c.kind not in ("text", "bool") for c in self.columns]


WILAYAH = Column("nama_wilayah", "Wilayah", "text")


@dataclass
class ReportContent:
    scope: str
    scope_name: str
    periode: dt.date
    headline: dict[str, Any]
    tables: dict[str, Table]
    chart_uris: dict[str, str]
    findings: list[findings.Finding]
    attention: list[str]
    budget_available: bool
    rentan_available: bool
    meta: dict[str, Any] = field(default_factory=dict)


def _scope_rows(data: MartData, scope: str) -> tuple[dict | None, list[dict], dict[str, dict]]:
    w = data.wilayah
    month = w[w["periode"] == data.periode]
    prev = w[w["periode"] == add_months(data.periode, -1)]
    code = "00" if scope == NATIONAL else scope
    own = records(month[month["kode_wilayah"] == code])
    if scope == NATIONAL:
        kids = month[month["tingkat"] == "PROVINSI"]
    else:
        kids = month[(month["tingkat"] == "KABKOTA") & (month["kode_provinsi"] == scope)]
    previous = {r["kode_wilayah"]: r for r in records(prev)}
    return (own[0] if own else None), records(kids.sort_values("kode_wilayah")), previous


def build_content(data: MartData, scope: str, changes: diff.Changes | None = None,
                  previous_revision: int = 0) -> ReportContent:
    """Everything one scope's report says; `changes` = what moved since revision
    `previous_revision` (a reissue), shown after the contents and as an Excel sheet."""
    scope_row, children, previous = _scope_rows(data, scope)
    unit = "Provinsi" if scope == NATIONAL else "Kabupaten/Kota"
    scope_name = "Nasional" if scope == NATIONAL else (
        scope_row["nama_wilayah"] if scope_row else f"Provinsi {scope}")
    both = ([scope_row] if scope_row else []) + children
    code = "00" if scope == NATIONAL else scope
    prev_own = previous.get(code, {})

    tables: dict[str, Table] = {}
    tables["capaian"] = Table("Capaian", "Capaian kepesertaan per wilayah", [
        WILAYAH, Column("peserta_aktif", "Peserta aktif"), Column("peserta_aktif_pu", "PU"),
        Column("peserta_aktif_bpu", "BPU"), Column("peserta_aktif_jakon", "JAKON"),
        Column("peserta_aktif_pmi", "PMI"), Column("penduduk_bekerja", "Penduduk bekerja"),
        Column("tahun_penduduk_bekerja", "Tahun", "year"),
        Column("cakupan_persen", "Cakupan", "pct"), Column("target_persen", "Target", "pct"),
        Column("capaian_target_persen", "Capaian target", "pct"),
        Column("gap_pp", "Gap", "pp"), Column("belum_terlindungi", "Belum terlindungi"),
    ], both)
    trend_rows = records(
        data.wilayah[data.wilayah["kode_wilayah"] == code].sort_values("periode"))
    for r in trend_rows:
        r["bulan"] = fmt.month_name(r["periode"])
    tables["tren"] = Table("Tren", f"Tren {TREND_MONTHS} bulan", [
        Column("bulan", "Bulan", "text"), Column("peserta_aktif", "Peserta aktif"),
        Column("cakupan_persen", "Cakupan", "pct"), Column("target_persen", "Target", "pct"),
        Column("pertumbuhan_aktif_persen", "Pertumbuhan aktif", "pct"),
    ], trend_rows)
    ranked = sorted([r for r in children if r.get("peringkat") is not None],
                    key=lambda r: (r["peringkat"], r["kode_wilayah"]))
    unranked = [r for r in children if r.get("peringkat") is None]
    tables["peringkat"] = Table("Peringkat", f"Peringkat {unit.lower()} menurut cakupan", [
        Column("peringkat", "Peringkat"), WILAYAH, Column("cakupan_persen", "Cakupan", "pct"),
        Column("capaian_target_persen", "Capaian target", "pct"),
        Column("peserta_aktif", "Peserta aktif"),
    ], ranked + unranked, note="Wilayah tanpa angka cakupan tidak diberi peringkat.")
    tables["rentan"] = Table("Pekerja Rentan", "Pekerja rentan aktif menurut pembayar iuran", [
        WILAYAH, Column("pekerja_rentan_aktif", "Pekerja rentan aktif"),
        *[Column(k, label) for k, label in PAYERS],
        Column("nik_ganda", "NIK ganda"), Column("iuran_ganda_rp", "Iuran ganda", "rp"),
    ], both)
    tables["anggaran"] = Table("Anggaran", "Dukungan anggaran APBD", [
        WILAYAH, Column("pagu_rp", "Pagu", "rp"), Column("pagu_pemprov_rp", "Pagu pemprov", "rp"),
        Column("iuran_ditagih_rp", "Iuran ditagih", "rp"),
        Column("realisasi_rp", "Realisasi", "rp"),
        Column("selisih_tagihan_rp", "Ditagih − realisasi", "rp"),
        Column("rasio_realisasi_tagihan_persen", "Realisasi ÷ ditagih", "pct"),
        Column("serapan_persen", "Serapan", "pct"),
        Column("pagu_rentan_rp", "Pagu pekerja rentan", "rp"),
        Column("target_peserta_rentan", "Target peserta rentan"),
        Column("kewajaran_pagu_persen", "Kewajaran pagu", "pct"),
    ], [_with_billing(r) for r in both],
        note="Ditagih − realisasi: iuran yang ditagihkan BPJS Ketenagakerjaan kepada pemda"
             " dikurangi realisasi belanjanya (positif = tagihan belum dibayar);"
             " realisasi ÷ ditagih × 100.")
    tables["regulasi"] = Table("Regulasi", "Regulasi daerah", [
        WILAYAH, Column("regulasi_ada", "Regulasi pemda", "bool"),
        Column("regulasi_persen", "Kab/kota beregulasi", "pct"),
    ], both)
    tables["keaktifan"] = Table("Keaktifan", "Kepesertaan baru dan keaktifan", [
        WILAYAH, Column("peserta_baru", "Peserta baru"), Column("peserta_keluar", "Keluar"),
        Column("peserta_terdaftar", "Terdaftar"), Column("peserta_aktif", "Aktif"),
        Column("keaktifan_persen", "Keaktifan", "pct"),
        Column("pertumbuhan_aktif_persen", "Pertumbuhan aktif", "pct"),
    ], both)
    ct = data.capaian_target
    target_rows = records(ct[ct["kode_wilayah"] == code]) if not ct.empty else []
    tables["target"] = Table("Target", "Capaian menurut sumber target", [
        Column("sumber_target", "Sumber target", "text"),
        Column("target_persen", "Target", "pct"),
        Column("capaian_target_persen", "Capaian target", "pct"), Column("gap_pp", "Gap", "pp"),
    ], sorted(target_rows, key=lambda r: str(r.get("sumber_target"))),
        source="marts.mart_capaian_target")
    tables["nik_ganda"] = _nik_ganda_table(data.nik_ganda)
    tables["sumber"] = _sources_table(data.sumber_data, data.periode)
    tables["status_sumber"] = _source_status_table(data)

    lagging = [(r["sumber"], r["periode_terakhir"]) for r in tables["status_sumber"].rows
               if r["sumber"] in MONTHLY_SOURCES and (r["tertinggal_bulan"] is None or
                                                     r["tertinggal_bulan"]
                                                     >= findings.STALE_SOURCE_MONTHS)]
    found = findings.evaluate(data.periode, scope_row, children, previous,
                              lagging_sources=lagging,
                              lagging_regions=_lagging_regions(data.kesegaran, both),
                              proyeksi={r["kode_wilayah"]: r for r in records(data.proyeksi)})
    missing = missing_sources(data.sumber_data, data.periode)
    if missing:  # built after the due day without them (monev.orchestration.completeness)
        found.insert(0, findings.Finding(findings.RULES_BY_CODE["DATA_TIDAK_LENGKAP"], detail=(
            "Sumber data bulan ini belum diterima saat laporan dibuat: "
            + ", ".join(missing) + ".")))
    tables["temuan"] = Table("Temuan", "Temuan dan rekomendasi", [
        Column("kode", "Aturan", "text"), Column("judul", "Temuan", "text"),
        Column("uraian", "Uraian", "text"), Column("rekomendasi", "Rekomendasi", "text"),
    ], [{"kode": f.rule.code, "judul": f.rule.title, "uraian": f.text,
         "rekomendasi": f.rule.recommendation} for f in found], source="aturan temuan")

    if changes is not None:
        tables["perubahan"] = Table("Perubahan", f"Perubahan dari revisi {previous_revision}", [
            WILAYAH, Column("angka", "Angka", "text"), Column("sebelum", "Revisi sebelumnya",
                                                               "text"),
            Column("sesudah", "Revisi ini", "text"),
        ], [{"nama_wilayah": m.region, "angka": m.label, "sebelum": m.before,
             "sesudah": m.after} for m in changes.moved],
            source=f"snapshot revisi {previous_revision} dan revisi ini",
            note="; ".join(changes.lines()[len(changes.moved[:diff.LIST_LIMIT]):]))
    budget_available = any(r.get("pagu_rp") is not None for r in both)
    billing_available = any(r.get(k) is not None for r in both
                            for k in ("pagu_rp", "realisasi_rp", "iuran_ditagih_rp"))
    rentan_available = any(r.get("pekerja_rentan_aktif") is not None for r in both)
    own = scope_row or {}
    headline = {
        "cakupan": own.get("cakupan_persen"), "target": own.get("target_persen"),
        "capaian": own.get("capaian_target_persen"), "gap": own.get("gap_pp"),
        "aktif": own.get("peserta_aktif"), "penduduk_bekerja": own.get("penduduk_bekerja"),
        "tahun_penduduk_bekerja": own.get("tahun_penduduk_bekerja"),
        "tahun_potensi": own.get("tahun_potensi"),
        "cakupan_potensi": own.get("cakupan_potensi_persen"),
        "perubahan_pp": None if own.get("cakupan_persen") is None
        or prev_own.get("cakupan_persen") is None
        else own["cakupan_persen"] - prev_own["cakupan_persen"],
        "pertumbuhan": own.get("pertumbuhan_aktif_persen"),
        "pagu": own.get("pagu_rp"), "realisasi": own.get("realisasi_rp"),
        "ditagih": own.get("iuran_ditagih_rp"),
        "selisih_tagihan": _with_billing(own).get("selisih_tagihan_rp"),
        "rasio_tagihan": _with_billing(own).get("rasio_realisasi_tagihan_persen"),
        "serapan": own.get("serapan_persen"), "rentan": own.get("pekerja_rentan_aktif"),
        "nik_ganda": own.get("nik_ganda"), "regulasi_persen": own.get("regulasi_persen"),
        "peringkat": own.get("peringkat"),
    }
    chart_uris = _charts(scope_name, unit, trend_rows, ranked, own, children, budget_available)
    return ReportContent(
        scope, scope_name, data.periode, headline, tables, chart_uris, found,
        findings.attention(found), budget_available, rentan_available,
        meta={"unit": unit, "n_children": len(children),
              "dimuat_terakhir": _latest_load(tables["sumber"].rows),
              "billing_available": billing_available, "previous": previous_revision,
              "changes": changes.lines() if changes is not None else None},
    )


def _charts(scope_name: str, unit: str, trend_rows: list[dict], ranked: list[dict],
            own: dict, children: list[dict], budget_available: bool) -> dict[str, str]:
    out = {
        "tren": charts.trend(
            [fmt.month_short(r["periode"]) for r in trend_rows],
            [r.get("cakupan_persen") for r in trend_rows],
            [r.get("target_persen") for r in trend_rows],
            f"Cakupan {scope_name} vs target"),
    }
    if ranked:
        out["peringkat"] = charts.ranking(
            [r["nama_wilayah"] for r in ranked], [r["cakupan_persen"] for r in ranked],
            own.get("target_persen"), f"Peringkat cakupan {unit.lower()}")
    if own.get("pekerja_rentan_aktif") is not None:
        out["rentan"] = charts.payers([label for _, label in PAYERS],
                                      [own.get(k) for k, _ in PAYERS],
                                      "Pekerja rentan aktif menurut pembayar")
    with_budget = [r for r in children if r.get("pagu_rp") is not None]
    if budget_available and with_budget:
        out["anggaran"] = charts.budget(
            [r["nama_wilayah"] for r in with_budget], [r["pagu_rp"] for r in with_budget],
            [r.get("realisasi_rp") or 0 for r in with_budget], "Pagu vs realisasi")
    if unit == "Provinsi" and children:
        out["peta"] = tilemap.coverage_map(
            {r["kode_wilayah"]: r.get("cakupan_persen") for r in children},
            own.get("target_persen"), "Cakupan kepesertaan aktif per provinsi")
    return out


def _with_billing(row: dict) -> dict:
    """The row plus billed − realised and realised ÷ billed (NULL when either is unknown)."""
    billed, spent = row.get("iuran_ditagih_rp"), row.get("realisasi_rp")
    known = billed is not None and spent is not None
    return {**row, "selisih_tagihan_rp": billed - spent if known else None,
            "rasio_realisasi_tagihan_persen": spent / billed * 100 if known and billed else None}


def _nik_ganda_table(df: pd.DataFrame) -> Table:
    rows: dict[str, dict] = {}
    for r in records(df):
        # Payer types only ("APBD_KABKOTA + APBD_PROVINSI"): the pemda codes would give
        # one row per pair of governments, which is the detail the mart is for.
        raw = str(pick(r, "pembayar", "payers", "daftar_pembayar", default="–"))
        kinds = {re.sub(r"[:/].*$", "", part.strip()) for part in re.split(r"[,+;]", raw)}
        payer = " + ".join(sorted(k for k in kinds if k)) or "–"
        agg = rows.setdefault(payer, {"pembayar": payer, "peserta": 0, "iuran_ganda_rp": 0.0})
        agg["peserta"] += 1
        agg["iuran_ganda_rp"] += float(pick(r, "iuran_ganda_rp", default=0) or 0)
    return Table("NIK Ganda", "Peserta dibiayai ganda menurut kombinasi pembayar", [
        Column("pembayar", "Pembayar", "text"), Column("peserta", "Peserta"),
        Column("iuran_ganda_rp", "Iuran ganda", "rp"),
    ], sorted(rows.values(), key=lambda r: (-r["peserta"], r["pembayar"])),
        source="marts.mart_nik_ganda")


def _latest_load(rows: list[dict]) -> str | None:
    days = []
    for r in rows:
        try:
            days.append(dt.date.fromisoformat(str(r.get("dimuat"))[:10]))
        except ValueError:
            continue
    return fmt.long_date(max(days)) if days else None


def _warnings(value: object) -> str | None:
    """Warnings may arrive as JSON ([{rule, message, ...}]) or as plain text."""
    if value is None:
        return None
    try:
        items = json.loads(str(value))
    except ValueError:
        return str(value)
    if not items:
        return None
    if not isinstance(items, list):
        items = [items]
    return "; ".join(
        str(i.get("message") or i.get("rule") or i) if isinstance(i, dict) else str(i)
        for i in items)


# The deliveries a month's report needs; the orchestrator waits for them until the due day.
REPORT_SOURCES = ("kepesertaan", "peserta_rentan", "realisasi", "anggaran")


def missing_sources(sumber: pd.DataFrame, periode: dt.date) -> list[str]:
    """REPORT_SOURCES without a delivery for the month (anggaran: for its year)."""
    if sumber.empty:
        return []  # no source list to judge by
    month, have = periode.strftime("%Y-%m"), set()
    for r in records(sumber):
        if r.get("status") not in ("loaded", "superseded"):
            continue  # a rejected or stale delivery is not a delivery of the month
        if str(r.get("period_key", ""))[:7] == month:
            have.add(r.get("source"))
        elif r.get("source") == "anggaran" and str(r.get("period_key", ""))[:4] == month[:4]:
            have.add("anggaran")
    return [s for s in REPORT_SOURCES if s not in have]


MONTHLY_SOURCES = ("kepesertaan", "peserta_rentan", "realisasi")
STATUS_SOURCES = (*MONTHLY_SOURCES, "anggaran")


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def _source_status_table(data: MartData) -> Table:
    """Per source: the latest period delivered up to month M, its cut-off, load and gate
    status, how many months it is behind M, and the month's rejected deliveries."""
    month = data.periode.strftime("%Y-%m")
    loaded: dict[str, list[dict]] = {}
    for r in records(data.sumber_data):
        source = str(pick(r, "source", "sumber", default=""))
        key = str(pick(r, "period_key", "periode", default=""))
        if pick(r, "status") != "loaded" or source not in STATUS_SOURCES:
            continue
        if (source == "anggaran" and key[:4] > month[:4]) or (
                source != "anggaran" and key[:7] > month):
            continue  # delivered for a later period than the report's
        loaded.setdefault(source, []).append({**r, "_key": key})
    batches = {int(b["batch_id"]): b for b in records(data.muatan) if b.get("batch_id")}
    rejected: dict[str, list[dict]] = {}
    for b in batches.values():
        key = str(b.get("period_key") or "")
        if b.get("status") in ("rejected", "failed") and (
                key == month or (b.get("source") == "anggaran" and key[:4] == month[:4])):
            rejected.setdefault(str(b.get("source")), []).append(b)
    rows = []
    for source in STATUS_SOURCES:
        files = sorted(loaded.get(source, []), key=lambda r: r["_key"])
        row: dict[str, Any] = {"sumber": source, "periode_terakhir": None, "batas_data": None,
                               "berkas": None, "status_muat": "belum ada berkas dimuat",
                               "gerbang_mutu": None, "tertinggal_bulan": None}
        if files:
            last = files[-1]
            key = last["_key"]
            row["berkas"] = pick(last, "file_name", "nama_file")
            row["status_muat"] = "dimuat"
            batch = batches.get(int(last["batch_id"])) if last.get("batch_id") else None
            warnings = (batch or {}).get("gate_peringatan")
            if warnings is None:
                warnings = pick(last, "jumlah_peringatan", default=None)
                if warnings is None:
                    warnings = 1 if pick(last, "peringatan", "warnings") else 0
            row["gerbang_mutu"] = "lolos" + (f", {int(warnings)} peringatan" if warnings else "")
            if source == "anggaran":
                row["periode_terakhir"] = key
                row["batas_data"] = f"APBD {key.replace('/', ' versi ')}"
            else:
                period = dt.date.fromisoformat(key[:7] + "-01")
                row["periode_terakhir"] = fmt.month_name(period)
                row["batas_data"] = fmt.long_date(_month_end(period))
                row["tertinggal_bulan"] = _months_between(period, data.periode)
        bad = rejected.get(source, [])
        row["ditolak_bulan_ini"] = "; ".join(
            f"{b.get('file_name')} ({b.get('alasan_utama') or b.get('status')})" for b in bad
        ) or ("tidak ada" if not data.muatan.empty else None)
        rows.append(row)
    return Table("Status Sumber", f"Status sumber data untuk {fmt.month_name(data.periode)}", [
        Column("sumber", "Sumber", "text"), Column("periode_terakhir", "Periode terakhir", "text"),
        Column("batas_data", "Batas data", "text"), Column("berkas", "Berkas", "text"),
        Column("status_muat", "Status muat", "text"),
        Column("gerbang_mutu", "Gerbang mutu", "text"),
        Column("tertinggal_bulan", "Tertinggal (bulan)"),
        Column("ditolak_bulan_ini", "Ditolak bulan ini", "text"),
    ], rows, source="marts.mart_sumber_data, marts.mart_kesehatan_muatan",
        note="Periode terakhir: bulan terakhir yang dimuat s.d. bulan laporan; realisasi tiap"
             " pemda diambil dari bulan terakhirnya (lihat temuan DATA_TERLAMBAT).")


def _lagging_regions(kesegaran: pd.DataFrame, subjects: list[dict]) -> list[str]:
    """Regions of the report whose realisasi comes from a month before M."""
    if kesegaran.empty:
        return []
    names = {r["kode_wilayah"]: r["nama_wilayah"] for r in subjects}
    out = []
    for r in records(kesegaran):
        if (r.get("source") == "realisasi" and r.get("kode_wilayah") in names
                and (r.get("bulan_tertinggal") or 0) >= findings.STALE_SOURCE_MONTHS):
            out.append(names[r["kode_wilayah"]])
    return sorted(set(out))


def _sources_table(df: pd.DataFrame, periode: dt.date) -> Table:
    start = add_months(periode, -(TREND_MONTHS - 1)).strftime("%Y-%m")
    end = periode.strftime("%Y-%m")
    rows = []
    for r in records(df):
        period = str(pick(r, "periode", "period_key", "period", default=""))[:7]
        if len(period) == 7 and period[4] == "-" and not start <= period <= end:
            continue  # a monthly file outside the 12 months the report shows
        if period[:4].isdigit() and len(period) >= 4 and period[:4] > end[:4]:
            continue
        rows.append({
            "sumber": pick(r, "sumber", "source"),
            "periode": pick(r, "periode", "period_key", "period"),
            "nama_file": pick(r, "nama_file", "file_name"),
            "revisi": pick(r, "revisi", "revision"),
            "sha256": pick(r, "sha256"),
            "baris": pick(r, "jumlah_baris", "rows", "baris"),
            "status": pick(r, "status", "status_validasi"),
            "peringatan": _warnings(pick(r, "peringatan", "warnings")),
            "dimuat": pick(r, "dimuat_pada", "loaded_at"),
        })
    rows.sort(key=lambda r: (str(r["sumber"]), str(r["periode"]), str(r["revisi"])))
    return Table("Sumber Data", "Berkas sumber di balik angka laporan", [
        Column("sumber", "Sumber", "text"), Column("periode", "Periode", "text"),
        Column("nama_file", "Berkas", "text"), Column("revisi", "Rev."),
        Column("sha256", "SHA-256", "text"), Column("baris", "Baris"),
        Column("status", "Status", "text"), Column("peringatan", "Peringatan", "text"),
        Column("dimuat", "Dimuat", "text"),
    ], rows, source="marts.mart_sumber_data")
