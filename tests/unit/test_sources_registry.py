"""File names → source, period and revision; anything else is refused with a reason."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from monev import catalog
from monev.sources.registry import UnknownFile, identify, sort_key


@pytest.mark.parametrize(
    ("name", "source", "period", "rev"),
    [
        ("kepesertaan_202403.csv", "kepesertaan", "2024-03", 0),
        ("kepesertaan_202403_rev2.csv.gz", "kepesertaan", "2024-03", 2),
        ("peserta_rentan_202312.csv.gz", "peserta_rentan", "2023-12", 0),
        ("peserta_rentan_202312_rev11.csv.gz", "peserta_rentan", "2023-12", 11),
        ("anggaran_2024_murni.xlsx", "anggaran", "2024/murni", 0),
        ("anggaran_2024_perubahan_rev1.xlsx", "anggaran", "2024/perubahan", 1),
        ("realisasi_202407.xlsx", "realisasi", "2024-07", 0),
        ("penduduk_bekerja.csv", "penduduk_bekerja", "all", 0),
        ("wilayah_perubahan.csv", "wilayah_perubahan", "all", 0),
        ("regulasi_daerah.csv", "regulasi_daerah", "all", 0),
    ],
)
def test_known_names(name: str, source: str, period: str, rev: int) -> None:
    sf = identify(Path("landing/referensi") / name)
    assert (sf.source, sf.period_key, sf.revision) == (source, period, rev)


def test_monthly_fields() -> None:
    sf = identify(Path("realisasi_202407_rev3.xlsx"))
    assert (sf.periode, sf.tahun, sf.bulan) == (date(2024, 7, 1), 2024, 7)
    assert identify(Path("kepesertaan_202403.csv.gz")).gzipped


@pytest.mark.parametrize(
    "name",
    [
        "kepesertaan_2024-03.csv", "kepesertaan_202413.csv", "peserta_rentan_202403.csv",
        "anggaran_2024_final.xlsx", "realisasi_202403.xls", "penduduk.csv", "notes.txt",
        "kepesertaan_202403_revA.csv",
    ],
)
def test_unknown_names_are_refused_with_a_reason(name: str) -> None:
    with pytest.raises(UnknownFile, match=name.replace(".", r"\.")):
        identify(Path(name))


@pytest.mark.parametrize("name", [
    "kepesertaan_202403.csv\n", "referensi_x\nwilayah_bps.csv", "wilayah_bps.csv\n",
    "anggaran_2024_murni.xlsx\n", "peserta_rentan_202403.csv.gz\n", " kepesertaan_202403.csv",
])
def test_the_whole_name_must_match(name: str) -> None:
    # `re.match` with `$` accepted a trailing newline: the grammar is a full match
    with pytest.raises(UnknownFile):
        identify(Path(name))


def test_order_reference_first_then_budgets_then_months_oldest_first() -> None:
    names = ["realisasi_202402.xlsx", "kepesertaan_202402_rev1.csv", "kepesertaan_202402.csv",
             "peserta_rentan_202401.csv.gz", "kepesertaan_202401.csv", "anggaran_2024_murni.xlsx",
             "target_ucj.csv", "wilayah_perubahan.csv"]
    ordered = sorted((identify(Path(n)) for n in names), key=sort_key)
    assert [s.path.name for s in ordered] == [
        "wilayah_perubahan.csv", "target_ucj.csv", "anggaran_2024_murni.xlsx",
        "kepesertaan_202401.csv", "peserta_rentan_202401.csv.gz", "kepesertaan_202402.csv",
        "kepesertaan_202402_rev1.csv", "realisasi_202402.xlsx"]


def test_monev_ingest_and_the_ingest_dag_load_in_one_order() -> None:
    """The CLI's order (registry.sort_key) and the DAG's (ingest_tasks._load_order)
    are the catalog's one rule, not two that happen to agree on reference files."""
    from monev.ingest.landing import LandedFile
    from monev.orchestration.ingest_tasks import _load_order

    names = ["realisasi_202401.xlsx", "kepesertaan_202402.csv", "anggaran_2025_murni.xlsx",
             "peserta_rentan_202401.csv.gz", "kepesertaan_202401_rev2.csv",
             "kepesertaan_202401.csv", "anggaran_2024_perubahan.xlsx"]
    files = [identify(Path(n)) for n in names]
    by_cli = [s.path.name for s in sorted(files, key=sort_key)]
    landed = [LandedFile(s.path.name, s.source, s.period_key, s.revision, 1, "f") for s in files]
    by_dag = [f.relpath for f in sorted(landed, key=_load_order)]
    assert by_cli == by_dag


def test_the_catalog_is_the_one_list_of_sources() -> None:
    """The registry's specs, the landing intake's groups and the DAG's per-source assets
    all come from monev.catalog, in its order."""
    from monev import catalog
    from monev.ingest import landing
    from monev.orchestration.assets import SOURCE_ASSETS
    from monev.sources import registry

    assert tuple(s.name for s in registry.SPECS) == catalog.NAMES
    assert all(registry.BY_NAME[s.name].period == s.period for s in catalog.SOURCES)
    assert ("referensi", *catalog.PERIODIC) == catalog.LANDING_GROUPS
    assert tuple(SOURCE_ASSETS) == catalog.LANDING_GROUPS
    # every spec's files are claimed by the landing intake under one of those groups
    for spec in registry.SPECS:
        ext = re.sub(r"\(.*?\)\?", "", spec.extension).replace("\\", "")
        name = {"month": f"{spec.name}_202403{ext}",
                "budget": f"{spec.name}_2024_{spec.versions[0] if spec.versions else ''}{ext}",
                "referensi": f"referensi/{spec.name}.csv"}[spec.period]
        kind = landing.classify(name)
        assert kind is not None and kind[0] in catalog.LANDING_GROUPS, (spec.name, name)


@pytest.mark.parametrize("source", catalog.PERIODIC)
def test_a_run_for_a_month_takes_every_delivery_that_covers_it(source: str) -> None:
    """The landing's `up_to` (a run for a month ignores later files) is the catalog's, and
    never leaves out a delivery the month's completeness counts (`covers`)."""
    from monev.ingest.landing import LandedFile

    s = catalog.BY_NAME[source]
    keys = (["2024/murni", "2025/perubahan", "2026/murni"] if s.period == "budget"
            else ["2024-12", "2025-01", "2025-02"])
    for key in keys:
        f = LandedFile(f"{source}_x", source, key, 0, 1, "fp")
        assert f.up_to(None)
        for month in ("2024-12", "2025-01", "2025-02"):
            assert f.up_to(month) == s.up_to(key, month)
            assert not s.covers(key, month) or f.up_to(month), (key, month)
    later = "2026/murni" if s.period == "budget" else "2025-02"
    assert not LandedFile(source, source, later, 0, 1, "fp").up_to("2025-01")
    assert LandedFile("referensi/x.csv", "referensi", "all", 0, 1, "fp").up_to("2025-01")
