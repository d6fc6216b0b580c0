"""The landing location: where senders put extracts — a local folder (default), an SFTP
folder or an S3-compatible prefix — seen through fsspec, so each DAG lists and fetches
the same way wherever the files are.

`MONEV_LANDING_URL` is a path or URL (`/srv/landing`, `sftp://user@host:22/in`,
`s3://bucket/landing`); `MONEV_LANDING_OPTIONS` is JSON passed to the filesystem
(e.g. `{"key_filename": "/keys/id_ed25519"}` for SFTP, `{"client_kwargs":
{"endpoint_url": "http://minio:9000"}}` for S3). Credentials come from the environment
or key files, never from the repo.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec

from monev import catalog
from monev.config import settings
from monev.ingest import intake
from monev.sources.registry import UnknownFile, identify

log = logging.getLogger(__name__)

# The intake groups files by `catalog.LANDING_GROUPS` (read at call time, never copied):
# `referensi` (every reference CSV, this folder) and each periodic source.
REFERENCE_DIR = catalog.LANDING_GROUP_REFERENSI


@dataclass(frozen=True)
class LandedFile:
    """One file in the landing location, identified by its path relative to the root and
    a fingerprint that changes if it is replaced: on a local landing size, mtime, inode
    and ctime (bytes rewritten in place with the old mtime put back still change the
    ctime; a file renamed over it has another inode); on S3 the ETag; on SFTP size and
    mtime. `legacy` is the size:mtime fingerprint of rows recorded before the inode and
    ctime were part of it."""

    relpath: str
    source: str
    period_key: str  # '2024-03', '2024/murni', 'all'
    revision: int
    size: int
    fingerprint: str
    legacy: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, str]:
        # lower revisions first, so the highest one published last wins the period
        return (self.period_key, self.revision, self.relpath)

    def up_to(self, periode: str | None) -> bool:
        """Does this file belong to `periode` or earlier (a run for a month ignores
        later months' files, so a backfill does not pull the future)? The reference
        group travels whole; a source's rule is its catalog entry's."""
        if periode is None or self.source == catalog.LANDING_GROUP_REFERENSI:
            return True
        return catalog.BY_NAME[self.source].up_to(self.period_key, periode)


def classify(relpath: str) -> tuple[str, str, int] | None:
    """(source, period_key, revision) of a landed file, None if it is not an extract.
    The file-name grammar is the ingest registry's (`sources.registry.identify`): what
    the landing intake claims is exactly what the pipeline accepts."""
    parts = relpath.split("/")
    in_referensi_dir = len(parts) == 2 and parts[0] == REFERENCE_DIR
    if len(parts) != 1 and not in_referensi_dir:
        return None  # e.g. bad/ holds deliberately broken samples, not deliveries
    try:
        sf = identify(Path(parts[-1]))
    except UnknownFile:
        return None
    if sf.is_referensi != in_referensi_dir:
        return None
    return (REFERENCE_DIR if sf.is_referensi else sf.source), sf.period_key, sf.revision


class Landing:
    def __init__(self, url: str | None = None, options: dict[str, Any] | None = None):
        self.url = url or settings().landing_url
        if options is None:
            options = settings().landing_options
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **options)
        self.root = self.root.rstrip("/")

    @property
    def is_local(self) -> bool:
        return "file" in _protocols(self.fs)

    def list(self, source: str | None = None) -> list[LandedFile]:
        # fsspec caches listings per filesystem instance (and instances per process):
        # without this a replaced or newly landed S3 object stays unseen in a process.
        self.fs.invalidate_cache()
        found: list[LandedFile] = []
        for top in ("", REFERENCE_DIR):
            base = f"{self.root}/{top}".rstrip("/")
            if not self.fs.exists(base):
                continue
            for info in self.fs.ls(base, detail=True):
                rel = info["name"][len(self.root):].lstrip("/")
                kind = classify(rel)
                if kind is None or (source and kind[0] != source):
                    continue
                if info.get("type") != "file" or info.get("islink"):
                    # the intake rule of `monev ingest`: links and special files are
                    # never followed or opened
                    if info.get("type") != "directory":
                        log.warning("%s", intake.refusal(Path(info["name"])) or rel)
                    continue
                mark = info.get("ETag") or info.get("mtime") or info.get("LastModified") or ""
                fingerprint = legacy = f"{info.get('size')}:{mark}"
                if self.is_local:
                    fingerprint += f":{info.get('ino')}:{info.get('created')}"
                else:
                    legacy = None
                found.append(LandedFile(rel, kind[0], kind[1], kind[2], int(info.get("size") or 0),
                                        fingerprint, legacy))
        return sorted(found, key=lambda f: f.sort_key)

    def fetch(self, relpath: str, cache_dir: Path | None = None) -> Path:
        """A local path to read the file from: the file itself for a local landing,
        otherwise a copy under the state folder (keeping `referensi/`)."""
        remote = f"{self.root}/{relpath}"
        if self.is_local:
            return Path(remote)
        target = (cache_dir or settings().state_dir / "landing_cache") / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        with self.fs.open(remote, "rb") as src, tmp.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        tmp.replace(target)
        return target


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    proto = fs.protocol
    return (proto,) if isinstance(proto, str) else tuple(proto)
