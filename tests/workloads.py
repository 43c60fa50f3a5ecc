"""Interval forecasts the scale-out tests share: queues with an intraday curve and noise."""

import numpy as np
import pandas as pd


def intraday_forecast(queues: int, days: int, seed: int = 7, minutes: int = 30, prefix: str = "q") -> pd.DataFrame:
    """`queues` x `days` of intervals of `minutes` from 2026-11-02: Poisson calls on a daytime
    curve (nights without calls), each queue its own size, AHTs from 150 to 600 s."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2026-11-02", periods=days * 24 * 60 // minutes, freq=f"{minutes}min")
    curve = np.clip(np.sin((starts.hour + starts.minute / 60 - 7) / 14 * np.pi), 0, None)
    frames = [
        pd.DataFrame(
            {
                "interval_start": starts,
                "queue": f"{prefix}{q:02d}",
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


def mixed_forecast(days: int = 3) -> pd.DataFrame:
    """Queues of 30- and 15-minute intervals in one table, its rows by time of day (all days'
    00:00 rows first, as many exports are), so that no run of rows shows a queue's step."""
    both = pd.concat([intraday_forecast(3, days), intraday_forecast(2, days, seed=8, minutes=15, prefix="f")])
    by_time_of_day = np.lexsort((both["interval_start"].dt.normalize(), both["interval_start"].dt.time.astype(str)))
    return both.iloc[by_time_of_day].reset_index(drop=True)
