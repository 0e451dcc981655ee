//! `Framer`: the stream decoder for bytes as they arrive from a socket or file.

use std::sync::Mutex;

use fixwire::{Framer, FramerConfig};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::conversions::{as_pybytes, exclusive};
use crate::errors::py_err;
use crate::groups::PyGroupSpecs;
use crate::message::{message_specs, parse_options, PyMessage};

/// A stream decoder: feed bytes as they arrive, get whole messages.
///
/// Garbled input is skipped up to the next place a message can start and reported by
/// ``drain_errors`` with its stream offset; it never stops the stream. One thread at a time.
#[pyclass(frozen, name = "Framer", module = "fixwire")]
pub(crate) struct PyFramer {
    framer: Mutex<Framer>,
}

#[pymethods]
impl PyFramer {
    #[new]
    #[pyo3(signature = (*, max_body_length = fixwire::DEFAULT_MAX_BODY_LENGTH, verify_checksum = true, groups = None))]
    fn new(max_body_length: usize, verify_checksum: bool, groups: Option<&Bound<'_, PyGroupSpecs>>) -> Self {
        let config = FramerConfig { max_body_length, verify_checksum, parse: parse_options(verify_checksum, groups) };
        Self { framer: Mutex::new(Framer::new(config)) }
    }

    /// Add ``chunk`` to the stream; return every message it completes (each ``raw`` is a new
    /// ``bytes``). An unfinished tail is kept for the next call.
    #[pyo3(signature = (chunk, /))]
    fn feed<'py>(&self, chunk: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let py = chunk.py();
        let chunk = as_pybytes(chunk)?;
        let mut framer = exclusive(&self.framer, "Framer")?;
        let specs = message_specs(&framer.config().parse);
        let mut messages = Vec::new();
        let mut failure = None;
        framer.feed(chunk.as_bytes(), |bytes, index| {
            let message = PyMessage::new(PyBytes::new(py, bytes).unbind(), index.fields(), specs.clone());
            match Bound::new(py, message) {
                Ok(m) => messages.push(m),
                Err(e) => failure = failure.take().or(Some(e)),
            }
        });
        match failure {
            Some(e) => Err(e),
            None => PyList::new(py, messages),
        }
    }

    /// Take the errors found since the last call; offsets count from the stream's start.
    fn drain_errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut framer = exclusive(&self.framer, "Framer")?;
        let errors: Vec<_> = framer.drain_errors().map(|e| py_err(e).into_value(py)).collect();
        PyList::new(py, errors)
    }

    /// Bytes held while waiting for the rest of a message.
    #[getter]
    fn buffered(&self) -> PyResult<usize> {
        Ok(exclusive(&self.framer, "Framer")?.buffered())
    }

    /// Bytes of the stream consumed so far (framed or skipped).
    #[getter]
    fn offset(&self) -> PyResult<u64> {
        Ok(exclusive(&self.framer, "Framer")?.offset())
    }
}
