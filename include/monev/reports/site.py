"""The reports site: a static, offline HTML index of the archive, rewritten after every
report build.

`<archive>/index.html` lists the months (newest first) and, per month, the nation and
every province with its current revision and links to PDF, Excel and HTML;
`<archive>/<YYYY-MM>/index.html` adds the coverage map of the month and, per revision,
what changed from the one before (figures that moved, rows added or removed), computed
from the Parquet snapshots the archive keeps. Indonesian, one inline stylesheet and a
few lines of inline script (a filter box), so it opens from a folder, a phone or a
read-only web server alike. Only `<YYYY-MM>` folders are read: the staging folder of a
build in progress (`.staging`, see `monev.reports.publish`) is never listed.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from monev.periods import Semester
from monev.private_files import tighten
from monev.referensi.regions import load_regions
from monev.reports import diff, tilemap
from monev.reports import formatting as fmt
from monev.reports import names as rnames
from monev.reports.data import NATIONAL, MartData, records
from monev.reports.semester import changes_between
from monev.reports.semester_data import SemesterData
from monev.reports.withheld import SNAPSHOT_SUFFIX

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;color:#1c1f24;font-size:15px;
line-height:1.4}header{background:#0b3d6b;color:#fff;padding:12px 14px}
header h1{font-size:19px;margin:0}header p{margin:4px 0 0;font-size:13px;opacity:.85}
main{max-width:960px;margin:0 auto;padding:10px 12px 40px}a{color:#0b3d6b}
input{width:100%;padding:10px;font-size:16px;border:1px solid #b7bfca;border-radius:6px;
box-sizing:border-box;margin:8px 0}details{border:1px solid #d5dae1;border-radius:6px;
margin:10px 0}summary{padding:10px;font-weight:bold;color:#0b3d6b;cursor:pointer;
font-size:16px}table{border-collapse:collapse;width:100%;font-size:14px}
th{background:#0b3d6b;color:#fff;text-align:left;padding:6px}
td{border-bottom:1px solid #e1e5ea;padding:6px;vertical-align:top}
td.f a{display:inline-block;padding:4px 7px;margin:1px;border:1px solid #b7bfca;
border-radius:4px;text-decoration:none;font-size:13px}.rev{white-space:nowrap}
.chg{color:#5f6670;font-size:12px}.badge{background:#c9a227;color:#1c1f24;
border-radius:3px;padding:0 4px;font-size:12px}img{width:100%;max-width:820px;height:auto}
ul{padding-left:18px}.note{color:#5f6670;font-size:12px}
@media (max-width:600px){th.hide,td.hide{display:none}}
"""
_FILTER = """<script>
document.getElementById('cari').addEventListener('input',function(e){
var q=e.target.value.toLowerCase();document.querySelectorAll('tr[data-nama]').forEach(
function(r){r.style.display=r.dataset.nama.indexOf(q)<0?'none':''});
document.querySelectorAll('details').forEach(function(d){if(q)d.open=true});});
</script>"""


@dataclass
class Revision:
    number: int
    files: dict[str, str] = field(default_factory=dict)  # ext -> file name
    snapshot: Path | None = None
    changes: diff.Changes | None = None


@dataclass
class ScopeEntry:
    scope: str
    name: str
    revisions: dict[int, Revision] = field(default_factory=dict)

    @property
    def current(self) -> Revision:
        return self.revisions[max(self.revisions)]


def _names() -> dict[str, str]:
    return {r.kode: r.nama for r in load_regions() if r.tingkat == "PROVINSI"}


def _add_file(scopes: dict[str, ScopeEntry], names: dict[str, str], m: rnames.ReportFile,
              path: Path, snapshot_marker: str) -> None:
    """File a report file (a monthly or semester one, read back as `m`) under its scope
    and revision; its `_data` snapshot counts when it holds `snapshot_marker`."""
    scope = m.scope
    entry = scopes.setdefault(scope, ScopeEntry(
        scope, "Nasional" if scope == NATIONAL else names.get(scope, f"Provinsi {scope}").title()))
    number = m.revision
    rev = entry.revisions.setdefault(number, Revision(number))
    rev.files[m.ext] = path.name
    snap = path.with_name(rnames.snapshot(rnames.stem(m.kind, m.key, m.scope, m.revision)))
    if (snap / snapshot_marker).exists():
        rev.snapshot = snap


