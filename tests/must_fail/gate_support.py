"""Helpers for the quality-gate cases: stage small batches in a real warehouse, run
the gate, and publish the way the pipeline does (only what passed)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
from openpyxl import Workbook

from monev.ingest import stage as ingest_stage
from monev.quality.gate import run_gate
from monev.records import GateOutcome, StagedBatch
from monev.sources.profile import BatchProfile
from monev.sources.registry import spec

BASE: dict[str, dict[str, Any]] = {
    "kepesertaan": dict(
        periode=date(2024, 3, 1), kode_wilayah="32.73", nama_wilayah="KOTA BANDUNG",
        segmen="PU", kategori_pekerja="UMUM", sumber_iuran="MANDIRI", tk_terdaftar=100,
        tk_aktif=80, tk_baru=5, tk_keluar=2, jumlah_proyek=None, iuran_rp=1_000_000,
    ),
    "peserta_rentan": dict(
        periode=date(2024, 3, 1), peserta_id="a" * 64, jenis_kelamin="P", tahun_lahir=1990,
        kode_wilayah_domisili="32.73", sumber_iuran="APBD_KABKOTA", kode_pemda_pembayar="32.73",
        program="JKK_JKM", tanggal_mulai=date(2023, 1, 1), status="AKTIF", iuran_rp=16_800,
        nik_valid=True, nik_tanggal_cocok=True, nik_kelamin_cocok=True, nik_kode_wilayah="32.73",
    ),
    "anggaran": dict(
        tahun=2024, versi="murni", kode_pemda="32.73", nama_pemda="KOTA BANDUNG",
        kode_skpd="1.01", nama_skpd="DISNAKER", kode_sub_kegiatan="2.07.02.1.01.0005",
        nama_sub_kegiatan="x", kode_rekening="5.1.02.02.02.0006", uraian_rekening="x",
        sasaran="PEKERJA_RENTAN", target_peserta=1000, pagu_rp=1000 * 16_800 * 12,
    ),
    "realisasi": dict(
        tahun=2024, bulan=3, kode_pemda="32.73", kode_sub_kegiatan="2.07.02.1.01.0005",
        kode_rekening="5.1.02.02.02.0006", sasaran="PEKERJA_RENTAN",
        realisasi_kumulatif_rp=50_000_000, peserta_dibayar=900,
    ),
}


def row(source: str, **changes: Any) -> dict[str, Any]:
    return {**BASE[source], **changes}


def period_of(source: str, first: dict[str, Any]) -> dict[str, Any]:
    if source not in BASE:  # reference files replace the whole table
        return {"period_key": "all"}
    if source in ("kepesertaan", "peserta_rentan"):
        p = first["periode"]
        return {"period_key": f"{p:%Y-%m}", "periode": p, "tahun": p.year, "bulan": p.month}
    if source == "anggaran":
        return {"period_key": f"{first['tahun']}/{first['versi']}", "tahun": first["tahun"],
                "versi": first["versi"]}
    return {"period_key": f"{first['tahun']}-{first['bulan']:02d}", "tahun": first["tahun"],
            "bulan": first["bulan"], "periode": date(first["tahun"], first["bulan"], 1)}


# Arrow types of the columns a profile reads (the rest are text).
_ARROW = {"periode": pa.date32(), "iuran_rp": pa.int64(), "source_row": pa.int32(),
          **{c: pa.bool_() for c in ("nik_valid", "nik_tanggal_cocok", "nik_kelamin_cocok")}}


def _profile(conn: psycopg.Connection, source: str, batch_id: int,
             rows: list[dict[str, Any]]) -> tuple[str, tuple[int, ...]]:
    """What the parser's streaming profile gives the pipeline, from these rows."""
    s = spec(source)
    names = [*dict.fromkeys([*s.profile, *s.grain]), "source_row"]
    table = pa.table({n: pa.array([r.get(n) for r in rows] if n != "source_row"
                                  else range(1, len(rows) + 1), _ARROW.get(n, pa.string()))
                      for n in names})
    profile = BatchProfile(s.profile, s.grain)
    profile.add(table)
    return (ingest_stage.stage_profile(conn, profile, source, batch_id),
            tuple(profile.grain_candidates()))


def stage(conn: psycopg.Connection, source: str, rows: list[dict[str, Any]],
          profiled: bool | None = None, **period: Any) -> StagedBatch:
    """Create the batch's audit row and staging table; rows are data rows 1, 2, …
    A source with a profile gets one, as the pipeline's stage step gives it (unless
    `profiled` is False: the gate then scans the rows)."""
    meta = {**period_of(source, rows[0]), **period}
    batch_id = conn.execute(
        "INSERT INTO audit.load_batches (source, period_key, file_name, sha256, bytes, rows)"
        " VALUES (%s, %s, %s, 'test', 1, %s) RETURNING batch_id",
        (source, meta["period_key"], f"{source}_test", len(rows)),
    ).fetchone()[0]
    table = f"stage.{source}__b{batch_id}"
    conn.execute(f"CREATE TABLE {table} (LIKE raw.{source} INCLUDING DEFAULTS)")
    cols = [*list(rows[0]), "batch_id", "source_row"]
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
            [[*r.values(), batch_id, i + 1] for i, r in enumerate(rows)],
        )
    conn.commit()
    conn.execute(f"ANALYZE {table}")  # as the pipeline's stage step does
    conn.commit()
    profile: dict[str, Any] = {}
    if spec(source).profile and profiled is not False:
        profile["profile_table"], profile["grain_candidates"] = _profile(
            conn, source, batch_id, rows)
        conn.commit()
    return StagedBatch(
        batch_id=batch_id, source=source, period_key=meta["period_key"],
        file_name=f"{source}_test", stage_table=table, rows=len(rows),
        periode=meta.get("periode"), tahun=meta.get("tahun"), bulan=meta.get("bulan"),
        versi=meta.get("versi"), **profile,
    )


