"""The `monev` command: parses arguments and calls the package, nothing more."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

from monev import periods
from monev.console import console, setup

app = typer.Typer(help="Monev Jamsostek warehouse (Inpres 2/2021).", no_args_is_help=True)
warehouse_app = typer.Typer(help="The warehouse: embedded PostgreSQL or WAREHOUSE_URL.")
app.add_typer(warehouse_app, name="warehouse")


@app.callback()
def _main() -> None:
    """Configure the console once: the project's lines only, library noise filtered."""
    setup()


@contextmanager
def _usage_errors() -> Iterator[None]:
    """A refused argument (ValueError from the package) is a usage error: say why, exit 2."""
    try:
        yield
    except ValueError as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None


def _periode(value: str | None) -> str | None:
    """The one validator of every month the CLI takes (`--periode`, `--from`, `--to`):
    the whole value must be a month, so `2025-02';…` is an error, not 2025-02."""
    if value is None or periods.is_month(value):
        return value
    raise typer.BadParameter(f"{value!a} is not a month: expected YYYY-MM, e.g. 2025-02")


def _semester(value: str | None) -> str | None:
    """A semester key, whole: YYYY-1 (January-June) or YYYY-2 (July-December)."""
    if value is None or periods.is_semester(value):
        return value
    raise typer.BadParameter(f"{value!a} is not a semester: expected YYYY-1 or YYYY-2")


def _password(from_stdin: bool, env_value: str | None, legacy: str | None) -> str | None:
    """The BI login's password, never from argv: `--password-stdin` (as `docker login`:
    one line, its newline dropped), else MONEV_BI_PASSWORD from the environment, else a
    hidden prompt on a terminal; None (no password) when none of these is there."""
    if legacy is not None:
        raise typer.BadParameter(
            "a password on the command line is visible to every user of the machine (ps);"
            " use --password-stdin or the prompt", param_hint="--password")
    if from_stdin:
        value = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not value:
            raise typer.BadParameter("no password on standard input",
                                     param_hint="--password-stdin")
        return value
    if env_value:
        return env_value
    if sys.stdin.isatty():
        return typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return None


_PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="read the login password from standard input")
_PASSWORD_ENV = typer.Option(None, envvar="MONEV_BI_PASSWORD", hidden=True,
                             help="the login password from the environment")
# Kept only to refuse it with a reason: a password in argv is visible in `ps`.
_PASSWORD_ARGV = typer.Option(None, "--password", hidden=True)


@warehouse_app.command("up")
def warehouse_up() -> None:
    """Create (the first time) and start the embedded cluster, or reach WAREHOUSE_URL,
    and bring the schema up to date."""
    from monev.warehouse import cluster, db

    url = db.ensure_warehouse(db.warehouse_url(start=True))
    console.print(f"warehouse ready: {cluster.redact(url)}")


@warehouse_app.command("down")
def warehouse_down() -> None:
    """Stop the embedded cluster (no-op with WAREHOUSE_URL)."""
    from monev.config import settings
    from monev.warehouse import cluster

    if settings().embedded:
        cluster.down()
    console.print(cluster.status())


@warehouse_app.command("status")
def warehouse_status() -> None:
    from monev.warehouse import cluster

    console.print(cluster.status())


@warehouse_app.command("url")
def warehouse_url() -> None:
    """Print the connection URL, e.g. for `psql "$(monev warehouse url)"`. The embedded
    cluster's URL names its 0600 passfile (libpq reads the password from it), so only
    the owner of the state folder can use it; a password is never printed."""
    from monev.warehouse import cluster, db

    typer.echo(cluster.redact(db.warehouse_url()))


# --- BI server (Apache Superset) ---------------------------------------------------
bi_app = typer.Typer(help="The BI server (Apache Superset): dashboards on the marts.")
app.add_typer(bi_app, name="bi")


@contextmanager
def _bi_errors() -> Iterator[None]:
    from monev.bi.server import BiError

    try:
        yield
    except BiError as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True)
        raise typer.Exit(1) from None


