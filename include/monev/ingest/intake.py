"""The intake rule every door shares (`monev ingest DIR` and the Airflow landing intake):
what may be read as a delivery at all, how a file name is shown, and how a delivery is
opened without following a link or blocking on a FIFO.

A delivery is a regular file reached without a symbolic link. Links, FIFOs, sockets,
devices and anything else are refused with a message naming the file and the rule and
are never opened: a link could publish a file from outside the landing folder (or keep a
copy of `/proc/self/environ`), a FIFO would hang the run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

# How a refused kind of entry is named in messages, by its lstat type.
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)
RULE = "ingest.not_a_regular_file"


class NotADelivery(OSError):
    """The path is not a regular file reached without a link: refused, never read."""


def shown(name: str | os.PathLike[str]) -> str:
    """A file name safe for any message or log line: control and other non-printable
    characters (a newline, an escape sequence, undecodable bytes) escaped as Python does
    in `repr`, the backslash doubled so an escape cannot be forged; printable text as is."""
    text = os.fspath(name)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(c if c.isprintable() and c != "\\"
                   else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in text)


def kind_of(mode: int) -> str:
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def refusal(path: Path) -> str | None:
    """Why `path` is not a delivery (None: a regular file, not a link — or a path that
    cannot be examined, which the read then reports as unreadable). Uses lstat only:
    nothing is opened."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return _message(path, mode)


def _message(path: Path, mode: int) -> str:
    return (f"{shown(path.name)}: {kind_of(mode)}, not a regular file — deliveries must be "
            f"regular files in the folder (links and special files are never followed or "
            f"opened) [{RULE}]")


@contextmanager
def open_delivery(path: Path) -> Iterator[BinaryIO]:
    """Open a delivery for reading: O_NOFOLLOW (a link swapped in after the check is not
    followed), O_NONBLOCK (a FIFO swapped in does not hang the open), and the opened file
    must still be regular. NotADelivery otherwise."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:  # the last component is a link
            raise NotADelivery(errno.ELOOP, _message(path, stat.S_IFLNK)) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotADelivery(errno.EINVAL, _message(path, mode))
        os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh


def digest(path: Path) -> tuple[str, int]:
    """(sha256, size) of a delivery, read through `open_delivery`."""
    h = hashlib.sha256()
    size = 0
    with open_delivery(path) as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def walk(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Every entry under the folder `root` that could be a delivery, with its refusal
    (None: a regular file). Hidden entries are skipped; a linked folder is reported, not
    entered; entries come in name order."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as e:
        yield root, f"{shown(root.name)}: the folder cannot be read ({e.strerror})"
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as e:
            yield path, f"{shown(entry.name)}: cannot be read ({e.strerror})"
            continue
        if stat.S_ISDIR(mode):
            yield from walk(path)
        elif stat.S_ISREG(mode):
            yield path, None
        else:
            yield path, _message(path, mode)
