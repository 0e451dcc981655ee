//! Python values to and from the core's types, and the two helpers every class uses: the one
//! place the GIL is released and the lock of an object used from one thread at a time.

use std::sync::{Mutex, MutexGuard};

use fixwire::value::TimePrecision;
use fixwire::{Date, UtcTimestamp};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::ffi;
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

/// A value's bytes as `str`, decoded and checked once: ASCII (nearly every FIX value) is copied
/// straight into a new one-byte string or, when short, taken from the strings kept for repeated
/// values (`short_text`), and anything else goes through CPython's strict UTF-8 decoder (whose
/// error does not name the tag: the caller asks the core for that one).
pub(crate) fn value_str<'py>(py: Python<'py>, value: &[u8]) -> PyResult<Bound<'py, PyString>> {
    // SAFETY: the GIL is held (`py`).
    let ptr = unsafe { ascii_text(value) }.unwrap_or_else(|| {
        let len = isize::try_from(value.len()).expect("a slice is at most isize::MAX bytes");
        // SAFETY: `value` is valid for `len` bytes; the error name is a NUL-terminated literal.
        unsafe { ffi::PyUnicode_DecodeUTF8(value.as_ptr().cast(), len, c"strict".as_ptr()) }
    });
    // SAFETY: `ptr` is a new reference to a str, or NULL with a Python error set.
    unsafe { Ok(Bound::from_owned_ptr_or_err(py, ptr)?.cast_into_unchecked()) }
}

/// `value` as a new `str` when it is ASCII, else `None`; `None` too when CPython cannot make
/// it (out of memory), its error then cleared: the caller takes the full path, which raises.
#[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))] // only the fast entries (entry.rs) use it
pub(crate) fn ascii_str<'py>(py: Python<'py>, value: &[u8]) -> Option<Bound<'py, PyString>> {
    // SAFETY: the GIL is held (`py`). The result is a new reference to a str, or NULL with an
    // error set, which is cleared.
    unsafe {
        let ptr = ascii_text(value)?;
        if ptr.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        Some(Bound::from_owned_ptr(py, ptr).cast_into_unchecked())
    }
}

/// A `str` of `value` when it is ASCII (a new reference, or NULL with an error set), else
/// `None`: a short one from `short_text` where the build has it.
///
/// # Safety
/// The GIL is held.
#[inline(always)]
unsafe fn ascii_text(value: &[u8]) -> Option<*mut ffi::PyObject> {
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy, Py_GIL_DISABLED)))]
    if (1..=crate::short_text::LONGEST).contains(&value.len()) {
        // SAFETY: the GIL is held; the length is in the range `text` takes.
        return unsafe { crate::short_text::text(value) };
    }
    if !is_ascii(value) {
        return None;
    }
    let len = isize::try_from(value.len()).expect("a slice is at most isize::MAX bytes");
    // SAFETY: `value` is ASCII and `len` long; the GIL is held.
    Some(unsafe { ascii_ptr(value, len) })
}

/// A `str` of `value`, ASCII and `len` bytes long: a one-character one from CPython's cache.
///
/// # Safety
/// The GIL is held; `value` is ASCII and `len` is its length.
#[inline(always)]
unsafe fn ascii_ptr(value: &[u8], len: isize) -> *mut ffi::PyObject {
    if let [byte] = value {
        // SAFETY: an ASCII byte is a valid ordinal; the GIL is held.
        unsafe { ffi::PyUnicode_FromOrdinal(i32::from(*byte)) }
    } else {
        // SAFETY: as this function's.
        unsafe { new_ascii(value, len) }
    }
}

/// A new `str` of `value`, ASCII and `len` bytes long: copied into a one-byte string made for it.
///
/// # Safety
/// The GIL is held; `value` is ASCII and `len` is its length.
#[cfg(not(Py_LIMITED_API))]
unsafe fn new_ascii(value: &[u8], len: isize) -> *mut ffi::PyObject {
    // SAFETY: a string made with maxchar 127 is compact ASCII, one byte per character, with room
    // for exactly `len` bytes after its header (and the NUL CPython wrote); the bytes are ASCII,
    // as that kind requires, and the string is not shared yet.
    unsafe {
        let text = ffi::PyUnicode_New(len, 127);
        if !text.is_null() {
            std::ptr::copy_nonoverlapping(value.as_ptr(), ffi::PyUnicode_1BYTE_DATA(text), value.len());
        }
        text
    }
}

