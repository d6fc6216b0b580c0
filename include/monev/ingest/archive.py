"""The archive of accepted deliveries: every published file kept byte for byte in
`<MONEV_ARCHIVE_DIR>/deliveries/<file name>` (files 0600, folders 0700), its sha256 the
batch's `sha256` and its place the batch's `archived_path`. Contract names are unique per
source, period and revision, so the flat folder is itself a landing folder: `monev
ingest <archive>/deliveries` rebuilds the raw layer. A reference file is re-delivered
under its one name: the copy it replaces moves to `<archive>/superseded/`.

Kept until the operator prunes it (nothing here deletes an archived delivery).

The copy is written to a hidden `.part` file before the publish and renamed into place
after it, so a crash leaves no half-written delivery in the folder (a hidden file is not
a delivery) and a published batch whose rename did not happen is archived again when the
same file is next offered (it is then a `duplicate`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from monev.config import settings
from monev.ingest.intake import open_delivery

DELIVERIES = "deliveries"
SUPERSEDED = "superseded"


class ArchiveMismatch(RuntimeError):
    """The bytes read for the archive are not the bytes checked at the start."""


def folder(sub: str = DELIVERIES) -> Path:
    root = settings().archive_dir
    path = root / sub
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for d in (root, path):
        os.chmod(d, 0o700)
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def prepare(path: Path, sha256: str) -> Path | None:
    """Copy the delivery to `<deliveries>/.<name>.part` (0600), checking its sha256.
    None when `path` already is the archived file (re-ingesting the archive)."""
    dest = folder() / path.name
    if _same_file(path, dest):
        return None
    part = dest.with_name(f".{path.name}.part")
    h = hashlib.sha256()
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                 | getattr(os, "O_CLOEXEC", 0), 0o600)
    os.fchmod(fd, 0o600)
    try:
        with open_delivery(path) as src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        discard(part)
        raise
    if h.hexdigest() != sha256:
        discard(part)
        raise ArchiveMismatch(f"{path.name}: the file changed while it was being loaded "
                              "(its sha256 differs from the one read at the start)")
    return part


def commit(part: Path | None, path: Path, sha256: str) -> Path:
    """Move the prepared copy into place; a different file already there (a reference
    file's previous delivery) moves to `<archive>/superseded/<sha256 prefix>__<name>`."""
    dest = folder() / path.name
    if part is None:
        return dest
    if dest.exists() and not _digest_is(dest, sha256):
        old = _digest(dest)
        dest.replace(folder(SUPERSEDED) / f"{old[:16]}__{dest.name}")
    part.replace(dest)
    _fsync_dir(dest.parent)
    return dest


def discard(part: Path | None) -> None:
    if part is not None:
        part.unlink(missing_ok=True)


def ensure(path: Path, sha256: str) -> Path | None:
    """The archived copy of an already published delivery, made now if it is missing
    (a crash between publish and rename). None if it cannot be made."""
    dest = folder() / path.name
    if dest.exists() and _digest_is(dest, sha256):
        return dest
    return commit(prepare(path, sha256), path, sha256)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open_delivery(path) as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _digest_is(path: Path, sha256: str) -> bool:
    try:
        return _digest(path) == sha256
    except OSError:
        return False


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
