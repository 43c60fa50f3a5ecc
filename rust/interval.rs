//! Aggregation kernels over interval rows: group-wise sums, maxima and counts in one pass.
//!
//! Roll-ups are ratios of these sums (calls-weighted service level, workload over staffed
//! time...), never averages of averages; the ratios themselves are formed per group by the
//! caller. Rows whose group code is negative belong to no group and are skipped.

use rayon::prelude::*;

/// Below this many rows one thread is faster than splitting the work.
const PARALLEL_MIN_ROWS: usize = 1 << 16;

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
}

impl GroupTotals {
    fn empty(groups: usize, k: usize, m: usize) -> Self {
        GroupTotals {
            groups,
            sums: vec![0.0; groups * k],
            maxima: vec![f64::NEG_INFINITY; groups * m],
            counts: vec![0; groups],
        }
    }

    fn add_rows(
        &mut self,
        codes: &[i64],
        offset: usize,
        sum_columns: &[&[f64]],
        max_columns: &[&[f64]],
    ) {
        let (k, m) = (sum_columns.len(), max_columns.len());
        for (i, &code) in codes.iter().enumerate() {
            let Ok(g) = usize::try_from(code) else {
                continue;
            };
            let row = offset + i;
            self.counts[g] += 1;
            for (slot, column) in self.sums[g * k..(g + 1) * k].iter_mut().zip(sum_columns) {
                *slot += column[row];
            }
            for (slot, column) in self.maxima[g * m..(g + 1) * m].iter_mut().zip(max_columns) {
                *slot = slot.max(column[row]);
            }
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
        self
    }
}

/// Why a reduction cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeError {
    /// A column's length differs from the codes'.
    Length {
        column: usize,
        len: usize,
        rows: usize,
    },
    /// A group code at or above the number of groups.
    Code { row: usize, code: i64 },
}

/// Sums `sum_columns` and takes maxima of `max_columns` per group, `codes[i]` naming the
/// group of row i (0..groups, negative for none). Large inputs are split across cores; each
/// part is summed in row order, so results do not depend on timing.
pub fn group_totals(
    codes: &[i64],
    groups: usize,
    sum_columns: &[&[f64]],
    max_columns: &[&[f64]],
) -> Result<GroupTotals, ShapeError> {
    let rows = codes.len();
    for (column, values) in sum_columns.iter().chain(max_columns).enumerate() {
        if values.len() != rows {
            return Err(ShapeError::Length {
                column,
                len: values.len(),
                rows,
            });
        }
    }
    if let Some(row) = codes.iter().position(|&c| c >= groups as i64) {
        return Err(ShapeError::Code {
            row,
            code: codes[row],
        });
    }
    let (k, m) = (sum_columns.len(), max_columns.len());
    let chunk = if rows >= PARALLEL_MIN_ROWS {
        rows.div_ceil(rayon::current_num_threads().max(1))
    } else {
        rows.max(1)
    };
    let totals = codes
        .par_chunks(chunk)
        .enumerate()
        .map(|(i, part)| {
            let mut t = GroupTotals::empty(groups, k, m);
            t.add_rows(part, i * chunk, sum_columns, max_columns);
            t
        })
        .collect::<Vec<_>>()
        .into_iter()
        .fold(GroupTotals::empty(groups, k, m), GroupTotals::merge);
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_maxima_and_counts_per_group() {
        let codes = [0, 1, 0, -1, 2, 0];
        let calls = [10.0, 5.0, 0.0, 99.0, 7.0, 3.0];
        let agents = [4.0, 2.0, 1.0, 50.0, 3.0, 6.0];
        let t = group_totals(&codes, 4, &[&calls, &agents], &[&agents]).unwrap();
        assert_eq!(t.sums, vec![13.0, 11.0, 5.0, 2.0, 7.0, 3.0, 0.0, 0.0]);
        assert_eq!(t.maxima[..3], [6.0, 2.0, 3.0]);
        assert_eq!(t.maxima[3], f64::NEG_INFINITY);
        assert_eq!(t.counts, vec![3, 1, 1, 0]);
    }

    #[test]
    fn large_inputs_split_across_cores_give_the_same_totals() {
        let rows = 3 * PARALLEL_MIN_ROWS + 17;
        let codes: Vec<i64> = (0..rows).map(|i| (i % 7) as i64 - 1).collect();
        let values: Vec<f64> = (0..rows).map(|i| (i % 13) as f64).collect();
        let t = group_totals(&codes, 6, &[&values], &[&values]).unwrap();
        let mut want = [0.0; 6];
        for (c, v) in codes.iter().zip(&values) {
            if *c >= 0 {
                want[*c as usize] += v;
            }
        }
        assert_eq!(t.sums, want);
    }

    #[test]
    fn bad_shapes_are_reported() {
        let err = group_totals(&[0, 1], 2, &[&[1.0]], &[]).unwrap_err();
        assert_eq!(
            err,
            ShapeError::Length {
                column: 0,
                len: 1,
                rows: 2
            }
        );
        let err = group_totals(&[0, 5], 2, &[], &[]).unwrap_err();
        assert_eq!(err, ShapeError::Code { row: 1, code: 5 });
    }
}
