"""The parser of each source, behind one shape the pipeline can drive."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from monev.ingest.batch import RuleFailure
from monev.sources import anggaran, kepesertaan, peserta_rentan, realisasi, reference
from monev.sources.common import Failures
from monev.sources.registry import REFERENCE_SOURCES, SourceFile, identify

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Parser:
    table: str  # raw.<source>
    columns: list[str]  # COPY column order, batch_id and source_row last
    parse: Callable[..., Iterator[str | bytes]]
    streams_progress: bool = False


def parser_for(source: str) -> Parser:
    if source in REFERENCE_SOURCES:
        return Parser(reference.table(source), reference.columns(source), reference.parse)
    module = {"kepesertaan": kepesertaan, "anggaran": anggaran, "realisasi": realisasi}.get(source)
    if module is not None:
        return Parser(module.TABLE, module.COLUMNS, module.parse)
    if source == "peserta_rentan":
        return Parser(peserta_rentan.TABLE, peserta_rentan.COLUMNS, peserta_rentan.parse, True)
    raise KeyError(source)


def run_parser(
    parser: Parser, sf: SourceFile, batch_id: int, failures: Failures, counter: list[int],
    progress: Progress | None = None,
) -> Iterator[str | bytes]:
    if parser.streams_progress:
        return parser.parse(sf, batch_id, failures, counter, progress=progress)
    return parser.parse(sf, batch_id, failures, counter)


def parse_local(path: Path) -> tuple[list[list[str]], list[RuleFailure]]:
    """Parse a file without a warehouse: the typed rows as COPY would receive them
    (text, columns as the raw table, '' for NULL) and the parse-level failures."""
    sf = identify(path)
    parser = parser_for(sf.source)
    failures = Failures(sf.source, path.name)
    text = []
    for chunk in run_parser(parser, sf, 0, failures, [0]):
        text.append(chunk.decode() if isinstance(chunk, bytes) else chunk)
    rows = list(csv.reader(io.StringIO("".join(text))))
    return rows, failures.as_list()