/// [`new_ascii`] through the stable ABI (an abi3 build), which has no one-byte string to fill:
/// CPython's UTF-8 decoder makes it.
///
/// # Safety
/// The GIL is held; `value` is `len` bytes long.
#[cfg(Py_LIMITED_API)]
unsafe fn new_ascii(value: &[u8], len: isize) -> *mut ffi::PyObject {
    // SAFETY: `value` is valid for `len` bytes; the error name is a NUL-terminated literal.
    unsafe { ffi::PyUnicode_DecodeUTF8(value.as_ptr().cast(), len, c"strict".as_ptr()) }
}

/// Whether every byte is ASCII. FIX values are mostly short, where the standard check goes a byte
/// at a time: up to 16 bytes, two overlapping loads answer.
#[inline(always)]
fn is_ascii(value: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |at: usize| u64::from_le_bytes(value[at..at + 8].try_into().expect("eight bytes"));
    let half = |at: usize| u32::from_le_bytes(value[at..at + 4].try_into().expect("four bytes"));
    match value.len() {
        0 => true,
        1..=3 => value.iter().fold(0, |acc, b| acc | b) < 0x80,
        4..=7 => (half(0) | half(value.len() - 4)) & 0x8080_8080 == 0,
        8..=16 => (word(0) | word(value.len() - 8)) & HIGH == 0,
        _ => value.is_ascii(),
    }
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
    Ok(exact_timestamp(value)?.truncated(precision))
}

/// A datetime as a UtcTimestamp to the microsecond, as it is (naive taken as UTC): what
/// SendingTime <52> needs, which the encoder truncates to its precision itself.
pub(crate) fn exact_timestamp(value: &Bound<'_, PyDateTime>) -> PyResult<UtcTimestamp> {
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
        precision: TimePrecision::Micros,
    };
    Ok(ts)
}

/// Whether CPython's `int` is the 3.11 layout this crate reads directly: 30-bit digits after a
/// variable-size header, the size's sign the number's (every 64-bit build unless configured for
/// 15-bit digits). Set at the module's import from `sys.int_info`.
#[cfg(not(any(Py_3_12, Py_LIMITED_API, PyPy, GraalPy)))]
static INT_DIGITS_READ: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Notes whether `exact_i64` may read a small `int`'s one digit directly (CPython 3.11).
#[cfg_attr(any(Py_3_12, Py_LIMITED_API, PyPy, GraalPy), allow(clippy::unnecessary_wraps))] // nothing to note there
pub(crate) fn note_int_layout(py: Python<'_>) -> PyResult<()> {
    #[cfg(not(any(Py_3_12, Py_LIMITED_API, PyPy, GraalPy)))]
    {
        let bits: u32 = py.import("sys")?.getattr("int_info")?.getattr("bits_per_digit")?.extract()?;
        INT_DIGITS_READ.store(bits == 30, std::sync::atomic::Ordering::Relaxed);
    }
    #[cfg(any(Py_3_12, Py_LIMITED_API, PyPy, GraalPy))]
    let _ = py;
    Ok(())
}

/// The value of an exact `int` that fits an `i64`; `None` for anything else (a subclass, a
/// bool, a huge int), which the caller then takes through the generic path and its errors.
#[inline(always)]
pub(crate) fn exact_i64(value: &Bound<'_, PyAny>) -> Option<i64> {
    let ptr = value.as_ptr();
    // SAFETY: the GIL is held (`value` is bound) and `ptr` is a live object. For an exact int,
    // PyLong_AsLongLongAndOverflow cannot fail: it reports a value beyond 64 bits through `overflow`
    // and sets no error.
    unsafe {
        if ffi::PyLong_CheckExact(ptr) == 0 {
            return None;
        }
        // An int of at most one digit (every tag, most values) on 3.11: its size is -1, 0 or 1
        // and, when not 0, its first digit (a u32 right after the header) the magnitude. A zero's
        // digit is not read: one not made by CPython's cache may hold anything.
        #[cfg(not(any(Py_3_12, Py_LIMITED_API, PyPy, GraalPy)))]
        if INT_DIGITS_READ.load(std::sync::atomic::Ordering::Relaxed) {
            let size = (*ptr.cast::<ffi::PyVarObject>()).ob_size;
            if size == 0 {
                return Some(0);
            }
            if size == 1 || size == -1 {
                let digit = ptr.byte_add(std::mem::size_of::<ffi::PyVarObject>()).cast::<u32>().read();
                return Some(i64::from(digit) * i64::try_from(size).unwrap_or(0));
            }
        }
        let mut overflow = 0;
        let n = ffi::PyLong_AsLongLongAndOverflow(ptr, &raw mut overflow);
        (overflow == 0).then_some(n)
    }
}

