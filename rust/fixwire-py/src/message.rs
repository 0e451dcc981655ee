//! `Message`, a frozen view over one message's bytes, and `parse` and `checksum`.

use std::ops::Range;
use std::sync::Arc;

use fixwire::value::decimal_parts;
use fixwire::{Field, FieldIndex, Fields, GroupSpec, GroupSpecs, ParseOptions};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDate, PyList, PyString, PyTuple};

use crate::conversions::{as_pybytes, datetime_from_timestamp, tag_arg, value_str};
use crate::dictionary::PyDictionary;
use crate::errors::py_err;
use crate::groups::PyGroupSpecs;

/// Where a message's repeating-group specs come from.
#[derive(Clone)]
pub(crate) enum Specs {
    None,
    /// A whole message: look the count tag up by MsgType.
    Message(Arc<GroupSpecs>),
    /// A group entry: nested groups come from the entry's own spec.
    Entry(Arc<GroupSpec>),
}

/// Where a message's fields are kept.
#[derive(Clone)]
pub(crate) enum FieldStore {
    /// One message's, copied into an array of their own (which may be longer: one kept from
    /// an earlier message, see `message_alloc`).
    Own(Arc<[Field]>),
    /// The fields of every message of a `Framer` chunk, in the vector they were gathered in.
    Chunk(Arc<Vec<Field>>),
}

impl std::ops::Deref for FieldStore {
    type Target = [Field];

    #[inline]
    fn deref(&self) -> &[Field] {
        match self {
            Self::Own(fields) => fields,
            Self::Chunk(fields) => fields,
        }
    }
}

/// A parsed FIX message, or one entry of a repeating group: a frozen, lazy view over ``raw``.
///
/// Values become Python objects only when read. Accessors return the first occurrence of a tag.
/// Typed getters return ``default`` when the tag is absent and raise ``DecodeError`` (kind
/// ``"invalid_value"``) naming the tag and byte offset when the value is malformed.
#[pyclass(frozen, name = "Message", module = "fixwire")]
pub(crate) struct PyMessage {
    /// The bytes object the message lies in: the one given to `parse`, or a chunk fed to a
    /// `Framer`, which holds other messages too.
    source: Py<PyBytes>,
    /// Where the message lies in `source`.
    at: Range<usize>,
    /// `raw` for a message that is only part of `source`, made on its first read.
    copy: PyOnceLock<Py<PyBytes>>,
    /// Fields (offsets from the message's first byte), shared by the messages of one chunk and
    /// by a message's group entries.
    fields: FieldStore,
    /// The slice of `fields` that is the whole message.
    message: Range<usize>,
    /// The slice of `fields` this view covers: the whole message, or one group entry's.
    span: Range<usize>,
    pub(crate) specs: Specs,
}

impl PyMessage {
    /// A message that is all of `raw`, with a copy of its fields.
    pub(crate) fn new(raw: &Bound<'_, PyBytes>, fields: &[Field], specs: Specs) -> Self {
        let store = FieldStore::Own(Arc::from(fields));
        Self::lent(raw.clone().unbind(), 0..raw.as_bytes().len(), store, 0..fields.len(), specs)
    }

    /// A message that lies at `at` in `source`, its fields at `message` in `fields`.
    pub(crate) fn lent(
        source: Py<PyBytes>,
        at: Range<usize>,
        fields: FieldStore,
        message: Range<usize>,
        specs: Specs,
    ) -> Self {
        Self { source, at, copy: PyOnceLock::new(), fields, span: message.clone(), message, specs }
    }

    /// The message's bytes (the enclosing message's, for a group entry).
    pub(crate) fn bytes<'a>(&'a self, py: Python<'_>) -> &'a [u8] {
        &self.source.as_bytes(py)[self.at.clone()]
    }

    /// Every field of the message (the enclosing message's, for a group entry).
    pub(crate) fn message_fields(&self) -> &[Field] {
        &self.fields[self.message.clone()]
    }

    fn whole<'a>(&'a self, py: Python<'_>) -> Fields<'a> {
        Fields::new(self.bytes(py), self.message_fields())
    }

    fn view<'a>(&'a self, py: Python<'_>) -> Fields<'a> {
        Fields::new(self.bytes(py), &self.fields[self.span.clone()])
    }