def gate_and_publish(conn: psycopg.Connection, batch: StagedBatch) -> GateOutcome:
    """What the pipeline does around the gate: publish only a passing batch."""
    outcome = run_gate(conn, batch, docs=False)
    status = "loaded" if outcome.passed else "rejected"
    if outcome.passed:
        if batch.source == "peserta_rentan":
            part = f"raw.peserta_rentan_{batch.periode:%Y%m}"
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {part} PARTITION OF raw.peserta_rentan"
                f" FOR VALUES IN ('{batch.periode}')"
            )
        conn.execute(f"INSERT INTO raw.{batch.source} SELECT * FROM {batch.stage_table}")
    conn.execute(
        "UPDATE audit.load_batches SET status = %s, reasons = %s, warnings = %s,"
        " validated_at = now() WHERE batch_id = %s",
        (status, json.dumps([f.as_json() for f in outcome.errors]),
         json.dumps([f.as_json() for f in outcome.warnings]), batch.batch_id),
    )
    conn.commit()
    return outcome


def fingerprint(conn: psycopg.Connection, source: str) -> tuple[int, str]:
    """Row count and checksum of a raw table, to prove a rejection changed nothing."""
    count, digest = conn.execute(
        f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
        f" FROM raw.{source} AS t"
    ).fetchone()
    conn.rollback()
    return count, digest


# --- delivered files, for the cases that go through the real ingest pipeline ----------

FILE_COLUMNS = {
    "kepesertaan": ["periode", "kode_wilayah", "nama_wilayah", "segmen", "kategori_pekerja",
                    "sumber_iuran", "tk_terdaftar", "tk_aktif", "tk_baru", "tk_keluar",
                    "jumlah_proyek", "iuran_rp"],
    "peserta_rentan": ["periode", "nik", "nama", "jenis_kelamin", "tanggal_lahir",
                       "kode_wilayah_domisili", "sumber_iuran", "kode_pemda_pembayar", "program",
                       "tanggal_mulai", "status", "iuran_rp"],
    "anggaran": list(BASE["anggaran"]),
    "realisasi": list(BASE["realisasi"]),
}


def _file_row(source: str, r: dict[str, Any]) -> list[Any]:
    """A raw-shaped test row as the sender would deliver it. Participant rows get a
    synthetic NIK that reproduces the row's flags (woman born 1990-05-12: DD + 40)."""
    r = dict(r)
    if "periode" in r:
        r["periode"] = f"{r['periode']:%Y-%m}"
    if source == "peserta_rentan":
        seq = f"{ord(r['peserta_id'][0]) - ord('a') + 1:04d}"
        day = "12" if r["nik_kelamin_cocok"] is False else "52"
        r["nik"] = f"327301{day}0590{seq}" if r["nik_valid"] else f"32730152{seq}"
        r["nama"] = "Nama, Uji \"Satu\""
        r["tanggal_lahir"] = "1990-05-12" if r["nik_tanggal_cocok"] is not False else "1991-01-01"
        r["tanggal_mulai"] = f"{r['tanggal_mulai']:%Y-%m-%d}"
    return ["" if r.get(c) is None else r[c] for c in FILE_COLUMNS[source]]


def write_file(folder: Path, source: str, rows: list[dict[str, Any]]) -> Path:
    """Write rows (data rows 1, 2, … under the header) to a contract-named delivery file."""
    meta = period_of(source, rows[0])
    folder.mkdir(parents=True, exist_ok=True)
    body = [FILE_COLUMNS[source], *(_file_row(source, r) for r in rows)]
    if source == "kepesertaan":
        path = folder / f"kepesertaan_{meta['periode']:%Y%m}.csv"
        path.write_text("\n".join(";".join(map(str, x)) for x in body) + "\n", encoding="utf-8")
    elif source == "peserta_rentan":
        path = folder / f"peserta_rentan_{meta['periode']:%Y%m}.csv.gz"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(body)
        path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8")))
    else:
        name = (f"anggaran_{meta['tahun']}_{meta['versi']}.xlsx" if source == "anggaran"
                else f"realisasi_{meta['tahun']}{meta['bulan']:02d}.xlsx")
        path = folder / name
        wb = Workbook()
        ws = wb.active
        ws.title = source
        for line in body:
            ws.append(line)
        wb.save(path)
    return path
