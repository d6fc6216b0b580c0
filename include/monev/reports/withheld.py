"""What of the report archive is never published, by any surface (the reports site,
`monev reports serve`, and the Airflow portal's /monev/laporan/ alike: both call
monev.reports.serve.servable, which asks this module).

A report's `<name>_data/` snapshot holds the marts' rows it was built from, participant
pseudonyms included (nik_ganda.parquet); a hidden folder is a run's staging area.
"""

from __future__ import annotations

SNAPSHOT_SUFFIX = "_data"


def withheld(part: str) -> bool:
    """Is `part` (one component of a path in the archive) never served?"""
    return part.startswith(".") or part.endswith(SNAPSHOT_SUFFIX)
