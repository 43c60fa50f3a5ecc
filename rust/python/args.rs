//! Scalars and array-likes in, broadcast rows through a core function, scalars or arrays out.
//!
//! All-scalar calls take a direct path (an embedding product calls one at a time). Array calls
//! broadcast like NumPy, read contiguous input in place (broadcast input is materialised once),
//! release the GIL and split large arrays across cores.

use numpy::ndarray::IxDyn;
use numpy::{
    AllowTypeChange, Element, PyArray1, PyArrayDescrMethods, PyArrayLikeDyn, PyArrayMethods,
    PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use pyo3::IntoPyObjectExt;
use rayon::prelude::*;

use super::errors::to_pyerr;
use crate::error::{QueueError, Result};

/// Below this many rows one thread is faster than splitting the work.
const PARALLEL_MIN_ROWS: usize = 4096;
const CHUNK_ROWS: usize = 2048;

/// What to do with a row whose input is invalid.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnInvalid {
    Raise,
    Fill,
}

impl OnInvalid {
    pub(crate) fn parse(text: &str) -> PyResult<Self> {
        match text {
            "raise" => Ok(OnInvalid::Raise),
            "nan" => Ok(OnInvalid::Fill),
            other => Err(PyValueError::new_err(format!(
                "on_invalid must be 'raise' or 'nan', got {other:?}"
            ))),
        }
    }
}

/// The value written in a row with invalid input when `on_invalid="nan"`.
pub(crate) trait Fill {
    const INVALID: Self;
}

impl Fill for f64 {
    const INVALID: f64 = f64::NAN;
}

impl Fill for i64 {
    const INVALID: i64 = -1;
}

enum Operand<'py> {
    Scalar(f64),
    Array(PyArrayLikeDyn<'py, f64, AllowTypeChange>),
}

fn type_error(name: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    let kind = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into());
    let shown = obj.repr().map(|r| r.to_string()).unwrap_or_default();
    let shown: String = shown.chars().take(60).collect();
    PyTypeError::new_err(format!(
        "{name} must be a number or an array of numbers, got {kind} {shown}"
    ))
}

fn operand<'py>(name: &str, obj: &Bound<'py, PyAny>) -> PyResult<Operand<'py>> {
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Operand::Scalar(f.value()));
    }
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return obj
            .extract::<f64>()
            .map(Operand::Scalar)
            .map_err(|_| type_error(name, obj));
    }
    if obj.is_none() || obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBool>() {
        return Err(type_error(name, obj));
    }
    if let Ok(array) = obj.cast::<PyUntypedArray>() {
        if !matches!(array.dtype().kind(), b'i' | b'u' | b'f') {
            return Err(type_error(name, obj));
        }
    }
    let array = obj
        .extract::<PyArrayLikeDyn<'py, f64, AllowTypeChange>>()
        .map_err(|_| type_error(name, obj))?;
    if array.ndim() == 0 {
        return Ok(Operand::Scalar(
            array.as_array().iter().copied().next().unwrap_or(f64::NAN),
        ));
    }
    Ok(Operand::Array(array))
}

/// One input, read row by row in C order over the broadcast shape.
enum Column<'a> {
    Missing,
    Scalar(f64),
    Slice(&'a [f64]),
    Owned(Vec<f64>),
}

impl Column<'_> {
    #[inline]
    fn get(&self, row: usize) -> Option<f64> {
        match self {
            Column::Missing => None,
            Column::Scalar(v) => Some(*v),
            Column::Slice(s) => Some(s[row]),
            Column::Owned(v) => Some(v[row]),
        }
    }
}

/// Parsed arguments of one call: named operands, some optional.
pub(crate) struct Args<'py> {
    names: Vec<&'static str>,
    operands: Vec<Option<Operand<'py>>>,
    on_invalid: OnInvalid,
}

impl<'py> Args<'py> {
    pub(crate) fn new(
        inputs: &[(&'static str, Option<&Bound<'py, PyAny>>)],
        on_invalid: &str,
    ) -> PyResult<Self> {
        let mut operands = Vec::with_capacity(inputs.len());
        for (name, obj) in inputs {
            operands.push(obj.map(|o| operand(name, o)).transpose()?);
        }
        Ok(Args {
            names: inputs.iter().map(|(n, _)| *n).collect(),
            operands,
            on_invalid: OnInvalid::parse(on_invalid)?,
        })
    }

