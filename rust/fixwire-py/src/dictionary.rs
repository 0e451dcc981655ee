//! `Dictionary`, `FieldInfo` and `MessageInfo`: FIX data dictionaries.

use std::sync::{Arc, Mutex};

use fixwire::columns::ColumnKind;
use fixwire::Dictionary;
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::conversions::without_gil;
use crate::errors::py_err;
use crate::groups::{PyGroupSpec, PyGroupSpecs};
use crate::message::PyMessage;

/// A FIX data dictionary (QuickFIX XML): names, types, enums, layouts, validation.
#[pyclass(frozen, name = "Dictionary", module = "fixwire")]
pub(crate) struct PyDictionary {
    pub(crate) dictionary: Arc<Dictionary>,
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

/// A whole parsed message, or a TypeError for a group entry.
fn whole_message<'a>(py: Python<'_>, msg: &'a PyMessage) -> PyResult<fixwire::Message<'a>> {
    if msg.is_entry() {
        return Err(PyTypeError::new_err("a group entry is not a whole message"));
    }
    fixwire::Message::from_fields(msg.bytes(py), msg.message_fields())
        .ok_or_else(|| PyTypeError::new_err("not a whole parsed message"))
}

#[pymethods]
impl PyDictionary {
    /// The bundled dictionary of Kalshi's FIX gateway (lenient where the venue's docs leave
    /// questions open).
    #[staticmethod]
    fn kalshi() -> Self {
        static KALSHI: std::sync::OnceLock<Arc<Dictionary>> = std::sync::OnceLock::new();
        Self { dictionary: Arc::clone(KALSHI.get_or_init(|| Arc::new(Dictionary::kalshi()))) }
    }

    /// Read QuickFIX XML (a path, or the XML text itself): an application dictionary and,
    /// for FIXT.1.1, its transport dictionary (header, trailer, admin messages).
    ///
    /// Raises:
    ///     DictionaryError: malformed XML or an inconsistent dictionary; ``.line`` names the
    ///         line (a ``ValueError`` too).
    ///     OSError: a path that cannot be read.
    #[staticmethod]
    #[pyo3(signature = (app, transport = None))]
    fn from_xml(py: Python<'_>, app: &Bound<'_, PyAny>, transport: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let app = xml_text(app)?;
        let transport = transport.map(xml_text).transpose()?;
        let dictionary = without_gil(py, || Dictionary::from_xml(&app, transport.as_deref())).map_err(py_err)?;
        Ok(Self { dictionary: Arc::new(dictionary) })
    }

    /// BeginString <8> of the dictionary.
    #[getter]
    fn begin_string(&self) -> &str {
        self.dictionary.begin_string()
    }

    /// What the XML had that is not quite right but was accepted as QuickFIX accepts it (a
    /// group listing a member twice: the second is ignored), one line each.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.dictionary.warnings().to_vec()
    }

    /// The field with ``tag``; ``KeyError`` when undefined.
    fn field(&self, tag: u32) -> PyResult<PyFieldInfo> {
        let def = self.dictionary.field(tag).ok_or_else(|| PyKeyError::new_err(tag))?;
        Ok(PyFieldInfo { def: def.clone() })
    }

    /// The tag of the field named ``name``; ``KeyError`` when undefined.
    fn tag(&self, name: &str) -> PyResult<u32> {
        self.dictionary.tag(name).ok_or_else(|| PyKeyError::new_err(name.to_owned()))
    }

    /// The repeating group counted by ``count_tag`` (its NumInGroup tag), laid out as in
    /// messages of ``msg_type``, or as in the first message (by MsgType) that has it;
    /// ``KeyError`` when no message has it.
    #[pyo3(signature = (count_tag, msg_type = None))]
    fn group(&self, count_tag: u32, msg_type: Option<&str>) -> PyResult<PyGroupSpec> {
        let spec = self.dictionary.group(count_tag, msg_type).ok_or_else(|| PyKeyError::new_err(count_tag))?;
        Ok(PyGroupSpec { spec })
    }

    /// The message of MsgType ``msg_type``; ``KeyError`` when undefined.
    fn message(&self, msg_type: &str) -> PyResult<PyMessageInfo> {
        let def = self.dictionary.message(msg_type).ok_or_else(|| PyKeyError::new_err(msg_type.to_owned()))?;
        Ok(PyMessageInfo { def: def.clone() })
    }

    /// Every MsgType, sorted.
    fn msg_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self.dictionary.messages().map(|m| m.msg_type.clone()).collect();
        types.sort();
        types
    }

    /// The repeating groups of every message, for ``parse(..., groups=)`` and ``Framer``.
    #[getter]
    fn groups(&self) -> PyGroupSpecs {
        PyGroupSpecs { specs: Mutex::new(self.dictionary.group_specs()) }
    }

    /// Check ``msg`` as a counterparty using this dictionary would.
    ///
    /// Raises:
    ///     RejectError: with the SessionRejectReason <373> (1, 2, 3, 5, 6, 11, 13, 14, 15, 16),
    ///         RefTagID <371> and RefMsgType <372> of the first problem found.
    ///     TypeError: ``msg`` is a group entry, not a whole message.
    #[pyo3(signature = (msg, *, allow_user_defined = false))]
    fn validate(&self, py: Python<'_>, msg: &Bound<'_, PyMessage>, allow_user_defined: bool) -> PyResult<()> {
        let message = whole_message(py, msg.get())?;
        self.dictionary.validate(&message, fixwire::ValidationOptions { allow_user_defined }).map_err(py_err)
    }

    /// One line per field: tag, name, value and the value's meaning; groups indented.
    pub(crate) fn format(&self, py: Python<'_>, msg: &Bound<'_, PyMessage>) -> PyResult<String> {
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
pub(crate) struct PyFieldInfo {
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

    /// The FIX type name: PRICE, STRING, UTCTIMESTAMP, ...
    #[getter]
    fn r#type(&self) -> &str {
        &self.def.type_name
    }

    /// The column kind ``read_columns`` reads the field as when given this dictionary:
    /// ``"int"``, ``"decimal"``, ``"time"``, ``"date"``, ``"bool"`` or ``"str"``.
    #[getter]
    fn column_kind(&self) -> &'static str {
        ColumnKind::of_type(&self.def.field_type, 0).name()
    }

    /// Enumerated values and their descriptions; empty when any value is allowed.
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
pub(crate) struct PyMessageInfo {
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

    /// ``admin`` or ``app``.
    #[getter]
    fn category(&self) -> &str {
        &self.def.category
    }

    /// Body tags in dictionary order (a group by its count tag), components flattened.
    #[getter]
    fn fields(&self) -> Vec<u32> {
        self.def.layout.iter().map(fixwire::dictionary::Entry::tag).collect()
    }

    /// Body tags the message must carry.
    #[getter]
    fn required(&self) -> Vec<u32> {
        self.def.layout.iter().filter(|e| e.required()).map(fixwire::dictionary::Entry::tag).collect()
    }

    fn __repr__(&self) -> String {
        format!("<MessageInfo {} {}>", self.def.msg_type, self.def.name)
    }
}
