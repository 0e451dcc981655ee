//! `fixwire._native`: the Python binding of the fixwire codec.
//!
//! This crate converts between Python and Rust types and maps errors; every decision (what is
//! valid FIX, how a value is written) is made by the `fixwire` crate. Exceptions are the classes
//! defined in `python/fixwire/errors.py`, raised from here through `import_exception!`.

use std::ffi::{c_char, c_int, c_void};
use std::sync::{Arc, Mutex, MutexGuard};

use fixwire::columns::{self, Column, ColumnData, ColumnKind, ColumnSpec, ScanOptions};
use fixwire::template::{Choice, DecimalRule, Part, Rule, Slot, Template, TemplateWriter, Value as TemplateValue};
use fixwire::value::{decimal_parts, TimePrecision};
use fixwire::Dictionary;
use fixwire::{
    Date, Encoder, Field, FieldIndex, Fields, Framer, FramerConfig, GroupSpec, GroupSpecs, Member, MessageWriter,
    ParseOptions, UtcTimestamp,
};
use numpy::npyffi::flags::NPY_ARRAY_WRITEABLE;
use numpy::{IntoPyArray, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyKeyError, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyCapsule, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyInt, PyList,
    PyString, PyTimeAccess, PyTuple, PyTzInfo, PyTzInfoAccess,
};

pyo3::import_exception!(fixwire.errors, DecodeError);
pyo3::import_exception!(fixwire.errors, EncodeError);
pyo3::import_exception!(fixwire.errors, RejectError);
pyo3::import_exception!(fixwire.errors, DictionaryError);

/// Any error of the codec, converted to its Python exception in one place.
struct CoreError(fixwire::Error);

impl<E: Into<fixwire::Error>> From<E> for CoreError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl From<CoreError> for PyErr {
    fn from(CoreError(e): CoreError) -> PyErr {
        match e {
            fixwire::Error::Decode(e) => DecodeError::new_err((e.reason, e.kind.name(), e.offset, e.tag)),
            fixwire::Error::Encode(e) => EncodeError::new_err((e.reason, e.kind.name(), e.tag)),
        }
    }
}

fn encode_error(kind: &str, tag: Option<u32>, reason: String) -> PyErr {
    EncodeError::new_err((reason, kind.to_owned(), tag))
}

/// `bytes` as is; any other buffer (bytearray, memoryview, ...) copied once into `bytes`.
fn as_pybytes<'py>(data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
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

/// Where a message's repeating-group specs come from.
#[derive(Clone)]
enum Specs {
    None,
    /// A whole message: look the count tag up by MsgType.
    Message(Arc<GroupSpecs>),
    /// A group entry: nested groups come from the entry's own spec.
    Entry(Arc<GroupSpec>),
}

/// A parsed FIX message, or one entry of a repeating group: a frozen view over `raw`.
#[pyclass(frozen, name = "Message", module = "fixwire")]
struct PyMessage {
    raw: Py<PyBytes>,
    fields: Arc<[Field]>,
    /// The slice of `fields` this view covers: all of them, or one group entry's.
    span: (usize, usize),
    specs: Specs,
}

impl PyMessage {
    fn new(raw: Py<PyBytes>, fields: &[Field], specs: Specs) -> Self {
        Self { raw, fields: Arc::from(fields), span: (0, fields.len()), specs }
    }

    fn view<'a>(&'a self, py: Python<'_>) -> Fields<'a> {
        Fields::new(self.raw.as_bytes(py), &self.fields[self.span.0..self.span.1])
    }

    fn is_entry(&self) -> bool {
        matches!(self.specs, Specs::Entry(_))
    }

    /// A typed value converted to Python, or `default` when the tag is absent.
    fn typed<'py, T>(
        py: Python<'py>,
        default: Option<Bound<'py, PyAny>>,
        value: Result<Option<T>, fixwire::DecodeError>,
        convert: impl FnOnce(T) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match value.map_err(CoreError::from)? {
            Some(value) => convert(value),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn str_value<'py>(&self, py: Python<'py>, field: Field) -> PyResult<Bound<'py, PyString>> {
        let text = Fields::new(self.raw.as_bytes(py), &self.fields).str_at(field).map_err(CoreError::from)?;
        Ok(PyString::new(py, text))
    }
}