    /// The message's bytes as a `bytes`: `source` itself when the message is all of it.
    fn raw_bytes<'py>(&self, py: Python<'py>) -> &Bound<'py, PyBytes> {
        let source = self.source.bind(py);
        if self.at.start == 0 && self.at.end == source.as_bytes().len() {
            return source;
        }
        self.copy.get_or_init(py, || PyBytes::new(py, self.bytes(py)).unbind()).bind(py)
    }

    /// `self[tag]` when `tag` is here and its value ASCII, else `None` (the full
    /// `__getitem__` answers that, raising where it must): the fast entry's work.
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))] // only the fast entries (entry.rs) use it
    pub(crate) fn ascii_item<'py>(&self, py: Python<'py>, tag: u32) -> Option<Bound<'py, PyString>> {
        let view = self.view(py);
        let field = view.find(tag)?;
        crate::conversions::ascii_str(py, &view.buf()[field.range()])
    }

    /// Drops the message's Python references at once (`py` is held: nothing is deferred to
    /// PyO3's next call) and hands back its own field array when nothing else shares it: the
    /// release of `message_alloc`, which keeps the array for the next message.
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy, Py_GIL_DISABLED)))]
    pub(crate) fn release(self, py: Python<'_>) -> Option<Arc<[Field]>> {
        let Self { source, copy, fields, .. } = self;
        source.drop_ref(py);
        if let Some(copy) = copy.into_inner() {
            copy.drop_ref(py);
        }
        match fields {
            FieldStore::Own(mut array) => Arc::get_mut(&mut array).is_some().then_some(array),
            FieldStore::Chunk(_) => None,
        }
    }

    pub(crate) fn is_entry(&self) -> bool {
        matches!(self.specs, Specs::Entry(_))
    }

    /// A typed value converted to Python, or `default` when the tag is absent.
    fn typed<'py, T>(
        py: Python<'py>,
        default: Option<Bound<'py, PyAny>>,
        value: Result<Option<T>, fixwire::DecodeError>,
        convert: impl FnOnce(T) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match value.map_err(py_err)? {
            Some(value) => convert(value),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    /// The value of `field` (one of this message's, whose bytes are `buf`) as `str`.
    fn str_value<'py>(&self, py: Python<'py>, buf: &[u8], field: Field) -> PyResult<Bound<'py, PyString>> {
        // A value that is not UTF-8 fails in CPython; the core then names the tag and offset.
        value_str(py, &buf[field.range()]).map_err(|e| self.whole(py).str_at(field).err().map_or(e, py_err))
    }
}