@bi_app.command("up")
def bi_up(
    port: int = typer.Option(8088, help="port of the BI server"),
    host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0: every one)"),
    workers: int = typer.Option(1, help="gunicorn worker processes"),
    foreground: bool = typer.Option(False, "--foreground", help="run in the foreground"
                                    " (a container's process) instead of in the background"),
) -> None:
    """Start Superset (metadata, secret key and admin password in the state folder on
    first start) and import the dashboards; print where they are."""
    from monev.bi import server
    from monev.warehouse import db

    with _bi_errors():
        if server.running_pid() is None:
            server.check_port(host, port)  # before anything is set up for the start
    db.ensure_warehouse()
    with _bi_errors():
        if foreground:
            raise typer.Exit(server.serve_foreground(host, port, workers))
        url = server.up(host=host, port=port, workers=workers)
    console.print(f"dashboards: {url}/dashboard/list/ (user admin, password in "
                  f"{server.paths().admin_password}); log {server.paths().log}", soft_wrap=True)


@bi_app.command("down")
def bi_down() -> None:
    from monev.bi import server

    server.down()
    console.print(server.status())


@bi_app.command("status")
def bi_status() -> None:
    from monev.bi import server

    console.print(server.status(), soft_wrap=True)


@bi_app.command("url")
def bi_url() -> None:
    """Print the BI server's base URL."""
    from monev.bi import server

    typer.echo(server.base_url())


@warehouse_app.command("backup")
def warehouse_backup(
    folder: Annotated[Path, typer.Argument(help="new folder for the backup")],
    key_out: Annotated[Path | None, typer.Option(
        "--key-out", help="also write the pseudonym key to this NEW file, kept apart from"
                          " the data backup (never inside it)")] = None,
) -> None:
    """Back up the warehouse database (pg_dump), the report archive and the archive of
    accepted deliveries into FOLDER, with a sha256 manifest signed with (a key derived
    from) the pseudonym key. The key is not in it: --key-out writes it to a separate file
    to store elsewhere."""
    from monev.warehouse import backup

    try:
        backup.check_place(folder, "backup folder")
        if key_out is not None:  # refused before any work if it points into the backup
            _check_key_place(key_out, folder)
        key = _local_key()
        out = backup.backup(folder, backup.signing_key(key))
        console.print(f"backup: {out.folder} ({out.files} files, {out.bytes / 1e6:,.1f} MB;"
                      f" pg_dump {out.seconds['pg_dump']:.1f} s; manifest signed)")
        if key_out is not None:
            console.print(f"pseudonym key: {backup.write_key(key, key_out, folder)}"
                          " — store it apart from the data backup")
        else:
            console.print("the pseudonym key is not in the backup: keep a copy apart"
                          " (`--key-out FILE`)")
    except backup.BackupError as e:
        console.print(f"[red]backup:[/red] {e}", soft_wrap=True)
        raise typer.Exit(1) from None


def _local_key() -> bytes:
    """The pseudonym key in use here (a backup's manifest is signed with it), never a
    new one."""
    from monev.config import settings
    from monev.sources.pseudonym import key_file, pseudonym_key
    from monev.warehouse import backup

    if not settings().pseudonym_key and not key_file().exists():
        # pseudonym_key() would generate a new key here: not the one in use
        raise backup.BackupError(
            f"no pseudonym key here (MONEV_PSEUDONYM_KEY unset, no {key_file()}): inside"
            " Airflow the key is the Variable monev_pseudonym_key — give it to this command"
            " as MONEV_PSEUDONYM_KEY (a backup is signed with it, a restore checks it:"
            " there --key-from KEYFILE), and keep a copy of it apart from the data backup")
    return pseudonym_key()


def _check_key_place(key_out: Path, folder: Path) -> None:
    from monev.warehouse import backup

    data = folder.resolve()
    dest = backup.check_place(key_out, "key file").resolve()
    if dest == data or data in dest.parents:
        raise backup.BackupError(f"the pseudonym key must not be stored inside the data"
                                 f" backup {data}: write it to a separate place")
    if dest.exists():
        raise backup.BackupError(f"{dest} exists: the key is written to a new file")