fn utc(py: Python<'_>) -> PyResult<Bound<'_, PyTzInfo>> {
    Ok(PyTzInfo::utc(py)?.to_owned())
}

fn datetime_from_timestamp(py: Python<'_>, ts: UtcTimestamp) -> PyResult<Bound<'_, PyAny>> {
    // Python has no leap second: 23:59:60 becomes the next day's 00:00:00.
    let ts = if ts.second == 60 {
        UtcTimestamp::from_unix_nanos(ts.unix_nanos(), TimePrecision::Nanos).unwrap_or(ts)
    } else {
        ts
    };
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

#[pymethods]
impl PyMessage {
    /// MsgType <35>.
    #[getter]
    fn msg_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        let field = Fields::new(self.raw.as_bytes(py), &self.fields).find(35).expect("a parsed message has MsgType");
        self.str_value(py, field)
    }

    /// BeginString <8>.
    #[getter]
    fn begin_string<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        self.str_value(py, self.fields[0])
    }

    /// MsgSeqNum <34>.
    #[getter]
    fn seq_num(&self, py: Python<'_>) -> PyResult<u64> {
        let whole = Fields::new(self.raw.as_bytes(py), &self.fields);
        whole.get_u64(34).map_err(CoreError::from)?.ok_or_else(|| {
            CoreError::from(fixwire::DecodeError::new(
                fixwire::DecodeErrorKind::InvalidValue,
                0,
                Some(34),
                "message has no MsgSeqNum <34>",
            ))
            .into()
        })
    }

    /// The message's bytes: the object given to `parse`, not a copy.
    #[getter]
    fn raw(&self, py: Python<'_>) -> Py<PyBytes> {
        self.raw.clone_ref(py)
    }

    fn __getitem__<'py>(&self, py: Python<'py>, tag: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
        // Any key that is not a tag present here (negative, huge, not an int) is simply absent.
        match tag.extract::<u32>().ok().and_then(|t| self.view(py).find(t)) {
            Some(field) => self.str_value(py, field),
            None => Err(PyKeyError::new_err(tag.clone().unbind())),
        }
    }

    #[pyo3(signature = (tag, default = None))]
    fn get<'py>(&self, py: Python<'py>, tag: u32, default: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        match self.view(py).find(tag) {
            Some(field) => Ok(self.str_value(py, field)?.into_any()),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn get_all<'py>(&self, py: Python<'py>, tag: u32) -> PyResult<Bound<'py, PyList>> {
        let values = self.view(py).as_slice().iter().filter(|f| f.tag == tag).map(|f| self.str_value(py, *f));
        PyList::new(py, values.collect::<PyResult<Vec<_>>>()?)
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_int<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_i64(tag), |v| Ok(v.into_pyobject(py)?.into_any()))
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_decimal<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        static DECIMAL: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
        // The core checks the FIX float syntax; Python's Decimal then reads the same digits
        // exactly, at any length.
        Self::typed(py, default, self.view(py).get_with(tag, |v| decimal_parts(v).map(|_| v)), |v| {
            // decimal_parts admits only ASCII digits, '-' and '.'.
            let text = std::str::from_utf8(v).expect("decimal syntax is ASCII");
            DECIMAL.import(py, "decimal", "Decimal")?.call1((text,))
        })
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_bytes<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, Ok(self.view(py).get(tag)), |v| Ok(PyBytes::new(py, v).into_any()))
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_bool<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_bool(tag), |v| Ok(PyBool::new(py, v).to_owned().into_any()))
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_char<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_char(tag), |c| {
            Ok(PyString::new(py, char::from(c).encode_utf8(&mut [0; 4])).into_any())
        })
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_time<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_timestamp(tag), |v| datetime_from_timestamp(py, v))
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_time_ns<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_timestamp(tag), |v| Ok(v.unix_nanos().into_pyobject(py)?.into_any()))
    }

    #[pyo3(signature = (tag, default = None))]
    fn get_date<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_date(tag), |d| {
            Ok(PyDate::new(py, i32::from(d.year), d.month, d.day)?.into_any())
        })
    }

    /// The entries of the repeating group counted by `count_tag`.
    fn group<'py>(slf: &Bound<'py, Self>, count_tag: u32) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let this = slf.get();
        let whole = Fields::new(this.raw.as_bytes(py), &this.fields);
        let spec = match &this.specs {
            Specs::Message(specs) => {
                let msg_type = whole.get(35).unwrap_or_default();
                specs.lookup(msg_type, count_tag).cloned()
            }
            Specs::Entry(spec) => spec.nested(count_tag).cloned(),
            Specs::None => None,
        };
        let Some(spec) = spec else {
            return Err(PyKeyError::new_err(format!(
                "no repeating-group spec for count tag {count_tag}; parse with groups=GroupSpecs(...) that has one"
            )));
        };
        let spans = this.view(py).group_spans(&spec).map_err(CoreError::from)?;
        let base = this.span.0;
        let out = spans.into_iter().map(|span| PyMessage {
            raw: this.raw.clone_ref(py),
            fields: Arc::clone(&this.fields),
            span: (base + span.start, base + span.end),
            specs: Specs::Entry(Arc::clone(&spec)),
        });
        PyList::new(py, out)
    }

    /// The message as text with `dictionary`'s names and meanings (`dictionary.format(msg)`).
    fn pretty(slf: &Bound<'_, Self>, dictionary: &Bound<'_, PyDictionary>) -> PyResult<String> {
        dictionary.get().format(slf.py(), slf)
    }

    fn __contains__(&self, py: Python<'_>, tag: &Bound<'_, PyAny>) -> bool {
        tag.extract::<u32>().is_ok_and(|t| self.view(py).contains(t))
    }

    fn __len__(&self) -> usize {
        self.span.1 - self.span.0
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pairs = self
            .view(py)
            .as_slice()
            .iter()
            .map(|f| PyTuple::new(py, [f.tag.into_pyobject(py)?.into_any(), self.str_value(py, *f)?.into_any()]))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, pairs)?.as_any().try_iter()?.into_any())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyMessage>().is_ok_and(|o| {
            let o = o.get();
            self.view(py).iter().eq(o.view(py).iter())
        })
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        match self.span {
            (0, n) if n == self.fields.len() => self.raw.bind(py).hash(),
            (lo, hi) => {
                PyBytes::new(py, &self.raw.as_bytes(py)[self.fields[lo].offset()..self.fields[hi - 1].end as usize])
                    .hash()
            }
        }
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let view = self.view(py);
        if self.is_entry() {
            let first = view.as_slice().first().map_or(0, |f| f.tag);
            return format!("<Message group entry {first}=... fields={}>", view.len());
        }
        let text = |tag| view.get(tag).map(String::from_utf8_lossy).unwrap_or_default();
        format!("<Message 35={} 34={} fields={}>", text(35), text(34), view.len())
    }
}

fn parse_options(verify_checksum: bool, groups: Option<&Bound<'_, PyGroupSpecs>>) -> ParseOptions {
    ParseOptions { verify_checksum, groups: groups.map(|g| g.get().snapshot()), ..ParseOptions::default() }
}

fn message_specs(options: &ParseOptions) -> Specs {
    options.groups.clone().map_or(Specs::None, Specs::Message)
}

thread_local! {
    /// Reused by `parse`, so a call allocates only the message's own field array.
    static INDEX: std::cell::RefCell<(FieldIndex, ParseOptions)> =
        std::cell::RefCell::new((FieldIndex::new(), ParseOptions::default()));
}

/// Parses bytes holding exactly one FIX message; with `validate`, also validates it with the
/// dictionary in the same call.
#[pyfunction]
#[pyo3(signature = (
    data, /, *, verify_checksum = true, groups = None, dictionary = None, validate = false, allow_user_defined = false
))]
fn parse<'py>(
    data: &Bound<'py, PyAny>,
    verify_checksum: bool,
    groups: Option<&Bound<'py, PyGroupSpecs>>,
    dictionary: Option<&Bound<'py, PyDictionary>>,
    validate: bool,
    allow_user_defined: bool,
) -> PyResult<Bound<'py, PyMessage>> {
    let py = data.py();
    let validator = match (validate, dictionary, groups) {
        (false, ..) => None,
        (true, Some(dictionary), None) => Some(&dictionary.get().dictionary),
        (true, None, _) => return Err(PyValueError::new_err("validate=True needs a dictionary")),
        (true, Some(_), Some(_)) => {
            return Err(PyValueError::new_err("validate=True reads the dictionary's groups; do not pass groups"))
        }
    };
    // The dictionary's specs are taken directly: a GroupSpecs object per call would cost more
    // than checking the groups.
    let groups = groups.map(|g| g.get().snapshot()).or_else(|| dictionary.map(|d| d.get().dictionary.group_specs()));
    let raw = as_pybytes(data)?;
    let message = INDEX.with_borrow_mut(|(index, defaults)| -> PyResult<PyMessage> {
        // The options are built once per thread unless the call needs other ones.
        let custom;
        let options = if verify_checksum && groups.is_none() {
            &*defaults
        } else {
            custom = ParseOptions { verify_checksum, groups, ..ParseOptions::default() };
            &custom
        };
        match validator {
            None => index.parse(raw.as_bytes(), options).map_err(CoreError::from)?,
            Some(dictionary) => {
                // Validation reads the groups itself: parsed flat, as the defaults parse.
                let flat = if verify_checksum { &*defaults } else { options };
                let validation = fixwire::ValidationOptions { allow_user_defined };
                dictionary.parse_valid(index, raw.as_bytes(), flat, validation).map_err(|e| match e {
                    fixwire::Invalid::Decode(e) => CoreError::from(e).into(),
                    fixwire::Invalid::Reject(r) => reject_error(r),
                })?;
            }
        }
        Ok(PyMessage::new(raw.clone().unbind(), index.fields(), message_specs(options)))
    })?;
    Bound::new(py, message)
}

/// The FIX checksum of `data`: the sum of its bytes modulo 256.
#[pyfunction]
#[pyo3(signature = (data, /))]
fn checksum(data: &Bound<'_, PyAny>) -> PyResult<u8> {
    Ok(fixwire::checksum(as_pybytes(data)?.as_bytes()))
}

/// The one place the GIL is released: batch work (a log scan, a dictionary load) that touches
/// no Python object. Per-message calls keep the GIL; releasing it would cost more than they do.
fn without_gil<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> T {
    py.detach(work)
}

