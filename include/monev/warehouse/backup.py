"""Backup and restore of the warehouse with PostgreSQL's own tools, plus the file archives.

A backup folder holds

- `database/`: `pg_dump -Fd -j 2` of the warehouse database (every schema: raw, marts,
  audit, …; roles are the cluster's and come from the migrations);
- `reports/`: the report archive (`MONEV_REPORTS_DIR`, without a build's staging folder);
- `deliveries/`: the archive of accepted deliveries (`MONEV_ARCHIVE_DIR/deliveries`);
- `MANIFEST.json`: sha256 and size of every file above, checked before a restore
  puts anything in place (the restore reads each file once: the check copies the
  archives into staging folders as it hashes them);
- `MANIFEST.sig`: HMAC-SHA256 of the manifest's bytes under a key derived from the
  pseudonym key (:func:`signing_key`). A manifest only proves what it is signed with:
  whoever can rewrite the backup's files can rewrite their hashes too, but not sign
  them without the key, which is never stored with the backup. A restore checks the
  signature first and refuses a backup whose manifest is unsigned or signed otherwise —
  a dump is SQL the restore runs.

It is written as `<DIR>.partial` and renamed to `DIR` when complete, so a folder named
`DIR` is always a whole backup. The pseudonym key is never in it: `write_key` puts the
key in a separate file the operator stores elsewhere (docs/OPERATIONS.md, "Backup,
restore, key rotation, stopping").

The PostgreSQL tools get their connection through libpq's environment (PGHOST, PGPORT,
PGUSER, PGDATABASE, PGPASSFILE …): no URL and no password on their command line. On the
embedded cluster they run as the application's login, which owns every object of the
warehouse (so row-level security does not filter the dump), never as the superuser: that
login could have put code in the database (a CHECK constraint's function, a trigger) that
a superuser's restore would run with the superuser's rights. The cluster is never started
here: a stopped cluster is an error.

Every path named on the command line (backup folder, key files) is refused when it is a
symbolic link or lies in a folder of another account (:func:`check_place`): nothing is
written or read through a link, nothing created where someone else can swap it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from monev.config import settings
from monev.warehouse import cluster, db

FORMAT = 2  # 2: the manifest is signed (MANIFEST.sig)
SIGNATURE = "MANIFEST.sig"
_SIGNING_CONTEXT = b"monev warehouse backup manifest"
STAGING = ".staging"  # the report builds' staging folder (monev.reports.publish)
# libpq connection parameters and the environment variables the tools read them from
_ENV = {"host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "dbname": "PGDATABASE",
        "user": "PGUSER", "passfile": "PGPASSFILE", "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
        "sslcrl": "PGSSLCRL", "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS",
        "application_name": "PGAPPNAME", "target_session_attrs": "PGTARGETSESSIONATTRS",
        "channel_binding": "PGCHANNELBINDING", "gssencmode": "PGGSSENCMODE"}


class BackupError(RuntimeError):
    """A backup that cannot be made or restored, with what to do about it."""


@dataclass
class Outcome:
    folder: Path
    files: int = 0
    bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # step -> seconds


def source_url() -> str:
    """The warehouse as the dump/restore tools reach it: WAREHOUSE_URL, or the embedded
    cluster's application login on its warehouse database (never started here)."""
    cfg = settings()
    if cfg.warehouse_url:
        return cfg.warehouse_url
    # its passfile travels in the URL (PGPASSFILE for the tools), never a password
    return cluster.require(cfg).app_url(cluster.DATABASE)


