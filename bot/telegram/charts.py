"""The progress chart as a PNG made for a phone's chat bubble.

1080 x 1350 px. A chat bubble shows it about 330 px wide, so every text is at least 28 px at
full size (17 pt at 120 dpi) to stay readable there. Pain and mood are lines, each axis saying
which way is better, with the last value labelled; below, a habit x day grid shows whether
each day's goal was met, partly done or not done. The layout is fixed (no layout engine), so a
render stays well under a quarter of a second; it runs in a worker process (offload.py).
"""

from __future__ import annotations

import io
import math
from typing import Any

from bot.services.progress import Cell, ChartData
from bot.telegram import offload

WIDTH_INCHES, HEIGHT_INCHES, DPI = 9.0, 11.25, 120  # 1080 x 1350 px
SMALLEST_PT = 17.0  # 28 px at 120 dpi
TITLE_PT = 22.0
PAIN_COLOR = "#c0392b"
MOOD_COLOR = "#2c7fb8"
PEG_COLOR = "#7b241c"
CELL_COLORS = {
    Cell.BEFORE: "#ffffff",
    Cell.EXCUSED: "#f2f2f2",
    Cell.NONE: "#dcdcdc",
    Cell.SOME: "#9fd8ad",
    Cell.MET: "#2e9d57",
}
CELL_ORDER = list(CELL_COLORS)
SHORT_NAMES = {
    "Hydration": "Water",
    "Movement break": "Movement",
    "Gut-friendly food": "Food",
    "Breathing": "Breathing",
}
LEFT, RIGHT = 0.25, 0.93


def _series(values: list[int | None]) -> list[float]:
    """Turn missing days into NaN so lines break at gaps instead of inventing values."""
    return [math.nan if v is None else float(v) for v in values]


def _date_ticks(count: int) -> list[int]:
    """Return about five day positions to label, always including the last day (today)."""
    step = max(1, round((count - 1) / 4))
    ticks = list(range(count - 1, -1, -step))[::-1]
    return ticks if ticks[0] - step // 2 >= 0 or len(ticks) == 1 else ticks[1:]


