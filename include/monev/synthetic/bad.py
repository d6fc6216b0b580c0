"""Deliberately broken deliveries, one per rule, kept apart in `out/bad/`.

Each file is a valid delivery except for the one defect, and is named like a real
correction (`_rev7`, `_rev8`, …) so ingesting it exercises exactly that rule."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from monev import periods
from monev.synthetic import budget, coverage, participants
from monev.synthetic.regions import RegionSet
from monev.synthetic.xlsx import write_sheet

BAD_KINDS: tuple[str, ...] = (
    "unknown_columns",
    "wrong_period",
    "duplicate_keys",
    "unparseable_number",
    "unknown_region",
    "aktif_gt_terdaftar",
    "negative_count",
    "invalid_nik",
    "realisasi_decreasing",
    "wrong_versi",
)
RULES = {
    "unknown_columns": "column set differs from the contract (missing tk_aktif, extra keterangan)",
    "wrong_period": "periode differs from the month in the file name",
    "duplicate_keys": "duplicate (periode, kode_wilayah, segmen, kategori_pekerja, sumber_iuran)",
    "unparseable_number": "count or amount that is not an integer",
    "unknown_region": "kode_wilayah not in the region reference",
    "aktif_gt_terdaftar": "tk_aktif greater than tk_terdaftar",
    "negative_count": "negative count",
    "invalid_nik": "NIK not 16 digits or with an impossible embedded birth date",
    "realisasi_decreasing": "cumulative realisation below the previous month's for the same key",
    "wrong_versi": "versi cell differs from the version in the file name",
}
# Bad rows sit a few rows into the file, so a checker that only reads row 1 misses them.
PICK = (2, 5, 9)


class _Namer:
    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def rev(self, stem: str) -> int:
        self.used[stem] = self.used.get(stem, 6) + 1
        return self.used[stem]


def _spoil_kepesertaan(kind: str, recs: list[dict[str, object]], year: int, month: int
                       ) -> tuple[list[str] | None, list[int]]:
    """Break a clean kepesertaan month as `kind` says (in place); returns the columns to
    write (None: the contract's) and the 1-based rows affected."""
    affected: list[int] = []
    columns = None
    if kind == "unknown_columns":
        columns = [c for c in coverage.KEPESERTAAN_COLUMNS if c != "tk_aktif"]
        columns.append("keterangan")
    elif kind == "wrong_period":
        for i in PICK:
            recs[i - 1]["periode"] = periods.key(*periods.shift(year, month, -1))
        affected = list(PICK)
    elif kind == "duplicate_keys":
        dup = [dict(recs[i - 1]) for i in PICK[:2]]
        recs.extend(dup)
        affected = [*PICK[:2], len(recs) - 1, len(recs)]
    elif kind == "unparseable_number":
        recs[PICK[0] - 1]["tk_aktif"] = "1.234a"
        recs[PICK[1] - 1]["iuran_rp"] = "n/a"
        affected = list(PICK[:2])
    elif kind == "unknown_region":
        recs[PICK[1] - 1]["kode_wilayah"] = "99.01"
        recs[PICK[1] - 1]["nama_wilayah"] = "WILAYAH TIDAK DIKENAL"
        affected = [PICK[1]]
    elif kind == "aktif_gt_terdaftar":
        for i in PICK[:2]:
            recs[i - 1]["tk_aktif"] = int(recs[i - 1]["tk_terdaftar"]) + 17  # type: ignore[call-overload]
        affected = list(PICK[:2])
    elif kind == "negative_count":
        recs[PICK[2] - 1]["tk_keluar"] = -3
        affected = [PICK[2]]
    return columns, affected


def write_bad(
    out: Path, regions: RegionSet, months: Sequence[tuple[int, int]], kinds: Sequence[str],
) -> list[Path]:
    unknown = sorted(set(kinds) - set(BAD_KINDS))
    if unknown:
        raise ValueError(f"unknown bad kinds {unknown}; known: {list(BAD_KINDS)}")
    if not kinds:
        return []
    bad = out / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    year, month = months[-1]
    ym = f"{year:04d}{month:02d}"
    namer = _Namer()
    manifest: dict[str, dict[str, object]] = {}
    paths: list[Path] = []
    rows = coverage.coverage_rows(regions)

    def clean_records() -> list[dict[str, object]]:
        return coverage.coverage_frame(regions, rows, year, month)

    for kind in BAD_KINDS:  # fixed order: file names do not depend on the caller's order
        if kind not in kinds:
            continue
        affected: list[int] = []
        if kind in RULES and kind not in ("invalid_nik", "realisasi_decreasing", "wrong_versi"):
            recs = clean_records()
            name = f"kepesertaan_{ym}_rev{namer.rev('kepesertaan_' + ym)}.csv"
            columns, affected = _spoil_kepesertaan(kind, recs, year, month)
            paths.append(coverage.write_kepesertaan(bad / name, recs, columns=columns))
        elif kind == "invalid_nik":
            name = f"peserta_rentan_{ym}_rev{namer.rev('rentan_' + ym)}.csv.gz"
            pop = participants.build_population(regions, regions.seed, 400, 1, (year, month))
            table = participants.month_table(regions, pop, 0, year, month)
            niks = table.column("nik").to_pylist()
            niks[PICK[0] - 1] = niks[PICK[0] - 1][:15]  # 15 digits
            n = niks[PICK[1] - 1]
            niks[PICK[1] - 1] = n[:6] + "35" + n[8:] if n[6] < "4" else n[:6] + "75" + n[8:]
            n = niks[PICK[2] - 1]
            niks[PICK[2] - 1] = n[:8] + "13" + n[10:]  # month 13
            table = table.set_column(1, "nik", pa.array(niks, pa.string()))
            paths.append(participants.write_rentan(bad / name, table))
            affected = list(PICK)
        elif kind == "realisasi_decreasing":
            y, m = next(((y, m) for y, m in reversed(months) if m > 1), (months[0][0], 2))
            name = f"realisasi_{y:04d}{m:02d}_rev{namer.rev(f'realisasi_{y}{m:02d}')}.xlsx"
            prev = budget.realisasi_rows(regions, y, m - 1)
            cur = budget.realisasi_rows(regions, y, m)
            positive = [i for i, r in enumerate(prev) if int(r[6]) > 0]  # type: ignore[call-overload]
            for i in positive[:2]:
                cur[i][6] = int(prev[i][6]) // 2  # type: ignore[call-overload]
            affected = [i + 1 for i in positive[:2]]
            paths.append(budget.write_realisasi(bad, regions, y, m, name=name, rows=cur))
        elif kind == "wrong_versi":
            name = f"anggaran_{year}_murni_rev{namer.rev(f'anggaran_{year}_murni')}.xlsx"
            affected = [1, 2]
            paths.append(budget.write_anggaran(
                bad, regions, year, "murni", name=name,
                versi_cell={i: "perubahan" for i in affected},
            ))
        manifest[name] = {"kind": kind, "rule": RULES[kind], "rows": affected}
    mpath = bad / "MANIFEST.json"
    mpath.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [*paths, mpath]


# --- Input bombs: small files that cost far more to read than their size says -----------
# Each is a valid delivery apart from its size once unpacked, so only a cap on the work of
# reading it can stop it (docs/EXTRACTS.md, "Limits"). Built by streaming: nothing near the
# inflated size is ever held in memory or written to disk uncompressed.

def gzip_of_blank_lines(path: Path, header: str, inflated: int = 2 << 30) -> Path:
    """A gzip CSV: the header line, then blank lines up to `inflated` bytes (2 GiB by
    default, a few MB on disk). Deflate is reset (full flush) after each MiB, so every
    MiB after the first compresses to the same bytes: the file is written in well under
    a second, whatever its inflated size."""
    piece_size = 1 << 20
    blank = b"\n" * piece_size
    head = header.rstrip("\n").encode() + b"\n"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    pieces = [deflate.compress(blank) + deflate.flush(zlib.Z_FULL_FLUSH) for _ in range(2)]
    if pieces[0] != pieces[1]:  # the reset state must repeat, or the stream is wrong
        raise RuntimeError("deflate output after a full flush is not repeatable")
    crc = zlib.crc32(head)
    total = len(head)
    with path.open("wb") as out:
        # gzip header: magic, deflate, no flags, mtime 0, no extra flags, unknown OS
        out.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first)
        while total + piece_size <= inflated:
            out.write(pieces[0])
            crc = zlib.crc32(blank, crc)
            total += piece_size
        out.write(deflate.flush(zlib.Z_FINISH))
        out.write(struct.pack("<II", crc, total & 0xFFFFFFFF))
    return path


