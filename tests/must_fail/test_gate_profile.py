"""The participant gate reads the profile the parser gathers while rows stream
(sources/profile.py) instead of scanning the batch. It must reach exactly the verdict a
scan of the rows reaches: the same rules broken, the same counts, the same rows cited —
for any batch. Hypothesis draws batches from good and bad values of every column a
rule reads, duplicates included; each is gated both ways on the real warehouse."""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
import pytest
from gate_support import row, stage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monev.quality.gate import run_gate
from monev.records import MAX_ROWS_CITED, GateOutcome

IDS = ["a" * 64, "b" * 64, "0123456789abcdef" * 4, "c" * 63 + "d"]
VALUES: dict[str, list[Any]] = {
    "peserta_id": IDS,
    "periode": [date(2024, 3, 1), date(2024, 4, 1)],
    "jenis_kelamin": ["P", "L", "X"],
    "kode_wilayah_domisili": ["32.73", "32.01", "32.98"],
    "sumber_iuran": ["APBD_KABKOTA", "APBD_PROVINSI", "APBDES", "CSR", "LAIN"],
    "kode_pemda_pembayar": ["32.73", "32", None, "32.98"],
    "program": ["JKK_JKM", "JKK_JKM_JHT"],
    "status": ["AKTIF", "NONAKTIF"],
    "iuran_rp": [16_800, 36_800, -1, 5],
    "nik_valid": [True, False],
    "nik_tanggal_cocok": [True, False, None],
    "nik_kelamin_cocok": [True, False, None],
}
ROWS = st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALUES.items()}),
                min_size=1, max_size=40)


@pytest.fixture
def conn(warehouse: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MONEV_GATE_DOCS", "0")
    with psycopg.connect(warehouse) as c:
        yield c


def _verdict(outcome: GateOutcome) -> list[tuple[str, str, int, list[int], str]]:
    return sorted((f.rule, f.severity, f.row_count, list(f.rows), f.message) for f in
                  [*outcome.errors, *outcome.warnings])


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ROWS)
def test_profile_gate_equals_a_scan_of_the_rows(conn: psycopg.Connection,
                                                drawn: list[dict[str, Any]]) -> None:
    rows = [row("peserta_rentan", **d) for d in drawn]
    scanned = run_gate(conn, stage(conn, "peserta_rentan", rows, profiled=False), docs=False)
    profiled_batch = stage(conn, "peserta_rentan", rows)
    assert profiled_batch.profile_table  # the profile path is the one under test
    profiled = run_gate(conn, profiled_batch, docs=False)
    assert _verdict(profiled) == _verdict(scanned)
    assert profiled.passed == scanned.passed


def test_rows_cited_are_the_first_across_blocks(conn: psycopg.Connection,
                                                capfd: pytest.CaptureFixture) -> None:
    """More breaking rows than are cited, spread over groups: the first ones are cited.
    And the gate prints nothing (GX hints at queries that do not read `{batch}`)."""
    rows = [row("peserta_rentan", peserta_id=f"{i:064x}",
                iuran_rp=-1 if i % 3 else 16_800,
                jenis_kelamin="PL"[i % 2])  # two groups break the rule, interleaved
            for i in range(3 * MAX_ROWS_CITED)]
    outcome = run_gate(conn, stage(conn, "peserta_rentan", rows), docs=True)
    [broken] = [f for f in outcome.errors if f.rule == "peserta_rentan.non_negative"]
    expected = [i + 1 for i in range(len(rows)) if i % 3]
    assert broken.row_count == len(expected)
    assert list(broken.rows) == expected[:MAX_ROWS_CITED]
    assert "unexpected_rows_query" not in capfd.readouterr().out
