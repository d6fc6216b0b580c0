"""The semester reports on the reports site: `<archive>/semester-<YYYY-H>/` folders are
listed at the top of the archive index (newest first), each scope with its current
revision, links to PDF/Excel/HTML and, for a reissue, what changed (from the snapshots,
as the monthly pages do)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from monev.reports import site
from monev.reports.data import NATIONAL
from monev.reports.semester_build import changes_between
from monev.reports.semester_data import Semester, SemesterData

_FILE = re.compile(r"^monev_semester_(?P<slug>nasional|prov(?P<prov>\d{2}))_"
                   r"(?P<key>\d{4}-[12])(?:_rev(?P<rev>\d+))?\.(?P<ext>pdf|xlsx|html)$")


def scan(root: Path) -> dict[str, list[site.ScopeEntry]]:
    names = site._names()
    out: dict[str, list[site.ScopeEntry]] = {}
    for folder in sorted(root.glob("semester-*")):
        scopes: dict[str, site.ScopeEntry] = {}
        for path in sorted(folder.iterdir()):
            m = _FILE.match(path.name)
            if not m or f"semester-{m['key']}" != folder.name:
                continue
            scope = m["prov"] or NATIONAL
            entry = scopes.setdefault(scope, site.ScopeEntry(
                scope, "Nasional" if scope == NATIONAL else
                names.get(scope, f"Provinsi {scope}").title()))
            number = int(m["rev"] or 1)
            rev = entry.revisions.setdefault(number, site.Revision(number))
            rev.files[m["ext"]] = path.name
            snap = path.with_name(path.name.rsplit(".", 1)[0] + "_data")
            if (snap / "semester.txt").exists():
                rev.snapshot = snap
        if scopes:
            out[folder.name.removeprefix("semester-")] = sorted(
                scopes.values(), key=lambda e: (e.scope != NATIONAL, e.scope))
    return out


def _changes(entry: site.ScopeEntry) -> str:
    cur = entry.current
    before = entry.revisions.get(cur.number - 1)
    if cur.number == 1 or before is None or not (before.snapshot and cur.snapshot):
        return ""
    lines = changes_between(SemesterData.read(before.snapshot), SemesterData.read(cur.snapshot))
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[:10])
    return (f'<div class="chg">rev{cur.number} vs rev{before.number}:<ul>{items}</ul>'
            + (f"… dan {len(lines) - 10} lainnya" if len(lines) > 10 else "") + "</div>")


def section(root: Path) -> str:
    """HTML for the archive index: every semester report set, newest first."""
    semesters = scan(root)
    if not semesters:
        return ""
    parts = ["<h2>Laporan Semester</h2>"]
    for i, key in enumerate(sorted(semesters, reverse=True)):
        entries = semesters[key]
        rows = "".join(
            f'<tr data-nama="{html.escape(e.name.lower())} {e.scope.lower()}">'
            f"<td>{html.escape(e.name)}{_changes(e)}</td>"
            f'<td class="rev">Revisi {e.current.number}</td>'
            f'<td class="f">{site._links(e.current, f"semester-{key}/")}</td></tr>'
            for e in entries)
        parts.append(
            f'<details{" open" if i == 0 else ""}><summary>{Semester.parse(key).label} · '
            f"{len(entries)} laporan</summary><table><thead><tr><th>Wilayah</th>"
            f"<th>Berlaku</th><th>Berkas</th></tr></thead><tbody>{rows}</tbody></table>"
            "</details>")
    parts.append("<h2>Laporan Bulanan</h2>")
    return "".join(parts)
