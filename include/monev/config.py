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

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Every variable settings() reads (reading one not listed here is a KeyError).
VARIABLES = (
    "MONEV_STATE_DIR", "WAREHOUSE_URL", "MONEV_PG_PORT", "MONEV_PG_BIN_DIR",
    "MONEV_PG_OS_USER", "MONEV_LANDING_URL", "MONEV_LANDING_OPTIONS", "MONEV_REJECTED_DIR",
    "MONEV_ARCHIVE_DIR",
    "MONEV_REPORTS_DIR", "MONEV_DBT_PROJECT_DIR", "MONEV_EXPECTATIONS_DIR",
    "MONEV_DATA_DOCS_DIR", "MONEV_PSEUDONYM_KEY", "MONEV_GATE_DOCS", "MONEV_REPORT_WORKERS",
    "MONEV_RECIPIENTS", "MONEV_EXTRACT_DUE_DAY", "MONEV_WATCHED_SOURCES",
    "MONEV_POLL_MINUTES", "MONEV_RETRY_DELAY_SECONDS", "MONEV_ALERT_EMAILS",
    "MONEV_ALERT_FROM", "MONEV_ALERT_WEBHOOK", "MONEV_AIRFLOW_DB",
    "MONEV_SMTP_HOST", "MONEV_SMTP_PORT", "MONEV_SMTP_USER", "MONEV_SMTP_PASSWORD",
    "MONEV_SMTP_FROM", "MONEV_SMTP_STARTTLS", "AIRFLOW_CONN_SMTP_DEFAULT",
)


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


@dataclass(frozen=True)
class Settings:
    # Local state (embedded cluster, pseudonym key, kept rejected files) lives here.
    state_dir: Path
    # An existing PostgreSQL to use instead of the embedded cluster; None = embedded.
    warehouse_url: str | None
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

    @property
    def embedded(self) -> bool:
        return self.warehouse_url is None


def _listed(value: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in value.split(",") if s.strip())


def smtp_from_uri(uri: str, sender: str | None = None) -> SmtpSettings:
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
    )


def _smtp(env: dict[str, str | None]) -> SmtpSettings | None:
    """MONEV_SMTP_HOST/PORT/… when MONEV_SMTP_HOST is set, else Airflow's connection
    smtp_default given as AIRFLOW_CONN_SMTP_DEFAULT, else none."""
    sender = env["MONEV_SMTP_FROM"] or None
    if env["MONEV_SMTP_HOST"]:
        return SmtpSettings(
            env["MONEV_SMTP_HOST"], int(env["MONEV_SMTP_PORT"] or 25),
            env["MONEV_SMTP_USER"] or None, env["MONEV_SMTP_PASSWORD"] or None,
            sender or "monev@localhost",
            (env["MONEV_SMTP_STARTTLS"] or "false").lower() in ("1", "true", "yes"),
        )
    if env["AIRFLOW_CONN_SMTP_DEFAULT"]:
        return smtp_from_uri(env["AIRFLOW_CONN_SMTP_DEFAULT"], sender)
    return None


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
        gate_docs=(env["MONEV_GATE_DOCS"] or "1") != "0",
        report_workers=int(env["MONEV_REPORT_WORKERS"] or "2"),
        recipients_file=Path(env["MONEV_RECIPIENTS"] or PROJECT_ROOT / "config"
                             / "recipients.yml"),
        extract_due_day=int(env["MONEV_EXTRACT_DUE_DAY"] or "8"),
        watched_sources=_listed(env["MONEV_WATCHED_SOURCES"] or "kepesertaan,peserta_rentan"),
        poll_minutes=float(env["MONEV_POLL_MINUTES"] or "10"),
        # in-process runs (`monev run`, tests) shorten it: dag.test() sleeps through it
        retry_delay_seconds=int(env["MONEV_RETRY_DELAY_SECONDS"] or "120"),
        alert_emails=_listed(env["MONEV_ALERT_EMAILS"] or "data-engineers@monev.local"),
        alert_from=env["MONEV_ALERT_FROM"] or None,
        alert_webhook=env["MONEV_ALERT_WEBHOOK"] or None,
        # local runs keep Airflow's metadata in this database next to the warehouse
        airflow_db=env["MONEV_AIRFLOW_DB"] or "airflow",
        smtp=_smtp(env),
    )


def reset_settings() -> None:
    """Forget cached settings (kept for callers; a changed variable is seen anyway)."""
    _settings.cache_clear()