def scan(root: Path) -> dict[str, list[ScopeEntry]]:
    """Month -> scopes (national first, then provinces by code) found in the archive."""
    names = _names()
    months: dict[str, dict[str, ScopeEntry]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()
                         and rnames.folder_key(rnames.MONTH, p.name)):
        for path in sorted(folder.iterdir()):
            m = rnames.parse(path.name)
            if not m or rnames.folder(m.kind, m.key) != folder.name:
                continue
            _add_file(months.setdefault(folder.name, {}), names, m, path, "periode.txt")
    out = {}
    for month, scopes in months.items():
        ordered = sorted(scopes.values(), key=lambda e: (e.scope != NATIONAL, e.scope))
        for entry in ordered:
            _changes(entry)
        out[month] = ordered
    return out


def _changes(entry: ScopeEntry) -> None:
    numbers = sorted(entry.revisions)
    for before, after in itertools.pairwise(numbers):
        a, b = entry.revisions[before].snapshot, entry.revisions[after].snapshot
        if a and b:
            entry.revisions[after].changes = diff.compare(MartData.read(a), MartData.read(b))


def _page(title: str, subtitle: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>"
            f"<main>{body}</main></body></html>\n")


def _links(rev: Revision, prefix: str) -> str:
    labels = {"pdf": "PDF", "xlsx": "Excel", "html": "HTML"}
    return " ".join(f'<a href="{html.escape(prefix + rev.files[ext])}">{labels[ext]}</a>'
                    for ext in ("pdf", "xlsx", "html") if ext in rev.files)


def _row(entry: ScopeEntry, prefix: str, month: str) -> str:
    cur = entry.current
    chg = ""
    if cur.changes is not None:
        chg = (f'<div class="chg">rev{cur.number} vs rev{cur.number - 1}: '
               f'{html.escape(cur.changes.summary())} · <a href="{prefix}index.html#'
               f'{entry.scope}">rincian</a></div>')
    return (f'<tr data-nama="{html.escape(entry.name.lower())} {entry.scope.lower()}">'
            f"<td>{html.escape(entry.name)}{chg}</td>"
            f'<td class="rev">Revisi {cur.number}'
            f'{" <span class=badge>baru</span>" if cur.number > 1 else ""}</td>'
            f'<td class="f">{_links(cur, prefix)}</td></tr>')


def _month_label(month: str) -> str:
    return fmt.month_name(dt.date.fromisoformat(month + "-01"))


def _index(months: dict[str, list[ScopeEntry]], semesters: str = "") -> str:
    parts = ['<input id="cari" type="search" placeholder="Cari provinsi, mis. Kalimantan'
             ' Tengah" aria-label="Cari provinsi">', semesters]
    for i, month in enumerate(sorted(months, reverse=True)):
        entries = months[month]
        rows = "".join(_row(e, f"{month}/", month) for e in entries)
        parts.append(
            f'<details{" open" if i == 0 else ""}><summary>{_month_label(month)} · '
            f'{len(entries)} laporan · <a href="{month}/index.html">peta dan riwayat '
            f"revisi</a></summary><table><thead><tr><th>Wilayah</th><th>Berlaku</th>"
            f"<th>Berkas</th></tr></thead><tbody>{rows}</tbody></table></details>")
    if not months:
        parts.append("<p>Belum ada laporan di arsip.</p>")
    parts.append('<p class="note">Revisi berlaku = revisi terakhir yang dibuat; revisi'
                 " sebelumnya tetap diarsipkan dan tercantum di halaman bulan.</p>")
    parts.append(_FILTER)
    return _page("Arsip Laporan Monev Jamsostek",
                 "Laporan bulanan dan semester, nasional dan provinsi · Inpres 2/2021",
                 "".join(parts))


def _map(entries: list[ScopeEntry], month: str) -> str:
    national = next((e for e in entries if e.scope == NATIONAL), None)
    snap = national.current.snapshot if national else None
    if snap is None:
        return ""
    data = MartData.read(snap)
    w = data.wilayah
    rows = records(w[(w["periode"] == data.periode) & (w["tingkat"] == "PROVINSI")])
    own = records(w[(w["periode"] == data.periode) & (w["kode_wilayah"] == "00")])
    uri = tilemap.coverage_map({r["kode_wilayah"]: r.get("cakupan_persen") for r in rows},
                               own[0].get("target_persen") if own else None,
                               f"Cakupan per provinsi, {_month_label(month)}")
    return (f'<h2>Peta cakupan</h2><img alt="Peta kotak cakupan per provinsi"'
            f' src="{uri}"><p class="note">Satu kotak per provinsi (38), disusun menurut'
            " letak geografis.</p>")


