"""Who receives a report (sending it is monev.mail's, the same client as the alerts).

Recipients: a YAML file (`nasional: [...]`, `provinsi: {"31": [...]}`) or a CSV with
columns `scope,email` (scope = NASIONAL or a province code), from env MONEV_RECIPIENTS,
else config/recipients.yml.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from monev.config import settings
from monev.reports.data import NATIONAL


def recipients_path() -> Path:
    return settings().recipients_file


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
