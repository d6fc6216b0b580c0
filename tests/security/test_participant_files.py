"""Participant-level files are their owner's only, wherever the product writes them,
checked as another local account (`nobody`) would try them:

- the report archive's snapshots (`<report>_data/`: nik_ganda.parquet and the marts'
  rows a report was built from) are 0600 in 0700 folders, made so as they are written,
  and a snapshot archived before this rule is tightened by the next build;
- the synthetic generator's landing folder (`make demo` writes `.monev/landing`), NIK
  and names in it, is 0700 with 0600 files — a folder generated into earlier included.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from report_support import marts_fixture  # noqa: F401  (a fixture)

from monev.reports.build import build_reports
from monev.synthetic import generate


def _loose(root: Path) -> list[str]:
    """Every folder under `root` (itself included) not 0700, every file not 0600."""
    out = []
    for p in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(p.lstat().st_mode)
        if (p.is_dir() and mode != 0o700) or (p.is_file() and mode != 0o600):
            out.append(f"{p.relative_to(root.parent)} {mode:o}")
    return out


def _nobody_reads(path: Path) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           "--", "cat", str(path)], capture_output=True, cwd="/",
                          timeout=60).returncode == 0


def test_report_snapshots_are_their_owners_only(marts: str, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    os.chmod(tmp_path, 0o755)  # the archive's own folders as open as a default umask makes
    os.chmod(out, 0o755)
    # a snapshot archived before the rule, as every snapshot used to be
    old = out / "2025-02" / "monev_prov62_2025-02_data"
    old.mkdir(parents=True)
    (old / "nik_ganda.parquet").write_bytes(b"PAR1")
    os.chmod(old.parent, 0o755)
    os.chmod(old, 0o755)
    os.chmod(old / "nik_ganda.parquet", 0o644)

    runs = build_reports("2025-03", provinsi="62", out=out)
    assert [r.status for r in runs] == ["built"]
    snapshots = sorted(out.glob("*/*_data"))
    new = out / "2025-03" / "monev_prov62_2025-03_data"
    assert new in snapshots and old in snapshots
    assert (new / "nik_ganda.parquet").is_file()
    for snap in snapshots:
        assert _loose(snap) == []
    assert not _nobody_reads(new / "nik_ganda.parquet")
    # the published documents stay readable to the site's and the portal's process
    assert (out / "2025-03" / "monev_prov62_2025-03.pdf").is_file()


def test_the_generated_landing_folder_is_its_owners_only(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    landing = tmp_path / "state" / "landing"
    landing.mkdir(parents=True)
    os.chmod(landing, 0o755)  # generated into before: tightened too
    (landing / "peserta_rentan_202501.csv.gz").write_bytes(b"")
    os.chmod(landing / "peserta_rentan_202501.csv.gz", 0o644)
    files = generate(landing, "2025-01", "2025-01", scale="small", seed=3,
                     bad=("aktif_gt_terdaftar",))
    assert any("peserta_rentan" in p.name for p in files)
    assert any(p.parent.name == "bad" for p in files)
    assert _loose(landing) == []
    assert not _nobody_reads(next(p for p in files if "peserta_rentan" in p.name))
