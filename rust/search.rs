//! Searches used by sizing and the inverse problems.

/// States of a queue model over whole server counts, with cheap moves to the neighbours.
///
/// `at` evaluates directly (cost independent of n); `up` and `down` may use a recurrence.
pub(crate) trait Ladder {
    type State: Copy;
    fn at(&self, n: u64) -> Self::State;
    fn up(&self, n: u64, _state: &Self::State) -> Self::State {
        self.at(n + 1)
    }
    fn down(&self, n: u64, _state: &Self::State) -> Self::State {
        self.at(n - 1)
    }
}

/// Steps walked from the guess before switching to galloping and bisection.
const WALK: u64 = 16;

/// The smallest `n >= lo` where `meets` holds, for a predicate that is false then true as n
/// grows. Starts at `guess`, walks a few rungs with the recurrence, then gallops and bisects
/// with direct evaluations, so the cost does not grow with n.
pub(crate) fn first_meeting<L: Ladder>(
    ladder: &L,
    lo: u64,
    guess: u64,
    meets: impl Fn(u64, &L::State) -> bool,
) -> (u64, L::State) {
    let mut n = guess.max(lo);
    let mut state = ladder.at(n);
    if meets(n, &state) {
        for _ in 0..WALK {
            if n == lo {
                return (n, state);
            }
            let below = ladder.down(n, &state);
            if !meets(n - 1, &below) {
                return (n, state);
            }
            n -= 1;
            state = below;
        }
        if n == lo {
            return (n, state);
        }
        let bottom = ladder.at(lo);
        if meets(lo, &bottom) {
            return (lo, bottom);
        }
        return bisect(ladder, lo, n, state, &meets);
    }
    for _ in 0..WALK {
        state = ladder.up(n, &state);
        n += 1;
        if meets(n, &state) {
            return (n, state);
        }
    }
    let mut step = WALK;
    loop {
        let failed = n;
        n += step;
        state = ladder.at(n);
        if meets(n, &state) {
            return bisect(ladder, failed, n, state, &meets);
        }
        step *= 2;
    }
}

/// Narrows `(fails, meets]` down to adjacent rungs.
fn bisect<L: Ladder>(
    ladder: &L,
    mut fails: u64,
    mut hit: u64,
    mut state: L::State,
    meets: &impl Fn(u64, &L::State) -> bool,
) -> (u64, L::State) {
    while hit - fails > 1 {
        let mid = fails + (hit - fails) / 2;
        let probe = ladder.at(mid);
        if meets(mid, &probe) {
            hit = mid;
            state = probe;
        } else {
            fails = mid;
        }
    }
    (hit, state)
}

/// A root of continuous `g` between `lo` and `hi`, where `g(lo)` and `g(hi)` differ in sign:
/// the Illinois variant of regula falsi, with a bisection whenever it stalls.
pub(crate) fn bracketed_root(mut lo: f64, mut hi: f64, g: impl Fn(f64) -> f64) -> f64 {
    let (mut g_lo, mut g_hi) = (g(lo), g(hi));
    if g_lo == 0.0 {
        return lo;
    }
    if g_hi == 0.0 {
        return hi;
    }
    let mut kept = 0_i8; // which end survived the last step: -1 low, +1 high
    for _ in 0..400 {
        let width = hi - lo;
        if width.abs() <= 4.0 * f64::EPSILON * lo.abs().max(hi.abs()) {
            break;
        }
        let mut x = (lo * g_hi - hi * g_lo) / (g_hi - g_lo);
        if !(x > lo.min(hi) && x < lo.max(hi)) || kept.abs() > 2 {
            x = lo + 0.5 * width;
            kept = 0;
        }
        let g_x = g(x);
        if g_x == 0.0 {
            return x;
        }
        if (g_x > 0.0) == (g_lo > 0.0) {
            lo = x;
            g_lo = g_x;
            if kept > 0 {
                g_hi *= 0.5;
            }
            kept = if kept > 0 { kept + 1 } else { 1 };
        } else {
            hi = x;
            g_hi = g_x;
            if kept < 0 {
                g_lo *= 0.5;
            }
            kept = if kept < 0 { kept - 1 } else { -1 };
        }
    }
    if g_lo.abs() < g_hi.abs() {
        lo
    } else {
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Squares;
    impl Ladder for Squares {
        type State = u64;
        fn at(&self, n: u64) -> u64 {
            n * n
        }
    }

    #[test]
    fn finds_first_rung_from_any_guess() {
        for guess in [0, 5, 31, 32, 33, 100, 100_000] {
            let (n, sq) = first_meeting(&Squares, 3, guess, |_, sq| *sq >= 1000);
            assert_eq!((n, sq), (32, 1024), "guess {guess}");
        }
        assert_eq!(first_meeting(&Squares, 3, 50, |_, _| true).0, 3);
    }

    #[test]
    fn root_of_smooth_and_flat_functions() {
        let r = bracketed_root(0.0, 3.0, |x| x * x - 2.0);
        assert!((r - 2f64.sqrt()).abs() < 1e-15);
        let r = bracketed_root(0.0, 50.0, |x| (x.powi(9) - 1e-3).tanh());
        assert!((r - 1e-3f64.powf(1.0 / 9.0)).abs() < 1e-12);
    }
}