@warehouse_app.command("restore")
def warehouse_restore(
    folder: Annotated[Path, typer.Argument(help="a folder written by `monev warehouse backup`")],
    force: Annotated[bool, typer.Option(
        "--force", help="replace a warehouse or archive that is not empty")] = False,
    key_from: Annotated[Path | None, typer.Option(
        "--key-from", help="install this pseudonym key file as the local key"
                           " (state folder, mode 0600)")] = None,
) -> None:
    """Restore a backup (its manifest's signature checked with the pseudonym key —
    --key-from's, else the local one — then every file against the manifest) into an
    empty warehouse: `monev warehouse up` on a new state folder, then this."""
    from monev.warehouse import backup

    try:
        key = backup.read_key(key_from).encode() if key_from is not None else _local_key()
        out = backup.restore(folder, backup.signing_key(key), force=force)
        console.print(f"restored {out.folder}: {out.files} files verified,"
                      f" pg_restore {out.seconds['pg_restore']:.1f} s")
        if key_from is not None:
            from monev.sources.pseudonym import key_file

            dest = key_file()
            if dest.exists() and not force:
                raise backup.BackupError(f"{dest} exists: --force to replace the local key")
            dest.unlink(missing_ok=True)
            backup.write_key(key, dest)
            console.print(f"pseudonym key installed: {dest}")
    except backup.BackupError as e:
        console.print(f"[red]restore:[/red] {e}", soft_wrap=True)
        raise typer.Exit(1) from None


@app.command("rebuild")
def rebuild(
    folder: Annotated[Path | None, typer.Argument(
        help="archived deliveries; default $MONEV_ARCHIVE_DIR/deliveries")] = None,
) -> None:
    """Rebuild an empty warehouse from the archive of accepted deliveries: the normal
    ingest of every archived delivery, then `dbt build`. With a new pseudonym key set,
    this is the key rotation."""
    from monev.transform.rebuild import rebuild as run_rebuild

    with _usage_errors():
        done = run_rebuild(folder)
    counts: dict[str, int] = {}
    for r in done.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    console.print(f"re-ingested {len(done.results)} deliveries from {done.folder}: "
                  + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    for r in done.results:
        if not r.ok:
            first = r.errors[0].message if r.errors else ""
            console.print(f"[red]{r.status}[/red] {r.file_name}: {first}", soft_wrap=True)
    if done.transform is not None:
        console.print(f"dbt build: {'ok' if done.transform.success else 'FAILED'}"
                      f" ({done.transform.seconds:.1f} s)")
        for n in done.transform.failed:
            console.print(f"[red]{n.resource_type} {n.name}: {n.status}[/red]")
    if not done.ok:
        raise typer.Exit(1)


# --- orchestration (Airflow) -------------------------------------------------------


@app.command("run")
def run(
    periode: str = typer.Option(..., help="month to run, YYYY-MM", callback=_periode),
    reissue: bool = typer.Option(False, help="send a new revision of reports already sent"),
) -> None:
    """The monthly pipeline through Airflow in-process: ingest, dbt, reports."""
    from monev.localrun.runner import run_period, summary_lines

    with _pipeline_output("run") as terminal, terminal.status(f"running {periode} …"):
        summary = run_period(periode, reissue=reissue)
    for line in summary_lines(summary):
        typer.echo(line)
    raise typer.Exit(0 if summary.ok else 1)


@contextmanager
def _pipeline_output(command: str) -> Iterator[Console]:
    """Airflow's and dbt's own output of an in-process pipeline run goes to a log file
    under the state folder; the screen keeps the project's lines."""
    from datetime import datetime

    from monev.config import settings
    from monev.console import output_to

    log = settings().state_dir / "logs" / f"{command}-{datetime.now():%Y%m%d-%H%M%S}.log"
    typer.echo(f"details of this run: {log}")
    with output_to(log) as terminal:
        yield terminal


@app.command("airflow")
def airflow_ui(
    port: int = typer.Option(8080, help="port of the Airflow UI / API"),
    host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0: every one)"),
    celery_workers: int = typer.Option(0, help="CeleryExecutor with this many workers"),
    redis_port: int = typer.Option(None, help="start a private Redis broker on this port"),
    only: Annotated[list[str] | None, typer.Option(
        help="start only this component (repeatable): scheduler, dag-processor, triggerer,"
             " api-server, celery-worker, redis")] = None,
    init: bool = typer.Option(False, "--init", help="only prepare: metadata migration,"
                              " pools, dbt manifest (compose's airflow-init)"),
) -> None:
    """Airflow as a service: scheduler, dag-processor, triggerer, api-server (+ Celery
    workers); Ctrl-C / SIGTERM stops every process it started."""
    from monev.localrun.services import Options, serve

    executor = "celery" if celery_workers or os.environ.get(
        "AIRFLOW__CORE__EXECUTOR", "") == "CeleryExecutor" else "local"
    raise typer.Exit(serve(Options(port=port, host=host, executor=executor,
                                   celery_workers=celery_workers, redis_port=redis_port,
                                   only=tuple(only or ())), init_only=init))


