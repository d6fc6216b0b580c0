"""Build, archive, record and (optionally) send the monthly Monev report sets.

`build_reports` is what the CLI and the Airflow report DAG call. Each scope (the nation
or one province) gets a PDF, an Excel annex, an HTML page and a Parquet snapshot of the
mart rows it was built from, under `<reports_dir or out>/<YYYY-MM>/`, and a row in
`audit.report_runs`. The sets are rendered into a staging folder and the month is
published whole once their rows are written (`monev.reports.staging`). A scope already
sent for the month is not sent again unless `reissue=True`, which builds revision N+1
into new files (`…_revN`): recipients' copies are never overwritten.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from monev import mail
from monev.config import settings
from monev.private_files import owner_only
from monev.reports import delivery, diff, site, staging
from monev.reports import formatting as fmt
from monev.reports.content import build_content
from monev.reports.data import NATIONAL, MartData, parse_periode
from monev.reports.excel import write_excel
from monev.reports.render import write_html, write_pdf
from monev.reports.withheld import SNAPSHOT_SUFFIX
from monev.warehouse import db

log = logging.getLogger(__name__)


@dataclass
class ReportRun:
    periode: str
    scope: str
    revision: int
    status: str  # built | sent | failed | skipped
    run_id: int | None = None
    files: list[dict] = field(default_factory=list)
    snapshot: str | None = None
    recipients: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0
    previous: int = 0  # the revision this one replaces (0 = first)
    changes: list[str] = field(default_factory=list)  # what changed since `previous`

    def path(self, suffix: str) -> Path | None:
        for f in self.files:
            if f["name"].endswith(suffix):
                return Path(f["path"])
        return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def record_files(documents: list[Path], snapshot: Path) -> list[dict]:
    """Name, path, sha256 and size of a set's documents and its snapshot's files, also
    written as the snapshot's MANIFEST.json."""
    files = [{"name": p.name, "path": str(p), "sha256": _sha256(p), "bytes": p.stat().st_size}
             for p in documents]
    files += [{"name": f"{snapshot.name}/{p.name}", "path": str(p), "sha256": _sha256(p),
               "bytes": p.stat().st_size} for p in sorted(snapshot.iterdir())]
    with owner_only():  # inside the snapshot: its owner's only, like the rows
        (snapshot / "MANIFEST.json").write_text(json.dumps(files, indent=1), encoding="utf-8")
    return files


def stem(periode: str, scope: str, revision: int) -> str:
    slug = "nasional" if scope == NATIONAL else f"prov{scope}"
    return f"monev_{slug}_{periode}" + (f"_rev{revision}" if revision > 1 else "")


def snapshot_dir(folder: Path, periode: str, scope: str, revision: int) -> Path:
    return folder / f"{stem(periode, scope, revision)}{SNAPSHOT_SUFFIX}"


def render_scope(data: MartData, scope: str, revision: int, folder: Path,
                 previous: int = 0) -> dict:
    """Write the snapshot and the three documents for one scope (runs in a worker).

    `previous`: the revision this one replaces; its archived snapshot is compared with
    this one so the reissue states what changed."""
    started = time.perf_counter()
    key = data.periode.strftime("%Y-%m")
    name = stem(key, scope, revision)
    folder.mkdir(parents=True, exist_ok=True)
    snapshot = folder / f"{name}{SNAPSHOT_SUFFIX}"
    data.write(snapshot)
    changes = None
    before = snapshot_dir(folder, key, scope, previous) if previous else None
    if before is not None and (before / "periode.txt").exists():
        changes = diff.compare(MartData.read(before), data)
    content = build_content(data, scope, changes=changes, previous_revision=previous)
    paths = [write_pdf(content, revision, folder / f"{name}.pdf"),
             write_excel(content, revision, folder / f"{name}.xlsx"),
             write_html(content, revision, folder / f"{name}.html")]
    files = record_files(paths, snapshot)
    return {"files": files, "snapshot": str(snapshot), "scope_name": content.scope_name,
            "seconds": time.perf_counter() - started,
            "changes": changes.lines() if changes is not None else []}


def reproduce(snapshot: Path, out: Path, scope: str, revision: int = 1) -> dict:
    """Rebuild a report from its archived snapshot (same rows, same figures)."""
    return render_scope(MartData.read(snapshot), scope, revision, out)


def _previous(conn, periode, scope: str) -> tuple[int, int]:
    """(highest revision sent, highest revision built) for the scope and month."""
    row = conn.execute(
        "SELECT coalesce(max(revision) FILTER (WHERE status = 'sent'), 0),"
        " coalesce(max(revision) FILTER (WHERE status IN ('built', 'sent', 'failed')), 0)"
        " FROM audit.report_runs WHERE periode = %s AND scope = %s", (periode, scope),
    ).fetchone()
    return int(row[0]), int(row[1])


