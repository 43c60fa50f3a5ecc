//! The one error type of the numeric core.
//!
//! Every message names the parameter and the offending value, and the row when the value came
//! from an array, e.g. `aht_seconds must be > 0, got -3.0 (row 17)`.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum QueueError {
    /// A value outside its domain.
    Invalid {
        parameter: &'static str,
        value: f64,
        /// The rule it broke, phrased to follow the parameter name: "must be > 0".
        rule: &'static str,
        /// Flat (C-order) position in the broadcast input, when the value came from an array.
        index: Option<usize>,
    },
    /// A combination of options that cannot be answered, e.g. no service target at all.
    Options { message: &'static str },
}

impl QueueError {
    pub fn invalid(parameter: &'static str, value: f64, rule: &'static str) -> Self {
        QueueError::Invalid {
            parameter,
            value,
            rule,
            index: None,
        }
    }

    /// The same error, located at a row of an array.
    pub fn at(self, row: usize) -> Self {
        match self {
            QueueError::Invalid {
                parameter,
                value,
                rule,
                ..
            } => QueueError::Invalid {
                parameter,
                value,
                rule,
                index: Some(row),
            },
            other => other,
        }
    }
}

/// Formats a value the way Python prints it (`nan`, `inf`, `-3.0`).
pub fn python_repr(value: f64) -> String {
    if value.is_nan() {
        "nan".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        format!("{value:?}")
    }
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueError::Invalid {
                parameter,
                value,
                rule,
                index,
            } => {
                write!(f, "{parameter} {rule}, got {}", python_repr(*value))?;
                if let Some(row) = index {
                    write!(f, " (row {row})")?;
                }
                Ok(())
            }
            QueueError::Options { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for QueueError {}

pub type Result<T> = std::result::Result<T, QueueError>;

/// Checks one rule; NaN fails every rule because every comparison with NaN is false.
pub(crate) fn check(
    ok: bool,
    parameter: &'static str,
    value: f64,
    rule: &'static str,
) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(QueueError::invalid(parameter, value, rule))
    }
}

/// A finite value >= 0: counts, loads, agents, thresholds.
pub(crate) fn non_negative(parameter: &'static str, value: f64) -> Result<f64> {
    check(
        value >= 0.0 && value.is_finite(),
        parameter,
        value,
        "must be finite and >= 0",
    )?;
    Ok(value)
}

/// A finite value > 0: handle times, interval lengths.
pub(crate) fn positive(parameter: &'static str, value: f64) -> Result<f64> {
    check(
        value > 0.0 && value.is_finite(),
        parameter,
        value,
        "must be finite and > 0",
    )?;
    Ok(value)
}

/// A probability target strictly inside (0, 1).
pub(crate) fn open_fraction(parameter: &'static str, value: f64) -> Result<f64> {
    check(
        value > 0.0 && value < 1.0,
        parameter,
        value,
        "must be in (0, 1)",
    )?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_parameter_value_and_row() {
        let err = positive("aht_seconds", -3.0).unwrap_err().at(17);
        assert_eq!(
            err.to_string(),
            "aht_seconds must be finite and > 0, got -3.0 (row 17)"
        );
        let err = non_negative("calls", f64::NAN).unwrap_err();
        assert_eq!(err.to_string(), "calls must be finite and >= 0, got nan");
    }
}