@app.command("airflow-cli", context_settings={"allow_extra_args": True,
                                              "ignore_unknown_options": True})
def airflow_cli(ctx: typer.Context) -> None:
    """The `airflow` command on the project's AIRFLOW_HOME and metadata database,
    e.g. `monev airflow-cli dags list-runs transform_warehouse`."""
    from monev.localrun.services import exec_cli

    exec_cli(list(ctx.args))


@app.command("demo")
def demo(
    periode_from: str = typer.Option("2025-01", "--from", help="first generated month",
                                     callback=_periode),
    periode_to: str = typer.Option("2025-03", "--to", help="last generated month (run)",
                                   callback=_periode),
) -> None:
    """Set up, generate small data into the landing folder, run the latest month."""
    from monev.localrun.demo import dashboards_hint, run_demo
    from monev.localrun.runner import summary_lines

    with _pipeline_output("demo") as terminal, terminal.status(
            f"generating {periode_from}..{periode_to} and running {periode_to} through "
            "Airflow (ingest, dbt, reports) …"):
        summary, reports = run_demo(periode_from, periode_to)
    for line in summary_lines(summary):
        typer.echo(line)
    pdfs = [p for p in reports if p.suffix == ".pdf"]
    typer.echo(f"  reports for {periode_to}: {len(pdfs)} PDF report(s), {len(reports)} file(s) "
               f"in {pdfs[0].parent if pdfs else '-'}")
    national = next((p for p in pdfs if "nasional" in p.name), None)
    if national:
        typer.echo(f"    national report: {national}")
    site = pdfs[0].parents[1] / "index.html" if pdfs else None
    if site and site.exists():
        typer.echo(f"    reports site:    {site}")
    from monev.localrun.airflow_home import ensure_logins, passwords_file

    # the login `monev airflow` will ask for, made now and shown this once
    for user, password in ensure_logins().items():
        typer.echo(f"  Airflow login (monev airflow): {user} / {password} — shown once; kept in"
                   f" {passwords_file()} (mode 0600)")
    typer.echo(dashboards_hint())
    raise typer.Exit(0 if summary.ok else 1)


# --- transform (dbt) and BI access -------------------------------------------------
access_app = typer.Typer(help="BI users and the province they may see in the marts (RLS).")
app.add_typer(access_app, name="access")


@app.command("transform")
def transform(
    full_refresh: bool = typer.Option(False, "--full-refresh", help="rebuild incremental facts"),
    select: Annotated[
        list[str] | None, typer.Option("--select", "-s", help="dbt node selection")
    ] = None,
    docs: bool = typer.Option(False, "--docs", help="also write the static docs site"),
    full_tests: bool = typer.Option(
        False, "--full-tests", help="data tests over the whole history, not the changed months"
    ),
) -> None:
    """Run `dbt build` in-process and print a per-model summary; non-zero exit on error."""
    from rich.table import Table

    from monev.transform import runner

    # dbt style "--select 'a b'" as well as repeated --select
    nodes = [part for value in select or [] for part in value.split()]
    from monev.console import progress

    try:
        with progress("dbt build") as advance:
            result = runner.build(full_refresh=full_refresh, select=nodes or None,
                                  full_tests=full_tests,
                                  on_node=lambda name: advance(label=f"dbt build: {name}"))
    except runner.BuildRunning as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from None
    table = Table("model", "status", "seconds")
    for n in result.models:
        table.add_row(n.name, n.status, f"{n.seconds:.2f}")
    console.print(table)
    tests = [n for n in result.nodes if n.resource_type in ("test", "unit_test")]
    passed = sum(n.status in ("pass", "success") for n in tests)
    console.print(f"tests: {passed}/{len(tests)} passed; {result.seconds:.1f}s")
    for n in result.failed:
        console.print(f"[red]{n.resource_type} {n.name}: {n.status}[/red] {n.message or ''}")
    if result.error:
        console.print(f"[red]dbt error:[/red] {result.error}")
    if not result.success:
        raise typer.Exit(1)
    if docs:
        console.print(f"docs: {runner.docs()}")


