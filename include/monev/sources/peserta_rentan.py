"""`peserta_rentan_<YYYYMM>[_revN].csv.gz`: the participant list (contract §2).

Personal data, 5–10 million rows a month: parsed in blocks with pyarrow, typed and
checked with vectorised compute, NIK flags computed and the NIK pseudonymised before
anything leaves this module. Names and birth dates never leave it; failure messages
cite rows, never values.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from monev import periods
from monev.records import MAX_ROWS_CITED
from monev.sources.csvfile import (
    UNREADABLE,
    bounded_lines,
    limit_exceeded,
    open_binary,
    read_header,
    unreadable,
)
from monev.sources.failures import Failures, check_columns
from monev.sources.limits import LimitExceeded, Meter
from monev.sources.profile import BatchProfile
from monev.sources.pseudonym import Pseudonymizer
from monev.sources.spec import SourceFile, SourceSpec

INPUT_COLUMNS = (
    "periode", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "kode_wilayah_domisili",
    "sumber_iuran", "kode_pemda_pembayar", "program", "tanggal_mulai", "status", "iuran_rp",
)
COLUMNS = (
    "periode", "peserta_id", "jenis_kelamin", "tahun_lahir", "kode_wilayah_domisili",
    "sumber_iuran", "kode_pemda_pembayar", "program", "tanggal_mulai", "status", "iuran_rp",
    "nik_valid", "nik_tanggal_cocok", "nik_kelamin_cocok", "nik_kode_wilayah",
    "batch_id", "source_row",
)
# Programme packages a budget buys, with the standard monthly tariff (dim_program).
PROGRAM: dict[str, dict[str, str | int]] = {
    "JKK_JKM": {"nama": "JKK + JKM", "keterangan": "Work accident and death, Rp16.800 a month",
                "iuran_bulanan_rp": 16800},
    "JKK_JKM_JHT": {"nama": "JKK + JKM + JHT",
                    "keterangan": "Work accident, death and old-age savings, Rp36.800 a month",
                    "iuran_bulanan_rp": 36800},
}
ENUMS = {
    "jenis_kelamin": ("L", "P"),
    "sumber_iuran": ("APBD_PROVINSI", "APBD_KABKOTA", "APBDES", "CSR"),
    "program": tuple(PROGRAM),
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


def _nik_digits(nik: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(n × 16 digit values, mask of the NIKs that are exactly 16 ASCII digits), read
    straight off the string array's buffers: a NIK is fixed-width, so no per-row text."""
    nik = nik.cast(pa.string())  # 32-bit offsets, as read below
    n = len(nik)
    offsets = np.frombuffer(nik.buffers()[1], np.int32, n + 1, nik.offset * 4)
    data_buf = nik.buffers()[2]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None and data_buf.size else (
        np.zeros(1, np.uint8))
    ok = np.diff(offsets) == 16
    if nik.null_count:
        ok &= nik.is_valid().to_numpy(zero_copy_only=False)
    if n and ok.all():  # the usual block: one contiguous n × 16 slab
        block = data[offsets[0]:offsets[0] + 16 * n].reshape(n, 16)
    else:
        block = data[np.minimum(offsets[:-1, None] + np.arange(16), len(data) - 1)]
    digits = block - np.uint8(48)  # uint8: bytes below '0' wrap past 9 too
    ok &= (digits <= 9).all(axis=1)
    digits[~ok] = 0
    return digits, ok


def _real_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    month_ok = (m >= 1) & (m <= 12)
    dim = _DAYS_IN_MONTH.to_numpy()[np.where(month_ok, m, 0)]
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    dim = dim + (leap & (m == 2))
    return month_ok & (d >= 1) & (d <= dim)