def _workers(n_tasks: int) -> int:
    wanted = settings().report_workers
    return max(1, min(wanted, os.cpu_count() or 1, n_tasks))


def build_reports(periode: str, provinsi: str | None = None, out: Path | None = None,
                  send: bool = False, reissue: bool = False,
                  on_progress: Callable[[int, int], None] | None = None,
                  missing: list[str] | None = None) -> list[ReportRun]:
    """Build the national report and every province's (or one province's) for a month.

    `missing`: the sources the completeness plan found missing when it released the
    month (the report names them); None: those mart_kesehatan_status_sumber does not
    show loaded. `on_progress(done, total)` is called as each scope's documents are
    written."""
    month = parse_periode(periode)
    key = month.strftime("%Y-%m")
    with db.connect() as conn:
        if not conn.execute("SELECT to_regclass('marts.mart_monev_wilayah_bulanan')"
                            " IS NOT NULL").fetchone()[0]:
            raise ValueError("marts.mart_monev_wilayah_bulanan does not exist:"
                             " run `monev transform` first")
        data = MartData.load(conn, month, missing)
    if data.wilayah[data.wilayah["periode"] == month].empty:
        raise ValueError(f"marts.mart_monev_wilayah_bulanan has no rows for {key}")
    provinces = sorted(data.wilayah.loc[(data.wilayah["periode"] == month)
                                        & (data.wilayah["tingkat"] == "PROVINSI"),
                                        "kode_wilayah"].unique())
    if provinsi:
        code = provinsi.zfill(2)
        if code not in provinces:
            raise ValueError(f"province {code} has no rows for {key}")
        scopes = [code]
    else:
        scopes = [NATIONAL, *provinces]

    root = Path(out or settings().reports_dir)
    runs: list[ReportRun] = []
    todo: list[ReportRun] = []
    # One connection for the whole build: it holds the lock of every row being built,
    # which is how the next build tells a live build from an interrupted one.
    with db.connect(autocommit=True) as conn:
        staging.recover_interrupted(conn, root)
        for scope in scopes:
            sent, built = _previous(conn, month, scope)
            if sent and not reissue:
                runs.append(ReportRun(key, scope, sent, "skipped", message=(
                    f"{key} {scope} sudah dikirim sebagai revisi {sent}; tidak dibuat ulang"
                    " (gunakan --reissue untuk revisi baru)")))
                continue
            revision = max(sent, built) + 1 if sent else max(built, 1)
            run = ReportRun(key, scope, revision, "building",
                            previous=sent or (revision - 1 if revision > 1 else 0))
            if sent:
                run.message = f"revisi {revision} menggantikan revisi {sent} yang telah dikirim"
            run.run_id = staging.start_run(conn, month, scope, revision, run.message or None)
            todo.append(run)
            runs.append(run)
        if todo:
            try:
                _build_and_publish(conn, data, todo, root, key, send, on_progress)
            finally:
                staging.release(conn, [r.run_id for r in todo if r.run_id is not None])
    site.write_site(root)
    return runs


def _build_and_publish(conn, data: MartData, todo: list[ReportRun], root: Path, key: str,
                       send: bool, on_progress: Callable[[int, int], None] | None) -> None:
    results = publish_whole(
        conn, todo, root, key, int(key.replace("-", "")),
        stem_of=lambda r: stem(key, r.scope, r.revision),
        render=lambda staged: _render_all(data, todo, staged, on_progress))
    recipients = delivery.load_recipients() if send else {}
    finish(conn, todo, send=(lambda r: _send(r, results[r.scope]["scope_name"],
                                             recipients.get(r.scope, []))) if send else None)


