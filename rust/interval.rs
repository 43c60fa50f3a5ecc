//! Aggregation kernel over interval rows: group codes, row checks, a uniqueness check and
//! group-wise sums, maxima and counts, all in one pass over contiguous columns.
//!
//! Roll-ups are ratios of these sums (calls-weighted service level, workload over staffed
//! time...), never averages of averages; the caller forms the ratios per group.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

/// Below this many rows one thread is faster than splitting the work.
const PARALLEL_MIN_ROWS: usize = 1 << 16;
/// Rows handled together, column by column.
const BLOCK: usize = 2048;
/// The group code of a row in no group.
const NONE: u32 = u32::MAX;
/// No rule broken.
const NO_RULE: u16 = u16::MAX;
/// A missing key value: the row belongs to no group.
pub const MISSING: i64 = i64::MIN;
/// Largest dense code space (groups, or keys checked for uniqueness).
pub const MAX_CODES: u64 = (1 << 32) - 1;

/// One key column: row i's part is `floor((values[i] - offset) / step)`, in `0..size`.
/// `MISSING` (NaT's own value) puts the row in no group.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    pub values: &'a [i64],
    pub offset: i64,
    pub step: i64,
    pub size: u64,
    /// The values must lie on the grid (`(value - offset) % step == 0`).
    pub exact: bool,
}

/// A rule every row must keep, over the sum columns (by position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// finite and >= 0
    Count(usize),
    /// `a <= b`
    AtMost(usize, usize),
    /// `a + b <= c`
    SumAtMost(usize, usize, usize),
}

/// What one group total adds up, over the columns (by position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    /// the column's values
    Column(usize),
    /// `a * b`, e.g. calls x service level for a calls-weighted mean
    Product(usize, usize),
    /// 1 where the column is > 0, e.g. intervals with calls
    Positive(usize),
}

impl Term {
    /// This term summed over `rows`.
    fn total(&self, columns: &[&[f64]], rows: Range<usize>) -> f64 {
        let column = |c: usize| &columns[c][rows.clone()];
        match *self {
            Term::Column(c) => dot(column(c), None),
            Term::Product(a, b) => dot(column(a), Some(column(b))),
            Term::Positive(c) => column(c).iter().filter(|&&v| v > 0.0).count() as f64,
        }
    }
}

