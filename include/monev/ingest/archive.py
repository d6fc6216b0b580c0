"""The archive of accepted deliveries: every published file kept byte for byte in
`<MONEV_ARCHIVE_DIR>/deliveries/<file name>` (files 0600, folders 0700), its sha256 the
batch's `sha256` and its place the batch's `archived_path`. Contract names are unique per
source, period and revision, so the flat folder is itself a landing folder: `monev
ingest <archive>/deliveries` rebuilds the raw layer. A reference file is re-delivered
under its one name: the copy it replaces moves to `<archive>/superseded/`.

Kept until the operator prunes it (nothing here deletes an archived delivery).

The copy is written to a hidden `.part` file in the same pass that computes the file's
sha256 (one read of the delivery, however large) and renamed into place after the
publish, so a crash leaves no half-written delivery in the folder (a hidden file is not
a delivery) and a published batch whose rename did not happen is archived when the same
file is next offered (it is then a `duplicate`). The file must not change between that
read and the publish (`unchanged`): the archive holds exactly the bytes published."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
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


Stamp = tuple[int, int, int, int]  # size, mtime, inode, ctime of the file read


@dataclass(frozen=True)
class Taken:
    """A delivery read once: its sha256 and size, the stamp of the file read, and the
    prepared archive copy (None: the file is the archived copy itself)."""

    sha256: str
    size: int
    stamp: Stamp
    part: Path | None


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def take(path: Path) -> Taken:
    """Read the delivery once (as `intake.open_delivery`: no link, no FIFO): its sha256,
    and a copy in `<deliveries>/.<name>.<pid>.part` (0600, fsynced) for the archive."""
    dest = folder() / path.name
    part = None if _same_file(path, dest) else dest.with_name(
        f".{path.name}.{os.getpid()}.part")
    h = hashlib.sha256()
    size = 0
    try:
        with open_delivery(path) as src:
            out = None
            if part is not None:
                fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                             | getattr(os, "O_CLOEXEC", 0), 0o600)
                os.fchmod(fd, 0o600)
                out = os.fdopen(fd, "wb")
            try:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    size += len(chunk)
                    if out is not None:
                        out.write(chunk)
                if out is not None:
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                if out is not None:
                    out.close()
            stamp = _stamp(os.fstat(src.fileno()))
    except BaseException:
        discard(part)
        raise
    return Taken(h.hexdigest(), size, stamp, part)


def unchanged(path: Path, taken: Taken) -> None:
    """ArchiveMismatch if the file is no longer the one read by `take` (rewritten or
    replaced while it was being loaded): then the archive would not hold the bytes
    published."""
    try:
        now = _stamp(os.lstat(path))
    except OSError:
        now = None
    if now != taken.stamp:
        raise ArchiveMismatch(f"{path.name}: the file changed while it was being loaded; "
                              "nothing of it was published — load it again")


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


def ensure(path: Path, taken: Taken) -> Path | None:
    """The archived copy of an already published delivery: made from the prepared copy
    if it is missing (a crash between publish and rename), else left as it is."""
    dest = folder() / path.name
    if dest.exists():
        discard(taken.part)
        return None
    return commit(taken.part, path, taken.sha256)


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
