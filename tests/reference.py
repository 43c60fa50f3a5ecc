"""Independent high-precision reference: Erlang formulas in mpmath at 50 digits.

Erlang B comes from the upper incomplete gamma function, 1/B = Γ(x+1, a) / (a^x e^-a),
computed by mpmath's own algorithms: nothing here shares code or method with the Rust core's
Temme / continued-fraction / series evaluation.
"""

from __future__ import annotations

from mpmath import mp, mpf

mp.dps = 50


def erlang_b(x, a):
    x, a = mpf(x), mpf(a)
    if a == 0:
        return mpf(1) if x == 0 else mpf(0)
    return mp.exp(x * mp.log(a) - a - mp.log(mp.gammainc(x + 1, a)))


def erlang_b_recurrence(n: int, a):
    """Textbook recurrence in exact-ish arithmetic, for whole n."""
    a = mpf(a)
    b = mpf(1)
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(n, a):
    n, a = mpf(n), mpf(a)
    if a == 0:
        return mpf(0)
    if n <= a:
        return mpf(1)
    b = erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def prob_wait_exceeds(n, a, aht, t):
    n, a = mpf(n), mpf(a)
    return erlang_c(n, a) * mp.exp(-(n - a) * mpf(t) / mpf(aht))


def service_level(n, a, aht, t):
    return 1 - prob_wait_exceeds(n, a, aht, t)


def asa(n, a, aht):
    n, a = mpf(n), mpf(a)
    return erlang_c(n, a) * mpf(aht) / (n - a)


def queue_length(n, a):
    n, a = mpf(n), mpf(a)
    return erlang_c(n, a) * a / (n - a)


def wait_quantile(n, a, aht, q):
    n, a, q = mpf(n), mpf(a), mpf(q)
    c = erlang_c(n, a)
    if c <= 1 - q:
        return mpf(0)
    return mpf(aht) / (n - a) * mp.log(c / (1 - q))


def rel_err(got, want) -> float:
    want = mpf(want)
    if want == 0:
        return abs(float(got))
    return float(abs((mpf(got) - want) / want))
