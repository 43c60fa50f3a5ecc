"""Size the bundled example day and print the staffing plan: ``python -m wfmath``."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np

import wfmath

INTERVAL_SECONDS = 1800.0
SL_TARGET, THRESHOLD_SECONDS, SHRINKAGE = 0.8, 20.0, 0.3


def main() -> None:
    source = resources.files("wfmath") / "data" / "example_day.csv"
    with source.open() as handle:
        rows = list(csv.DictReader(handle))
    calls = np.array([float(r["calls"]) for r in rows])
    aht = np.array([float(r["aht_seconds"]) for r in rows])
    plan = wfmath.required_agents(
        calls,
        aht,
        INTERVAL_SECONDS,
        sl_target=SL_TARGET,
        threshold_seconds=THRESHOLD_SECONDS,
        shrinkage=SHRINKAGE,
    )
    print(
        f"{'interval':<17} {'queue':<8} {'calls':>6} {'aht_s':>6} {'agents':>6} "
        f"{'sched':>6} {'SL':>6} {'ASA_s':>6} {'occ':>5}"
    )
    for i, r in enumerate(rows):
        print(
            f"{r['interval_start']:<17} {r['queue']:<8} {calls[i]:>6.0f} {aht[i]:>6.0f} "
            f"{plan.agents[i]:>6d} {plan.scheduled[i]:>6d} {plan.service_level[i]:>6.3f} "
            f"{plan.asa_seconds[i]:>6.1f} {plan.occupancy[i]:>5.2f}"
        )
    hours = INTERVAL_SECONDS / 3600.0
    busy = calls > 0  # intervals without calls have no service level: they carry no weight
    day_sl = np.average(plan.service_level[busy], weights=calls[busy])
    print(
        f"\nday: {calls.sum():.0f} calls, {plan.agents.sum() * hours:.1f} agent-hours on the phones, "
        f"{plan.scheduled.sum() * hours:.1f} scheduled, calls-weighted SL {day_sl:.3f}"
    )


if __name__ == "__main__":
    main()
