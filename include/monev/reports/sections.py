"""The report's tables, declared as data: one list of sections (sheet, title, the mart
its rows come from, columns with their headers and formats).

A column's format follows its type in the mart's dbt contract and the naming rule's
affixes (`_persen`, `_pp`, `_rp`, `tahun…`) unless the section names one. The same
:class:`Table` feeds the PDF/HTML template (formatted) and the Excel annex (raw numbers),
so the annex always carries exactly what the report shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from monev import periods
from monev.reports import formatting as fmt
from monev.reports.data import WILAYAH, contracts

PAYERS = [
    ("pekerja_rentan_aktif_apbd_provinsi", "APBD Provinsi"),
    ("pekerja_rentan_aktif_apbd_kabkota", "APBD Kab/Kota"),
    ("pekerja_rentan_aktif_apbdes", "APBDes"),
    ("pekerja_rentan_aktif_csr", "CSR"),
]


def _text(v: Any) -> str:
    return fmt.MISSING if fmt.is_missing(v) else str(v)


def period_label(key: Any) -> str:
    """A period key as the report names it: a month by name, a budget by its key."""
    key = str(key)
    return fmt.month_name(periods.start(key)) if periods.is_month(key) else key


def _cutoff(key: Any) -> str:
    """The last day a delivery covers: a month's end; a budget is its APBD version."""
    key = str(key)
    if periods.is_month(key):
        return fmt.long_date(periods.end(key))
    return f"APBD {key.replace('/', ' versi ')}"


def _warnings(value: Any) -> str:
    """Gate warnings (a JSON array of {rule, message, ...}) as one line."""
    try:
        items = json.loads(str(value))
    except ValueError:
        return str(value)
    items = items if isinstance(items, list) else [items]
    return "; ".join(str(i.get("message") or i.get("rule") or i) if isinstance(i, dict)
                     else str(i) for i in items) or fmt.MISSING


LOAD_STATUS = {"loaded": "dimuat", "late": "dimuat", "missing": "belum ada berkas dimuat"}
# kind -> how a value is printed; a missing value is printed as fmt.MISSING (or the
# column's `blank`). The numeric kinds are numbers in the Excel annex.
KINDS: dict[str, Callable[[Any], str]] = {
    "int": fmt.num, "pct": fmt.pct, "rp": fmt.rupiah, "pp": fmt.pp, "bool": fmt.yes_no,
    "year": lambda v: str(int(v)), "text": _text, "period": period_label, "cutoff": _cutoff,
    "warnings": _warnings, "load": lambda v: LOAD_STATUS.get(v, str(v)),
    "gate": lambda v: "lolos" + (f", {int(v)} peringatan" if v else ""),
}
NUMERIC = ("int", "pct", "rp", "pp", "year")


def kind_of(column: str, data_type: str = "") -> str:
    """A column's formatting from the naming rule's affixes and its contract type."""
    if column.endswith("_persen"):
        return "pct"
    for affix in ("pp", "rp"):
        if column.endswith(f"_{affix}"):
            return affix
    if column.startswith("tahun"):
        return "year"
    if data_type == "boolean":
        return "bool"
    if data_type in ("integer", "bigint", "smallint") or data_type.startswith("numeric"):
        return "int"
    return "text"


@dataclass(frozen=True)
class Column:
    key: str      # the mart column (or a field the section computes)
    header: str
    kind: str = "int"  # see KINDS; in a Section, "" = from the contract (kind_of)
    blank: str | None = None  # printed for a missing value instead of fmt.MISSING

    def show(self, value: Any) -> str:
        if fmt.is_missing(value):
            return fmt.MISSING if self.blank is None else self.blank
        return KINDS[self.kind](value)


@dataclass
class Table:
    sheet: str
    title: str
    columns: list[Column]
    rows: list[dict]
    source: str = f"marts.{WILAYAH}"
    note: str = ""

    def cells(self) -> list[list[str]]:
        return [[c.show(r.get(c.key)) for c in self.columns] for r in self.rows]

    def numeric(self) -> list[bool]:
        return [c.kind in NUMERIC for c in self.columns]


