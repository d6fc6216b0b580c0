"""Monev's pieces inside Superset (imported by superset_config.py; runs in .venv-superset).

- BI logins sign in with their **warehouse** login: Superset checks the password by
  connecting to the warehouse as that login, so the warehouse is the one store of the
  password. On a first sign-in it makes the Superset user, the login's own connection
  (the password stored encrypted by Superset) with its datasets, charts and dashboards,
  and a role with access to that connection only. `monev access grant-*` therefore needs
  no running Superset, and works the same under compose. A login the warehouse refuses
  (revoked, wrong password) is refused and its Superset user deactivated, which ends its
  open sessions; the admin and other Superset-local users sign in as before.
- Failed sign-ins are throttled (HTTP 429), per login and per address.
- The action log never keeps a secret: payload keys such as `password`, `passwords`,
  `sqlalchemy_uri`, `masked_encrypted_extra` are masked before a row is written, and rows
  written before (by an older version) are cleaned at start-up.
- SQL Lab runs reads only: a statement that is not a plain query (`SELECT … INTO`,
  `PREPARE`, `SET ROLE`, `COPY`, `DO`…) is refused as DML.
- A chart can only be saved on a dataset its owner may read.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
from typing import Any

from flask import g, request
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.utils import is_null_password
from flask_appbuilder.security.views import AuthDBView
from flask_limiter.util import get_remote_address
from superset.security import SupersetSecurityManager
from superset.utils.log import DBEventLogger

# --- no secret in the action log ----------------------------------------------------

# payload keys whose value is (or holds) a secret; masked whole
_SECRET_KEY = re.compile(r"pass|secret|token|sqlalchemy_uri|encrypted_extra|private_key"
                         r"|credential", re.IGNORECASE)
# a password inside any URL-like text (user:password@host)
_URL_PASSWORD = re.compile(r"(://[^:/@\s\"']*:)[^@\s\"']+@")
MASK = "XXXXXXXXXX"


def scrub(value: Any) -> Any:
    """`value` with every secret-bearing key's value and every URL password masked."""
    if isinstance(value, dict):
        return {k: MASK if _SECRET_KEY.search(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\1{MASK}@", value)
    return value


class ScrubbingEventLogger(DBEventLogger):
    """Superset's database event logger, with every record scrubbed first: the import
    endpoint's `passwords` form field and a connection's `sqlalchemy_uri` reached the
    `logs` table (and `/api/v1/log/`) in clear."""

    def log(self, user_id: int | None, action: str, *args: Any, **kwargs: Any) -> None:
        for key in ("records", "curated_payload", "curated_form_data"):
            if kwargs.get(key) is not None:
                kwargs[key] = scrub(kwargs[key])
        super().log(user_id, action, *args, **kwargs)


def scrub_logged_secrets() -> int:
    """Mask the secrets of rows an older version logged; the number of rows changed.
    SQLite overwrites the freed bytes too (secure_delete), so the file keeps none."""
    from sqlalchemy import inspect, or_, text
    from superset.extensions import db
    from superset.models.core import Log

    if not inspect(db.engine).has_table("logs"):
        return 0  # a metadata database not migrated yet
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA secure_delete = ON"))
    changed = 0
    hints = ("pass", "secret", "token", "sqlalchemy_uri", "encrypted_extra", "private_key",
             "credential", "://")
    rows = db.session.query(Log.id, Log.json).filter(
        or_(*[Log.json.ilike(f"%{h}%") for h in hints])).all()
    for log_id, logged in rows:
        try:
            clean = json.dumps(scrub(json.loads(logged)))
        except ValueError:
            clean = _URL_PASSWORD.sub(rf"\1{MASK}@", logged)
        if clean != logged:
            db.session.query(Log).filter(Log.id == log_id).update(
                {"json": clean}, synchronize_session=False)
            changed += 1
    db.session.commit()
    return changed


# --- BI logins are the warehouse's ---------------------------------------------------

_LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# A BI login: granted monev_bi or monev_analyst, no privilege, not a project role. Read
# from the catalogs every login may read (pg_has_role would say yes for a superuser).
_BI_LOGIN_SQL = """
SELECT NOT (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication
            OR r.rolbypassrls)
   AND r.rolname NOT LIKE 'monev%%' AND r.rolname NOT LIKE 'pg\\_%%'
   AND EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               WHERE m.member = r.oid AND g.rolname IN ('monev_bi', 'monev_analyst'))
FROM pg_roles r WHERE r.rolname = session_user
"""
# Superset's own roles every BI user also gets: read dashboards and charts (Gamma), use
# SQL Lab (sql_lab); the role `monev_<login>` gives its own connection only.
BASE_ROLES = ("Gamma", "sql_lab")
# failed sign-ins allowed before HTTP 429: per login and address, and per address
FAILED_PER_LOGIN = "5 per 5 minutes"
FAILED_PER_ADDRESS = "30 per 5 minutes"


def login_role(username: str) -> str:
    return f"monev_{username}"


def database_name(username: str) -> str:
    """As monev.bi.bundle names a login's connection."""
    return f"Gudang Monev ({username})"


def warehouse_accepts(username: str, password: str) -> bool:
    """Whether the warehouse lets `username` in with `password` as a BI login."""
    import psycopg2

    dsn = os.environ.get("MONEV_SUPERSET_WAREHOUSE")
    if not dsn:
        return False
    try:
        conn = psycopg2.connect(dsn, user=username, password=password, connect_timeout=10,
                                application_name="superset-login")
    except psycopg2.Error:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute(_BI_LOGIN_SQL)
            row = cur.fetchone()
        return bool(row and row[0])
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def _bundle(username: str) -> dict[str, str]:
    """The login's import bundle (its connection, datasets, charts, dashboards) as
    monev.bi.bundle writes it from the spec in git (the project's own Python)."""
    done = subprocess.run([os.environ["MONEV_SUPERSET_PYTHON"], "-m", "monev.bi.assets",
                           username], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def _failed() -> bool:
    return bool(g.get("monev_login_failed"))


def _login_name() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    name = (body or {}).get("username") if isinstance(body, dict) else None
    return str(name or request.form.get("username") or "")[:64]


class MonevSecurityManager(SupersetSecurityManager):
    """Superset's security manager; BI logins authenticated by the warehouse."""

    def is_bi_user(self, user: Any) -> bool:
        return any(r.name == login_role(user.username) for r in user.roles)

    def auth_user_db(self, username: str, password: str) -> Any:
        user = self.find_user(username=username) if username else None
        if user is not None and not self.is_bi_user(user):
            found = super().auth_user_db(username, password)
            g.monev_login_failed = found is None
            return found
        if (not username or not _LOGIN.match(username) or is_null_password(password)
                or not warehouse_accepts(username, password)):
            g.monev_login_failed = True
            if user is not None and user.is_active and not self._still_granted(username):
                # revoked or a changed password: its open sessions end here too (a
                # stranger's wrong guess alone does not log the analyst out)
                user.active = False
                self.session.commit()
            return None
        user = self._provision(username, password, user)
        self.update_user_auth_stat(user, True)
        return user

    def _still_granted(self, username: str) -> bool:
        """Whether the warehouse still takes the password this login last signed in
        with (kept encrypted on its connection)."""
        from superset.extensions import db
        from superset.models.core import Database

        database = db.session.query(Database).filter_by(
            database_name=database_name(username)).one_or_none()
        return bool(database is not None and database.password
                    and warehouse_accepts(username, database.password))

    def _provision(self, username: str, password: str, user: Any) -> Any:
        """The Superset user, connection, dashboards and role of a BI login the warehouse
        just accepted; the connection's stored password follows the warehouse's."""
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.extensions import db
        from superset.models.core import Database
        from superset.utils.core import override_user

        def connection() -> Any:
            return db.session.query(Database).filter_by(
                database_name=database_name(username)).one_or_none()

        database = connection()
        if database is None:
            admin = self.find_user(username="admin")
            contents = _bundle(username)
            (db_file,) = [k for k in contents if k.startswith("databases/")]
            with override_user(admin):
                ImportAssetsCommand(contents, passwords={db_file: password},
                                    overwrite=True).run()
            database = connection()
        elif database.password != password:
            database.password = password
        role = self.find_role(login_role(username)) or self.add_role(login_role(username))
        access = self.find_permission_view_menu("database_access", database.perm)
        if access is not None and access not in role.permissions:
            self.add_permission_role(role, access)
        roles = [role, *[r for r in (self.find_role(n) for n in BASE_ROLES) if r]]
        if user is None:
            # the stored hash is of a random secret: a BI user's password is never checked
            # against Superset's store, only against the warehouse
            user = self.add_user(username, username, "Monev", f"{username}@monev.local",
                                 roles, password=secrets.token_urlsafe(32))
        else:
            user.roles = roles
            user.active = True
        db.session.commit()
        return user

    def register_views(self) -> None:
        """Superset's views, with failed sign-ins throttled on both login routes: the
        form (`POST /login/`) and the API (`POST /api/v1/security/login`). Superset 6.1's
        own AUTH_RATE_LIMITED limits a view that has no POST route, and counts every
        sign-in, failed or not."""
        super().register_views()
        limits = [
            self.limiter.limit(FAILED_PER_LOGIN, methods=["POST"], deduct_when=lambda r: _failed(),
                               key_func=lambda: f"{get_remote_address()}|{_login_name()}"),
            self.limiter.limit(FAILED_PER_ADDRESS, methods=["POST"],
                               deduct_when=lambda r: _failed(), key_func=get_remote_address),
        ]
        for view in self.appbuilder.baseviews:
            if isinstance(view, AuthDBView | SecurityApi) and view.blueprint is not None:
                for limit in limits:
                    limit(view.blueprint)


# --- SQL Lab reads only ----------------------------------------------------------------

def read_only_sql() -> None:
    """Superset counts as DML only the statements that parse as INSERT/UPDATE/…;
    `SELECT … INTO TEMP t`, `PREPARE`, `SET ROLE`, `COPY`, `LISTEN` passed. On a
    connection without allow_dml every statement must be a plain query."""
    from sqlglot import exp
    from superset.sql.parse import SQLStatement

    mutating = SQLStatement.is_mutating

    def is_mutating(self: SQLStatement) -> bool:
        parsed = self._parsed
        return (mutating(self) or not isinstance(parsed, exp.Query)
                or parsed.find(exp.Into) is not None)

    SQLStatement.is_mutating = is_mutating  # type: ignore[method-assign]


def charts_on_readable_datasets() -> None:
    """Superset saves a chart on any dataset id it is given: a provincial user could
    put a chart of the national dataset on a dashboard others see. A chart is saved only
    on a dataset its user may read."""
    from superset.commands.chart.create import CreateChartCommand
    from superset.commands.chart.exceptions import ChartForbiddenError, DashboardsForbiddenError
    from superset.commands.chart.update import UpdateChartCommand
    from superset.daos.datasource import DatasourceDAO
    from superset.extensions import security_manager
    from superset.utils.core import DatasourceType

    class DatasetForbidden(DashboardsForbiddenError, ChartForbiddenError):
        # the create endpoint answers 403 to the first, the update endpoint to the second
        message = "You don't have access to this dataset."

    for command in (CreateChartCommand, UpdateChartCommand):
        validate = command.validate

        def checked(self: Any, _validate: Any = validate) -> None:
            _validate(self)
            ds_id = self._properties.get("datasource_id")
            if ds_id is None:
                return
            ds = DatasourceDAO.get_datasource(
                DatasourceType(self._properties.get("datasource_type") or "table"), ds_id)
            if not security_manager.can_access_datasource(ds):
                raise DatasetForbidden()

        command.validate = checked  # type: ignore[method-assign]