/// `sum(a)` or `sum(a * b)` with four independent accumulators: a single chain of additions
/// would wait on each add's latency, and runs of a group's rows are summed many times over.
#[inline]
fn dot(a: &[f64], b: Option<&[f64]>) -> f64 {
    let mut acc = [0.0; 4];
    let (head, tail) = a.split_at(a.len() - a.len() % 4);
    match b {
        None => {
            for quad in head.chunks_exact(4) {
                for (s, v) in acc.iter_mut().zip(quad) {
                    *s += v;
                }
            }
            acc[0] += tail.iter().sum::<f64>();
        }
        Some(b) => {
            let (b_head, b_tail) = b.split_at(head.len());
            for (qa, qb) in head.chunks_exact(4).zip(b_head.chunks_exact(4)) {
                for ((s, x), y) in acc.iter_mut().zip(qa).zip(qb) {
                    *s += x * y;
                }
            }
            acc[0] += tail.iter().zip(b_tail).map(|(x, y)| x * y).sum::<f64>();
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

impl Rule {
    /// Marks the rows of `range` that break this rule with `index` (called from the last rule
    /// to the first, so each row keeps the first rule it breaks).
    fn mark(&self, columns: &[&[f64]], range: Range<usize>, index: u16, broken: &mut [u16]) {
        let at = |c: usize| &columns[c][range.clone()];
        match *self {
            Rule::Count(c) => mark(
                broken,
                index,
                at(c).iter().map(|v| !(*v >= 0.0 && v.is_finite())),
            ),
            Rule::AtMost(a, b) => mark(broken, index, at(a).iter().zip(at(b)).map(|(x, y)| x > y)),
            Rule::SumAtMost(a, b, c) => {
                let sums = at(a).iter().zip(at(b)).map(|(x, y)| x + y);
                mark(broken, index, sums.zip(at(c)).map(|(s, z)| s > *z))
            }
        }
    }
}

#[inline]
fn mark(broken: &mut [u16], index: u16, bad: impl Iterator<Item = bool>) {
    for (slot, b) in broken.iter_mut().zip(bad) {
        // Branch-free, so the loop vectorises.
        *slot = if b { index } else { *slot };
    }
}

/// What one reduction does.
pub struct Spec<'a> {
    pub group: Vec<Key<'a>>,
    /// Keys whose combination must not repeat (e.g. queue and interval); empty for none.
    pub unique: Vec<Key<'a>>,
    pub columns: Vec<&'a [f64]>,
    pub sums: Vec<Term>,
    /// Columns whose largest value per group is wanted.
    pub maxima: Vec<usize>,
    /// Rules over the columns.
    pub rules: Vec<Rule>,
    /// Leave rows that break a rule out of every group (else the first one is an error).
    pub skip_invalid: bool,
}

/// Why a reduction stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A column's length differs from the first key's (keys, then columns, by position).
    Length {
        column: usize,
        len: usize,
        rows: usize,
    },
    /// The code space of the keys is too large for dense codes.
    TooManyCodes,
    /// A key value off its grid (exact keys) or beyond its size.
    OffGrid { row: usize, key: usize },
    /// A row breaking a rule.
    Broken { row: usize, rule: usize },
    /// The unique keys of `row` repeat an earlier row's.
    Duplicate { row: usize },
}

/// Per-group totals of several columns.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupTotals {
    pub groups: usize,
    /// `sums[g * k + j]`: sum of column j over the rows of group g (k sum columns).
    pub sums: Vec<f64>,
    /// `maxima[g * m + j]`: largest value of max column j in group g (-inf when empty).
    pub maxima: Vec<f64>,
    /// Rows per group.
    pub counts: Vec<u64>,
    /// Rows left out for breaking a rule, in order.
    pub invalid: Vec<usize>,
}

impl GroupTotals {
    fn empty(groups: usize, k: usize, m: usize) -> Self {
        GroupTotals {
            groups,
            sums: vec![0.0; groups * k],
            maxima: vec![f64::NEG_INFINITY; groups * m],
            counts: vec![0; groups],
            invalid: Vec::new(),
        }
    }

    fn merge(mut self, other: GroupTotals) -> Self {
        for (a, b) in self.sums.iter_mut().zip(other.sums) {
            *a += b;
        }
        for (a, b) in self.maxima.iter_mut().zip(other.maxima) {
            *a = a.max(b);
        }
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.invalid.extend(other.invalid);
        self
    }
}

/// `floor(a / b)` for b > 0: a float division truncated (one instruction, where `floor` is a
/// libm call on baseline x86-64), corrected to exactness; an integer division costs several
/// times more and this runs once per row and key.
#[inline]
fn floor_div(a: i64, b: i64) -> i64 {
    let mut q = (a as f64 / b as f64) as i64;
    let mut r = a.wrapping_sub(q.wrapping_mul(b));
    while r < 0 {
        q -= 1;
        r += b;
    }
    while r >= b {
        q += 1;
        r -= b;
    }
    q
}

