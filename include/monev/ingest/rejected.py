"""Rejected (and failed) deliveries and files of unknown name, kept where only the
pipeline's operators can read them (folders 0700, files 0600), for the senders'
correction; purged after their retention.

A kept copy is capped: a delivery of a contract name keeps at most KEPT_MAX_BYTES, a file
of unknown name at most UNKNOWN_KEPT_MAX_BYTES. A larger file keeps its first bytes up to
the cap and, beside it, `<copy>.note.txt` with the full size, the sha256 and the cap — so
a 2 GiB (or sparse) file never becomes a 2 GiB copy, and the operator still knows
exactly which bytes were delivered."""

from __future__ import annotations

import os
import time
from pathlib import Path

from monev.config import settings
from monev.ingest.intake import open_delivery

# Rejected deliveries (participant lists hold personal data) are kept this long for the
# senders' correction and then purged (`monev loads --purge-rejected`).
REJECTED_RETENTION_DAYS = 90
KEPT_MAX_BYTES = 64 << 20  # a rejected delivery: enough to find any rule's rows
UNKNOWN_KEPT_MAX_BYTES = 1 << 20  # a file of unknown name: enough to see what it is
UNKNOWN = "unknown"
# The longest file name a kept copy gets (most file systems allow 255 bytes).
_NAME_BYTES = 160


def _folder(source: str) -> Path:
    root = settings().rejected_dir
    folder = root / source
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for d in (root, folder):
        os.chmod(d, 0o700)
    return folder


def _safe_name(name: str) -> str:
    """The name for the copy: printable, without separators, short enough for any
    file system (the full name is in the audit row and the note)."""
    text = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in name)
    raw = text.encode("utf-8", "replace")[:_NAME_BYTES]
    return raw.decode("utf-8", "ignore") or "_"


def kept_name(file_name: str, prefix: str) -> str:
    return f"{prefix}__{_safe_name(file_name)}"


def keep(path: Path, source: str, prefix: object, *, sha256: str | None = None,
         limit: int = KEPT_MAX_BYTES) -> Path:
    """Copy the delivery at `path` (opened as `intake.open_delivery` does: no link, no
    FIFO) to `<rejected>/<source>/<prefix>__<name>`, mode 0600, at most `limit` bytes."""
    dest = _folder(source) / kept_name(path.name, str(prefix))
    note = dest.with_name(dest.name + ".note.txt")
    copied = 0
    truncated = False
    with open_delivery(path) as src:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                     | getattr(os, "O_CLOEXEC", 0), 0o600)
        os.fchmod(fd, 0o600)  # an existing copy made before this rule could be 0640
        with os.fdopen(fd, "wb") as out:
            while copied < limit and (chunk := src.read(min(1 << 20, limit - copied))):
                out.write(chunk)
                copied += len(chunk)
            truncated = bool(src.read(1))
        size = os.fstat(src.fileno()).st_size
    if truncated:
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"file: {path.name!r}\nsize: {size} bytes\nsha256: {sha256 or '-'}\n"
                      f"kept: the first {copied} bytes only (cap {limit} bytes)\n")
    elif note.exists():
        note.unlink()
    return dest


def purge(days: int = REJECTED_RETENTION_DAYS, now: float | None = None) -> list[Path]:
    """Delete kept rejected files older than `days`; their audit rows stay."""
    root = settings().rejected_dir
    if not root.exists():
        return []
    cutoff = (now or time.time()) - days * 86400
    gone = []
    for f in root.rglob("*"):
        if f.is_file() and not f.is_symlink() and f.lstat().st_mtime < cutoff:
            f.unlink()
            gone.append(f)
    return gone
