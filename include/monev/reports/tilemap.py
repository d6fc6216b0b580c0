"""Coverage by province on a tile-grid map of Indonesia: one square per province.

Why a tile grid and not a choropleth: no boundary data set found on PyPI or npm has the
38 current provinces (the 2022 Papua split) under a clear licence and works offline —
Natural Earth's admin-1 layer (`world-atlas` carries countries only) still shows the
34 provinces of before 2022. A tile grid keeps every province the same size, so small
provinces (DKI Jakarta, DI Yogyakarta) are as visible as Papua, and needs no download.
Positions follow geography west to east, north to south (column, row).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.patches import Rectangle

from monev.reports import formatting as fmt
from monev.reports.charts import RED, _uri

# kode provinsi -> (column, row, short label)
TILES: dict[str, tuple[int, int, str]] = {
    "11": (0, 0, "ACEH"), "12": (1, 1, "SUMUT"), "13": (1, 2, "SUMBAR"), "14": (2, 2, "RIAU"),
    "21": (3, 1, "KEPRI"), "17": (2, 3, "BKL"), "15": (3, 3, "JAMBI"), "16": (3, 4, "SUMSEL"),
    "19": (4, 3, "BABEL"), "18": (4, 5, "LPG"), "31": (6, 5, "DKI"), "36": (5, 6, "BANTEN"),
    "32": (6, 6, "JABAR"), "33": (7, 6, "JATENG"), "34": (7, 7, "DIY"), "35": (8, 6, "JATIM"),
    "51": (9, 6, "BALI"), "52": (10, 6, "NTB"), "53": (11, 6, "NTT"), "61": (6, 2, "KALBAR"),
    "62": (7, 2, "KALTENG"), "64": (8, 2, "KALTIM"), "65": (8, 1, "KALTARA"),
    "63": (8, 3, "KALSEL"), "75": (10, 1, "GTLO"), "71": (11, 1, "SULUT"),
    "72": (10, 2, "SULTENG"), "76": (9, 3, "SULBAR"), "73": (10, 3, "SULSEL"),
    "74": (11, 3, "SULTRA"), "82": (12, 1, "MALUT"), "81": (12, 3, "MALUKU"),
    "96": (13, 2, "PBD"), "92": (14, 2, "PABAR"), "91": (15, 2, "PAPUA"),
    "94": (14, 3, "PATENG"), "95": (15, 3, "PAPEG"), "93": (15, 4, "PASEL"),
}
_CMAP = LinearSegmentedColormap.from_list("cakupan", ["#f3e6b3", "#7fb8a4", "#0b3d6b"])
NO_DATA = "#d9dce1"


def coverage_map(values: dict[str, float | None], target: float | None, title: str,
                 highlight: str | None = None) -> str:
    """PNG data URI: each province coloured by coverage (%), outlined red when below the
    national target; provinces without a figure grey. `highlight` = the report's own."""
    known = [v for v in values.values() if v is not None]
    norm = Normalize(min(known, default=0), max(known, default=1) or 1)
    fig, ax = plt.subplots(figsize=(7.6, 3.9))
    for code, (col, row, label) in TILES.items():
        value = values.get(code)
        colour = NO_DATA if value is None else _CMAP(norm(value))
        below = value is not None and target is not None and value < target
        edge = RED if below else "white"
        ax.add_patch(Rectangle((col, -row), 0.94, 0.94, facecolor=colour, edgecolor=edge,
                               linewidth=2.2 if below else 1))
        if code == highlight:
            ax.add_patch(Rectangle((col - 0.04, -row - 0.04), 1.02, 1.02, fill=False,
                                   edgecolor="#1c1f24", linewidth=2.4))
        dark = value is not None and norm(value) > 0.55
        ax.text(col + 0.47, -row + 0.62, label, ha="center", va="center", fontsize=4.6,
                color="white" if dark else "#1c1f24", fontweight="bold")
        ax.text(col + 0.47, -row + 0.3, fmt.pct(value, 1), ha="center", va="center",
                fontsize=4.6, color="white" if dark else "#1c1f24")
    ax.set_xlim(-0.2, 16.2)
    ax.set_ylim(-7.2, 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    sm = plt.cm.ScalarMappable(norm=norm, cmap=_CMAP)
    bar = fig.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.045, pad=0.02,
                       shrink=0.5)
    bar.ax.tick_params(labelsize=6)
    bar.ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.pct(v, 0)))
    note = "Garis merah: di bawah target" + (f" {fmt.pct(target)}" if target is not None
                                             else "") + "; abu-abu: tidak ada data"
    bar.set_label(f"Cakupan kepesertaan aktif. {note}", fontsize=6)
    ax.set_title(title)
    return _uri(fig)