    /// The broadcast shape, or None when every operand is a scalar.
    fn shape(&self) -> PyResult<Option<Vec<usize>>> {
        let mut out: Option<Vec<usize>> = None;
        for (name, op) in self.names.iter().zip(&self.operands) {
            let Some(Operand::Array(array)) = op else {
                continue;
            };
            let shape = array.shape();
            let current = out.get_or_insert_with(Vec::new);
            let ndim = current.len().max(shape.len());
            let mut merged = vec![1usize; ndim];
            for (axis, slot) in merged.iter_mut().enumerate() {
                let a = axis
                    .checked_sub(ndim - current.len())
                    .map_or(1, |i| current[i]);
                let b = axis.checked_sub(ndim - shape.len()).map_or(1, |i| shape[i]);
                *slot = match (a, b) {
                    (a, b) if a == b || b == 1 => a,
                    (1, b) => b,
                    _ => {
                        return Err(PyValueError::new_err(format!(
                            "{name} has shape {shape:?}, which does not broadcast with the other inputs' shape {current:?}"
                        )))
                    }
                };
            }
            *current = merged;
        }
        Ok(out)
    }

    fn columns(&self, shape: &[usize]) -> Vec<Column<'_>> {
        self.operands
            .iter()
            .map(|op| match op {
                None => Column::Missing,
                Some(Operand::Scalar(v)) => Column::Scalar(*v),
                Some(Operand::Array(array)) => match array.as_slice() {
                    Ok(slice) if array.shape() == shape => Column::Slice(slice),
                    _ => {
                        let view = array.as_array();
                        let full = view
                            .broadcast(IxDyn(shape))
                            .expect("shape was checked to broadcast");
                        Column::Owned(full.iter().copied().collect())
                    }
                },
            })
            .collect()
    }

    /// Applies `f` to every broadcast row. `f` receives the row's values in argument order
    /// (None for an omitted optional argument) and returns the outputs of the row.
    pub(crate) fn map<T, F>(&self, py: Python<'py>, f: F) -> PyResult<Output<T>>
    where
        T: Fill + Copy + Send,
        F: Fn(&[Option<f64>]) -> Result<T> + Sync,
    {
        let width = self.operands.len();
        let Some(shape) = self.shape()? else {
            let row: Vec<Option<f64>> = self.columns(&[]).iter().map(|c| c.get(0)).collect();
            return match f(&row) {
                Ok(value) => Ok(Output::Scalar(value)),
                Err(QueueError::Invalid { .. }) if self.on_invalid == OnInvalid::Fill => {
                    Ok(Output::Scalar(T::INVALID))
                }
                Err(err) => Err(to_pyerr(py, err, None, &[])),
            };
        };
        let len: usize = shape.iter().product();
        let columns = self.columns(&shape);
        let on_invalid = self.on_invalid;
        let run_chunk = |start: usize, out: &mut [T]| -> Option<(usize, QueueError)> {
            let mut row = vec![None; width];
            for (offset, slot) in out.iter_mut().enumerate() {
                let i = start + offset;
                for (value, column) in row.iter_mut().zip(&columns) {
                    *value = column.get(i);
                }
                match f(&row) {
                    Ok(value) => *slot = value,
                    Err(QueueError::Invalid { .. }) if on_invalid == OnInvalid::Fill => {
                        *slot = T::INVALID
                    }
                    Err(err) => return Some((i, err)),
                }
            }
            None
        };
        let (values, first_error) = py.detach(|| {
            let mut values = vec![T::INVALID; len];
            let first_error = if len >= PARALLEL_MIN_ROWS {
                values
                    .par_chunks_mut(CHUNK_ROWS)
                    .enumerate()
                    .filter_map(|(k, chunk)| run_chunk(k * CHUNK_ROWS, chunk))
                    .min_by_key(|(i, _)| *i)
            } else {
                run_chunk(0, &mut values)
            };
            (values, first_error)
        });
        if let Some((row, err)) = first_error {
            return Err(to_pyerr(py, err, Some(row), &shape));
        }
        Ok(Output::Array { values, shape })
    }
}

/// Result of [`Args::map`]: a scalar for all-scalar input, else values over a shape.
pub(crate) enum Output<T> {
    Scalar(T),
    Array { values: Vec<T>, shape: Vec<usize> },
}

impl<T: Copy> Output<T> {
    /// How many values satisfy `test`.
    pub(crate) fn count(&self, test: impl Fn(&T) -> bool) -> usize {
        match self {
            Output::Scalar(value) => usize::from(test(value)),
            Output::Array { values, .. } => values.iter().filter(|v| test(v)).count(),
        }
    }

    /// One output column, as a Python scalar or an ndarray of the broadcast shape.
    pub(crate) fn field<'py, U>(
        &self,
        py: Python<'py>,
        pick: impl Fn(&T) -> U,
    ) -> PyResult<Py<PyAny>>
    where
        U: Element + IntoPyObject<'py>,
    {
        match self {
            Output::Scalar(value) => Ok(pick(value).into_bound_py_any(py)?.unbind()),
            Output::Array { values, shape } => {
                let column: Vec<U> = values.iter().map(pick).collect();
                Ok(PyArray1::from_vec(py, column)
                    .reshape(shape.clone())?
                    .into_any()
                    .unbind())
            }
        }
    }
}
