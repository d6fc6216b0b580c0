"""Every error rule of the quality gate rejects its batch, leaves raw.* untouched and
leaves the rule and the offending rows in audit; every warning publishes and is
recorded; backfills are judged against their own published neighbours."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from gate_support import BASE, fingerprint, gate_and_publish, row, stage, write_file

PAPUA_SPLIT = ("91.01", "93.01", date(2022, 7, 25))


@pytest.fixture
def conn(warehouse: str, monkeypatch: pytest.MonkeyPatch):
    # Data Docs have their own test; here they would only slow every case down.
    monkeypatch.setenv("MONEV_GATE_DOCS", "0")
    with psycopg.connect(warehouse) as c:
        c.execute(
            "INSERT INTO raw.wilayah_perubahan (kode_lama, kode_baru, berlaku_mulai)"
            " VALUES (%s, %s, %s)", PAPUA_SPLIT,
        )
        c.commit()
        yield c


def _ingest(source: str, rows: list[dict[str, Any]], rev: int = 0) -> Any:
    """Deliver rows as a contract file through the real pipeline; a later delivery for
    the same period is a correction, `_revN`, as the contract says (a name is delivered
    once)."""
    from monev.ingest.pipeline import ingest_file

    path = write_file(Path(tempfile.mkdtemp(dir=_tmp())), source, rows)
    if rev:
        stem, _, suffix = path.name.partition(".")
        path = path.rename(path.with_name(f"{stem}_rev{rev}.{suffix}"))
    return ingest_file(path)


def _tmp() -> Path:
    from monev.config import settings

    folder = settings().state_dir / "deliveries"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _publish(conn: psycopg.Connection, source: str, rows: list[dict[str, Any]]) -> None:
    result = _ingest(source, rows)
    assert result.status == "loaded", [f.message for f in result.errors]


# (rule, source, rows of the file; the bad ones are the rows the rule must cite)
ERROR_CASES: list[tuple[str, str, list[dict[str, Any]], list[int]]] = [
    ("kepesertaan.kode_wilayah_valid", "kepesertaan",
     [row("kepesertaan"), row("kepesertaan", kode_wilayah="32.98")], [2]),
    ("kepesertaan.kode_wilayah_valid", "kepesertaan",  # province where a kab/kota belongs
     [row("kepesertaan", kode_wilayah="32")], [1]),
    ("kepesertaan.kode_wilayah_valid", "kepesertaan",  # old Papua code after the split
     [row("kepesertaan", periode=date(2023, 1, 1), kode_wilayah="91.01")], [1]),
    ("kepesertaan.unique_grain", "kepesertaan",
     [row("kepesertaan"), row("kepesertaan", segmen="BPU"), row("kepesertaan")], [1, 3]),
    ("kepesertaan.tk_aktif_le_tk_terdaftar", "kepesertaan",
     [row("kepesertaan", tk_aktif=101)], [1]),
    ("kepesertaan.non_negative", "kepesertaan", [row("kepesertaan", tk_baru=-1)], [1]),
    ("kepesertaan.non_negative", "kepesertaan", [row("kepesertaan", iuran_rp=-5)], [1]),
    ("kepesertaan.periode_matches_file", "kepesertaan",
     [row("kepesertaan"), row("kepesertaan", periode=date(2024, 2, 1), segmen="BPU")], [2]),
    ("kepesertaan.enum_values", "kepesertaan", [row("kepesertaan", segmen="XX")], [1]),
    ("peserta_rentan.nik_valid", "peserta_rentan",
     [row("peserta_rentan"), row("peserta_rentan", peserta_id="b" * 64, nik_valid=False)], [2]),
    ("peserta_rentan.unique_grain", "peserta_rentan",
     [row("peserta_rentan"), row("peserta_rentan")], [1, 2]),
    ("peserta_rentan.unique_grain", "peserta_rentan",  # NULL payer (CSR) is a key value too
     [row("peserta_rentan", sumber_iuran="CSR", kode_pemda_pembayar=None)] * 2, [1, 2]),
    ("peserta_rentan.kode_wilayah_valid", "peserta_rentan",
     [row("peserta_rentan", kode_wilayah_domisili="32.98")], [1]),
    ("peserta_rentan.kode_pemda_pembayar_valid", "peserta_rentan",
     [row("peserta_rentan", kode_pemda_pembayar="32.98")], [1]),
    ("peserta_rentan.kode_pemda_pembayar_shape", "peserta_rentan",
     [row("peserta_rentan", sumber_iuran="APBD_PROVINSI", kode_pemda_pembayar="32.73")], [1]),
    ("peserta_rentan.kode_pemda_pembayar_shape", "peserta_rentan",
     [row("peserta_rentan", sumber_iuran="CSR", kode_pemda_pembayar="32")], [1]),
    ("peserta_rentan.kode_pemda_pembayar_shape", "peserta_rentan",
     [row("peserta_rentan", sumber_iuran="APBDES", kode_pemda_pembayar=None)], [1]),
    ("peserta_rentan.periode_matches_file", "peserta_rentan",
     [row("peserta_rentan"),
      row("peserta_rentan", peserta_id="c" * 64, periode=date(2024, 4, 1))], [2]),
    ("peserta_rentan.non_negative", "peserta_rentan",
     [row("peserta_rentan", iuran_rp=-16_800)], [1]),
    ("anggaran.kode_pemda_valid", "anggaran", [row("anggaran", kode_pemda="99")], [1]),
    ("anggaran.unique_grain", "anggaran", [row("anggaran"), row("anggaran")], [1, 2]),
    ("anggaran.versi_matches_file", "anggaran",
     [row("anggaran"), row("anggaran", versi="perubahan", sasaran="NON_ASN")], [2]),
    ("anggaran.tahun_matches_file", "anggaran",
     [row("anggaran"), row("anggaran", tahun=2023, sasaran="NON_ASN")], [2]),
    ("anggaran.non_negative", "anggaran", [row("anggaran", pagu_rp=-1, target_peserta=0)], [1]),
    ("realisasi.kode_pemda_valid", "realisasi", [row("realisasi", kode_pemda="32.98")], [1]),
    ("realisasi.unique_grain", "realisasi", [row("realisasi"), row("realisasi")], [1, 2]),
    ("realisasi.periode_matches_file", "realisasi",
     [row("realisasi"), row("realisasi", bulan=4, sasaran="NON_ASN")], [2]),
    ("realisasi.non_negative", "realisasi", [row("realisasi", peserta_dibayar=-1)], [1]),
]


# Cases the parser stops before the gate (the gate rule stays as a second line of
# defence); they run the gate directly on a staging table.
PARSER_FIRST = {"kepesertaan.enum_values"}


@pytest.mark.parametrize(("rule", "source", "rows", "cited"), ERROR_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ERROR_CASES)])
def test_error_rule_rejects_and_leaves_raw_unchanged(
    conn: psycopg.Connection, tmp_path: Path, rule: str, source: str,
    rows: list[dict[str, Any]], cited: list[int],
) -> None:
    from monev.ingest.pipeline import ingest_file

    # Published data of the same source, which the rejection must not touch.
    earlier = row(source, **{"periode": date(2023, 12, 1)} if "periode" in BASE[source]
                  else {"tahun": 2023})
    assert ingest_file(write_file(tmp_path / "good", source, [earlier])).status == "loaded"
    before = fingerprint(conn, source)

    if rule in PARSER_FIRST or (source == "kepesertaan" and rows[0]["kode_wilayah"] == "32"):
        outcome = gate_and_publish(conn, stage(conn, source, rows))
        batch_id = conn.execute("SELECT max(batch_id) FROM audit.load_batches").fetchone()[0]
        errors = outcome.errors
    else:
        result = ingest_file(write_file(tmp_path / "bad", source, rows))
        assert result.status == "rejected", result
        batch_id, errors = result.batch_id, result.errors

    failure = next(f for f in errors if f.rule == rule)
    assert failure.severity == "error"
    assert failure.rows == cited and failure.row_count == len(cited)
    assert rule in failure.message
    assert fingerprint(conn, source) == before
    status, reasons = conn.execute(
        "SELECT status, reasons FROM audit.load_batches WHERE batch_id = %s", (batch_id,)
    ).fetchone()
    assert status == "rejected"
    assert any(r["rule"] == rule and r["rows"] == cited for r in reasons)
    stored = conn.execute(
        "SELECT severity, success, row_count, rows_cited FROM audit.validation_results"
        " WHERE batch_id = %s AND rule = %s", (batch_id, rule),
    ).fetchone()
    assert stored == ("error", False, len(cited), cited)


def test_old_region_code_is_valid_before_its_change(conn: psycopg.Connection) -> None:
    batch = stage(conn, "kepesertaan", [row("kepesertaan", periode=date(2022, 6, 1),
                                            kode_wilayah="91.01")])
    assert gate_and_publish(conn, batch).passed


def test_clean_batch_passes_every_rule(conn: psycopg.Connection) -> None:
    for source in ("kepesertaan", "peserta_rentan", "anggaran", "realisasi"):
        batch = stage(conn, source, [row(source)])
        outcome = gate_and_publish(conn, batch)
        assert outcome.passed and not outcome.warnings, (source, outcome)
        failed = conn.execute(
            "SELECT count(*) FILTER (WHERE NOT success), count(*) FROM audit.validation_results"
            " WHERE batch_id = %s", (batch.batch_id,),
        ).fetchone()
        assert failed[0] == 0 and failed[1] >= 5


def _warned(conn: psycopg.Connection, source: str, rows: list[dict[str, Any]],
            rule: str) -> None:
    before = fingerprint(conn, source)[0]
    result = _ingest(source, rows)
    assert result.status == "loaded", [f.message for f in result.errors]
    assert rule in {w.rule for w in result.warnings}
    assert fingerprint(conn, source)[0] == before + len(rows)
    status, warnings = conn.execute(
        "SELECT status, warnings FROM audit.load_batches WHERE batch_id = %s",
        (result.batch_id,),
    ).fetchone()
    assert status == "loaded" and rule in {w["rule"] for w in warnings}
    assert conn.execute(
        "SELECT severity, success FROM audit.validation_results WHERE batch_id = %s"
        " AND rule = %s", (result.batch_id, rule),
    ).fetchone() == ("warning", False)
    conn.rollback()


@pytest.mark.parametrize(("rule", "change"), [
    ("peserta_rentan.nik_tanggal_cocok", {"nik_tanggal_cocok": False}),
    ("peserta_rentan.nik_kelamin_cocok", {"nik_kelamin_cocok": False}),
    ("peserta_rentan.iuran_matches_tariff", {"iuran_rp": 20_000}),
    ("peserta_rentan.iuran_matches_tariff", {"program": "JKK_JKM_JHT"}),
])
def test_participant_warnings_publish(conn: psycopg.Connection, rule: str,
                                      change: dict[str, Any]) -> None:
    _warned(conn, "peserta_rentan", [row("peserta_rentan", **change)], rule)


def test_mom_change_warns(conn: psycopg.Connection) -> None:
    _publish(conn, "kepesertaan", [row("kepesertaan", periode=date(2024, 2, 1), tk_aktif=50)])
    _warned(conn, "kepesertaan", [row("kepesertaan", tk_aktif=80)],
            "kepesertaan.tk_aktif_mom_change")


def test_mom_change_within_band_is_quiet(conn: psycopg.Connection) -> None:
    _publish(conn, "kepesertaan", [row("kepesertaan", periode=date(2024, 2, 1), tk_aktif=70)])
    result = _ingest("kepesertaan", [row("kepesertaan")])
    assert result.status == "loaded" and not result.warnings


def test_missing_kabkota_warns(conn: psycopg.Connection) -> None:
    _publish(conn, "kepesertaan", [
        row("kepesertaan", periode=date(2024, 2, 1)),
        row("kepesertaan", periode=date(2024, 2, 1), kode_wilayah="32.04"),
    ])
    _warned(conn, "kepesertaan", [row("kepesertaan")], "kepesertaan.kabkota_missing")
    observed = conn.execute(
        "SELECT observed FROM audit.validation_results WHERE rule = 'kepesertaan.kabkota_missing'"
        " AND NOT success").fetchone()[0]
    assert observed == [{"kode_wilayah": "32.04"}]


def test_new_code_before_its_change_warns(conn: psycopg.Connection) -> None:
    _warned(conn, "kepesertaan", [row("kepesertaan", periode=date(2022, 6, 1),
                                      kode_wilayah="93.01")],
            "kepesertaan.region_code_before_change")


def test_pagu_far_from_target_warns(conn: psycopg.Connection) -> None:
    _warned(conn, "anggaran", [row("anggaran", pagu_rp=1000 * 16_800 * 12 * 3)],
            "anggaran.pagu_vs_target")


def test_realisation_above_allocation_warns(conn: psycopg.Connection) -> None:
    _publish(conn, "anggaran", [row("anggaran", pagu_rp=40_000_000, target_peserta=200)])
    _warned(conn, "realisasi", [row("realisasi")], "realisasi.not_above_allocation")


def _realisasi(bulan: int, rp: int) -> dict[str, Any]:
    return row("realisasi", bulan=bulan, realisasi_kumulatif_rp=rp)


def test_backfill_is_checked_against_its_own_neighbours(conn: psycopg.Connection) -> None:
    _publish(conn, "realisasi", [_realisasi(1, 10_000_000)])
    _publish(conn, "realisasi", [_realisasi(3, 30_000_000)])
    before = fingerprint(conn, "realisasi")

    below = _ingest("realisasi", [_realisasi(2, 9_000_000)])
    assert below.status == "rejected"
    assert [f.rule for f in below.errors] == ["realisasi.not_below_previous_month"]
    assert below.errors[0].rows == [1]
    assert below.errors[0].observed[0]["bulan_pembanding"] == 1
    above = _ingest("realisasi", [_realisasi(2, 31_000_000)], rev=1)
    assert [f.rule for f in above.errors] == ["realisasi.not_above_next_month"]
    assert above.errors[0].observed[0]["bulan_pembanding"] == 3
    assert fingerprint(conn, "realisasi") == before

    between = _ingest("realisasi", [_realisasi(2, 20_000_000)], rev=2)
    assert between.status == "loaded", [f.message for f in between.errors]
    assert fingerprint(conn, "realisasi")[0] == before[0] + 1


def test_cumulative_drop_after_latest_month_rejected(conn: psycopg.Connection) -> None:
    _publish(conn, "realisasi", [_realisasi(2, 20_000_000)])
    result = _ingest("realisasi", [_realisasi(3, 19_000_000)])
    assert result.status == "rejected"
    assert [f.rule for f in result.errors] == ["realisasi.not_below_previous_month"]
    assert result.errors[0].observed[0]["bulan_pembanding"] == 2


def test_reference_suite_rejects_unknown_region_and_negative(conn: psycopg.Connection) -> None:
    rows = [
        {"tahun": 2024, "kode_wilayah": "32.73", "penduduk_bekerja": 1_000, "sumber": "x"},
        {"tahun": 2024, "kode_wilayah": "32.98", "penduduk_bekerja": 1_000, "sumber": "x"},
        {"tahun": 2024, "kode_wilayah": "00", "penduduk_bekerja": -1, "sumber": "x"},
    ]
    outcome = gate_and_publish(conn, stage(conn, "penduduk_bekerja", rows, period_key="all"))
    assert {(f.rule, tuple(f.rows)) for f in outcome.errors} == {
        ("penduduk_bekerja.kode_wilayah_valid", (2,)),
        ("penduduk_bekerja.non_negative", (3,)),
    }


def test_reference_old_region_code_valid_only_for_years_before_the_change(
    conn: psycopg.Connection,
) -> None:
    old, new, since = PAPUA_SPLIT
    rows = [
        {"tahun": since.year - 1, "kode_wilayah": old, "penduduk_bekerja": 1_000, "sumber": "x"},
        {"tahun": since.year + 1, "kode_wilayah": old, "penduduk_bekerja": 1_000, "sumber": "x"},
        {"tahun": since.year + 1, "kode_wilayah": new, "penduduk_bekerja": 1_000, "sumber": "x"},
    ]
    outcome = gate_and_publish(conn, stage(conn, "penduduk_bekerja", rows, period_key="all"))
    assert {(f.rule, tuple(f.rows)) for f in outcome.errors} == {
        ("penduduk_bekerja.kode_wilayah_valid", (2,)),
    }