def _line_panel(
    axis: Any,
    values: list[int | None],
    *,
    title: str,
    low: int,
    high: int,
    color: str,
    count: int,
    suffix: str,
) -> None:
    """Draw one measure as a line with dots, its scale said in words, the last value labelled."""
    xs = list(range(count))
    series = _series(values)
    axis.plot(xs, series, "-o", color=color, lw=3.5, ms=9 if count <= 31 else 5)
    axis.set_ylim(low - 0.6, high + 0.9)
    axis.set_yticks([low, (low + high) // 2, high])
    axis.set_xlim(-0.6, count - 0.4 + _label_room(count))
    axis.set_title(title, fontsize=SMALLEST_PT + 2, loc="left", pad=10)
    axis.grid(axis="y", alpha=0.3)
    axis.tick_params(labelsize=SMALLEST_PT, labelbottom=False, length=0)
    axis.spines[["top", "right", "bottom"]].set_visible(False)
    known = [i for i, v in enumerate(values) if v is not None]
    if not known:
        axis.text(
            0.5,
            0.5,
            "No check-ins yet: /checkin",
            transform=axis.transAxes,
            ha="center",
            va="center",
            fontsize=SMALLEST_PT,
            color="#777777",
        )
        return
    last = known[-1]
    # Right of the last dot, in the room kept free for it, so it never covers a dot.
    axis.annotate(
        f"{values[last]}{suffix}",
        (last, series[last]),
        xytext=(12, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=SMALLEST_PT + 1,
        fontweight="bold",
        color=color,
    )


def _label_room(count: int) -> float:
    """Return the room (in days) right of today for the last value's label."""
    return max(1.2, count * 0.09)


def render_progress(data: ChartData) -> bytes:
    """Draw the chart and return PNG bytes (pure CPU work: call it in a thread)."""
    # Imported here so the bot starts without loading matplotlib; Agg draws without a display.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    count = len(data.days)
    fig = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(fig)
    first, last = data.days[0], data.days[-1]
    fig.text(
        0.04,
        0.965,
        f"Your last {count} days · {first.day} {first:%b} – {last.day} {last:%b}",
        fontsize=TITLE_PT,
        fontweight="bold",
        va="top",
    )

    pain = fig.add_axes((LEFT, 0.68, RIGHT - LEFT, 0.2))
    _line_panel(
        pain,
        data.pain,
        title="Pain 0–10 · lower is better",
        low=0,
        high=10,
        color=PAIN_COLOR,
        count=count,
        suffix="",
    )
    if any(v is not None for v in data.peg):
        # The weekly PEG-3 score sits on the same 0-10 scale as pain: diamonds on its day.
        weeks = [(i, v) for i, v in enumerate(data.peg) if v is not None]
        pain.plot(
            [i for i, _ in weeks],
            [v for _, v in weeks],
            "D--",
            color=PEG_COLOR,
            lw=2,
            ms=11 if count <= 31 else 7,
            label="weekly pain score (PEG)",
        )
        pain.legend(loc="upper left", fontsize=SMALLEST_PT, frameon=False, handlelength=1.6)
    mood = fig.add_axes((LEFT, 0.475, RIGHT - LEFT, 0.13))
    _line_panel(
        mood,
        data.mood,
        title="Mood 1–5 · higher is better",
        low=1,
        high=5,
        color=MOOD_COLOR,
        count=count,
        suffix="/5",
    )

    rows = data.habits
    grid = fig.add_axes((LEFT, 0.13, RIGHT - LEFT, max(0.06 * len(rows), 0.06)))
    cells = [[CELL_ORDER.index(c) for c in row.cells] for row in rows] or [[0] * count]
    grid.imshow(
        cells,
        cmap=ListedColormap([CELL_COLORS[c] for c in CELL_ORDER]),
        vmin=0,
        vmax=len(CELL_ORDER) - 1,
        aspect="auto",
        interpolation="nearest",
        extent=(-0.5, count - 0.5, len(cells) - 0.5, -0.5),
    )
    grid.set_xlim(-0.6, count - 0.4 + _label_room(count))
    grid.set_yticks(range(len(rows)))
    grid.set_yticklabels(
        [f"{SHORT_NAMES.get(r.name, r.name)} · {r.goal}" for r in rows], fontsize=SMALLEST_PT
    )
    grid.set_title("Habits · daily goal", fontsize=SMALLEST_PT + 2, loc="left", pad=10)
    if count <= 31:
        # Thin white lines between days keep single days apart on a phone.
        grid.set_xticks([x - 0.5 for x in range(1, count)], minor=True)
        grid.grid(which="minor", axis="x", color="white", lw=2)
    grid.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    grid.grid(which="minor", axis="y", color="white", lw=4)
    grid.tick_params(which="both", length=0)
    ticks = _date_ticks(count)
    grid.set_xticks(ticks)
    grid.set_xticklabels([f"{data.days[i].day} {data.days[i]:%b}" for i in ticks])
    grid.tick_params(labelsize=SMALLEST_PT)
    for side in grid.spines.values():
        side.set_visible(False)
    for axis in (pain, mood):
        axis.set_xticks(ticks)
        axis.grid(axis="x", alpha=0.15)
    fig.legend(
        handles=[
            Patch(color=CELL_COLORS[Cell.MET], label="goal met"),
            Patch(color=CELL_COLORS[Cell.SOME], label="some"),
            Patch(color=CELL_COLORS[Cell.NONE], label="none"),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5 * (LEFT + RIGHT), 0.015),
        ncols=3,
        fontsize=SMALLEST_PT,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.5,
    )

    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


async def progress_png(data: ChartData) -> bytes:
    """Render the chart in a worker process, off the event loop and its GIL."""
    return await offload.run(render_progress, data)
