"""The progress chart as a PNG: pain and stress above daily habit completions."""

from __future__ import annotations

import asyncio
import io
import math

from bot.services.progress import ChartData

# 8 x 6.4 inches at 120 dpi: 960 x 768 px, sharp on a phone and well under Telegram's limits.
SIZE_INCHES = (8.0, 6.4)
DPI = 120
COLORS = {
    "Hydration": "#4a90d9",
    "Movement break": "#e67e22",
    "Gut-friendly food": "#27ae60",
    "Breathing": "#8e44ad",
}


def _series(values: list[int | None]) -> list[float]:
    """Turn missing days into NaN so lines break at gaps instead of inventing values."""
    return [math.nan if v is None else float(v) for v in values]


def render_progress(data: ChartData) -> bytes:
    """Draw the chart and return PNG bytes (pure CPU work: call it in a thread)."""
    # Imported here so the bot starts without loading matplotlib; Agg draws without a display.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    xs = list(range(len(data.days)))

    top.plot(xs, _series(data.pain), "-o", color="#c0392b", lw=2.5, ms=6, label="Pain")
    top.plot(xs, _series(data.stress), "-s", color="#7f8c8d", lw=2, ms=5, label="Stress")
    top.set_ylim(-0.5, 10.5)
    top.set_yticks([0, 2, 4, 6, 8, 10])
    top.set_ylabel("0–10", fontsize=12)
    top.set_title("Pain and stress", fontsize=14, loc="left")
    top.grid(axis="y", alpha=0.3)
    top.legend(loc="upper left", fontsize=11, ncols=2, frameon=False)

    base = [0] * len(xs)
    for name, counts in data.done.items():
        bottom.bar(xs, counts, bottom=base, color=COLORS.get(name), label=name, width=0.8)
        base = [b + c for b, c in zip(base, counts, strict=True)]
    # Headroom above the tallest bar keeps the legend clear of the bars.
    bottom.set_ylim(0, max([*base, 4]) * 1.4 + 1)
    bottom.set_title("Habits done per day", fontsize=14, loc="left")
    bottom.legend(loc="upper left", fontsize=10, ncols=2, frameon=False)
    bottom.grid(axis="y", alpha=0.3)

    ticks = xs[::-7][::-1]  # every week, ending today
    bottom.set_xticks(ticks)
    bottom.set_xticklabels([f"{data.days[i].day} {data.days[i]:%b}" for i in ticks], fontsize=11)
    bottom.set_xlim(-0.7, len(xs) - 0.3)
    for axis in (top, bottom):
        axis.tick_params(labelsize=11)
        axis.spines[["top", "right"]].set_visible(False)

    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


async def progress_png(data: ChartData) -> bytes:
    """Render the chart off the event loop."""
    return await asyncio.to_thread(render_progress, data)
