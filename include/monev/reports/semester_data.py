"""The mart rows a semester report (Laporan Semester, Inpres 2/2021's six-monthly report
to the President) is built from, read from the marts only and snapshotted like a
monthly report's :class:`~monev.reports.data.MartData`.

A semester is keyed `YYYY-1` (January-June) or `YYYY-2` (July-December). The report
reads the semester's months and the same semester a year before (for the year-on-year
change), with the month before each semester as the baseline of "change over the
semester".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd
import psycopg

from monev.periods import Semester
from monev.private_files import owner_only, tighten
from monev.reports.data import (
    NATIONAL,
    WILAYAH,
    _by_region,
    _exists,
    _frame,
    add_months,
    columns,
    read_mart,
)


@dataclass
class SemesterData:
    """Every mart row one semester report reads (and its snapshot)."""

    semester: Semester
    # mart_monev_wilayah_bulanan: the month before the semester .. its last month, and the
    # same span a year before
    wilayah: pd.DataFrame
    capaian_target: pd.DataFrame   # mart_capaian_target, the semester's months
    proyeksi: pd.DataFrame         # mart_proyeksi_target, the semester's months
    ganda_kombinasi: pd.DataFrame  # mart_nik_ganda by month, province and payer combination
    anggaran_versi: pd.DataFrame   # fct_anggaran: pagu by province and budget version
    sumber_data: pd.DataFrame      # mart_sumber_data, every batch
    meta: dict = field(default_factory=dict)

    MARKER = "semester.txt"  # the file that marks a snapshot folder

    @classmethod
    def load(cls, conn: psycopg.Connection, semester: Semester | str,
             missing: object = None) -> SemesterData:
        """The semester's rows (`semester` a Semester or `YYYY-H`; a semester report is
        not held back for missing sources, so `missing` is not used)."""
        if isinstance(semester, str):
            semester = Semester.parse(semester)
        before = semester.year_before()
        spans = [(add_months(s.first, -1), s.last) for s in (semester, before)]
        with conn.cursor() as cur:
            wilayah = _frame(
                cur,
                f"SELECT {', '.join(columns(WILAYAH))} FROM marts.{WILAYAH}"
                " WHERE periode BETWEEN %s AND %s OR periode BETWEEN %s AND %s"
                " ORDER BY periode, kode_wilayah",
                (*spans[0], *spans[1]), WILAYAH,
            )
            months = (semester.first, semester.last)
            capaian = (_frame(cur, "SELECT periode, kode_wilayah, sumber_target, target_persen,"
                                   " capaian_target_persen, gap_pp FROM marts.mart_capaian_target"
                                   " WHERE periode BETWEEN %s AND %s", months)
                       if _exists(cur, "marts.mart_capaian_target") else pd.DataFrame())
            proyeksi = read_mart(cur, "mart_proyeksi_target", "WHERE periode BETWEEN %s AND %s"
                                 " ORDER BY periode, kode_wilayah", months)
            # The payer combination is the set of payer types of a participant's payments
            # ('APBD_KABKOTA + APBD_PROVINSI'); the pemda codes stay out of it.
            ganda = (_frame(cur, """
                SELECT periode, left(kode_wilayah_domisili, 2) AS kode_provinsi,
                       kombinasi, count(*) AS nik_ganda, sum(iuran_ganda_rp) AS iuran_ganda_rp
                FROM (SELECT periode, kode_wilayah_domisili, iuran_ganda_rp,
                             (SELECT string_agg(DISTINCT split_part(trim(p), ':', 1), ' + '
                                                ORDER BY split_part(trim(p), ':', 1))
                              FROM unnest(string_to_array(pembayar, ',')) AS p) AS kombinasi
                      FROM marts.mart_nik_ganda WHERE periode BETWEEN %s AND %s) AS g
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""", months)
                     if _exists(cur, "marts.mart_nik_ganda") else pd.DataFrame())
            versi = (_frame(cur, """
                SELECT tahun, kode_provinsi, versi, min(urutan_versi) AS urutan_versi,
                       sum(pagu_rp) AS pagu_rp
                FROM marts.fct_anggaran WHERE tahun = %s
                GROUP BY 1, 2, 3 ORDER BY 2, 4""", (semester.year,))
                     if _exists(cur, "marts.fct_anggaran") else pd.DataFrame())
            sumber = read_mart(cur, "mart_sumber_data", "ORDER BY batch_id")
        return cls(semester, wilayah, capaian, proyeksi, ganda, versi, sumber)

    # --- what the build needs to know of a report kind's data (reports/build.py) -----
    key = property(lambda self: self.semester.key)
    label = property(lambda self: self.semester.label)
    first = property(lambda self: self.semester.first)  # audit.report_runs.periode

    def has_rows(self) -> bool:
        return bool(self.months_with_data())

    def provinces(self) -> list[str]:
        """Those with rows at the semester's last month with data."""
        w = self.wilayah
        last = self.months_with_data()[-1]
        return sorted(w.loc[(w["periode"] == last) & (w["tingkat"] == "PROVINSI"),
                            "kode_wilayah"].unique())

    # --- which months the report rests on -------------------------------------------
    def months_with_data(self) -> list[dt.date]:
        w = self.wilayah
        have = set(w.loc[w["kode_wilayah"] == "00", "periode"]) if not w.empty else set()
        if not have and not w.empty:  # a province's slice always holds the nation's row
            have = set(w["periode"])
        return [m for m in self.semester.months if m in have]

    def missing_months(self) -> list[dt.date]:
        have = set(self.months_with_data())
        return [m for m in self.semester.months if m not in have]

    # --- snapshot -------------------------------------------------------------------
    def frames(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("semester", "meta")}

    def write(self, folder: Path) -> None:
        """Participant-level rows, as MartData.write: 0600 files in a 0700 folder."""
        with owner_only():
            folder.mkdir(parents=True, exist_ok=True)
            for name, df in self.frames().items():
                df.to_parquet(folder / f"{name}.parquet", index=False)
            (folder / "semester.txt").write_text(self.semester.key + "\n", encoding="utf-8")
        tighten(folder)

    @classmethod
    def read(cls, folder: Path) -> SemesterData:
        semester = Semester.parse((folder / "semester.txt").read_text().strip())
        frames = {f.name: pd.read_parquet(folder / f"{f.name}.parquet")
                  if (folder / f"{f.name}.parquet").exists() else pd.DataFrame()
                  for f in fields(cls) if f.name not in ("semester", "meta")}
        for name in ("wilayah", "capaian_target", "proyeksi", "ganda_kombinasi"):
            df = frames[name]
            if "periode" in df.columns:  # parquet gives dates back as dates already
                df["periode"] = [v if isinstance(v, dt.date) else pd.Timestamp(v).date()
                                 for v in df["periode"]]
        return cls(semester, **frames)

    def for_scope(self, scope: str) -> SemesterData:
        """Only the rows a province's annex shows (its own, its kab/kota, the nation)."""
        if scope == NATIONAL:
            return self
        w = self.wilayah
        wilayah = w[(w["kode_provinsi"] == scope) | (w["kode_wilayah"].isin([scope, "00"]))]
        p = self.proyeksi
        proyeksi = p[(p["kode_provinsi"] == scope) | (p["kode_wilayah"].isin([scope, "00"]))]
        g = self.ganda_kombinasi
        ganda = g[g["kode_provinsi"] == scope] if not g.empty else g
        v = self.anggaran_versi
        versi = v[v["kode_provinsi"] == scope] if not v.empty else v
        return SemesterData(self.semester, wilayah.reset_index(drop=True),
                            _by_region(self.capaian_target, scope),
                            proyeksi.reset_index(drop=True), ganda.reset_index(drop=True),
                            versi.reset_index(drop=True), self.sumber_data)