def nik_flags(nik: pa.Array, periode: date) -> dict[str, pa.Array]:
    """Flags that need the clear NIK (16 ASCII digits, PPKKCC DDMMYY SSSS). The embedded
    date is DDMMYY (DD+40 for women); the century is the one that puts the date on or
    before the period."""
    digits, is16 = _nik_digits(nik)
    two = digits.astype(np.int32)
    dd, mm, yy = (two[:, i] * 10 + two[:, i + 1] for i in (6, 8, 10))
    female = dd > 40
    day = np.where(female, dd - 40, dd)
    cutoff = periode.year * 10000 + periode.month * 100 + 31
    year = np.where((yy + 2000) * 10000 + mm * 100 + day <= cutoff, yy + 2000, yy + 1900)
    valid = is16 & _real_ymd(year, mm, day)
    months = np.where(valid, (year - 1970) * 12 + mm - 1, 0).astype("datetime64[M]")
    days = (months.astype("datetime64[D]") + np.where(valid, day - 1, 0)).astype(np.int32)
    code = np.empty((len(nik), 5), np.uint8)
    code[:, 0:2], code[:, 2], code[:, 3:5] = digits[:, 0:2] + 48, ord("."), digits[:, 2:4] + 48
    return {
        "nik_valid": pa.array(valid),
        "embedded_date": pa.array(days, pa.int32(), mask=~valid).view(pa.date32()),
        "embedded_female": pa.array(female, mask=~valid),
        "nik_kode_wilayah": pa.StringArray.from_buffers(
            len(nik), pa.py_buffer(np.arange(0, 5 * len(nik) + 1, 5, dtype=np.int32)),
            pa.py_buffer(code), pa.array(is16).buffers()[1] if not is16.all() else None,
        ),
    }


def _field_count_rows(sf: SourceFile, width: int, meter: Meter) -> list[int]:
    """Data-row numbers (capped) of rows whose field count differs from the header.
    Arrow cannot number such rows when values may hold newlines, so a file that has
    them — one about to be rejected — is read once more, row by row, up to the last row
    cited (Arrow has counted them all)."""
    cited: list[int] = []
    row_no = 0
    with open_binary(sf.path, True) as fh:
        reader = csv.reader(bounded_lines(fh, meter=meter))
        next(reader, None)
        for cells in reader:
            if not cells:  # Arrow skips empty lines too, without numbering them
                continue
            row_no += 1
            if len(cells) != width:
                cited.append(row_no)
                if len(cited) == MAX_ROWS_CITED:
                    break
    return cited


class _Metered:
    """The inflated stream Arrow's reader pulls its blocks from, each block counted
    (bytes, line feeds: one vectorised pass, nothing per row) against the caps as it
    passes. A cap passed is kept, and Arrow is shown the end of the file from then on:
    nothing is raised through Arrow's reader, which then ends cleanly with what it holds
    (an exception thrown through it can leave its read-ahead behind to abort the process
    at exit)."""

    def __init__(self, stream: pa.NativeFile, meter: Meter):
        self._stream = stream
        self._meter = meter
        self.exceeded: LimitExceeded | None = None
        self.closed = False

    def stop(self, e: LimitExceeded) -> None:
        self.exceeded = e

    def read_buffer(self, nbytes: int = -1) -> pa.Buffer:
        if self.exceeded is not None:
            return _END
        block = self._stream.read_buffer(nbytes)
        try:
            self._meter.add_block(memoryview(block))
        except LimitExceeded as e:
            self.exceeded = e
            return _END
        return block

    def read(self, nbytes: int = -1) -> bytes:
        return self.read_buffer(nbytes).to_pybytes()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


# Arrow's own memory: Arrow's read-ahead thread may hold the last buffer it read until
# the process exits, and one made from a Python object (py_buffer(b"")) then aborted the
# process at exit ("terminate called without an active exception") in ~1 run in 3.
_END = pa.allocate_buffer(0)


def _quiet_invalid_rows() -> Callable[[sys.UnraisableHookArgs], object]:
    """Arrow decodes a malformed row to text before it calls the invalid-row handler;
    invalid UTF-8 there raises inside Arrow, which prints it as 'Exception ignored' with
    a traceback (and the row's bytes) and then fails the read — which is reported. Keep
    that print off the console while a participant file is read; returns the hook to
    put back."""
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, UnicodeDecodeError):
            previous(unraisable)

    sys.unraisablehook = hook
    return previous


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


