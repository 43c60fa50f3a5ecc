//! wfmath: contact-center workforce math.
//!
//! The numeric core is plain Rust on `f64`; the Python face lives in `python/` behind the
//! `python` feature.

pub mod error;
pub mod special;
mod temme_table;

pub use error::{QueueError, Result};
