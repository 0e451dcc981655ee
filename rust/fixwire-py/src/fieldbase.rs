//! `FieldBase`: the native base of `fixwire.quickfix`'s field classes (`ClOrdID`, `Price` ...).
//!
//! A field object is made and read without a Python frame: the constructor writes an `int`,
//! a `float` and a time field's "now" itself, with the core's [`fixwire::fieldmap`] texts.
//! What it reads of a field class (`TAG`, `_KIND`) is read once per class and kept (for the
//! first 16,384 classes), and a time field's text of the current second is made once per
//! second and shared. `FieldMap`'s methods take any other object with `_tag` (int) and
//! `_string` (str) attributes as a field too.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{LazyLock, Mutex};

use fixwire::fieldmap::{self, TimeText};
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyString, PyType};

use crate::conversions::exclusive;

/// A field's tag and text.
struct FieldState {
    tag: u32,
    text: Py<PyString>,
}

/// `_KIND` of an integer field's class.
const KIND_INT: u8 = 1;
/// `_KIND` of a double field's class.
const KIND_DOUBLE: u8 = 2;
/// `_KIND` of a UTCTimestamp field's class.
const KIND_TIMESTAMP: u8 = 3;
/// `_KIND` of a UTCTimeOnly field's class.
const KIND_TIME_ONLY: u8 = 4;
/// `_KIND` of a UTCDateOnly field's class.
const KIND_DATE: u8 = 5;

/// A tag and its value as text: the base of `fixwire.quickfix`'s field classes.
///
/// ``FieldBase(tag, value=None)``; a subclass with a non-zero ``TAG`` class attribute (a
/// named field class, ``ClOrdID``) takes only the value. A ``str`` value is kept as it is.
/// The class's ``_KIND`` says what else is converted natively: ``1`` an integer field (an
/// ``int``), ``2`` a double field (a ``float``, or an ``int`` a double holds, written as
/// QuickFIX writes doubles), ``3``, ``4``, ``5`` a UTC timestamp, time or date field (no value
/// is the time now, to the second). ``None`` is otherwise ``""``, and any other value is
/// converted by ``cls._convert(value)``, the Python class's own conversion.
#[pyclass(frozen, subclass, name = "FieldBase", module = "fixwire._native")]
pub(crate) struct PyFieldBase {
    state: Mutex<FieldState>,
}

impl PyFieldBase {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, FieldState>> {
        exclusive(&self.state, "field")
    }

    /// The field's tag.
    pub(crate) fn tag(&self) -> PyResult<u32> {
        Ok(self.lock()?.tag)
    }

    /// The text `value` makes for a field of class `cls`, whose `_KIND` is `kind`.
    fn text_of<'py>(
        cls: &Bound<'py, PyType>,
        kind: u8,
        value: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyString>> {
        let py = cls.py();
        let value = match value {
            Some(v) if v.is_exact_instance_of::<PyString>() => return Ok(v.cast::<PyString>()?.clone()),
            Some(v) if !v.is_none() => v,
            _ => {
                let time = match kind {
                    KIND_TIMESTAMP => TimeText::Timestamp,
                    KIND_TIME_ONLY => TimeText::TimeOnly,
                    KIND_DATE => TimeText::Date,
                    _ => return Ok(intern!(py, "").clone()),
                };
                return match now_text(py, time) {
                    Some(text) => Ok(text),
                    None => Ok(cls.call_method0(intern!(py, "_make_default"))?.cast_into::<PyString>()?),
                };
            }
        };
        let native = match kind {
            KIND_INT if value.is_exact_instance_of::<PyInt>() => match value.extract::<i64>() {
                Ok(n) => return Ok(PyString::new(py, Decimal::of(n).as_str())),
                Err(_) => return value.str(),
            },
            KIND_DOUBLE if value.is_exact_instance_of::<PyFloat>() => {
                fieldmap::format_double(value.cast::<PyFloat>()?.value())
            }
            // An int, as QuickFIX's double field takes it (larger ones by the Python class).
            KIND_DOUBLE if value.is_exact_instance_of::<PyInt>() => {
                value.extract::<i32>().ok().and_then(|n| fieldmap::format_double(f64::from(n)))
            }
            _ => None,
        };
        match native {
            Some(text) => Ok(PyString::new(py, &text)),
            None => Ok(cls.call_method1(intern!(py, "_convert"), (value,))?.cast_into::<PyString>()?),
        }
    }
}

/// What the constructor reads of a field class: its `TAG` (0 when none) and `_KIND` (0 when
/// none). The class is held, so that no other class can take its address while it is kept.
struct ClassInfo {
    _class: Py<PyType>,
    tag: u32,
    kind: u8,
}

/// Hashes a class's address: a folded multiply, so that the low bits the map indexes by
/// depend on every bit of the address.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let product = u128::from(n) * 0x9E37_79B9_7F4A_7C15;
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// Field classes whose [`ClassInfo`] is kept: QuickFIX's dictionaries define about 6,100, and
/// a program that makes classes without end reads the rest from each class every time.
const CLASSES_KEPT: usize = 16_384;