@access_app.command("grant-province")
def access_grant_province(
    user: str,
    kode_provinsi: str,
    password_stdin: bool = _PASSWORD_STDIN,
    password_env: str | None = _PASSWORD_ENV,
    password_argv: str | None = _PASSWORD_ARGV,
    role: str = typer.Option("monev_bi", help="monev_bi or monev_analyst"),
) -> None:
    """Create/update a BI login USER that sees only province PP (and national rows).
    The password: `--password-stdin`, MONEV_BI_PASSWORD, or a hidden prompt."""
    from monev.transform import access

    password = _password(password_stdin, password_env, password_argv)
    with _usage_errors():
        u = access.grant(user, kode_provinsi, password, role)
    console.print(f"{u.rolname}: {u.scope}")


@access_app.command("grant-national")
def access_grant_national(
    user: str,
    password_stdin: bool = _PASSWORD_STDIN,
    password_env: str | None = _PASSWORD_ENV,
    password_argv: str | None = _PASSWORD_ARGV,
    role: str = typer.Option("monev_bi", help="monev_bi or monev_analyst"),
) -> None:
    """Create/update a BI login USER that sees every province.
    The password: `--password-stdin`, MONEV_BI_PASSWORD, or a hidden prompt."""
    from monev.transform import access

    password = _password(password_stdin, password_env, password_argv)
    with _usage_errors():
        u = access.grant(user, None, password, role)
    console.print(f"{u.rolname}: {u.scope}")


@access_app.command("revoke")
def access_revoke(user: str) -> None:
    """Take the BI roles and province mapping away from USER."""
    from monev.transform import access

    with _usage_errors():
        access.revoke(user)
    console.print(f"{user}: revoked")


@access_app.command("list")
def access_list() -> None:
    from monev.transform import access

    for u in access.users():
        console.print(f"{u.rolname}\t{u.scope}")


@app.command("report")
def report(
    periode: str = typer.Option(None, help="month YYYY-MM", callback=_periode),
    semester: str = typer.Option(None, help="semester YYYY-1 (Jan-Jun) or YYYY-2 (Jul-Dec):"
                                 " the Laporan Semester instead of a month's reports",
                                 callback=_semester),
    provinsi: str = typer.Option(None, help="province code PP; default national + all"),
    out: str = typer.Option(None, help="archive root instead of MONEV_REPORTS_DIR"),
    send: bool = typer.Option(False, "--send", help="email PDF + Excel to the recipients"),
    reissue: bool = typer.Option(False, "--reissue", help="new revision of a sent month"),
) -> None:
    """Build the monthly Monev reports, or with --semester the semester report (PDF,
    Excel, HTML) from the marts."""
    from pathlib import Path

    from monev.console import progress
    from monev.reports.build import build_reports

    if bool(periode) == bool(semester):
        console.print("[red]report:[/red] give either --periode YYYY-MM or --semester YYYY-H")
        raise typer.Exit(2)
    try:
        if semester:
            from monev.reports.semester_build import build_semester

            with progress(f"semester report {semester}") as advance:
                runs = build_semester(semester, provinsi=provinsi,
                                      out=Path(out) if out else None, send=send,
                                      reissue=reissue,
                                      on_progress=lambda done, total: advance(total=total))
            periode = f"semester {semester}"
        else:
            with progress(f"reports {periode}") as advance:
                runs = build_reports(periode, provinsi=provinsi,
                                     out=Path(out) if out else None, send=send,
                                     reissue=reissue,
                                     on_progress=lambda done, total: advance(total=total))
    except ValueError as exc:  # no marts, no rows for the month, unknown province, bad key
        console.print(f"[red]report:[/red] {exc}")
        raise typer.Exit(2) from None
    # One line per outcome (39 sets a month would not fit a screen), then any run
    # with something to say (skipped, failed, reissued, no recipients).
    groups: dict[tuple[str, int], list[str]] = {}
    for r in runs:
        groups.setdefault((r.status, r.revision), []).append(r.scope)
    folder = next((r.path(".pdf").parent for r in runs if r.path(".pdf")), None)
    for (status, revision), scopes in groups.items():
        shown = ", ".join(scopes[:6]) + (f" … ({len(scopes)})" if len(scopes) > 6 else "")
        console.print(f"{periode} {status} rev{revision}: {shown}")
    for r in runs:
        if r.message:
            console.print(f"  {r.scope}: {r.message}", soft_wrap=True)
        for line in r.changes[:5]:
            console.print(f"    {line}", soft_wrap=True)
    if folder:
        console.print(f"files: {folder}\nsite: {folder.parent / 'index.html'}")
    if any(r.status == "failed" for r in runs):
        raise typer.Exit(1)