/// Row codes of a block over `keys`, key by key: `codes[i]` becomes the group of row
/// `from + i`, or `NONE`. Sorted data repeats a key's part over many rows, so the part of the
/// previous row is reused while the value stays in its cell.
fn block_codes(
    keys: &[Key<'_>],
    from: usize,
    wide: &mut [u64],
    codes: &mut [u32],
) -> Result<(), Problem> {
    const GONE: u64 = u64::MAX;
    wide.fill(0);
    for (k, key) in keys.iter().enumerate() {
        let values = &key.values[from..from + wide.len()];
        let (mut low, mut high, mut cached) = (i64::MAX, i64::MIN, 0u64);
        for (i, (slot, &v)) in wide.iter_mut().zip(values).enumerate() {
            if *slot == GONE {
                continue;
            }
            if v == MISSING {
                *slot = GONE;
                continue;
            }
            let hit = if key.exact {
                v == low
            } else {
                v >= low && v < high
            };
            if !hit {
                let shifted = v.wrapping_sub(key.offset);
                let part = if key.step == 1 {
                    shifted
                } else {
                    floor_div(shifted, key.step)
                };
                let off_grid = key.exact && shifted != part.wrapping_mul(key.step);
                if part < 0 || part as u64 >= key.size || off_grid {
                    return Err(Problem::OffGrid {
                        row: from + i,
                        key: k,
                    });
                }
                low = key.offset + part * key.step;
                high = low.saturating_add(key.step);
                cached = part as u64;
            }
            *slot = *slot * key.size + cached;
        }
    }
    for (code, &w) in codes.iter_mut().zip(wide.iter()) {
        *code = if w == GONE { NONE } else { w as u32 };
    }
    Ok(())
}

/// Whether the rows of `range` are in strictly ascending key order (then no key repeats
/// there): true of most interval files, and far cheaper to see than to mark every key.
fn ascending(keys: &[Key<'_>], range: Range<usize>) -> bool {
    range.clone().skip(1).all(|row| {
        for key in keys {
            let (before, now) = (key.values[row - 1], key.values[row]);
            if now != before {
                return now > before && before != MISSING;
            }
        }
        false
    })
}

fn space(keys: &[Key<'_>]) -> Option<u64> {
    keys.iter()
        .try_fold(1u64, |acc, k| acc.checked_mul(k.size.max(1)))
        .filter(|&n| n <= MAX_CODES)
}

/// Runs a reduction. Large inputs are split across cores; each part is summed in row order.
pub fn reduce(spec: &Spec<'_>) -> Result<GroupTotals, Problem> {
    let rows = spec.group.first().map_or(0, |k| k.values.len());
    let keys = spec
        .group
        .iter()
        .chain(&spec.unique)
        .map(|k| k.values.len());
    let lengths = keys.chain(spec.columns.iter().map(|c| c.len()));
    if let Some((column, len)) = lengths.enumerate().find(|(_, len)| *len != rows) {
        return Err(Problem::Length { column, len, rows });
    }
    let groups = space(&spec.group).ok_or(Problem::TooManyCodes)? as usize;
    let seen_bits = if spec.unique.is_empty() {
        0
    } else {
        space(&spec.unique)
            .ok_or(Problem::TooManyCodes)?
            .div_ceil(64) as usize
    };
    let seen: Vec<AtomicU64> = (0..seen_bits).map(|_| AtomicU64::new(0)).collect();
    // Rows in strictly ascending key order cannot repeat a key: most interval files are sorted.
    let check_unique = !spec.unique.is_empty() && !ascending(&spec.unique, 0..rows);
    let (k, m) = (spec.sums.len(), spec.maxima.len());
    let run = |start: usize, end: usize| -> Result<GroupTotals, Problem> {
        let mut t = GroupTotals::empty(groups, k, m);
        let mut codes = vec![NONE; BLOCK];
        let mut wide = vec![0u64; BLOCK];
        let mut unique_codes = vec![NONE; BLOCK];
        let mut broken = vec![NO_RULE; BLOCK];
        for from in (start..end).step_by(BLOCK) {
            let to = (from + BLOCK).min(end);
            let n = to - from;
            let codes = &mut codes[..n];
            let broken = &mut broken[..n];
            if check_unique {
                let unique_codes = &mut unique_codes[..n];
                block_codes(&spec.unique, from, &mut wide[..n], unique_codes)?;
                for (i, &c) in unique_codes.iter().enumerate().filter(|(_, &c)| c != NONE) {
                    let bit = 1u64 << (c % 64);
                    if seen[(c / 64) as usize].fetch_or(bit, Ordering::Relaxed) & bit != 0 {
                        return Err(Problem::Duplicate { row: from + i });
                    }
                }
            }
            block_codes(&spec.group, from, &mut wide[..n], codes)?;
            // Column by column: each loop is short and branch-free enough to run fast.
            broken.fill(NO_RULE);
            for (r, rule) in spec.rules.iter().enumerate().rev() {
                rule.mark(&spec.columns, from..to, r as u16, broken);
            }
            for (i, &r) in broken.iter().enumerate() {
                if r != NO_RULE {
                    if !spec.skip_invalid {
                        let rule = r as usize;
                        return Err(Problem::Broken {
                            row: from + i,
                            rule,
                        });
                    }
                    t.invalid.push(from + i);
                    codes[i] = NONE;
                }
            }
            // Runs of rows in one group (sorted data has long ones) are summed as slices.
            let mut i = 0;
            while i < n {
                let g = codes[i];
                let run = codes[i..].iter().take_while(|&&c| c == g).count();
                if g != NONE {
                    let rows = from + i..from + i + run;
                    let g = g as usize;
                    t.counts[g] += run as u64;
                    for (slot, term) in t.sums[g * k..(g + 1) * k].iter_mut().zip(&spec.sums) {
                        *slot += term.total(&spec.columns, rows.clone());
                    }
                    for (slot, &c) in t.maxima[g * m..(g + 1) * m].iter_mut().zip(&spec.maxima) {
                        *slot = spec.columns[c][rows.clone()]
                            .iter()
                            .fold(*slot, |a, &b| a.max(b));
                    }
                }
                i += run;
            }
        }
        Ok(t)
    };
    let chunk = if rows >= PARALLEL_MIN_ROWS {
        rows.div_ceil(rayon::current_num_threads().max(1))
    } else {
        rows.max(1)
    };
    let parts: Vec<Result<GroupTotals, Problem>> = (0..rows.div_ceil(chunk))
        .into_par_iter()
        .map(|i| run(i * chunk, ((i + 1) * chunk).min(rows)))
        .collect();
    let mut total = GroupTotals::empty(groups, k, m);
    let mut first_problem: Option<Problem> = None;
    for part in parts {
        match part {
            Ok(t) if first_problem.is_none() => total = total.merge(t),
            Ok(_) => {}
            Err(p) => {
                first_problem.get_or_insert(p);
            }
        }
    }
    match first_problem {
        // Parallel parts race to mark keys: name the first repeat in row order instead.
        Some(Problem::Duplicate { .. }) => Err(first_repeat(&spec.unique, rows)),
        Some(p) => Err(p),
        None => Ok(total),
    }
}

/// The first row, in row order, whose unique keys repeat an earlier row's.
fn first_repeat(keys: &[Key<'_>], rows: usize) -> Problem {
    let mut seen = std::collections::HashSet::new();
    let (mut wide, mut codes) = (vec![0u64; BLOCK], vec![NONE; BLOCK]);
    for from in (0..rows).step_by(BLOCK) {
        let n = (rows - from).min(BLOCK);
        if block_codes(keys, from, &mut wide[..n], &mut codes[..n]).is_err() {
            break; // the parallel pass already found every key on its grid
        }
        let repeat = codes[..n]
            .iter()
            .position(|&c| c != NONE && !seen.insert(c));
        if let Some(i) = repeat {
            return Problem::Duplicate { row: from + i };
        }
    }
    unreachable!("a duplicate was seen")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(values: &[i64], size: u64) -> Key<'_> {
        Key {
            values,
            offset: 0,
            step: 1,
            size,
            exact: true,
        }
    }

    fn spec<'a>(group: Vec<Key<'a>>, columns: Vec<&'a [f64]>) -> Spec<'a> {
        Spec {
            group,
            unique: vec![],
            sums: (0..columns.len()).map(Term::Column).collect(),
            columns,
            maxima: vec![],
            rules: vec![],
            skip_invalid: false,
        }
    }

    #[test]
    fn sums_maxima_and_counts_per_group() {
        let codes = [0, 1, 0, MISSING, 2, 0];
        let calls = [10.0, 5.0, 0.0, 99.0, 7.0, 3.0];
        let agents = [4.0, 2.0, 1.0, 50.0, 3.0, 6.0];
        let mut s = spec(vec![key(&codes, 4)], vec![&calls, &agents]);
        s.maxima = vec![1];
        s.sums.extend([Term::Product(0, 1), Term::Positive(0)]);
        let t = reduce(&s).unwrap();
        assert_eq!(t.sums[..8], [13.0, 11.0, 58.0, 2.0, 5.0, 2.0, 10.0, 1.0]);
        assert_eq!(t.maxima[..3], [6.0, 2.0, 3.0]);
        assert_eq!(t.counts, vec![3, 1, 1, 0]);
    }

    #[test]
    fn timestamps_floor_to_periods_and_combine_with_queues() {
        // Two queues, times in minutes floored to hours (offset 60).
        let queues = [0, 0, 1, 1, 0];
        let minutes = [60, 90, 60, 150, 179];
        let calls = [1.0, 2.0, 4.0, 8.0, 16.0];
        let hours = Key {
            values: &minutes,
            offset: 60,
            step: 60,
            size: 2,
            exact: false,
        };
        let t = reduce(&spec(vec![key(&queues, 2), hours], vec![&calls])).unwrap();
        assert_eq!(t.sums, vec![3.0, 16.0, 4.0, 8.0]);
    }

    #[test]
    fn large_inputs_split_across_cores_give_the_same_totals() {
        let rows = 3 * PARALLEL_MIN_ROWS + 17;
        let codes: Vec<i64> = (0..rows)
            .map(|i| {
                if i % 7 == 0 {
                    MISSING
                } else {
                    (i % 7) as i64 - 1
                }
            })
            .collect();
        let values: Vec<f64> = (0..rows).map(|i| (i % 13) as f64).collect();
        let t = reduce(&spec(vec![key(&codes, 6)], vec![&values])).unwrap();
        let mut want = [0.0; 6];
        for (c, v) in codes.iter().zip(&values) {
            if *c != MISSING {
                want[*c as usize] += v;
            }
        }
        assert_eq!(t.sums, want);
    }

    #[test]
    fn floor_division_is_exact() {
        for &b in &[1_i64, 7, 900_000_000, 86_400_000_000_000] {
            for &a in &[
                0_i64,
                1,
                -1,
                6,
                -7,
                1_775_000_000_000_000_000,
                -1_775_000_000_123_456_789,
            ] {
                assert_eq!(floor_div(a, b), a.div_euclid(b), "{a} / {b}");
            }
        }
    }

    #[test]
    fn rules_duplicates_and_grids_are_reported() {
        let codes = [0, 0, 0];
        let offered = [10.0, 5.0, 3.0];
        let answered = [9.0, 6.0, f64::NAN];
        let mut s = spec(vec![key(&codes, 1)], vec![&offered, &answered]);
        s.rules = vec![Rule::Count(1), Rule::AtMost(1, 0)];
        assert_eq!(reduce(&s), Err(Problem::Broken { row: 1, rule: 1 }));
        s.skip_invalid = true;
        let t = reduce(&s).unwrap();
        assert_eq!(
            (t.invalid.clone(), t.sums.clone()),
            (vec![1, 2], vec![10.0, 9.0])
        );
        let times = [0, 30, 30];
        s.unique = vec![key(&times, 31)];
        assert_eq!(reduce(&s), Err(Problem::Duplicate { row: 2 }));
        let off = [60, 31, 0];
        s.unique = vec![Key {
            values: &off,
            offset: 0,
            step: 30,
            size: 3,
            exact: true,
        }];
        assert_eq!(reduce(&s), Err(Problem::OffGrid { row: 1, key: 0 }));
    }
}
