"""Shared by the report tests: the fixture marts of the report month, a real SMTP
server on loopback and a sent-then-reissued province report."""

from __future__ import annotations

import datetime as dt
import email
import socket
import time
from pathlib import Path

import psycopg
import pytest
from sample_marts import create_fixture_marts

from monev.reports.build import build_reports

PERIODE = dt.date(2025, 3, 1)  # the report month of the fixture marts


@pytest.fixture(name="marts")
def marts_fixture(warehouse: str) -> str:
    """A warehouse holding 13 months of fixture marts up to PERIODE, budgets in Jan and Mar."""
    with psycopg.connect(warehouse) as conn:
        create_fixture_marts(conn, PERIODE, months=13,
                             budget_months={dt.date(2025, 1, 1), dt.date(2025, 3, 1)})
    return warehouse


@pytest.fixture(name="smtp_inbox")
def smtp_inbox_fixture():
    """A real SMTP server on a free loopback port; yields (port, received messages)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[email.message.EmailMessage] = []

    class Collect(Message):
        def handle_message(self, message) -> None:  # type: ignore[override]
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(message_class=email.message.EmailMessage),
                            hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def send_and_reissue(url: str, out: Path, port: int, received: list,
                     monkeypatch: pytest.MonkeyPatch) -> tuple[list, list]:
    """Send revision 1 of province 62, change the marts, reissue revision 2."""
    rec = out / "recipients.yml"
    out.mkdir(parents=True, exist_ok=True)
    rec.write_text('provinsi:\n  "62": ["kalteng@example.go.id"]\n')
    monkeypatch.setenv("MONEV_RECIPIENTS", str(rec))
    monkeypatch.setenv("MONEV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MONEV_SMTP_PORT", str(port))
    first = build_reports("2025-03", out=out, send=True)
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE marts.mart_monev_wilayah_bulanan SET peserta_aktif ="
                     " peserta_aktif + 1000 WHERE periode = '2025-03-01'"
                     " AND kode_wilayah = '62.01'")
        conn.execute("DELETE FROM marts.mart_monev_wilayah_bulanan"
                     " WHERE periode = '2025-03-01' AND kode_wilayah = '62.71'")
    second = build_reports("2025-03", provinsi="62", out=out, send=True, reissue=True)
    deadline = time.monotonic() + 10
    while len(received) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    return first, second


