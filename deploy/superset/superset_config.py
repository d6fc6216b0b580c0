"""Superset's configuration for Monev (SUPERSET_CONFIG_PATH points here), the same for
`monev bi up` and the compose stack.

Secrets never live here: the secret key comes from SUPERSET_SECRET_KEY or the 0600 file
`secret_key` in MONEV_SUPERSET_STATE (written by `monev bi up`); Superset refuses to start
with its default key, and so does this file.
"""

import os
import sys
from pathlib import Path

from flask_caching.backends.nullcache import NullCache  # noqa: F401  (named below)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import monev_superset  # beside this file: Monev's security manager and guards

_state = Path(os.environ.get("MONEV_SUPERSET_STATE", "/var/lib/superset"))
SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY") or (_state / "secret_key").read_text().strip()
if len(SECRET_KEY) < 32:
    raise RuntimeError("SECRET_KEY too short: set SUPERSET_SECRET_KEY or run `monev bi up`")

# Metadata: a SQLite file in the state folder, or a PostgreSQL database (compose).
SQLALCHEMY_DATABASE_URI = (os.environ.get("SUPERSET_DATABASE_URI")
                           or f"sqlite:///{_state / 'superset.db'}?check_same_thread=false")

# Query results are never cached: a cached chart result would be served to another
# Superset user, whose connection has another warehouse role (and other rows).
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600}
EXPLORE_FORM_DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600}
# Failed sign-ins are throttled (monev_superset.MonevSecurityManager: HTTP 429 after 5 per
# login and address, 30 per address, in 5 minutes). Counters live in each gunicorn
# worker's memory. No application-wide limit: a dashboard loads many assets at once.
RATELIMIT_ENABLED = True
RATELIMIT_APPLICATION = None
RATELIMIT_STORAGE_URI = "memory://"
AUTH_RATE_LIMITED = False  # Superset 6.1's own limits a route without POST; ours above

# BI logins sign in with their warehouse login and password, checked by connecting to
# the warehouse (MONEV_SUPERSET_WAREHOUSE, set by `monev bi up`): the one store of it.
CUSTOM_SECURITY_MANAGER = monev_superset.MonevSecurityManager
# The action log (`logs`, /api/v1/log/) never keeps a password or a connection URI.
EVENT_LOGGER = monev_superset.ScrubbingEventLogger()

# The month the Monev charts show is the dashboards' month filter, read by the datasets'
# Jinja (`filter_values`), else the latest month: a sub-query on the mart. Jinja runs in
# Superset's sandbox; what a query may touch is still the connection role's grants.
FEATURE_FLAGS = {"ALLOW_ADHOC_SUBQUERY": True, "DASHBOARD_RBAC": False,
                 "ENABLE_TEMPLATE_PROCESSING": True}
# SQL Lab reads, never writes; no file uploads, no CTAS (also off on each connection).
PREVENT_UNSAFE_DB_CONNECTIONS = True
SQLLAB_CTAS_NO_LIMIT = False

# Indonesian number and date formats (d3 locale id-ID).
D3_FORMAT = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp ", ""]}
D3_TIME_FORMAT = {
    "dateTime": "%A, %e %B %Y %H:%M:%S", "date": "%d/%m/%Y", "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    "shortDays": ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
    "months": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
               "September", "Oktober", "November", "Desember"],
    "shortMonths": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt",
                    "Nov", "Des"],
}
BABEL_DEFAULT_LOCALE = "en"
LANGUAGES = {"en": {"flag": "us", "name": "English"}}

# CSRF stays on: API clients send the token from /api/v1/security/csrf_token/, the
# browser test posts the login form with it.
WTF_CSRF_ENABLED = True
TALISMAN_ENABLED = False
SESSION_COOKIE_SAMESITE = "Lax"
# the import of users' connections and roles goes through the REST API
FAB_ADD_SECURITY_API = True
SUPERSET_WEBSERVER_TIMEOUT = 60
LOG_LEVEL = "WARNING"


def _on_start(app: object) -> None:
    """Once the app is initialised (Superset's models cannot be imported before)."""
    _admin_on_first_start(app)
    monev_superset.scrub_logged_secrets()
    monev_superset.read_only_sql()
    monev_superset.charts_on_readable_datasets()


def _admin_on_first_start(app: object) -> None:
    """First start from the setup's migrated template (`monev bi up` leaves the marker
    `admin_pending`): create the admin in the server's own start-up instead of in a
    separate init.py process, which costs another ~15 s of importing Superset. The
    password is read from its 0600 file; an admin that exists is left as it is."""
    pending = _state / "admin_pending"
    if not pending.exists():
        return
    from superset.extensions import db, security_manager

    if security_manager.find_user(username="admin") is None:
        password = (_state / "admin_password").read_text().strip()
        # add_user rolls back and returns False if another worker made it first
        security_manager.add_user("admin", "Admin", "Monev", "admin@monev.local",
                                  security_manager.find_role("Admin"), password=password)
        db.session.commit()
    pending.unlink(missing_ok=True)


FLASK_APP_MUTATOR = _on_start