def csv_of_many_lines(
    path: Path, header: Sequence[str], row: Sequence[object], lines: int,
    delimiter: str = ";",
) -> Path:
    """A plain CSV: the header, then `row` repeated until the file has `lines` lines."""
    head = delimiter.join(header) + "\n"
    line = delimiter.join(str(v) for v in row) + "\n"
    block = line * 10_000
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(head)
        left = lines - 1
        while left >= 10_000:
            out.write(block)
            left -= 10_000
        out.write(line * left)
    return path


Rewrite = Callable[[bytes], Iterator[bytes]]
_SHARED_STRINGS_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />')
_SHARED_STRINGS_REL = (b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                       b'officeDocument/2006/relationships/sharedStrings" '
                       b'Target="sharedStrings.xml" />')
_EMPTY_SST = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
              b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"></sst>')


def _sipd_rewritten(
    path: Path, sheet: str, header: Sequence[str], row: Sequence[object],
    parts: dict[str, Rewrite],
) -> Path:
    """A valid one-row SIPD workbook (xlsx.write_sheet) whose parts named in `parts` are
    replaced by the chunks their rewrite makes of them (of b"" for a part it lacks),
    deflated as they stream."""
    write_sheet(path, sheet, ["BOMB"], header, [row])
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    contents = {i.filename: src.read(i.filename) for i in src.infolist()}
    for name in parts:
        contents.setdefault(name, b"")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for name, content in contents.items():
            if name not in parts:
                dst.writestr(name, content)
                continue
            with dst.open(name, "w", force_zip64=True) as part:
                for chunk in parts[name](content):
                    part.write(chunk)
    return path