/// Takes the lock of an object used from one thread at a time, or says why it cannot.
fn exclusive<'a, T>(lock: &'a Mutex<T>, what: &str) -> PyResult<MutexGuard<'a, T>> {
    lock.try_lock().map_err(|_| {
        PyRuntimeError::new_err(format!(
            "this {what} is in use by another thread (or a re-entrant call); use one per thread"
        ))
    })
}

/// A stream decoder for bytes as they arrive from a socket or file.
#[pyclass(frozen, name = "Framer", module = "fixwire")]
struct PyFramer {
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

    /// Adds `chunk` to the stream; returns every message completed by it.
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

    /// Takes the errors (garbled input, messages that did not parse) found since the last call.
    fn drain_errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut framer = exclusive(&self.framer, "Framer")?;
        let errors: Vec<_> = framer.drain_errors().map(|e| PyErr::from(CoreError::from(e)).into_value(py)).collect();
        PyList::new(py, errors)
    }

    /// Bytes held while waiting for the rest of a message.
    #[getter]
    fn buffered(&self) -> PyResult<usize> {
        Ok(exclusive(&self.framer, "Framer")?.buffered())
    }

    /// Bytes of the stream consumed so far.
    #[getter]
    fn offset(&self) -> PyResult<u64> {
        Ok(exclusive(&self.framer, "Framer")?.offset())
    }
}

/// Encodes messages for one session header.
#[pyclass(frozen, name = "Encoder", module = "fixwire")]
struct PyEncoder {
    encoder: Mutex<Encoder>,
}

fn time_precision(name: &str) -> PyResult<TimePrecision> {
    match name {
        "s" => Ok(TimePrecision::Seconds),
        "ms" => Ok(TimePrecision::Millis),
        "us" => Ok(TimePrecision::Micros),
        "ns" => Ok(TimePrecision::Nanos),
        _ => Err(PyValueError::new_err(format!("time_precision must be 's', 'ms', 'us' or 'ns', not {name:?}"))),
    }
}

/// A datetime as a UtcTimestamp; naive datetimes are taken as UTC.
fn timestamp_from_datetime(value: &Bound<'_, PyDateTime>, precision: TimePrecision) -> PyResult<UtcTimestamp> {
    let value = match value.get_tzinfo() {
        // Already UTC (the common case) or naive, taken as UTC: no conversion call.
        Some(tz) if !tz.is(&utc(value.py())?) => {
            value.call_method1("astimezone", (utc(value.py())?,))?.cast_into::<PyDateTime>()?
        }
        _ => value.clone(),
    };
    let year = u16::try_from(value.get_year())
        .map_err(|_| encode_error("invalid_value", None, format!("year {} is outside 0-9999", value.get_year())))?;
    let ts = UtcTimestamp {
        date: Date { year, month: value.get_month(), day: value.get_day() },
        hour: value.get_hour(),
        minute: value.get_minute(),
        second: value.get_second(),
        nanos: value.get_microsecond() * 1000,
        precision,
    };
    Ok(UtcTimestamp::from_unix_nanos(ts.unix_nanos(), precision).unwrap_or(ts))
}

fn tag_of(tag: &Bound<'_, PyAny>) -> PyResult<u32> {
    if !tag.is_instance_of::<PyInt>() || tag.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("a tag is an int, not {}", tag.get_type().name()?)));
    }
    let n: i64 = tag.extract().map_err(|_| encode_error("invalid_tag", None, format!("tag {tag} is out of range")))?;
    u32::try_from(n).ok().filter(|&t| t > 0).ok_or_else(|| {
        encode_error("invalid_tag", None, format!("tag {n} is not a FIX tag (tags are positive integers)"))
    })
}

/// The tag and value of a `(tag, value)` tuple; a TypeError saying `shape` for anything else.
fn tag_and_value<'py>(item: &Bound<'py, PyAny>, shape: &'static str) -> PyResult<(u32, Bound<'py, PyAny>)> {
    let pair = item.cast::<PyTuple>().ok().filter(|t| t.len() == 2).ok_or_else(|| PyTypeError::new_err(shape))?;
    let tag = pair.get_borrowed_item(0)?;
    Ok((tag_of(&tag)?, pair.get_item(1)?))
}

/// Writes `(tag, value)` pairs from a Python iterable into `writer`.
fn write_fields(writer: &mut MessageWriter<'_>, fields: &Bound<'_, PyAny>, precision: TimePrecision) -> PyResult<()> {
    for item in fields.try_iter()? {
        let (tag, value) = tag_and_value(&item?, "each field is a (tag, value) tuple")?;
        write_value(writer, tag, &value, precision)?;
    }
    Ok(())
}

/// Whether `value` is a `decimal.Decimal`.
fn is_decimal(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    static DECIMAL: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
    value.is_instance(DECIMAL.import(value.py(), "decimal", "Decimal")?)
}

/// A Decimal's digits without an exponent. str() is fast but may use an exponent ("1E+2") or
/// spell NaN; format "f" never uses an exponent, so it is the fallback for anything str() did
/// not write plainly, unless the exponent is huge.
fn plain_decimal<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    let text = value.str()?;
    let digits = text.to_str()?;
    if digits.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.') {
        return Ok(text);
    }
    // Written out, 1E+100000000 would be a hundred million digits, and no FIX decimal here
    // has more than 38: such a value is left as str() spelled it, which the callers' check
    // of the FIX syntax then refuses, naming the field.
    let exponent = digits.split_once(['E', 'e']).and_then(|(_, e)| e.parse::<i64>().ok());
    if exponent.is_some_and(|e| e.abs() > 64) {
        return Ok(text);
    }
    Ok(value.call_method1("__format__", ("f",))?.cast_into::<PyString>()?)
}

fn write_value(
    writer: &mut MessageWriter<'_>,
    tag: u32,
    value: &Bound<'_, PyAny>,
    precision: TimePrecision,
) -> PyResult<()> {
    let result = if let Ok(text) = value.cast::<PyString>() {
        writer.str(tag, text.to_str()?)
    } else if let Ok(flag) = value.cast::<PyBool>() {
        writer.bool(tag, flag.is_true())
    } else if value.is_instance_of::<PyInt>() {
        match value.extract::<i64>() {
            Ok(n) => writer.int(tag, n),
            Err(_) => writer.uint(
                tag,
                value.extract::<u64>().map_err(|_| {
                    encode_error("invalid_value", Some(tag), format!("integer {value} does not fit in 64 bits"))
                })?,
            ),
        }
    } else if is_decimal(value)? {
        writer.decimal_text(tag, plain_decimal(value)?.to_str()?.as_bytes())
    } else if let Ok(bytes) = value.cast::<PyBytes>() {
        writer.bytes(tag, bytes.as_bytes())
    } else if let Ok(bytes) = value.cast::<PyByteArray>() {
        writer.bytes(tag, &bytes.to_vec())
    } else if let Ok(datetime) = value.cast::<PyDateTime>() {
        writer.timestamp(tag, timestamp_from_datetime(datetime, precision)?)
    } else if let Ok(date) = value.cast::<PyDate>() {
        let year = u16::try_from(date.get_year()).map_err(|_| {
            encode_error("invalid_value", Some(tag), format!("year {} is outside 0-9999", date.get_year()))
        })?;
        writer.date(tag, Date { year, month: date.get_month(), day: date.get_day() })
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let entries = value.len()?;
        writer.group(tag, entries).map_err(CoreError::from)?;
        for entry in value.try_iter()? {
            write_fields(writer, &entry?, precision)?;
        }
        return Ok(());
    } else if value.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "tag {tag}: float values are not exact; pass a decimal.Decimal or a str"
        )));
    } else {
        return Err(PyTypeError::new_err(format!(
            "tag {tag}: cannot encode a {} (use str, int, Decimal, bool, bytes, datetime, date or a list of entries)",
            value.get_type().name()?
        )));
    };
    result.map_err(CoreError::from)?;
    Ok(())
}