reports_app = typer.Typer(help="The reports archive as a static site (index of months,"
                                " provinces, revisions and what changed).")
app.add_typer(reports_app, name="reports")


@reports_app.command("site")
def reports_site(root: str = typer.Option(None, help="archive root (MONEV_REPORTS_DIR)")) -> None:
    """(Re)write the site's index pages; `monev report` does this after every build."""
    from monev.config import settings
    from monev.reports.site import write_site

    console.print(f"site: {write_site(Path(root or settings().reports_dir))}")


@reports_app.command("serve")
def reports_serve(
    port: int = typer.Option(8000, help="port on 127.0.0.1"),
    root: str = typer.Option(None, help="archive root (MONEV_REPORTS_DIR)"),
    host: str = typer.Option("127.0.0.1", help="interface to listen on (compose's"
                             " container: 0.0.0.0; every request still needs the login)"),
) -> None:
    """Serve the archive read-only on http://127.0.0.1:PORT/ until Ctrl-C, behind a
    login (user `monev`, password generated into the state folder)."""
    from monev.config import settings
    from monev.reports.serve import ensure_password, password_file, serve
    from monev.reports.site import write_site

    folder = Path(root or settings().reports_dir)
    write_site(folder)
    password = ensure_password(settings().state_dir)
    serve(folder, port, password, host=host, on_ready=lambda url: console.print(
        f"serving {folder} on {url} (user monev, password in "
        f"{password_file(settings().state_dir)})"))


@app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="landing folder to write")],
    periode_from: Annotated[str, typer.Option("--from", help="first month, YYYY-MM",
                                              callback=_periode)],
    periode_to: Annotated[str, typer.Option("--to", help="last month, YYYY-MM",
                                            callback=_periode)],
    scale: Annotated[str, typer.Option(help="small | national")] = "small",
    seed: Annotated[int, typer.Option(help="same seed, same bytes")] = 0,
    bad: Annotated[list[str] | None, typer.Option(
        "--bad", help="also write this kind of bad file (repeatable)")] = None,
    rentan_rows: Annotated[int | None, typer.Option(help="participant rows a month")] = None,
) -> None:
    """Write a synthetic landing folder for every source."""
    from monev.synthetic import generate as gen

    if scale not in ("small", "national"):
        raise typer.BadParameter("scale is small or national")
    files = gen(out, periode_from, periode_to, scale=scale, seed=seed, bad=tuple(bad or ()),
                rentan_rows=rentan_rows)
    console.print(f"{len(files)} files written to {out}")


