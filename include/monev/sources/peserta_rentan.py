"""`peserta_rentan_<YYYYMM>[_revN].csv.gz`: the participant list (contract §2).

Personal data, 5–10 million rows a month: parsed in blocks with pyarrow, typed and
checked with vectorised compute, NIK flags computed and the NIK pseudonymised before
anything leaves this module. Names and birth dates never leave it; failure messages
cite rows, never values.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from monev.ingest.pseudonym import Pseudonymizer
from monev.sources.common import Failures, check_columns
from monev.sources.csvfile import UNREADABLE
from monev.sources.registry import SourceFile

TABLE = "raw.peserta_rentan"
INPUT_COLUMNS = (
    "periode", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "kode_wilayah_domisili",
    "sumber_iuran", "kode_pemda_pembayar", "program", "tanggal_mulai", "status", "iuran_rp",
)
COLUMNS = [
    "periode", "peserta_id", "jenis_kelamin", "tahun_lahir", "kode_wilayah_domisili",
    "sumber_iuran", "kode_pemda_pembayar", "program", "tanggal_mulai", "status", "iuran_rp",
    "nik_valid", "nik_tanggal_cocok", "nik_kelamin_cocok", "nik_kode_wilayah",
    "batch_id", "source_row",
]
ENUMS = {
    "jenis_kelamin": ("L", "P"),
    "sumber_iuran": ("APBD_PROVINSI", "APBD_KABKOTA", "APBDES", "CSR"),
    "program": ("JKK_JKM", "JKK_JKM_JHT"),
    "status": ("AKTIF", "NONAKTIF"),
}
PERSONAL = frozenset({"nik", "nama", "tanggal_lahir"})
BLOCK_BYTES = 16 << 20

Progress = Callable[[int, int], None]

_DAYS_IN_MONTH = pa.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], pa.int32())
_REGION = r"^\d{2}\.?\d{2}$"


def _ints(s: pa.Array, ok: pa.Array, start: int, stop: int) -> pa.Array:
    part = pc.utf8_slice_codeunits(s, start, stop)
    return pc.cast(pc.if_else(ok, part, "0"), pa.int32())


def _real_date(y: pa.Array, m: pa.Array, d: pa.Array) -> pa.Array:
    month_ok = pc.and_(pc.greater_equal(m, 1), pc.less_equal(m, 12))
    dim = pc.take(_DAYS_IN_MONTH, pc.if_else(month_ok, m, 0))
    leap = pc.and_(
        pc.equal(pc.subtract(y, pc.multiply(pc.divide(y, 4), 4)), 0),
        pc.or_(pc.not_equal(pc.subtract(y, pc.multiply(pc.divide(y, 100), 100)), 0),
               pc.equal(pc.subtract(y, pc.multiply(pc.divide(y, 400), 400)), 0)),
    )
    dim = pc.add(dim, pc.cast(pc.and_(leap, pc.equal(m, 2)), pa.int32()))
    return pc.and_(month_ok, pc.and_(pc.greater_equal(d, 1), pc.less_equal(d, dim)))


def _to_date(y: pa.Array, m: pa.Array, d: pa.Array, ok: pa.Array) -> pa.Array:
    text = pc.binary_join_element_wise(
        pc.utf8_lpad(pc.cast(y, pa.string()), 4, "0"),
        pc.utf8_lpad(pc.cast(m, pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(d, pa.string()), 2, "0"), "-",
    )
    dates = pc.cast(pc.if_else(ok, text, "1970-01-01"), pa.date32())
    return pc.if_else(ok, dates, pa.scalar(None, pa.date32()))


def iso_dates(s: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(date32 with nulls, valid mask) for `YYYY-MM-DD` text; impossible dates are invalid."""
    shaped = pc.match_substring_regex(s, r"^\d{4}-\d{2}-\d{2}$")
    y, m, d = _ints(s, shaped, 0, 4), _ints(s, shaped, 5, 7), _ints(s, shaped, 8, 10)
    ok = pc.and_(shaped, _real_date(y, m, d))
    return _to_date(y, m, d, ok), ok


