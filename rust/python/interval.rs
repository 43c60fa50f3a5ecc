//! The aggregation kernel's Python face: contiguous NumPy columns in, group totals out.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::interval::{group_totals, ShapeError};

type Totals<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i64>>,
);

fn contiguous<'a>(name: &str, array: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
    array
        .as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name} must be a contiguous float64 array")))
}

/// Per-group sums of `sum_columns`, maxima of `max_columns` and row counts, in one pass with
/// the GIL released. `codes[i]` is row i's group in 0..groups, or negative for none.
///
/// Returns (sums with shape (groups, len(sum_columns)), maxima with shape
/// (groups, len(max_columns)), counts). Internal: the roll-up functions call it.
#[pyfunction]
pub(crate) fn group_totals_kernel<'py>(
    py: Python<'py>,
    codes: PyReadonlyArray1<'py, i64>,
    groups: usize,
    sum_columns: Vec<PyReadonlyArray1<'py, f64>>,
    max_columns: Vec<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Totals<'py>> {
    let codes_slice = codes
        .as_slice()
        .map_err(|_| PyValueError::new_err("codes must be a contiguous int64 array"))?;
    let sums: Vec<&[f64]> = sum_columns
        .iter()
        .map(|a| contiguous("sum column", a))
        .collect::<PyResult<_>>()?;
    let maxima: Vec<&[f64]> = max_columns
        .iter()
        .map(|a| contiguous("max column", a))
        .collect::<PyResult<_>>()?;
    let totals = py
        .detach(|| group_totals(codes_slice, groups, &sums, &maxima))
        .map_err(|e| match e {
            ShapeError::Length { column, len, rows } => PyValueError::new_err(format!(
                "column {column} has {len} rows, the group codes {rows}"
            )),
            ShapeError::Code { row, code } => PyValueError::new_err(format!(
                "group code {code} at row {row} is not below groups={groups}"
            )),
        })?;
    let (k, m) = (sums.len(), maxima.len());
    let as_2d = |values: Vec<f64>, width: usize| {
        Array2::from_shape_vec((groups, width), values).expect("groups x width values")
    };
    let counts: Vec<i64> = totals.counts.iter().map(|&c| c as i64).collect();
    Ok((
        as_2d(totals.sums, k).into_pyarray(py),
        as_2d(totals.maxima, m).into_pyarray(py),
        counts.into_pyarray(py),
    ))
}
