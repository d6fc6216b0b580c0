"""Telling the data engineers. Every alert is logged (so it is in the task log) and
recorded in `audit.alerts`, then emailed through the project's SMTP server (monev.mail:
AIRFLOW_CONN_SMTP_DEFAULT or MONEV_SMTP_*) and posted to the optional webhook —
so an alert is visible even where no SMTP server is configured.

Messages name the DAG, task, run, the file and the rule ids with row counts — never a
cell value, so no personal data leaves through an alert.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from typing import Any

from monev import mail
from monev.config import settings

log = logging.getLogger(__name__)

def recipients() -> list[str]:
    return list(settings().alert_emails)


def send_email(subject: str, body: str, to: list[str] | None = None) -> bool:
    """Send through the project's SMTP server (monev.mail); False (logged) when none is
    configured or the server is unreachable — an alert must never turn a run's outcome
    into another error."""
    try:
        mail.send(to or recipients(), subject, body, sender=settings().alert_from)
        return True
    except mail.NotConfigured:
        log.info("alert email not sent: no SMTP server configured; recorded in audit.alerts")
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("alert email not sent: %s", exc if isinstance(exc, mail.InsecureLogin)
                    else type(exc).__name__)
    return False


def post_webhook(payload: dict[str, Any]) -> bool:
    url = settings().alert_webhook
    if not url:
        return False
    req = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10):
            return True
    except OSError as exc:
        log.warning("alert webhook not reached: %s", type(exc).__name__)
        return False


def record(kind: str, subject: str, body: str, payload: dict[str, Any] | None = None,
           emailed: bool = False, webhook: bool = False) -> None:
    """Log the alert and keep it in audit.alerts; never raises (an alert must not turn a
    run's outcome into another error)."""
    payload = payload or {}
    log.warning("ALERT %s: %s\n%s", kind, subject, body)
    try:
        from monev.warehouse import db

        with db.connect() as conn:
            conn.execute(
                "INSERT INTO audit.alerts (kind, subject, body, dag_id, task_id, run_id,"
                " emailed, webhook) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (kind, subject, body, payload.get("dag_id"), payload.get("task_id"),
                 payload.get("run_id"), emailed, webhook))
            conn.commit()
    except Exception as exc:  # the warehouse may be what is down
        log.error("alert not recorded in audit.alerts: %s", type(exc).__name__)


def _describe(context: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "-")
    run_id = getattr(ti, "run_id", None) or getattr(context.get("dag_run"), "run_id", "?")
    exc = context.get("exception")
    reason = str(exc) if exc is not None else context.get("reason", "")
    payload = {"dag_id": dag_id, "task_id": task_id, "run_id": run_id,
               "map_index": getattr(ti, "map_index", -1), "reason": reason}
    body = "\n".join([
        f"DAG:   {dag_id}", f"Task:  {task_id} (map index {payload['map_index']})",
        f"Run:   {run_id}", "", "Reason:", reason or "(none given)", "",
        "Re-run: fix the cause (a rejected file needs a _revN delivery), then clear the task "
        "in the Airflow UI or run `monev run --periode YYYY-MM`.",
    ])
    return f"{dag_id}.{task_id}", body, payload


def on_failure(context: dict[str, Any]) -> None:
    """Task failure callback: email + webhook."""
    what, body, payload = _describe(context)
    subject = f"[monev] FAILED {what}"
    emailed = send_email(subject, body)
    hooked = post_webhook({"event": "failure", **payload})
    record("failure", subject, body, payload, emailed, hooked)


def on_warning(subject: str, body: str) -> None:
    """Published with warnings: the load went through, someone should look."""
    emailed = send_email(f"[monev] WARNING {subject}", body)
    hooked = post_webhook({"event": "warning", "subject": subject, "body": body})
    record("warning", f"[monev] WARNING {subject}", body, {}, emailed, hooked)


async def late_extract_alert(context: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Deadline Alert callback (runs in the triggerer): the month's extract is late."""
    source = kwargs["source"]  # the watched sources, as the watch DAG passes them
    due_day = kwargs.get("due_day")
    body = (f"The {source} extract for the previous month has not been loaded by day "
            f"{due_day} of the month. Ask the sender, then let the watch DAG finish.")
    import asyncio

    subject = f"[monev] LATE {source} extract"
    emailed = await asyncio.to_thread(send_email, subject, body)
    hooked = await asyncio.to_thread(
        post_webhook, {"event": "late_extract", "source": source, "due_day": due_day})
    await asyncio.to_thread(record, "late_extract", subject, body,
                            {"dag_id": "watch_late_extracts"}, emailed, hooked)