def nik_flags(nik: pa.Array, periode: date) -> dict[str, pa.Array]:
    """Flags that need the clear NIK. The embedded date is DDMMYY (DD+40 for women);
    the century is the one that puts the date on or before the period."""
    is16 = pc.and_(pc.equal(pc.utf8_length(nik), 16), pc.utf8_is_digit(nik))
    dd, mm, yy = _ints(nik, is16, 6, 8), _ints(nik, is16, 8, 10), _ints(nik, is16, 10, 12)
    female = pc.greater(dd, 40)
    day = pc.if_else(female, pc.subtract(dd, 40), dd)
    cutoff = periode.year * 10000 + periode.month * 100 + 31
    ymd_2000 = pc.add(pc.add(pc.multiply(pc.add(yy, 2000), 10000), pc.multiply(mm, 100)), day)
    year = pc.if_else(pc.less_equal(ymd_2000, cutoff), pc.add(yy, 2000), pc.add(yy, 1900))
    valid = pc.and_(is16, _real_date(year, mm, day))
    embedded = _to_date(year, mm, day, valid)
    pp_kk = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(nik, 0, 2), pc.utf8_slice_codeunits(nik, 2, 4), ".")
    return {
        "nik_valid": valid,
        "embedded_date": embedded,
        "embedded_sex": pc.if_else(valid, pc.if_else(female, "P", "L"),
                                   pa.scalar(None, pa.string())),
        "nik_kode_wilayah": pc.if_else(is16, pp_kk, pa.scalar(None, pa.string())),
    }


