//! The one place where core errors become Python exceptions.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::error::QueueError;

pyo3::create_exception!(
    wfmath,
    InvalidInputError,
    PyValueError,
    "Bad input. A ValueError whose `parameter`, `value` and `index` attributes say which \
     parameter, which value and, for arrays, where (an int for 1-D input, a tuple for N-D, \
     None for scalars)."
);

/// Converts a core error raised at flat position `row` of an input of `shape`.
pub(crate) fn to_pyerr(
    py: Python<'_>,
    err: QueueError,
    row: Option<usize>,
    shape: &[usize],
) -> PyErr {
    let QueueError::Invalid {
        parameter, value, ..
    } = err
    else {
        let pyerr = InvalidInputError::new_err(err.to_string());
        set_parts(py, &pyerr, py.None(), py.None(), py.None());
        return pyerr;
    };
    let (message, index) = match row {
        None => (err.to_string(), py.None()),
        Some(row) if shape.len() <= 1 => (
            err.at(row).to_string(),
            row.into_pyobject(py).unwrap().into_any().unbind(),
        ),
        Some(row) => {
            let mut rest = row;
            let mut position = vec![0usize; shape.len()];
            for (slot, &dim) in position.iter_mut().zip(shape).rev() {
                *slot = rest % dim;
                rest /= dim;
            }
            let tuple = PyTuple::new(py, &position).unwrap();
            (format!("{err} (index {tuple})"), tuple.into_any().unbind())
        }
    };
    let pyerr = InvalidInputError::new_err(message);
    let value = value.into_pyobject(py).unwrap().into_any().unbind();
    let parameter = parameter.into_pyobject(py).unwrap().into_any().unbind();
    set_parts(py, &pyerr, parameter, value, index);
    pyerr
}

/// An option outside its set of names, e.g. an unknown service-level definition.
pub(crate) fn invalid_option(py: Python<'_>, parameter: &str, value: &str, allowed: &str) -> PyErr {
    let pyerr = InvalidInputError::new_err(format!(
        "{parameter} must be one of {allowed}, got '{value}'"
    ));
    let parameter = parameter.into_pyobject(py).unwrap().into_any().unbind();
    let value = value.into_pyobject(py).unwrap().into_any().unbind();
    set_parts(py, &pyerr, parameter, value, py.None());
    pyerr
}

fn set_parts(
    py: Python<'_>,
    err: &PyErr,
    parameter: Py<PyAny>,
    value: Py<PyAny>,
    index: Py<PyAny>,
) {
    let exc = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail.
    let _ = exc.setattr("parameter", parameter);
    let _ = exc.setattr("value", value);
    let _ = exc.setattr("index", index);
}
