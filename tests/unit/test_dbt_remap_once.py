"""The region remap has one policy and one home (macros/wilayah/monev_kode_terkini.sql):
no model joins the code map by hand, and none guesses a region from a code's digits
(`left(kode, 2)` as a province, or a delivered code kept where the map has none)
except through the macro's visible `bila_tak_dikenal` argument."""

from __future__ import annotations

import re
from pathlib import Path

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
MAP = "int_wilayah__kode_terkini"
# the map itself; fct_peserta_rentan_bulanan shapes the map for its planner (a CTE the
# macro joins through its `peta` argument)
SHAPES_THE_MAP = {MAP, "fct_peserta_rentan_bulanan"}

_JOIN_MAP = re.compile(r"\bjoin\s+(\{\{\s*ref\('" + MAP + r"'\)\s*\}\}|kode_terkini\b|terkini\b)",
                       re.I)
_MAP_REF = re.compile(r"ref\('" + MAP + r"'\)")
_GUESS_PROVINCE = re.compile(r"\bleft\(\s*[\w.]*kode[\w.]*\s*,\s*2\s*\)", re.I)
_KEEP_UNMAPPED = re.compile(r"coalesce\(\s*\w+\.kode_(wilayah|provinsi)\s*,\s*\w+\.kode", re.I)


def _models() -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(MODELS.rglob("*.sql"))}


def test_no_model_joins_the_code_map_by_hand() -> None:
    by_hand = {name: len(_JOIN_MAP.findall(sql)) for name, sql in _models().items()
               if name not in SHAPES_THE_MAP}
    assert not {n: c for n, c in by_hand.items() if c}, (
        "remap through {{ monev_kode_terkini(...) }}, not a hand-written join: "
        f"{ {n: c for n, c in by_hand.items() if c} }")


def test_the_map_is_read_only_through_the_macro() -> None:
    readers = {name for name, sql in _models().items()
               if _MAP_REF.search(sql) and name not in SHAPES_THE_MAP}
    assert not readers, f"models reading {MAP} outside the macro: {sorted(readers)}"


def test_no_model_guesses_a_region_from_a_code() -> None:
    guesses = {name: _GUESS_PROVINCE.findall(sql) + _KEEP_UNMAPPED.findall(sql)
               for name, sql in _models().items()}
    assert not {n: g for n, g in guesses.items() if g}, (
        "a code outside the map stays NULL, or the fallback is the macro's "
        f"bila_tak_dikenal argument: { {n: g for n, g in guesses.items() if g} }")


def test_the_models_that_remap_all_use_the_macro() -> None:
    users = {name for name, sql in _models().items() if "monev_kode_terkini(" in sql}
    # the star's facts and dimension, and the Monev intermediates that still read
    # delivered codes (coverage, payers, double funding)
    assert users >= {"fct_kepesertaan_bulanan", "fct_anggaran", "fct_realisasi_bulanan",
                     "fct_regulasi", "fct_target", "fct_penduduk_bekerja",
                     "fct_potensi_peserta", "fct_peserta_rentan_bulanan", "dim_wilayah",
                     "int_monev__kepesertaan_kabkota", "int_monev__nik_ganda_peserta",
                     "int_monev__anggaran_pemda_bulanan"}
