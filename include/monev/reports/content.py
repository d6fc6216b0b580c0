"""What a report says: headline figures, tables, charts and findings for one scope.

The tables are the sections of `monev.reports.sections`, filled with the rows gathered
here from the marts (and the findings' rules).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from monev import periods
from monev.reports import charts, diff, findings, tilemap
from monev.reports import formatting as fmt
from monev.reports.data import NATIONAL, TREND_MONTHS, MartData, add_months
from monev.reports.data import records as _records
from monev.reports.sections import PAYERS, SECTIONS, Table, period_label


@dataclass
class ReportContent:
    scope: str
    scope_name: str
    periode: dt.date
    headline: dict[str, Any]
    tables: dict[str, Table]
    chart_uris: dict[str, str]
    findings: list[findings.Finding]
    attention: list[str]
    budget_available: bool
    rentan_available: bool
    meta: dict[str, Any] = field(default_factory=dict)


def _region_rows(data: MartData, scope: str) -> tuple[dict | None, list[dict], dict[str, dict]]:
    """The scope's own row of month M, its children (provinces or kab/kota) and M-1."""
    w = data.wilayah
    month = w[w["periode"] == data.periode]
    code = "00" if scope == NATIONAL else scope
    own = _records(month[month["kode_wilayah"] == code])
    if scope == NATIONAL:
        kids = month[month["tingkat"] == "PROVINSI"]
    else:
        kids = month[(month["tingkat"] == "KABKOTA") & (month["kode_provinsi"] == scope)]
    previous = {r["kode_wilayah"]: r for r in _records(w[w["periode"] == add_months(
        data.periode, -1)])}
    return (own[0] if own else None), _records(kids.sort_values("kode_wilayah")), previous


def _payer_rows(data: MartData) -> list[dict]:
    """Double-funded participants per combination of payer types ("APBD_KABKOTA +
    APBD_PROVINSI"): the pemda codes would give one row per pair of governments."""
    rows: dict[str, dict] = {}
    for r in _records(data.nik_ganda):
        raw = str(r.get("pembayar") or "–")
        kinds = {re.sub(r"[:/].*$", "", part.strip()) for part in re.split(r"[,+;]", raw)}
        payer = " + ".join(sorted(k for k in kinds if k)) or "–"
        agg = rows.setdefault(payer, {"pembayar": payer, "peserta": 0, "iuran_ganda_rp": 0.0})
        agg["peserta"] += 1
        agg["iuran_ganda_rp"] += float(r.get("iuran_ganda_rp") or 0)
    return sorted(rows.values(), key=lambda r: (-r["peserta"], r["pembayar"]))


def _file_rows(data: MartData) -> list[dict]:
    """The delivered files of the report's 12 months (and of no later year)."""
    last = periods.of(data.periode)
    first = periods.add(last, -(TREND_MONTHS - 1))
    rows = [r for r in _records(data.sumber_data)
            if (first <= r["period_key"] <= last if periods.is_month(str(r["period_key"]))
                else not (str(r["period_key"])[:4].isdigit()
                          and str(r["period_key"])[:4] > last[:4]))]
    # "Periode": the month of a monthly delivery (its first day), else its key
    rows = [{**r, "periode": r["periode"] or r["period_key"]} for r in rows]
    return sorted(rows, key=lambda r: (str(r["source"]), str(r["periode"]),
                                       str(r["revision"])))


def _missing(data: MartData, status: list[dict]) -> list[str]:
    """The month's sources without a delivery, as the plan found them (else as the status
    mart shows them), in the report's order of sources."""
    order = {r["source"]: r["urutan"] for r in status}
    missing = (data.missing if data.missing is not None
               else [r["source"] for r in status if r["status_muatan"] != "loaded"])
    return sorted(missing, key=lambda s: order.get(s, len(order)))


