"""Who receives a report and how it is sent (SMTP, PDF and Excel attached).

Recipients: a YAML file (`nasional: [...]`, `provinsi: {"31": [...]}`) or a CSV with
columns `scope,email` (scope = NASIONAL or a province code), from env MONEV_RECIPIENTS,
else config/recipients.yml. SMTP: env MONEV_SMTP_HOST/PORT/USER/PASSWORD/FROM/STARTTLS,
or Airflow's connection `smtp_default` given as env AIRFLOW_CONN_SMTP_DEFAULT (a URI).
"""

from __future__ import annotations

import csv
import json
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from monev.config import PROJECT_ROOT
from monev.reports.data import NATIONAL


def recipients_path() -> Path:
    return Path(os.environ.get("MONEV_RECIPIENTS") or PROJECT_ROOT / "config" / "recipients.yml")


def load_recipients(path: Path | None = None) -> dict[str, list[str]]:
    """Scope -> addresses. Missing file = nobody (the report is still built and archived)."""
    path = path or recipients_path()
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                scope = row["scope"].strip().upper()
                scope = NATIONAL if scope in (NATIONAL, "00") else scope.zfill(2)
                out.setdefault(scope, []).append(row["email"].strip())
        return out
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out[NATIONAL] = list(doc.get("nasional") or [])
    for code, emails in (doc.get("provinsi") or {}).items():
        out[str(code).zfill(2)] = list(emails or [])
    return out


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    ssl: bool = False


def smtp_settings() -> SmtpSettings:
    uri = os.environ.get("AIRFLOW_CONN_SMTP_DEFAULT")
    if uri and not os.environ.get("MONEV_SMTP_HOST"):
        if uri.lstrip().startswith("{"):
            c = json.loads(uri)
            extra = c.get("extra") or {}
            return SmtpSettings(c.get("host", "localhost"), int(c.get("port") or 25),
                                c.get("login"), c.get("password"),
                                extra.get("from_email", "monev@localhost"),
                                not extra.get("disable_tls", True), bool(extra.get("ssl")))
        u = urlsplit(uri)
        return SmtpSettings(u.hostname or "localhost", u.port or 25,
                            unquote(u.username) if u.username else None,
                            unquote(u.password) if u.password else None,
                            os.environ.get("MONEV_SMTP_FROM", "monev@localhost"),
                            "disable_tls=false" in (u.query or ""), "ssl=true" in (u.query or ""))
    return SmtpSettings(
        os.environ.get("MONEV_SMTP_HOST", "localhost"),
        int(os.environ.get("MONEV_SMTP_PORT", "25")),
        os.environ.get("MONEV_SMTP_USER") or None, os.environ.get("MONEV_SMTP_PASSWORD") or None,
        os.environ.get("MONEV_SMTP_FROM", "monev@localhost"),
        os.environ.get("MONEV_SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
    )


def send(recipients: list[str], subject: str, body: str, attachments: list[Path],
         cfg: SmtpSettings | None = None) -> None:
    cfg = cfg or smtp_settings()
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg.set_content(body)
    for path in attachments:
        maintype, subtype = (("application", "pdf") if path.suffix == ".pdf" else
                             ("application",
                              "vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=path.name)
    factory = smtplib.SMTP_SSL if cfg.ssl else smtplib.SMTP
    with factory(cfg.host, cfg.port, timeout=30) as smtp:
        if cfg.starttls:
            smtp.starttls()
        if cfg.user:
            smtp.login(cfg.user, cfg.password or "")
        smtp.send_message(msg)