/// SendingTime <52> as nanoseconds since the Unix epoch: a `datetime`, an `int` of nanoseconds,
/// or `None` for the clock.
fn sending_time_nanos(sending_time: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    let out_of_range =
        || encode_error("invalid_value", Some(52), "SendingTime <52> must be within years 1677-2262".to_owned());
    match sending_time {
        None => Ok(fixwire::now_unix_nanos()),
        Some(t) if t.is_instance_of::<PyFloat>() => {
            fixwire::unix_nanos_from_seconds(t.cast::<PyFloat>()?.value()).ok_or_else(out_of_range)
        }
        Some(t) => match t.cast::<PyDateTime>() {
            Ok(datetime) => i64::try_from(timestamp_from_datetime(datetime, TimePrecision::Nanos)?.unix_nanos())
                .map_err(|_| out_of_range()),
            Err(_) if t.is_instance_of::<pyo3::types::PyBool>() => {
                Err(PyTypeError::new_err("sending_time must be a datetime or int nanoseconds, not bool"))
            }
            Err(_) => t.extract::<i64>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "sending_time must be a datetime, int nanoseconds or float seconds since the epoch, not {}",
                    t.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string())
                ))
            }),
        },
    }
}

/// MsgSeqNum <34>, which is positive.
fn positive_seq_num(seq_num: i64) -> PyResult<u64> {
    u64::try_from(seq_num).ok().filter(|&n| n > 0).ok_or_else(|| {
        encode_error("invalid_value", Some(34), format!("MsgSeqNum <34> must be positive, not {seq_num}"))
    })
}

#[pymethods]
impl PyEncoder {
    #[new]
    #[pyo3(signature = (
        sender_comp_id, target_comp_id, *, begin_string = "FIXT.1.1", time_precision = "ms", length_fields = true
    ))]
    fn new(
        sender_comp_id: &str,
        target_comp_id: &str,
        begin_string: &str,
        time_precision: &str,
        length_fields: bool,
    ) -> PyResult<Self> {
        let precision = self::time_precision(time_precision)?;
        let mut encoder = Encoder::with_begin_string(sender_comp_id, target_comp_id, begin_string)
            .map_err(CoreError::from)?
            .time_precision(precision);
        if !length_fields {
            encoder = encoder.data_fields(fixwire::DataFields::none());
        }
        Ok(Self { encoder: Mutex::new(encoder) })
    }

    /// Encodes one message; see the stub for the value types.
    #[pyo3(signature = (msg_type, fields, *, seq_num, sending_time = None))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        msg_type: &str,
        fields: &Bound<'py, PyAny>,
        seq_num: i64,
        sending_time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let seq_num = positive_seq_num(seq_num)?;
        let now = sending_time_nanos(sending_time)?;
        let mut encoder = exclusive(&self.encoder, "Encoder")?;
        let precision = encoder.precision();
        let mut writer = encoder.start(msg_type.as_bytes(), seq_num, now).map_err(CoreError::from)?;
        write_fields(&mut writer, fields, precision)?;
        let bytes = writer.finish().map_err(CoreError::from)?;
        Ok(PyBytes::new(py, bytes))
    }

    /// Encodes a template with one value per slot; see the stub.
    #[pyo3(signature = (template, values, /, *, seq_num, sending_time = None))]
    fn encode_template<'py>(
        &self,
        py: Python<'py>,
        template: &Bound<'py, PyTemplate>,
        values: &Bound<'py, PyTuple>,
        seq_num: i64,
        sending_time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let template = &template.get().template;
        template.check_count(values.len()).map_err(CoreError::from)?;
        let seq_num = positive_seq_num(seq_num)?;
        let now = sending_time_nanos(sending_time)?;
        let mut encoder = exclusive(&self.encoder, "Encoder")?;
        let precision = encoder.precision();
        let mut writer = TemplateWriter::start(&mut encoder, template, seq_num, now).map_err(CoreError::from)?;
        for value in values.iter_borrowed() {
            push_template_value(&mut writer, &value, precision)?;
        }
        let bytes = writer.finish().map_err(CoreError::from)?;
        Ok(PyBytes::new(py, bytes))
    }

    /// A resend copy of a message this encoder's session sent; see the stub.
    #[pyo3(signature = (original, /, *, sending_time = None))]
    fn possible_duplicate<'py>(
        &self,
        py: Python<'py>,
        original: &[u8],
        sending_time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let now = sending_time_nanos(sending_time)?;
        let mut encoder = exclusive(&self.encoder, "Encoder")?;
        let bytes = encoder.possible_duplicate(original, now).map_err(CoreError::from)?;
        Ok(PyBytes::new(py, bytes))
    }

    /// SenderCompID <49>.
    #[getter]
    fn sender_comp_id(&self) -> PyResult<String> {
        Ok(String::from_utf8_lossy(exclusive(&self.encoder, "Encoder")?.sender()).into_owned())
    }

    /// TargetCompID <56>.
    #[getter]
    fn target_comp_id(&self) -> PyResult<String> {
        Ok(String::from_utf8_lossy(exclusive(&self.encoder, "Encoder")?.target()).into_owned())
    }

    /// BeginString <8>.
    #[getter]
    fn begin_string(&self) -> PyResult<String> {
        Ok(String::from_utf8_lossy(exclusive(&self.encoder, "Encoder")?.begin_string()).into_owned())
    }
}

/// What one slot of a template accepts, the name its errors give and whether `None` leaves it
/// out; the constructors are static methods.
#[pyclass(frozen, name = "Rule", module = "fixwire")]
struct PyRule {
    rule: Rule,
    name: Option<String>,
    optional: bool,
}

/// A choice's text: a str, or the digits of an int that fits in 64 bits, as the values it is
/// compared with must.
fn choice_text(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if value.is_instance_of::<PyBool>() || !(value.is_instance_of::<PyString>() || value.is_instance_of::<PyInt>()) {
        return Err(PyTypeError::new_err(format!("a choice is a str or an int, not {}", value.get_type().name()?)));
    }
    if value.is_instance_of::<PyInt>() && value.extract::<i64>().is_err() {
        return Err(PyValueError::new_err(format!("a choice int must fit in 64 bits, not {value}")));
    }
    Ok(value.str()?.to_str()?.as_bytes().to_vec())
}

