"""Independent high-precision reference for Erlang A (M/M/N+M), in mpmath at 50 digits.

Two routes, checked against each other in the tests:
- `chain`: the birth-death chain summed state by state (small cases), the definition itself;
- `erlang_a`: the closed forms of Garnett, Mandelbaum and Reiman (2002) with mpmath's own
  incomplete gamma functions, and the "within t" figures by mpmath quadrature of the virtual
  wait density (Mandelbaum and Zeltyn, "The M/M/n+G queue: summary of performance measures"):
  f(s) = (N mu / Z) exp(lambda / theta (1 - e^(-theta s)) - N mu s) for s > 0.
Nothing here shares code or method with the Rust core.
"""

from __future__ import annotations

from mpmath import mp, mpf
from reference import erlang_b

mp.dps = 50

FIELDS = (
    "p_wait",
    "p_abandon",
    "p_abandon_given_wait",
    "mean_queue",
    "asa_all_seconds",
    "asa_answered_seconds",
    "mean_wait_abandoned_seconds",
    "occupancy",
    "answered_within",
    "abandoned_within",
    "sl_answered",
    "sl_offered",
    "sl_excl_short_abandons",
    "sl_short_abandons_ok",
    "sl_virtual",
)


def chain(n: int, load, aht, patience, extra_states: int = 3000) -> dict:
    """P(wait), P(abandon), mean queue, share served after waiting, summing the chain."""
    mu, theta = 1 / mpf(aht), 1 / mpf(patience)
    lam = mpf(load) * mu
    p = [mpf(1)]
    for j in range(1, n + extra_states):
        rate = j * mu if j <= n else n * mu + (j - n) * theta
        p.append(p[-1] * lam / rate)
    z = mp.fsum(p)
    queue = mp.fsum((j - n) * p[j] for j in range(n, len(p))) / z
    x = n * mu / theta
    # An arrival finding m callers waiting is served with probability x / (x + m + 1).
    served_after_wait = mp.fsum(p[n + m] * x / (x + m + 1) for m in range(len(p) - n)) / z
    return {
        "p_wait": mp.fsum(p[n:]) / z,
        "p_abandon": theta * queue / lam,
        "mean_queue": queue,
        "served_after_wait": served_after_wait,
    }


def _integral(f, lo, hi, points):
    nodes = sorted({lo, hi, *[p for p in points if lo < p < hi]})
    return mp.quad(f, nodes)


def _scaled_lower_gamma(x, y):
    """gamma(x + 1, y) e^y y^-x, the queue part of the chain relative to its first state."""
    try:
        lower = mp.gammainc(x + 1, 0, y)
    except mp.NoConvergence:
        lower = mp.gamma(x + 1) - mp.gammainc(x + 1, y)
    return lower * mp.exp(y) * y ** (-x)


def _exact_difference(f, negligible):
    """f() returns (a, b); a - b, with the working precision doubled until it settles, or
    until it is certainly below `negligible` (beyond any double, its digits do not matter)."""
    previous = None
    for dps in (50, 100, 200, 400, 800, 1600):
        with mp.workdps(dps):
            a, b = f()
            diff = a - b
        if previous is not None and abs(diff - previous) <= mpf(10) ** -30 * abs(diff):
            return +diff
        if abs(diff) + abs(a) * mpf(10) ** (10 - dps) < negligible:
            return mpf(0)
        previous = diff
    raise AssertionError("difference did not settle")


def _waits_by_state(x, y, theta, z):
    """E[wait; served] and E[wait; abandoned], summed over the callers m an arrival finds
    waiting: served with probability x / (x + m + 1) after sum_{k<=m+1} 1 / (theta (x + k)),
    or abandoning after (1 / (theta (x + m + 1))) sum_{k<=m+1} k / (x + k) on average."""
    weight, served, abandoned, total = mpf(1), mpf(0), mpf(0), mpf(0)
    h = k_sum = mpf(0)
    m = 0
    while True:
        h += 1 / (x + m + 1)
        k_sum += (m + 1) / (x + m + 1)
        served += weight * x / (x + m + 1) * h
        abandoned += weight * k_sum / (x + m + 1)
        total += weight
        if m > y - x and weight < mpf(10) ** -60 * total:
            break
        m += 1
        weight *= y / (x + m)
    return served / (theta * z), abandoned / (theta * z)


