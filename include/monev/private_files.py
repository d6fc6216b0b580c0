"""Files that hold personal data or participant-level rows: their owner's only.

NIK, names and participant-level snapshots are 0600 in 0700 folders wherever the product
writes them (the generator's landing folder, the report archive's `*_data/` snapshots):
:func:`owner_only` makes everything created inside it so from the start (no moment at
the umask's mode), :func:`tighten` brings what was written before this rule into line.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


@contextlib.contextmanager
def owner_only() -> Iterator[None]:
    """Files and folders created in this block are their owner's only (umask 077; a
    forked worker inherits it)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def tighten(path: Path) -> None:
    """`path` (a folder: with everything below it) 0700/0600, symlinks left alone and
    never followed."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        _chmod(path, st.st_mode, DIR_MODE)
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                p = os.path.join(root, name)
                st = os.lstat(p)
                if stat.S_ISDIR(st.st_mode):
                    _chmod(p, st.st_mode, DIR_MODE)
                elif stat.S_ISREG(st.st_mode):
                    _chmod(p, st.st_mode, FILE_MODE)
    elif stat.S_ISREG(st.st_mode):
        _chmod(path, st.st_mode, FILE_MODE)


def _chmod(path: str | Path, mode: int, wanted: int) -> None:
    # only ever removes bits: an owner-only file stays as it is
    if stat.S_IMODE(mode) & ~wanted:
        os.chmod(path, stat.S_IMODE(mode) & wanted)
