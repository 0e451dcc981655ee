//! `Encoder`: messages for one session header, from `(tag, value)` pairs or a template.

use std::sync::Mutex;

use fixwire::template::TemplateWriter;
use fixwire::value::TimePrecision;
use fixwire::{Date, Encoder, MessageWriter};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDate, PyDateAccess, PyDateTime, PyFloat, PyInt, PyList, PyString, PyTuple,
};

use crate::conversions::{
    exact_i64, exact_timestamp, exclusive, is_decimal, str_text, tag_and_value, time_precision,
    timestamp_from_datetime, with_decimal_digits,
};
use crate::errors::py_err;
use crate::template::{push_template_value, PyTemplate};

/// Encodes messages with the standard header 8, 9, 35, 49, 56, 34, 52 and CheckSum <10>.
///
/// One thread at a time; keep one per session and reuse it (its buffer and SendingTime cache
/// persist).
#[pyclass(frozen, name = "Encoder", module = "fixwire")]
pub(crate) struct PyEncoder {
    encoder: Mutex<Encoder>,
}

/// Writes `(tag, value)` pairs from a Python iterable into `writer`; a list or tuple, the usual
/// argument, is read by index rather than through an iterator.
fn write_fields(writer: &mut MessageWriter<'_>, fields: &Bound<'_, PyAny>, precision: TimePrecision) -> PyResult<()> {
    let mut write = |item: &Bound<'_, PyAny>| {
        let (tag, value) = tag_and_value(item, "each field is a (tag, value) tuple")?;
        write_value(writer, tag, &value, precision)
    };
    if let Ok(list) = fields.cast::<PyList>() {
        // The list's length is read again at each step: converting a value can run Python code
        // (a tzinfo's) that changes the list.
        list.iter().try_for_each(|item| write(&item))
    } else if let Ok(tuple) = fields.cast::<PyTuple>() {
        tuple.iter_borrowed().try_for_each(|item| write(&item))
    } else {
        fields.try_iter()?.try_for_each(|item| write(&item?))
    }
}

fn write_value(
    writer: &mut MessageWriter<'_>,
    tag: u32,
    value: &Bound<'_, PyAny>,
    precision: TimePrecision,
) -> PyResult<()> {
    let result = if let Ok(text) = value.cast::<PyString>() {
        writer.str(tag, str_text(text)?)
    } else if let Some(n) = exact_i64(value) {
        writer.int(tag, n)
    } else if let Ok(flag) = value.cast::<PyBool>() {
        writer.bool(tag, flag.is_true())
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            writer.int(tag, n)
        } else if let Ok(n) = value.extract::<u64>() {
            writer.uint(tag, n)
        } else {
            writer.big_int(tag, &value.to_string())
        }
    } else if is_decimal(value)? {
        with_decimal_digits(value, |digits| writer.decimal_text(tag, digits).map(drop).map_err(py_err))?;
        return Ok(());
    } else if let Ok(bytes) = value.cast::<PyBytes>() {
        writer.bytes(tag, bytes.as_bytes())
    } else if let Ok(bytes) = value.cast::<PyByteArray>() {
        writer.bytes(tag, &bytes.to_vec())
    } else if let Ok(datetime) = value.cast::<PyDateTime>() {
        writer.timestamp(tag, timestamp_from_datetime(datetime, precision)?)
    } else if let Ok(date) = value.cast::<PyDate>() {
        let date = Date::from_calendar(date.get_year(), date.get_month(), date.get_day(), Some(tag)).map_err(py_err)?;
        writer.date(tag, date)
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let entries = value.len()?;
        writer.group(tag, entries).map_err(py_err)?;
        for entry in value.try_iter()? {
            write_fields(writer, &entry?, precision)?;
        }
        return Ok(());
    } else if let Ok(float) = value.cast::<PyFloat>() {
        writer.float(tag, float.value())
    } else {
        writer.unsupported(tag, &value.get_type().name()?.to_string())
    };
    result.map_err(py_err)?;
    Ok(())
}

