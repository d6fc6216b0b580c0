"""Sending mail: alerts (monev.orchestration.callbacks) and reports
(monev.reports.build) go through this one client and one configuration —
`settings().smtp` (MONEV_SMTP_* or the Airflow connection URI
AIRFLOW_CONN_SMTP_DEFAULT), else, inside Airflow, its stored `smtp_default` connection."""

from __future__ import annotations

import smtplib
import ssl
import sys
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from monev.config import SmtpSettings, settings, smtp_from_uri

CONN_ID = "smtp_default"
_XLSX = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NotConfigured(RuntimeError):
    """No SMTP server is configured."""


class InsecureLogin(smtplib.SMTPException):
    """A login would be sent over a connection without TLS."""


def _from_airflow() -> SmtpSettings | None:
    # Only when already running inside Airflow: importing it costs seconds elsewhere.
    if "airflow" not in sys.modules:
        return None
    try:
        from airflow.sdk import BaseHook

        return smtp_from_uri(BaseHook.get_connection(CONN_ID).get_uri())
    except Exception:  # no such connection, or no metadata database to look in
        return None


def smtp_settings() -> SmtpSettings | None:
    return settings().smtp or _from_airflow()


def configured() -> bool:
    """Is an SMTP server set in the environment (the start-up warning checks it)?"""
    return settings().smtp is not None


def send(to: Sequence[str], subject: str, body: str, attachments: Sequence[Path] = (),
         sender: str | None = None, cfg: SmtpSettings | None = None) -> None:
    """Send one message (PDF and Excel attachments by suffix); raises NotConfigured or
    the SMTP/socket error, for the caller to record."""
    cfg = cfg or smtp_settings()
    if cfg is None:
        raise NotConfigured(f"no SMTP server (MONEV_SMTP_HOST or AIRFLOW_CONN_"
                            f"{CONN_ID.upper()})")
    msg = EmailMessage()
    msg["From"] = sender or cfg.sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(body)
    for path in attachments:
        subtype = "pdf" if path.suffix == ".pdf" else _XLSX
        msg.add_attachment(path.read_bytes(), maintype="application", subtype=subtype,
                           filename=path.name)
    # the server's certificate is checked against the system's CAs (SSL_CERT_FILE adds
    # a private one): a login over TLS to whoever answers would be no better than clear
    tls = ssl.create_default_context()
    smtp = (smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=30, context=tls) if cfg.ssl
            else smtplib.SMTP(cfg.host, cfg.port, timeout=30))
    with smtp:
        _secure(smtp, cfg, tls)
        if cfg.user:
            smtp.login(cfg.user, cfg.password or "")
        smtp.send_message(msg)


def _secure(smtp: smtplib.SMTP, cfg: SmtpSettings, tls: ssl.SSLContext) -> None:
    """TLS before any login: implicit TLS (`ssl`), else STARTTLS when asked for or when
    the server offers it and a login follows. A login over a connection still in clear
    is refused unless the operator allowed it (MONEV_SMTP_ALLOW_PLAINTEXT_AUTH)."""
    if cfg.ssl:
        return
    smtp.ehlo_or_helo_if_needed()
    if cfg.starttls or (cfg.user and smtp.has_extn("starttls")):
        smtp.starttls(context=tls)  # raises SMTPNotSupportedError when asked for and not offered
        smtp.ehlo()
    elif cfg.user and not cfg.allow_plaintext_auth:
        raise InsecureLogin(
            f"SMTP server {cfg.host}:{cfg.port} offers no STARTTLS: the login of "
            f"{cfg.user!r} would go over the network in clear; use a server with TLS "
            "(MONEV_SMTP_STARTTLS / ssl=true) or, on a trusted network only, set "
            "MONEV_SMTP_ALLOW_PLAINTEXT_AUTH=true")