Check = tuple[str, str, pa.Array]  # rule suffix, what is wrong, ok mask per value


def _empty(v: pa.Array) -> pa.Array:
    return pc.equal(pc.utf8_length(v), 0)


def _required(v: pa.Array) -> Check:
    return ("required", "empty value in a required column", pc.invert(_empty(v)))


def _month(v: pa.Array) -> tuple[pa.Array, list[Check]]:
    shaped = pc.match_substring_regex(v, periods.MONTH_PARAM_PATTERN)
    y, m = _ints(v, shaped, 0, 4), _ints(v, shaped, 5, 7)
    one = pa.scalar(1, pa.int32())
    ok = pc.and_(shaped, _real_date(y, m, one))
    return _to_date(y, m, one, ok), [
        _required(v), ("date_format", "not a month YYYY-MM", pc.or_(ok, _empty(v)))]


def _date(v: pa.Array) -> tuple[pa.Array, list[Check]]:
    typed, ok = iso_dates(v)
    return typed, [_required(v), ("date_format", "not a date YYYY-MM-DD", pc.or_(ok, _empty(v)))]


def _enum(allowed: tuple[str, ...]) -> Callable[[pa.Array], tuple[pa.Array, list[Check]]]:
    def typed(v: pa.Array) -> tuple[pa.Array, list[Check]]:
        upper = pc.utf8_upper(v)
        ok = pc.or_(pc.is_in(upper, pa.array(allowed)), _empty(v))
        return upper, [_required(v), ("enum", f"not one of {'|'.join(allowed)}", ok)]
    return typed


def _domicile(v: pa.Array) -> tuple[pa.Array, list[Check]]:
    ok = pc.or_(pc.match_substring_regex(v, _REGION), _empty(v))
    return pc.replace_substring_regex(v, r"^(\d{2})\.?(\d{2})$", r"\1.\2"), [
        _required(v), ("region_code", "malformed region code (PP.KK)", ok)]


def _payer(v: pa.Array) -> tuple[pa.Array, list[Check]]:
    empty = _empty(v)  # CSR has no paying government
    ok = pc.or_(pc.match_substring_regex(v, r"^\d{2}(\.?\d{2})?$"), empty)
    code = pc.replace_substring_regex(v, r"^(\d{2})\.?(\d{2})$", r"\1.\2")
    return pc.if_else(empty, pa.scalar(None, pa.string()), code), [
        ("region_code", "malformed region code (PP or PP.KK)", ok)]


def _integer(v: pa.Array) -> tuple[pa.Array, list[Check]]:
    ok = pc.match_substring_regex(v, r"^-?\d{1,18}$")
    return pc.cast(pc.if_else(ok, v, "0"), pa.int64()), [
        _required(v), ("number_format", "not an integer", pc.or_(ok, _empty(v)))]


_TYPERS: dict[str, Callable[[pa.Array], tuple[pa.Array, list[Check]]]] = {
    "periode": _month,
    "jenis_kelamin": _enum(ENUMS["jenis_kelamin"]),
    "tanggal_lahir": _date,
    "kode_wilayah_domisili": _domicile,
    "sumber_iuran": _enum(ENUMS["sumber_iuran"]),
    "kode_pemda_pembayar": _payer,
    "program": _enum(ENUMS["program"]),
    "tanggal_mulai": _date,
    "status": _enum(ENUMS["status"]),
    "iuran_rp": _integer,
}
# Read dictionary-encoded: every column but the NIK repeats a lot, so each distinct
# value is trimmed, checked and typed once and the result taken back to the rows.
READ_TYPES = {name: pa.dictionary(pa.int32(), pa.string()) for name in _TYPERS}
READ_TYPES["nik"] = pa.string()


def _column(batch: pa.RecordBatch, name: str, blk: _Block) -> pa.Array:
    arr = batch.column(name)
    encoded = pa.types.is_dictionary(arr.type)
    values = pc.utf8_trim_whitespace(arr.dictionary if encoded else arr)
    typed, checks = _TYPERS[name](values)
    for rule, what, ok in checks:
        blk.require(rule, name, what, pc.take(ok, arr.indices) if encoded else ok)
    return pc.take(typed, arr.indices) if encoded else typed


