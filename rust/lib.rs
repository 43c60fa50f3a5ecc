//! wfmath: contact-center workforce math.
//!
//! The numeric core is plain Rust on `f64`; the Python face lives in `python/` behind the
//! `python` feature.

pub mod erlang;
pub mod erlang_a;
pub mod error;
pub mod interval;
pub mod inverse;
mod quadrature;
mod search;
pub mod sizing;
pub mod sizing_a;
pub mod special;
mod temme_table;
pub mod ties;

pub use error::{QueueError, Result};

#[cfg(feature = "python")]
mod python;
