//! Aggregation kernel over interval rows: group codes, row checks, a uniqueness check and
//! group-wise sums, maxima and counts, all in one pass over contiguous columns.
//!
//! Roll-ups are ratios of these sums (calls-weighted service level, workload over staffed
//! time...), never averages of averages; the caller forms the ratios per group.

use std::ops::Range;

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
    /// The code space of the group keys (or of the unique keys) is too large for dense codes,
    /// or much larger than the rows: the caller compacts the keys to the observed ones.
    TooManyCodes { unique: bool },
    /// A key value off its grid (exact keys) or beyond its size; `key` counts the group keys,
    /// then the unique keys.
    OffGrid { row: usize, key: usize },
    /// A row breaking a rule.
    Broken { row: usize, rule: usize },
    /// The unique keys of `row` repeat an earlier row's.
    Duplicate { row: usize },
}

impl Problem {
    fn row(&self) -> Option<usize> {
        match *self {
            Problem::OffGrid { row, .. }
            | Problem::Broken { row, .. }
            | Problem::Duplicate { row } => Some(row),
            Problem::Length { .. } | Problem::TooManyCodes { .. } => None,
        }
    }
}

/// The problem at the earlier row; `a` at the same row.
fn earliest(a: Option<Problem>, b: Option<Problem>) -> Option<Problem> {
    match (a, b) {
        (Some(a), Some(b)) if b.row() < a.row() => Some(b),
        (a, b) => a.or(b),
    }
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
/// previous row is reused while the value stays in its cell. Every row is coded (rows off a
/// grid as `NONE`); the error names the first row off a grid.
fn block_codes(
    keys: &[Key<'_>],
    from: usize,
    wide: &mut [u64],
    codes: &mut [u32],
) -> Result<(), Problem> {
    const GONE: u64 = u64::MAX;
    let mut off_grid: Option<Problem> = None;
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
                let on_grid = !key.exact || shifted == part.wrapping_mul(key.step);
                if part < 0 || part as u64 >= key.size || !on_grid {
                    *slot = GONE;
                    let here = Problem::OffGrid {
                        row: from + i,
                        key: k,
                    };
                    off_grid = earliest(off_grid, Some(here));
                    continue;
                }
                low = key.offset.wrapping_add(part.wrapping_mul(key.step));
                high = low.saturating_add(key.step);
                cached = part as u64;
            }
            *slot = *slot * key.size + cached;
        }
    }
    for (code, &w) in codes.iter_mut().zip(wide.iter()) {
        *code = if w == GONE { NONE } else { w as u32 };
    }
    off_grid.map_or(Ok(()), Err)
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