def _month_page(month: str, entries: list[ScopeEntry]) -> str:
    parts = ['<p><a href="../index.html">← semua bulan</a></p>', _map(entries, month),
             '<h2>Laporan</h2><input id="cari" type="search" placeholder="Cari provinsi"'
             ' aria-label="Cari provinsi"><table><thead><tr><th>Wilayah</th><th>Berlaku</th>'
             "<th>Berkas</th></tr></thead><tbody>",
             "".join(_row(e, "", month) for e in entries), "</tbody></table>",
             "<h2>Riwayat revisi</h2>"]
    reissued = [e for e in entries if len(e.revisions) > 1]
    for e in reissued:
        parts.append(f'<h3 id="{e.scope}">{html.escape(e.name)}</h3><ul>')
        for number in sorted(e.revisions, reverse=True):
            rev = e.revisions[number]
            parts.append(f"<li><b>Revisi {number}</b> {_links(rev, '')}")
            if rev.changes is not None:
                lines = "".join(f"<li>{html.escape(line)}</li>"
                                for line in rev.changes.lines())
                parts.append(f"<br>Perubahan dari revisi {number - 1}:<ul>{lines}</ul>")
            parts.append("</li>")
        parts.append("</ul>")
    if not reissued:
        parts.append("<p>Belum ada laporan yang direvisi untuk bulan ini.</p>")
    parts.append(_FILTER)
    return _page(f"Laporan Monev {_month_label(month)}", "Arsip Laporan Monev Jamsostek",
                 "".join(parts))


def write_site(root: Path) -> Path:
    """(Re)write the index pages of the archive at `root`; returns the root index."""
    root.mkdir(parents=True, exist_ok=True)
    # snapshots archived before they were written owner-only (monev.private_files)
    for snapshot in root.glob(f"*/*{SNAPSHOT_SUFFIX}"):
        tighten(snapshot)
    months = scan(root)
    for month, entries in months.items():
        _write(root / month / "index.html", _month_page(month, entries))
    index = root / "index.html"
    # The semester reports (semester-YYYY-H folders) are listed above the months.
    _write(index, _index(months, _semester_section(root)))
    return index


def _write(path: Path, text: str) -> None:
    """Replace a page in one rename: a reader gets the old page or the new one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# --- the semester reports: `<archive>/semester-<YYYY-H>/` folders, listed at the top of
# the archive index (newest first), each scope with its current revision, links and, for
# a reissue, what changed (from the snapshots, as the monthly pages do).


def scan_semesters(root: Path) -> dict[str, list[ScopeEntry]]:
    names = _names()
    out: dict[str, list[ScopeEntry]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()
                         and rnames.folder_key(rnames.SEMESTER, p.name)):
        scopes: dict[str, ScopeEntry] = {}
        for path in sorted(folder.iterdir()):
            m = rnames.parse(path.name)
            if not m or rnames.folder(m.kind, m.key) != folder.name:
                continue
            _add_file(scopes, names, m, path, "semester.txt")
        if scopes:
            out[rnames.folder_key(rnames.SEMESTER, folder.name)] = sorted(
                scopes.values(), key=lambda e: (e.scope != NATIONAL, e.scope))
    return out


def _semester_changes(entry: ScopeEntry) -> str:
    cur = entry.current
    before = entry.revisions.get(cur.number - 1)
    if cur.number == 1 or before is None or not (before.snapshot and cur.snapshot):
        return ""
    lines = changes_between(SemesterData.read(before.snapshot), SemesterData.read(cur.snapshot))
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[:10])
    return (f'<div class="chg">rev{cur.number} vs rev{before.number}:<ul>{items}</ul>'
            + (f"… dan {len(lines) - 10} lainnya" if len(lines) > 10 else "") + "</div>")


def _semester_section(root: Path) -> str:
    """HTML for the archive index: every semester report set, newest first."""
    semesters = scan_semesters(root)
    if not semesters:
        return ""
    parts = ["<h2>Laporan Semester</h2>"]
    for i, key in enumerate(sorted(semesters, reverse=True)):
        entries = semesters[key]
        folder = rnames.folder(rnames.SEMESTER, key) + "/"
        rows = "".join(
            f'<tr data-nama="{html.escape(e.name.lower())} {e.scope.lower()}">'
            f"<td>{html.escape(e.name)}{_semester_changes(e)}</td>"
            f'<td class="rev">Revisi {e.current.number}</td>'
            f'<td class="f">{_links(e.current, folder)}</td></tr>'
            for e in entries)
        parts.append(
            f'<details{" open" if i == 0 else ""}><summary>{Semester.parse(key).label} · '
            f"{len(entries)} laporan</summary><table><thead><tr><th>Wilayah</th>"
            f"<th>Berlaku</th><th>Berkas</th></tr></thead><tbody>{rows}</tbody></table>"
            "</details>")
    parts.append("<h2>Laporan Bulanan</h2>")
    return "".join(parts)
