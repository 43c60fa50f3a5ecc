"""Interval forecasts the scale-out tests share: queues with an intraday curve and noise."""

import numpy as np
import pandas as pd


def intraday_forecast(queues: int, days: int, seed: int = 7) -> pd.DataFrame:
    """`queues` x `days` of 30-minute intervals from 2026-11-02: Poisson calls on a daytime
    curve (nights without calls), each queue its own size, AHTs from 150 to 600 s."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2026-11-02", periods=days * 48, freq="30min")
    curve = np.clip(np.sin((starts.hour + starts.minute / 60 - 7) / 14 * np.pi), 0, None)
    frames = [
        pd.DataFrame(
            {
                "interval_start": starts,
                "queue": f"q{q:02d}",
                "calls": rng.poisson(curve * rng.uniform(10, 400)).astype(float),
                "aht_seconds": rng.uniform(150, 600, len(starts)),
            }
        )
        for q in range(queues)
    ]
    return pd.concat(frames, ignore_index=True)


def acd_report(intervals: int = 2000, seed: int = 3) -> pd.DataFrame:
    """ACD counts for queues a, b, c over `intervals` 30-minute intervals each: offered,
    answered (80-100 %), answered within the threshold, abandoned and handle time."""
    rng = np.random.default_rng(seed)
    n = 3 * intervals
    offered = rng.integers(0, 200, n)
    answered = (offered * rng.uniform(0.8, 1.0, n)).astype(int)
    return pd.DataFrame(
        {
            "interval_start": np.tile(pd.date_range("2026-11-02", periods=intervals, freq="30min"), 3),
            "queue": np.repeat(["a", "b", "c"], intervals),
            "offered": offered,
            "answered": answered,
            "answered_within": (answered * rng.uniform(0.5, 1.0, n)).astype(int),
            "abandoned": offered - answered,
            "handle_seconds": answered * rng.uniform(150, 400, n),
        }
    )