/// The dense code space of `keys`, if it is at most `limit`.
fn space(keys: &[Key<'_>], limit: u64) -> Option<u64> {
    keys.iter()
        .try_fold(1u64, |acc, k| acc.checked_mul(k.size.max(1)))
        .filter(|&n| n <= limit.min(MAX_CODES))
}

/// Groups per row beyond which dense totals would cost far more memory than the rows (a
/// one-second roll-up over years of sparse rows): the caller compacts the keys instead.
const GROUPS_PER_ROW: u64 = 8;
/// Unique codes per row (one bit each) beyond which the caller checks repeats itself.
const UNIQUE_CODES_PER_ROW: u64 = 64;

/// Runs a reduction in one go.
pub fn reduce(spec: &Spec<'_>) -> Result<GroupTotals, Problem> {
    let mut reduction = Reduction::new(spec)?;
    reduction.feed(0..reduction.rows())?;
    Ok(reduction.finish())
}

/// A reduction fed range by range, in row order (a caller may check for interrupts between
/// ranges). Each range is split across the lanes (one per core, each with its own totals),
/// while one sequential pass marks the unique keys; the earliest problem in row order is
/// reported whatever the split. After a problem the reduction is spent.
pub struct Reduction<'s, 'a> {
    spec: &'s Spec<'a>,
    rows: usize,
    lanes: Vec<GroupTotals>,
    invalid: Vec<usize>,
    /// One bit per unique code seen; None when no key can repeat.
    seen: Option<Vec<u64>>,
}

impl<'s, 'a> Reduction<'s, 'a> {
    pub fn new(spec: &'s Spec<'a>) -> Result<Self, Problem> {
        let rows = spec
            .group
            .iter()
            .chain(&spec.unique)
            .map(|k| k.values.len())
            .chain(spec.columns.iter().map(|c| c.len()))
            .next()
            .unwrap_or(0);
        let keys = spec
            .group
            .iter()
            .chain(&spec.unique)
            .map(|k| k.values.len());
        let lengths = keys.chain(spec.columns.iter().map(|c| c.len()));
        if let Some((column, len)) = lengths.enumerate().find(|(_, len)| *len != rows) {
            return Err(Problem::Length { column, len, rows });
        }
        let many = |per_row: u64| (rows as u64).max(1 << 16).saturating_mul(per_row);
        let groups = space(&spec.group, many(GROUPS_PER_ROW))
            .ok_or(Problem::TooManyCodes { unique: false })? as usize;
        let seen = if spec.unique.is_empty() {
            None
        } else {
            let codes = space(&spec.unique, many(UNIQUE_CODES_PER_ROW))
                .ok_or(Problem::TooManyCodes { unique: true })?;
            // Rows in strictly ascending key order cannot repeat a key: most files are sorted.
            (!ascending(&spec.unique, 0..rows)).then(|| vec![0u64; codes.div_ceil(64) as usize])
        };
        // Lanes' totals cost memory per group: no more lanes than the rows pay for.
        let lanes = if rows >= PARALLEL_MIN_ROWS {
            let affordable = (4 * rows / groups.max(1)).max(1);
            rayon::current_num_threads().clamp(1, affordable)
        } else {
            1
        };
        let (k, m) = (spec.sums.len(), spec.maxima.len());
        Ok(Reduction {
            spec,
            rows,
            lanes: (0..lanes)
                .map(|_| GroupTotals::empty(groups, k, m))
                .collect(),
            invalid: Vec::new(),
            seen,
        })
    }

    /// Splits every range fed into `lanes` parts, whatever the input's size.
    #[cfg(test)]
    fn with_lanes(mut self, lanes: usize) -> Self {
        let empty = self.lanes[0].clone();
        self.lanes = vec![empty; lanes];
        self
    }

    /// Rows of every column.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Checks and totals the rows of `range` (the next ones after the last range fed).
    pub fn feed(&mut self, range: Range<usize>) -> Result<(), Problem> {
        let (start, end) = (range.start.min(self.rows), range.end.min(self.rows));
        let spec = self.spec;
        let part = (end.saturating_sub(start))
            .div_ceil(self.lanes.len())
            .max(1);
        let (repeat, parts) = rayon::join(
            || match self.seen.as_mut() {
                Some(seen) => mark_unique(spec, start..end, seen),
                None => Ok(()),
            },
            || {
                let lanes = self.lanes.par_iter_mut().enumerate();
                lanes
                    .map(|(i, totals)| {
                        let from = (start + i * part).min(end);
                        total(spec, from..(from + part).min(end), totals)
                    })
                    .collect::<Vec<_>>()
            },
        );
        // Parts cover the range in order and stop at their first problem: the first failing
        // part has the earliest one.
        let mut problem = repeat.err();
        for part in parts {
            match part {
                Ok(invalid) => self.invalid.extend(invalid),
                Err(p) => {
                    problem = earliest(problem, Some(p));
                    break;
                }
            }
        }
        problem.map_or(Ok(()), Err)
    }

    /// The totals of every row fed.
    pub fn finish(self) -> GroupTotals {
        let mut lanes = self.lanes.into_iter();
        let first = lanes.next().expect("at least one lane");
        let mut total = lanes.fold(first, GroupTotals::merge);
        total.invalid = self.invalid;
        total
    }
}

/// Marks the unique keys of `range` as seen, in row order: the first key off its grid or
/// seen before is the problem.
fn mark_unique(spec: &Spec<'_>, range: Range<usize>, seen: &mut [u64]) -> Result<(), Problem> {
    let (mut wide, mut codes) = (vec![0u64; BLOCK], vec![NONE; BLOCK]);
    for from in range.clone().step_by(BLOCK) {
        let n = (range.end - from).min(BLOCK);
        let off_grid = block_codes(&spec.unique, from, &mut wide[..n], &mut codes[..n])
            .map_err(|p| match p {
                Problem::OffGrid { row, key } => Problem::OffGrid {
                    row,
                    key: spec.group.len() + key,
                },
                other => other,
            })
            .err();
        let mut repeat = None;
        for (i, &c) in codes[..n].iter().enumerate().filter(|(_, &c)| c != NONE) {
            let (word, bit) = ((c / 64) as usize, 1u64 << (c % 64));
            if seen[word] & bit != 0 {
                repeat = Some(Problem::Duplicate { row: from + i });
                break;
            }
            seen[word] |= bit;
        }
        if let Some(p) = earliest(off_grid, repeat) {
            return Err(p);
        }
    }
    Ok(())
}

/// Adds the rows of `range` to `t`, in row order; returns the rows left out for breaking a
/// rule, or the first problem.
fn total(spec: &Spec<'_>, range: Range<usize>, t: &mut GroupTotals) -> Result<Vec<usize>, Problem> {
    let (k, m) = (spec.sums.len(), spec.maxima.len());
    let mut invalid = Vec::new();
    let mut codes = vec![NONE; BLOCK];
    let mut wide = vec![0u64; BLOCK];
    let mut broken = vec![NO_RULE; BLOCK];
    for from in range.clone().step_by(BLOCK) {
        let to = (from + BLOCK).min(range.end);
        let n = to - from;
        let codes = &mut codes[..n];
        let broken = &mut broken[..n];
        let off_grid = block_codes(&spec.group, from, &mut wide[..n], codes).err();
        // Column by column: each loop is short and branch-free enough to run fast.
        broken.fill(NO_RULE);
        for (r, rule) in spec.rules.iter().enumerate().rev() {
            rule.mark(&spec.columns, from..to, r as u16, broken);
        }
        let first_broken = (!spec.skip_invalid)
            .then(|| broken.iter().position(|&r| r != NO_RULE))
            .flatten()
            .map(|i| Problem::Broken {
                row: from + i,
                rule: broken[i] as usize,
            });
        if let Some(p) = earliest(off_grid, first_broken) {
            return Err(p);
        }
        for (i, &r) in broken.iter().enumerate() {
            if r != NO_RULE {
                invalid.push(from + i);
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
    Ok(invalid)
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
        assert_eq!(reduce(&s), Err(Problem::OffGrid { row: 1, key: 1 }));
    }

    /// A deterministic stream of numbers in 0..n (a linear congruential generator).
    fn picker(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % n as u64) as usize
        }
    }

    #[test]
    fn the_first_problem_in_row_order_wins_whatever_the_parts() {
        const ROWS: usize = 40;
        let mut pick = picker(7);
        for case in 0..400 {
            // Every kind of problem, each present or not, at distinct random rows.
            let mut rows: Vec<usize> = Vec::new();
            let mut place = |pick: &mut dyn FnMut(usize) -> usize| loop {
                let row = 1 + pick(ROWS - 1);
                if !rows.contains(&row) && !rows.contains(&(row - 1)) {
                    rows.push(row);
                    return row;
                }
            };
            let wanted: Vec<bool> = (0..4).map(|_| pick(3) > 0).collect();
            let mut times: Vec<i64> = (0..ROWS as i64).collect();
            let mut queue = vec![0i64; ROWS];
            let mut calls = vec![1.0; ROWS];
            let mut expected = Vec::new();
            if wanted[0] {
                let row = place(&mut pick);
                calls[row] = -1.0;
                expected.push(Problem::Broken { row, rule: 0 });
            }
            if wanted[1] {
                let row = place(&mut pick);
                times[row] = 1000;
                expected.push(Problem::OffGrid { row, key: 1 });
            }
            if wanted[2] {
                let row = place(&mut pick);
                queue[row] = 5;
                expected.push(Problem::OffGrid { row, key: 0 });
            }
            if wanted[3] {
                // Repeats the row before it, which is kept free of other problems.
                let row = place(&mut pick);
                times[row] = times[row - 1];
                expected.push(Problem::Duplicate { row });
            }
            let expected = expected.into_iter().min_by_key(|p| p.row());
            let mut s = spec(vec![key(&queue, 1)], vec![&calls]);
            s.unique = vec![key(&times, 64)];
            s.rules = vec![Rule::Count(0)];
            for lanes in [1, 3, 4, 7] {
                for split in [ROWS, 13, 5] {
                    let mut r = Reduction::new(&s).unwrap().with_lanes(lanes);
                    let got = (0..ROWS)
                        .step_by(split)
                        .try_for_each(|from| r.feed(from..from + split))
                        .err();
                    assert_eq!(
                        got, expected,
                        "case {case}, {lanes} lanes, ranges of {split}"
                    );
                }
            }
        }
    }

    #[test]
    fn skipped_rows_and_totals_do_not_depend_on_the_parts() {
        const ROWS: usize = 1000;
        let mut pick = picker(11);
        let queue: Vec<i64> = (0..ROWS).map(|_| pick(5) as i64).collect();
        let calls: Vec<f64> = (0..ROWS)
            .map(|_| {
                if pick(10) == 0 {
                    -1.0
                } else {
                    pick(100) as f64
                }
            })
            .collect();
        let mut s = spec(vec![key(&queue, 5)], vec![&calls]);
        s.rules = vec![Rule::Count(0)];
        s.skip_invalid = true;
        let one = reduce(&s).unwrap();
        assert_eq!(
            one.invalid,
            (0..ROWS).filter(|&i| calls[i] < 0.0).collect::<Vec<_>>()
        );
        for lanes in [3, 8] {
            let mut r = Reduction::new(&s).unwrap().with_lanes(lanes);
            for from in (0..ROWS).step_by(97) {
                r.feed(from..from + 97).unwrap();
            }
            // Whole numbers: the sums are exact in any order.
            assert_eq!(r.finish(), one, "{lanes} lanes");
        }
    }

    #[test]
    fn a_repeat_seen_first_by_a_later_part_is_reported_in_row_order() {
        // Four threads split the rows into four parts. The key of row 65 000 (part 0) repeats
        // at row 196 700, early in part 3, which may mark it first; row 70 000 (part 1) is off
        // its grid and comes before the repeat, so it is the problem, on every run.
        let rows = 4 * PARALLEL_MIN_ROWS;
        let mut times: Vec<i64> = (0..rows as i64).rev().collect();
        times[196_700] = times[65_000];
        times[70_000] = -1;
        let queue = vec![0i64; rows];
        let calls = vec![1.0; rows];
        let mut s = spec(vec![key(&queue, 1)], vec![&calls]);
        s.unique = vec![key(&times, rows as u64)];
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        for _ in 0..20 {
            let got = pool.install(|| reduce(&s));
            assert_eq!(
                got,
                Err(Problem::OffGrid {
                    row: 70_000,
                    key: 1
                })
            );
        }
    }

    #[test]
    fn sparse_groups_ask_the_caller_to_compact_them() {
        // A few rows spread over a huge code space (a one-second roll-up over years).
        let times = [0_i64, 150_000_000];
        let calls = [1.0, 2.0];
        let s = spec(vec![key(&times, 150_000_001)], vec![&calls]);
        assert_eq!(reduce(&s), Err(Problem::TooManyCodes { unique: false }));
        let mut s = spec(vec![key(&[0, 0], 1)], vec![&calls]);
        s.unique = vec![key(&times, 150_000_001)];
        assert_eq!(reduce(&s), Err(Problem::TooManyCodes { unique: true }));
    }
}
