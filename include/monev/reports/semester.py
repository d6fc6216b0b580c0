"""What the semester report (Laporan Semester) says, for the nation or one province:
sections 1-7 of issue 24 plus the methodology. The tables are declared in
`monev.reports.sections.SEMESTER_SECTIONS` (as the monthly ones are) and filled here with
rows gathered from the marts; the findings are the semester rules of
`monev.reports.findings`.

Figures over the semester follow one rule: flows are summed over its months (new and
leaving participants, duplicate contributions), stocks are taken at its last month with
data (active participants, cumulative realisation), and ratios are the mart's ratio at
that month - never an average of monthly ratios.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from monev import catalog
from monev.periods import Semester
from monev.reports import charts, diff, findings
from monev.reports import formatting as fmt
from monev.reports.data import NATIONAL, MartData, add_months, dbt_vars, records
from monev.reports.sections import SEMESTER_SECTIONS, Table
from monev.reports.semester_data import SemesterData

MOVERS = 5  # provinces named as moving most / least
SOURCES_MONTHLY = catalog.MONTHLY

RULE_TEXT = (
    "Status proyeksi (mart_proyeksi_target, target Kemendagri UCJ tahun berjalan): laju"
    " dicapai = (cakupan bulan ini − cakupan bulan paling awal yang berdata di antara enam"
    " bulan terakhir, bulan ini termasuk) ÷ jumlah bulan di antaranya, dalam poin persen"
    " per bulan; laju dibutuhkan = (target − cakupan bulan ini) ÷ sisa bulan dalam tahun;"
    " proyeksi Desember = cakupan bulan ini + laju dicapai × sisa bulan (pada Desember:"
    " cakupan bulan itu)."
    " Sesuai jalur (on track): cakupan sudah mencapai target, atau laju dicapai ≥ laju"
    " dibutuhkan. Berisiko (at risk): laju dicapai ≥ 50% laju dibutuhkan. Tidak sesuai"
    " jalur (off track): selain itu, termasuk cakupan stagnan/menurun dan Desember di"
    " bawah target. Tanpa status bila target tidak tersedia, cakupan bulan ini tidak"
    " tersedia, atau kurang dari dua bulan data cakupan."
)
CHANGE_TEXT = (
    "Perubahan selama semester = cakupan bulan terakhir semester yang berdata − cakupan"
    " bulan sebelum semester (Desember tahun lalu untuk Semester I, Juni untuk Semester"
    " II); bila bulan sebelum semester tidak berdata, dari bulan pertama semester yang"
    " berdata. Perubahan semester yang sama tahun lalu dihitung dengan aturan yang sama."
)


@dataclass
class SemesterContent:
    scope: str
    scope_name: str
    semester: Semester
    periode: dt.date  # the last month with data: the semester's figures are as of it
    months: list[dt.date]
    missing: list[dt.date]
    headline: dict[str, Any]
    tables: dict[str, Table]
    chart_uris: dict[str, str]
    findings: list[findings.Finding]
    movers: dict[str, list[str]]
    meta: dict[str, Any] = field(default_factory=dict)


def _at(w: pd.DataFrame, periode: dt.date | None) -> dict[str, dict]:
    if periode is None or w.empty:
        return {}
    return {r["kode_wilayah"]: r for r in records(w[w["periode"] == periode])}


def _sub(a: object, b: object) -> float | None:
    return None if fmt.is_missing(a) or fmt.is_missing(b) else float(a) - float(b)


def _baseline(w: pd.DataFrame, sem: Semester, months: list[dt.date]) -> dt.date | None:
    """The month "change over the semester" starts from: the month before the semester
    when it has rows, else the semester's first month with data (CHANGE_TEXT)."""
    base = add_months(sem.first, -1)
    return base if not w[w["periode"] == base].empty else (months[0] if months else None)


