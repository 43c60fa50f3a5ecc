//! The PyO3 face: argument parsing, array loops and error mapping. No numerics here.

mod abandon;
mod api;
mod args;
mod errors;
mod interval;
mod results;

use pyo3::prelude::*;

#[pymodule]
fn _wfmath(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("TIE_RTOL", crate::ties::TIE_RTOL)?;
    m.add(
        "InvalidInputError",
        m.py().get_type::<errors::InvalidInputError>(),
    )?;
    api::register(m)?;
    abandon::register(m)?;
    m.add_function(wrap_pyfunction!(interval::reduce_kernel, m)?)
}
