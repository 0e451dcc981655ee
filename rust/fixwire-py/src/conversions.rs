//! Python values to and from the core's types, and the two helpers every class uses: the one
//! place the GIL is released and the lock of an object used from one thread at a time.

use std::sync::{Mutex, MutexGuard};

use fixwire::value::TimePrecision;
use fixwire::{Date, UtcTimestamp};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDateAccess, PyDateTime, PyInt, PyString, PyTimeAccess, PyTuple, PyTzInfo, PyTzInfoAccess,
};

use crate::errors::py_err;

/// `bytes` as is; any other buffer (bytearray, memoryview, ...) copied once into `bytes`.
pub(crate) fn as_pybytes<'py>(data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    if let Ok(bytes) = data.cast::<PyBytes>() {
        return Ok(bytes.clone());
    }
    let not_bytes = || {
        PyTypeError::new_err(format!(
            "FIX data must be bytes, bytearray or another buffer of bytes, not {}",
            data.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    };
    if data.is_instance_of::<PyString>() {
        return Err(not_bytes());
    }
    // Only objects with the buffer protocol: bytes(42) would make 42 NUL bytes.
    let buffer = PyBuffer::<u8>::get(data).map_err(|_| not_bytes())?;
    Ok(PyBytes::new(data.py(), &buffer.to_vec(data.py())?))
}

pub(crate) fn utc(py: Python<'_>) -> PyResult<Bound<'_, PyTzInfo>> {
    Ok(PyTzInfo::utc(py)?.to_owned())
}

pub(crate) fn datetime_from_timestamp(py: Python<'_>, ts: UtcTimestamp) -> PyResult<Bound<'_, PyAny>> {
    let ts = ts.without_leap_second();
    let d = ts.date;
    Ok(PyDateTime::new(
        py,
        i32::from(d.year),
        d.month,
        d.day,
        ts.hour,
        ts.minute,
        ts.second,
        ts.nanos / 1000,
        Some(&utc(py)?),
    )?
    .into_any())
}

/// The one place the GIL is released: batch work (a log scan, a dictionary load) that touches
/// no Python object. Per-message calls keep the GIL; releasing it would cost more than they do.
pub(crate) fn without_gil<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> T {
    py.detach(work)
}

/// Takes the lock of an object used from one thread at a time, or says why it cannot.
pub(crate) fn exclusive<'a, T>(lock: &'a Mutex<T>, what: &str) -> PyResult<MutexGuard<'a, T>> {
    lock.try_lock().map_err(|_| {
        PyRuntimeError::new_err(format!(
            "this {what} is in use by another thread (or a re-entrant call); use one per thread"
        ))
    })
}

pub(crate) fn time_precision(name: &str) -> PyResult<TimePrecision> {
    match name {
        "s" => Ok(TimePrecision::Seconds),
        "ms" => Ok(TimePrecision::Millis),
        "us" => Ok(TimePrecision::Micros),
        "ns" => Ok(TimePrecision::Nanos),
        _ => Err(PyValueError::new_err(format!("time_precision must be 's', 'ms', 'us' or 'ns', not {name:?}"))),
    }
}

/// A datetime as a UtcTimestamp; naive datetimes are taken as UTC.
pub(crate) fn timestamp_from_datetime(
    value: &Bound<'_, PyDateTime>,
    precision: TimePrecision,
) -> PyResult<UtcTimestamp> {
    let value = match value.get_tzinfo() {
        // Already UTC (the common case) or naive, taken as UTC: no conversion call.
        Some(tz) if !tz.is(&utc(value.py())?) => {
            value.call_method1("astimezone", (utc(value.py())?,))?.cast_into::<PyDateTime>()?
        }
        _ => value.clone(),
    };
    let ts = UtcTimestamp {
        date: Date::from_calendar(value.get_year(), value.get_month(), value.get_day(), None).map_err(py_err)?,
        hour: value.get_hour(),
        minute: value.get_minute(),
        second: value.get_second(),
        nanos: value.get_microsecond() * 1000,
        precision,
    };
    Ok(ts.truncated(precision))
}

pub(crate) fn tag_of(tag: &Bound<'_, PyAny>) -> PyResult<u32> {
    if !tag.is_instance_of::<PyInt>() || tag.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("a tag is an int, not {}", tag.get_type().name()?)));
    }
    let n: i64 = tag.extract().map_err(|_| py_err(fixwire::tag_out_of_range(&tag.to_string())))?;
    fixwire::tag_number(n).map_err(py_err)
}

/// The tag and value of a `(tag, value)` tuple; a TypeError saying `shape` for anything else.
pub(crate) fn tag_and_value<'py>(item: &Bound<'py, PyAny>, shape: &'static str) -> PyResult<(u32, Bound<'py, PyAny>)> {
    let pair = item.cast::<PyTuple>().ok().filter(|t| t.len() == 2).ok_or_else(|| PyTypeError::new_err(shape))?;
    let tag = pair.get_borrowed_item(0)?;
    Ok((tag_of(&tag)?, pair.get_item(1)?))
}

/// Whether `value` is a `decimal.Decimal`.
pub(crate) fn is_decimal(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    static DECIMAL: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
    value.is_instance(DECIMAL.import(value.py(), "decimal", "Decimal")?)
}

/// Calls `with` with a `decimal.Decimal`'s digits in the FIX float syntax: `str()` (fast),
/// written plainly by the core when it used an exponent.
pub(crate) fn with_decimal_digits<T>(value: &Bound<'_, PyAny>, with: impl FnOnce(&[u8]) -> PyResult<T>) -> PyResult<T> {
    let text = value.str()?;
    with(&fixwire::value::plain_decimal(text.to_str()?.as_bytes()))
}
