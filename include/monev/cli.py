"""The `monev` command: parses arguments and calls the package, nothing more."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Monev Jamsostek warehouse (Inpres 2/2021).", no_args_is_help=True)
warehouse_app = typer.Typer(help="The warehouse: embedded PostgreSQL or WAREHOUSE_URL.")
app.add_typer(warehouse_app, name="warehouse")
console = Console()


@warehouse_app.command("up")
def warehouse_up() -> None:
    """Start the embedded cluster (if used) and bring the schema up to date."""
    from monev.warehouse import cluster, db

    url = db.ensure_warehouse()
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
    """Print the connection URL (password hidden)."""
    from monev.warehouse import cluster, db

    typer.echo(cluster.redact(db.warehouse_url()))


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
) -> None:
    """Run `dbt build` in-process and print a per-model summary; non-zero exit on error."""
    from rich.table import Table

    from monev.transform import runner

    result = runner.build(full_refresh=full_refresh, select=select or None)
    table = Table("model", "status", "seconds")
    for n in result.models:
        table.add_row(n.name, n.status, f"{n.seconds:.2f}")
    console.print(table)
    tests = [n for n in result.nodes if n.resource_type not in ("model", "seed", "snapshot")]
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
    password: str = typer.Option(None, envvar="MONEV_BI_PASSWORD", help="login password"),
    role: str = typer.Option("monev_bi", help="monev_bi or monev_analyst"),
) -> None:
    """Create/update a BI login USER that sees only province PP (and national rows)."""
    from monev.transform import access

    u = access.grant(user, kode_provinsi, password, role)
    console.print(f"{u.rolname}: {u.scope}")


@access_app.command("grant-national")
def access_grant_national(
    user: str,
    password: str = typer.Option(None, envvar="MONEV_BI_PASSWORD", help="login password"),
    role: str = typer.Option("monev_bi", help="monev_bi or monev_analyst"),
) -> None:
    """Create/update a BI login USER that sees every province."""
    from monev.transform import access

    u = access.grant(user, None, password, role)
    console.print(f"{u.rolname}: {u.scope}")


@access_app.command("revoke")
def access_revoke(user: str) -> None:
    """Take the BI roles and province mapping away from USER."""
    from monev.transform import access

    access.revoke(user)
    console.print(f"{user}: revoked")


@access_app.command("list")
def access_list() -> None:
    from monev.transform import access

    for u in access.users():
        console.print(f"{u.rolname}\t{u.scope}")


if __name__ == "__main__":
    app()
