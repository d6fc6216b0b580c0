"""Drills, at small size, run through the `monev` command as an operator runs them:

- backup → drop everything (database, report archive, delivery archive) → restore:
  every marts and audit table and every archived file identical;
- a backup whose dump and manifest were both rewritten is refused (the manifest is
  signed), the database untouched;
- rebuild from the delivery archive into an empty warehouse: marts identical;
- kill -9 of `monev report` while its sets are being rendered: nothing of that run is
  visible in the archive or on the site, and the next run marks it failed and builds
  the month whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from report_support import marts_fixture  # noqa: F401  (a fixture)
from sqlalchemy.engine import make_url

from monev.config import reset_settings
from monev.ingest.pipeline import ingest_paths
from monev.reports.build import build_reports
from monev.synthetic import generate
from monev.warehouse import db

MONEV = Path(sys.executable).with_name("monev")
KEY = "drill-key"
# columns that say when or in which run something happened, not what: a rebuild loads
# the same rows later, in new load batches and gate runs, taking its own time
_WHEN = ("timestamp without time zone", "timestamp with time zone")


def _what(column: str, data_type: str) -> bool:
    return not (data_type in _WHEN or "batch" in column or column.endswith("_run_id")
                or column.startswith("durasi"))


def _monev(args: list[str], env: dict[str, str], check: bool = True
           ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(MONEV), *args], capture_output=True, text=True, timeout=900,
                          env={**os.environ, **env, "COLUMNS": "200"})
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def _tables(conn: psycopg.Connection, schemas: tuple[str, ...]) -> list[str]:
    return [f"{s}.{t}" for s, t in conn.execute(
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s)"
        " ORDER BY 1, 2", (list(schemas),)).fetchall()]


def checksums(url: str, schemas: tuple[str, ...], what_only: bool = False) -> dict[str, tuple]:
    """Per table: (rows, md5 over the sorted md5 of every row). `what_only`: leave out
    timestamps and load-order identifiers (batch ids), which a re-ingest assigns anew."""
    out = {}
    with psycopg.connect(url) as conn:
        conn.execute("SET row_security = off")
        for table in _tables(conn, schemas):
            schema, name = table.split(".")
            cols = [c for c, t in conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                (schema, name)).fetchall()
                if not what_only or _what(c, t)]
            row = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), ''))"
                f" FROM (SELECT md5(ROW({row})::text) AS h FROM {table}) t").fetchone()
    return out


def file_hashes(root: Path) -> dict[str, tuple[str, int]]:
    """Each file's sha256 and mode (archived deliveries are 0600: a restore must not
    open them to others)."""
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                       p.stat().st_mode & 0o777)
            for p in sorted(root.rglob("*")) if p.is_file()}


def _empty_database(server_url: str, template_db: str, url: str) -> None:
    """Drop the database and create it as `monev warehouse up` leaves a new one:
    migrated, no data."""
    name = make_url(url).database
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    db.forget_ready()


@pytest.fixture(scope="module")
def loaded(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[dict]:
    """Two small months loaded, built and reported (one province), their deliveries in
    the delivery archive; yields the environment the `monev` commands run with."""
    from monev.transform.runner import build

    work = tmp_path_factory.mktemp("drill")
    name = f"monev_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    env = {"WAREHOUSE_URL": url, "MONEV_STATE_DIR": str(work / "state"),
           "MONEV_REPORTS_DIR": str(work / "reports"), "MONEV_ARCHIVE_DIR": str(work / "archive"),
           "MONEV_PSEUDONYM_KEY": KEY, "MONEV_REPORT_WORKERS": "1"}
    landing = work / "landing"
    generate(landing, "2025-01", "2025-02", scale="small", seed=11)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        reset_settings()
        db.forget_ready()
        results = ingest_paths([landing])
        assert all(r.ok for r in results), [(r.file_name, r.status) for r in results]
        assert build(exclude=["test_type:unit"]).success
        runs = build_reports("2025-02", provinsi="62")
        assert [r.status for r in runs] == ["built"]
        yield {"env": env, "url": url, "work": work}
    reset_settings()
    db.forget_ready()
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_drop_everything_restore_is_identical(loaded: dict, server_url: str,
                                                     template_db: str) -> None:
    env, url, work = loaded["env"], loaded["url"], loaded["work"]
    reports, deliveries = work / "reports", work / "archive" / "deliveries"
    before = checksums(url, ("marts", "audit", "raw"))
    assert sum(n for n, _ in before.values()) > 1000
    assert any(t.startswith("marts.") for t in before)
    files_before = (file_hashes(reports), file_hashes(deliveries))
    assert any(p.endswith(".pdf") for p in files_before[0])

    backup, key = work / "backup", work / "elsewhere" / "pseudonym.key"
    refused = _monev(["warehouse", "backup", str(backup), "--key-out",
                      str(backup / "key")], env, check=False)
    assert refused.returncode == 1 and "must not be stored inside" in refused.stdout
    assert not backup.exists()
    _monev(["warehouse", "backup", str(backup), "--key-out", str(key)], env)
    assert key.read_text().strip() == KEY and key.stat().st_mode & 0o777 == 0o600
    manifest = json.loads((backup / "MANIFEST.json").read_text())
    assert all(KEY not in p.read_text(errors="ignore") for p in backup.rglob("*")
               if p.is_file() and p.stat().st_size < 1 << 20)  # the key is not in it
    assert any(e["path"].startswith("database/") for e in manifest["files"])
    assert file_hashes(backup / "deliveries") == files_before[1]  # bytes and 0600 kept
    assert {m for _, m in files_before[1].values()} == {0o600}

    # a non-empty warehouse is not overwritten
    over = _monev(["warehouse", "restore", str(backup)], env, check=False)
    assert over.returncode == 1 and "not empty" in over.stdout

    # drop everything
    _empty_database(server_url, template_db, url)
    shutil.rmtree(reports)
    shutil.rmtree(work / "archive")

    # a backup that changed since it was written is refused before anything is touched
    pdf = next(p for p in backup.rglob("*.pdf"))
    original = pdf.read_bytes()
    pdf.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    bad = _monev(["warehouse", "restore", str(backup)], env, check=False)
    assert bad.returncode == 1 and "changed since the backup" in bad.stdout
    assert not reports.exists() or not any(reports.rglob("*.pdf"))
    assert not (work / "archive").exists() or not any((work / "archive").rglob("*.csv"))
    assert not any(t.startswith("marts.") for t in checksums(url, ("marts",)))
    pdf.write_bytes(original)

    _monev(["warehouse", "restore", str(backup)], env)
    assert checksums(url, ("marts", "audit", "raw")) == before
    assert (file_hashes(reports), file_hashes(deliveries)) == files_before
    assert {d.stat().st_mode & 0o777
            for d in (work / "archive", deliveries)} == {0o700}  # made anew, private
    assert not (reports / ".staging").exists()


def _data_file(dump: Path, schema: str) -> Path:
    """The dump's data file of the largest table of `schema` (pg_restore -l names each
    TABLE DATA entry's dump id: its data is `<id>.dat[.gz]`)."""
    from monev.config import settings
    from monev.warehouse import cluster

    listing = subprocess.run([str(cluster.find_bin_dir(settings()) / "pg_restore"), "-l",
                              str(dump)], capture_output=True, text=True, check=True).stdout
    ids = [line.split(";")[0] for line in listing.splitlines()
           if f" TABLE DATA {schema} " in line]
    files = [f for i in ids for f in dump.glob(f"{i}.dat*")]
    return max(files, key=lambda f: f.stat().st_size)