@contextmanager
def libpq_env(url: str) -> Iterator[dict[str, str]]:
    """The environment that points libpq at `url`. A password in the URL goes into a
    passfile (mode 0600) that exists only while the tool runs."""
    params = {k: v for k, v in conninfo_to_dict(url).items() if v not in (None, "")}
    unknown = set(params) - set(_ENV) - {"password"}
    if unknown:
        raise BackupError(f"connection parameter(s) {', '.join(sorted(unknown))} cannot be"
                          " passed to pg_dump/pg_restore through the environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({_ENV[k]: str(v) for k, v in params.items() if k != "password"})
    with tempfile.TemporaryDirectory(prefix="monev-pg-") as tmp:
        if "password" in params:
            passfile = Path(tmp) / "pgpass"
            fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            esc = str(params["password"]).replace("\\", "\\\\").replace(":", "\\:")
            with os.fdopen(fd, "w") as fh:
                fh.write(f"*:*:*:*:{esc}\n")
            env["PGPASSFILE"] = str(passfile)
        yield env


def _tool(name: str) -> str:
    return str(cluster.find_bin_dir(settings()) / name)


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: " + " | ".join(lines[-5:]))


def sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _hash_all(work: list[tuple[Path, Path | None]], jobs: int) -> list[tuple[str, int]]:
    """(sha256, bytes) of each file of `work` (file, where to copy it or None: a copy is
    hashed as it is written, one read), `jobs` at a time: hashlib releases the GIL, so
    threads hash side by side (a backup is 7 GB at 12 national months)."""
    def one(item: tuple[Path, Path | None]) -> tuple[str, int]:
        src, dst = item
        if dst is None:
            return sha256(src), src.stat().st_size
        h, size = hashlib.sha256(), 0
        with src.open("rb") as fin, dst.open("wb") as fout:
            while chunk := fin.read(1 << 22):
                h.update(chunk)
                fout.write(chunk)
                size += len(chunk)
        shutil.copystat(src, dst)
        return h.hexdigest(), size

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, work))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy a folder's files with their modes (participant lists stay 0600) by the
    kernel's copy, as `cp -a` does; a build's staging folder and temporary pages are not
    part of an archive."""
    dst.mkdir(parents=True, exist_ok=True)
    if not src.is_dir():
        return
    for p in _files(src):
        rel = p.relative_to(src)
        if rel.parts[0] == STAGING or p.name.endswith(".tmp"):
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dst / rel)


def signing_key(pseudonym_key: bytes) -> bytes:
    """The manifests' HMAC key, derived from the pseudonym key (the secret that is kept
    apart from every backup already, `--key-out`); a key of its own purpose, so a
    signature says nothing about the pseudonyms."""
    return hmac.new(pseudonym_key.strip(), _SIGNING_CONTEXT, "sha256").digest()


def _signature(manifest: bytes, key: bytes) -> str:
    return hmac.new(key, manifest, "sha256").hexdigest()


def check_place(path: Path, what: str) -> Path:
    """`path` made absolute, when it is no symbolic link and every folder it is in (those
    that exist) belongs to this account or root; BackupError naming it otherwise."""
    p = Path(os.path.abspath(path))
    if p.is_symlink():
        raise BackupError(f"{what} {p} is a symbolic link: name the real path (a backup"
                          " is never written or read through a link)")
    me = os.geteuid()
    probe = p if p.exists() else p.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    for d in (probe.resolve(), *probe.resolve().parents):
        owner = d.stat().st_uid
        if owner not in (me, 0):
            raise BackupError(f"{what} {p}: {d} belongs to another account (uid {owner}),"
                              " who could replace what is there: use a folder of your own")
    return p


def _elapsed(out: Outcome, step: str, started: float) -> None:
    import time

    out.seconds[step] = time.perf_counter() - started


def backup(folder: Path, key: bytes, jobs: int = 2) -> Outcome:
    """Write a whole backup to `folder` (which must not exist yet), its manifest signed
    with `key` (:func:`signing_key`)."""
    import time

    cfg = settings()
    folder = check_place(folder, "backup folder").resolve()
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} exists and is not empty: back up into a new folder")
    partial = check_place(folder.with_name(folder.name + ".partial"), "backup folder")
    if partial.exists():
        shutil.rmtree(partial)  # an earlier backup that did not finish
    partial.mkdir(parents=True, mode=0o700)
    out = Outcome(folder)
    try:
        t0 = time.perf_counter()
        url = source_url()
        with libpq_env(url) as env:
            _run([_tool("pg_dump"), "--format=directory", f"--jobs={jobs}",
                  f"--file={partial / 'database'}"], env)
        _elapsed(out, "pg_dump", t0)
        t0 = time.perf_counter()
        _copy_tree(cfg.reports_dir, partial / "reports")
        _copy_tree(cfg.archive_dir / "deliveries", partial / "deliveries")
        _elapsed(out, "files", t0)
        t0 = time.perf_counter()
        # what the backup holds, hashed once it is written
        files = _files(partial)
        entries = [{"path": str(p.relative_to(partial)), "sha256": h, "bytes": n}
                   for p, (h, n) in zip(files, _hash_all([(p, None) for p in files], jobs),
                                        strict=True)]
        manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(),
                    "database": conninfo_to_dict(url).get("dbname"), "files": entries}
        text = json.dumps(manifest, indent=1).encode()
        (partial / "MANIFEST.json").write_bytes(text)
        (partial / SIGNATURE).write_text(_signature(text, key) + "\n", encoding="ascii")
        _elapsed(out, "manifest", t0)
        if folder.exists():
            folder.rmdir()
        os.rename(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    out.files = len(entries)
    out.bytes = sum(e["bytes"] for e in entries)
    return out


def _manifest(folder: Path, key: bytes) -> dict:
    """The backup's manifest, once its signature under `key` is checked."""
    manifest_path = folder / "MANIFEST.json"
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup: MANIFEST.json is missing")
    text = manifest_path.read_bytes()
    sig = folder / SIGNATURE
    if not sig.is_file():
        raise BackupError(f"{manifest_path} is not signed ({SIGNATURE} is missing): it was"
                          " written before monev signed its backups, or the signature was"
                          " removed; nothing was restored")
    if not hmac.compare_digest(sig.read_bytes().strip(), _signature(text, key).encode()):
        raise BackupError(f"{manifest_path}'s signature does not match: the backup was"
                          " changed after it was written, or signed with another pseudonym"
                          " key (give the key of this backup with --key-from); nothing was"
                          " restored")
    manifest = json.loads(text)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _check(folder: Path, manifest: dict, found: dict[str, tuple[str, int]]) -> None:
    """Refuse a backup whose files (`found`: path -> (sha256, bytes), every file but the
    manifest) are not exactly the manifest's."""
    listed = {e["path"]: (e["sha256"], e["bytes"]) for e in manifest["files"]}
    problems = [f"missing: {p}" for p in sorted(set(listed) - set(found))]
    problems += [f"not in the manifest: {p}" for p in sorted(set(found) - set(listed))]
    problems += [f"changed since the backup: {p}" for p in sorted(set(listed) & set(found))
                 if found[p] != listed[p]]
    if problems:
        shown = "; ".join(problems[:10]) + (f" … ({len(problems)})" if len(problems) > 10
                                             else "")
        raise BackupError(f"backup {folder} does not match its manifest: {shown}")


