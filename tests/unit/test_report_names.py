"""Report file names are written and read back by one module (reports/names.py), for
every report kind: what `stem` writes, `parse` reads back; nothing else is read as one."""

from __future__ import annotations

import pytest

from monev.reports import names
from monev.reports.names import MONTH, NATIONAL, SEMESTER, ReportFile


@pytest.mark.parametrize(("kind", "key", "scope", "revision", "ext", "file", "folder"), [
    (MONTH, "2025-03", NATIONAL, 1, "pdf", "monev_nasional_2025-03.pdf", "2025-03"),
    (MONTH, "2025-03", "62", 2, "xlsx", "monev_prov62_2025-03_rev2.xlsx", "2025-03"),
    (SEMESTER, "2025-1", NATIONAL, 1, "html", "monev_semester_nasional_2025-1.html",
     "semester-2025-1"),
    (SEMESTER, "2024-2", "31", 3, "pdf", "monev_semester_prov31_2024-2_rev3.pdf",
     "semester-2024-2"),
])
def test_written_names_read_back(kind: str, key: str, scope: str, revision: int, ext: str,
                                 file: str, folder: str) -> None:
    assert f"{names.stem(kind, key, scope, revision)}.{ext}" == file
    assert names.parse(file) == ReportFile(kind, key, scope, revision, ext)
    assert names.folder(kind, key) == folder
    assert names.folder_key(kind, folder) == key


@pytest.mark.parametrize("file", [
    "monev_nasional_2025-1.pdf",            # a semester key without the semester prefix
    "monev_semester_nasional_2025-03.pdf",  # a month key with it
    "monev_semester_nasional_2025-3.pdf",   # no third half-year
    "monev_prov6_2025-03.pdf", "monev_nasional_2025-03.csv", "monev_nasional_2025-03_data",
    "index.html",
])
def test_other_files_are_not_reports(file: str) -> None:
    assert names.parse(file) is None


def test_folders_of_one_kind_only() -> None:
    assert names.folder_key(MONTH, "semester-2025-1") is None
    assert names.folder_key(SEMESTER, "2025-03") is None
    assert names.folder_key(MONTH, ".staging") is None
    assert names.entries("monev_nasional_2025-03") == (
        "monev_nasional_2025-03.pdf", "monev_nasional_2025-03.xlsx",
        "monev_nasional_2025-03.html", "monev_nasional_2025-03_data")


@pytest.mark.parametrize(("sent", "built", "reissue", "expected"), [
    (0, 0, False, (1, 0)),   # first build
    (0, 0, True, (1, 0)),
    (0, 1, False, (1, 0)),   # built, not sent: rebuilt in place
    (0, 1, True, (2, 1)),    # ... unless reissued: a new revision after it
    (0, 2, False, (2, 1)),
    (1, 1, False, None),     # sent: never rebuilt without --reissue
    (1, 1, True, (2, 1)),
    (1, 2, True, (3, 2)),    # a later unsent revision exists: after it
])
def test_one_revision_rule(sent: int, built: int, reissue: bool,
                           expected: tuple[int, int] | None) -> None:
    from monev.reports.build import next_revision

    assert next_revision(sent, built, reissue) == expected