def _findings(data: MartData, scope_row: dict | None, children: list[dict],
              previous: dict[str, dict], status: list[dict]) -> list[findings.Finding]:
    """The monthly rules applied, with the sources the month lacked named first."""
    both = ([scope_row] if scope_row else []) + children
    lagging = [(r["source"], period_label(r["period_key"]) if r["period_key"] else None)
               for r in status if r["bulanan"] and (r["bulan_tertinggal"] is None or
                                                    r["bulan_tertinggal"]
                                                    >= findings.STALE_SOURCE_MONTHS)]
    names = {r["kode_wilayah"]: r["nama_wilayah"] for r in both}
    late_regions = sorted({names[r["kode_wilayah"]] for r in _records(data.kesegaran)
                           if r["source"] == "realisasi" and r["kode_wilayah"] in names
                           and (r["bulan_tertinggal"] or 0) >= findings.STALE_SOURCE_MONTHS})
    found = findings.evaluate(data.periode, scope_row, children, previous,
                              lagging_sources=lagging, lagging_regions=late_regions,
                              proyeksi={r["kode_wilayah"]: r for r in _records(data.proyeksi)})
    missing = _missing(data, status)
    if missing:  # built after the due day without them (monev.orchestration.completeness)
        found.insert(0, findings.Finding(findings.RULES_BY_CODE["DATA_TIDAK_LENGKAP"], detail=(
            "Sumber data bulan ini belum diterima saat laporan dibuat: "
            + ", ".join(missing) + ".")))
    return found


def _headline(own: dict, before: dict) -> dict[str, Any]:
    """The scope's figures of month M (`before`: its row of M-1)."""
    return {
        "cakupan": own.get("cakupan_persen"), "target": own.get("target_persen"),
        "capaian": own.get("capaian_target_persen"), "gap": own.get("gap_pp"),
        "aktif": own.get("peserta_aktif"), "penduduk_bekerja": own.get("penduduk_bekerja"),
        "tahun_penduduk_bekerja": own.get("tahun_penduduk_bekerja"),
        "tahun_potensi": own.get("tahun_potensi"),
        "cakupan_potensi": own.get("cakupan_potensi_persen"),
        "perubahan_pp": None if own.get("cakupan_persen") is None
        or before.get("cakupan_persen") is None
        else own["cakupan_persen"] - before["cakupan_persen"],
        "pertumbuhan": own.get("pertumbuhan_aktif_persen"),
        "pagu": own.get("pagu_rp"), "realisasi": own.get("realisasi_rp"),
        "ditagih": own.get("iuran_ditagih_rp"),
        "selisih_tagihan": own.get("selisih_tagihan_rp"),
        "rasio_tagihan": own.get("rasio_realisasi_tagihan_persen"),
        "serapan": own.get("serapan_persen"), "rentan": own.get("pekerja_rentan_aktif"),
        "nik_ganda": own.get("nik_ganda"), "regulasi_persen": own.get("regulasi_persen"),
        "peringkat": own.get("peringkat"),
    }


