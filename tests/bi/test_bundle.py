"""The dashboard spec and the bundle written from it, without a server: charts name
real mart columns, no ratio is summed or averaged, UUIDs are fixed per login and differ
between logins, and no password ever enters the bundle."""

from __future__ import annotations

import io
import re
import zipfile

import yaml

from monev.bi import bundle, spec

RATIO = re.compile(r"(_persen|gap_pp)\b")


def _charts() -> list[spec.Chart]:
    return [c for d in spec.DASHBOARDS for c in d.charts]


def test_charts_name_columns_of_their_mart() -> None:
    marts = bundle._mart_columns()
    for c in _charts():
        names = {n for n, _, _ in marts[c.table]}
        assert set(c.columns) - set(c.computed) <= names, (c.key, set(c.columns) - names)
        for col, _asc in c.order:
            assert col in names | set(c.computed) or col in {m.label for m in c.metrics}, \
                (c.key, col)


def test_no_ratio_is_summed_or_averaged() -> None:
    for c in _charts():
        for m in c.metrics:
            fn = m.sql.split("(")[0].upper()
            if RATIO.search(m.sql):
                # a ratio only as MAX over one row of the grain: one region's series
                assert fn == "MAX" and c.viz in ("big_number_total", "echarts_timeseries_line")
                assert any("kode_wilayah = '00'" in w or "tingkat = " in w for w in c.where)
            assert fn in ("COUNT", "SUM", "MAX"), m.sql


def test_uuids_fixed_per_login_and_distinct_between_logins() -> None:
    a1 = bundle.files("bi_a", "postgresql+psycopg2://bi_a:XXXXXXXXXX@h:5432/monev")
    a2 = bundle.files("bi_a", "postgresql+psycopg2://bi_a:XXXXXXXXXX@h:5432/monev")
    b = bundle.files("bi_b", "postgresql+psycopg2://bi_b:XXXXXXXXXX@h:5432/monev")
    assert a1 == a2

    def uuids(files: dict[str, str]) -> set[str]:
        return {yaml.safe_load(t).get("uuid") for t in files.values()} - {None}

    assert len(uuids(a1)) == len(a1) - 1  # every object but metadata.yaml
    assert not uuids(a1) & uuids(b)


def test_bundle_is_one_folder_and_carries_no_password() -> None:
    files = bundle.files("bi_a", "postgresql+psycopg2://bi_a:XXXXXXXXXX@h:5432/monev")
    with zipfile.ZipFile(io.BytesIO(bundle.zipped(files))) as z:
        assert {n.split("/")[0] for n in z.namelist()} == {bundle.ROOT}
    db = yaml.safe_load(files[bundle.database_file("bi_a")])
    assert db["allow_dml"] is False and db["allow_file_upload"] is False
    assert "password" not in db and ":XXXXXXXXXX@" in db["sqlalchemy_uri"]
