//! Frozen result classes whose fields are scalars or arrays over the broadcast input.

/// Declares a frozen Python class with one getter per field, `to_dict` and `__repr__`.
macro_rules! result_class {
    ($(#[doc = $doc:expr])* $rust:ident as $py:literal { $($field:ident),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[pyclass(frozen, module = "wfmath", name = $py)]
        pub(crate) struct $rust {
            $(
                #[pyo3(get)]
                $field: Py<PyAny>,
            )+
        }

        #[pymethods]
        impl $rust {
            /// The fields as a dict, ready for ``pandas.DataFrame(result.to_dict())``.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
                let dict = pyo3::types::PyDict::new(py);
                $(dict.set_item(stringify!($field), &self.$field)?;)+
                Ok(dict)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let parts = [$(
                    format!("{}={}", stringify!($field), self.$field.bind(py).repr()?)
                ),+];
                Ok(format!("{}({})", $py, parts.join(", ")))
            }
        }
    };
}

pub(crate) use result_class;
