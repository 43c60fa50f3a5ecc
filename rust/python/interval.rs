//! The aggregation kernel's Python face: contiguous NumPy columns in, group totals out.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::interval::{reduce, GroupTotals, Key, Problem, Rule, Spec, Term};

/// (values, offset, step, size, exact), as `Key`.
type KeySpec<'py> = (PyReadonlyArray1<'py, i64>, i64, i64, u64, bool);
/// (kind, a, b, c): "count" a; "at_most" a <= b; "sum_at_most" a + b <= c.
type RuleSpec = (String, usize, usize, usize);
/// (kind, a, b): "column" a; "product" a * b; "positive" 1 where a > 0.
type TermSpec = (String, usize, usize);
type Totals<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
);

fn contiguous<'a, T: numpy::Element>(array: &'a PyReadonlyArray1<'_, T>) -> PyResult<&'a [T]> {
    array
        .as_slice()
        .map_err(|_| PyValueError::new_err("kernel columns must be contiguous"))
}

fn keys<'a>(specs: &'a [KeySpec<'_>]) -> PyResult<Vec<Key<'a>>> {
    specs
        .iter()
        .map(|(values, offset, step, size, exact)| {
            if *step <= 0 {
                return Err(PyValueError::new_err("key step must be > 0"));
            }
            Ok(Key {
                values: contiguous(values)?,
                offset: *offset,
                step: *step,
                size: *size,
                exact: *exact,
            })
        })
        .collect()
}

fn term(spec: &TermSpec) -> PyResult<Term> {
    match spec.0.as_str() {
        "column" => Ok(Term::Column(spec.1)),
        "product" => Ok(Term::Product(spec.1, spec.2)),
        "positive" => Ok(Term::Positive(spec.1)),
        other => Err(PyValueError::new_err(format!("unknown term {other:?}"))),
    }
}

fn rule(spec: &RuleSpec) -> PyResult<Rule> {
    match spec.0.as_str() {
        "count" => Ok(Rule::Count(spec.1)),
        "at_most" => Ok(Rule::AtMost(spec.1, spec.2)),
        "sum_at_most" => Ok(Rule::SumAtMost(spec.1, spec.2, spec.3)),
        other => Err(PyValueError::new_err(format!("unknown rule {other:?}"))),
    }
}

/// Checks rows and sums terms of columns per group in one pass with the GIL released. Internal: the
/// frame functions call it and turn a problem into a message naming column, row and value.
///
/// Returns ``(sums, maxima, counts, invalid_rows)``, or raises ``ValueError`` whose args are
/// ``(kind, row, detail)``: ("broken", row, rule), ("duplicate", row, 0), ("off_grid", row,
/// key), ("length", column, 0) or ("too_many", 0, 0).
#[pyfunction]
#[pyo3(signature = (group, unique, columns, sums, maxima, rules, skip_invalid))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn reduce_kernel<'py>(
    py: Python<'py>,
    group: Vec<KeySpec<'py>>,
    unique: Vec<KeySpec<'py>>,
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    sums: Vec<TermSpec>,
    maxima: Vec<usize>,
    rules: Vec<RuleSpec>,
    skip_invalid: bool,
) -> PyResult<Totals<'py>> {
    let width = columns.len();
    let out_of_range =
        |i: usize| (i >= width).then(|| PyValueError::new_err("column index out of range"));
    for &(_, a, b) in &sums {
        if let Some(e) = out_of_range(a).or_else(|| out_of_range(b)) {
            return Err(e);
        }
    }
    for &(_, a, b, c) in &rules {
        if let Some(e) = out_of_range(a)
            .or_else(|| out_of_range(b))
            .or_else(|| out_of_range(c))
        {
            return Err(e);
        }
    }
    if let Some(e) = maxima.iter().find_map(|&c| out_of_range(c)) {
        return Err(e);
    }
    let spec = Spec {
        group: keys(&group)?,
        unique: keys(&unique)?,
        columns: columns.iter().map(contiguous).collect::<PyResult<_>>()?,
        sums: sums.iter().map(term).collect::<PyResult<_>>()?,
        maxima,
        rules: rules.iter().map(rule).collect::<PyResult<_>>()?,
        skip_invalid,
    };
    let GroupTotals {
        groups,
        sums,
        maxima,
        counts,
        invalid,
    } = py.detach(|| reduce(&spec)).map_err(|p| {
        let (kind, a, b) = match p {
            Problem::Broken { row, rule } => ("broken", row, rule),
            Problem::Duplicate { row } => ("duplicate", row, 0),
            Problem::OffGrid { row, key } => ("off_grid", row, key),
            Problem::Length { column, .. } => ("length", column, 0),
            Problem::TooManyCodes { unique } => ("too_many", 0, usize::from(unique)),
        };
        PyValueError::new_err((kind, a, b))
    })?;
    let as_2d = |values: Vec<f64>, width: usize| {
        Array2::from_shape_vec((groups, width), values).expect("groups x width values")
    };
    let (k, m) = (spec.sums.len(), spec.maxima.len());
    let counts: Vec<i64> = counts.iter().map(|&c| c as i64).collect();
    let invalid: Vec<i64> = invalid.iter().map(|&r| r as i64).collect();
    Ok((
        as_2d(sums, k).into_pyarray(py),
        as_2d(maxima, m).into_pyarray(py),
        counts.into_pyarray(py),
        invalid.into_pyarray(py),
    ))
}
