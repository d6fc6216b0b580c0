"""The monthly findings' projection rule (PROYEKSI_TARGET): the regions mart_proyeksi_target
rates off track, then those at risk, each named once; on track and unrated regions not."""

from __future__ import annotations

import datetime as dt

from monev.reports import findings


def _row(code: str, name: str) -> dict:
    return {"kode_wilayah": code, "nama_wilayah": name, "capaian_target_persen": 120.0,
            "cakupan_persen": 50.0, "pagu_rp": 1.0, "regulasi_ada": True}


def test_off_track_and_at_risk_are_named() -> None:
    scope = _row("62", "KALIMANTAN TENGAH")
    kids = [_row("62.01", "A"), _row("62.02", "B"), _row("62.03", "C"), _row("62.04", "D")]
    status = {"62": "at risk", "62.01": "off track", "62.02": "on track", "62.03": None,
              "62.04": "off track"}
    found = findings.evaluate(dt.date(2025, 6, 1), scope, kids, {},
                              proyeksi={k: {"status": v} for k, v in status.items()})
    mine = [f for f in found if f.rule.code == "PROYEKSI_TARGET"]
    assert [(f.regions, f.detail) for f in mine] == [
        (["A", "D"], "2 wilayah tidak sesuai jalur menuju target akhir tahun:"),
        (["KALIMANTAN TENGAH"], "1 wilayah berisiko menuju target akhir tahun:"),
    ]
    assert "PROYEKSI_TARGET" in {r.code for r in findings.RULES}


def test_no_projection_no_finding() -> None:
    found = findings.evaluate(dt.date(2025, 6, 1), _row("62", "X"), [], {})
    assert not [f for f in found if f.rule.code == "PROYEKSI_TARGET"]