def test_a_backup_rewritten_with_its_manifest_is_refused(loaded: dict) -> None:
    """The attack: whoever can write the backup disk changes the dump (here: one mart's
    rows; as well a function's body, run as superuser) and rewrites the manifest's
    hashes to match. The manifest is signed with a key derived from the pseudonym key,
    kept apart: the restore refuses it, naming why, and the database stays as it was."""
    import gzip

    env, url, work = loaded["env"], loaded["url"], loaded["work"]
    backup = work / "backup_signed"
    _monev(["warehouse", "backup", str(backup)], env)
    before = checksums(url, ("marts", "audit", "raw"))

    data = _data_file(backup / "database", "marts")
    raw = gzip.decompress(data.read_bytes()) if data.suffix == ".gz" else data.read_bytes()
    first, rest = raw.split(b"\n", 1)
    forged = first + b"\n" + first + b"\n" + rest  # one row more, as an attacker likes
    data.write_bytes(gzip.compress(forged) if data.suffix == ".gz" else forged)
    manifest_path = backup / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text())
    rel = str(data.relative_to(backup))
    for e in manifest["files"]:
        if e["path"] == rel:
            e["sha256"] = hashlib.sha256(data.read_bytes()).hexdigest()
            e["bytes"] = data.stat().st_size
    manifest_path.write_text(json.dumps(manifest, indent=1))

    refused = _monev(["warehouse", "restore", str(backup), "--force"], env, check=False)
    assert refused.returncode == 1, refused.stdout
    assert "signature does not match" in refused.stdout
    assert checksums(url, ("marts", "audit", "raw")) == before

    # an unsigned manifest is refused as well, and so is the right one under another key
    (backup / "MANIFEST.sig").rename(backup / "sig.away")
    unsigned = _monev(["warehouse", "restore", str(backup), "--force"], env, check=False)
    assert unsigned.returncode == 1 and "is not signed" in unsigned.stdout
    other = work / "other.key"
    other.write_text("another-key\n")
    other.chmod(0o600)
    clean = work / "backup_other_key"
    _monev(["warehouse", "backup", str(clean)], env)
    wrong = _monev(["warehouse", "restore", str(clean), "--force", "--key-from", str(other)],
                   env, check=False)
    assert wrong.returncode == 1 and "signed with another pseudonym key" in wrong.stdout
    assert checksums(url, ("marts", "audit", "raw")) == before


