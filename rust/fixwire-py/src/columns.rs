//! Logs: `scan_columns` (the native half of `fixwire.read_columns`) and `find_messages`.

use fixwire::columns::{self, Column, ColumnData, ColumnKind, ColumnSpec, ScanOptions};
use fixwire::ParseOptions;
use numpy::IntoPyArray;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::conversions::{as_pybytes, without_gil};
use crate::errors::py_err;
use crate::groups::{PyGroupSpec, PyGroupSpecs};
use crate::message::{message_specs, parse_options, PyMessage};

/// A column as Python objects: `(values, valid, invalid_values)`, where `values` is one array,
/// or `(offsets, data)` for text.
fn column_to_python(py: Python<'_>, column: Column) -> PyResult<Bound<'_, PyTuple>> {
    let values = match column.data {
        ColumnData::I64(v) => v.into_pyarray(py).into_any(),
        ColumnData::F64(v) => v.into_pyarray(py).into_any(),
        ColumnData::Bool(v) => v.into_pyarray(py).into_any(),
        ColumnData::Str { offsets, data } => {
            PyTuple::new(py, [offsets.into_pyarray(py).into_any(), data.into_pyarray(py).into_any()])?.into_any()
        }
    };
    PyTuple::new(
        py,
        [values, column.valid.into_pyarray(py).into_any(), column.invalid_values.into_pyobject(py)?.into_any()],
    )
}

/// Scan FIX messages into column buffers (private: use ``fixwire.read_columns``).
///
/// ``source`` is bytes or a path (``str``, memory-mapped); ``columns`` are
/// ``(tag, kind, scale)``. Returns ``rows``, ``messages``, ``garbled`` (offsets), ``offset``,
/// ``msg_type``, ``columns``: per column ``(values, valid, invalid_count)``, where text
/// values are ``(offsets, data)``, and for bytes ``reached``: where the last message read
/// ended (at least the range's start; ``None`` for a path). The GIL is released during the
/// scan.
#[pyfunction]
#[pyo3(signature = (source, columns, *, msg_types = None, explode = None, verify_checksum = true, threads = 0, byte_range = None))]
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
pub(crate) fn scan_columns<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    columns: Vec<(u32, String, u8)>,
    msg_types: Option<Vec<String>>,
    explode: Option<&Bound<'py, PyGroupSpec>>,
    verify_checksum: bool,
    threads: usize,
    byte_range: Option<(usize, usize)>,
) -> PyResult<Bound<'py, PyDict>> {
    let specs = columns
        .iter()
        .map(|(tag, kind, scale)| {
            let kind = ColumnKind::from_name(kind, *scale)
                .ok_or_else(|| PyValueError::new_err(format!("unknown column kind {kind:?}")))?;
            Ok(ColumnSpec { tag: *tag, kind })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let options = ScanOptions {
        columns: specs,
        msg_types: msg_types.map(|t| t.into_iter().map(String::into_bytes).collect()),
        explode: explode.map(|g| (*g.get().spec).clone()),
        parse: ParseOptions { verify_checksum, ..ParseOptions::default() },
        threads,
    };
    // A str is a path (the Python layer turns PathLike objects into str); anything else must
    // be a buffer of bytes.
    let range = byte_range.map(|(start, end)| start..end);
    let (table, reached) = if let Ok(path) = source.cast::<PyString>() {
        let path = std::path::PathBuf::from(path.to_str()?);
        (without_gil(py, || columns::scan_file(&path, range, &options))?, None)
    } else {
        let bytes = as_pybytes(source)?;
        let bytes = bytes.as_bytes();
        let range = range.unwrap_or(0..bytes.len());
        let (table, reached) = without_gil(py, || columns::scan_reaching(bytes, range, &options));
        (table, Some(reached))
    };
    let out = PyDict::new(py);
    out.set_item("reached", reached)?;
    out.set_item("rows", table.rows)?;
    out.set_item("messages", table.messages)?;
    out.set_item("garbled", table.garbled.into_pyarray(py))?;
    out.set_item("offset", table.offset.into_pyarray(py))?;
    out.set_item("msg_type", column_to_python(py, table.msg_type)?)?;
    let columns = table.columns.into_iter().map(|c| column_to_python(py, c)).collect::<PyResult<Vec<_>>>()?;
    out.set_item("columns", PyList::new(py, columns)?)?;
    Ok(out)
}

/// Every FIX message in log text (raw, one a line, ``|``-separated, or after line prefixes
/// such as timestamps), as ``(offset, message)``; a candidate that is not a valid message
/// comes as ``(offset, DecodeError)`` and the search goes on after it. Messages from ``|``
/// text hold the SOH form in ``raw``.
#[pyfunction]
#[pyo3(signature = (data, /, *, groups = None))]
pub(crate) fn find_messages<'py>(
    data: &Bound<'py, PyAny>,
    groups: Option<&Bound<'py, PyGroupSpecs>>,
) -> PyResult<Bound<'py, PyList>> {
    let py = data.py();
    let raw = as_pybytes(data)?;
    let options = parse_options(true, groups);
    let specs = message_specs(&options);
    let bytes = raw.as_bytes();
    let mut reader = columns::LogReader::new(bytes, 0..bytes.len(), &options);
    let mut out = Vec::new();
    while let Some(found) = reader.next_message() {
        let item = match found {
            columns::Found::Message { offset, message, .. } => {
                let fields = message.fields();
                let message = PyMessage::new(&PyBytes::new(py, message.as_bytes()), fields.as_slice(), specs.clone());
                (offset, Bound::new(py, message)?.into_any())
            }
            columns::Found::Garbled { offset, error } => {
                (offset, py_err(error).into_value(py).into_bound(py).into_any())
            }
        };
        out.push(item);
    }
    PyList::new(py, out)
}
