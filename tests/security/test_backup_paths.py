"""`monev warehouse backup/restore` as a careless operator meets another local account's
trap: a backup or key path that is a symbolic link into `nobody`'s folder, or a path
inside a folder `nobody` owns. Each is refused with a clear message naming the path — no
traceback — and nothing is created through the link or in the other account's folder.
No warehouse is needed: the paths are refused before any work."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

MONEV = Path(sys.executable).with_name("monev")


@pytest.fixture
def trap(tmp_path: Path) -> Iterator[Path]:
    """A folder of `nobody`'s, outside the operator's own folders."""
    if os.geteuid() != 0:
        pytest.fail("this test plays another local account: run it as root (CI does)")
    folder = Path(tempfile.mkdtemp(prefix="monev-nobody-"))
    pw = pwd.getpwnam("nobody")
    os.chown(folder, pw.pw_uid, pw.pw_gid)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _monev(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONEV_")}
    env.update(MONEV_STATE_DIR=str(tmp_path / "state"), MONEV_PSEUDONYM_KEY="k",
               WAREHOUSE_URL="postgresql://monev@127.0.0.1:1/monev", COLUMNS="200")
    return subprocess.run([str(MONEV), *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_backup_paths_through_links_or_others_folders_are_refused(trap: Path,
                                                                   tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "backup-link").symlink_to(trap / "backup")
    (mine / "key-link").symlink_to(trap / "pseudonym.key")
    (mine / "restore-link").symlink_to(trap)
    cases = {
        ("warehouse", "backup", str(mine / "backup-link")): "is a symbolic link",
        ("warehouse", "backup", str(trap / "backup")): "belongs to another account",
        ("warehouse", "backup", str(mine / "b1"), "--key-out", str(mine / "key-link")):
            "is a symbolic link",
        ("warehouse", "backup", str(mine / "b2"), "--key-out", str(trap / "k")):
            "belongs to another account",
        ("warehouse", "restore", str(mine / "restore-link")): "is a symbolic link",
        ("warehouse", "restore", str(trap)): "belongs to another account",
        ("warehouse", "restore", str(mine), "--key-from", str(mine / "key-link")):
            "is a symbolic link",
    }
    for args, reason in cases.items():
        out = _monev(list(args), tmp_path)
        said = out.stdout + out.stderr
        assert out.returncode == 1, (args, said)
        assert reason in said, (args, said)
        assert "Traceback" not in said, (args, said)
    assert list(trap.iterdir()) == []  # nothing made in nobody's folder
    assert sorted(p.name for p in mine.iterdir()) == ["backup-link", "key-link",
                                                      "restore-link"]
