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
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyFloat, PyInt, PyMemoryView, PyType};
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
    let kind = match obj.cast::<PyUntypedArray>() {
        Ok(array) => format!("an array of dtype {}", array.dtype()),
        Err(_) => obj
            .get_type()
            .name()
            .map_or_else(|_| "object".into(), |n| n.to_string()),
    };
    let shown: String = obj
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_default()
        .chars()
        .take(60)
        .collect();
    PyTypeError::new_err(format!(
        "{name} must be a number or an array of numbers (int or float), got {kind} {shown}"
    ))
}

static MASKED_ARRAY: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static AS_ARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// One argument as a real number or an array of them. Python int and float, and NumPy integer
/// and float dtypes, are numbers; bool, complex, dates, bytes, strings and objects are not (a
/// TypeError naming the parameter), whether scalars, arrays or lists.
fn operand<'py>(name: &str, obj: &Bound<'py, PyAny>) -> PyResult<Operand<'py>> {
    let py = obj.py();
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Operand::Scalar(f.value()));
    }
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return obj.extract::<f64>().map(Operand::Scalar).map_err(|_| {
            let shown: String = obj.to_string().chars().take(30).collect();
            PyValueError::new_err(format!("{name} is too large for a float, got {shown}..."))
        });
    }
    if obj.is_instance(MASKED_ARRAY.import(py, "numpy.ma", "MaskedArray")?)? {
        return Err(PyTypeError::new_err(format!(
            "{name} is a masked array, whose mask would be ignored: pass .filled(np.nan) (with \
             on_invalid=\"nan\") or the values to use"
        )));
    }
    // NumPy would read a bytes-like buffer as its byte values.
    if obj.is_instance_of::<PyByteArray>() || obj.is_instance_of::<PyMemoryView>() {
        return Err(type_error(name, obj));
    }
    let array = match obj.cast::<PyUntypedArray>() {
        Ok(array) => array.clone(),
        Err(_) => {
            let as_array = AS_ARRAY.get_or_try_init(py, || {
                Ok::<_, PyErr>(py.import("numpy")?.getattr("asarray")?.unbind())
            })?;
            match as_array.bind(py).call1((obj,)) {
                Ok(array) => array.cast_into::<PyUntypedArray>()?,
                // Ragged or otherwise not array-like: not numbers.
                Err(e)
                    if e.is_instance_of::<PyValueError>(py)
                        || e.is_instance_of::<PyTypeError>(py) =>
                {
                    return Err(type_error(name, obj))
                }
                Err(e) => return Err(e),
            }
        }
    };
    if !matches!(array.dtype().kind(), b'i' | b'u' | b'f') {
        return Err(type_error(name, obj));
    }
    // A cast of integers to floats may run out of memory: that error is kept.
    let array = array.extract::<PyArrayLikeDyn<'py, f64, AllowTypeChange>>()?;
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

