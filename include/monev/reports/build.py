"""Build, archive, record and (optionally) send report sets, of every report kind.

A report kind (:class:`Kind`: the monthly sets here, the semester report in
`monev.reports.semester_build`) says how its marts are read and one set is rendered;
:func:`build` is the one loop for all of them. Each scope (the nation or one province)
gets a PDF, an Excel annex, an HTML page and a Parquet snapshot of the mart rows it was
built from, under `<reports_dir or out>/<folder>/` (`monev.reports.names`), and a row in
`audit.report_runs`. The sets are rendered into a staging folder and the period is
published whole once their rows are written (`monev.reports.publish`). Which revision a
build makes is :func:`next_revision`: a sent set is not rebuilt unless `reissue=True`,
which builds revision N+1 into new files (`…_revN`): recipients' copies are never
overwritten.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monev import mail
from monev.config import settings
from monev.private_files import owner_only
from monev.reports import diff, names, publish, recipients, site
from monev.reports import formatting as fmt
from monev.reports.content import build_content
from monev.reports.data import NATIONAL, MartData
from monev.reports.excel import write_excel
from monev.reports.render import write_html, write_pdf
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


def render_set(kind: Kind, data: Any, scope: str, revision: int, folder: Path,
               previous: int = 0) -> dict:
    """Write the snapshot and the three documents of one set of any kind (runs in a
    worker).

    `previous`: the revision this one replaces; its archived snapshot is compared with
    this one so the reissue states what changed."""
    started = time.perf_counter()
    name = names.stem(kind.name, data.key, scope, revision)
    folder.mkdir(parents=True, exist_ok=True)
    snapshot = folder / names.snapshot(name)
    data.write(snapshot)
    changes = None
    before = (folder / names.snapshot(names.stem(kind.name, data.key, scope, previous))
              if previous else None)
    if before is not None and (before / kind.snapshot.MARKER).exists():
        changes = kind.compare(kind.snapshot.read(before), data)
    content = kind.content(data, scope, changes, previous)
    paths = [write(content, revision, folder / f"{name}.{ext}")
             for ext, write in zip(names.EXTENSIONS, kind.writers, strict=True)]
    files = record_files(paths, snapshot)
    return {"files": files, "snapshot": str(snapshot), "scope_name": content.scope_name,
            "seconds": time.perf_counter() - started,
            "changes": kind.lines(changes) if changes is not None else [],
            "missing": [m.isoformat() for m in getattr(content, "missing", [])]}


def reproduce(snapshot: Path, out: Path, scope: str, revision: int = 1) -> dict:
    """Rebuild a monthly report from its archived snapshot (same rows, same figures)."""
    return render_set(MONTHLY, MartData.read(snapshot), scope, revision, out)


@dataclass(frozen=True)
class Kind:
    """What varies between report kinds (the monthly sets, the semester report); the
    build loop, revision rule, rendering of a set, archive, audit rows and sending in
    this module are one for all.

    `snapshot` is the kind's snapshot class: `snapshot.load(conn, key, missing)` reads
    the marts, `read(folder)` a snapshot back (`MARKER` is the file that marks one); an
    instance names itself (`key`, `label`, `first`: the month `audit.report_runs.periode`
    records), lists its provinces (`provinces()`) and narrows to a scope (`for_scope`).
    `content(data, scope, changes, previous)` is what one scope's set says, `compare(
    before, after)` what changed since a revision (`lines(changes)`: as text),
    `writers` write the PDF, Excel and HTML (names.EXTENSIONS order), `mail(data,
    scope_name)` is the email's subject and what it carries."""

    name: str           # names.MONTH | names.SEMESTER
    scope_prefix: str   # audit.report_runs.scope = prefix + NASIONAL / province code
    title: str          # how messages name a period: "{key}" / "semester {key}"
    snapshot: Any
    content: Callable[[Any, str, Any, int], Any]
    compare: Callable[[Any, Any], Any]
    lines: Callable[[Any], list[str]]
    writers: tuple[Callable[[Any, int, Path], Path], ...]
    mail: Callable[[Any, str], tuple[str, str]]


def next_revision(sent: int, built: int, reissue: bool) -> tuple[int, int] | None:
    """The one revision rule, for every kind: (revision to build, revision it replaces),
    None when nothing is built.

    A sent revision is never rebuilt: without `reissue` the set is skipped. With `reissue`
    a new revision follows the latest one built or sent (sent or not: the site has
    published it) and states what changed since. Without `reissue`, an unsent revision
    is rebuilt in place (nobody has received it)."""
    if sent and not reissue:
        return None
    latest = max(sent, built)
    if reissue and latest:
        return latest + 1, latest
    revision = max(latest, 1)
    return revision, revision - 1


def _previous(conn, periode, scope: str) -> tuple[int, int]:
    """(highest revision sent, highest revision built) for the scope and period."""
    row = conn.execute(
        "SELECT coalesce(max(revision) FILTER (WHERE status = 'sent'), 0),"
        " coalesce(max(revision) FILTER (WHERE status IN ('built', 'sent', 'failed')), 0)"
        " FROM audit.report_runs WHERE periode = %s AND scope = %s", (periode, scope),
    ).fetchone()
    return int(row[0]), int(row[1])


def _workers(n_tasks: int) -> int:
    wanted = settings().report_workers
    return max(1, min(wanted, os.cpu_count() or 1, n_tasks))


def build(kind: Kind, key: str, provinsi: str | None = None, out: Path | None = None,
          send: bool = False, reissue: bool = False,
          on_progress: Callable[[int, int], None] | None = None,
          missing: list[str] | None = None) -> list[ReportRun]:
    """Build the national report and every province's (or one province's) of one period.

    `missing` (monthly): the sources the completeness plan found missing when it released
    the month (the report names them); None: those mart_kesehatan_status_sumber does not
    show loaded. `on_progress(done, total)` is called as each scope's documents are
    written."""
    with db.connect() as conn:
        if not conn.execute("SELECT to_regclass('marts.mart_monev_wilayah_bulanan')"
                            " IS NOT NULL").fetchone()[0]:
            raise ValueError("marts.mart_monev_wilayah_bulanan does not exist:"
                             " run `monev transform` first")
        data = kind.snapshot.load(conn, key, missing)
    if not data.has_rows():
        raise ValueError(f"marts.mart_monev_wilayah_bulanan has no rows for {data.label}")
    provinces = data.provinces()
    if provinsi:
        code = provinsi.zfill(2)
        if code not in provinces:
            raise ValueError(f"province {code} has no rows for {data.label}")
        scopes = [code]
    else:
        scopes = [NATIONAL, *provinces]

    root = Path(out or settings().reports_dir)
    runs: list[ReportRun] = []
    todo: list[ReportRun] = []
    # One connection for the whole build: it holds the lock of every row being built,
    # which is how the next build tells a live build from an interrupted one.
    with db.connect(autocommit=True) as conn:
        publish.recover_interrupted(conn, root)
        for scope in scopes:
            audit_scope = kind.scope_prefix + scope
            sent, built = _previous(conn, data.first, audit_scope)
            planned = next_revision(sent, built, reissue)
            if planned is None:
                runs.append(ReportRun(data.key, audit_scope, sent, "skipped", message=(
                    f"{kind.title.format(key=data.key)} {scope} sudah dikirim sebagai revisi"
                    f" {sent}; tidak dibuat ulang (gunakan --reissue untuk revisi baru)")))
                continue
            revision, previous = planned
            run = ReportRun(data.key, audit_scope, revision, "building", previous=previous)
            if reissue and previous:
                run.message = f"revisi {revision} menggantikan revisi {previous}" + (
                    " yang telah dikirim" if previous == sent else "")
            run.run_id = publish.start_run(conn, data.first, audit_scope, revision,
                                           run.message or None)
            todo.append(run)
            runs.append(run)
        if todo:
            try:
                _build_and_publish(conn, kind, data, todo, root, send, on_progress)
            finally:
                publish.release(conn, [r.run_id for r in todo if r.run_id is not None])
    site.write_site(root)
    return runs


def _build_and_publish(conn, kind: Kind, data: Any, todo: list[ReportRun], root: Path,
                       send: bool, on_progress: Callable[[int, int], None] | None) -> None:
    def scope_of(run: ReportRun) -> str:
        return run.scope.removeprefix(kind.scope_prefix)

    results = publish_whole(
        conn, todo, root, names.folder(kind.name, data.key),
        stem_of=lambda r: names.stem(kind.name, data.key, scope_of(r), r.revision),
        render=lambda staged: _render_all(kind, data, todo, staged, scope_of, on_progress),
        key_of=scope_of)
    to = recipients.load_recipients() if send else {}

    def send_one(run: ReportRun) -> None:
        subject, what = kind.mail(data, results[scope_of(run)]["scope_name"])
        deliver(run, to.get(scope_of(run), []), subject, what)

    finish(conn, todo, send=send_one if send else None)


def publish_whole(conn, todo: list[ReportRun], root: Path, folder_name: str,
                  stem_of: Callable[[ReportRun], str],
                  render: Callable[[Path], dict[str, object]],
                  key_of: Callable[[ReportRun], str] = lambda r: r.scope,
                  ) -> dict[str, object]:
    """Write-audit-publish for one archive folder (a month, a semester): render every
    run's set into the staging folder (`render(staged)` → result or exception per
    `key_of(run)`), write the audit rows, and swap the folder in whole, inside the
    rows' transaction. A failure before the publish leaves the archive as it was."""
    owner = min(r.run_id for r in todo if r.run_id is not None)
    folder = root / folder_name
    try:
        staged = publish.prepare(root, owner, folder_name, [stem_of(r) for r in todo])
        results = render(staged)
        failed = []
        with conn.transaction():
            for run in todo:
                result = results[key_of(run)]
                if isinstance(result, BaseException):
                    run.status, run.message = "failed", f"build failed: {type(result).__name__}"
                    log.error("report %s %s failed: %s", folder_name, run.scope, result,
                              exc_info=result)
                    failed.append(stem_of(run))
                    continue
                run.files = _published_files(result["files"], staged, folder)
                run.snapshot = str(folder / Path(result["snapshot"]).name)
                Path(staged / Path(run.snapshot).name / "MANIFEST.json").write_text(
                    json.dumps(run.files, indent=1), encoding="utf-8")
                run.seconds, run.status = result["seconds"], "built"
                run.changes = result["changes"]
                _note_missing(run, result.get("missing") or [])
                conn.execute(
                    "UPDATE audit.report_runs SET status = 'built', files = %s,"
                    " snapshot_path = %s, built_at = now(), duration_ms = %s WHERE run_id = %s",
                    (json.dumps(run.files), run.snapshot, int(run.seconds * 1000), run.run_id))
            # Inside the transaction: killed before the commit, the rows stay `building`
            # (marked failed by the next build) whatever the archive shows.
            publish.publish(conn, root, staged, failed)
    except BaseException as exc:
        publish.discard(root, owner)
        with contextlib.suppress(Exception):  # else the next build marks them interrupted
            conn.execute(
                "UPDATE audit.report_runs SET status = 'failed', message = %s,"
                " finished_at = now() WHERE run_id = ANY(%s) AND status = 'building'",
                (f"build failed: {type(exc).__name__}; nothing was published",
                 [r.run_id for r in todo]))
        raise
    publish.discard(root, owner)
    return results


def _note_missing(run: ReportRun, months: list[str]) -> None:
    """A set built over a period with months without data says which (in its audit row)."""
    if months:
        gap = ", ".join(fmt.month_name(dt.date.fromisoformat(m)) for m in months)
        run.message = (run.message + "; " if run.message else "") + f"tanpa data: {gap}"


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


# The job the forked workers render from: set before the pool forks, so each worker
# inherits the mart rows (read once) instead of unpickling a copy per set.
_JOB: tuple[Kind, Any] | None = None


def _render_one(scope: str, revision: int, folder: Path, previous: int) -> dict:
    kind, data = _JOB  # type: ignore[misc]
    return render_set(kind, data.for_scope(scope), scope, revision, folder, previous)


def _warm() -> None:
    """Work every set shares, done once before the workers fork: the PDF engine and
    its fonts, the templates and stylesheets, the chart library, the mart contracts."""
    from monev.reports import (
        charts,  # noqa: F401  (matplotlib, its fonts)
        render,
    )
    from monev.reports import data as _data

    render.warm()
    _data.contracts()


def _render_all(kind: Kind, data: Any, todo: list[ReportRun], folder: Path,
                scope_of: Callable[[ReportRun], str],
                on_progress: Callable[[int, int], None] | None = None) -> dict[str, object]:
    """Render every scope's set; in a pool of forked workers (MONEV_REPORT_WORKERS) when
    there is more than one."""
    global _JOB
    results: dict[str, object] = {}
    workers = _workers(len(todo))

    def done() -> None:
        if on_progress:
            on_progress(len(results), len(todo))

    _warm()
    _JOB = (kind, data)
    try:
        if workers == 1:
            for run in todo:
                try:
                    results[scope_of(run)] = _render_one(scope_of(run), run.revision, folder,
                                                         run.previous)
                except Exception as exc:  # one bad scope must not stop the others
                    results[scope_of(run)] = exc
                done()
            return results
        ctx = multiprocessing.get_context("fork")
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            # The national report is the longest: submit it first so it overlaps the rest.
            futures = {pool.submit(_render_one, scope_of(r), r.revision, folder, r.previous):
                       scope_of(r) for r in todo}
            for fut in cf.as_completed(futures):
                try:
                    results[futures[fut]] = fut.result()
                except Exception as exc:
                    results[futures[fut]] = exc
                done()
        return results
    finally:
        _JOB = None


def _monthly_mail(data: MartData, scope_name: str) -> tuple[str, str]:
    bulan = fmt.month_name(data.periode)
    return (f"Laporan Monev Jamsostek {scope_name} {bulan}",
            f"laporan Monev jaminan sosial ketenagakerjaan {scope_name} untuk {bulan}")


MONTHLY = Kind(
    names.MONTH, "", "{key}", snapshot=MartData,
    content=lambda data, scope, changes, previous: build_content(
        data, scope, changes=changes, previous_revision=previous),
    compare=diff.compare, lines=lambda changes: changes.lines(),
    writers=(write_pdf, write_excel, write_html), mail=_monthly_mail)


def build_reports(periode: str, provinsi: str | None = None, out: Path | None = None,
                  send: bool = False, reissue: bool = False,
                  on_progress: Callable[[int, int], None] | None = None,
                  missing: list[str] | None = None) -> list[ReportRun]:
    """The monthly sets of `periode` (YYYY-MM): see :func:`build`."""
    return build(MONTHLY, periode, provinsi, out, send, reissue, on_progress, missing)


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