@app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (searched recursively)")],
) -> None:
    """Load delivered files: parse, stage, quality gate, publish. Exit 1 if any file
    was rejected or failed. (A dry run that publishes nothing: `monev validate`.)"""
    from rich import box
    from rich.markup import escape
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
    from rich.table import Table

    from monev.ingest.intake import shown
    from monev.ingest.pipeline import ingest_paths

    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task("ingest", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=True)

        def on_result(_result: object) -> None:
            bar.update(task, visible=False, completed=0)

        results = ingest_paths(paths, progress=progress, on_result=on_result)

    # 80 columns: the file names the source, so no source column; rules and messages
    # follow the table, one line each.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("file", overflow="fold")
    table.add_column("period", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    colours = {"loaded": "green", "validated": "green", "duplicate": "cyan",
               "superseded": "yellow", "rejected": "red", "failed": "red"}
    for r in results:
        colour = colours.get(r.status, "white")
        table.add_row(escape(r.file_name), r.period_key, f"{r.rows:,}",
                      f"[{colour}]{r.status}[/{colour}]")
    console.print(table)
    # file names come escaped from the pipeline (intake.shown); `escape` keeps a `[` in
    # one from being read as console markup
    for r in results:
        if r.warnings and not r.errors:
            rules = ", ".join(sorted({f.rule for f in r.warnings}))
            console.print(f"[yellow]warning[/yellow] {escape(r.file_name)}: {rules}",
                          soft_wrap=True)
        for f in r.errors[:10]:
            # the rule id leads, as the table no longer has a reason column
            text = f.message if f.rule in f.message else f"{f.rule}: {f.message}"
            console.print(f"[red]{r.status}[/red] {escape(r.file_name)}: {escape(text)}",
                          soft_wrap=True)
        if r.kept_path:
            note = r.kept_path.with_name(r.kept_path.name + ".note.txt")
            how = "first bytes kept (see the .note.txt beside it)" if note.exists() else (
                "kept as delivered")
            console.print(f"  {how}: {escape(shown(str(r.kept_path)))}", soft_wrap=True)
    if any(r.status in ("rejected", "failed") for r in results):
        raise typer.Exit(1)


@app.command("validate")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (searched recursively)")],
    docs: Annotated[bool, typer.Option(
        "--docs", help="also rebuild the Data Docs site and print its path")] = False,
) -> None:
    """Dry run of the quality gate: parse, stage and validate, publish nothing. Exit 1 if
    any file breaks an error-level rule."""
    from rich.markup import escape

    from monev.ingest.pipeline import ingest_paths

    results = ingest_paths(paths, publish=False)
    for r in results:
        colour = "red" if r.status in ("rejected", "failed") else "green"
        console.print(f"[{colour}]{r.status}[/{colour}] {escape(r.file_name)} ({r.source} "
                      f"{r.period_key}, {r.rows:,} rows)")
        for f in [*r.errors, *r.warnings]:
            console.print(f"  {f.severity}: {escape(f.message)}", soft_wrap=True)
    if docs:
        from monev.quality.docs import build_data_docs

        console.print(f"data docs: {build_data_docs()}")
    if any(r.status in ("rejected", "failed") for r in results):
        raise typer.Exit(1)


@app.command("loads")
def loads(
    limit: Annotated[int, typer.Option(help="how many recent batches")] = 30,
    purge_rejected: Annotated[bool, typer.Option(
        "--purge-rejected", help="delete kept rejected files past their retention")] = False,
) -> None:
    """Recent load batches and their status."""
    from rich import box
    from rich.table import Table

    from monev.ingest import audit, rejected

    if purge_rejected:
        gone = rejected.purge()
        console.print(f"purged {len(gone)} rejected files older than "
                      f"{rejected.REJECTED_RETENTION_DAYS} days")
    # 80 columns, as `monev ingest`: each batch's first reason follows the table.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("batch", justify="right", no_wrap=True)
    table.add_column("file", overflow="fold")
    table.add_column("period", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("finished", no_wrap=True)
    reasons = []
    for b in audit.recent_batches(limit):
        reason = (b["reasons"] or b["warnings"] or [{}])[0].get("rule", "")
        finished = b["finished_at"].strftime("%m-%d %H:%M") if b["finished_at"] else ""
        table.add_row(str(b["batch_id"]), b["file_name"], b["period_key"],
                      f"{b['rows'] or 0:,}", b["status"], finished)
        if reason:
            reasons.append(f"  batch {b['batch_id']} {b['status']}: {reason}")
    console.print(table)
    for line in reasons:
        console.print(line, soft_wrap=True)


def main() -> None:
    """The `monev` entry point: a lost or unreachable warehouse is a clear message and
    exit status 2, not a traceback."""
    import psycopg

    from monev.ingest.pipeline import WarehouseLost
    from monev.warehouse.cluster import ClusterError

    try:
        app()
    except (WarehouseLost, ClusterError) as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True)
        raise SystemExit(2) from None
    except psycopg.OperationalError as e:
        first = (str(e).strip().splitlines() or ["connection failed"])[0]
        console.print(f"[red]error:[/red] the warehouse cannot be reached or the connection "
                      f"was lost: {first}", soft_wrap=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