/// A decimal bound given as a Decimal, an int or a str.
fn decimal_bound(bound: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<fixwire::Decimal>> {
    let Some(bound) = bound else { return Ok(None) };
    let text = if is_decimal(bound)? { plain_decimal(bound)? } else { bound.str()? };
    let parsed = if bound.is_instance_of::<PyFloat>() {
        Err(())
    } else {
        fixwire::Decimal::parse(text.to_str()?.as_bytes()).map_err(drop)
    };
    parsed
        .map(Some)
        .map_err(|()| PyValueError::new_err(format!("{what} must be a Decimal, int or str number, not {bound}")))
}

#[pymethods]
impl PyRule {
    /// Text of 1 to `max_length` bytes, each a character of `charset`.
    #[staticmethod]
    #[pyo3(signature = (*, charset = None, max_length = None, name = None, optional = false))]
    fn text(charset: Option<&str>, max_length: Option<usize>, name: Option<String>, optional: bool) -> Self {
        let rule = Rule::text(charset.map(str::as_bytes), max_length.unwrap_or(usize::MAX));
        Self { rule, name, optional }
    }

    /// Exactly one of `values` (str, or int compared by its digits); a mapping gives what is
    /// written for each.
    #[staticmethod]
    #[pyo3(signature = (values, /, *, name = None, optional = false))]
    fn choice(values: &Bound<'_, PyAny>, name: Option<String>, optional: bool) -> PyResult<Self> {
        if values.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("values is a list of choices, not one str"));
        }
        let mut choices = Vec::new();
        if let Ok(mapping) = values.cast::<PyDict>() {
            for (given, wire) in mapping.iter() {
                choices.push(Choice { given: choice_text(&given)?, wire: choice_text(&wire)? });
            }
        } else {
            for value in values.try_iter()? {
                choices.push(Choice::same(&choice_text(&value?)?));
            }
        }
        Ok(Self { rule: Rule::OneOf(choices), name, optional })
    }

    /// An int from `ge` to `le`, both included.
    #[staticmethod]
    #[pyo3(signature = (*, ge = None, le = None, name = None, optional = false))]
    fn integer(ge: Option<i64>, le: Option<i64>, name: Option<String>, optional: bool) -> Self {
        let rule = Rule::Int { min: ge.unwrap_or(i64::MIN), max: le.unwrap_or(i64::MAX) };
        Self { rule, name, optional }
    }

    /// A Decimal (or int, or numeric str) within the bounds, with at most `places` decimals;
    /// with `in_units`, written as a whole number of `10**-places`.
    #[staticmethod]
    #[pyo3(signature = (
        *, gt = None, ge = None, lt = None, le = None, places = None, in_units = false, name = None, optional = false
    ))]
    #[allow(clippy::too_many_arguments)] // Keyword-only options, as Python callers give them.
    fn decimal(
        gt: Option<&Bound<'_, PyAny>>,
        ge: Option<&Bound<'_, PyAny>>,
        lt: Option<&Bound<'_, PyAny>>,
        le: Option<&Bound<'_, PyAny>>,
        places: Option<i64>,
        in_units: bool,
        name: Option<String>,
        optional: bool,
    ) -> PyResult<Self> {
        let places = places
            .map(|p| u8::try_from(p).map_err(|_| PyValueError::new_err(format!("places must be 0 to 18, not {p}"))))
            .transpose()?;
        let rule = DecimalRule {
            above: decimal_bound(gt, "gt")?,
            at_least: decimal_bound(ge, "ge")?,
            below: decimal_bound(lt, "lt")?,
            at_most: decimal_bound(le, "le")?,
            places,
            in_units,
        };
        Ok(Self { rule: Rule::Decimal(rule), name, optional })
    }

    /// A bool, written `Y` or `N`.
    #[staticmethod]
    #[pyo3(signature = (*, name = None, optional = false))]
    fn boolean(name: Option<String>, optional: bool) -> Self {
        Self { rule: Rule::Bool, name, optional }
    }

    /// A datetime, written as a UTCTimestamp at the encoder's precision.
    #[staticmethod]
    #[pyo3(signature = (*, name = None, optional = false))]
    fn timestamp(name: Option<String>, optional: bool) -> Self {
        Self { rule: Rule::Timestamp, name, optional }
    }

    /// The name errors give the slot, if any.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether `None` leaves the field out.
    #[getter]
    fn optional(&self) -> bool {
        self.optional
    }

    fn __repr__(&self) -> String {
        let name = self.name.as_ref().map_or_else(String::new, |n| format!(" {n:?}"));
        let optional = if self.optional { " optional" } else { "" };
        format!("<Rule{name}{optional} {:?}>", self.rule)
    }
}

/// A fixed field's value: str, int, bool or Decimal.
fn fixed_value(tag: u32, value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let text = if let Ok(flag) = value.cast::<PyBool>() {
        (if flag.is_true() { "Y" } else { "N" }).to_owned()
    } else if is_decimal(value)? {
        let text = plain_decimal(value)?.to_str()?.to_owned();
        decimal_parts(text.as_bytes()).map_err(|e| {
            encode_error("invalid_value", Some(tag), format!("tag {tag}: {e}: {value} is not a FIX number"))
        })?;
        text
    } else if value.is_instance_of::<PyString>() || value.is_instance_of::<PyInt>() {
        value.str()?.to_str()?.to_owned()
    } else {
        return Err(PyTypeError::new_err(format!(
            "tag {tag}: a fixed value is a str, int, bool or Decimal (or give a Rule), not {}",
            value.get_type().name()?
        )));
    };
    Ok(text.into_bytes())
}

/// A message of one MsgType laid out in advance; encode it with `Encoder.encode_template`.
#[pyclass(frozen, name = "Template", module = "fixwire")]
struct PyTemplate {
    template: Template,
    /// MsgType <35> as a Python str, made once: the session reads it for every message.
    msg_type: Py<PyString>,
}

#[pymethods]
impl PyTemplate {
    #[new]
    #[pyo3(signature = (msg_type, fields, /))]
    fn new(msg_type: &Bound<'_, PyString>, fields: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut parts = Vec::new();
        for item in fields.try_iter()? {
            let (tag, value) = tag_and_value(&item?, "each field is a (tag, Rule) or (tag, value) tuple")?;
            parts.push(match value.cast::<PyRule>() {
                Ok(rule) => {
                    let rule = rule.get();
                    Part::Slot(Slot { tag, rule: rule.rule.clone(), optional: rule.optional, name: rule.name.clone() })
                }
                Err(_) => Part::Fixed(tag, fixed_value(tag, &value)?),
            });
        }
        let template = Template::new(msg_type.to_str()?.as_bytes(), parts).map_err(CoreError::from)?;
        Ok(Self { template, msg_type: msg_type.clone().unbind() })
    }

    /// MsgType <35>.
    #[getter]
    fn msg_type(&self, py: Python<'_>) -> Py<PyString> {
        self.msg_type.clone_ref(py)
    }

    /// How many values an encoding takes.
    fn __len__(&self) -> usize {
        self.template.slots()
    }

    fn __repr__(&self) -> String {
        let msg_type = String::from_utf8_lossy(self.template.msg_type());
        format!("<Template {msg_type:?}, {} slots>", self.template.slots())
    }
}

