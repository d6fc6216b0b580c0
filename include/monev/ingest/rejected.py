"""Rejected (and failed) deliveries, kept byte for byte where only the pipeline's
operators can read them, for the senders' correction; purged after their retention."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from monev.config import settings
from monev.sources.registry import BY_NAME

# Rejected deliveries (participant lists hold personal data) are kept this long for the
# senders' correction and then purged (`monev loads --purge-rejected`).
REJECTED_RETENTION_DAYS = 90


def keep(path: Path, source: str, batch_id: int | None) -> Path:
    root = settings().rejected_dir
    folder = root / source
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for d in (root, folder):
        os.chmod(d, 0o700)
    dest = folder / f"{batch_id}__{path.name}"
    shutil.copyfile(path, dest)
    personal = source in BY_NAME and BY_NAME[source].personal
    os.chmod(dest, 0o600 if personal else 0o640)
    return dest


def purge(days: int = REJECTED_RETENTION_DAYS, now: float | None = None) -> list[Path]:
    """Delete kept rejected files older than `days`; their audit rows stay."""
    root = settings().rejected_dir
    if not root.exists():
        return []
    cutoff = (now or time.time()) - days * 86400
    gone = []
    for f in root.rglob("*"):
        if f.is_file() and f.stat().st_mtime < cutoff:
            f.unlink()
            gone.append(f)
    return gone