@dataclass(frozen=True)
class Section:
    """One table of the report: its rows are `rows` of those build_content gathers."""

    name: str
    sheet: str
    title: str  # may name {unit}, {months}, {bulan}, {previous}
    rows: str
    columns: tuple[Column, ...]
    mart: str = WILAYAH  # the contract the columns' kinds come from
    source: str = ""  # the table's source note; default marts.<mart>
    note: str = ""

    def table(self, rows: list[dict], **words: Any) -> Table:
        """The section's table; a column keyed `…{m…}` is one column per month of
        `words["months"]` (the semester's), headed by the month's short name."""
        types = contracts().get(self.mart, {})
        cols = [c if c.kind else Column(c.key, c.header, kind_of(c.key, types.get(c.key, "")),
                                        c.blank) for c in self.columns]
        cols = [x for c in cols for x in (
            [Column(c.key.format(m=m), fmt.month_short(m), c.kind, c.blank)
             for m in words["months"]] if "{m" in c.key
            else [Column(c.key, c.header.format(**words), c.kind, c.blank)])]
        return Table(self.sheet, self.title.format(**words), cols, rows,
                     self.source.format(**words) or f"marts.{self.mart}",
                     self.note.format(**words))


def _cols(*spec: tuple) -> tuple[Column, ...]:
    """(key, header[, kind[, blank]]) each; no kind: the contract's."""
    return tuple(Column(s[0], s[1], s[2] if len(s) > 2 else "", *s[3:]) for s in spec)


WILAYAH_COL = ("nama_wilayah", "Wilayah")
SECTIONS: list[Section] = [
    Section("capaian", "Capaian", "Capaian kepesertaan per wilayah", "both", _cols(
        WILAYAH_COL, ("peserta_aktif", "Peserta aktif"), ("peserta_aktif_pu", "PU"),
        ("peserta_aktif_bpu", "BPU"), ("peserta_aktif_jakon", "JAKON"),
        ("peserta_aktif_pmi", "PMI"), ("penduduk_bekerja", "Penduduk bekerja"),
        ("tahun_penduduk_bekerja", "Tahun"), ("cakupan_persen", "Cakupan"),
        ("target_persen", "Target"), ("capaian_target_persen", "Capaian target"),
        ("gap_pp", "Gap"), ("belum_terlindungi", "Belum terlindungi"))),
    Section("tren", "Tren", "Tren {months} bulan", "trend", _cols(
        ("bulan", "Bulan", "text"), ("peserta_aktif", "Peserta aktif"),
        ("cakupan_persen", "Cakupan"), ("target_persen", "Target"),
        ("pertumbuhan_aktif_persen", "Pertumbuhan aktif"))),
    Section("peringkat", "Peringkat", "Peringkat {unit} menurut cakupan", "ranked", _cols(
        ("peringkat", "Peringkat"), WILAYAH_COL, ("cakupan_persen", "Cakupan"),
        ("capaian_target_persen", "Capaian target"), ("peserta_aktif", "Peserta aktif")),
        note="Wilayah tanpa angka cakupan tidak diberi peringkat."),
    Section("rentan", "Pekerja Rentan", "Pekerja rentan aktif menurut pembayar iuran", "both",
            _cols(WILAYAH_COL, ("pekerja_rentan_aktif", "Pekerja rentan aktif"), *PAYERS,
                  ("nik_ganda", "NIK ganda"), ("iuran_ganda_rp", "Iuran ganda"))),
    Section("anggaran", "Anggaran", "Dukungan anggaran APBD", "billing", _cols(
        WILAYAH_COL, ("pagu_rp", "Pagu"), ("pagu_pemprov_rp", "Pagu pemprov"),
        ("iuran_ditagih_rp", "Iuran ditagih"), ("realisasi_rp", "Realisasi"),
        ("selisih_tagihan_rp", "Ditagih − realisasi"),
        ("rasio_realisasi_tagihan_persen", "Realisasi ÷ ditagih"), ("serapan_persen", "Serapan"),
        ("pagu_rentan_rp", "Pagu pekerja rentan"),
        ("target_peserta_rentan", "Target peserta rentan"),
        ("kewajaran_pagu_persen", "Kewajaran pagu")),
        note="Ditagih − realisasi: iuran yang ditagihkan BPJS Ketenagakerjaan kepada pemda"
             " dikurangi realisasi belanjanya (positif = tagihan belum dibayar);"
             " realisasi ÷ ditagih × 100."),
    Section("regulasi", "Regulasi", "Regulasi daerah", "both", _cols(
        WILAYAH_COL, ("regulasi_ada", "Regulasi pemda"),
        ("regulasi_persen", "Kab/kota beregulasi"))),
    Section("keaktifan", "Keaktifan", "Kepesertaan baru dan keaktifan", "both", _cols(
        WILAYAH_COL, ("peserta_baru", "Peserta baru"), ("peserta_keluar", "Keluar"),
        ("peserta_terdaftar", "Terdaftar"), ("peserta_aktif", "Aktif"),
        ("keaktifan_persen", "Keaktifan"), ("pertumbuhan_aktif_persen", "Pertumbuhan aktif"))),
    Section("target", "Target", "Capaian menurut sumber target", "target", _cols(
        ("sumber_target", "Sumber target"), ("target_persen", "Target"),
        ("capaian_target_persen", "Capaian target"), ("gap_pp", "Gap")),
        mart="mart_capaian_target"),
    Section("nik_ganda", "NIK Ganda", "Peserta dibiayai ganda menurut kombinasi pembayar",
            "payers", _cols(("pembayar", "Pembayar"), ("peserta", "Peserta", "int"),
                            ("iuran_ganda_rp", "Iuran ganda")), mart="mart_nik_ganda"),
    Section("sumber", "Sumber Data", "Berkas sumber di balik angka laporan", "files", _cols(
        ("source", "Sumber"), ("periode", "Periode", "text"), ("file_name", "Berkas"),
        ("revision", "Rev."), ("sha256", "SHA-256"), ("rows", "Baris"),
        ("status", "Status"), ("warnings", "Peringatan", "warnings"),
        ("loaded_at", "Dimuat")), mart="mart_sumber_data"),
    Section("status_sumber", "Status Sumber", "Status sumber data untuk {bulan}", "status",
            _cols(("source", "Sumber"), ("period_key", "Periode terakhir", "period"),
                  ("period_key", "Batas data", "cutoff"), ("file_name", "Berkas"),
                  ("status_muatan", "Status muat", "load"),
                  ("jumlah_peringatan", "Gerbang mutu", "gate"),
                  ("bulan_tertinggal", "Tertinggal (bulan)"),
                  ("galat", "Ditolak bulan ini", "text", "tidak ada")),
            mart="mart_kesehatan_status_sumber",
            note="Periode terakhir: bulan terakhir yang dimuat s.d. bulan laporan; realisasi"
                 " tiap pemda diambil dari bulan terakhirnya (lihat temuan DATA_TERLAMBAT)."),
    Section("temuan", "Temuan", "Temuan dan rekomendasi", "findings", _cols(
        ("kode", "Aturan", "text"), ("judul", "Temuan", "text"), ("uraian", "Uraian", "text"),
        ("rekomendasi", "Rekomendasi", "text")), source="aturan temuan"),
    Section("perubahan", "Perubahan", "Perubahan dari revisi {previous}", "changes", _cols(
        WILAYAH_COL, ("angka", "Angka", "text"), ("sebelum", "Revisi sebelumnya", "text"),
        ("sesudah", "Revisi ini", "text")),
        source="snapshot revisi {previous} dan revisi ini"),
]


