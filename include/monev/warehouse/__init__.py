"""The warehouse: the embedded PostgreSQL cluster, connections, schema migrations, roles."""