def test_rebuild_from_the_delivery_archive_gives_the_same_marts(
        loaded: dict, server_url: str, template_db: str) -> None:
    env, url = loaded["env"], loaded["url"]
    marts = checksums(url, ("marts",), what_only=True)
    assert marts and all(n for n, _ in marts.values())
    refused = _monev(["rebuild"], env, check=False)
    assert refused.returncode == 2 and "not empty" in refused.stdout
    _empty_database(server_url, template_db, url)
    out = _monev(["rebuild"], env)
    assert "dbt build: ok" in out.stdout
    rebuilt = checksums(url, ("marts",), what_only=True)
    # The archive holds the published deliveries, not the rejected or stale ones, so
    # the two marts of delivery history list the rebuild's own loads; every mart of the
    # data is identical.
    history = {"marts.mart_kesehatan_muatan", "marts.mart_sumber_data"}
    assert {k: v for k, v in rebuilt.items() if k not in history} == \
        {k: v for k, v in marts.items() if k not in history}
    assert history <= set(rebuilt) and all(rebuilt[k][0] for k in history)


def _staged_pdf(root: Path) -> bool:
    return any((root / ".staging").rglob("*.pdf")) if (root / ".staging").exists() else False


def test_kill_9_mid_report_publishes_nothing_and_the_next_run_recovers(
        marts: str, tmp_path: Path) -> None:
    """A month's reports appear whole or not at all (the fixture marts: the nation and
    a few provinces)."""
    root = tmp_path / "reports"
    env = {**os.environ, "WAREHOUSE_URL": marts, "MONEV_REPORT_WORKERS": "1",
           "COLUMNS": "200"}
    # a first, whole build of one province: a month already in the archive
    first = build_reports("2025-03", provinsi="62", out=root)
    assert [r.status for r in first] == ["built"]
    archived = file_hashes(root)
    site = (root / "index.html").read_text()

    proc = subprocess.Popen([str(MONEV), "report", "--periode", "2025-03", "--out", str(root)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    seen: set[str] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        # the archive and the site stay as they were while the sets render
        now = file_hashes(root)
        assert {k: v for k, v in now.items() if not k.startswith(".staging/")} == archived
        seen |= {k for k in now if k.startswith(".staging/") and k.endswith(".pdf")}
        if seen:  # a set rendered, the others still to come
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    visible = {k: v for k, v in file_hashes(root).items() if not k.startswith(".staging/")}
    assert visible == archived  # nothing of the killed run in the archive
    assert (root / "index.html").read_text() == site
    with psycopg.connect(marts) as conn:
        scopes = conn.execute("SELECT count(*) FROM audit.report_runs"
                              " WHERE status = 'building'").fetchone()[0]
    assert scopes > 1  # the national report and the provinces

    runs = build_reports("2025-03", out=root)
    assert len(runs) == scopes and {r.status for r in runs} == {"built"}
    with psycopg.connect(marts) as conn:
        statuses = dict(conn.execute(
            "SELECT status, count(*) FROM audit.report_runs GROUP BY status").fetchall())
        interrupted = conn.execute(
            "SELECT count(*) FROM audit.report_runs WHERE status = 'failed'"
            " AND message LIKE '%interrupted%'").fetchone()[0]
    assert "building" not in statuses and interrupted == statuses["failed"] > 1
    assert not (root / ".staging").exists() or not any((root / ".staging").iterdir())
    month = root / "2025-03"
    assert len(list(month.glob("*.pdf"))) == scopes
    for run in runs:  # every recorded file is in the archive with its recorded hash
        for f in run.files:
            path = Path(f["path"])
            assert path.parent.parent == month or path.parent == month
            assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
    assert (root / "index.html").read_text().count(".pdf") == scopes
    reset_settings()


def test_the_served_site_hides_a_build_in_progress(tmp_path: Path) -> None:
    """`monev reports serve` and the site index show no part of a staging folder."""
    import base64
    import threading
    import urllib.error
    import urllib.request

    from monev.reports.serve import make_server
    from monev.reports.site import write_site

    staged = tmp_path / ".staging" / "7" / "2025-03"
    staged.mkdir(parents=True)
    (staged / "monev_nasional_2025-03.pdf").write_bytes(b"%PDF-1.7 half")
    index = write_site(tmp_path).read_text()
    assert "monev_nasional" not in index and "2025-03" not in index
    server = make_server(tmp_path, 0, "drill-password")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    login = "Basic " + base64.b64encode(b"monev:drill-password").decode()

    def get(path: str) -> urllib.request.Request:
        return urllib.request.Request(base + path, headers={"Authorization": login})

    try:
        with urllib.request.urlopen(get("")) as r:
            assert r.status == 200
        for path in (".staging/7/2025-03/monev_nasional_2025-03.pdf", ".staging/",
                     "%2estaging/7/2025-03/monev_nasional_2025-03.pdf"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(get(path))
            assert e.value.code == 404, path
    finally:
        server.shutdown()
        server.server_close()
