"""airflow-init step: the login Metabase uses — a member of the read-only group role
monev_bi (marts only), created after the warehouse migrations made the role."""

from __future__ import annotations

import os

from psycopg import sql

from monev.warehouse import db


def main() -> None:
    user, password = os.environ["MONEV_BI_USER"], os.environ["MONEV_BI_PASSWORD"]
    with db.connect(autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(user), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT monev_bi TO {}").format(sql.Identifier(user)))


if __name__ == "__main__":
    main()