# --- the semester report (reports/semester.py gathers the rows) --------------------------
# Flows are summed over the semester's months, stocks taken at its last month with data;
# `{m:%Y_%m}` columns are one per month of the semester.
SEMESTER_SECTIONS: list[Section] = [
    Section("ringkasan", "Ringkasan", "Cakupan akhir semester per wilayah ({unit})", "ringkasan",
            _cols(WILAYAH_COL, ("peserta_aktif", "Peserta aktif", "int"),
                  ("penduduk_bekerja", "Penduduk bekerja", "int"),
                  ("cakupan_awal_persen", "Cakupan awal", "pct"),
                  ("cakupan_persen", "Cakupan akhir", "pct"),
                  ("perubahan_semester_pp", "Perubahan semester", "pp"),
                  ("perubahan_semester_lalu_pp", "Perubahan semester yang sama tahun lalu",
                   "pp"),
                  ("target_persen", "Target UCJ", "pct"),
                  ("capaian_target_persen", "Capaian target", "pct"),
                  ("peserta_baru_semester", "Peserta baru (Σ semester)", "int"),
                  ("peserta_keluar_semester", "Peserta keluar (Σ semester)", "int")),
            note="Cakupan awal = {awal}; cakupan akhir = {akhir}. Peserta baru/keluar"
                 " dijumlahkan atas bulan-bulan semester; peserta aktif dan cakupan adalah"
                 " posisi bulan terakhir."),
    Section("target", "Target", "Cakupan {scope_name} terhadap setiap seri target", "target",
            _cols(("sumber_target", "Seri target", "text"), ("cakupan_persen", "Cakupan", "pct"),
                  ("target_persen", "Target", "pct"),
                  ("capaian_target_persen", "Capaian target", "pct"), ("gap_pp", "Gap", "pp")),
            mart="mart_capaian_target",
            note="Seri target sebagaimana disampaikan; seri yang tidak disampaikan tidak"
                 " ditampilkan."),
    Section("proyeksi", "Proyeksi", "Lintasan cakupan dan proyeksi akhir tahun", "proyeksi",
            _cols(WILAYAH_COL, ("cakupan_{m:%Y_%m}", "", "pct"),
                  ("target_persen", "Target {tahun}", "pct"),
                  ("laju_dicapai_pp", "Laju dicapai/bln", "pp"),
                  ("laju_dibutuhkan_pp", "Laju dibutuhkan/bln", "pp"),
                  ("proyeksi_akhir_tahun_persen", "Proyeksi Desember", "pct"),
                  ("bulan_data", "Bulan data", "int"), ("label_status", "Status", "text"),
                  ("alasan_tanpa_status", "Keterangan", "text")),
            source="marts.mart_proyeksi_target, marts.mart_monev_wilayah_bulanan",
            note="Status per {akhir}, menurut aturan di atas (juga di Catatan Metodologi)."),
    Section("anggaran", "Anggaran", "Anggaran tahun {tahun} s.d. {akhir}", "anggaran",
            _cols(WILAYAH_COL, ("pagu_rp", "Pagu", "rp"),
                  ("realisasi_rp", "Realisasi kumulatif", "rp"),
                  ("serapan_persen", "Serapan", "pct"),
                  ("iuran_ditagih_rp", "Iuran ditagih (kumulatif)", "rp"),
                  ("rasio_realisasi_tagihan_persen", "Realisasi ÷ ditagih", "pct"),
                  ("kewajaran_pagu_persen", "Kewajaran pagu", "pct")),
            note="Posisi bulan terakhir semester (realisasi dan tagihan kumulatif sejak"
                 " Januari); pagu dari versi anggaran terakhir tiap pemda."),
    Section("versi", "Versi Anggaran", "Pergerakan versi anggaran {tahun_semester}", "versi",
            _cols(WILAYAH_COL, ("pagu_murni_rp", "Murni", "rp"),
                  ("pagu_pergeseran_rp", "Pergeseran", "rp"),
                  ("pagu_perubahan_rp", "Perubahan", "rp")),
            source="marts.fct_anggaran",
            note="Pagu seluruh pemda provinsi (pemprov dan kab/kota) per versi yang telah"
                 " diterima; versi yang belum ada dibiarkan kosong."),
    Section("regulasi_baru", "Regulasi Baru", "Pemda yang menetapkan regulasi selama semester",
            "regulasi_baru", _cols(("kode_wilayah", "Kode", "text"), WILAYAH_COL,
                                   ("regulasi_ada", "Regulasi", "bool")),
            note="Belum ada regulasi pada {awal}, ada pada {akhir}."),
    Section("tanpa_regulasi", "Tanpa Regulasi", "Pemda yang belum memiliki regulasi",
            "tanpa_regulasi", _cols(("kode_wilayah", "Kode", "text"), WILAYAH_COL,
                                    ("regulasi_ada", "Regulasi", "bool"))),
    Section("ganda", "Ganda Bulanan", "Pembiayaan ganda {scope_name} per bulan", "ganda",
            _cols(("bulan", "Bulan", "text"), ("nik_ganda", "NIK ganda", "int"),
                  ("iuran_ganda_rp", "Iuran ganda", "rp")),
            note="NIK ganda dihitung per bulan (tidak dijumlahkan: peserta yang sama dapat"
                 " muncul di beberapa bulan); iuran ganda dijumlahkan."),
    Section("kombinasi", "Ganda Kombinasi",
            "Peserta dibiayai ganda menurut kombinasi pembayar", "kombinasi",
            _cols(("kombinasi", "Kombinasi pembayar", "text"), ("n_{m:%Y_%m}", "", "int"),
                  ("iuran_ganda_rp", "Iuran ganda (Σ semester)", "rp")),
            mart="mart_nik_ganda"),
    Section("sumber", "Sumber Data", "Penyampaian data yang menjadi dasar semester", "sumber",
            _cols(("sumber", "Sumber", "text"), ("periode", "Periode", "text"),
                  ("nama_file", "Berkas", "text"), ("revisi", "Revisi", "int"),
                  ("status", "Status", "text"), ("baris", "Baris", "int"),
                  ("dimuat", "Dimuat", "text")),
            mart="mart_sumber_data"),
    Section("kurang", "Data Kurang", "Sumber bulanan yang belum diterima per bulan", "kurang",
            _cols(("sumber", "Sumber", "text"), ("bulan", "Bulan tanpa data", "text")),
            mart="mart_sumber_data"),
    Section("temuan", "Temuan", "Temuan dan rekomendasi", "temuan", _cols(
        ("judul", "Temuan", "text"), ("jumlah", "Jumlah wilayah", "int"),
        ("wilayah", "Wilayah", "text"), ("rekomendasi", "Rekomendasi", "text")),
        source="aturan temuan semester"),
]
