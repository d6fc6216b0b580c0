"""docs/MARTS.md, written from the marts' dbt ymls (as monev.transform.contracts reads
them): every relation BI tools and the report builder read, with its grain, columns,
types and tests. `python -m monev.transform.marts_doc` rewrites the file; a unit test
fails when it is stale, so the document cannot drift from the contracts dbt enforces."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from monev.config import PROJECT_ROOT
from monev.transform import contracts

DOC = PROJECT_ROOT / "docs" / "MARTS.md"
DBT_PROJECT = contracts.DBT_PROJECT
MARTS = contracts.MARTS
# the folders of models/marts, in the order a reader meets them
FOLDERS = {
    "core": "Star schema: dimensions and facts",
    "monev": "Ready-made marts",
    "health": "Data health",
}


# The column-naming rule (written once here; rendered into docs/MARTS.md and held by
# tests/unit/test_marts_doc.py for every mart column). Domain words are Indonesian, as
# the extracts and DOMAIN.md spell them; machinery keeps English names.
#
# Machinery: lineage columns every loaded row carries from the audit schema, and the
# fields of tools' own artefacts (dbt run results, Great Expectations validations) under
# the tool's name. A closed list: a new machinery column is added here, on purpose.
MACHINERY = frozenset({
    # lineage (audit.load_batches and the raw rows)
    "batch_id", "source_row", "source", "period_key", "file_name", "sha256", "revision",
    "rows", "row_count", "status", "superseded_by", "warnings", "loaded_at",
    # Great Expectations validation results
    "validation_run_id", "validated_at", "suite_name", "suite_version", "rule",
    "expectation_type", "severity", "success", "observed", "message",
    # dbt run results
    "node_result_id", "invocation_id", "command", "invocation_started_at",
    "invocation_finished_at", "invocation_success", "unique_id", "resource_type", "name",
    "is_failure", "execution_time_s", "rows_affected", "failures",
})
# Words fixed by the modelling itself, in either language: surrogate keys end in `_key`,
# identifiers in `_id`; amounts in rupiah end in `_rp`, percentages (0-100) in `_persen`,
# differences of percentages in `_pp` (percentage points).
AFFIXES = frozenset({"key", "id", "rp", "persen", "pp"})
# The Indonesian words (and the programme's abbreviations) domain columns are built
# from. A new word of the domain is added here; an English word does not belong here.
_DOMAIN_WORDS = """
    ada akhir aktif akun alasan anggaran apbd apbdes asal awal aturan baru bekerja belum
    berlaku bpu bulan bulanan cakupan capaian cocok csr dasar data detik dibayar
    dibutuhkan dicapai dihitung dijalankan ditagih domisili durasi galat ganda hukum iuran
    jakon jenis judul jumlah kabkota
    kategori keaktifan kegiatan kelamin kelompok keluar kepesertaan keterangan kewajaran
    kode kumulatif label lahir laju muatan mulai nama nik nomor pada pagu pekerja pembayar
    pembayaran pemda pemprov penduduk penetapan pengganti peringatan peringkat periode
    pertama pertumbuhan peserta pmi potensi program provinsi proyek proyeksi pu rasio realisasi
    regulasi rekening rentan sampai sasaran sebelumnya segmen selang selesai selisih semester
    serapan sisa skema skpd tagihan tanpa
    status sub sukses sumber tahun tanggal target terakhir terdaftar terkini terlambat
    terlindungi tertinggal tingkat tk total triwulan uraian urutan utama valid versi
    waktu wilayah