def build_content(data: MartData, scope: str, changes: diff.Changes | None = None,
                  previous_revision: int = 0) -> ReportContent:
    """Everything one scope's report says; `changes` = what moved since revision
    `previous_revision` (a reissue), shown after the contents and as an Excel sheet."""
    scope_row, children, previous = _region_rows(data, scope)
    unit = "Provinsi" if scope == NATIONAL else "Kabupaten/Kota"
    scope_name = "Nasional" if scope == NATIONAL else (
        scope_row["nama_wilayah"] if scope_row else f"Provinsi {scope}")
    both = ([scope_row] if scope_row else []) + children
    code = "00" if scope == NATIONAL else scope
    own = scope_row or {}
    w = data.wilayah
    trend = _records(w[w["kode_wilayah"] == code].sort_values("periode"))
    for r in trend:
        r["bulan"] = fmt.month_name(r["periode"])
    ranked = sorted([r for r in children if r.get("peringkat") is not None],
                    key=lambda r: (r["peringkat"], r["kode_wilayah"]))
    ct = data.capaian_target
    status = _records(data.status_sumber)
    files = _file_rows(data)

    found = _findings(data, scope_row, children, previous, status)

    rows = {
        "both": both, "trend": trend, "billing": both,
        "ranked": ranked + [r for r in children if r.get("peringkat") is None],
        "target": sorted(_records(ct[ct["kode_wilayah"] == code]) if not ct.empty else [],
                         key=lambda r: str(r.get("sumber_target"))),
        "payers": _payer_rows(data), "files": files, "status": status,
        "findings": [{"kode": f.rule.code, "judul": f.rule.title, "uraian": f.text,
                      "rekomendasi": f.rule.recommendation} for f in found],
        "changes": [{"nama_wilayah": m.region, "angka": m.label, "sebelum": m.before,
                     "sesudah": m.after} for m in changes.moved] if changes else [],
    }
    words = {"unit": unit.lower(), "months": TREND_MONTHS, "previous": previous_revision,
             "bulan": fmt.month_name(data.periode)}
    tables = {s.name: s.table(rows[s.rows], **words) for s in SECTIONS
              if s.name != "perubahan" or changes is not None}
    if changes is not None:
        tables["perubahan"].note = "; ".join(changes.lines()[len(changes.moved[:diff.LIST_LIMIT]):])

    budget_available = any(r.get("pagu_rp") is not None for r in both)
    headline = _headline(own, previous.get(code, {}))
    loads = [str(r["loaded_at"])[:10] for r in files if r.get("loaded_at")]
    return ReportContent(
        scope, scope_name, data.periode, headline, tables,
        _charts(scope_name, unit, trend, ranked, own, children, budget_available), found,
        findings.attention(found), budget_available,
        any(r.get("pekerja_rentan_aktif") is not None for r in both),
        meta={"unit": unit, "n_children": len(children),
              "dimuat_terakhir": fmt.long_date(dt.date.fromisoformat(max(loads)))
              if loads else None,
              "billing_available": any(r.get(k) is not None for r in both for k in
                                       ("pagu_rp", "realisasi_rp", "iuran_ditagih_rp")),
              "previous": previous_revision,
              "changes": changes.lines() if changes is not None else None},
    )


def _charts(scope_name: str, unit: str, trend_rows: list[dict], ranked: list[dict],
            own: dict, children: list[dict], budget_available: bool) -> dict[str, str]:
    out = {
        "tren": charts.trend(
            [fmt.month_short(r["periode"]) for r in trend_rows],
            [r.get("cakupan_persen") for r in trend_rows],
            [r.get("target_persen") for r in trend_rows],
            f"Cakupan {scope_name} vs target"),
    }
    if ranked:
        out["peringkat"] = charts.ranking(
            [r["nama_wilayah"] for r in ranked], [r["cakupan_persen"] for r in ranked],
            own.get("target_persen"), f"Peringkat cakupan {unit.lower()}")
    if own.get("pekerja_rentan_aktif") is not None:
        out["rentan"] = charts.payers([label for _, label in PAYERS],
                                      [own.get(k) for k, _ in PAYERS],
                                      "Pekerja rentan aktif menurut pembayar")
    with_budget = [r for r in children if r.get("pagu_rp") is not None]
    if budget_available and with_budget:
        out["anggaran"] = charts.budget(
            [r["nama_wilayah"] for r in with_budget], [r["pagu_rp"] for r in with_budget],
            [r.get("realisasi_rp") or 0 for r in with_budget], "Pagu vs realisasi")
    if unit == "Provinsi" and children:
        out["peta"] = tilemap.coverage_map(
            {r["kode_wilayah"]: r.get("cakupan_persen") for r in children},
            own.get("target_persen"), "Cakupan kepesertaan aktif per provinsi")
    return out