@dataclass
class _Scope:
    """One scope's view of a semester: its months, the rows at its ends, its regions."""

    data: SemesterData
    scope: str
    months: list[dt.date]
    base_month: dt.date
    ly_end: dt.date | None
    at_end: dict[str, dict]
    at_base: dict[str, dict]
    at_ly_end: dict[str, dict]
    at_ly_base: dict[str, dict]
    own: dict | None
    children: list[dict]

    @classmethod
    def of(cls, data: SemesterData, scope: str) -> _Scope:
        sem, w = data.semester, data.wilayah
        months = data.months_with_data()
        if not months:
            raise ValueError(f"no mart rows for {sem.label}")
        ly_months = [m for m in sem.year_before().months if not w[w["periode"] == m].empty]
        ly_end = ly_months[-1] if ly_months else None
        base = _baseline(w, sem, months)
        at_end = _at(w, months[-1])
        code = "00" if scope == NATIONAL else scope
        level = "PROVINSI" if scope == NATIONAL else "KABKOTA"
        children = sorted((r for r in at_end.values() if r["tingkat"] == level
                           and (scope == NATIONAL or r["kode_provinsi"] == scope)),
                          key=lambda r: r["kode_wilayah"])
        return cls(data, scope, months, base, ly_end, at_end, _at(w, base), _at(w, ly_end),
                   _at(w, _baseline(w, sem.year_before(), ly_months)), at_end.get(code),
                   children)

    code = property(lambda self: "00" if self.scope == NATIONAL else self.scope)
    end = property(lambda self: self.months[-1])
    subjects = property(lambda self: ([self.own] if self.own else []) + self.children)
    unit = property(lambda self: "Provinsi" if self.scope == NATIONAL else "Kabupaten/Kota")

    @property
    def name(self) -> str:
        if self.scope == NATIONAL:
            return "Nasional"
        return self.own["nama_wilayah"] if self.own else f"Provinsi {self.scope}"

    @property
    def rows(self) -> pd.DataFrame:
        """mart_monev_wilayah_bulanan over the semester's months with data."""
        w = self.data.wilayah
        return w[w["periode"].isin(self.months)]

    def flow(self, kode: str, col: str) -> int | float | None:
        """A flow summed over the semester (None when no month has it)."""
        rows = self.rows
        vals = rows.loc[rows["kode_wilayah"] == kode, col].dropna()
        return None if vals.empty else vals.sum().item()


def _ringkasan_rows(s: _Scope) -> list[dict]:
    out = []
    for r in s.subjects:
        k = r["kode_wilayah"]
        b, lye, lyb = s.at_base.get(k, {}), s.at_ly_end.get(k, {}), s.at_ly_base.get(k, {})
        out.append({
            **r, "cakupan_awal_persen": b.get("cakupan_persen"),
            "perubahan_semester_pp": _sub(r.get("cakupan_persen"), b.get("cakupan_persen")),
            "perubahan_semester_lalu_pp": _sub(lye.get("cakupan_persen"),
                                               lyb.get("cakupan_persen")),
            "peserta_baru_semester": s.flow(k, "peserta_baru"),
            "peserta_keluar_semester": s.flow(k, "peserta_keluar"),
        })
    return out


def _target_rows(s: _Scope) -> list[dict]:
    cap = s.data.capaian_target
    if cap.empty:
        return []
    cap_end = cap[(cap["periode"] == s.end) & (cap["kode_wilayah"] == s.code)]
    return [{**r, "cakupan_persen": s.own.get("cakupan_persen") if s.own else None}
            for r in records(cap_end.sort_values("sumber_target"))]


def _movers(ringkasan: list[dict], own: bool) -> dict[str, list[str]]:
    moved = [r for r in ringkasan[1 if own else 0:] if r["perubahan_semester_pp"] is not None]
    moved.sort(key=lambda r: (-r["perubahan_semester_pp"], r["kode_wilayah"]))
    named = [f"{r['nama_wilayah']} ({fmt.pp(r['perubahan_semester_pp'])})" for r in moved]
    return {"naik": named[:MOVERS],
            "turun": named[::-1][:MOVERS] if len(moved) > MOVERS else []}


def _proyeksi_rows(s: _Scope) -> list[dict]:
    """Each subject's coverage per month and mart_proyeksi_target's row at the end,
    labels and reasons as the mart gives them."""
    p = s.data.proyeksi
    p_end = {r["kode_wilayah"]: r for r in records(p[p["periode"] == s.end])} if not p.empty \
        else {}
    coverage = {(r["periode"], r["kode_wilayah"]): r.get("cakupan_persen")
                for r in records(s.rows[["periode", "kode_wilayah", "cakupan_persen"]])}
    out = []
    for r in s.subjects:
        k = r["kode_wilayah"]
        row = {"nama_wilayah": r["nama_wilayah"], "kode_wilayah": k}
        row.update({f"cakupan_{m:%Y_%m}": coverage.get((m, k)) for m in s.months})
        pr = p_end.get(k, {})
        row.update({c: pr.get(c) for c in (
            "target_persen", "laju_dicapai_pp", "laju_dibutuhkan_pp",
            "proyeksi_akhir_tahun_persen", "bulan_data", "status", "label_status",
            "alasan_tanpa_status")})
        out.append(row)
    return out


def _status_counts(s: _Scope, proyeksi: list[dict]) -> dict[str, int]:
    """Children per status at the end, under the words mart_proyeksi_target writes
    (dbt var label_status, best first)."""
    kids = proyeksi[1 if s.own else 0:]
    return {label: sum(1 for r in kids if r.get("status") == status)
            for status, label in dbt_vars()["label_status"].items()}