/// A tag argument of a read (`msg[tag]`, `msg.get(tag)`) as `u32`, with the errors `int`
/// extraction gives; an exact `int`, the usual argument, is read without the generic path.
#[inline]
pub(crate) fn tag_arg(tag: &Bound<'_, PyAny>) -> PyResult<u32> {
    match exact_i64(tag).map(u32::try_from) {
        Some(Ok(tag)) => Ok(tag),
        _ => tag.extract(),
    }
}

/// A tag to write: a positive `int` (not a `bool`); an exact `int`, the usual tag, is read
/// without the generic path.
#[inline]
pub(crate) fn tag_of(tag: &Bound<'_, PyAny>) -> PyResult<u32> {
    match exact_i64(tag).map(u32::try_from) {
        Some(Ok(n @ 1..)) => Ok(n),
        _ => any_tag_of(tag),
    }
}

/// [`tag_of`] for any other object, and every error.
#[cold]
#[inline(never)]
fn any_tag_of(tag: &Bound<'_, PyAny>) -> PyResult<u32> {
    if !tag.is_instance_of::<PyInt>() || tag.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("a tag is an int, not {}", tag.get_type().name()?)));
    }
    let n: i64 = tag.extract().map_err(|_| py_err(fixwire::tag_out_of_range(&tag.to_string())))?;
    fixwire::tag_number(n).map_err(py_err)
}

/// The tag and value of a `(tag, value)` tuple; a TypeError saying `shape` for anything else.
#[inline]
pub(crate) fn tag_and_value<'py>(item: &Bound<'py, PyAny>, shape: &'static str) -> PyResult<(u32, Bound<'py, PyAny>)> {
    let pair = item.cast::<PyTuple>().ok().filter(|t| t.len() == 2).ok_or_else(|| PyTypeError::new_err(shape))?;
    // SAFETY: the tuple has two items, and a tuple never changes.
    let (tag, value) = unsafe { (pair.get_borrowed_item_unchecked(0), pair.get_borrowed_item_unchecked(1)) };
    Ok((tag_of(&tag)?, value.to_owned()))
}

/// The text of a `str`: a compact ASCII string (nearly every FIX value) read in place, any
/// other through CPython's UTF-8 form of it (made once, kept by the string).
#[inline]
pub(crate) fn str_text<'a>(text: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    // CPython 3.14 and the stable ABI keep the string's layout private.
    #[cfg(not(any(Py_3_14, Py_LIMITED_API, PyPy, GraalPy)))]
    // SAFETY: the GIL is held and `text` is a live str. A compact ASCII string holds exactly
    // GET_LENGTH ASCII bytes at DATA, which live as long as the string, borrowed for 'a; ASCII
    // is UTF-8.
    unsafe {
        let ptr = text.as_ptr();
        if ffi::PyUnicode_IS_COMPACT_ASCII(ptr) != 0 {
            let len = usize::try_from(ffi::PyUnicode_GET_LENGTH(ptr)).unwrap_or_default();
            let bytes = std::slice::from_raw_parts(ffi::PyUnicode_DATA(ptr).cast::<u8>(), len);
            return Ok(std::str::from_utf8_unchecked(bytes));
        }
    }
    text.to_str()
}

/// Whether `value` is a `decimal.Decimal`.
pub(crate) fn is_decimal(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    static DECIMAL: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
    value.is_instance(DECIMAL.import(value.py(), "decimal", "Decimal")?)
}

/// Calls `with` with a `decimal.Decimal`'s digits in the FIX float syntax: read in place
/// (`decimal_digits.rs`) when they can be, else `str()`, written plainly by the core when it
/// used an exponent.
pub(crate) fn with_decimal_digits<T>(value: &Bound<'_, PyAny>, with: impl FnOnce(&[u8]) -> PyResult<T>) -> PyResult<T> {
    // The usual price or quantity: its digits read in place, as `str()` would write them.
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
    {
        let mut out = [0; crate::decimal_digits::LONGEST];
        if let Some(len) = crate::decimal_digits::plain_digits(value, &mut out) {
            return with(&out[..len]);
        }
    }
    let text = value.str()?;
    with(&fixwire::value::plain_decimal(str_text(&text)?.as_bytes()))
}
