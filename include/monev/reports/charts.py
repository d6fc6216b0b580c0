"""Report charts (matplotlib, Agg backend) as PNG data URIs.

Charts are drawn once per scope and the same data URI is used in the PDF and the HTML,
so both show identical pictures and the HTML needs no external resources.
"""

from __future__ import annotations

import base64
import io

import matplotlib

# Kept, before pyplot's import: pyplot picks its backend when first imported and, on a
# machine with a display or Tk, would pick an interactive one. Charts only ever become
# PNG bytes (here and in the report workers, which import this module too), so the
# file backend is chosen in code rather than by setting MPLBACKEND for every child.
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from monev.reports import formatting as fmt

NAVY = "#0b3d6b"
GREEN = "#1b8a5a"
GOLD = "#c9a227"
GREY = "#8a8f98"
RED = "#b3261e"
DPI = 100

plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 8, "axes.spines.top": False,
    "axes.spines.right": False, "axes.titleweight": "bold", "axes.titlesize": 9,
})


def _uri(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pct_axis(ax: plt.Axes, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _: fmt.pct(v, 0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def trend(labels: list[str], coverage: list[float | None], target: list[float | None],
          title: str) -> str:
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    xs = range(len(labels))
    ax.plot(xs, [float("nan") if v is None else v for v in coverage], marker="o",
            color=NAVY, label="Cakupan (% penduduk bekerja)")
    ax.plot(xs, [float("nan") if v is None else v for v in target], linestyle="--",
            color=RED, label="Target Kemendagri UCJ")
    ax.set_xticks(list(xs), labels, rotation=0)
    _pct_axis(ax)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower right", frameon=False)
    return _uri(fig)


def ranking(names: list[str], values: list[float], target: float | None, title: str) -> str:
    height = max(2.2, 0.2 * len(names) + 0.8)
    fig, ax = plt.subplots(figsize=(7.2, height))
    ys = range(len(names))
    colors = [GREEN if target is not None and v >= target else NAVY for v in values]
    ax.barh(list(ys), values, color=colors)
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    if target is not None:
        ax.axvline(target, color=RED, linestyle="--", linewidth=1)
        ax.text(target, -0.8, f" target {fmt.pct(target)}", color=RED, fontsize=7)
    _pct_axis(ax, "x")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return _uri(fig)


def payers(labels: list[str], values: list[int | None], title: str) -> str:
    fig, ax = plt.subplots(figsize=(7.2, 2.4))
    clean = [0 if v is None else v for v in values]
    bars = ax.bar(labels, clean, color=[NAVY, GREEN, GOLD, GREY])
    for bar, v in zip(bars, values, strict=True):
        ax.annotate(fmt.num(v), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=7)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.num(v)))
    ax.set_title(title)
    return _uri(fig)


def budget(names: list[str], pagu: list[float], realisasi: list[float], title: str) -> str:
    height = max(2.2, 0.22 * len(names) + 0.8)
    fig, ax = plt.subplots(figsize=(7.2, height))
    ys = list(range(len(names)))
    ax.barh([y - 0.2 for y in ys], [p / 1e9 for p in pagu], height=0.4, color=NAVY,
            label="Pagu")
    ax.barh([y + 0.2 for y in ys], [r / 1e9 for r in realisasi], height=0.4, color=GOLD,
            label="Realisasi")
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.num(v)))
    ax.set_xlabel("miliar rupiah")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    return _uri(fig)