def _read_header(sf: SourceFile) -> list[str]:
    with gzip.open(sf.path, "rt", encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


class _Block:
    """Typing of one record batch; failures go to the file's collector by row number."""

    def __init__(self, failures: Failures, first_row: int):
        self.failures = failures
        self.first_row = first_row
        self.ok: pa.Array | None = None

    def require(self, rule: str, column: str, what: str, good: pa.Array) -> None:
        good = pc.fill_null(good, False)
        bad = pc.indices_nonzero(pc.invert(good))
        if len(bad):
            rows = pc.add(bad, self.first_row).to_pylist()
            self.failures.add(rule, column, what, rows=rows)
        self.ok = good if self.ok is None else pc.and_(self.ok, good)


def _typed(batch: pa.RecordBatch, sf: SourceFile, batch_id: int, first_row: int,
           failures: Failures, pseudonymize: Pseudonymizer) -> pa.Table:
    assert sf.periode is not None
    blk = _Block(failures, first_row)
    col = {name: pc.utf8_trim_whitespace(batch.column(name)) for name in INPUT_COLUMNS
           if name != "nama"}  # the name is dropped unread
    n = batch.num_rows

    for name in INPUT_COLUMNS:
        if name in ("kode_pemda_pembayar", "nama"):
            continue  # empty payer is CSR; the name is never checked or stored
        blk.require("required", name, "empty value in a required column",
                    pc.not_equal(pc.utf8_length(col[name]), 0))

    shaped = pc.match_substring_regex(col["periode"], r"^\d{4}-\d{2}$")
    py, pm = _ints(col["periode"], shaped, 0, 4), _ints(col["periode"], shaped, 5, 7)
    periode_ok = pc.and_(shaped, _real_date(py, pm, pa.scalar(1, pa.int32())))
    periode = _to_date(py, pm, pc.cast(pa.scalar(1), pa.int32()), periode_ok)
    blk.require("date_format", "periode", "not a month YYYY-MM",
                pc.or_(periode_ok, pc.equal(pc.utf8_length(col["periode"]), 0)))

    for name, allowed in ENUMS.items():
        col[name] = pc.utf8_upper(col[name])
        blk.require("enum", name, f"not one of {'|'.join(allowed)}",
                    pc.or_(pc.is_in(col[name], pa.array(allowed)),
                           pc.equal(pc.utf8_length(col[name]), 0)))

    lahir, lahir_ok = iso_dates(col["tanggal_lahir"])
    blk.require("date_format", "tanggal_lahir", "not a date YYYY-MM-DD",
                pc.or_(lahir_ok, pc.equal(pc.utf8_length(col["tanggal_lahir"]), 0)))
    mulai, mulai_ok = iso_dates(col["tanggal_mulai"])
    blk.require("date_format", "tanggal_mulai", "not a date YYYY-MM-DD",
                pc.or_(mulai_ok, pc.equal(pc.utf8_length(col["tanggal_mulai"]), 0)))

    dom = col["kode_wilayah_domisili"]
    blk.require("region_code", "kode_wilayah_domisili", "malformed region code (PP.KK)",
                pc.or_(pc.match_substring_regex(dom, _REGION), pc.equal(pc.utf8_length(dom), 0)))
    dom = pc.replace_substring_regex(dom, r"^(\d{2})\.?(\d{2})$", r"\1.\2")
    payer = col["kode_pemda_pembayar"]
    payer_empty = pc.equal(pc.utf8_length(payer), 0)
    blk.require("region_code", "kode_pemda_pembayar", "malformed region code (PP or PP.KK)",
                pc.or_(pc.match_substring_regex(payer, r"^\d{2}(\.?\d{2})?$"), payer_empty))
    payer = pc.replace_substring_regex(payer, r"^(\d{2})\.?(\d{2})$", r"\1.\2")
    payer = pc.if_else(payer_empty, pa.scalar(None, pa.string()), payer)

    iuran_text = col["iuran_rp"]
    iuran_ok = pc.match_substring_regex(iuran_text, r"^-?\d{1,18}$")
    blk.require("number_format", "iuran_rp", "not an integer",
                pc.or_(iuran_ok, pc.equal(pc.utf8_length(iuran_text), 0)))
    iuran = pc.cast(pc.if_else(iuran_ok, iuran_text, "0"), pa.int64())

    flags = nik_flags(col["nik"], sf.periode)
    valid = flags["nik_valid"]
    lahir_known = pc.and_(valid, lahir_ok)
    tanggal_cocok = pc.if_else(lahir_known, pc.equal(flags["embedded_date"], lahir),
                               pa.scalar(None, pa.bool_()))
    kelamin_cocok = pc.if_else(valid, pc.equal(flags["embedded_sex"], col["jenis_kelamin"]),
                               pa.scalar(None, pa.bool_()))
    ids = pseudonymize.hex_array(col["nik"])

    keep = blk.ok if blk.ok is not None else pa.array([True] * n)
    out = pa.table({
        "periode": periode,
        "peserta_id": ids,
        "jenis_kelamin": col["jenis_kelamin"],
        "tahun_lahir": pc.cast(pc.year(lahir), pa.int16()),
        "kode_wilayah_domisili": dom,
        "sumber_iuran": col["sumber_iuran"],
        "kode_pemda_pembayar": payer,
        "program": col["program"],
        "tanggal_mulai": mulai,
        "status": col["status"],
        "iuran_rp": iuran,
        "nik_valid": valid,
        "nik_tanggal_cocok": tanggal_cocok,
        "nik_kelamin_cocok": kelamin_cocok,
        "nik_kode_wilayah": flags["nik_kode_wilayah"],
        "batch_id": pa.array(np.full(n, batch_id, dtype=np.int64)),
        "source_row": pa.array(np.arange(first_row, first_row + n, dtype=np.int32)),
    })
    return out.filter(keep)


def parse(
    sf: SourceFile, batch_id: int, failures: Failures, counter: list[int],
    progress: Progress | None = None, pseudonymize: Pseudonymizer | None = None,
) -> Iterator[bytes]:
    """Yield COPY CSV chunks (columns as COLUMNS) of the rows that could be typed."""
    try:
        header = _read_header(sf)
    except UNREADABLE as e:
        failures.add("file_unreadable", None, f"file cannot be read as gzip UTF-8 CSV "
                     f"({type(e).__name__})")
        return
    if not header:
        failures.add("file_unreadable", None, "file is empty (no header row)", rows=[1])
        return
    positions = check_columns(failures, header, INPUT_COLUMNS)
    if positions is None:
        return
    names = [h.strip().lower() for h in header]
    pseudonymize = pseudonymize or Pseudonymizer()
    field_count_rows: list[int | None] = []

    def bad_row(row: pcsv.InvalidRow) -> str:
        # The row's text holds personal data: keep only its number.
        field_count_rows.append(row.number)
        return "skip"

    raw = pa.OSFile(str(sf.path))
    total = raw.size()
    try:
        reader = pcsv.open_csv(
            pa.CompressedInputStream(raw, "gzip"),
            read_options=pcsv.ReadOptions(block_size=BLOCK_BYTES, skip_rows=1,
                                          column_names=names),
            parse_options=pcsv.ParseOptions(delimiter=",", newlines_in_values=True,
                                            invalid_row_handler=bad_row),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False),
        )
        next_row = 2
        opts = pcsv.WriteOptions(include_header=False, quoting_style="needed")
        for batch in reader:
            typed = _typed(batch, sf, batch_id, next_row, failures, pseudonymize)
            next_row += batch.num_rows
            counter[0] += typed.num_rows
            buf = io.BytesIO()
            pcsv.write_csv(typed, buf, write_options=opts)
            yield buf.getvalue()
            if progress:
                progress(raw.tell(), total)
    except (pa.ArrowInvalid, *UNREADABLE) as e:
        # Arrow's message may quote the offending line (personal data): name the type only.
        failures.add("file_unreadable", None,
                     f"file cannot be parsed as RFC 4180 CSV ({type(e).__name__})")
    finally:
        raw.close()
    if field_count_rows:
        known = [r for r in field_count_rows if r is not None]
        failures.add("field_count", None, "row has a different number of fields than the header",
                     rows=known, count=len(field_count_rows))