def _chain_parts(n, load, aht, patience):
    mu, theta = 1 / aht, 1 / patience
    x, y = n * mu / theta, load * mu / theta
    idle = (n / load) / erlang_b(n - 1, load)
    g = _scaled_lower_gamma(x, y)
    return x, y, idle, g


def erlang_a(n, load, aht, patience, t, *, by_quadrature=False) -> dict:
    """Every figure of one case.

    The "within t" figures come from the Garnett-Mandelbaum-Reiman closed forms at y and at
    y e^(-t / patience), their difference taken at whatever precision covers its cancellation;
    with by_quadrature=True they come from integrating the virtual wait density instead (the
    tests check that both routes agree where quadrature is reliable).
    """
    n, load, aht, patience, t = (mpf(v) for v in (n, load, aht, patience, t))
    mu, theta = 1 / aht, 1 / patience
    x, y, idle, g = _chain_parts(n, load, aht, patience)
    z = idle + 1 + g
    m = y + (y - x) * g
    p_wait = (1 + g) / z
    p_ab = m / (y * z)

    def density(s):
        return n * mu / z * mp.exp(y * (1 - mp.exp(-theta * s)) - n * mu * s)

    # Break points: the density's peak and a ladder of scales, so quad sees every feature.
    peak = mp.log(y / x) / theta if y > x else mpf(0)
    scale = 1 / (n * mu + lam) if (lam := load * mu) else 1 / (n * mu)
    points = [peak, *[scale * 4**k for k in range(-2, 12)]]
    served_wait = x * g / (y * z)
    if y - x < 20_000:
        wait_served, wait_abandoned = _waits_by_state(x, y, theta, z)
    else:  # too many queue states to sum: integrate the density (smooth at this scale)
        wait_served = _integral(lambda s: s * mp.exp(-theta * s) * density(s), 0, mp.inf, points)
        wait_abandoned = p_ab / theta - wait_served
    if by_quadrature:
        waited_within = _integral(density, 0, t, points)
        served_within = _integral(lambda s: mp.exp(-theta * s) * density(s), 0, t, points)
        left_within = _integral(lambda s: -mp.expm1(-theta * s) * density(s), 0, t, points)
        virtual_exceeds = p_wait - waited_within
        abandoned_within = left_within - mp.expm1(-theta * t) * virtual_exceeds
    else:

        def pair(which):
            def f():
                # Everything from the exact inputs at the current precision: figures at
                # y_t = y e^(-theta t), scaled back by exp(y - y_t - N mu t).
                x_, y_, _, g_ = _chain_parts(n, load, aht, patience)
                y_t = y_ * mp.exp(-t / patience)
                factor = mp.exp(y_ - y_t - n * t / aht)
                g_t = _scaled_lower_gamma(x_, y_t)
                if which == "s":
                    return 1 + g_, factor * (1 + g_t)
                if which == "g":
                    return g_, factor * g_t
                return y_ + (y_ - x_) * g_, factor * (y_t + (y_t - x_) * g_t)

            return f

        tiny = z * mpf(10) ** -330
        waited_within = _exact_difference(pair("s"), tiny) / z
        served_within = x / y * _exact_difference(pair("g"), tiny) / z
        abandoned_within = _exact_difference(pair("m"), tiny) / (y * z)
    answered = idle / z + served_wait
    answered_within = idle / z + served_within
    asa_all = p_ab / theta
    return {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "p_abandon_given_wait": p_ab / p_wait,
        "mean_queue": m / z,
        "asa_all_seconds": asa_all,
        "asa_answered_seconds": wait_served / answered,
        "mean_wait_abandoned_seconds": wait_abandoned / p_ab,
        "occupancy": load * answered / n,
        "answered_within": answered_within,
        "abandoned_within": abandoned_within,
        "sl_answered": answered_within / answered,
        "sl_offered": answered_within,
        "sl_excl_short_abandons": answered_within / (1 - abandoned_within),
        "sl_short_abandons_ok": answered_within + abandoned_within,
        "sl_virtual": idle / z + waited_within,
        "served_after_wait": served_wait,
    }