/// Pushes one Python value into a template's next slot.
fn push_template_value(
    writer: &mut TemplateWriter<'_, '_>,
    value: &Bound<'_, PyAny>,
    precision: TimePrecision,
) -> PyResult<()> {
    let pushed = if let Ok(text) = value.cast::<PyString>() {
        writer.push(TemplateValue::Text(text.to_str()?.as_bytes()))
    } else if value.is_none() {
        writer.push(TemplateValue::Absent)
    } else if let Ok(flag) = value.cast::<PyBool>() {
        writer.push(TemplateValue::Bool(flag.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            writer.push(TemplateValue::Int(n))
        } else {
            // str() itself refuses ints of more than 4,300 digits.
            let digits = value.str().ok();
            let digits = digits.as_ref().and_then(|d| d.to_str().ok()).unwrap_or("an integer of over 4,300 digits");
            writer.push(TemplateValue::BigInt(digits))
        }
    } else if is_decimal(value)? {
        writer.push(TemplateValue::Decimal(plain_decimal(value)?.to_str()?.as_bytes()))
    } else if let Ok(datetime) = value.cast::<PyDateTime>() {
        writer.push(TemplateValue::Timestamp(timestamp_from_datetime(datetime, precision)?))
    } else {
        writer.push(TemplateValue::Other(&value.get_type().name()?.to_string()))
    };
    pushed.map_err(|e| CoreError::from(e).into())
}

/// The layout of one repeating group.
#[pyclass(frozen, name = "GroupSpec", module = "fixwire")]
struct PyGroupSpec {
    spec: Arc<GroupSpec>,
}

#[pymethods]
impl PyGroupSpec {
    #[new]
    #[pyo3(signature = (count_tag, members, *, delimiters = None))]
    fn new(count_tag: &Bound<'_, PyAny>, members: &Bound<'_, PyAny>, delimiters: Option<Vec<u32>>) -> PyResult<Self> {
        let count_tag = tag_of(count_tag)?;
        let mut list = Vec::new();
        for member in members.try_iter()? {
            let member = member?;
            list.push(match member.cast::<PyGroupSpec>() {
                Ok(nested) => Member::Group(Arc::clone(&nested.get().spec)),
                Err(_) => Member::Field(tag_of(&member)?),
            });
        }
        let invalid = |e: fixwire::InvalidGroupSpec| PyValueError::new_err(e.0);
        let mut spec = GroupSpec::new(count_tag, list).map_err(invalid)?;
        if let Some(delimiters) = delimiters {
            spec = spec.with_delimiters(&delimiters).map_err(invalid)?;
        }
        Ok(Self { spec: Arc::new(spec) })
    }

    /// The NumInGroup tag.
    #[getter]
    fn count_tag(&self) -> u32 {
        self.spec.count_tag()
    }

    /// Pickling (Dask ships specs to its workers): rebuilt through the constructor.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let spec = &slf.get().spec;
        let members = spec
            .members()
            .iter()
            .map(|m| match m {
                Member::Field(tag) => Ok(tag.into_pyobject(py)?.into_any()),
                Member::Group(nested) => Ok(Bound::new(py, PyGroupSpec { spec: Arc::clone(nested) })?.into_any()),
            })
            .collect::<PyResult<Vec<_>>>()?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("delimiters", spec.delimiters().to_vec())?;
        let constructor = py.import("functools")?.getattr("partial")?.call((slf.get_type(),), Some(&kwargs))?;
        Ok((
            constructor,
            PyTuple::new(py, [spec.count_tag().into_pyobject(py)?.into_any(), PyList::new(py, members)?.into_any()])?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyGroupSpec>().is_ok_and(|o| *o.get().spec == *self.spec)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        // Equal specs have equal count and member tags, so these hash equally.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.spec.count_tag().hash(&mut hasher);
        self.spec.members().iter().map(Member::tag).for_each(|t| t.hash(&mut hasher));
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        let members: Vec<String> = self.spec.members().iter().map(|m| m.tag().to_string()).collect();
        format!("GroupSpec({}, [{}])", self.spec.count_tag(), members.join(", "))
    }
}

/// A set of repeating-group specs, by message type.
#[pyclass(frozen, name = "GroupSpecs", module = "fixwire")]
struct PyGroupSpecs {
    specs: Mutex<Arc<GroupSpecs>>,
}

impl PyGroupSpecs {
    /// The specs as they are now; later `add` calls do not change it.
    fn snapshot(&self) -> Arc<GroupSpecs> {
        Arc::clone(&self.specs.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

#[pymethods]
impl PyGroupSpecs {
    #[new]
    #[pyo3(signature = (specs = None))]
    fn new(specs: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut set = GroupSpecs::new();
        if let Some(specs) = specs {
            for spec in specs.try_iter()? {
                set.add((*spec?.cast::<PyGroupSpec>()?.get().spec).clone(), None);
            }
        }
        Ok(Self { specs: Mutex::new(Arc::new(set)) })
    }

    /// Adds `spec` for `msg_types`, or for every message type.
    #[pyo3(signature = (spec, *, msg_types = None))]
    fn add(&self, spec: &Bound<'_, PyGroupSpec>, msg_types: Option<Vec<String>>) -> PyResult<()> {
        let owned: Option<Vec<Vec<u8>>> = msg_types.map(|t| t.into_iter().map(String::into_bytes).collect());
        let types: Option<Vec<&[u8]>> = owned.as_ref().map(|t| t.iter().map(Vec::as_slice).collect());
        let mut specs = exclusive(&self.specs, "GroupSpecs")?;
        Arc::make_mut(&mut specs).add((*spec.get().spec).clone(), types.as_deref());
        Ok(())
    }

    /// The repeating groups of Kalshi's FIX gateway.
    #[staticmethod]
    fn kalshi() -> Self {
        Self { specs: Mutex::new(Arc::new(GroupSpecs::kalshi())) }
    }
}

fn column_kind(name: &str, scale: u8) -> PyResult<ColumnKind> {
    Ok(match name {
        "str" => ColumnKind::Str,
        "int" => ColumnKind::Int,
        "float" => ColumnKind::Float,
        "decimal" => ColumnKind::Decimal { scale },
        "time" => ColumnKind::Time,
        "date" => ColumnKind::Date,
        "bool" => ColumnKind::Bool,
        _ => return Err(PyValueError::new_err(format!("unknown column kind {name:?}"))),
    })
}

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

/// A mapped log is scanned this many bytes at a time, releasing what was read, so memory
/// follows the output rather than the file size.
const SCAN_WINDOW: usize = 64 << 20;

/// The input of `read_columns`: bytes held by Python, or a file mapped into memory.
enum Input<'py> {
    Bytes(Bound<'py, PyBytes>),
    File(memmap2::Mmap),
}

impl Input<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Input::Bytes(b) => b.as_bytes(),
            Input::File(map) => map,
        }
    }
}

/// Reads FIX messages into columns; `fixwire.read_columns` is the documented entry point.
#[pyfunction]
#[pyo3(signature = (source, columns, *, msg_types = None, explode = None, verify_checksum = true, threads = 0, byte_range = None))]
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
fn scan_columns<'py>(
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
        .map(|(tag, kind, scale)| Ok(ColumnSpec { tag: *tag, kind: column_kind(kind, *scale)? }))
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
    let input = if let Ok(path) = source.cast::<PyString>() {
        let file = std::fs::File::open(path.to_str()?)?;
        // SAFETY: the map is only read and lives until the scan below has finished; every byte
        // is treated as hostile input, so a file rewritten in place while mapped gives garbled
        // rows. A file truncated while mapped (a `copytruncate` log rotation) makes the next
        // read of a vanished page raise SIGBUS: read_columns documents that logs must not be
        // truncated while they are read.
        Input::File(unsafe { memmap2::Mmap::map(&file)? })
    } else {
        Input::Bytes(as_pybytes(source)?)
    };
    let bytes = input.bytes();
    let range = byte_range.map_or(0..bytes.len(), |(start, end)| start..end);
    let map = match &input {
        Input::File(map) => Some(map),
        Input::Bytes(_) => None,
    };
    let table = without_gil(py, || match map {
        None => columns::scan(bytes, range, &options),
        Some(map) => columns::scan_windowed(bytes, range, &options, SCAN_WINDOW, |upto| {
            // SAFETY: the map is shared and read-only, so dropping its pages only makes later
            // reads fault them in again from the file; the scan reads nothing before `upto`
            // again. A failed advice just keeps the pages.
            let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, upto) };
        }),
    });
    let out = PyDict::new(py);
    out.set_item("rows", table.rows)?;
    out.set_item("messages", table.messages)?;
    out.set_item("garbled", table.garbled.into_pyarray(py))?;
    out.set_item("offset", table.offset.into_pyarray(py))?;
    out.set_item("msg_type", column_to_python(py, table.msg_type)?)?;
    let columns = table.columns.into_iter().map(|c| column_to_python(py, c)).collect::<PyResult<Vec<_>>>()?;
    out.set_item("columns", PyList::new(py, columns)?)?;
    Ok(out)
}