#[pymethods]
impl PyMessage {
    /// MsgType <35>.
    #[getter]
    fn msg_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        let whole = self.whole(py);
        let field = whole.find(35).expect("a parsed message has MsgType");
        self.str_value(py, whole.buf(), field)
    }

    /// BeginString <8>.
    #[getter]
    fn begin_string<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        self.str_value(py, self.bytes(py), self.message_fields()[0])
    }

    /// MsgSeqNum <34>; ``DecodeError`` when absent or not an integer.
    #[getter]
    fn seq_num(&self, py: Python<'_>) -> PyResult<u64> {
        self.whole(py).get_u64(34).map_err(py_err)?.ok_or_else(|| {
            py_err(fixwire::DecodeError::new(
                fixwire::DecodeErrorKind::InvalidValue,
                0,
                Some(34),
                "message has no MsgSeqNum <34>",
            ))
        })
    }

    /// The message bytes: the very object given to ``parse`` (for a group entry, the
    /// enclosing message's); from a ``Framer``, the chunk when it was exactly this message, else
    /// a ``bytes`` of the message made on the first read.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.raw_bytes(py).clone()
    }

    /// Whether the message was parsed with repeating-group specs (``groups=`` or a dictionary),
    /// so that ``group`` reads its entries; a group entry always is.
    #[getter]
    fn grouped(&self) -> bool {
        !matches!(self.specs, Specs::None)
    }

    fn __getitem__<'py>(&self, py: Python<'py>, tag: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
        // Any key that is not a tag present here (negative, huge, not an int) is simply absent.
        let view = self.view(py);
        match tag_arg(tag).ok().and_then(|t| view.find(t)) {
            Some(field) => self.str_value(py, view.buf(), field),
            None => Err(PyKeyError::new_err(tag.clone().unbind())),
        }
    }

    /// The value of ``tag`` as text, or ``default``.
    #[pyo3(signature = (tag, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        tag: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let view = self.view(py);
        match view.find(tag_arg(tag)?) {
            Some(field) => Ok(self.str_value(py, view.buf(), field)?.into_any()),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    /// The values of ``tags`` as text, in the order asked, ``None`` where absent: one call.
    #[pyo3(signature = (tags, /))]
    fn values<'py>(&self, py: Python<'py>, tags: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
        let view = self.view(py);
        let value = |tag: &Bound<'py, PyAny>| -> PyResult<Bound<'py, PyAny>> {
            match view.find(tag_arg(tag)?) {
                Some(field) => Ok(self.str_value(py, view.buf(), field)?.into_any()),
                None => Ok(py.None().into_bound(py)),
            }
        };
        // A tuple of tags (the usual call) is read in place and answered in a tuple filled in
        // place: no iterator, no intermediate vector (not in an abi3 build, whose stable ABI has
        // no SET_ITEM).
        #[cfg(not(Py_LIMITED_API))]
        if let Ok(tuple) = tags.cast::<PyTuple>() {
            let len = isize::try_from(tuple.len()).expect("a tuple has at most isize::MAX items");
            // SAFETY: the GIL is held; PyTuple_New gives a new tuple (or NULL with an error set).
            let out = unsafe {
                Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyTuple_New(len))?.cast_into_unchecked::<PyTuple>()
            };
            for (at, tag) in (0..len).zip(tuple.iter_borrowed()) {
                let item = value(&tag)?;
                // SAFETY: `out` is new and not shared, `at` is below its length and its slot still
                // empty; SET_ITEM takes over the reference `into_ptr` gives. A tuple dropped
                // half-filled (on an error) skips its empty slots.
                unsafe { pyo3::ffi::PyTuple_SET_ITEM(out.as_ptr(), at, item.into_ptr()) };
            }
            return Ok(out);
        }
        let out = tags.try_iter()?.map(|tag| value(&tag?)).collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, out)
    }

    /// Every value of ``tag``, in wire order.
    fn get_all<'py>(&self, py: Python<'py>, tag: u32) -> PyResult<Bound<'py, PyList>> {
        let view = self.view(py);
        let values = view.as_slice().iter().filter(|f| f.tag == tag).map(|f| self.str_value(py, view.buf(), *f));
        PyList::new(py, values.collect::<PyResult<Vec<_>>>()?)
    }

    /// The value as a FIX int (fits a signed 64-bit integer).
    #[pyo3(signature = (tag, default = None))]
    fn get_int<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_i64(tag), |v| Ok(v.into_pyobject(py)?.into_any()))
    }

    /// The value as an exact ``Decimal``; never through a float.
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

    /// The raw value bytes; a data field's may contain SOH.
    #[pyo3(signature = (tag, default = None))]
    fn get_bytes<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, Ok(self.view(py).get(tag)), |v| Ok(PyBytes::new(py, v).into_any()))
    }

    /// The value as a FIX Boolean: ``Y`` or ``N``.
    #[pyo3(signature = (tag, default = None))]
    fn get_bool<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_bool(tag), |v| Ok(PyBool::new(py, v).to_owned().into_any()))
    }

    /// The value as a FIX char: exactly one character.
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

    /// The value as a UTCTimestamp, a timezone-aware UTC ``datetime``. Digits below the
    /// microsecond are truncated (use ``get_time_ns`` for them); a leap second 60 becomes the
    /// next minute's second 0.
    #[pyo3(signature = (tag, default = None))]
    fn get_time<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_timestamp(tag), |v| datetime_from_timestamp(py, v))
    }

    /// The value as a UTCTimestamp in exact nanoseconds since the Unix epoch.
    #[pyo3(signature = (tag, default = None))]
    fn get_time_ns<'py>(
        &self,
        py: Python<'py>,
        tag: u32,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::typed(py, default, self.view(py).get_timestamp(tag), |v| Ok(v.unix_nanos().into_pyobject(py)?.into_any()))
    }

    /// The value as a UTCDateOnly or LocalMktDate (``YYYYMMDD``).
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

    /// The entries of the repeating group counted by ``count_tag``, each a ``Message`` view of
    /// that entry's fields. Empty when the count tag is absent; ``KeyError`` when the message was
    /// parsed without a spec for that group.
    fn group<'py>(slf: &Bound<'py, Self>, count_tag: u32) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let this = slf.get();
        let whole = this.whole(py);
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
        let spans = this.view(py).group_spans(&spec).map_err(py_err)?;
        let base = this.span.start;
        let out = spans.into_iter().map(|span| PyMessage {
            source: this.source.clone_ref(py),
            at: this.at.clone(),
            copy: PyOnceLock::new(),
            fields: this.fields.clone(),
            message: this.message.clone(),
            span: base + span.start..base + span.end,
            specs: Specs::Entry(Arc::clone(&spec)),
        });
        PyList::new(py, out)
    }

    /// The message as text with the dictionary's names and enum meanings.
    fn pretty(slf: &Bound<'_, Self>, dictionary: &Bound<'_, PyDictionary>) -> PyResult<String> {
        dictionary.get().format(slf.py(), slf)
    }

    fn __contains__(&self, py: Python<'_>, tag: &Bound<'_, PyAny>) -> bool {
        tag_arg(tag).is_ok_and(|t| self.view(py).contains(t))
    }

    fn __len__(&self) -> usize {
        self.span.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let view = self.view(py);
        let pairs = view
            .as_slice()
            .iter()
            .map(|f| {
                PyTuple::new(py, [f.tag.into_pyobject(py)?.into_any(), self.str_value(py, view.buf(), *f)?.into_any()])
            })
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
        if self.is_entry() {
            let fields = &self.fields[self.span.clone()];
            let (first, last) = (fields[0], fields[fields.len() - 1]);
            return PyBytes::new(py, &self.bytes(py)[first.offset()..last.end as usize]).hash();
        }
        self.raw_bytes(py).hash()
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

pub(crate) fn parse_options(verify_checksum: bool, groups: Option<&Bound<'_, PyGroupSpecs>>) -> ParseOptions {
    ParseOptions { verify_checksum, groups: groups.map(|g| g.get().snapshot()), ..ParseOptions::default() }
}

pub(crate) fn message_specs(options: &ParseOptions) -> Specs {
    options.groups.clone().map_or(Specs::None, Specs::Message)
}

thread_local! {
    /// Reused by `parse`, so a call allocates only the message's own field array.
    static INDEX: std::cell::RefCell<(FieldIndex, ParseOptions)> =
        std::cell::RefCell::new((FieldIndex::new(), ParseOptions::default()));
}

/// Parse bytes holding exactly one FIX message.
///
/// ``bytes`` are kept as they are (``msg.raw is data``); other buffers are copied once. With
/// ``groups`` (or a ``dictionary``, whose groups are used), every repeating group is checked
/// (entry count, field order) here. With ``validate=True`` the message is also validated with
/// the ``dictionary`` in the same call, as ``dictionary.validate(msg, allow_user_defined=...)``
/// would, for less than the two calls cost; ``allow_user_defined`` applies only then.
///
/// Raises:
///     DecodeError: the bytes are not one valid message (kind, offset and tag say why).
///     RejectError: ``validate=True`` and the dictionary rejects the message.
///     ValueError: ``validate=True`` without a dictionary, or with ``groups`` (the
///         dictionary's own are read).
#[pyfunction]
#[pyo3(signature = (
    data, /, *, verify_checksum = true, groups = None, dictionary = None, validate = false, allow_user_defined = false
))]
pub(crate) fn parse<'py>(
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
            None => index.parse(raw.as_bytes(), options).map_err(py_err)?,
            Some(dictionary) => {
                // Validation reads the groups itself: parsed flat, as the defaults parse.
                let flat = if verify_checksum { &*defaults } else { options };
                let validation = fixwire::ValidationOptions { allow_user_defined };
                dictionary.parse_valid(index, raw.as_bytes(), flat, validation).map_err(py_err)?;
            }
        }
        Ok(PyMessage::new(&raw, index.fields(), message_specs(options)))
    })?;
    Bound::new(py, message)
}

