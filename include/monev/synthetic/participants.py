"""`peserta_rentan` participant lists: a stable NIK population billed month after month.

Everything is vectorised (numpy → pyarrow → gzip) because national deliveries reach
millions of rows a month; no per-row Python runs here."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from monev.synthetic.regions import RegionSet, stable_rng

RENTAN_COLUMNS = [
    "periode", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "kode_wilayah_domisili",
    "sumber_iuran", "kode_pemda_pembayar", "program", "tanggal_mulai", "status", "iuran_rp",
]
SUMBER = np.array(["APBD_PROVINSI", "APBD_KABKOTA", "APBDES", "CSR"])
SUMBER_P = np.array([0.27, 0.43, 0.22, 0.08])
PROGRAM = np.array(["JKK_JKM", "JKK_JKM_JHT"])
TARIFF = np.array([16_800, 36_800])
MONTHLY_CHURN = 0.01
DOUBLE_FUNDED_SHARE = 0.015
CHUNK_ROWS = 500_000

MALE = [
    "Agus", "Budi", "Eko", "Joko", "Ahmad", "Muhammad", "Slamet", "Rudi", "Hendra", "Andi",
    "Dedi", "Yusuf", "Bambang", "Wayan", "Made", "Ketut", "Nyoman", "Rahmat", "Arif", "Dani",
    "Fajar", "Hasan", "Irfan", "La Ode", "Yohanes", "Markus", "Imam", "Taufik", "Sutrisno",
]
FEMALE = [
    "Siti", "Sri", "Dewi", "Nur", "Rina", "Wati", "Ani", "Yuliana", "Putu", "Ni Luh", "Fitri",
    "Rahayu", "Lestari", "Maria", "Susanti", "Indah", "Ratna", "Nurhayati", "Wulan", "Aisyah",
    "Kartini", "Marlina", "Ernawati", "Theresia", "Yohana", "Hartini", "Suryani",
]
FAMILY = [
    "", "", "", "Saputra", "Wijaya", "Siregar", "Nasution", "Hasibuan", "Lubis", "Harahap",
    "Simanjuntak", "Pangaribuan", "Sitompul", "Setiawan", "Pratama", "Kurniawan", "Hidayat",
    "Rahman", "Syahputra", "Sulistyo", "Wibowo", "Gunawan", "Manurung", "Tanjung", "Daeng",
    "Mandacan", "Wonda", "Tabuni", "Kogoya", "Murib", "Ayomi", "Rumbiak", "Nainggolan",
]
NICK = [' "Ani"', ' "Iwan"', ' "Ucok"', ' "Neng"', ' "Butet"', ' "Acong"']
TITLE = [", S.Pd", ", S.E.", ", A.Md.Kep", ", S.Sos", ", S.H., M.H.", ", Amd"]


@dataclass
class Population:
    """Column arrays over every person who is billed in at least one month of the run."""

    join: np.ndarray  # month index (0-based in the run) of first billing
    leave: np.ndarray  # first month index no longer billed
    kab: np.ndarray  # index into RegionSet.kabkota (domicile)
    nik: np.ndarray  # int64, 16 digits
    female: np.ndarray
    birth: np.ndarray  # datetime64[D]
    name: pa.Array
    sumber: np.ndarray  # index into SUMBER (primary payer)
    second: np.ndarray  # index into SUMBER of a second payer, -1 if none
    program: np.ndarray
    mulai: np.ndarray  # datetime64[D], primary coverage start
    mulai2: np.ndarray  # datetime64[D], second payer's start


def build_population(
    regions: RegionSet, seed: int, rows: int, n_months: int, first_month: tuple[int, int]
) -> Population:
    rng = stable_rng(seed, "rentan", rows, first_month[0] * 100 + first_month[1])
    # Each person yields 1 row, double-funded ones 2: size the base so a month ≈ `rows`.
    base = max(1, round(rows / (1 + DOUBLE_FUNDED_SHARE)))
    per_month = round(base * MONTHLY_CHURN)
    n = base + per_month * (n_months - 1)
    join = np.zeros(n, dtype=np.int32)
    if n > base:
        join[base:] = 1 + np.arange(n - base, dtype=np.int32) // max(per_month, 1)
    leave = join + rng.geometric(MONTHLY_CHURN, n).astype(np.int32)

    weights = np.array([regions.kabkota_active[k.kode] for k in regions.kabkota])
    kab = rng.choice(len(weights), size=n, p=weights / weights.sum()).astype(np.int32)
    female = rng.random(n) < 0.46
    oldest, youngest = np.datetime64("1962-01-01"), np.datetime64("2003-12-31")
    birth = oldest + rng.integers(0, (youngest - oldest).astype(int), n)

    nik = _make_nik(regions, rng, kab, female, birth)
    name = _make_names(rng, female)

    sumber = rng.choice(len(SUMBER), size=n, p=SUMBER_P).astype(np.int8)
    # APBDes pays for village people only: a kota has no villages.
    is_kota = np.array([k.tingkat == "KOTA" for k in regions.kabkota])[kab]
    sumber[(sumber == 2) & is_kota] = 1
    # Double funding is typically the province and the regency both paying for a person.
    double = rng.random(n) < DOUBLE_FUNDED_SHARE
    second = np.full(n, -1, dtype=np.int8)
    second[double] = np.where(sumber[double] == 0, 1, 0)

    program = (rng.random(n) < 0.15).astype(np.int8)
    y, m = first_month
    run_start = np.datetime64(f"{y:04d}-{m:02d}-01")
    history = (run_start - np.datetime64("2021-03-01")).astype(int)
    mulai = np.datetime64("2021-03-01") + rng.integers(0, max(history, 1), n)
    # Joiners start in the month they are first billed.
    joiner = join > 0
    join_month_start = (run_start.astype("datetime64[M]") + join[joiner]).astype("datetime64[D]")
    mulai[joiner] = join_month_start + rng.integers(0, 28, int(joiner.sum()))
    mulai2 = mulai + rng.integers(30, 400, n)
    return Population(join, leave, kab, nik, female, birth, name, sumber, second, program,
                      mulai.astype("datetime64[D]"), mulai2.astype("datetime64[D]"))


def _make_nik(
    regions: RegionSet, rng: np.random.Generator, kab: np.ndarray, female: np.ndarray,
    birth: np.ndarray,
) -> np.ndarray:
    ppkk = np.array(
        [int(regions.nik_prefix_code(k.kode).replace(".", "")) for k in regions.kabkota]
    )
    kec = rng.integers(1, 31, len(kab))
    days = birth.astype("datetime64[D]")
    yy = days.astype("datetime64[Y]").astype(int) + 1970
    mm = days.astype("datetime64[M]").astype(int) % 12 + 1
    dd = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    dd = dd + np.where(female, 40, 0)
    prefix12 = ((ppkk[kab] * 100 + kec) * 100 + dd) * 10_000 + mm * 100 + (yy % 100)
    # Serials count up within one kecamatan+birth date, which also makes every NIK unique.
    order = np.argsort(prefix12, kind="stable")
    sorted_p = prefix12[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_p)) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(sorted_p)]))
    serial = np.empty(len(kab), dtype=np.int64)
    serial[order] = np.arange(len(sorted_p)) - group_start + 1
    return prefix12.astype(np.int64) * 10_000 + serial


def _make_names(rng: np.random.Generator, female: np.ndarray) -> pa.Array:
    n = len(female)
    first = np.where(
        female, rng.integers(0, len(FEMALE), n) + len(MALE), rng.integers(0, len(MALE), n)
    )
    firsts = pa.array(MALE + FEMALE).take(pa.array(first))
    fam = pa.array([f" {f}" if f else "" for f in FAMILY]).take(
        pa.array(rng.integers(0, len(FAMILY), n))
    )
    # A few names carry nicknames in quotes and academic titles after a comma, which is
    # what makes RFC 4180 quoting necessary in this file.
    u = rng.random(n)
    nick_idx = np.where(u < 0.01, rng.integers(1, len(NICK) + 1, n), 0)
    title_idx = np.where((u > 0.005) & (u < 0.025), rng.integers(1, len(TITLE) + 1, n), 0)
    nick = pa.array(["", *NICK]).take(pa.array(nick_idx))
    title = pa.array(["", *TITLE]).take(pa.array(title_idx))
    return pc.binary_join_element_wise(firsts, nick, fam, title, "")


def month_table(regions: RegionSet, pop: Population, k: int, year: int, month: int) -> pa.Table:
    """All rows billed in run month `k`: one per person, plus the second payer's row for
    the double-funded."""
    seed = regions.seed
    idx = np.flatnonzero((pop.join <= k) & (pop.leave > k))
    dbl = idx[pop.second[idx] >= 0]
    person = np.concatenate([idx, dbl])
    sumber = np.concatenate([pop.sumber[idx], pop.second[dbl]])
    mulai = np.concatenate([pop.mulai[idx], pop.mulai2[dbl]])
    # Keep a person's rows together, as a billing system listing by participant would.
    order = np.lexsort((sumber, person))
    person, sumber, mulai = person[order], sumber[order], mulai[order]
    n = len(person)

    codes = np.array([regions.code_in_month(k_.kode, year, month) for k_ in regions.kabkota])
    domicile = codes[pop.kab[person]]
    province = np.array([c[:2] for c in codes])[pop.kab[person]]
    # CSR has no paying government: a null, written as an empty field.
    payer = pc.if_else(
        pa.array(sumber == 3),
        pa.scalar(None, pa.string()),
        pa.array(np.where(sumber == 0, province, domicile)),
    )

    rng = stable_rng(seed, "status", year * 100 + month)
    nonaktif = (pop.leave[person] == k + 1) | (rng.random(n) < 0.01)
    program = pop.program[person]
    periode = f"{year:04d}-{month:02d}"
    return pa.table({
        "periode": pa.array(np.full(n, periode)),
        "nik": pa.array(pop.nik[person]).cast(pa.string()),
        "nama": pop.name.take(pa.array(person)),
        "jenis_kelamin": pa.array(np.where(pop.female[person], "P", "L")),
        "tanggal_lahir": pa.array(pop.birth[person]),
        "kode_wilayah_domisili": pa.array(domicile),
        "sumber_iuran": pa.array(SUMBER[sumber]),
        "kode_pemda_pembayar": payer,
        "program": pa.array(PROGRAM[program]),
        "tanggal_mulai": pa.array(mulai),
        "status": pa.array(np.where(nonaktif, "NONAKTIF", "AKTIF")),
        "iuran_rp": pa.array(TARIFF[program].astype(np.int64)),
    })


def write_rentan(path: Path, table: pa.Table) -> Path:
    """gzip with mtime=0 and no embedded file name, so reruns are byte-identical."""
    with path.open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0
    ) as gz:
        writer = pacsv.CSVWriter(gz, table.schema, write_options=pacsv.WriteOptions(
            include_header=True, quoting_style="needed"
        ))
        for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
            writer.write_batch(batch)
        writer.close()
    return path
