"""The `monev` command: parses arguments and calls the package, nothing more."""

from __future__ import annotations

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


if __name__ == "__main__":
    app()