/// `parse(data)` of a `bytes` with the default options, or `None` when that fails (the caller
/// then makes the full call, which raises the error): the fast entry's work.
#[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))] // only the fast entries (entry.rs) use it
pub(crate) fn parse_plain<'py>(raw: &Bound<'py, PyBytes>) -> Option<Bound<'py, PyMessage>> {
    // Only Rust work while the index is borrowed: making a Python object can run the cycle
    // collector, and with it Python code (a `__del__`, a `gc.callbacks` hook) that parses again,
    // on CPython 3.11 inside the allocation itself.
    let made = INDEX.with_borrow_mut(|(index, defaults)| {
        index.parse(raw.as_bytes(), defaults).ok()?;
        #[cfg(not(Py_GIL_DISABLED))]
        if let Some(prepared) = crate::message_alloc::prepare(index.fields()) {
            return Some(Made::Kept(prepared));
        }
        Some(Made::Plain(Arc::from(index.fields())))
    })?;
    match made {
        #[cfg(not(Py_GIL_DISABLED))]
        Made::Kept(prepared) => crate::message_alloc::new_message(raw, prepared),
        Made::Plain(fields) => {
            let (count, len) = (fields.len(), raw.as_bytes().len());
            let message = PyMessage::lent(raw.clone().unbind(), 0..len, FieldStore::Own(fields), 0..count, Specs::None);
            Bound::new(raw.py(), message).ok()
        }
    }
}

/// What [`parse_plain`] takes out of the index's borrow: the makings of a message in the free
/// list's memory, or a copy of its fields for PyO3 to make one of (small either way: it is
/// moved out of the borrow and matched).
#[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
enum Made {
    #[cfg(not(Py_GIL_DISABLED))]
    Kept(crate::message_alloc::Prepared),
    Plain(Arc<[Field]>),
}

/// The FIX checksum of ``data``: the sum of its bytes modulo 256.
#[pyfunction]
#[pyo3(signature = (data, /))]
pub(crate) fn checksum(data: &Bound<'_, PyAny>) -> PyResult<u8> {
    Ok(fixwire::checksum(as_pybytes(data)?.as_bytes()))
}