/// `NpyString_pack(allocator, packed, bytes, size) -> int`.
type PackFn = unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_char, usize) -> c_int;
/// `NpyString_acquire_allocator(descr) -> allocator`.
type AcquireFn = unsafe extern "C" fn(*const c_void) -> *mut c_void;
/// `NpyString_release_allocator(allocator)`.
type ReleaseFn = unsafe extern "C" fn(*mut c_void);

/// numpy's string API (numpy 2.0 and later): the three entries of its C API table that
/// `pack_strings` needs, at their fixed places in the table (slots 314, 316 and 318).
#[derive(Clone, Copy)]
struct NumpyStringApi {
    pack: PackFn,
    acquire_allocator: AcquireFn,
    release_allocator: ReleaseFn,
}

fn numpy_string_api(py: Python<'_>) -> PyResult<NumpyStringApi> {
    static API: PyOnceLock<NumpyStringApi> = PyOnceLock::new();
    API.get_or_try_init(py, || {
        let capsule = py.import("numpy._core._multiarray_umath")?.getattr("_ARRAY_API")?;
        let table = capsule.cast_into::<PyCapsule>()?.pointer_checked(None)?.as_ptr().cast::<*const c_void>();
        // SAFETY: numpy's C API table is an array of function pointers that numpy never
        // reorders (its ABI) and that lives as long as numpy's module, which is never
        // unloaded. Only `pack_strings` calls this, after checking that its array is a
        // StringDType one, so numpy 2.0 or later is loaded: its table has these three
        // functions at slots 314, 316 and 318 with these signatures. A null slot is refused
        // rather than turned into a function pointer.
        unsafe {
            let slot = |index: usize| {
                let entry = *table.add(index);
                if entry.is_null() {
                    Err(PyRuntimeError::new_err("numpy's string API is missing (numpy 2.0 or later is needed)"))
                } else {
                    Ok(entry)
                }
            };
            Ok(NumpyStringApi {
                pack: std::mem::transmute::<*const c_void, PackFn>(slot(314)?),
                acquire_allocator: std::mem::transmute::<*const c_void, AcquireFn>(slot(316)?),
                release_allocator: std::mem::transmute::<*const c_void, ReleaseFn>(slot(318)?),
            })
        }
    })
    .copied()
}

/// Packs the text column values `offsets`/`data` into `out`, a new one-dimensional numpy
/// StringDType array with a row per value: one copy of each value, straight from the scan's
/// buffers.
#[pyfunction]
#[pyo3(signature = (out, offsets, data, /))]
// PyO3 hands readonly array views over by value; they release their borrow when dropped.
#[allow(clippy::needless_pass_by_value)]
fn pack_strings(
    out: &Bound<'_, PyUntypedArray>,
    offsets: numpy::PyReadonlyArray1<'_, i64>,
    data: numpy::PyReadonlyArray1<'_, u8>,
) -> PyResult<()> {
    let (offsets, data) = (offsets.as_slice()?, data.as_slice()?);
    let dtype = out.dtype();
    let array = out.as_array_ptr();
    // SAFETY: `array` is a live numpy array object (we hold a reference to it).
    let writeable = unsafe { (*array).fields.flags } & NPY_ARRAY_WRITEABLE != 0;
    if dtype.kind() != b'T'
        || out.ndim() != 1
        || out.len() != offsets.len().saturating_sub(1)
        || !out.is_c_contiguous()
        || !writeable
    {
        return Err(PyValueError::new_err(
            "out must be a writeable one-dimensional StringDType array with a row per value",
        ));
    }
    let rows = || columns::text_rows(offsets, data);
    if let Some(row) = rows().position(|v| !(v.is_ascii() || std::str::from_utf8(v).is_ok())) {
        return Err(PyValueError::new_err(format!("text value of row {row} is not UTF-8")));
    }
    let api = numpy_string_api(out.py())?;
    let itemsize = dtype.itemsize();
    let mut failed = None;
    // SAFETY: `out` is a C-contiguous, writeable, one-dimensional StringDType array of one
    // element per row (checked above), so element `row` is the `itemsize` bytes at `data +
    // row * itemsize`, a packed string that `NpyString_pack` may overwrite. The allocator is
    // the array's own, acquired from its descriptor and released before we return, with the
    // GIL held throughout. Each value is valid UTF-8 (checked above), as StringDType requires.
    unsafe {
        let base = (*array).fields.data.cast::<u8>();
        let allocator = (api.acquire_allocator)(dtype.as_dtype_ptr().cast());
        for (row, value) in rows().enumerate() {
            if (api.pack)(allocator, base.add(row * itemsize).cast(), value.as_ptr().cast(), value.len()) < 0 {
                failed = Some(row);
                break;
            }
        }
        (api.release_allocator)(allocator);
    }
    match failed {
        None => Ok(()),
        Some(row) => Err(PyMemoryError::new_err(format!("cannot store the text value of row {row}"))),
    }
}

/// A FIX data dictionary: names, types, enums, message layouts, validation.
#[pyclass(frozen, name = "Dictionary", module = "fixwire")]
struct PyDictionary {
    dictionary: Arc<Dictionary>,
}

/// XML text as is (a str starting with `<`), or the contents of the file a path names.
fn xml_text(source: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = source.cast::<PyString>() {
        let text = text.to_str()?;
        if text.trim_start().starts_with('<') {
            return Ok(text.to_owned());
        }
    }
    let path: std::path::PathBuf = source.extract()?;
    Ok(std::fs::read_to_string(path)?)
}

fn dictionary_error(e: fixwire::DictionaryError) -> PyErr {
    DictionaryError::new_err((e.reason, e.line))
}

/// The Python error for a message the dictionary rejects.
fn reject_error(reject: fixwire::Reject) -> PyErr {
    RejectError::new_err((reject.reason, reject.text, reject.ref_tag, reject.ref_msg_type))
}

