"""Reading the marts (and nothing else) into frames, and snapshotting them.

A report is rendered from a :class:`MartData` only, never from a live query, so the
snapshot written next to the report reproduces it exactly: `MartData.read(folder)`
gives the same frames the report was built from.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path

import pandas as pd
import psycopg

# The public columns of marts.mart_monev_wilayah_bulanan (MARTS.md), in order.
WILAYAH_COLUMNS = [
    "periode", "tingkat", "kode_wilayah", "nama_wilayah", "kode_provinsi",
    "peserta_aktif", "peserta_terdaftar", "peserta_baru", "peserta_keluar",
    "peserta_aktif_pu", "peserta_aktif_bpu", "peserta_aktif_jakon", "peserta_aktif_pmi",
    "pekerja_rentan_aktif", "pekerja_rentan_aktif_apbd_provinsi",
    "pekerja_rentan_aktif_apbd_kabkota", "pekerja_rentan_aktif_apbdes",
    "pekerja_rentan_aktif_csr", "penduduk_bekerja", "tahun_penduduk_bekerja", "tahun_potensi",
    "cakupan_persen", "cakupan_potensi_persen", "target_persen", "capaian_target_persen",
    "gap_pp", "belum_terlindungi", "keaktifan_persen", "pertumbuhan_aktif_persen",
    "pagu_rp", "pagu_pemprov_rp", "realisasi_rp", "iuran_ditagih_rp", "pagu_rentan_rp",
    "target_peserta_rentan", "serapan_persen", "kewajaran_pagu_persen", "regulasi_ada",
    "regulasi_persen", "peringkat", "nik_ganda", "iuran_ganda_rp",
]
INT_COLUMNS = {
    "peserta_aktif", "peserta_terdaftar", "peserta_baru", "peserta_keluar",
    "peserta_aktif_pu", "peserta_aktif_bpu", "peserta_aktif_jakon", "peserta_aktif_pmi",
    "pekerja_rentan_aktif", "pekerja_rentan_aktif_apbd_provinsi",
    "pekerja_rentan_aktif_apbd_kabkota", "pekerja_rentan_aktif_apbdes",
    "pekerja_rentan_aktif_csr", "penduduk_bekerja", "tahun_penduduk_bekerja", "tahun_potensi",
    "belum_terlindungi", "target_peserta_rentan", "peringkat", "nik_ganda",
}
TREND_MONTHS = 12
NATIONAL = "NASIONAL"


def parse_periode(periode: str | dt.date) -> dt.date:
    if isinstance(periode, dt.date):
        return periode.replace(day=1)
    return dt.datetime.strptime(periode[:7], "%Y-%m").date()


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _frame(cur: psycopg.Cursor, sql: str, params: tuple = ()) -> pd.DataFrame:
    cur.execute(sql, params)
    cols = [d.name for d in cur.description or []]
    return typed(pd.DataFrame(cur.fetchall(), columns=cols))


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Numerics as float, counts as nullable ints, dates as dates, NULL kept as NA."""
    for col in df.columns:
        sample = df[col].dropna()
        first = sample.iloc[0] if len(sample) else None
        if isinstance(first, bool):
            df[col] = pd.array([None if pd.isna(v) else bool(v) for v in df[col]], "boolean")
        elif col in INT_COLUMNS or isinstance(first, int):
            df[col] = pd.array([None if pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
        elif isinstance(first, Decimal | float):
            df[col] = pd.array(
                [None if pd.isna(v) else float(v) for v in df[col]], dtype="Float64"
            )
        elif isinstance(first, dt.datetime):
            df[col] = [None if pd.isna(v) else v.isoformat() for v in df[col]]
        elif isinstance(first, dict | list):
            df[col] = [None if v is None else json.dumps(v, ensure_ascii=False) for v in df[col]]
    return df


def _exists(cur: psycopg.Cursor, relation: str) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (relation,))
    row = cur.fetchone()
    return bool(row and row[0])


@dataclass
class MartData:
    """The mart rows one report run reads: 12 months of regions plus the side marts."""

    periode: dt.date
    wilayah: pd.DataFrame        # mart_monev_wilayah_bulanan, M-11 .. M
    capaian_target: pd.DataFrame  # mart_capaian_target, month M
    nik_ganda: pd.DataFrame       # mart_nik_ganda, month M
    sumber_data: pd.DataFrame     # mart_sumber_data, every batch
    dim_wilayah: pd.DataFrame     # dim_wilayah (the region reference)
    # Data health (marts/health): every batch up to month M, and how far behind each
    # source is per region in month M. Empty where those marts are not built.
    muatan: pd.DataFrame = field(default_factory=pd.DataFrame)     # mart_kesehatan_muatan
    kesegaran: pd.DataFrame = field(default_factory=pd.DataFrame)  # mart_kesehatan_kesegaran
    # mart_proyeksi_target, month M: each region on track / at risk / off track.
    proyeksi: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def load(cls, conn: psycopg.Connection, periode: dt.date) -> MartData:
        start = add_months(periode, -(TREND_MONTHS - 1))
        with conn.cursor() as cur:
            wilayah = _frame(
                cur,
                f"SELECT {', '.join(WILAYAH_COLUMNS)} FROM marts.mart_monev_wilayah_bulanan"
                " WHERE periode BETWEEN %s AND %s ORDER BY periode, kode_wilayah",
                (start, periode),
            )
            side = {}
            for name, where in (
                ("mart_capaian_target", " WHERE periode = %s"),
                ("mart_nik_ganda", " WHERE periode = %s"),
                ("mart_sumber_data", ""),
                ("dim_wilayah", ""),
                ("mart_kesehatan_muatan", " WHERE periode IS NULL OR periode <= %s"),
                ("mart_kesehatan_kesegaran", " WHERE periode = %s"),
                ("mart_proyeksi_target", " WHERE periode = %s"),
            ):
                if _exists(cur, f"marts.{name}"):
                    side[name] = _frame(
                        cur, f"SELECT * FROM marts.{name}{where}", (periode,) if where else ()
                    )
                else:
                    side[name] = pd.DataFrame()
        return cls(
            periode, wilayah, side["mart_capaian_target"], side["mart_nik_ganda"],
            side["mart_sumber_data"], side["dim_wilayah"],
            side["mart_kesehatan_muatan"], side["mart_kesehatan_kesegaran"],
            side["mart_proyeksi_target"],
        )

    def frames(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "periode"}

    def write(self, folder: Path) -> list[Path]:
        """Write every frame as Parquet (types kept) so the report can be rebuilt."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, df in self.frames().items():
            path = folder / f"{name}.parquet"
            df.to_parquet(path, index=False)
            written.append(path)
        (folder / "periode.txt").write_text(self.periode.isoformat() + "\n", encoding="utf-8")
        return written

    @classmethod
    def read(cls, folder: Path) -> MartData:
        periode = dt.date.fromisoformat((folder / "periode.txt").read_text().strip())
        # Snapshots written before a frame existed simply lack its file.
        frames = {
            f.name: pd.read_parquet(folder / f"{f.name}.parquet")
            if (folder / f"{f.name}.parquet").exists() else pd.DataFrame()
            for f in fields(cls) if f.name != "periode"
        }
        return cls(periode=periode, **frames)

    def for_scope(self, scope: str) -> MartData:
        """Only the rows a province's report shows (its own, its kab/kota, the nation)."""
        if scope == NATIONAL:
            return self
        w = self.wilayah
        wilayah = w[(w["kode_provinsi"] == scope) | (w["kode_wilayah"].isin([scope, "00"]))]
        return MartData(
            self.periode, wilayah.reset_index(drop=True),
            _by_region(self.capaian_target, scope), _by_region(self.nik_ganda, scope),
            self.sumber_data, _by_region(self.dim_wilayah, scope), self.muatan,
            _by_region(self.kesegaran, scope), _by_region(self.proyeksi, scope),
        )


def _by_region(df: pd.DataFrame, scope: str) -> pd.DataFrame:
    for col in ("kode_provinsi", "kode_wilayah", "kode_wilayah_domisili"):
        if col in df.columns:
            codes = df[col].astype("string")
            keep = codes.str.startswith(scope) | codes.isin(["00"])
            return df[keep.fillna(False)].reset_index(drop=True)
    return df


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for NULL (what templates and Excel want)."""
    if df.empty:
        return []
    obj = df.astype(object)
    return obj.where(obj.notna(), None).to_dict("records")


def pick(row: dict, *names: str, default: object = None) -> object:
    """The first of several column names a side mart may use (its columns are less fixed)."""
    for name in names:
        if name in row and row[name] is not None:
            return row[name]
    return default
