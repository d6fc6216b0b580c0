"""Running a source's parser: the one call the stage step and the tests make."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from monev.records import RuleFailure
from monev.sources.failures import Failures
from monev.sources.profile import BatchProfile
from monev.sources.registry import identify, spec
from monev.sources.spec import SourceFile

Progress = Callable[[int, int], None]


def run_parser(
    sf: SourceFile, batch_id: int, failures: Failures, counter: list[int],
    progress: Progress | None = None, profile: BatchProfile | None = None,
) -> Iterator[str | bytes]:
    """COPY CSV chunks of the file's rows that could be typed; failures collected; the
    rows summarised into `profile` when the source has one."""
    s = spec(sf.source)
    extra: dict[str, object] = {}
    if s.streams_progress:
        extra["progress"] = progress
    if s.profile:
        extra["profile"] = profile
    return s.parse(sf, batch_id, failures, counter, **extra)


def parse_local(path: Path) -> tuple[list[list[str]], list[RuleFailure]]:
    """Parse a file without a warehouse: the typed rows as COPY would receive them
    (text, columns as the raw table, '' for NULL) and the parse-level failures."""
    sf = identify(path)
    failures = Failures(sf.source, path.name)
    text = [chunk.decode() if isinstance(chunk, bytes) else chunk
            for chunk in run_parser(sf, 0, failures, [0])]
    return list(csv.reader(io.StringIO("".join(text)))), failures.as_list()