def _versi_rows(s: _Scope) -> list[dict]:
    versi = s.data.anggaran_versi
    if versi.empty:
        return []
    by_prov = ({r["kode_wilayah"]: r["nama_wilayah"] for r in s.children}
               if s.scope == NATIONAL else {s.scope: s.name})
    piv: dict[str, dict] = {}
    for r in records(versi):
        prov = r["kode_provinsi"]
        row = piv.setdefault(prov, {"kode_wilayah": prov, "nama_wilayah": by_prov.get(prov, prov)})
        row[f"pagu_{str(r['versi']).lower()}_rp"] = r["pagu_rp"]
    return [piv[k] for k in sorted(piv)]


def _regulasi(s: _Scope) -> tuple[list[dict], list[dict]]:
    """(pemda that issued a regulation during the semester, pemda still without)."""
    govts = [r for r in s.at_end.values() if r["tingkat"] in ("KABKOTA", "PROVINSI")
             and (s.scope == NATIONAL or r["kode_provinsi"] == s.scope)]
    issued, without = [], []
    for r in sorted(govts, key=lambda r: r["kode_wilayah"]):
        before = s.at_base.get(r["kode_wilayah"], {}).get("regulasi_ada")
        if r.get("regulasi_ada") is True and before is False:
            issued.append(r)
        elif r.get("regulasi_ada") is False:
            without.append(r)
    return issued, without


def _ganda_rows(s: _Scope) -> list[dict]:
    w = s.data.wilayah
    rows = [{"bulan": fmt.month_name(m), "nik_ganda": r.get("nik_ganda"),
             "iuran_ganda_rp": r.get("iuran_ganda_rp")}
            for m in s.months for r in [_at(w, m).get(s.code, {})]]
    return [*rows, {"bulan": "Jumlah iuran ganda semester", "nik_ganda": None,
                    "iuran_ganda_rp": s.flow(s.code, "iuran_ganda_rp")}]


def _kombinasi_rows(s: _Scope) -> list[dict]:
    g = s.data.ganda_kombinasi
    if g.empty:
        return []
    out = []
    for komb, part in g[g["periode"].isin(s.months)].groupby("kombinasi", sort=True):
        row = {"kombinasi": komb}
        for m in s.months:
            row[f"n_{m:%Y_%m}"] = int(part.loc[part["periode"] == m, "nik_ganda"].sum())
        row["iuran_ganda_rp"] = float(part["iuran_ganda_rp"].fillna(0).sum())
        out.append(row)
    return out


def _sumber_rows(sem: Semester, sumber_data: pd.DataFrame) -> list[dict]:
    keys = {m.strftime("%Y-%m") for m in sem.months} | {str(sem.year)}
    rows = []
    for r in records(sumber_data):
        period = str(r["period_key"] or "")
        if period[:7] in keys or (period[:4] == str(sem.year) and "/" in period):
            rows.append({
                "sumber": r["source"], "periode": period, "nama_file": r["file_name"],
                "revisi": r["revision"], "status": r["status"], "baris": r["rows"],
                "dimuat": str(r["loaded_at"] or "")[:16]})
    return sorted(rows, key=lambda r: (str(r["sumber"]), r["periode"], r["revisi"] or 0))


def _kurang_rows(sem: Semester, sumber: list[dict]) -> list[dict]:
    """The monthly sources not delivered, per month of the semester."""
    delivered = {(str(r["sumber"]), r["periode"][:7]) for r in sumber
                 if r["status"] in ("loaded", None)}
    out = []
    for src in SOURCES_MONTHLY:
        absent = [fmt.month_short(m) for m in sem.months
                  if (src, m.strftime("%Y-%m")) not in delivered]
        if absent:
            out.append({"sumber": src, "bulan": ", ".join(absent)})
    return out


def _headline(s: _Scope, ringkasan: list[dict], proyeksi: list[dict]) -> dict[str, Any]:
    own, own_ring = s.own or {}, ringkasan[0] if s.own else {}
    own_status = next((r for r in proyeksi if r["kode_wilayah"] == s.code), {})
    return {
        "cakupan": own.get("cakupan_persen"), "target": own.get("target_persen"),
        "capaian": own.get("capaian_target_persen"), "aktif": own.get("peserta_aktif"),
        "perubahan_pp": own_ring.get("perubahan_semester_pp"),
        "perubahan_lalu_pp": own_ring.get("perubahan_semester_lalu_pp"),
        "peserta_baru": own_ring.get("peserta_baru_semester"),
        "base_month": s.base_month, "end": s.end,
        "tahun_penduduk_bekerja": own.get("tahun_penduduk_bekerja"),
        "status": own_status.get("label_status"),
        "status_counts": _status_counts(s, proyeksi),
    }


