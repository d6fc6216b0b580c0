"""What the semester report (Laporan Semester) says, for the nation or one province:
sections 1-7 of issue 24 plus the methodology, as :class:`~monev.reports.content.Table`
objects shared by the PDF/HTML template and the Excel annex.

Figures over the semester follow one rule: flows are summed over its months (new and
leaving participants, duplicate contributions), stocks are taken at its last month with
data (active participants, cumulative realisation), and ratios are the mart's ratio at
that month - never an average of monthly ratios.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from monev import catalog
from monev.periods import Semester
from monev.reports import charts, diff
from monev.reports import formatting as fmt
from monev.reports.data import NATIONAL, MartData, add_months, records
from monev.reports.sections import Column, Table
from monev.reports.semester_data import SemesterData

WILAYAH = Column("nama_wilayah", "Wilayah", "text")
STATUS_ORDER = {"off track": 0, "at risk": 1, "on track": 2, None: 3}
LABEL = {"on track": "Sesuai jalur", "at risk": "Berisiko", "off track": "Tidak sesuai jalur"}

# Semester findings: thresholds stated here and printed in the methodology.
STALLED_PP = 0.10          # coverage up by no more than this over the semester = stalled
LOW_ABSORPTION_SHARE = 0.5  # serapan below this share of the pro-rata (month/12) ...
CHRONIC_MONTHS = 3          # ... in at least this many months (and every month with budget)
RECURRING_MONTHS = 3        # double funding in at least this many months
MOVERS = 5                  # provinces named as moving most / least

SOURCES_MONTHLY = catalog.MONTHLY


@dataclass(frozen=True)
class SemesterRule:
    code: str
    title: str
    threshold: str
    recommendation: str


RULES = [
    SemesterRule("DI_BAWAH_TARGET_PERSISTEN", "Cakupan di bawah target sepanjang semester",
                 "capaian target < 100% di setiap bulan semester yang memiliki data",
                 "Susun rencana aksi percepatan kepesertaan dengan sasaran bulanan yang"
                 " terukur; utamakan pekerja rentan dan BPU."),
    SemesterRule("CAKUPAN_STAGNAN", "Cakupan stagnan atau menurun",
                 f"cakupan akhir semester naik tidak lebih dari {fmt.pp(STALLED_PP)}"
                 " dibanding awal semester (atau turun)",
                 "Telusuri peserta nonaktif dan hambatan pendaftaran; lakukan reaktivasi."),
    SemesterRule("TIDAK_SESUAI_JALUR", "Tidak sesuai jalur mencapai target akhir tahun",
                 "status 'off track' atau 'at risk' pada bulan terakhir semester"
                 " (mart_proyeksi_target)",
                 "Naikkan laju penambahan peserta sampai sama dengan laju yang dibutuhkan."),
    SemesterRule("SERAPAN_RENDAH_KRONIS", "Serapan anggaran rendah berulang",
                 f"serapan < {LOW_ABSORPTION_SHARE:.0%} dari porsi waktu berjalan di setiap"
                 f" bulan beranggaran, sekurang-kurangnya {CHRONIC_MONTHS} bulan",
                 "Percepat pembayaran iuran yang telah dianggarkan; selaraskan tagihan BPJS"
                 " dengan realisasi."),
    SemesterRule("IURAN_GANDA_BERULANG", "Pembiayaan ganda berulang",
                 f"peserta dibiayai ganda pada sekurang-kurangnya {RECURRING_MONTHS} bulan"
                 " semester",
                 "Rekonsiliasi data peserta antarpembayar dan hentikan pembayaran ganda."),
    SemesterRule("TANPA_REGULASI", "Belum ada regulasi daerah di akhir semester",
                 "tidak ada PERDA/PERGUB/PERBUP/PERWALI/KEPKADA s.d. akhir semester",
                 "Dorong penetapan regulasi kepala daerah sebelum semester berikutnya."),
]
RULES_BY_CODE = {r.code: r for r in RULES}

RULE_TEXT = (
    "Status proyeksi (mart_proyeksi_target, target Kemendagri UCJ tahun berjalan): laju"
    " dicapai = (cakupan bulan ini − cakupan bulan paling awal yang berdata di antara enam"
    " bulan terakhir, bulan ini termasuk) ÷ jumlah bulan di antaranya, dalam poin persen"
    " per bulan; laju dibutuhkan = (target − cakupan bulan ini) ÷ sisa bulan dalam tahun."
    " Sesuai jalur (on track): cakupan sudah mencapai target, atau laju dicapai ≥ laju"
    " dibutuhkan. Berisiko (at risk): laju dicapai ≥ 50% laju dibutuhkan. Tidak sesuai"
    " jalur (off track): selain itu, termasuk cakupan stagnan/menurun dan Desember di"
    " bawah target. Tanpa status bila target tidak tersedia, cakupan bulan ini tidak"
    " tersedia, atau kurang dari dua bulan data cakupan."
)


@dataclass
class SemesterFinding:
    rule: SemesterRule
    regions: list[str]
    detail: str

    @property
    def text(self) -> str:
        return f"{self.detail} {', '.join(self.regions)}".strip()


@dataclass
class SemesterContent:
    scope: str
    scope_name: str
    semester: Semester
    periode: dt.date  # the last month with data: the semester's figures are as of it
    months: list[dt.date]
    missing: list[dt.date]
    headline: dict[str, Any]
    tables: dict[str, Table]
    chart_uris: dict[str, str]
    findings: list[SemesterFinding]
    movers: dict[str, list[str]]
    meta: dict[str, Any] = field(default_factory=dict)


def _at(w: pd.DataFrame, periode: dt.date | None) -> dict[str, dict]:
    if periode is None or w.empty:
        return {}
    return {r["kode_wilayah"]: r for r in records(w[w["periode"] == periode])}


def _sub(a: object, b: object) -> float | None:
    return None if fmt.is_missing(a) or fmt.is_missing(b) else float(a) - float(b)


def build_semester_content(data: SemesterData, scope: str,
                           changes: list[str] | None = None,
                           previous_revision: int = 0) -> SemesterContent:
    sem = data.semester
    months = data.months_with_data()
    if not months:
        raise ValueError(f"no mart rows for {sem.label}")
    end, start = months[-1], months[0]
    # Baseline of "change over the semester": the month before it when delivered, else
    # the semester's first month with data (stated in the report).
    w = data.wilayah
    base_month = add_months(sem.first, -1)
    if w[w["periode"] == base_month].empty:
        base_month = start
    last_year = sem.year_before()
    ly_months = [m for m in last_year.months if not w[w["periode"] == m].empty]
    ly_end = ly_months[-1] if ly_months else None
    ly_base = add_months(last_year.first, -1)
    if w[w["periode"] == ly_base].empty:
        ly_base = ly_months[0] if ly_months else None

    at_end, at_base = _at(w, end), _at(w, base_month)
    at_ly_end, at_ly_base = _at(w, ly_end), _at(w, ly_base)
    code = "00" if scope == NATIONAL else scope
    own = at_end.get(code)
    scope_name = "Nasional" if scope == NATIONAL else (
        own["nama_wilayah"] if own else f"Provinsi {scope}")
    child_level = "PROVINSI" if scope == NATIONAL else "KABKOTA"
    children = sorted((r for r in at_end.values() if r["tingkat"] == child_level
                       and (scope == NATIONAL or r["kode_provinsi"] == scope)),
                      key=lambda r: r["kode_wilayah"])
    subjects = ([own] if own else []) + children
    unit = "Provinsi" if scope == NATIONAL else "Kabupaten/Kota"
    sem_rows = w[w["periode"].isin(months)]

    def flow(kode: str, col: str) -> int | float | None:
        vals = sem_rows.loc[sem_rows["kode_wilayah"] == kode, col].dropna()
        return None if vals.empty else vals.sum().item()

    # --- 1. Ringkasan ---------------------------------------------------------------
    ringkasan_rows = []
    for r in subjects:
        k = r["kode_wilayah"]
        b, lye, lyb = at_base.get(k, {}), at_ly_end.get(k, {}), at_ly_base.get(k, {})
        ringkasan_rows.append({
            **r, "cakupan_awal_persen": b.get("cakupan_persen"),
            "perubahan_semester_pp": _sub(r.get("cakupan_persen"), b.get("cakupan_persen")),
            "perubahan_semester_lalu_pp": _sub(lye.get("cakupan_persen"),
                                               lyb.get("cakupan_persen")),
            "peserta_baru_semester": flow(k, "peserta_baru"),
            "peserta_keluar_semester": flow(k, "peserta_keluar"),
        })
    tables: dict[str, Table] = {}
    tables["ringkasan"] = Table("Ringkasan", f"Cakupan akhir semester per wilayah ({unit})", [
        WILAYAH, Column("peserta_aktif", "Peserta aktif"),
        Column("penduduk_bekerja", "Penduduk bekerja"),
        Column("cakupan_awal_persen", "Cakupan awal", "pct"),
        Column("cakupan_persen", "Cakupan akhir", "pct"),
        Column("perubahan_semester_pp", "Perubahan semester", "pp"),
        Column("perubahan_semester_lalu_pp", "Perubahan semester yang sama tahun lalu", "pp"),
        Column("target_persen", "Target UCJ", "pct"),
        Column("capaian_target_persen", "Capaian target", "pct"),
        Column("peserta_baru_semester", "Peserta baru (Σ semester)"),
        Column("peserta_keluar_semester", "Peserta keluar (Σ semester)"),
    ], ringkasan_rows, note=(
        f"Cakupan awal = {fmt.month_name(base_month)}; cakupan akhir = {fmt.month_name(end)}."
        " Peserta baru/keluar dijumlahkan atas bulan-bulan semester; peserta aktif dan"
        " cakupan adalah posisi bulan terakhir."))
    cap = data.capaian_target
    target_rows = []
    if not cap.empty:
        cap_end = cap[(cap["periode"] == end) & (cap["kode_wilayah"] == code)]
        for r in records(cap_end.sort_values("sumber_target")):
            target_rows.append({**r, "cakupan_persen": own.get("cakupan_persen") if own else None})
    tables["target"] = Table("Target", f"Cakupan {scope_name} terhadap setiap seri target", [
        Column("sumber_target", "Seri target", "text"), Column("cakupan_persen", "Cakupan", "pct"),
        Column("target_persen", "Target", "pct"),
        Column("capaian_target_persen", "Capaian target", "pct"), Column("gap_pp", "Gap", "pp"),
    ], target_rows, source="marts.mart_capaian_target",
        note="Seri target sebagaimana disampaikan; seri yang tidak disampaikan tidak ditampilkan.")
    moved = [r for r in ringkasan_rows[1 if own else 0:]
             if r["perubahan_semester_pp"] is not None]
    moved.sort(key=lambda r: (-r["perubahan_semester_pp"], r["kode_wilayah"]))
    movers = {"naik": [f"{r['nama_wilayah']} ({fmt.pp(r['perubahan_semester_pp'])})"
                       for r in moved[:MOVERS]],
              "turun": [f"{r['nama_wilayah']} ({fmt.pp(r['perubahan_semester_pp'])})"
                        for r in moved[::-1][:MOVERS]] if len(moved) > MOVERS else []}
    own_ring = ringkasan_rows[0] if own else {}
    headline = {
        "cakupan": own.get("cakupan_persen") if own else None,
        "target": own.get("target_persen") if own else None,
        "capaian": own.get("capaian_target_persen") if own else None,
        "aktif": own.get("peserta_aktif") if own else None,
        "perubahan_pp": own_ring.get("perubahan_semester_pp"),
        "perubahan_lalu_pp": own_ring.get("perubahan_semester_lalu_pp"),
        "peserta_baru": own_ring.get("peserta_baru_semester"),
        "base_month": base_month, "end": end,
        "tahun_penduduk_bekerja": own.get("tahun_penduduk_bekerja") if own else None,
    }

    # --- 2. Trajectory --------------------------------------------------------------
    p = data.proyeksi
    p_end = {r["kode_wilayah"]: r for r in records(p[p["periode"] == end])} if not p.empty else {}
    coverage = {(r["periode"], r["kode_wilayah"]): r.get("cakupan_persen")
                for r in records(sem_rows[["periode", "kode_wilayah", "cakupan_persen"]])}
    traj_rows = []
    for r in subjects:
        k = r["kode_wilayah"]
        row = {"nama_wilayah": r["nama_wilayah"], "kode_wilayah": k}
        for m in months:
            row[f"cakupan_{m:%Y_%m}"] = coverage.get((m, k))
        pr = p_end.get(k, {})
        row.update({c: pr.get(c) for c in (
            "target_persen", "laju_dicapai_pp", "laju_dibutuhkan_pp",
            "proyeksi_akhir_tahun_persen", "bulan_data", "status", "alasan_tanpa_status")})
        row["label_status"] = LABEL.get(pr.get("status")) or (
            f"Tanpa status: {pr.get('alasan_tanpa_status') or 'tidak ada baris proyeksi'}")
        traj_rows.append(row)
    tables["proyeksi"] = Table("Proyeksi", "Lintasan cakupan dan proyeksi akhir tahun", [
        WILAYAH, *[Column(f"cakupan_{m:%Y_%m}", fmt.month_short(m), "pct") for m in months],
        Column("target_persen", f"Target {end.year}", "pct"),
        Column("laju_dicapai_pp", "Laju dicapai/bln", "pp"),
        Column("laju_dibutuhkan_pp", "Laju dibutuhkan/bln", "pp"),
        Column("proyeksi_akhir_tahun_persen", "Proyeksi Desember", "pct"),
        Column("bulan_data", "Bulan data"), Column("label_status", "Status", "text"),
    ], traj_rows, source="marts.mart_proyeksi_target, marts.mart_monev_wilayah_bulanan",
        note=f"Status per {fmt.month_name(end)}, menurut aturan di atas (juga di Catatan"
             " Metodologi).")
    counts = {s: sum(1 for r in traj_rows[1 if own else 0:] if r.get("status") == s)
              for s in ("on track", "at risk", "off track")}
    headline["status"] = LABEL.get(p_end.get(code, {}).get("status"))
    headline["status_counts"] = {LABEL[s]: n for s, n in counts.items()}

    # --- 3. Budget ------------------------------------------------------------------
    budget_rows = []
    for r in subjects:
        budget_rows.append({**r, "realisasi_ditagih_persen": (
            None if fmt.is_missing(r.get("realisasi_rp")) or not r.get("iuran_ditagih_rp")
            else float(r["realisasi_rp"]) / float(r["iuran_ditagih_rp"]) * 100)})
    title = f"Anggaran tahun {end.year} s.d. {fmt.month_name(end)}"
    tables["anggaran"] = Table("Anggaran", title, [
        WILAYAH, Column("pagu_rp", "Pagu", "rp"),
        Column("realisasi_rp", "Realisasi kumulatif", "rp"),
        Column("serapan_persen", "Serapan", "pct"),
        Column("iuran_ditagih_rp", "Iuran ditagih (kumulatif)", "rp"),
        Column("realisasi_ditagih_persen", "Realisasi ÷ ditagih", "pct"),
        Column("kewajaran_pagu_persen", "Kewajaran pagu", "pct"),
    ], budget_rows, note="Posisi bulan terakhir semester (realisasi dan tagihan kumulatif"
                         " sejak Januari); pagu dari versi anggaran terakhir tiap pemda.")
    versi = data.anggaran_versi
    versi_rows = []
    if not versi.empty:
        by_prov = {r["kode_wilayah"]: r["nama_wilayah"] for r in children} if scope == NATIONAL \
            else {scope: scope_name}
        piv: dict[str, dict] = {}
        for r in records(versi):
            prov = r["kode_provinsi"]
            row = piv.setdefault(prov, {"kode_wilayah": prov,
                                        "nama_wilayah": by_prov.get(prov, prov)})
            row[f"pagu_{str(r['versi']).lower()}_rp"] = r["pagu_rp"]
        versi_rows = [piv[k] for k in sorted(piv)]
    tables["versi"] = Table("Versi Anggaran", f"Pergerakan versi anggaran {sem.year}", [
        WILAYAH, Column("pagu_murni_rp", "Murni", "rp"),
        Column("pagu_pergeseran_rp", "Pergeseran", "rp"),
        Column("pagu_perubahan_rp", "Perubahan", "rp"),
    ], versi_rows, source="marts.fct_anggaran",
        note="Pagu seluruh pemda provinsi (pemprov dan kab/kota) per versi yang telah diterima;"
             " versi yang belum ada dibiarkan kosong.")

    # --- 4. Regulation --------------------------------------------------------------
    govts = [r for r in at_end.values() if r["tingkat"] in ("KABKOTA", "PROVINSI")
             and (scope == NATIONAL or r["kode_provinsi"] == scope)]
    issued, without = [], []
    for r in sorted(govts, key=lambda r: r["kode_wilayah"]):
        before = at_base.get(r["kode_wilayah"], {}).get("regulasi_ada")
        if r.get("regulasi_ada") is True and before is False:
            issued.append(r)
        elif r.get("regulasi_ada") is False:
            without.append(r)
    reg_cols = [Column("kode_wilayah", "Kode", "text"), WILAYAH,
                Column("regulasi_ada", "Regulasi", "bool")]
    tables["regulasi_baru"] = Table(
        "Regulasi Baru", "Pemda yang menetapkan regulasi selama semester", reg_cols, issued,
        note=f"Belum ada regulasi pada {fmt.month_name(base_month)}, ada pada"
             f" {fmt.month_name(end)}.")
    tables["tanpa_regulasi"] = Table("Tanpa Regulasi", "Pemda yang belum memiliki regulasi",
                                     reg_cols, without)

    # --- 5. Double funding ----------------------------------------------------------
    ganda_rows = []
    for m in months:
        r = _at(w, m).get(code, {})
        ganda_rows.append({"bulan": fmt.month_name(m), "nik_ganda": r.get("nik_ganda"),
                           "iuran_ganda_rp": r.get("iuran_ganda_rp")})
    ganda_rows.append({"bulan": "Jumlah iuran ganda semester", "nik_ganda": None,
                       "iuran_ganda_rp": flow(code, "iuran_ganda_rp")})
    tables["ganda"] = Table("Ganda Bulanan", f"Pembiayaan ganda {scope_name} per bulan", [
        Column("bulan", "Bulan", "text"), Column("nik_ganda", "NIK ganda"),
        Column("iuran_ganda_rp", "Iuran ganda", "rp"),
    ], ganda_rows, note="NIK ganda dihitung per bulan (tidak dijumlahkan: peserta yang sama"
                        " dapat muncul di beberapa bulan); iuran ganda dijumlahkan.")
    g = data.ganda_kombinasi
    komb_rows = []
    if not g.empty:
        gs = g[g["periode"].isin(months)]
        for komb, part in gs.groupby("kombinasi", sort=True):
            row = {"kombinasi": komb}
            for m in months:
                row[f"n_{m:%Y_%m}"] = int(part.loc[part["periode"] == m, "nik_ganda"].sum())
            row["iuran_ganda_rp"] = float(part["iuran_ganda_rp"].fillna(0).sum())
            komb_rows.append(row)
    tables["kombinasi"] = Table("Ganda Kombinasi", "Peserta dibiayai ganda menurut kombinasi"
                                " pembayar", [
        Column("kombinasi", "Kombinasi pembayar", "text"),
        *[Column(f"n_{m:%Y_%m}", fmt.month_short(m)) for m in months],
        Column("iuran_ganda_rp", "Iuran ganda (Σ semester)", "rp"),
    ], komb_rows, source="marts.mart_nik_ganda")

    # --- 6. Data --------------------------------------------------------------------
    keys = {m.strftime("%Y-%m") for m in sem.months} | {str(sem.year)}
    src_rows = []
    for r in records(data.sumber_data):
        period = str(r["period_key"] or "")
        if period[:7] in keys or (period[:4] == str(sem.year) and "/" in period):
            src_rows.append({
                "sumber": r["source"], "periode": period, "nama_file": r["file_name"],
                "revisi": r["revision"], "status": r["status"], "baris": r["rows"],
                "dimuat": str(r["loaded_at"] or "")[:16]})
    src_rows.sort(key=lambda r: (str(r["sumber"]), r["periode"], r["revisi"] or 0))
    tables["sumber"] = Table("Sumber Data", "Penyampaian data yang menjadi dasar semester", [
        Column("sumber", "Sumber", "text"), Column("periode", "Periode", "text"),
        Column("nama_file", "Berkas", "text"), Column("revisi", "Revisi"),
        Column("status", "Status", "text"), Column("baris", "Baris"),
        Column("dimuat", "Dimuat", "text"),
    ], src_rows, source="marts.mart_sumber_data")
    delivered = {(str(r["sumber"]), r["periode"][:7]) for r in src_rows
                 if r["status"] in ("loaded", None)}
    kurang = []
    for s in SOURCES_MONTHLY:
        absent = [fmt.month_short(m) for m in sem.months
                  if (s, m.strftime("%Y-%m")) not in delivered]
        if absent:
            kurang.append({"sumber": s, "bulan": ", ".join(absent)})
    tables["kurang"] = Table("Data Kurang", "Sumber bulanan yang belum diterima per bulan", [
        Column("sumber", "Sumber", "text"), Column("bulan", "Bulan tanpa data", "text"),
    ], kurang, source="marts.mart_sumber_data")
    revisi = [r for r in src_rows if (r["revisi"] or 0) > 0]

    # --- 7. Findings ----------------------------------------------------------------
    found: list[SemesterFinding] = []

    def add(code_: str, regions: list[dict], detail: str) -> None:
        if regions:
            found.append(SemesterFinding(RULES_BY_CODE[code_],
                                         [str(r["nama_wilayah"]) for r in regions], detail))

    persistent = []
    for r in subjects:
        vals = sem_rows.loc[sem_rows["kode_wilayah"] == r["kode_wilayah"],
                            "capaian_target_persen"].dropna()
        if not vals.empty and (vals < 100).all():
            persistent.append(r)
    add("DI_BAWAH_TARGET_PERSISTEN", persistent,
        f"{len(persistent)} wilayah di bawah target di setiap bulan semester:")
    stalled = [r for r in ringkasan_rows if r["perubahan_semester_pp"] is not None
               and r["perubahan_semester_pp"] <= STALLED_PP]
    add("CAKUPAN_STAGNAN", stalled, f"{len(stalled)} wilayah dengan cakupan stagnan/menurun:")
    behind = [r for r in traj_rows if r.get("status") in ("off track", "at risk")]
    add("TIDAK_SESUAI_JALUR", behind,
        f"{sum(1 for r in behind if r['status'] == 'off track')} wilayah tidak sesuai jalur"
        f" dan {sum(1 for r in behind if r['status'] == 'at risk')} berisiko:")
    chronic = []
    for r in subjects:
        rows = sem_rows[(sem_rows["kode_wilayah"] == r["kode_wilayah"])
                        & sem_rows["serapan_persen"].notna()]
        low = [x for x in records(rows)
               if x["serapan_persen"] < x["periode"].month / 12 * 100 * LOW_ABSORPTION_SHARE]
        if len(rows) >= CHRONIC_MONTHS and len(low) == len(rows):
            chronic.append(r)
    add("SERAPAN_RENDAH_KRONIS", chronic, f"{len(chronic)} wilayah dengan serapan rendah"
        " berulang:")
    recurring = []
    for r in children:
        vals = sem_rows.loc[sem_rows["kode_wilayah"] == r["kode_wilayah"], "nik_ganda"].fillna(0)
        if int((vals > 0).sum()) >= RECURRING_MONTHS:
            recurring.append(r)
    add("IURAN_GANDA_BERULANG", recurring, f"{len(recurring)} wilayah dengan pembiayaan ganda"
        f" di ≥ {RECURRING_MONTHS} bulan:")
    add("TANPA_REGULASI", without, f"{len(without)} pemda belum memiliki regulasi:")
    tables["temuan"] = Table("Temuan", "Temuan dan rekomendasi", [
        Column("judul", "Temuan", "text"), Column("jumlah", "Jumlah wilayah"),
        Column("wilayah", "Wilayah", "text"), Column("rekomendasi", "Rekomendasi", "text"),
    ], [{"judul": f.rule.title, "jumlah": len(f.regions), "wilayah": ", ".join(f.regions),
         "rekomendasi": f.rule.recommendation} for f in found], source="aturan temuan semester")

    # --- charts ---------------------------------------------------------------------
    trend = [r for r in records(w[(w["kode_wilayah"] == code) & w["periode"].isin(months)]
                                .sort_values("periode"))]
    chart_uris = {"tren": charts.trend(
        [fmt.month_short(r["periode"]) for r in trend], [r["cakupan_persen"] for r in trend],
        [r["target_persen"] for r in trend], f"Cakupan {scope_name}, {sem.label}")} if trend else {}

    return SemesterContent(
        scope=scope, scope_name=scope_name, semester=sem, periode=end, months=months,
        missing=data.missing_months(), headline=headline, tables=tables,
        chart_uris=chart_uris, findings=found, movers=movers,
        meta={"changes": changes, "previous": previous_revision, "revisi_data": revisi,
              "rule_text": RULE_TEXT, "rules": RULES, "base_month": base_month,
              "ly_end": ly_end, "unit": unit},
    )


# --- what changed between two revisions -----------------------------------------------
def changes_between(before: SemesterData, after: SemesterData) -> list[str]:
    """Per month of the semester, the figures that moved (diff.FIGURES), the source files
    that came or went, and projection statuses that changed at the last month."""
    lines: list[str] = []
    empty = pd.DataFrame()
    files: diff.Changes | None = None
    for m in after.semester.months:
        a = MartData(m, before.wilayah, empty, empty, before.sumber_data, empty)
        b = MartData(m, after.wilayah, empty, empty, after.sumber_data, empty)
        ch = diff.compare(a, b)
        files = ch
        if ch.moved or ch.added or ch.removed:
            only = replace(ch, files_in=[], files_out=[])
            lines += [f"{fmt.month_name(m)} — {line}" for line in only.lines()]
    if files is not None and (files.files_in or files.files_out):
        only = diff.Changes(files_in=files.files_in, files_out=files.files_out)
        lines += only.lines()
    end = max(after.months_with_data(), default=None)
    if end is not None and not before.proyeksi.empty and not after.proyeksi.empty:
        was = before.proyeksi
        old = {r["kode_wilayah"]: r for r in records(was[was["periode"] == end])}
        for r in records(after.proyeksi[after.proyeksi["periode"] == end]):
            o = old.get(r["kode_wilayah"])
            if o is not None and o.get("status") != r.get("status"):
                a, b = (LABEL.get(x.get("status"), "tanpa status") for x in (o, r))
                lines.append(f"{r['nama_wilayah']}: status {a} → {b}")
    return lines or ["Tidak ada angka yang berubah."]