def _typed(batch: pa.RecordBatch, sf: SourceFile, batch_id: int, first_row: int,
           failures: Failures, pseudonymize: Pseudonymizer) -> pa.Table:
    assert sf.periode is not None
    blk = _Block(failures, first_row)
    n = batch.num_rows
    col = {name: _column(batch, name, blk) for name in _TYPERS}
    nik = pc.utf8_trim_whitespace(batch.column("nik"))
    rule, what, ok = _required(nik)
    blk.require(rule, "nik", what, ok)

    flags = nik_flags(nik, sf.periode)
    valid = flags["nik_valid"]
    lahir = col["tanggal_lahir"]
    tanggal_cocok = pc.if_else(pc.and_(valid, pc.is_valid(lahir)),
                               pc.equal(flags["embedded_date"], lahir),
                               pa.scalar(None, pa.bool_()))
    # rows whose jenis_kelamin is neither L nor P were dropped by its enum check
    kelamin_cocok = pc.equal(flags["embedded_female"], pc.equal(col["jenis_kelamin"], "P"))
    out = pa.table({
        "periode": col["periode"],
        "peserta_id": pseudonymize.hex_array(nik),
        "jenis_kelamin": col["jenis_kelamin"],
        "tahun_lahir": pc.cast(pc.year(lahir), pa.int16()),
        "kode_wilayah_domisili": col["kode_wilayah_domisili"],
        "sumber_iuran": col["sumber_iuran"],
        "kode_pemda_pembayar": col["kode_pemda_pembayar"],
        "program": col["program"],
        "tanggal_mulai": col["tanggal_mulai"],
        "status": col["status"],
        "iuran_rp": col["iuran_rp"],
        "nik_valid": valid,
        "nik_tanggal_cocok": tanggal_cocok,
        "nik_kelamin_cocok": kelamin_cocok,
        "nik_kode_wilayah": flags["nik_kode_wilayah"],
        "batch_id": pa.array(np.full(n, batch_id, dtype=np.int64)),
        "source_row": pa.array(np.arange(first_row, first_row + n, dtype=np.int32)),
    })
    # Most blocks are clean: filtering would copy every column for nothing.
    if blk.ok is None or pc.all(blk.ok).as_py():
        return out
    return out.filter(blk.ok)


