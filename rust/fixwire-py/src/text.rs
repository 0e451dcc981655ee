//! `LogPrinter`: `fixwire decode`'s output for a read of a log, in one call.

use std::sync::Mutex;

use fixwire::text::{LogPrinter, PrintOptions, Printed, Style};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::conversions::{as_pybytes, exclusive, without_gil};
use crate::dictionary::PyDictionary;
use crate::errors::py_err;

/// The messages of a FIX log as text for people, a read at a time (private: the ``fixwire
/// decode`` command's engine). One thread at a time.
#[pyclass(frozen, name = "LogPrinter", module = "fixwire")]
pub(crate) struct PyLogPrinter {
    /// The printer, and its output buffers kept from one read to the next.
    printer: Mutex<(LogPrinter, Printed)>,
}

#[pymethods]
impl PyLogPrinter {
    #[new]
    #[pyo3(signature = (dictionary, *, style, msg_types, heading, json_source))]
    fn new(
        dictionary: &Bound<'_, PyDictionary>,
        style: &str,
        msg_types: Option<Vec<String>>,
        heading: Vec<u8>,
        json_source: Vec<u8>,
    ) -> PyResult<Self> {
        let style = match style {
            "plain" => Style::Plain,
            "colour" => Style::Colour,
            "json" => Style::Json,
            _ => {
                return Err(PyValueError::new_err(format!("style must be 'plain', 'colour' or 'json', not {style:?}")))
            }
        };
        let options = PrintOptions { style, msg_types, heading, json_source };
        let printer = LogPrinter::new(dictionary.get().dictionary.clone(), options);
        Ok(Self { printer: Mutex::new((printer, Printed::default())) })
    }

    /// The output for the messages of ``data``, which starts ``base`` bytes into the input:
    /// ``(text, garbled, consumed, need)``. ``text`` is UTF-8; ``garbled`` lists the bad
    /// candidates as ``(position in text, offset in the input, DecodeError)``; the caller keeps
    /// ``data[consumed:]`` for the next call and makes that call once it holds ``need`` bytes.
    /// With ``last``, everything in ``data`` is reported; otherwise a message cut short at
    /// the end is held back, up to ``max_held`` bytes. The GIL is released meanwhile.
    #[pyo3(signature = (data, /, base, *, last, max_held))]
    fn print<'py>(
        &self,
        data: &Bound<'py, PyAny>,
        base: u64,
        last: bool,
        max_held: usize,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = data.py();
        let data = as_pybytes(data)?;
        let bytes = data.as_bytes();
        let mut guard = exclusive(&self.printer, "LogPrinter")?;
        let (printer, output) = &mut *guard;
        without_gil(py, || printer.print(bytes, base, last, max_held, output));
        let garbled =
            output.garbled.drain(..).map(|g| (g.at, g.offset, py_err(g.error).into_value(py))).collect::<Vec<_>>();
        (PyBytes::new(py, &output.text), garbled, output.consumed, output.need).into_pyobject(py)
    }
}
