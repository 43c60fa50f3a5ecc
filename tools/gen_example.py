"""Writes the bundled example forecast, python/wfmath/data/example_week.csv.

A week (Monday 2026-11-23 to Sunday) of 30-minute intervals for three queues, each with its
opening hours, a two-peak intraday curve (late morning and early afternoon), weekday and
weekend volumes, an AHT that drifts over the day, Poisson noise from a fixed seed, and its
own service-level target as columns. Run: python tools/gen_example.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "python" / "wfmath" / "data" / "example_week.csv"
START = np.datetime64("2026-11-23T00:00")
INTERVAL_MINUTES = 30

# queue: calls on a Monday, opening hours, AHT at opening and its midday rise, SL target and threshold
QUEUES = {
    "sales": dict(daily=1400, hours=(8, 20), aht=230.0, rise=25.0, sl=0.80, threshold=20.0),
    "service": dict(daily=2600, hours=(7, 22), aht=330.0, rise=40.0, sl=0.80, threshold=30.0),
    "billing": dict(daily=700, hours=(8, 18), aht=410.0, rise=30.0, sl=0.90, threshold=15.0),
}
WEEKDAY_FACTOR = [1.0, 0.92, 0.88, 0.9, 0.95, 0.55, 0.3]  # Monday peaks, weekends are quiet
SHRINKAGE = 0.32


def intraday_share(hours: np.ndarray, open_hour: int, close_hour: int) -> np.ndarray:
    """The share of a day's calls in each interval: two peaks (11:00, 14:30), zero when closed."""
    curve = np.exp(-(((hours - 11.0) / 1.8) ** 2)) + 0.8 * np.exp(-(((hours - 14.5) / 2.0) ** 2)) + 0.15
    curve[(hours < open_hour) | (hours >= close_hour)] = 0.0
    return curve / curve.sum()


def main() -> None:
    rng = np.random.default_rng(20261123)
    per_day = 24 * 60 // INTERVAL_MINUTES
    hours = np.arange(per_day) * INTERVAL_MINUTES / 60.0
    rows = []
    for queue, q in QUEUES.items():
        share = intraday_share(hours, *q["hours"])
        for day, factor in enumerate(WEEKDAY_FACTOR):
            calls = rng.poisson(q["daily"] * factor * share)
            midday = np.exp(-(((hours - 13.0) / 3.0) ** 2))
            aht = q["aht"] + q["rise"] * midday + rng.normal(0.0, 6.0, per_day)
            for i in range(per_day):
                start = START + np.timedelta64(day * per_day * INTERVAL_MINUTES + i * INTERVAL_MINUTES, "m")
                rows.append(
                    [str(start), queue, int(calls[i]), round(float(aht[i])), q["sl"], q["threshold"], SHRINKAGE]
                )
    with OUT.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["interval_start", "queue", "calls", "aht_seconds", "sl_target", "threshold_seconds", "shrinkage"]
        )
        writer.writerows(rows)


if __name__ == "__main__":
    main()