"""
DOMAIN_WORDS = frozenset(_DOMAIN_WORDS.split())
# Existing columns that break the rule, kept because renaming a served column is a
# breaking change (a new model version, "Changing a mart"). Do not add to this list.
GRANDFATHERED = frozenset({
    ("dim_wilayah", "is_current"),
    ("fct_anggaran", "is_versi_terakhir"),
    ("mart_capaian_target", "gap_pp"),
    ("mart_monev_wilayah_bulanan", "gap_pp"),
    ("mart_kesehatan_muatan", "gate_dijalankan"),
    ("mart_kesehatan_muatan", "gate_run_id"),
    ("mart_kesehatan_muatan", "gate_versi_suite"),
    ("mart_kesehatan_muatan", "gate_sukses"),
    ("mart_kesehatan_muatan", "gate_aturan"),
    ("mart_kesehatan_muatan", "gate_galat"),
    ("mart_kesehatan_muatan", "gate_peringatan"),
})
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def naming_problem(column: str) -> str | None:
    """Why `column` breaks the naming rule, or None when it follows it."""
    if not _IDENTIFIER.fullmatch(column) or len(column) > 63:
        return "not a lower-case snake_case name of at most 63 characters"
    if column in MACHINERY:
        return None
    unknown = [w for w in column.split("_") if w not in DOMAIN_WORDS | AFFIXES]
    if unknown:
        return ("words not in the domain vocabulary: " + ", ".join(unknown)
                + " (an Indonesian domain word goes into DOMAIN_WORDS, a machinery column"
                " into MACHINERY, in monev/transform/marts_doc.py)")
    return None


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    constraints: list[str]
    tests: list[str]


@dataclass(frozen=True)
class Mart:
    name: str
    folder: str
    files: list[str]  # its .sql files (one per version), without the suffix
    description: str
    materialized: str
    grain: list[str]
    columns: list[Column]
    meta: dict[str, Any]
    model_tests: list[str] = field(default_factory=list)
    checks: list[tuple[str, str]] = field(default_factory=list)  # singular tests
    unit_tests: list[tuple[str, str]] = field(default_factory=list)
    exposures: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)


def _text(s: object) -> str:
    return " ".join(str(s or "").split())


def _cell(s: object) -> str:
    return _text(s).replace("|", "\\|")


def _test(t: object) -> str:
    """A data test as a reader wants it: its name and what it checks against."""
    if isinstance(t, str):
        return t.replace("_", " ")
    (name, spec), = dict(t).items()  # type: ignore[call-overload]
    spec = spec or {}
    args = spec.get("arguments", spec)
    label = name.replace("_", " ")
    if name == "accepted_values":
        label = "one of " + ", ".join(f"`{v}`" for v in args["values"])
    elif name == "in_code_list":
        label = f"a code of the `{args['sumber']}` spec's list (seed `daftar_kode`)"
    elif name == "relationships":
        to = re.sub(r"ref\('(\w+)'\)", r"\1", args["to"])
        label = f"exists in `{to}.{args['field']}`"
    elif "column_name" in args:
        label += f" `{_text(args['column_name'])}`"
    where = (spec.get("config") or {}).get("where")
    if where == "__periode_dibangun__":
        label += " (months built by the run)"
    elif where:
        label += f" (where {_text(where)})"
    return label


def _constraint(c: dict[str, Any]) -> str:
    return str(c["type"]).replace("_", " ")


def _project_defaults() -> dict[str, Any]:
    project = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project["models"]["monev"]["marts"])


def _materialized(sql: str, default: str) -> str:
    m = re.search(r"materialized\s*=\s*'(\w+)'", sql)
    return m.group(1) if m else default


def _checks() -> dict[str, list[tuple[str, str]]]:
    """Singular tests (dbt_project/tests) by the marts they read, with their first comment."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((DBT_PROJECT / "tests").glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        head = []
        for ln in sql.splitlines():
            if not ln.startswith("--"):
                break
            head.append(ln[2:].strip())
        # the first sentence of the test's opening comment says what it checks
        first = re.split(r"(?<=\.)\s", _text(" ".join(head)) + " ", maxsplit=1)[0]
        for ref in sorted(set(re.findall(r"ref\('(\w+)'\)", sql))):
            out.setdefault(ref, []).append((path.stem, first))
    return out