/// SendingTime <52> as nanoseconds since the Unix epoch: a `datetime`, an `int` of nanoseconds,
/// or `None` for the clock.
fn sending_time_nanos(sending_time: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    match sending_time {
        None => Ok(fixwire::now_unix_nanos()),
        Some(t) if t.is_instance_of::<PyFloat>() => {
            fixwire::sending_time_from_seconds(t.cast::<PyFloat>()?.value()).map_err(py_err)
        }
        Some(t) => match t.cast::<PyDateTime>() {
            Ok(datetime) => fixwire::sending_time_from_timestamp(exact_timestamp(datetime)?).map_err(py_err),
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
            .map_err(py_err)?
            .time_precision(precision);
        if !length_fields {
            encoder = encoder.data_fields(fixwire::DataFields::none());
        }
        Ok(Self { encoder: Mutex::new(encoder) })
    }

    /// Encode one message: the header, then ``fields`` in the order given, then CheckSum.
    ///
    /// ``sending_time`` is a ``datetime``, an ``int`` of nanoseconds since the Unix epoch, or a
    /// ``float`` of seconds as ``time.time()`` gives them (rounded to the microsecond, below
    /// what such a float resolves); ``None`` reads the clock.
    ///
    /// Values: ``str``; ``int``; ``bool`` (``Y``/``N``); ``Decimal`` (exact, as written);
    /// ``bytes`` (for a data tag such as RawData <96> its length field is written first and
    /// SOH is allowed); ``datetime`` (UTC; naive means UTC; written at the encoder's
    /// precision, lower digits truncated); ``date`` (``YYYYMMDD``); a list of entries for a
    /// repeating group, each entry a list of (tag, value) pairs.
    ///
    /// Raises:
    ///     EncodeError: a tag is not positive or is a header tag, a value is empty, contains
    ///         SOH outside a data field, or cannot be written exactly.
    ///     TypeError: a value of an unsupported type, such as ``float``.
    #[pyo3(signature = (msg_type, fields, *, seq_num, sending_time = None))]
    pub(crate) fn encode<'py>(
        &self,
        py: Python<'py>,
        msg_type: &str,
        fields: &Bound<'py, PyAny>,
        seq_num: i64,
        sending_time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let seq_num = fixwire::seq_num(seq_num).map_err(py_err)?;
        let now = sending_time_nanos(sending_time)?;
        let mut encoder = exclusive(&self.encoder, "Encoder")?;
        let precision = encoder.precision();
        let mut writer = encoder.start(msg_type.as_bytes(), seq_num, now).map_err(py_err)?;
        write_fields(&mut writer, fields, precision)?;
        let bytes = writer.finish().map_err(py_err)?;
        Ok(PyBytes::new(py, bytes))
    }

    /// Encode ``template`` with one value per slot, in order: the header, the fixed fields
    /// and each value checked against its rule as it is written, then CheckSum <10>.
    ///
    /// ``None`` leaves an optional slot's field out. ``sending_time`` is as for :meth:`encode`.
    ///
    /// Raises:
    ///     EncodeError: a value breaks its slot's rule, is of a kind the rule does not take
    ///         (a ``float``, say), or is missing; or there are not exactly ``len(template)``
    ///         values. The message names the slot (its rule's ``name``, else ``tag N``) and
    ///         the rule; ``tag`` is the slot's tag.
    #[pyo3(signature = (template, values, /, *, seq_num, sending_time = None))]
    pub(crate) fn encode_template<'py>(
        &self,
        py: Python<'py>,
        template: &Bound<'py, PyTemplate>,
        values: &Bound<'py, PyTuple>,
        seq_num: i64,
        sending_time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let template = &template.get().template;
        template.check_count(values.len()).map_err(py_err)?;
        let seq_num = fixwire::seq_num(seq_num).map_err(py_err)?;
        let now = sending_time_nanos(sending_time)?;
        let mut encoder = exclusive(&self.encoder, "Encoder")?;
        let precision = encoder.precision();
        let mut writer = TemplateWriter::start(&mut encoder, template, seq_num, now).map_err(py_err)?;
        for value in values.iter_borrowed() {
            push_template_value(&mut writer, &value, precision)?;
        }
        let bytes = writer.finish().map_err(py_err)?;
        Ok(PyBytes::new(py, bytes))
    }

    /// A copy of ``original``, a message this session sent, to send again in a resend.
    ///
    /// PossDupFlag <43> becomes ``Y``, OrigSendingTime <122> the original SendingTime <52>
    /// (kept when ``original`` was itself a resend), SendingTime <52> ``sending_time``;
    /// BodyLength <9> and CheckSum <10> are recomputed. Every other byte, the body with its
    /// groups and data fields included, is copied as it was.
    ///
    /// Raises:
    ///     DecodeError: ``original`` is not one whole FIX message.
    ///     EncodeError: ``original`` has no SendingTime <52>, or the result is too large.
    #[pyo3(signature = (original, /, *, sending_time = None))]
    fn possible_duplicate<'py>(
        &self,
        py: Python<'py>,
        original: &[u8],
        sending_time: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let now = sending_time_nanos(sending_time)?;
        let mut encoder = exclusive(&self.encoder, "Encoder")?;
        let bytes = encoder.possible_duplicate(original, now).map_err(py_err)?;
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
