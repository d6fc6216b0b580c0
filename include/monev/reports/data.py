"""Reading the marts (and nothing else) into frames, and snapshotting them.

A report is rendered from a :class:`MartData` only, never from a live query, so the
snapshot written next to the report reproduces it exactly: `MartData.read(folder)`
gives the same frames the report was built from. Which columns a mart has, and their
types, is read from its dbt contract (the model's yml, `monev.transform.marts_doc`),
never restated here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd
import psycopg

from monev import periods
from monev.private_files import owner_only, tighten

TREND_MONTHS = 12
NATIONAL = "NASIONAL"
WILAYAH = "mart_monev_wilayah_bulanan"
_INTEGER = ("integer", "bigint", "smallint")


def contracts() -> dict[str, dict[str, str]]:
    """Each mart's columns in order, with their declared types (its dbt contract)."""
    from monev.transform import contracts as declared

    return declared.contracts()


@cache
def dbt_vars() -> dict:
    """The dbt project's vars (dbt_project.yml): words the marts write, e.g.
    `label_status`, that a report names without a row to read them from."""
    import yaml

    from monev.transform import marts_doc

    doc = yaml.safe_load((marts_doc.DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(doc.get("vars") or {})


def columns(mart: str) -> list[str]:
    return list(contracts()[mart])


def parse_periode(periode: str | dt.date) -> dt.date:
    if isinstance(periode, dt.date):
        return periode.replace(day=1)
    return periods.start(periode[:7])


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month `months` after the one `day` falls in."""
    return periods.start(periods.add(periods.of(day), months))


def _frame(cur: psycopg.Cursor, sql: str, params: tuple | dict = (),
           mart: str | None = None) -> pd.DataFrame:
    cur.execute(sql, params)
    cols = [d.name for d in cur.description or []]
    return typed(pd.DataFrame(cur.fetchall(), columns=cols), mart)


def typed(df: pd.DataFrame, mart: str | None = None) -> pd.DataFrame:
    """Numerics as float, counts as nullable ints (the contract's integer columns, even
    when all NULL), dates as dates, NULL kept as NA."""
    declared = contracts().get(mart or "", {})
    for col in df.columns:
        sample = df[col].dropna()
        first = sample.iloc[0] if len(sample) else None
        if isinstance(first, bool):
            df[col] = pd.array([None if pd.isna(v) else bool(v) for v in df[col]], "boolean")
        elif declared.get(col) in _INTEGER or isinstance(first, int):
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


def read_mart(cur: psycopg.Cursor, mart: str, where: str = "",
              params: tuple | dict = ()) -> pd.DataFrame:
    """The mart's contract columns (empty frame with them when the mart is not built)."""
    cols = columns(mart)
    if not _exists(cur, f"marts.{mart}"):
        return pd.DataFrame(columns=cols)
    return _frame(cur, f"SELECT {', '.join(cols)} FROM marts.{mart} {where}",
                  params if "%" in where else (), mart)


# MartData field -> (mart, filter; %(m)s is the report month, %(start)s the trend's first)
_MARTS = {
    "wilayah": (WILAYAH, "WHERE periode BETWEEN %(start)s AND %(m)s ORDER BY periode,"
                         " kode_wilayah"),
    "capaian_target": ("mart_capaian_target", "WHERE periode = %(m)s"),
    "nik_ganda": ("mart_nik_ganda", "WHERE periode = %(m)s"),
    "sumber_data": ("mart_sumber_data", "ORDER BY batch_id"),
    "dim_wilayah": ("dim_wilayah", ""),
    "status_sumber": ("mart_kesehatan_status_sumber", "WHERE periode = %(m)s ORDER BY urutan"),
    "kesegaran": ("mart_kesehatan_kesegaran", "WHERE periode = %(m)s"),
    "proyeksi": ("mart_proyeksi_target", "WHERE periode = %(m)s"),
}


@dataclass
class MartData:
    """The mart rows one report run reads: 12 months of regions plus the side marts."""

    periode: dt.date
    wilayah: pd.DataFrame        # mart_monev_wilayah_bulanan, M-11 .. M
    capaian_target: pd.DataFrame  # mart_capaian_target, month M
    nik_ganda: pd.DataFrame       # mart_nik_ganda, month M
    sumber_data: pd.DataFrame     # mart_sumber_data, every batch
    dim_wilayah: pd.DataFrame     # dim_wilayah (the region reference)
    # Data health (marts/health), month M: each source's status (section 9) and how far
    # behind each source is per region. Empty where those marts are not built.
    status_sumber: pd.DataFrame = field(default_factory=pd.DataFrame)
    kesegaran: pd.DataFrame = field(default_factory=pd.DataFrame)
    # mart_proyeksi_target, month M: each region on track / at risk / off track.
    proyeksi: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The sources the completeness plan found missing when it released the month
    # (monev.readiness.completeness); None: those status_sumber does not show loaded.
    missing: list[str] | None = None

    MARKER = "periode.txt"  # the file that marks a snapshot folder

    @classmethod
    def load(cls, conn: psycopg.Connection, periode: dt.date | str,
             missing: list[str] | None = None) -> MartData:
        """The month's rows (`periode` a date or `YYYY-MM`)."""
        periode = parse_periode(periode)
        bounds = {"m": periode, "start": add_months(periode, -(TREND_MONTHS - 1))}
        with conn.cursor() as cur:
            frames = {name: read_mart(cur, mart, where, bounds)
                      for name, (mart, where) in _MARTS.items()}
        return cls(periode, missing=missing, **frames)

    # --- what the build needs to know of a report kind's data (reports/build.py) -----
    @property
    def key(self) -> str:
        return self.periode.strftime("%Y-%m")

    label = key
    first = property(lambda self: self.periode)  # audit.report_runs.periode

    def _month(self) -> pd.DataFrame:
        return self.wilayah[self.wilayah["periode"] == self.periode]

    def has_rows(self) -> bool:
        return not self._month().empty

    def provinces(self) -> list[str]:
        w = self._month()
        return sorted(w.loc[w["tingkat"] == "PROVINSI", "kode_wilayah"].unique())

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in _MARTS}

    def write(self, folder: Path) -> list[Path]:
        """Write every frame as Parquet (types kept) so the report can be rebuilt.

        The rows are participant-level (nik_ganda: pseudonyms): the folder is 0700 and
        its files 0600 from their creation (monev.private_files)."""
        written = []
        with owner_only():
            folder.mkdir(parents=True, exist_ok=True)
            for name, df in self.frames().items():
                path = folder / f"{name}.parquet"
                df.to_parquet(path, index=False)
                written.append(path)
            if self.missing is not None:
                path = folder / "missing.json"
                path.write_text(json.dumps(self.missing), encoding="utf-8")
                written.append(path)
            (folder / "periode.txt").write_text(self.periode.isoformat() + "\n",
                                                encoding="utf-8")
        tighten(folder)  # a folder rewritten in place keeps its files' old modes
        return written

    @classmethod
    def read(cls, folder: Path) -> MartData:
        periode = dt.date.fromisoformat((folder / "periode.txt").read_text().strip())
        # Snapshots written before a frame existed simply lack its file.
        frames = {
            name: pd.read_parquet(folder / f"{name}.parquet")
            if (folder / f"{name}.parquet").exists() else pd.DataFrame()
            for name in _MARTS
        }
        missing = (json.loads((folder / "missing.json").read_text(encoding="utf-8"))
                   if (folder / "missing.json").exists() else None)
        return cls(periode=periode, missing=missing, **frames)

    def for_scope(self, scope: str) -> MartData:
        """Only the rows a province's report shows (its own, its kab/kota, the nation)."""
        if scope == NATIONAL:
            return self
        w = self.wilayah
        wilayah = w[(w["kode_provinsi"] == scope) | (w["kode_wilayah"].isin([scope, "00"]))]
        return replace(
            self, wilayah=wilayah.reset_index(drop=True),
            **{name: _by_region(getattr(self, name), scope) for name in
               ("capaian_target", "nik_ganda", "dim_wilayah", "kesegaran", "proyeksi")})


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
