"""The three dashboards as a short spec: what each chart shows, from which mart, at which
grain. `monev.bi.bundle` writes Superset's v1 import bundle from it, and the BI tests
build the SQL each chart must equal from the same spec (tests/bi).

Every chart reads a mart at the grain it is defined at: tables list rows as they are
("raw"), and the few aggregates are counts or sums of amounts — a percentage is never
summed or averaged across rows; where a metric has to be written (a big number, a trend
line) it is MAX over exactly one row per group (the mart's grain), which is the row's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from monev.sources.peserta_rentan import ENUMS

PAYER_TYPES = ENUMS["sumber_iuran"]

# The month every Monev chart shows: the dashboard's month filter ("Bulan", a native
# filter on `periode`), else the latest month the viewer can see (RLS leaves the national
# rows to everyone, so every login has the same latest month).
ONE_MONTH = "bulan"   # the chosen month only
TWELVE_MONTHS = "tren"  # the 12 months ending at the chosen month


def latest_month(table: str) -> str:
    return f"(SELECT max(periode) FROM marts.{table})"


def month_condition(months: str, bulan: str) -> str:
    """The rows of `months` (ONE_MONTH | TWELVE_MONTHS) given `bulan`, a SQL date
    expression of the chosen month."""
    if months == ONE_MONTH:
        return f"periode = {bulan}"
    return f"periode > {bulan} - interval '12 months' AND periode <= {bulan}"


PERSEN = ",.2f"
ANGKA = ",d"
RUPIAH = "$,.0f"  # id_ID locale: "Rp 1.234.567"


@dataclass(frozen=True)
class Metric:
    label: str
    sql: str  # an aggregate over the grain (COUNT/SUM of amounts; MAX of one row)
    format: str = ANGKA


@dataclass(frozen=True)
class Chart:
    key: str  # stable: the chart's UUID is derived from it
    title: str
    table: str
    viz: str  # table | big_number_total | echarts_timeseries_line
    columns: tuple[str, ...] = ()  # raw table columns, or group-by columns
    metrics: tuple[Metric, ...] = ()
    where: tuple[str, ...] = ()  # SQL conditions besides the month
    months: str | None = None  # ONE_MONTH | TWELVE_MONTHS: follows the month filter
    computed: dict[str, str] = field(default_factory=dict)  # group-by column -> SQL
    order: tuple[tuple[str, bool], ...] = ()  # (column or metric label, ascending)
    formats: dict[str, str] = field(default_factory=dict)  # column -> d3 format
    labels: dict[str, str] = field(default_factory=dict)  # column -> Indonesian header
    width: int = 6  # of 12 grid columns
    height: int = 40

    @property
    def aggregate(self) -> bool:
        return bool(self.metrics)

    def conditions(self, bulan: str | None = None) -> list[str]:
        """Every condition on the mart's rows, with the chosen month `bulan` (a SQL date
        expression; default: the latest month)."""
        if self.months is None:
            return list(self.where)
        return [month_condition(self.months, bulan or latest_month(self.table)),
                *self.where]


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str
    slug: str
    charts: tuple[Chart, ...]
    month_filter: bool = False  # a "Bulan" filter on periode, the latest month by default


_WIL = "mart_monev_wilayah_bulanan"
LABELS = {  # column -> Indonesian header (the datasets' verbose names)
    "nama_wilayah": "Wilayah", "peringkat": "Peringkat", "peserta_aktif": "Peserta aktif",
    "penduduk_bekerja": "Penduduk bekerja", "cakupan_persen": "Cakupan (%)",
    "target_persen": "Target (%)", "capaian_target_persen": "Capaian target (%)",
    "gap_pp": "Selisih (pp)", "pagu_rp": "Pagu (Rp)", "realisasi_rp": "Realisasi (Rp)",
    "serapan_persen": "Serapan (%)", "pagu_rentan_rp": "Pagu pekerja rentan (Rp)",
    "kewajaran_pagu_persen": "Kewajaran pagu (%)", "regulasi_persen": "Kab/kota beregulasi (%)",
    "regulasi_ada": "Ada regulasi", "peserta_baru": "Peserta baru",
    "peserta_keluar": "Peserta keluar", "pertumbuhan_aktif_persen": "Pertumbuhan aktif (%)",
    "nik_ganda": "NIK ganda", "pembayar": "Kombinasi pembayar",
    "nama_wilayah_domisili": "Wilayah domisili", "file_name": "Berkas", "source": "Sumber",
    "period_key": "Periode", "status": "Status", "rows": "Baris",
    "alasan_utama": "Alasan utama", "rule": "Aturan", "severity": "Tingkat",
    "periode_terakhir": "Periode terakhir", "bulan_tertinggal": "Bulan tertinggal",
    "name": "Model/uji", "resource_type": "Jenis", "execution_time_s": "Detik",
    "batch_id": "Batch", "periode": "Bulan",
}
_FORMATS = {
    "peserta_aktif": ANGKA, "penduduk_bekerja": ANGKA, "peserta_baru": ANGKA,
    "peserta_keluar": ANGKA, "nik_ganda": ANGKA, "rows": ANGKA, "bulan_tertinggal": ANGKA,
    "cakupan_persen": PERSEN, "target_persen": PERSEN, "capaian_target_persen": PERSEN,
    "gap_pp": PERSEN, "serapan_persen": PERSEN, "kewajaran_pagu_persen": PERSEN,
    "regulasi_persen": PERSEN, "pertumbuhan_aktif_persen": PERSEN, "execution_time_s": ",.2f",
    "pagu_rp": RUPIAH, "realisasi_rp": RUPIAH, "pagu_rentan_rp": RUPIAH,
}


# The payer types of a double-funded participant, sorted and joined as the national
# report's double-funding table groups them (monev.reports.content._nik_ganda_table):
# "APBD_PROVINSI:62, APBD_KABKOTA:62.01" -> "APBD_KABKOTA + APBD_PROVINSI". Written as
# one substring test per type of the delivery's closed list (the gate refuses any
# other): at 6 M participants a month, splitting and sorting each row's list took
# the chart to ~2 s.
KOMBINASI = "Kombinasi pembayar"
KOMBINASI_PEMBAYAR = "concat_ws(' + ', {})".format(", ".join(
    f"CASE WHEN strpos(pembayar, '{t}') > 0 THEN '{t}' END"
    for t in sorted(PAYER_TYPES)))


def _chart(key: str, title: str, table: str, viz: str = "table", **kw: object) -> Chart:
    cols = kw.get("columns", ())
    kw.setdefault("labels", {c: LABELS[c] for c in cols if c in LABELS})  # type: ignore[union-attr]
    kw.setdefault("formats", {c: _FORMATS[c] for c in cols if c in _FORMATS})  # type: ignore[union-attr]
    return Chart(key, title, table, viz, **kw)  # type: ignore[arg-type]


def _nasional() -> Dashboard:
    return Dashboard("nasional", "Monev Nasional", "monev-nasional", (
        _chart("nas_cakupan", "Cakupan nasional (%)", _WIL, "big_number_total",
               metrics=(Metric("Cakupan nasional (%)", "MAX(cakupan_persen)", PERSEN),),
               months=ONE_MONTH, where=("kode_wilayah = '00'",), width=4, height=30),
        _chart("nas_peserta", "Peserta aktif nasional", _WIL, "big_number_total",
               metrics=(Metric("Peserta aktif", "MAX(peserta_aktif)", ANGKA),),
               months=ONE_MONTH, where=("kode_wilayah = '00'",), width=4, height=30),
        _chart("nas_target", "Target nasional (%)", _WIL, "big_number_total",
               metrics=(Metric("Target (%)", "MAX(target_persen)", PERSEN),),
               months=ONE_MONTH, where=("kode_wilayah = '00'",), width=4, height=30),
        _chart("nas_peringkat", "Cakupan terhadap target per provinsi (peringkat)", _WIL,
               columns=("peringkat", "nama_wilayah", "peserta_aktif", "penduduk_bekerja",
                        "cakupan_persen", "target_persen", "capaian_target_persen", "gap_pp"),
               months=ONE_MONTH, where=("tingkat = 'PROVINSI'",),
               order=(("peringkat", True), ("kode_wilayah", True)), width=12, height=40),
        _chart("nas_tren", "Tren 12 bulan: cakupan nasional dan target (%)", _WIL,
               "echarts_timeseries_line",
               metrics=(Metric("Cakupan (%)", "MAX(cakupan_persen)", PERSEN),
                        Metric("Target (%)", "MAX(target_persen)", PERSEN)),
               months=TWELVE_MONTHS, where=("kode_wilayah = '00'",), width=12),
        _chart("nas_anggaran", "Anggaran per provinsi: pagu, realisasi, serapan", _WIL,
               columns=("nama_wilayah", "pagu_rp", "realisasi_rp", "serapan_persen",
                        "pagu_rentan_rp", "kewajaran_pagu_persen"),
               months=ONE_MONTH, where=("tingkat = 'PROVINSI'",), order=(("kode_wilayah", True),)),
        _chart("nas_ganda", "Pendanaan ganda per kombinasi pembayar", "mart_nik_ganda",
               # a computed column's name is its header on screen
               columns=(KOMBINASI,), computed={KOMBINASI: KOMBINASI_PEMBAYAR},
               metrics=(Metric("Peserta", "COUNT(*)", ANGKA),
                        Metric("Iuran ganda (Rp)", "SUM(iuran_ganda_rp)", RUPIAH)),
               months=ONE_MONTH, order=(("Peserta", False), (KOMBINASI, True))),
        _chart("nas_regulasi", "Status regulasi daerah", _WIL,
               columns=("nama_wilayah", "regulasi_ada", "regulasi_persen"),
               months=ONE_MONTH, where=("tingkat = 'PROVINSI'",), order=(("kode_wilayah", True),)),
        _chart("nas_mutasi", "Peserta baru dan keluar per provinsi", _WIL,
               columns=("nama_wilayah", "peserta_baru", "peserta_keluar", "peserta_aktif",
                        "pertumbuhan_aktif_persen"),
               months=ONE_MONTH, where=("tingkat = 'PROVINSI'",), order=(("kode_wilayah", True),)),
    ), month_filter=True)


def _provinsi() -> Dashboard:
    return Dashboard("provinsi", "Monev Provinsi", "monev-provinsi", (
        _chart("prov_ringkasan", "Ringkasan provinsi", _WIL,
               columns=("nama_wilayah", "peserta_aktif", "cakupan_persen", "target_persen",
                        "peringkat", "pagu_rp", "realisasi_rp", "serapan_persen",
                        "regulasi_persen", "nik_ganda"),
               months=ONE_MONTH, where=("tingkat = 'PROVINSI'",), order=(("kode_wilayah", True),),
               width=12, height=40),
        _chart("prov_peringkat", "Cakupan kab/kota terhadap target (peringkat)", _WIL,
               columns=("peringkat", "nama_wilayah", "peserta_aktif", "penduduk_bekerja",
                        "cakupan_persen", "target_persen", "capaian_target_persen", "gap_pp"),
               months=ONE_MONTH, where=("tingkat = 'KABKOTA'",),
               order=(("peringkat", True), ("kode_wilayah", True)), width=12, height=40),
        _chart("prov_tren", "Tren 12 bulan: cakupan provinsi (%)", _WIL,
               "echarts_timeseries_line", columns=("nama_wilayah",),
               metrics=(Metric("Cakupan (%)", "MAX(cakupan_persen)", PERSEN),),
               months=TWELVE_MONTHS, where=("tingkat = 'PROVINSI'",), width=12),
        _chart("prov_anggaran", "Anggaran kab/kota: pagu, realisasi, serapan", _WIL,
               columns=("nama_wilayah", "pagu_rp", "realisasi_rp", "serapan_persen",
                        "pagu_rentan_rp", "kewajaran_pagu_persen"),
               months=ONE_MONTH, where=("tingkat = 'KABKOTA'",), order=(("kode_wilayah", True),)),
        _chart("prov_mutasi", "Peserta baru, keluar dan regulasi per kab/kota", _WIL,
               columns=("nama_wilayah", "peserta_baru", "peserta_keluar",
                        "pertumbuhan_aktif_persen", "regulasi_ada"),
               months=ONE_MONTH, where=("tingkat = 'KABKOTA'",), order=(("kode_wilayah", True),)),
        _chart("prov_ganda", "Pendanaan ganda per wilayah domisili", "mart_nik_ganda",
               columns=("nama_wilayah_domisili",),
               metrics=(Metric("Peserta", "COUNT(*)", ANGKA),
                        Metric("Iuran ganda (Rp)", "SUM(iuran_ganda_rp)", RUPIAH)),
               months=ONE_MONTH, order=(("Peserta", False), ("nama_wilayah_domisili", True)),
               width=12),
    ), month_filter=True)


def _kesehatan() -> Dashboard:
    return Dashboard("kesehatan", "Kesehatan Data", "kesehatan-data", (
        _chart("kes_muatan", "Kiriman berkas dan statusnya", "mart_kesehatan_muatan",
               columns=("batch_id", "file_name", "source", "period_key", "status", "rows",
                        "alasan_utama"),
               order=(("batch_id", False),), width=12, height=40),
        _chart("kes_aturan", "Aturan mutu yang gagal", "mart_kesehatan_aturan",
               columns=("rule", "severity"),
               metrics=(Metric("Berkas gagal", "COUNT(*)", ANGKA),
                        Metric("Baris gagal", "SUM(row_count)", ANGKA)),
               where=("success = false",), order=(("Berkas gagal", False), ("rule", True))),
        _chart("kes_kesegaran", "Sumber dan wilayah yang tertinggal (bulan terakhir)",
               "mart_kesehatan_kesegaran",
               columns=("source", "nama_wilayah", "periode_terakhir", "bulan_tertinggal"),
               months=ONE_MONTH, where=("terlambat",),
               order=(("source", True), ("kode_wilayah", True))),
        _chart("kes_dbt", "Hasil dbt terakhir: model dan uji", "mart_dbt_run_results",
               columns=("name", "resource_type", "status", "execution_time_s"),
               where=("invocation_id = (SELECT invocation_id FROM marts.mart_dbt_run_results"
                      " ORDER BY invocation_finished_at DESC LIMIT 1)",),
               order=(("execution_time_s", False), ("unique_id", True)), width=12,
               height=60),
    ))


DASHBOARDS: tuple[Dashboard, ...] = (_nasional(), _provinsi(), _kesehatan())