def _open_csv(stream: pa.NativeFile, names: list[str],
              bad_row: Callable[[pcsv.InvalidRow], str]) -> pcsv.CSVStreamingReader:
    """Arrow's streaming reader of the list's columns, typed as READ_TYPES."""
    return pcsv.open_csv(
        stream,
        # No reader threads: on two cores they cost more CPU than they save, and the
        # server's COPY of the previous block needs the other core.
        read_options=pcsv.ReadOptions(block_size=BLOCK_BYTES, skip_rows=1,
                                      column_names=names, use_threads=False),
        parse_options=pcsv.ParseOptions(delimiter=",", newlines_in_values=True,
                                        invalid_row_handler=bad_row),
        convert_options=pcsv.ConvertOptions(
            column_types=READ_TYPES, include_columns=list(READ_TYPES),
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def parse(
    sf: SourceFile, batch_id: int, failures: Failures, counter: list[int],
    progress: Progress | None = None, pseudonymize: Pseudonymizer | None = None,
    profile: BatchProfile | None = None,
) -> Iterator[bytes]:
    """Yield COPY CSV chunks (columns as COLUMNS) of the rows that could be typed; each
    typed block also goes to `profile`, for the gate. Blank lines are skipped (they count
    toward the line cap)."""
    meter = Meter.participant_list()
    try:
        header = read_header(sf.path, True, ",")
    except UNREADABLE as e:
        unreadable(failures, e, "gzip UTF-8 CSV")
        return
    if not header:
        failures.add("file_unreadable", None, "file is empty (no header row)")
        return
    # personal: a file sent without its header has a participant where the names go.
    positions = check_columns(failures, header, INPUT_COLUMNS, personal=True)
    if positions is None:
        return
    names = [h.strip().lower() for h in header]
    pseudonymize = pseudonymize or Pseudonymizer()
    invalid_rows = [0]

    def bad_row(row: pcsv.InvalidRow) -> str:
        # The row's text holds personal data: it is neither kept nor shown.
        invalid_rows[0] += 1
        return "skip"

    raw = pa.OSFile(str(sf.path))
    total = raw.size()
    stream = _Metered(pa.CompressedInputStream(raw, "gzip"), meter)
    unraisable_hook = _quiet_invalid_rows()
    try:
        reader = _open_csv(stream, names, bad_row)
        next_row = 1
        # Every value left is a code, number, date or hex digest: nothing needs quoting,
        # and "none" makes Arrow raise rather than write a value that would.
        opts = pcsv.WriteOptions(include_header=False, quoting_style="none")
        for batch in reader:
            if stream.exceeded is None:
                try:
                    meter.check_time()
                except LimitExceeded as e:
                    stream.stop(e)
            if stream.exceeded is not None:
                continue  # let Arrow end on its own: its reads now return at once
            typed = _typed(batch, sf, batch_id, next_row, failures, pseudonymize)
            next_row += batch.num_rows
            counter[0] += typed.num_rows
            if profile is not None:
                profile.add(typed)
            buf = io.BytesIO()
            pcsv.write_csv(typed, buf, write_options=opts)
            yield buf.getvalue()
            if progress:
                progress(raw.tell(), total)
        if stream.exceeded is not None:
            limit_exceeded(failures, stream.exceeded)
            return
    except (pa.ArrowInvalid, *UNREADABLE) as e:
        if stream.exceeded is not None:  # the cut end of the text may not parse
            limit_exceeded(failures, stream.exceeded)
            return
        # Arrow's message may quote the offending line (personal data): name the type only.
        unreadable(failures, e, "RFC 4180 CSV")
    finally:
        sys.unraisablehook = unraisable_hook
        raw.close()
    if invalid_rows[0]:
        try:
            cited = _field_count_rows(sf, len(header), meter)
        except (LimitExceeded, *UNREADABLE):
            cited = []  # the rows are counted; only their numbers are not cited
        failures.add("field_count", None, "row has a different number of fields than the header",
                     rows=cited, count=invalid_rows[0])


SPEC = SourceSpec(
    name="peserta_rentan",
    title="Participants whose contribution a regional government, a village or a CSR sponsor "
          "pays, as billed for the month (BPJS Ketenagakerjaan; personal data); gzip CSV",
    period="month",
    extension=r"\.csv\.gz",
    columns=COLUMNS,
    delivered=INPUT_COLUMNS,
    types={
        "periode": "month `YYYY-MM`", "nik": "16 digits (personal: pseudonymised, never stored)",
        "nama": "text (personal: dropped at parse)",
        "jenis_kelamin": "code (see list)",
        "tanggal_lahir": "date `YYYY-MM-DD` (personal: only the year is kept)",
        "kode_wilayah_domisili": "PP.KK, dot optional", "sumber_iuran": "code (see list)",
        "kode_pemda_pembayar": "PP or PP.KK, empty for CSR", "program": "code (see list)",
        "tanggal_mulai": "date `YYYY-MM-DD`", "status": "code (see list)",
        "iuran_rp": "integer (rupiah)",
    },
    parse=parse,
    grain=("periode", "peserta_id", "sumber_iuran", "kode_pemda_pembayar"),
    partitioned=True,
    personal=True,
    code_lists={k: v for k, v in ENUMS.items()},
    code_labels={"program": PROGRAM},
    streams_progress=True,
    profile=("periode", "jenis_kelamin", "kode_wilayah_domisili", "sumber_iuran",
             "kode_pemda_pembayar", "program", "status", "iuran_rp",
             "nik_valid", "nik_tanggal_cocok", "nik_kelamin_cocok"),
)
