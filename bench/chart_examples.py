"""Render the example charts in docs/ from made-up data: 1, 9, 30, 90 days, nothing logged.

Run: .venv/bin/python bench/chart_examples.py   (writes docs/chart-*.png, prints render times)
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services.progress import Cell, ChartData, HabitRow
from bot.telegram.charts import render_progress

TODAY = date(2026, 12, 1)
rng = random.Random(7)
GOALS = {"Hydration": 6, "Movement break": 1, "Gut-friendly food": 2, "Breathing": 2}


def make(span: int, data_days: int, *, habits: bool = True) -> ChartData:
    """Make `span` days of chart data with check-ins and habits on the last `data_days`."""
    days = [TODAY - timedelta(days=span - 1 - i) for i in range(span)]
    start = span - data_days
    pain, mood, rows = [], [], []
    for i in range(span):
        k = i - start
        if k < 0 or (k < data_days - 1 and rng.random() < 0.1):
            pain.append(None)
            mood.append(None)
            continue
        pain.append(max(0, min(10, round(6 - 3 * k / max(data_days, 1) + rng.gauss(0, 1)))))
        mood.append(max(1, min(5, round(2.5 + 2 * k / max(data_days, 1) + rng.gauss(0, 0.7)))))
    for name, goal in GOALS.items():
        cells = []
        for i, d in enumerate(days):
            if i < start:
                cells.append(Cell.BEFORE)
                continue
            if not habits:
                cells.append(Cell.NONE)
                continue
            if name == "Movement break" and d.weekday() >= 5:
                cells.append(Cell.EXCUSED)
                continue
            r = rng.random()
            cells.append(Cell.MET if r < 0.55 else Cell.SOME if r < 0.8 else Cell.NONE)
        rows.append(HabitRow(name, goal, cells))
    return ChartData(days, pain, mood, rows)


for name, data in [
    ("1-day", make(7, 1)),
    ("9-days", make(9, 9)),
    ("30-days", make(30, 30)),
    ("90-days", make(90, 90)),
    ("nothing-logged", make(7, 1, habits=False)),
]:
    t0 = time.perf_counter()
    png = render_progress(data)
    print(name, f"{(time.perf_counter() - t0) * 1000:.0f} ms", len(png) // 1024, "KiB")
    (Path(__file__).resolve().parent.parent / "docs" / f"chart-{name}.png").write_bytes(png)