def publish_whole(conn, todo: list[ReportRun], root: Path, name: str, lock_key: int,
                  stem_of: Callable[[ReportRun], str],
                  render: Callable[[Path], dict[str, object]],
                  key_of: Callable[[ReportRun], str] = lambda r: r.scope,
                  on_built: Callable[[ReportRun, dict], None] | None = None,
                  ) -> dict[str, object]:
    """Write-audit-publish for one archive folder (a month, a semester): render every
    run's set into the staging folder (`render(staged)` → result or exception per
    `key_of(run)`), write the audit rows, and swap the folder `name` in whole, inside the
    rows' transaction. A failure before the publish leaves the archive as it was."""
    owner = min(r.run_id for r in todo if r.run_id is not None)
    folder = root / name
    try:
        staged = staging.prepare(root, owner, name, [stem_of(r) for r in todo])
        results = render(staged)
        failed = []
        with conn.transaction():
            for run in todo:
                result = results[key_of(run)]
                if isinstance(result, BaseException):
                    run.status, run.message = "failed", f"build failed: {type(result).__name__}"
                    log.error("report %s %s failed: %s", name, run.scope, result,
                              exc_info=result)
                    failed.append(stem_of(run))
                    continue
                run.files = _published_files(result["files"], staged, folder)
                run.snapshot = str(folder / Path(result["snapshot"]).name)
                Path(staged / Path(run.snapshot).name / "MANIFEST.json").write_text(
                    json.dumps(run.files, indent=1), encoding="utf-8")
                run.seconds, run.status = result["seconds"], "built"
                run.changes = result["changes"]
                if on_built:
                    on_built(run, result)
                conn.execute(
                    "UPDATE audit.report_runs SET status = 'built', files = %s,"
                    " snapshot_path = %s, built_at = now(), duration_ms = %s WHERE run_id = %s",
                    (json.dumps(run.files), run.snapshot, int(run.seconds * 1000), run.run_id))
            # Inside the transaction: killed before the commit, the rows stay `building`
            # (marked failed by the next build) whatever the archive shows.
            staging.publish(conn, root, staged, failed, lock_key)
    except BaseException as exc:
        staging.discard(root, owner)
        with contextlib.suppress(Exception):  # else the next build marks them interrupted
            conn.execute(
                "UPDATE audit.report_runs SET status = 'failed', message = %s,"
                " finished_at = now() WHERE run_id = ANY(%s) AND status = 'building'",
                (f"build failed: {type(exc).__name__}; nothing was published",
                 [r.run_id for r in todo]))
        raise
    staging.discard(root, owner)
    return results


def finish(conn, todo: list[ReportRun], send: Callable[[ReportRun], None] | None) -> None:
    """After the publish: send each built set (when asked) and close its audit row."""
    for run in todo:
        if send and run.status == "built":
            send(run)
        conn.execute(
            "UPDATE audit.report_runs SET status = %s, recipients = %s, message = %s,"
            " sent_at = CASE WHEN %s = 'sent' THEN now() END, finished_at = now()"
            " WHERE run_id = %s",
            (run.status, json.dumps(run.recipients), run.message or None, run.status,
             run.run_id))


def _published_files(files: list[dict], staged: Path, folder: Path) -> list[dict]:
    """The file records with the paths they have once the month is published."""
    return [{**f, "path": str(folder / Path(f["path"]).relative_to(staged))} for f in files]


def _render_all(data: MartData, todo: list[ReportRun], folder: Path,
                on_progress: Callable[[int, int], None] | None = None) -> dict[str, object]:
    results: dict[str, object] = {}
    workers = _workers(len(todo))

    def done() -> None:
        if on_progress:
            on_progress(len(results), len(todo))

    if workers == 1:
        for run in todo:
            try:
                results[run.scope] = render_scope(data.for_scope(run.scope), run.scope,
                                                  run.revision, folder, run.previous)
            except Exception as exc:  # one bad scope must not stop the others
                results[run.scope] = exc
            done()
        return results
    import weasyprint  # noqa: F401  (imported once here, shared by the forked workers)

    ctx = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        # The national report is the longest: submit it first so it overlaps the rest.
        futures = {pool.submit(render_scope, data.for_scope(r.scope), r.scope, r.revision,
                               folder, r.previous): r.scope for r in todo}
        for fut in cf.as_completed(futures):
            try:
                results[futures[fut]] = fut.result()
            except Exception as exc:
                results[futures[fut]] = exc
            done()
    return results


def _send(run: ReportRun, scope_name: str, to: list[str]) -> None:
    bulan = fmt.month_name(parse_periode(run.periode))
    deliver(run, to, f"Laporan Monev Jamsostek {scope_name} {bulan}",
            f"laporan Monev jaminan sosial ketenagakerjaan {scope_name} untuk {bulan}")


def deliver(run: ReportRun, to: list[str], subject: str, what: str) -> None:
    """Email a built set's PDF and Excel to `to`; the run's status and message say how
    it went (a revision's email lists what changed)."""
    if not to:
        run.message = (run.message + "; " if run.message else "") + "tidak ada penerima"
        return
    subject += f" (revisi {run.revision})" if run.revision > 1 else ""
    body = (f"Terlampir {what} (PDF dan lampiran Excel), revisi {run.revision}.\n"
            + (f"Revisi ini menggantikan revisi {run.previous}. Yang berubah:\n"
               + "".join(f"- {line}\n" for line in run.changes) if run.previous else ""))
    attachments = [p for p in (run.path(".pdf"), run.path(".xlsx")) if p]
    try:
        mail.send(to, subject, body, attachments)
        run.status, run.recipients = "sent", to
    except Exception as exc:
        run.status = "failed"
        run.message = f"pengiriman gagal: {type(exc).__name__}: {exc}"