def _exposures() -> dict[str, list[str]]:
    doc = yaml.safe_load((DBT_PROJECT / "models" / "exposures.yml").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for e in doc.get("exposures") or []:
        for ref in e.get("depends_on") or []:
            m = re.fullmatch(r"ref\('(\w+)'\)", ref)
            if m:
                out.setdefault(m.group(1), []).append(e.get("label") or e["name"])
    return out


def load() -> list[Mart]:
    """Every model under models/marts, in the FOLDERS order, then by name."""
    default = _project_defaults().get("+materialized", "table")
    checks, exposures = _checks(), _exposures()
    marts: list[Mart] = []
    every = contracts.declared()
    for folder in FOLDERS:
        for d in (d for d in every if d.folder == folder):
            path, m = d.path, d.model
            config = m.get("config") or {}
            # a versioned model's versions each have a file (dbt: <name>_v<v> by default)
            files = [v.get("defined_in") or f"{m['name']}_v{v['v']}"
                     for v in m.get("versions") or []] or [m["name"]]
            sql = (path.parent / f"{files[-1]}.sql").read_text(encoding="utf-8")
            columns = [
                Column(c["name"], c.get("data_type") or "", _text(c.get("description")),
                       [_constraint(k) for k in c.get("constraints") or []],
                       [_test(t) for t in c.get("data_tests") or []])
                for c in m.get("columns") or []
            ]
            versions = [
                f"v{v['v']}" + (f" (deprecated from {v['deprecation_date']})"
                                if v.get("deprecation_date") else "")
                for v in m.get("versions") or []
            ]
            marts.append(Mart(
                name=m["name"], folder=folder, files=files,
                description=_text(m.get("description")),
                materialized=_materialized(sql, default),
                grain=list((config.get("meta") or {}).get("grain") or []),
                columns=columns, meta=dict(config.get("meta") or {}),
                model_tests=[_test(t) for t in m.get("data_tests") or []],
                checks=checks.get(m["name"], []),
                unit_tests=[(u["name"], _text(u.get("description"))) for u in d.unit_tests],
                exposures=exposures.get(m["name"], []),
                versions=versions + ([f"latest: v{m['latest_version']}"]
                                     if "latest_version" in m else []),
            ))
    return marts


INTRO = """# The marts: what the warehouse serves

Generated from the dbt ymls of `dbt_project/models/marts/` by
`python -m monev.transform.marts_doc`; do not edit by hand — a unit test fails when this
file and the ymls disagree. Change a yml, then regenerate.

## What this is

The `marts` schema is the warehouse's public face. BI tools (Metabase, Superset, Excel
over ODBC) and the monthly report builder read it and nothing else: `raw`, `staging` and
`intermediate` are never granted to them. Its relation and column names are an
interface other people build dashboards and spreadsheets on, so they change only on
purpose, with notice.

Three kinds of relation live there:

- **Dimensions and facts** (`dim_*`, `fct_*`) — a star schema for analysts who slice
  freely. Facts keep the grain of the extract they come from, the region code as it was
  delivered (`…_asal`) next to the current Kemendagri region it counts for today, and
  the load batch that published each row. Surrogate keys (`…_key`) join them to the
  dimensions.
- **Ready-made marts** (`mart_*`) — the Monev indicators computed once, with the rule
  of each in its column's description, so every dashboard and report shows the same
  figure: coverage per region and month, coverage against each target series, double
  funding, and the delivered files behind it all.
- **Data health** (`mart_kesehatan_*`, `mart_dbt_run_results`) — for the people who run
  the pipeline: which files came in and were refused, which quality rules fail, which
  regions are late, how long each dbt model took.

## How the interface is held in place

- **Contracts.** Every model here has an enforced dbt model contract (set once for the
  folder in `dbt_project.yml`): each column is declared in the model's yml with its
  `data_type`. Before dbt creates a relation it compares the names and types the SQL
  returns with the declaration; a renamed, missing, extra or retyped column fails the
  build of that model and the models after it are skipped. A table keeps its previous
  build; a view (`fct_peserta_rentan_bulanan`) is dropped with the staging views it
  reads when they are rebuilt, so it is missing until fixed. Tables are created from the
  declared column list, so the declared type (e.g. `numeric(18,2)`) is the type in the
  database. `tests/integration/test_marts_contract.py` proves the failure on the real
  database.
- **Constraints.** Where a key is unique by construction it is a primary key in the
  database ({primary_keys}).
  Everything else that depends on delivered data is checked by dbt data tests after the
  build instead, so bad data shows up as a failing test that names the rule — not as a
  model that cannot be built.
- **Meaning.** Every relation and column carries its description in the database
  (`COMMENT ON`, through dbt's `persist_docs`), so a BI tool shows the text below.
  A value that cannot be computed (no denominator delivered, no previous month) is NULL,
  never zero.
- **Access.** After every build of every model the grants are re-applied: `monev_bi`
  (BI users) and `monev_analyst` read the marts, except the pseudonymised participant
  fact, which only `monev_analyst` reads. Relations with a `kode_provinsi` column carry
  row-level security: a province's user sees that province's rows and the national ones
  (docs/BI.md). Relations whose rows carry no province but whose free text or
  JSON can hold any region's figures (the data-health marts, `mart_sumber_data`) are
  read by national logins only.

## Changing a mart

**Not breaking** — a new column, a new model, a better description, a new test. Add the
column to the SQL and to the yml with its `data_type`, regenerate this file. Tables are
rebuilt with it; incremental models ({incremental}) add it in place
(`on_schema_change: append_new_columns`), holding NULL in the periods built before — run
`monev transform --full-refresh` (or `dbt build --full-refresh -s <model>`) to fill it.

**Breaking** — renaming or removing a column, changing its type or the grain. The
contract makes dbt refuse a silent edit; publish a new *version* of the model and keep
the old one for a deprecation period, so dashboards move when their owners are ready:

```yaml
models:
  - name: mart_monev_wilayah_bulanan
    latest_version: 1            # what ref('mart_monev_wilayah_bulanan') means today
    columns: [...]               # the columns of v1, as now
    versions:
      - v: 1
        defined_in: mart_monev_wilayah_bulanan   # the existing .sql file
        config:
          alias: mart_monev_wilayah_bulanan      # keeps the relation name BI reads
        deprecation_date: 2027-06-30
      - v: 2                     # built as marts.mart_monev_wilayah_bulanan_v2
        columns:                 # from mart_monev_wilayah_bulanan_v2.sql
          - include: all
            exclude: [gap_pp]
          - name: selisih_target_pp
            data_type: numeric
```

1. Write `<model>_v2.sql` and the `versions:` block; both versions are built, tested,
   granted and secured (the folder's hooks apply to each). Unit tests run against every
   version: one whose expected rows name a column v2 no longer has is limited to v1
   (`versions: {{include: [1]}}`) and gets a v2 copy. Regenerate this file.
2. Tell the BI users and point the report builder at v2 (`ref('<model>', v=2)` in dbt,
   the `_v2` relation in SQL). dbt warns on every `ref` to a version past its
   `deprecation_date`.
3. Set `latest_version: 2`. After the deprecation date delete v1 and its file, and give
   v2 the plain name again (`alias: <model>`) if it should keep it.

A breaking change is agreed with the people who read the marts before it is written;
the version is how both sides keep working while they move.

**Held by a test.** The columns every relation of `marts` serves (each version under the
relation name it builds) are committed, with their types, in
`dbt_project/marts_columns.json`. `tests/unit/test_mart_columns.py` fails when one of
them is gone or has another type — a rename, removal or type change in place — and when
a mart column is not recorded yet. `python -m monev.transform.mart_columns` records new
columns and versions and never drops one: a version retired after its deprecation date
leaves the file by hand, in the change that deletes it.

## Naming columns

One rule, held by a unit test for every column of every mart
(`tests/unit/test_marts_doc.py`; the lists below live in
`include/monev/transform/marts_doc.py`):

- **Domain words are Indonesian**, spelled as the extracts and DOMAIN.md spell them:
  what is counted, where, when, for whom, and the judgements on it (`peserta_aktif`,
  `kode_wilayah`, `jumlah_galat`, `terlambat`). Such a name is made of the words of the
  vocabulary below; a new domain word is added to it on purpose.
- **Machinery keeps English names**: the lineage columns every loaded row carries
  (`batch_id`, `source_row`, `loaded_at`, …) and the fields of tools' own artefacts (dbt
  run results, Great Expectations validations) under the tool's name. A closed list.
- **Fixed affixes**: surrogate keys end in `_key`, identifiers in `_id`; rupiah amounts
  in `_rp`, percentages (0–100) in `_persen`, differences of percentages in `_pp`; a
  code as delivered in `_asal`, the current one in `_terkini`. Names are lower-case
  snake_case of at most 63 characters (PostgreSQL's limit).

Machinery columns: {machinery}.

Domain vocabulary: {vocabulary}.

Existing exceptions, kept because renaming a served column is a breaking change (a new
model version, above); no new column joins them: {grandfathered}.
"""

_BUILT = {
    "table": "table, rebuilt by every build",
    "incremental": "incremental table: a build rebuilds only the periods whose data changed",
    "view": "view, read live",
}


def _access(m: Mart) -> str:
    readers = ("`monev_analyst` only (not the BI role)" if m.meta.get("monev_bi") is False
               else "`monev_bi` and `monev_analyst`")
    names = {c.name for c in m.columns}
    if m.meta.get("monev_rls") == "nasional":
        readers += "; row-level security: national logins only (rows carry no province)"
    elif "kode_provinsi" in names and m.meta.get("monev_rls") is not False:
        readers += "; row-level security by `kode_provinsi`"
    return readers


def _section(m: Mart) -> str:
    lines = [f"### `marts.{m.name}`", "", m.description, ""]
    if m.grain:
        lines.append("- Grain: one row per (" + ", ".join(f"`{c}`" for c in m.grain) + ")")
    lines.append(f"- Built as: {_BUILT.get(m.materialized, m.materialized)}")
    lines.append(f"- Read by: {_access(m)}")
    if m.exposures:
        lines.append("- Used by: " + "; ".join(m.exposures))
    if m.versions:
        lines.append("- Versions: " + ", ".join(m.versions))
    if m.model_tests:
        lines.append("- Model tests: " + "; ".join(m.model_tests))
    lines += [f"- Check `{name}`: {text}" for name, text in m.checks]
    lines += [f"- Unit test `{name}`" + (f": {text}" if text else "")
              for name, text in m.unit_tests]
    lines += ["", "| column | type | description | tests |", "|---|---|---|---|"]
    for c in m.columns:
        typ = ", ".join([f"`{c.data_type}`", *c.constraints])
        lines.append(f"| `{c.name}` | {typ} | {_cell(c.description)} | "
                     + _cell("; ".join(c.tests)) + " |")
    return "\n".join(lines) + "\n"


def render(marts: list[Mart] | None = None) -> str:
    marts = load() if marts is None else marts
    pks = [f"`{m.name}`" for m in marts if any(c.constraints for c in m.columns)]
    incremental = [f"`{m.name}`" for m in marts if m.materialized == "incremental"]
    out = [INTRO.format(
        primary_keys=", ".join(pks), incremental=", ".join(incremental),
        machinery=", ".join(f"`{c}`" for c in sorted(MACHINERY)),
        vocabulary=", ".join(sorted(DOMAIN_WORDS)),
        grandfathered=", ".join(f"`{m}.{c}`" for m, c in sorted(GRANDFATHERED)),
    )]
    for folder, title in FOLDERS.items():
        inside = [m for m in marts if m.folder == folder]
        out.append(f"\n## {title}\n\n" + "\n".join(f"- [`{m.name}`](#marts{m.name})"
                                                  for m in inside) + "\n")
        out += ["\n" + _section(m) for m in inside]
    return "".join(out)


def _write(path: Path) -> None:
    path.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    _write(DOC)