/// Each field class's [`ClassInfo`], by the class's address, read on its first field object.
static CLASSES: LazyLock<Mutex<HashMap<usize, ClassInfo, BuildHasherDefault<AddressHasher>>>> =
    LazyLock::new(Mutex::default);

/// `TAG` and `_KIND` of `cls`, read from the class once and kept.
fn class_info(cls: &Bound<'_, PyType>) -> PyResult<(u32, u8)> {
    let key = cls.as_ptr() as usize;
    if let Some(info) = CLASSES.lock().ok().as_ref().and_then(|all| all.get(&key)) {
        return Ok((info.tag, info.kind));
    }
    let py = cls.py();
    let tag: u32 = match cls.getattr(intern!(py, "TAG")) {
        Ok(tag) => tag.extract()?,
        Err(_) => 0,
    };
    let kind: u8 = match cls.getattr(intern!(py, "_KIND")) {
        Ok(kind) => kind.extract()?,
        Err(_) => 0,
    };
    if let Ok(mut all) = CLASSES.lock() {
        if all.len() < CLASSES_KEPT {
            all.insert(key, ClassInfo { _class: cls.clone().unbind(), tag, kind });
        }
    }
    Ok((tag, kind))
}

/// The current second and the texts made of it so far (timestamp, time, date).
type NowTexts = (i64, [Option<Py<PyString>>; 3]);

/// The text of a time field made now, made once per second and kind.
static NOW: Mutex<NowTexts> = Mutex::new((i64::MIN, [None, None, None]));

/// The time now as a field of `kind` made without a value writes it (to the second); the
/// same string object for every such field made within one second.
fn now_text(py: Python<'_>, kind: TimeText) -> Option<Bound<'_, PyString>> {
    let nanos = fixwire::now_unix_nanos();
    let second = nanos.div_euclid(1_000_000_000);
    let slot = match kind {
        TimeText::Timestamp => 0,
        TimeText::TimeOnly => 1,
        TimeText::Date => 2,
    };
    let mut now = NOW.lock().ok()?;
    if now.0 != second {
        *now = (second, [None, None, None]);
    }
    if let Some(text) = &now.1[slot] {
        return Some(text.bind(py).clone());
    }
    let text = PyString::new(py, &fieldmap::time_text(nanos, kind)?);
    now.1[slot] = Some(text.clone().unbind());
    Some(text)
}

/// An `i64` in decimal, without allocating.
struct Decimal {
    buf: [u8; 20],
    start: usize,
}

impl Decimal {
    fn of(n: i64) -> Self {
        let mut out = Decimal { buf: [0; 20], start: 20 };
        let mut rest = n.unsigned_abs();
        loop {
            out.start -= 1;
            out.buf[out.start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            out.start -= 1;
            out.buf[out.start] = b'-';
        }
        out
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and a minus sign are ever stored, so this never falls back.
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or_default()
    }
}

#[pymethods]
impl PyFieldBase {
    #[new]
    #[classmethod]
    #[pyo3(signature = (first = None, second = None))]
    fn new<'py>(
        cls: &Bound<'py, PyType>,
        first: Option<Bound<'py, PyAny>>,
        second: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let (named, kind) = class_info(cls)?;
        let (tag, value) = if named != 0 {
            (named, first)
        } else {
            let tag = first.ok_or_else(|| PyTypeError::new_err("FieldBase(tag, value) needs a tag"))?;
            (tag.extract()?, second)
        };
        let text = Self::text_of(cls, kind, value.as_ref())?;
        Ok(Self { state: Mutex::new(FieldState { tag, text: text.unbind() }) })
    }

    /// The tag.
    #[getter]
    fn _tag(&self) -> PyResult<u32> {
        Ok(self.lock()?.tag)
    }

    #[setter(_tag)]
    fn set_tag(&self, tag: u32) -> PyResult<()> {
        self.lock()?.tag = tag;
        Ok(())
    }

    /// The value as it is written on the wire.
    #[getter]
    fn _string(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        Ok(self.lock()?.text.clone_ref(py))
    }

    #[setter(_string)]
    fn set_string(&self, text: Bound<'_, PyString>) -> PyResult<()> {
        self.lock()?.text = text.unbind();
        Ok(())
    }
}

/// The tag and text of a field object: a native field directly, any other object by its
/// `_tag` and `_string` attributes.
pub(crate) fn field_parts<'py>(field: &Bound<'py, PyAny>) -> PyResult<(u32, Bound<'py, PyString>)> {
    let py = field.py();
    if let Ok(native) = field.cast::<PyFieldBase>() {
        let state = native.get().lock()?;
        return Ok((state.tag, state.text.bind(py).clone()));
    }
    let tag = field.getattr(intern!(py, "_tag"))?.extract()?;
    let text = field.getattr(intern!(py, "_string"))?;
    let text = text.cast_into::<PyString>().map_err(|_| PyTypeError::new_err("a field's value must be text"))?;
    Ok((tag, text))
}

/// Sets a field object's text.
pub(crate) fn fill_field(field: &Bound<'_, PyAny>, text: Bound<'_, PyString>) -> PyResult<()> {
    if let Ok(native) = field.cast::<PyFieldBase>() {
        native.get().lock()?.text = text.unbind();
        return Ok(());
    }
    field.setattr(intern!(field.py(), "_string"), text)
}
