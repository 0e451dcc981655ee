//! `Framer`: the stream decoder for bytes as they arrive from a socket or file.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use fixwire::{Field, Framer, FramerConfig};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::conversions::{as_pybytes, exclusive};
use crate::errors::py_err;
use crate::groups::PyGroupSpecs;
use crate::message::{message_specs, parse_options, FieldStore, PyMessage};

/// Where a framed message's bytes are: a range of the chunk fed, or a copy of its own.
type Place = Result<Range<usize>, Py<PyBytes>>;

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

    /// Add ``chunk`` to the stream; return every message it completes. A message that lies
    /// wholly in ``chunk`` is a view into it (``chunk`` stays alive while the message does; its
    /// ``raw`` is made on the first read, or is ``chunk`` itself when that was exactly the
    /// message); one completed from a held tail has its own bytes. An unfinished tail is kept
    /// for the next call.
    #[pyo3(signature = (chunk, /))]
    fn feed<'py>(&self, chunk: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let py = chunk.py();
        let chunk = as_pybytes(chunk)?;
        let bytes = chunk.as_bytes();
        let mut framer = exclusive(&self.framer, "Framer")?;
        let specs = message_specs(&framer.config().parse);
        // Each message: where it lies in the chunk (or its own copy), and its slice of `fields`,
        // one array for every message of the chunk.
        let mut placed: Vec<(Place, Range<usize>)> = Vec::new();
        // FIX fields take about 10 bytes or more: room for all of them, as a rule.
        let mut fields: Vec<Field> = Vec::with_capacity(bytes.len() / 8);
        framer.feed(bytes, |message, index| {
            let from = fields.len();
            fields.extend_from_slice(index.fields());
            let start = (message.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
            let place = if start < bytes.len() && message.len() <= bytes.len() - start {
                Ok(start..start + message.len())
            } else {
                Err(PyBytes::new(py, message).unbind())
            };
            placed.push((place, from..fields.len()));
        });
        // The messages keep the array as long as they live: no more room than their fields.
        fields.shrink_to_fit();
        let fields = FieldStore::Chunk(Arc::new(fields));
        let messages = placed.into_iter().map(|(place, span)| {
            let (source, at) = match place {
                Ok(at) => (chunk.clone().unbind(), at),
                Err(copy) => {
                    let len = copy.bind(py).as_bytes().len();
                    (copy, 0..len)
                }
            };
            Bound::new(py, PyMessage::lent(source, at, fields.clone(), span, specs.clone()))
        });
        PyList::new(py, messages.collect::<PyResult<Vec<_>>>()?)
    }

    /// Take the errors found since the last call; offsets count from the stream's start.
    fn drain_errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut framer = exclusive(&self.framer, "Framer")?;
        let errors: Vec<_> = framer.drain_errors().map(|e| py_err(e).into_value(py)).collect();
        PyList::new(py, errors)
    }

    /// Whether errors were found since the last ``drain_errors``: a cheaper question than
    /// draining, for a reader that asks after every chunk.
    #[getter]
    fn has_errors(&self) -> PyResult<bool> {
        Ok(exclusive(&self.framer, "Framer")?.has_errors())
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
