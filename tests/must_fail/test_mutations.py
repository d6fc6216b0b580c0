"""Property-based: valid deliveries mutated at random (bytes flipped, cut, inserted,
lines repeated, the gzip itself damaged) never crash the parser or the pipeline, never
put a personal value in a message, and a rejection leaves the published data as it was
and keeps the file."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from corpus import PERSONAL_VALUES, people_rows
from extract_writers import KEPESERTAAN_HEADER, kepesertaan_rows, write_csv, write_rentan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transform_support import module_warehouse

from monev.ingest.pipeline import ingest_file
from monev.sources.parsing import parse_local

Mutation = tuple[str, int, bytes]
mutations = st.lists(st.tuples(
    st.sampled_from(["flip", "delete", "insert", "truncate", "repeat_line", "delimiter"]),
    st.integers(min_value=0, max_value=10_000),
    st.binary(min_size=1, max_size=8),
), min_size=1, max_size=4)


def _mutate(data: bytes, ops: list[Mutation]) -> bytes:
    out = bytearray(data)
    for op, at, blob in ops:
        i = at % max(len(out), 1)
        if op == "flip" and out:
            out[i] ^= blob[0] or 0xFF
        elif op == "delete":
            del out[i:i + len(blob)]
        elif op == "insert":
            out[i:i] = blob
        elif op == "truncate":
            del out[i:]
        elif op == "repeat_line":
            lines = bytes(out).split(b"\n")
            k = i % len(lines)
            lines.insert(k, lines[k])
            out = bytearray(b"\n".join(lines))
        elif op == "delimiter":
            out = bytearray(bytes(out).replace(b";", b",", 1 + i % 3))
    return bytes(out)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    d = tmp_path_factory.mktemp("valid")
    kep = write_csv(d / "kepesertaan_202403.csv", KEPESERTAAN_HEADER, kepesertaan_rows(8))
    rentan = write_rentan(d / "peserta_rentan_202403.csv.gz", people_rows())
    return {"kepesertaan": kep.read_bytes(), "peserta_rentan": gzip.decompress(
        rentan.read_bytes())}


def _write(folder: Path, source: str, data: bytes, gz_damage: list[Mutation] | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if source == "kepesertaan":
        path = folder / "kepesertaan_202403_rev1.csv"
        path.write_bytes(data)
    else:
        path = folder / "peserta_rentan_202403_rev1.csv.gz"
        packed = gzip.compress(data, mtime=0)
        path.write_bytes(_mutate(packed, gz_damage) if gz_damage else packed)
    return path


def _no_personal_values(text: str) -> None:
    for value in PERSONAL_VALUES:
        assert value not in text


# Files are written per example under tmp_path_factory: the fixture scope is intended.
_FIXTURES_OK = [HealthCheck.function_scoped_fixture]


@settings(max_examples=80, deadline=None, suppress_health_check=_FIXTURES_OK)
@given(source=st.sampled_from(["kepesertaan", "peserta_rentan"]), ops=mutations,
       gz_damage=st.none() | mutations)
def test_mutated_files_parse_to_typed_rows_or_named_failures(
    tmp_path_factory: pytest.TempPathFactory, samples: dict[str, bytes], source: str,
    ops: list[Mutation], gz_damage: list[Mutation] | None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONEV_PSEUDONYM_KEY", "mutations")
    path = _write(tmp_path_factory.mktemp("m"), source, _mutate(samples[source], ops), gz_damage)
    rows, failures = parse_local(path)  # must not raise
    for f in failures:
        assert f.rule.startswith(f"{source}.") and f.severity == "error"
        assert path.name in f.message
        _no_personal_values(json.dumps(f.as_json(), default=str))
    for row in rows:
        _no_personal_values(",".join(row))


@pytest.fixture(scope="module")
def loaded_wh(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory,
              samples: dict[str, bytes]) -> Iterator[str]:
    state = tmp_path_factory.mktemp("state")
    with module_warehouse(server_url, template_db, state) as url, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("MONEV_PSEUDONYM_KEY", "mutations")
        for name, data in (("kepesertaan_202403.csv", samples["kepesertaan"]),
                           ("peserta_rentan_202403.csv.gz", gzip.compress(
                               samples["peserta_rentan"]))):
            (state / name).write_bytes(data)
            assert ingest_file(state / name).status == "loaded"
        yield url


def _published(url: str) -> tuple:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT (SELECT md5(string_agg(k::text, '|' ORDER BY k::text)) FROM raw.kepesertaan k),"
            " (SELECT md5(string_agg(p::text, '|' ORDER BY p::text)) FROM raw.peserta_rentan p),"
            " (SELECT count(*) FROM pg_tables WHERE schemaname = 'stage')").fetchone()


@settings(max_examples=20, deadline=None, suppress_health_check=_FIXTURES_OK)
@given(source=st.sampled_from(["kepesertaan", "peserta_rentan"]), ops=mutations,
       gz_damage=st.none() | mutations)
def test_mutated_deliveries_load_or_are_rejected_without_loss(
    loaded_wh: str, tmp_path_factory: pytest.TempPathFactory, samples: dict[str, bytes],
    source: str, ops: list[Mutation], gz_damage: list[Mutation] | None,
) -> None:
    path = _write(tmp_path_factory.mktemp("d"), source, _mutate(samples[source], ops), gz_damage)
    before = _published(loaded_wh)
    result = ingest_file(path)
    # stale: an earlier example already published this revision number
    assert result.status in ("loaded", "rejected", "duplicate", "stale"), (
        result.status, result.errors)
    _no_personal_values(json.dumps([f.as_json() for f in result.errors + result.warnings],
                                   default=str))
    if result.status == "rejected":
        assert _published(loaded_wh) == before
        assert result.kept_path is not None and result.kept_path.read_bytes() == path.read_bytes()
    path.unlink()
