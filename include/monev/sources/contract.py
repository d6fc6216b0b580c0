"""docs/EXTRACTS.md, written from the source specs: the extracts this warehouse accepts,
in the maintainers' words. `python -m monev.sources.contract` rewrites the file; a test
fails when it is stale, so the document cannot drift from the code."""

from __future__ import annotations

import sys

from monev.config import FILE_LIMITS, PARTICIPANT_LIMITS, PROJECT_ROOT
from monev.sources.csvfile import MAX_LINE_BYTES
from monev.sources.registry import SPECS
from monev.sources.spec import MAX_REVISION, YEARS, SourceSpec
from monev.sources.xlsxpackage import MAX_PART_BYTES, MAX_ROW_BYTES, MAX_ROW_CELLS

DOC = PROJECT_ROOT / "docs" / "EXTRACTS.md"


def _size(n: float) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):g} {unit}"
    return f"{n:,.0f} bytes"


P, F = PARTICIPANT_LIMITS, FILE_LIMITS
_LIMIT_ROWS = "\n".join(f"| {what} | {p} | {f} | `<source>.{rule}` |" for what, p, f, rule in (
    ("size once unpacked (text after gzip; an xlsx, all its parts)",
     _size(P.inflated_bytes), _size(F.inflated_bytes), "too_large"),
    ("lines, blank ones included (xlsx: worksheet rows)", f"{P.lines:,}", f"{F.lines:,}",
     "too_many_lines"),
    ("time to read and type the file", f"{P.seconds:g} s", f"{F.seconds:g} s", "too_slow"),
    ("xlsx cells (a row counts as wide as the sheet claims)", "—", f"{F.cells:,}",
     "too_many_cells"),
    ("xlsx shared strings: entries / bytes unpacked", "—",
     f"{F.shared_strings:,} / {_size(F.shared_strings_bytes)}", "too_many_strings"),
))
INTRO = f"""# The extracts this warehouse accepts

Generated from the source specs (`include/monev/sources/*.py`, `SPEC`) by
`python -m monev.sources.contract`; do not edit by hand — a test fails when this file and
the specs disagree. The upstream agreement behind it is the extract contract the senders
work to; this page says what the code actually enforces.

## Every delivery

- One landing location (local folder, SFTP or S3 prefix). Monthly and budget files sit at
  its root, reference files under `referensi/`. The whole name must be one of the names
  below (nothing before or after it, not even a newline); any other name is refused
  (`ingest.unknown_file`) with the reason, kept (its first 1 MiB) and recorded once per
  name and content — never as a delivery of any period.
- A delivery is a regular file: a symbolic link, FIFO, socket or device is refused
  (`ingest.not_a_regular_file`) and never opened.
- A correction is a new file `…_revN` (N ≤ {MAX_REVISION}): the highest revision of a period
  is in force; a lower one arriving later is kept on record as `stale`, never published.
  Years in file names run {YEARS.start}–{YEARS.stop - 1}.
- A name is delivered once: other bytes under a monthly or budget name already
  delivered (a file replaced in place) are refused (`ingest.name_reused`) and nothing is
  loaded. A reference file is re-delivered under its one name.
- A delivery replaces its source's whole period in one transaction, or is rejected as a
  whole: nothing of a rejected file is published, the file is kept (byte for byte up to
  64 MiB; of a larger one its first 64 MiB and a note with its size and sha256), and
  the reasons name the file, the rule and the data rows (first row under the header = 1;
  blank lines, an xlsx title block and the TOTAL line are not counted).
- A file with a header but no data rows is rejected (`<source>.no_data_rows`); one with
  half the rows or fewer of the delivery it follows is published with the warning
  `ingest.row_count_drop`.
- Text is UTF-8 (a BOM is tolerated); lines are at most {_size(MAX_LINE_BYTES)}. Blank
  lines are skipped (a CSV may end with one) but count toward the line limit below.
  Region codes are Kemendagri codes `PP` / `PP.KK` (the dot may be dropped; stored with
  it). Enum values are case-insensitive; values are trimmed.
- Beyond the parse, each source's quality suite (`expectations/<suite>.py`) checks the
  batch against the published data; its rules are listed in `expectations/README.md`.

## Limits

Reading one file is bounded, whatever its size on disk: past any limit the file is
rejected with the limit's rule and reading stops there — a gzip of blank lines or a zip
bomb is refused in seconds, with memory for one block. The limits are far above a
national delivery (participant list: up to 10 M rows, ~1.2 GB a month; every other
extract: ~100 k rows at most, e.g. kepesertaan 514 kab/kota × 4 × 6 × 8) and are
settings (`.env.example`, `MONEV_MAX_*`); the defaults:

| limit | `peserta_rentan` | every other extract | rule |
|---|---|---|---|
{_LIMIT_ROWS}

An xlsx is checked on the packed file before it is read: besides the above, one row
holds at most {MAX_ROW_CELLS:,} cells (`too_many_cells`) in at most {_size(MAX_ROW_BYTES)} of XML,
and every part read whole (styles, workbook, a worksheet outside its rows) is at most
{_size(MAX_PART_BYTES)} (`too_large`).
"""


def _section(s: SourceSpec) -> str:
    lines = [f"## `{s.name}`", "", s.title + ".", ""]
    lines.append(f"- File name: `{s.file_example()}`")
    period = {"month": "a month (the file name's `YYYYMM`)",
              "budget": "a fiscal year and budget version",
              "referensi": "none: a delivery replaces the whole table"}[s.period]
    lines.append(f"- Period: {period}")
    if s.partitioned:
        publish = f"the month's partition of `raw.{s.name}` is swapped for the new one"
    elif s.period_columns:
        publish = (f"rows of `{s.table}` with the file's "
                   + ", ".join(f"`{c}`" for c in s.period_columns) + " are replaced")
    else:
        publish = f"`{s.table}` is replaced as a whole"
    lines.append(f"- Publishing: {publish}")
    if s.grain:
        lines.append("- Grain (a duplicate is an error): " + ", ".join(f"`{c}`" for c in s.grain))
    if s.personal:
        lines.append("- **Personal data**: NIKs become keyed pseudonyms, names are dropped and "
                     "birth dates cut to the year while the file is parsed; no message ever "
                     "quotes a value of this file")
    lines.append(f"- Quality suite: `expectations/{s.suite_name}.py`")
    lines += ["", "| column | values |", "|---|---|"]
    for c in s.delivered:
        note = " (the column may be left out)" if c in s.optional else ""
        lines.append(f"| `{c}` | {s.types[c]}{note} |")
    if s.code_lists:
        lines += ["", "Code lists:", ""]
        lines += [f"- `{c}`: " + ", ".join(f"`{v}`" for v in vs) for c, vs in s.code_lists.items()]
    return "\n".join(lines) + "\n"


def render() -> str:
    return INTRO + "".join("\n" + _section(s) for s in SPECS)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
