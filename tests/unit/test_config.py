"""Settings: one reader of the environment, each variable documented in .env.example,
and one SMTP configuration for alerts and reports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from monev import config
from monev.config import PROJECT_ROOT, settings

PACKAGE = PROJECT_ROOT / "include" / "monev"


def _names_in(path: Path) -> set[str]:
    """MONEV_* names among the string constants of a module."""
    tree = ast.parse(path.read_text())
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and re.fullmatch(r"MONEV_[A-Z0-9_]+", n.value)}


def test_every_setting_is_documented_in_env_example() -> None:
    read = _names_in(PACKAGE / "config.py")
    assert read, "config.py reads no MONEV_* variable?"
    assert read <= set(config.VARIABLES)
    documented = set(re.findall(r"\b(MONEV_[A-Z0-9_]+)=", (PROJECT_ROOT / ".env.example")
                                .read_text()))
    assert not read - documented, f"document in .env.example: {sorted(read - documented)}"


def test_no_other_module_reads_a_monev_variable() -> None:
    """Writing the environment for child processes is fine; reading MONEV_* is config's."""
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "config.py":
            continue
        text = path.read_text()
        for m in re.finditer(r"(environ\.get|getenv|environ\[)\(?\s*[\"'](MONEV_\w+)", text):
            readers.append(f"{path.relative_to(PACKAGE)}: {m.group(2)}")
    assert not readers, "read these through monev.config.settings():\n" + "\n".join(readers)


def test_a_changed_variable_is_seen_without_a_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEV_EXTRACT_DUE_DAY", "5")
    assert settings().extract_due_day == 5
    monkeypatch.setenv("MONEV_EXTRACT_DUE_DAY", "9")
    assert settings().extract_due_day == 9


def test_smtp_from_monev_variables_wins_over_the_connection(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", "smtp://u:p%40ss@mail.example:587"
                                                   "?starttls=true&from_email=a@example.go.id")
    monkeypatch.delenv("MONEV_SMTP_HOST", raising=False)
    monkeypatch.delenv("MONEV_SMTP_FROM", raising=False)
    cfg = settings().smtp
    assert cfg == config.SmtpSettings("mail.example", 587, "u", "p@ss", "a@example.go.id",
                                      starttls=True, ssl=False)
    monkeypatch.setenv("MONEV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MONEV_SMTP_PORT", "2525")
    cfg = settings().smtp
    assert (cfg.host, cfg.port, cfg.starttls) == ("127.0.0.1", 2525, False)


def test_no_smtp_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from monev import mail

    for var in ("AIRFLOW_CONN_SMTP_DEFAULT", "MONEV_SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    assert settings().smtp is None and not mail.configured()
    with pytest.raises(mail.NotConfigured):
        mail.send(["de@example.test"], "s", "b")


def test_file_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MONEV_MAX_FILE_LINES", "MONEV_MAX_PARTICIPANT_SECONDS",
                "MONEV_MAX_SHARED_STRINGS"):
        monkeypatch.delenv(var, raising=False)
    assert settings().file_limits == config.FILE_LIMITS
    assert settings().participant_limits == config.PARTICIPANT_LIMITS
    monkeypatch.setenv("MONEV_MAX_FILE_LINES", "2000")
    monkeypatch.setenv("MONEV_MAX_PARTICIPANT_SECONDS", "1.5")
    monkeypatch.setenv("MONEV_MAX_SHARED_STRINGS", "10")
    s = settings()
    assert (s.file_limits.lines, s.participant_limits.seconds) == (2000, 1.5)
    assert s.file_limits.shared_strings == s.participant_limits.shared_strings == 10
    assert s.participant_limits.lines == config.PARTICIPANT_LIMITS.lines
    monkeypatch.setenv("MONEV_MAX_FILE_LINES", "0")
    with pytest.raises(ValueError, match="MONEV_MAX_FILE_LINES"):
        settings()


def test_watched_sources_default_is_the_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    from monev import catalog

    monkeypatch.delenv("MONEV_WATCHED_SOURCES", raising=False)
    assert settings().watched_sources == catalog.WATCHED
    assert catalog.WATCHED, "the catalog marks no source as watched"
    monkeypatch.setenv("MONEV_WATCHED_SOURCES", " peserta_rentan , ")
    assert settings().watched_sources == ("peserta_rentan",)