def is_empty(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return db.is_empty(conn)


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(
        p.relative_to(folder).parts[0] != STAGING for p in _files(folder))


def restore(folder: Path, key: bytes, force: bool = False, jobs: int = 2) -> Outcome:
    """Restore a backup into an empty warehouse and empty archives (`force`: replace
    what is there). The manifest's signature under `key` (:func:`signing_key`) is
    checked, then every file against the manifest, before anything is put in place."""
    import time

    cfg = settings()
    folder = check_place(folder, "backup folder").resolve()
    out = Outcome(folder)
    manifest = _manifest(folder, key)
    url = source_url()
    archives = [(folder / "reports", cfg.reports_dir),
                (folder / "deliveries", cfg.archive_dir / "deliveries")]
    if not force:
        full = [what for what, has in (
            ("the warehouse database", not is_empty(url)),
            (f"the report archive {archives[0][1]}", _has_files(archives[0][1])),
            (f"the delivery archive {archives[1][1]}", _has_files(archives[1][1])))
            if has]
        if full:
            raise BackupError(f"refusing to restore over data: {', '.join(full)} is not"
                              " empty (restore into a new warehouse, or --force to replace)")
    t0 = time.perf_counter()
    # Each file of the backup is read once before the restore: the archives are hashed
    # as they are copied into a staging folder beside their place, the dump beside them
    # (pg_restore then reads it from the page cache). A file that does not match stops
    # the restore with nothing in place.
    staged = [(src, dst, dst / STAGING / f"restore-{os.getpid()}") for src, dst in archives]
    # the delivery archive is private, as monev.ingest.archive keeps it: a restore into a
    # new state folder creates it 0700
    for d in (cfg.archive_dir, archives[1][1]):
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(d, 0o700)
    try:
        tmps = {src.name: tmp for src, _, tmp in staged}
        for tmp in tmps.values():
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir(parents=True)
        work: list[tuple[Path, Path | None]] = []  # (file, where it is staged)
        for p in _files(folder):
            rel = p.relative_to(folder)
            if rel.parts[0] in tmps and len(rel.parts) > 1:
                dst = tmps[rel.parts[0]].joinpath(*rel.parts[1:])
                dst.parent.mkdir(parents=True, exist_ok=True)
                work.append((p, dst))
            elif p not in (folder / "MANIFEST.json", folder / SIGNATURE):
                work.append((p, None))
        _check(folder, manifest, {str(p.relative_to(folder)): v for (p, _), v
                                  in zip(work, _hash_all(work, jobs), strict=True)})
        _elapsed(out, "verify+copy", t0)
        t0 = time.perf_counter()
        with libpq_env(url) as env:
            # --clean: a warehouse set up by `monev warehouse up` already has the migrated
            # (empty) tables; they are dropped and restored as dumped
            _run([_tool("pg_restore"), "--clean", "--if-exists", "--exit-on-error",
                  f"--jobs={jobs}", f"--dbname={env['PGDATABASE']}",
                  str(folder / "database")], env)
        _elapsed(out, "pg_restore", t0)
        t0 = time.perf_counter()
        for _, dst, tmp in staged:
            _swap_into(tmp, dst)
        _elapsed(out, "files", t0)
    finally:
        for _, dst, tmp in staged:
            shutil.rmtree(tmp, ignore_errors=True)
            staging = dst / STAGING
            if staging.is_dir() and not any(staging.iterdir()):
                staging.rmdir()
    out.files = len(manifest["files"])
    out.bytes = sum(e["bytes"] for e in manifest["files"])
    return out


def _swap_into(tmp: Path, dst: Path) -> None:
    """Move each top-level entry of `tmp` (on `dst`'s filesystem) into `dst`: an entry
    is either the old one or the restored one, never half-copied."""
    for entry in sorted(tmp.iterdir()):
        target = dst / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        os.rename(entry, target)


def write_key(key: bytes, dest: Path, data_backup: Path | None = None) -> Path:
    """Write the pseudonym key to `dest` (mode 0600, a new file), never inside a data
    backup, key and data stored together would undo the pseudonymisation."""
    dest = check_place(dest, "key file").resolve()
    if data_backup is not None:
        data = data_backup.resolve()
        partial = data.with_name(data.name + ".partial")
        if dest == data or data in dest.parents or partial in dest.parents:
            raise BackupError(f"the pseudonym key must not be stored inside the data backup"
                              f" {data}: write it to a separate place (docs/OPERATIONS.md)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise BackupError(f"{dest} exists: the key is written to a new file") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.strip() + b"\n")
    return dest


def read_key(src: Path) -> str:
    src = check_place(src, "key file")
    if not src.is_file():
        raise BackupError(f"{src} is not a key file")
    value = src.read_text(encoding="utf-8").strip()
    if not value:
        raise BackupError(f"{src} holds no key")
    return value
