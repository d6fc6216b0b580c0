"""Settings read from the environment, in one place.

Every command, DAG and test reads configuration through :func:`settings`, so the same
variable means the same thing everywhere; no other module reads a `MONEV_*` variable.
`.env.example` documents each one (tests/unit/test_config.py checks it). Settings are
cached per value of the variables they read: a changed variable is seen at once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from monev import catalog

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Every variable settings() reads (reading one not listed here is a KeyError).
VARIABLES = (
    "MONEV_STATE_DIR", "WAREHOUSE_URL", "WAREHOUSE_ADMIN_URL", "MONEV_PG_PORT", "MONEV_PG_BIN_DIR",
    "MONEV_PG_OS_USER", "MONEV_LANDING_URL", "MONEV_LANDING_OPTIONS", "MONEV_REJECTED_DIR",
    "MONEV_ARCHIVE_DIR",
    "MONEV_REPORTS_DIR", "MONEV_DBT_PROJECT_DIR", "MONEV_EXPECTATIONS_DIR",
    "MONEV_DATA_DOCS_DIR", "MONEV_PSEUDONYM_KEY", "MONEV_GATE_DOCS", "MONEV_REPORT_WORKERS",
    "MONEV_RECIPIENTS", "MONEV_EXTRACT_DUE_DAY", "MONEV_WATCHED_SOURCES",
    "MONEV_POLL_MINUTES", "MONEV_RETRY_DELAY_SECONDS", "MONEV_ALERT_EMAILS",
    "MONEV_ALERT_FROM", "MONEV_ALERT_WEBHOOK", "MONEV_AIRFLOW_DB",
    "MONEV_SMTP_HOST", "MONEV_SMTP_PORT", "MONEV_SMTP_USER", "MONEV_SMTP_PASSWORD",
    "MONEV_SMTP_FROM", "MONEV_SMTP_STARTTLS", "AIRFLOW_CONN_SMTP_DEFAULT",
    "MONEV_SMTP_ALLOW_PLAINTEXT_AUTH", "MONEV_PSEUDONYM_KEY_FROM_AIRFLOW",
    "MONEV_MAX_FILE_BYTES", "MONEV_MAX_FILE_LINES", "MONEV_MAX_FILE_SECONDS",
    "MONEV_MAX_PARTICIPANT_BYTES", "MONEV_MAX_PARTICIPANT_LINES",
    "MONEV_MAX_PARTICIPANT_SECONDS", "MONEV_MAX_XLSX_CELLS", "MONEV_MAX_SHARED_STRINGS",
    "MONEV_MAX_SHARED_STRINGS_BYTES",
    "MONEV_BI_CONNECTION_LIMIT", "MONEV_BI_STATEMENT_TIMEOUT", "MONEV_BI_TEMP_FILE_LIMIT",
    "MONEV_PG_APP_RESERVED_CONNECTIONS",
    "MONEV_BROKER_PASSWORD_FILE", "MONEV_BROKER_HOST", "MONEV_BROKER_PORT",
    "MONEV_HEALTH_HEARTBEAT_SECONDS",
)


@dataclass(frozen=True)
class FileLimits:
    """Hard caps on the work of reading one delivered file. Past any of them the file is
    rejected with the cap's rule and reading stops there (docs/EXTRACTS.md, "Limits"),
    so no file can hold the load slot or the memory for long."""

    inflated_bytes: int  # text after gzip; an xlsx's parts unpacked, all together
    lines: int  # CSV lines, blank ones included; xlsx worksheet rows
    seconds: float  # wall time of the parse (checked between blocks and row batches)
    cells: int  # xlsx cells as read (rows padded to the sheet's width)
    shared_strings: int  # xlsx shared-strings entries
    shared_strings_bytes: int  # the xlsx shared-strings part, unpacked


# The defaults, from the contract's volumes (EXTRACTS.md). The participant list: up to
# 10 M rows a month, ~1.2 GB of CSV; 4x the rows and ~7x the bytes allowed, and 15 min
# where a national month parses in about one. Every other extract: at most ~100 k rows
# (kepesertaan: 514 kab/kota x 4 segmen x 6 kategori x 8 sumber_iuran = 98,688; a
# SIPD export holds a few lines per pemda) and a few MB: 10x the rows, 256 MiB, 2 min
# where one parses in seconds. xlsx: 10 M cells (~15x a national export's 100 k x 13),
# 1 M shared strings in 64 MiB (far above the few thousand names and codes of one).
FILE_LIMITS = FileLimits(inflated_bytes=256 << 20, lines=1_000_000, seconds=120,
                         cells=10_000_000, shared_strings=1_000_000,
                         shared_strings_bytes=64 << 20)
PARTICIPANT_LIMITS = FileLimits(inflated_bytes=8 << 30, lines=40_000_000, seconds=900,
                                cells=FILE_LIMITS.cells,
                                shared_strings=FILE_LIMITS.shared_strings,
                                shared_strings_bytes=FILE_LIMITS.shared_strings_bytes)


@dataclass(frozen=True)
class BiLimits:
    """What one BI login may take of the warehouse (set on the role by `monev access`):
    no provincial analyst can hold every connection, run a query for ever or fill the
    disk with temporary files, and the BI logins together leave `app_reserved_connections`
    of the server's connections to the project's own logins."""

    connection_limit: int  # per BI login (CONNECTION LIMIT)
    statement_timeout: str  # PostgreSQL units: '5min', '30s'
    temp_file_limit: str  # PostgreSQL units: '2GB'
    app_reserved_connections: int  # never granted to BI logins, all of them together


# Superset runs 1 worker x 4 threads (monev bi up): 10 leaves room for a dashboard's
# charts plus SQL Lab. The slowest dashboard chart takes under a second at 24 national
# months (bench_bi); 5 minutes is far above any legitimate query on the marts.
BI_LIMITS = BiLimits(connection_limit=10, statement_timeout="5min", temp_file_limit="2GB",
                     app_reserved_connections=50)


@dataclass(frozen=True)
class SmtpSettings:
    """The one SMTP server alerts and reports are sent through (monev.mail)."""

    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    ssl: bool = False
    # send the login over a connection without TLS (monev.mail refuses it otherwise)
    allow_plaintext_auth: bool = False


@dataclass(frozen=True)
class Settings:
    # Local state (embedded cluster, pseudonym key, kept rejected files) lives here.
    state_dir: Path
    # An existing PostgreSQL to use instead of the embedded cluster; None = embedded.
    warehouse_url: str | None
    # With WAREHOUSE_URL: a login that may create roles, for `monev access` only (the
    # application's role needs no CREATEROLE); None = WAREHOUSE_URL itself.
    warehouse_admin_url: str | None
    pg_port: int
    pg_bin_dir: Path | None
    pg_os_user: str
    landing_url: str
    landing_options: dict[str, Any]
    rejected_dir: Path
    # Accepted deliveries kept byte for byte (`<archive>/deliveries/`): what
    # `monev rebuild` re-ingests, and what a backup carries with the database.
    archive_dir: Path
    reports_dir: Path
    dbt_project_dir: Path
    expectations_dir: Path
    data_docs_dir: Path
    pseudonym_key: str | None
    # read the key from the Airflow Variable monev_pseudonym_key (opt-in: anyone who may
    # read Variables through Airflow's UI/API could read it)
    pseudonym_key_from_airflow: bool
    gate_docs: bool
    report_workers: int
    recipients_file: Path
    extract_due_day: int
    watched_sources: tuple[str, ...]
    poll_minutes: float
    retry_delay_seconds: int
    alert_emails: tuple[str, ...]
    alert_from: str | None
    alert_webhook: str | None
    airflow_db: str
    # None: no SMTP server configured in the environment (monev.mail may still find
    # Airflow's smtp_default connection inside Airflow)
    smtp: SmtpSettings | None
    # caps on reading one delivered file: the participant list, and every other extract
    participant_limits: FileLimits = PARTICIPANT_LIMITS
    file_limits: FileLimits = FILE_LIMITS
    bi_limits: BiLimits = BI_LIMITS
    # compose: the Celery broker's password file (a secret volume), its host and port
    broker_password_file: Path | None = None
    broker_host: str = "redis"
    broker_port: int = 6379
    # a component's job heartbeat older than this is unhealthy (localrun.health)
    health_heartbeat_seconds: float = 90.0

    @property
    def embedded(self) -> bool:
        return self.warehouse_url is None


def _listed(value: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in value.split(",") if s.strip())


def _flag(value: str | None, default: bool = False) -> bool:
    return default if not value else value.strip().lower() in ("1", "true", "yes")


def smtp_from_uri(uri: str, sender: str | None = None,
                  allow_plaintext_auth: bool = False) -> SmtpSettings:
    """An Airflow SMTP connection (URI `smtp://user:pw@host:port?starttls=true`, or its
    JSON form) as settings. STARTTLS with `starttls=true` (or the SMTP provider's
    `disable_tls=false`), implicit TLS with `ssl=true`; the sender is `from_email`."""
    if uri.lstrip().startswith("{"):
        c = json.loads(uri)
        host, port, user, password = c.get("host"), c.get("port"), c.get("login"), c.get(
            "password")
        extra = {k: str(v).lower() for k, v in (c.get("extra") or {}).items()}
    else:
        u = urlsplit(uri)
        host, port = u.hostname, u.port
        user = unquote(u.username) if u.username else None
        password = unquote(u.password) if u.password else None
        extra = {k: v[-1] for k, v in parse_qs(u.query).items()}
        extra = {k: v if k == "from_email" else v.lower() for k, v in extra.items()}
    return SmtpSettings(
        host or "localhost", int(port or 25), user or None, password or None,
        extra.get("from_email") or sender or "monev@localhost",
        extra.get("starttls") == "true" or extra.get("disable_tls") == "false",
        extra.get("ssl") == "true",
        allow_plaintext_auth,
    )


def _smtp(env: dict[str, str | None]) -> SmtpSettings | None:
    """MONEV_SMTP_HOST/PORT/… when MONEV_SMTP_HOST is set, else Airflow's connection
    smtp_default given as AIRFLOW_CONN_SMTP_DEFAULT, else none."""
    sender = env["MONEV_SMTP_FROM"] or None
    plaintext = _flag(env["MONEV_SMTP_ALLOW_PLAINTEXT_AUTH"])
    if env["MONEV_SMTP_HOST"]:
        return SmtpSettings(
            env["MONEV_SMTP_HOST"], int(env["MONEV_SMTP_PORT"] or 25),
            env["MONEV_SMTP_USER"] or None, env["MONEV_SMTP_PASSWORD"] or None,
            sender or "monev@localhost",
            _flag(env["MONEV_SMTP_STARTTLS"]),
            allow_plaintext_auth=plaintext,
        )
    if env["AIRFLOW_CONN_SMTP_DEFAULT"]:
        return smtp_from_uri(env["AIRFLOW_CONN_SMTP_DEFAULT"], sender, plaintext)
    return None


def _limits(env: dict[str, str | None], default: FileLimits,
            bytes_: str, lines: str, seconds: str) -> FileLimits:
    """FileLimits from the variables named (bytes, lines, seconds) and the xlsx caps."""
    def number(name: str, value: float) -> float:
        raw = env[name]
        if not raw:
            return value
        v = float(raw)
        if not v > 0:
            raise ValueError(f"{name} must be a positive number, not {raw!r}")
        return v

    return FileLimits(
        inflated_bytes=int(number(bytes_, default.inflated_bytes)),
        lines=int(number(lines, default.lines)),
        seconds=number(seconds, default.seconds),
        cells=int(number("MONEV_MAX_XLSX_CELLS", default.cells)),
        shared_strings=int(number("MONEV_MAX_SHARED_STRINGS", default.shared_strings)),
        shared_strings_bytes=int(number("MONEV_MAX_SHARED_STRINGS_BYTES",
                                        default.shared_strings_bytes)),
    )


def _path(value: str | None, default: Path) -> Path:
    return Path(value).expanduser().resolve() if value else default


def settings() -> Settings:
    return _settings(tuple(os.environ.get(v) for v in VARIABLES))


@cache
def _settings(values: tuple[str | None, ...]) -> Settings:
    env = dict(zip(VARIABLES, values, strict=True))
    state = _path(env["MONEV_STATE_DIR"], PROJECT_ROOT / ".monev")
    bin_dir = env["MONEV_PG_BIN_DIR"]
    return Settings(
        state_dir=state,
        warehouse_url=env["WAREHOUSE_URL"] or None,
        warehouse_admin_url=env["WAREHOUSE_ADMIN_URL"] or None,
        pg_port=int(env["MONEV_PG_PORT"] or "55432"),
        pg_bin_dir=Path(bin_dir) if bin_dir else None,
        # the OS user the embedded cluster runs as when commands run as root
        pg_os_user=env["MONEV_PG_OS_USER"] or "monevpg",
        landing_url=env["MONEV_LANDING_URL"] or str(state / "landing"),
        landing_options=json.loads(env["MONEV_LANDING_OPTIONS"] or "{}"),
        rejected_dir=_path(env["MONEV_REJECTED_DIR"], state / "rejected"),
        archive_dir=_path(env["MONEV_ARCHIVE_DIR"], state / "archive"),
        reports_dir=_path(env["MONEV_REPORTS_DIR"], PROJECT_ROOT / "reports"),
        dbt_project_dir=_path(env["MONEV_DBT_PROJECT_DIR"], PROJECT_ROOT / "dbt_project"),
        expectations_dir=_path(env["MONEV_EXPECTATIONS_DIR"], PROJECT_ROOT / "expectations"),
        data_docs_dir=_path(env["MONEV_DATA_DOCS_DIR"], state / "data_docs"),
        pseudonym_key=env["MONEV_PSEUDONYM_KEY"] or None,
        pseudonym_key_from_airflow=_flag(env["MONEV_PSEUDONYM_KEY_FROM_AIRFLOW"]),
        gate_docs=(env["MONEV_GATE_DOCS"] or "1") != "0",
        report_workers=int(env["MONEV_REPORT_WORKERS"] or "2"),
        recipients_file=Path(env["MONEV_RECIPIENTS"] or PROJECT_ROOT / "config"
                             / "recipients.yml"),
        extract_due_day=int(env["MONEV_EXTRACT_DUE_DAY"] or "8"),
        # default: the catalog's watched sources
        watched_sources=(_listed(env["MONEV_WATCHED_SOURCES"]) if env["MONEV_WATCHED_SOURCES"]
                         else catalog.WATCHED),
        poll_minutes=float(env["MONEV_POLL_MINUTES"] or "10"),
        # in-process runs (`monev run`, tests) shorten it: dag.test() sleeps through it
        retry_delay_seconds=int(env["MONEV_RETRY_DELAY_SECONDS"] or "120"),
        alert_emails=_listed(env["MONEV_ALERT_EMAILS"] or "data-engineers@monev.local"),
        alert_from=env["MONEV_ALERT_FROM"] or None,
        alert_webhook=env["MONEV_ALERT_WEBHOOK"] or None,
        # local runs keep Airflow's metadata in this database next to the warehouse
        airflow_db=env["MONEV_AIRFLOW_DB"] or "airflow",
        smtp=_smtp(env),
        participant_limits=_limits(env, PARTICIPANT_LIMITS, "MONEV_MAX_PARTICIPANT_BYTES",
                                   "MONEV_MAX_PARTICIPANT_LINES",
                                   "MONEV_MAX_PARTICIPANT_SECONDS"),
        file_limits=_limits(env, FILE_LIMITS, "MONEV_MAX_FILE_BYTES", "MONEV_MAX_FILE_LINES",
                            "MONEV_MAX_FILE_SECONDS"),
        bi_limits=BiLimits(
            connection_limit=int(env["MONEV_BI_CONNECTION_LIMIT"]
                                 or BI_LIMITS.connection_limit),
            statement_timeout=env["MONEV_BI_STATEMENT_TIMEOUT"] or BI_LIMITS.statement_timeout,
            temp_file_limit=env["MONEV_BI_TEMP_FILE_LIMIT"] or BI_LIMITS.temp_file_limit,
            app_reserved_connections=int(env["MONEV_PG_APP_RESERVED_CONNECTIONS"]
                                         or BI_LIMITS.app_reserved_connections),
        ),
        broker_password_file=(Path(env["MONEV_BROKER_PASSWORD_FILE"])
                              if env["MONEV_BROKER_PASSWORD_FILE"] else None),
        broker_host=env["MONEV_BROKER_HOST"] or "redis",
        broker_port=int(env["MONEV_BROKER_PORT"] or "6379"),
        health_heartbeat_seconds=float(env["MONEV_HEALTH_HEARTBEAT_SECONDS"] or "90"),
    )


def reset_settings() -> None:
    """Forget cached settings (kept for callers; a changed variable is seen anyway)."""
    _settings.cache_clear()