def _chart(s: _Scope) -> dict[str, str]:
    w = s.data.wilayah
    trend = records(w[(w["kode_wilayah"] == s.code) & w["periode"].isin(s.months)]
                    .sort_values("periode"))
    if not trend:
        return {}
    return {"tren": charts.trend(
        [fmt.month_short(r["periode"]) for r in trend], [r["cakupan_persen"] for r in trend],
        [r["target_persen"] for r in trend], f"Cakupan {s.name}, {s.data.semester.label}")}


def build_semester_content(data: SemesterData, scope: str,
                           changes: list[str] | None = None,
                           previous_revision: int = 0) -> SemesterContent:
    """Everything one scope's semester report says: the rows of each section of
    `SEMESTER_SECTIONS`, the headline, the findings of the semester rules and the chart."""
    s = _Scope.of(data, scope)
    sem = data.semester
    ringkasan, proyeksi = _ringkasan_rows(s), _proyeksi_rows(s)
    issued, without = _regulasi(s)
    sumber = _sumber_rows(sem, data.sumber_data)
    found = findings.evaluate_semester(s.subjects, s.children, s.rows, ringkasan, proyeksi,
                                       without)
    rows = {
        "ringkasan": ringkasan, "target": _target_rows(s), "proyeksi": proyeksi,
        "anggaran": s.subjects, "versi": _versi_rows(s), "regulasi_baru": issued,
        "tanpa_regulasi": without, "ganda": _ganda_rows(s), "kombinasi": _kombinasi_rows(s),
        "kurang": _kurang_rows(sem, sumber), "sumber": sumber,
        "temuan": [{"judul": f.rule.title, "jumlah": len(f.regions),
                    "wilayah": ", ".join(f.regions), "rekomendasi": f.rule.recommendation}
                   for f in found],
    }
    words = {"unit": s.unit, "scope_name": s.name, "months": s.months, "tahun": s.end.year,
             "tahun_semester": sem.year, "awal": fmt.month_name(s.base_month),
             "akhir": fmt.month_name(s.end)}
    tables = {t.name: t.table(rows[t.rows], **words) for t in SEMESTER_SECTIONS}
    return SemesterContent(
        scope=scope, scope_name=s.name, semester=sem, periode=s.end, months=s.months,
        missing=data.missing_months(), headline=_headline(s, ringkasan, proyeksi),
        tables=tables, chart_uris=_chart(s), findings=found,
        movers=_movers(ringkasan, s.own is not None),
        meta={"changes": changes, "previous": previous_revision,
              "revisi_data": [r for r in sumber if (r["revisi"] or 0) > 0],
              "rule_text": RULE_TEXT, "change_text": CHANGE_TEXT,
              "rules": findings.SEMESTER_RULES, "base_month": s.base_month,
              "ly_end": s.ly_end, "unit": s.unit},
    )


# --- what changed between two revisions -----------------------------------------------
def changes_between(before: SemesterData, after: SemesterData) -> list[str]:
    """Per month of the semester, the figures that moved (diff.FIGURES), the source files
    that came or went, and projection statuses that changed at the last month."""
    lines: list[str] = []
    empty = pd.DataFrame()
    files: diff.Changes | None = None
    for m in after.semester.months:
        a = MartData(m, before.wilayah, empty, empty, before.sumber_data, empty)
        b = MartData(m, after.wilayah, empty, empty, after.sumber_data, empty)
        ch = diff.compare(a, b)
        files = ch
        if ch.moved or ch.added or ch.removed:
            only = replace(ch, files_in=[], files_out=[])
            lines += [f"{fmt.month_name(m)} — {line}" for line in only.lines()]
    if files is not None and (files.files_in or files.files_out):
        only = diff.Changes(files_in=files.files_in, files_out=files.files_out)
        lines += only.lines()
    end = max(after.months_with_data(), default=None)
    if end is not None and not before.proyeksi.empty and not after.proyeksi.empty:
        was = before.proyeksi
        old = {r["kode_wilayah"]: r for r in records(was[was["periode"] == end])}
        for r in records(after.proyeksi[after.proyeksi["periode"] == end]):
            o = old.get(r["kode_wilayah"])
            if o is not None and o.get("status") != r.get("status"):
                a, b = (x.get("label_status") or dbt_vars()["label_tanpa_status"]
                        for x in (o, r))
                lines.append(f"{r['nama_wilayah']}: status {a} → {b}")
    return lines or ["Tidak ada angka yang berubah."]