def _repeat(unit: bytes, count: int) -> Iterator[bytes]:
    block = unit * max(1, (1 << 20) // len(unit))
    per_block = len(block) // len(unit)
    while count >= per_block:
        yield block
        count -= per_block
    if count:
        yield unit * count


def _insert_before(closing: bytes, filler: Callable[[], Iterator[bytes]]
                   ) -> Callable[[bytes], Iterator[bytes]]:
    def rewrite(content: bytes) -> Iterator[bytes]:
        at = content.rindex(closing)
        yield content[:at]
        yield from filler()
        yield content[at:]
    return rewrite


def xlsx_with_shared_strings(
    path: Path, sheet: str, header: Sequence[str], row: Sequence[object], strings: int,
) -> Path:
    """An xlsx whose shared-strings table holds `strings` extra entries (14 bytes each
    unpacked, none used by a cell): 20 M of them stay under 512 MiB unpacked and a few
    hundred kB packed, yet a reader that loads the table builds 20 M strings."""
    def strings_part(_: bytes) -> Iterator[bytes]:
        yield from _insert_before(b"</sst>", lambda: _repeat(b"<si><t>x</t></si>", strings))(
            _EMPTY_SST)
    return _sipd_rewritten(path, sheet, header, row, {
        "[Content_Types].xml": _insert_before(b"</Types>", lambda: iter([_SHARED_STRINGS_TYPE])),
        "xl/_rels/workbook.xml.rels": _insert_before(b"</Relationships>",
                                                     lambda: iter([_SHARED_STRINGS_REL])),
        "xl/sharedStrings.xml": strings_part,
    })


_ONE_CELL_ROW = b"<row><c><v>0</v></c></row>"


def _without_dimension(rewrite: Rewrite) -> Rewrite:
    def without(content: bytes) -> Iterator[bytes]:
        yield from rewrite(re.sub(rb"<dimension [^>]*/>", b"", content))
    return without


def xlsx_zip_bomb(
    path: Path, sheet: str, header: Sequence[str], row: Sequence[object], inflated: int,
) -> Path:
    """An xlsx whose worksheet unpacks to about `inflated` bytes of one-cell rows
    (26 bytes each; a few MB packed), without the `<dimension>` element that would let
    a reader stop early: reading it means parsing all of them."""
    return _sipd_rewritten(path, sheet, header, row, {
        "xl/worksheets/sheet1.xml": _without_dimension(_insert_before(
            b"</sheetData>", lambda: _repeat(_ONE_CELL_ROW, inflated // len(_ONE_CELL_ROW))))})


def xlsx_wide_row(
    path: Path, sheet: str, header: Sequence[str], row: Sequence[object], cells: int,
) -> Path:
    """An xlsx with one more row of `cells` empty cells: a reader that builds a row at a
    time holds all of them at once."""
    def filler() -> Iterator[bytes]:
        yield b"<row>"
        yield from _repeat(b"<c/>", cells)
        yield b"</row>"
    return _sipd_rewritten(path, sheet, header, row, {
        "xl/worksheets/sheet1.xml": _insert_before(b"</sheetData>", filler)})


def xlsx_claimed_width(
    path: Path, sheet: str, header: Sequence[str], row: Sequence[object], rows: int,
) -> Path:
    """An xlsx of `rows` one-cell rows that claims the grid's full width
    (`<dimension ref="A1:XFD…">`): a reader that trusts it pads each row to 16,384 cells,
    so 100 k rows (2.6 MB unpacked) become 1.6 billion cells."""
    def rewrite(content: bytes) -> Iterator[bytes]:
        content = re.sub(rb'<dimension ref="[^"]*"',
                         b'<dimension ref="A1:XFD%d"' % (rows + 3), content)
        yield from _insert_before(b"</sheetData>", lambda: _repeat(_ONE_CELL_ROW, rows))(content)
    return _sipd_rewritten(path, sheet, header, row, {"xl/worksheets/sheet1.xml": rewrite})