/// A whole parsed message, or a TypeError for a group entry.
fn whole_message<'a>(py: Python<'_>, msg: &'a PyMessage) -> PyResult<fixwire::Message<'a>> {
    if msg.is_entry() {
        return Err(PyTypeError::new_err("a group entry is not a whole message"));
    }
    fixwire::Message::from_fields(msg.raw.as_bytes(py), &msg.fields)
        .ok_or_else(|| PyTypeError::new_err("not a whole parsed message"))
}

#[pymethods]
impl PyDictionary {
    /// The bundled dictionary of Kalshi's FIX gateway.
    #[staticmethod]
    fn kalshi() -> Self {
        static KALSHI: std::sync::OnceLock<Arc<Dictionary>> = std::sync::OnceLock::new();
        Self { dictionary: Arc::clone(KALSHI.get_or_init(|| Arc::new(Dictionary::kalshi()))) }
    }

    /// Reads QuickFIX XML: an application dictionary and, for FIXT.1.1, the transport one.
    #[staticmethod]
    #[pyo3(signature = (app, transport = None))]
    fn from_xml(py: Python<'_>, app: &Bound<'_, PyAny>, transport: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let app = xml_text(app)?;
        let transport = transport.map(xml_text).transpose()?;
        let dictionary =
            without_gil(py, || Dictionary::from_xml(&app, transport.as_deref())).map_err(dictionary_error)?;
        Ok(Self { dictionary: Arc::new(dictionary) })
    }

    /// BeginString <8> of the dictionary.
    #[getter]
    fn begin_string(&self) -> &str {
        self.dictionary.begin_string()
    }

    /// The field with `tag`; KeyError when undefined.
    fn field(&self, tag: u32) -> PyResult<PyFieldInfo> {
        let def = self.dictionary.field(tag).ok_or_else(|| PyKeyError::new_err(tag))?;
        Ok(PyFieldInfo { def: def.clone() })
    }

    /// The tag of the field named `name`; KeyError when undefined.
    fn tag(&self, name: &str) -> PyResult<u32> {
        self.dictionary.tag(name).ok_or_else(|| PyKeyError::new_err(name.to_owned()))
    }

    /// The message of MsgType `msg_type`; KeyError when undefined.
    fn message(&self, msg_type: &str) -> PyResult<PyMessageInfo> {
        let def = self.dictionary.message(msg_type).ok_or_else(|| PyKeyError::new_err(msg_type.to_owned()))?;
        Ok(PyMessageInfo { def: def.clone() })
    }

    /// MsgTypes of every message, sorted.
    fn msg_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self.dictionary.messages().map(|m| m.msg_type.clone()).collect();
        types.sort();
        types
    }

    /// The repeating groups of every message, for `parse(..., groups=)` and `Framer`.
    #[getter]
    fn groups(&self) -> PyGroupSpecs {
        PyGroupSpecs { specs: Mutex::new(self.dictionary.group_specs()) }
    }

    /// Raises RejectError with the reason a counterparty would reject `msg` for.
    #[pyo3(signature = (msg, *, allow_user_defined = false))]
    fn validate(&self, py: Python<'_>, msg: &Bound<'_, PyMessage>, allow_user_defined: bool) -> PyResult<()> {
        let message = whole_message(py, msg.get())?;
        self.dictionary.validate(&message, fixwire::ValidationOptions { allow_user_defined }).map_err(reject_error)
    }

    /// The message as text: one field a line with names and enum meanings, groups indented.
    fn format(&self, py: Python<'_>, msg: &Bound<'_, PyMessage>) -> PyResult<String> {
        Ok(self.dictionary.format(&whole_message(py, msg.get())?))
    }

    fn __repr__(&self) -> String {
        format!(
            "<Dictionary {} fields={} messages={}>",
            self.dictionary.begin_string(),
            self.dictionary.fields().count(),
            self.dictionary.messages().count()
        )
    }
}

/// A field of a dictionary.
#[pyclass(frozen, name = "FieldInfo", module = "fixwire")]
struct PyFieldInfo {
    def: fixwire::dictionary::FieldDef,
}

#[pymethods]
impl PyFieldInfo {
    /// The tag number.
    #[getter]
    fn tag(&self) -> u32 {
        self.def.tag
    }

    /// The FIX name.
    #[getter]
    fn name(&self) -> &str {
        &self.def.name
    }

    /// The FIX type name (PRICE, STRING, ...).
    #[getter]
    fn r#type(&self) -> &str {
        &self.def.type_name
    }

    /// Enumerated values and their descriptions (empty when any value is allowed).
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (value, description) in &self.def.values {
            out.set_item(value, description)?;
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!("<FieldInfo {} {} {}>", self.def.tag, self.def.name, self.def.type_name)
    }
}

/// A message of a dictionary.
#[pyclass(frozen, name = "MessageInfo", module = "fixwire")]
struct PyMessageInfo {
    def: fixwire::dictionary::MessageDef,
}

#[pymethods]
impl PyMessageInfo {
    /// The FIX name.
    #[getter]
    fn name(&self) -> &str {
        &self.def.name
    }

    /// MsgType <35>.
    #[getter]
    fn msg_type(&self) -> &str {
        &self.def.msg_type
    }

    /// `admin` or `app`.
    #[getter]
    fn category(&self) -> &str {
        &self.def.category
    }

    /// Tags of the body, in dictionary order (a group by its count tag).
    #[getter]
    fn fields(&self) -> Vec<u32> {
        self.def.layout.iter().map(fixwire::dictionary::Entry::tag).collect()
    }

    /// Tags the body must carry.
    #[getter]
    fn required(&self) -> Vec<u32> {
        self.def.layout.iter().filter(|e| e.required()).map(fixwire::dictionary::Entry::tag).collect()
    }

    fn __repr__(&self) -> String {
        format!("<MessageInfo {} {}>", self.def.msg_type, self.def.name)
    }
}

/// Messages found in log text: `(offset, message)` or `(offset, DecodeError)` for garbled
/// candidates, in input order.
#[pyfunction]
#[pyo3(signature = (data, /, *, groups = None))]
fn find_messages<'py>(
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
                let message =
                    PyMessage::new(PyBytes::new(py, message.as_bytes()).unbind(), fields.as_slice(), specs.clone());
                (offset, Bound::new(py, message)?.into_any())
            }
            columns::Found::Garbled { offset, error } => {
                (offset, PyErr::from(CoreError::from(error)).into_value(py).into_bound(py).into_any())
            }
        };
        out.push(item);
    }
    PyList::new(py, out)
}

/// The native module; `fixwire` re-exports its public names.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(checksum, m)?)?;
    m.add_function(wrap_pyfunction!(scan_columns, m)?)?;
    m.add_function(wrap_pyfunction!(pack_strings, m)?)?;
    m.add_function(wrap_pyfunction!(find_messages, m)?)?;
    m.add_class::<PyDictionary>()?;
    m.add_class::<PyFieldInfo>()?;
    m.add_class::<PyMessageInfo>()?;
    m.add_class::<PyMessage>()?;
    m.add_class::<PyFramer>()?;
    m.add_class::<PyEncoder>()?;
    m.add_class::<PyRule>()?;
    m.add_class::<PyTemplate>()?;
    m.add_class::<PyGroupSpec>()?;
    m.add_class::<PyGroupSpecs>()?;
    Ok(())
}
