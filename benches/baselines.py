"""Baselines the Rust core is measured against: the same Erlang C sizing written the usual
ways, in vectorized NumPy and in a plain Python loop (both with the stable recurrence)."""

from __future__ import annotations

import math

import numpy as np


def required_agents_numpy(calls, aht, interval, sl_target, threshold):
    """Vectorized Erlang C sizing: step every row's Erlang B recurrence together from n = 1,
    dropping rows as they meet the target."""
    load = calls * aht / interval
    agents = np.zeros(load.shape, dtype=np.int64)
    active = np.flatnonzero(load > 0)
    a = load[active]
    t_over_aht = threshold / aht[active]
    b = np.ones_like(a)
    n = 0
    while active.size:
        n += 1
        b = a * b / (n + a * b)
        stable = n > a
        c = np.where(stable, n * b / np.maximum(n - a * (1 - b), 1e-300), 1.0)
        sl = np.where(stable, 1.0 - c * np.exp(-(n - a) * t_over_aht), 0.0)
        done = sl >= sl_target
        agents[active[done]] = n
        keep = ~done
        active, a, b, t_over_aht = active[keep], a[keep], b[keep], t_over_aht[keep]
    return agents


def required_agents_python(calls, aht, interval, sl_target, threshold):
    """One interval at a time in pure Python."""
    out = []
    for k, h in zip(calls.tolist(), aht.tolist()):
        a = k * h / interval
        if a == 0:
            out.append(0)
            continue
        b, n = 1.0, 0
        while True:
            n += 1
            b = a * b / (n + a * b)
            if n > a:
                c = n * b / (n - a * (1 - b))
                if 1.0 - c * math.exp(-(n - a) * threshold / h) >= sl_target:
                    out.append(n)
                    break
    return np.array(out)


def service_level_python(agents, load, aht, threshold):
    """Scalar Erlang C service level in pure Python."""
    if agents <= load:
        return 0.0
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    c = agents * b / (agents - load * (1 - b))
    return 1.0 - c * math.exp(-(agents - load) * threshold / aht)