/// The values of `array` in C order over `shape`, read in place, if its layout allows
/// (a Fortran-ordered array's memory is not in C order).
fn in_place<'a>(
    array: &'a PyArrayLikeDyn<'_, f64, AllowTypeChange>,
    shape: &[usize],
) -> Option<&'a [f64]> {
    if array.shape() != shape || !array.is_c_contiguous() {
        return None;
    }
    array.as_slice().ok()
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

    /// The operands over `shape`; broadcast and non-contiguous arrays are copied.
    fn columns(&self, shape: &[usize]) -> PyResult<Vec<Column<'_>>> {
        self.operands
            .iter()
            .map(|op| match op {
                None => Ok(Column::Missing),
                Some(Operand::Scalar(v)) => Ok(Column::Scalar(*v)),
                Some(Operand::Array(array)) => match in_place(array, shape) {
                    Some(slice) => Ok(Column::Slice(slice)),
                    None => {
                        let view = array.as_array();
                        let full = view
                            .broadcast(IxDyn(shape))
                            .ok_or_else(|| PyValueError::new_err("inputs do not broadcast"))?;
                        let mut column = reserve(full.len(), shape)?;
                        column.extend(full.iter().copied());
                        Ok(Column::Owned(column))
                    }
                },
            })
            .collect()
    }

    /// Array operands that must be copied to be read row by row over `shape`.
    fn copies(&self, shape: &[usize]) -> usize {
        let copied = |op: &Option<Operand<'_>>| match op {
            Some(Operand::Array(array)) => in_place(array, shape).is_none(),
            _ => false,
        };
        self.operands.iter().filter(|op| copied(op)).count()
    }

    /// Applies `f` to every broadcast row. `f` receives the row's values in argument order
    /// (None for an omitted optional argument) and returns the outputs of the row.
    ///
    /// Arrays are worked through in windows, with the GIL released during each and pending
    /// signals handled between them, so Ctrl-C (or a signal handler raising) interrupts a long
    /// call. Windows grow or shrink to take about `WINDOW_TIME`, whatever a row costs.
    pub(crate) fn map<T, F>(&self, py: Python<'py>, f: F) -> PyResult<Output<T>>
    where
        T: Fill + Copy + Send,
        F: Fn(&[Option<f64>]) -> Result<T> + Sync,
    {
        let width = self.operands.len();
        let Some(shape) = self.shape()? else {
            let row: Vec<Option<f64>> = self.columns(&[])?.iter().map(|c| c.get(0)).collect();
            return match f(&row) {
                Ok(value) => Ok(Output::Scalar(value)),
                Err(QueueError::Invalid { .. }) if self.on_invalid == OnInvalid::Fill => {
                    Ok(Output::Scalar(T::INVALID))
                }
                Err(err) => Err(to_pyerr(py, err, None, &[])),
            };
        };
        let len = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "the inputs broadcast to shape {}, whose size overflows",
                    python_shape(&shape)
                ))
            })?;
        // The row values, the output columns made from them, and copies of the inputs.
        let bytes_per_row = 2 * std::mem::size_of::<T>() + 8 * self.copies(&shape);
        check_memory(&shape, len, bytes_per_row)?;
        let columns = self.columns(&shape)?;
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
        let run_window = |start: usize, out: &mut [T]| {
            if out.len() >= PARALLEL_MIN_ROWS {
                out.par_chunks_mut(CHUNK_ROWS)
                    .enumerate()
                    .filter_map(|(k, chunk)| run_chunk(start + k * CHUNK_ROWS, chunk))
                    .min_by_key(|(i, _)| *i)
            } else {
                run_chunk(start, out)
            }
        };
        let mut values = reserve(len, &shape)?;
        values.resize(len, T::INVALID);
        let (mut start, mut window) = (0, FIRST_WINDOW_ROWS);
        while start < len {
            let end = start.saturating_add(window).min(len);
            let began = Instant::now();
            let out = &mut values[start..end];
            // Windows run in row order: the first with an error has the first error.
            if let Some((row, err)) = py.detach(|| run_window(start, out)) {
                return Err(to_pyerr(py, err, Some(row), &shape));
            }
            py.check_signals()?;
            let took = began.elapsed();
            if took < WINDOW_TIME / 2 {
                window = window.saturating_mul(2);
            } else if took > WINDOW_TIME * 2 {
                window = (window / 2).max(1);
            }
            start = end;
        }
        Ok(Output::Array { values, shape })
    }
}

/// The time one window of rows takes at most, give or take a factor of two (or one row).
const WINDOW_TIME: Duration = Duration::from_millis(50);
const FIRST_WINDOW_ROWS: usize = 4096;

/// A shape as Python prints it: `(3,)`, `(2, 5)`.
fn python_shape(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn too_large(shape: &[usize], len: usize, bytes: f64) -> PyErr {
    PyMemoryError::new_err(format!(
        "result of shape {} = {len} elements, {:.1} GB with its working copies, is too large \
         for this machine's memory",
        python_shape(shape),
        bytes / 1e9
    ))
}

/// Physical memory, bytes (Linux; None elsewhere).
fn machine_memory() -> Option<f64> {
    static MEMORY: OnceLock<Option<f64>> = OnceLock::new();
    *MEMORY.get_or_init(|| {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let total = info.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
        let kib: f64 = total.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kib * 1024.0)
    })
}

/// Refuses a call whose arrays need more memory than the machine has, before allocating:
/// such a call would page for hours or abort the process.
fn check_memory(shape: &[usize], len: usize, bytes_per_row: usize) -> PyResult<()> {
    let bytes = len as f64 * bytes_per_row as f64;
    match machine_memory() {
        Some(memory) if bytes > memory => Err(too_large(shape, len, bytes)),
        _ => Ok(()),
    }
}

/// An empty vector with room for `len` values, or a MemoryError naming the result's size
/// where an allocation that fails would abort the process.
fn reserve<T>(len: usize, shape: &[usize]) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(len)
        .map_err(|_| too_large(shape, len, len as f64 * std::mem::size_of::<T>() as f64))?;
    Ok(out)
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
                let mut column = reserve(values.len(), shape)?;
                column.extend(values.iter().map(pick));
                Ok(PyArray1::from_vec(py, column)
                    .reshape(shape.clone())?
                    .into_any()
                    .unbind())
            }
        }
    }
}
