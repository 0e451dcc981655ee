//! `FieldMap`, `MessageMap`, `GroupLayout`: the core's [`fixwire::fieldmap`] for
//! `fixwire.quickfix`.
//!
//! `fixwire.quickfix`'s `Header`, `Trailer` and `Group` are Python subclasses of `FieldMap`,
//! its `Message` of `MessageMap` (a `FieldMap` that makes its header and trailer), so
//! QuickFIX's methods (`setField`, `getField`, `addGroup`, `getHeader`, `toString` ...) are
//! these native ones. The class is frozen; its map sits behind a lock taken for each call
//! (uncontended: one thread at a time uses a message). Field objects are `crate::fieldbase`'s.

use std::sync::{Arc, Mutex};

use fixwire::fieldmap::{self, GroupLayout, Order};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyString, PyTuple, PyType};

use crate::conversions::exclusive;
use crate::fieldbase::{field_parts, fill_field, PyFieldBase};

pyo3::import_exception!(fixwire.quickfix.errors, FieldNotFound);

/// The order of a repeating group's entries: its count tag, the delimiter that starts
/// each entry, then ``order``; undeclared tags last, by tag (``fixwire.quickfix``'s groups).
#[pyclass(frozen, name = "GroupLayout", module = "fixwire._native")]
pub(crate) struct PyGroupLayout {
    layout: Arc<GroupLayout>,
}

#[pymethods]
impl PyGroupLayout {
    #[new]
    #[pyo3(signature = (count_tag, delim, order = Vec::new()))]
    #[allow(clippy::needless_pass_by_value)] // PyO3 extracts a list into a Vec.
    fn new(count_tag: u32, delim: u32, order: Vec<u32>) -> Self {
        Self { layout: Arc::new(GroupLayout::new(count_tag, delim, &order)) }
    }
}

/// How a parse is filed into a message's maps: ``Filing(header_tags, count_tags)``.
#[pyclass(frozen, name = "Filing", module = "fixwire._native")]
pub(crate) struct PyFiling {
    filing: fieldmap::Filing,
}

#[pymethods]
impl PyFiling {
    #[new]
    fn new(header_tags: &Bound<'_, PyAny>, count_tags: &Bound<'_, PyAny>) -> PyResult<Self> {
        let tags = |all: &Bound<'_, PyAny>| -> PyResult<Vec<u32>> { all.try_iter()?.map(|t| t?.extract()).collect() };
        Ok(Self { filing: fieldmap::Filing::new(tags(header_tags)?, tags(count_tags)?) })
    }
}

/// Files the fields of `native` (a parse, or a group entry of one, iterated as `(tag, text)`)
/// into `maps` by `filing`: a group entry's fields into entries of its count field's map.
/// Returns how many fields were taken.
fn fill(
    native: &Bound<'_, PyAny>,
    filing: &fieldmap::Filing,
    maps: &mut [&mut fieldmap::FieldMap],
    route: bool,
) -> PyResult<usize> {
    let py = native.py();
    let items: Vec<(u32, Bound<'_, PyString>)> =
        native.try_iter()?.map(|item| item?.extract()).collect::<PyResult<_>>()?;
    let mut i = 0;
    while i < items.len() {
        let (tag, value) = &items[i];
        i += 1;
        let at = if route {
            match filing.part(*tag) {
                fieldmap::Part::Header => 0,
                fieldmap::Part::Body => 1,
                fieldmap::Part::Trailer => 2,
            }
        } else {
            0
        };
        maps[at].push(*tag, value.to_str()?);
        if !filing.starts_group(*tag) {
            continue;
        }
        // A count tag the parse did not read as a group keeps its entries' fields flat.
        let Ok(entries) = native.call_method1(intern!(py, "group"), (*tag,)) else { continue };
        for entry in entries.try_iter()? {
            let entry = entry?;
            let Some(delim) = entry.try_iter()?.next() else { continue };
            let delim: u32 = delim?.get_item(0)?.extract()?;
            let mut map = fieldmap::Filing::entry(*tag, delim);
            i += fill(&entry, filing, &mut [&mut map], false)?;
            maps[at].push_entry(*tag, map);
        }
    }
    Ok(items.len())
}

/// Fields by tag with repeating groups, written in QuickFIX's order.
///
/// A subclass's ``_ORDER`` class attribute says which order: ``1`` a header, ``2`` a trailer,
/// a :class:`GroupLayout` a group entry; anything else (or none) a body.
#[pyclass(frozen, subclass, name = "FieldMap", module = "fixwire._native")]
pub(crate) struct PyFieldMap {
    map: Mutex<fieldmap::FieldMap>,
}

/// A field argument: a tag, or a field object's tag.
fn tag_of(field: &Bound<'_, PyAny>) -> PyResult<u32> {
    if field.is_exact_instance_of::<PyInt>() {
        return field.extract();
    }
    if let Ok(native) = field.cast::<PyFieldBase>() {
        return native.get().tag();
    }
    field.getattr(intern!(field.py(), "_tag"))?.extract()
}

/// The entry of a map given as a group: a `FieldMap` whose order is a group layout.
fn group_of<'a, 'py>(group: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyFieldMap>> {
    group.cast::<PyFieldMap>().map_err(|_| PyTypeError::new_err("a Group is needed"))
}

fn layout_of(map: &fieldmap::FieldMap) -> PyResult<&Arc<GroupLayout>> {
    match map.order() {
        Order::Group(layout) => Ok(layout),
        _ => Err(PyTypeError::new_err("a Group is needed (a field map of a repeating group)")),
    }
}

fn not_found(tag: u32) -> PyErr {
    FieldNotFound::new_err(tag)
}

impl PyFieldMap {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, fieldmap::FieldMap>> {
        exclusive(&self.map, "FieldMap")
    }

    /// A copy of `group`'s entry and its count tag.
    fn entry_of(group: &Bound<'_, PyAny>) -> PyResult<(u32, fieldmap::FieldMap)> {
        let map = group_of(group)?.get().lock()?;
        Ok((layout_of(&map)?.count_tag(), map.clone()))
    }

    fn count_tag_of(group: &Bound<'_, PyAny>) -> PyResult<u32> {
        if group.is_exact_instance_of::<PyInt>() {
            return group.extract();
        }
        let map = group_of(group)?.get().lock()?;
        Ok(layout_of(&map)?.count_tag())
    }
}

/// Fields as the fixwire encoder takes them: `(tag, text)`, or `(tag, [entry, ...])` for a
/// group's count field, each entry a list of the same.
fn flat<'py>(py: Python<'py>, map: &fieldmap::FieldMap) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (tag, value) in map.fields() {
        let entries = map.entries(tag);
        if entries.is_empty() {
            out.append((tag, value))?;
        } else {
            let list = PyList::empty(py);
            for entry in entries {
                list.append(flat(py, entry)?)?;
            }
            out.append((tag, list))?;
        }
    }
    Ok(out)
}

#[pymethods]
impl PyFieldMap {
    #[new]
    #[classmethod]
    #[pyo3(signature = (*_args))]
    fn new(cls: &Bound<'_, PyType>, _args: &Bound<'_, PyTuple>) -> Self {
        let order = match cls.getattr(intern!(cls.py(), "_ORDER")) {
            Ok(kind) => {
                if let Ok(layout) = kind.cast::<PyGroupLayout>() {
                    Order::Group(Arc::clone(&layout.get().layout))
                } else {
                    match kind.extract::<u8>() {
                        Ok(1) => Order::Header,
                        Ok(2) => Order::Trailer,
                        _ => Order::Body,
                    }
                }
            }
            Err(_) => Order::Body,
        };
        Self { map: Mutex::new(fieldmap::FieldMap::new(order)) }
    }

    /// Makes this (empty) map a group entry of ``layout``.
    fn _set_layout(&self, layout: &PyGroupLayout) -> PyResult<()> {
        let mut map = self.lock()?;
        let mut fresh = fieldmap::FieldMap::new(Order::Group(Arc::clone(&layout.layout)));
        fresh.copy_from(&map);
        *map = fresh;
        Ok(())
    }

    /// Set a field: ``setField(ClOrdID("a"))`` or ``setField(11, "a")``; ``setField(field,
    /// False)`` keeps a value already set (QuickFIX's ``overwrite``).
    #[pyo3(signature = (field, value = None))]
    #[allow(non_snake_case)]
    fn setField(&self, field: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let py = field.py();
        if field.is_exact_instance_of::<PyInt>() {
            let tag: u32 = field.extract()?;
            let value = value.ok_or_else(|| PyTypeError::new_err("setField(tag, value) needs a value"))?;
            let text = match value.cast::<PyString>() {
                Ok(text) => text.clone(),
                Err(_) => value.str()?,
            };
            self.lock()?.set(tag, text.to_str()?);
            return Ok(());
        }
        let (tag, text) = field_parts(field)?;
        let keep = value.is_some_and(|v| v.is(pyo3::types::PyBool::new(py, false)));
        let mut map = self.lock()?;
        if !(keep && map.contains(tag)) {
            map.set(tag, text.to_str()?);
        }
        Ok(())
    }

    /// ``getField(11)`` is the text of ClOrdID <11>; ``getField(ClOrdID())`` fills the field
    /// object given and returns it.
    ///
    /// Raises:
    ///     FieldNotFound: the field is not set.
    #[allow(non_snake_case)]
    fn getField<'py>(&self, field: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = field.py();
        let tag = tag_of(field)?;
        let text = {
            let map = self.lock()?;
            PyString::new(py, map.get(tag).ok_or_else(|| not_found(tag))?)
        };
        if field.is_exact_instance_of::<PyInt>() {
            return Ok(text.into_any());
        }
        fill_field(field, text)?;
        Ok(field.clone())
    }

    /// Fill ``field`` if it is set; return whether it was.
    #[allow(non_snake_case)]
    fn getFieldIfSet(&self, field: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = field.py();
        let tag = tag_of(field)?;
        let text = match self.lock()?.get(tag) {
            Some(text) => PyString::new(py, text),
            None => return Ok(false),
        };
        fill_field(field, text)?;
        Ok(true)
    }

    /// Whether the field (object or tag) is set.
    #[allow(non_snake_case)]
    fn isSetField(&self, field: &Bound<'_, PyAny>) -> PyResult<bool> {
        let tag = tag_of(field)?;
        Ok(self.lock()?.contains(tag))
    }

    /// Remove the field (object or tag) and its repeats, if set.
    #[allow(non_snake_case)]
    fn removeField(&self, field: &Bound<'_, PyAny>) -> PyResult<()> {
        let tag = tag_of(field)?;
        self.lock()?.remove(tag);
        Ok(())
    }

    /// Append a copy of ``group`` as a new entry and set the count field.
    #[allow(non_snake_case)]
    fn addGroup(&self, group: &Bound<'_, PyAny>) -> PyResult<()> {
        let (tag, entry) = Self::entry_of(group)?;
        self.lock()?.add_group(tag, entry);
        Ok(())
    }

    /// Fill ``group`` with entry ``num`` (from 1) of its group and return it.
    ///
    /// Raises:
    ///     FieldNotFound: there is no such entry (``group`` is left empty, as in QuickFIX).
    #[allow(non_snake_case)]
    fn getGroup<'py>(&self, num: usize, group: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let target = group_of(group)?.get();
        let tag = {
            let mut map = target.lock()?;
            map.clear();
            layout_of(&map)?.count_tag()
        };
        let entry = self.lock()?.entry(tag, num).cloned().ok_or_else(|| not_found(tag))?;
        target.lock()?.copy_from(&entry);
        Ok(group.clone())
    }

    /// Replace entry ``num`` (from 1) with a copy of ``group``.
    ///
    /// Raises:
    ///     FieldNotFound: there is no such entry.
    #[allow(non_snake_case)]
    fn replaceGroup(&self, num: usize, group: &Bound<'_, PyAny>) -> PyResult<()> {
        let (tag, entry) = Self::entry_of(group)?;
        if self.lock()?.replace_entry(tag, num, entry) {
            Ok(())
        } else {
            Err(not_found(tag))
        }
    }

    /// ``removeGroup(num, tag_or_group)`` removes one entry, ``removeGroup(tag_or_group)``
    /// every entry (and the count field).
    #[pyo3(signature = (*args))]
    #[allow(non_snake_case)]
    fn removeGroup(&self, args: &Bound<'_, PyTuple>) -> PyResult<()> {
        match args.len() {
            1 => {
                let tag = Self::count_tag_of(&args.get_item(0)?)?;
                self.lock()?.remove_group(tag);
            }
            2 => {
                let num: usize = args.get_item(0)?.extract()?;
                let tag = Self::count_tag_of(&args.get_item(1)?)?;
                self.lock()?.remove_entry(tag, num);
            }
            n => return Err(PyTypeError::new_err(format!("removeGroup takes 1 or 2 arguments ({n} given)"))),
        }
        Ok(())
    }

    /// ``hasGroup(tag_or_group)`` or ``hasGroup(num, tag_or_group)``.
    #[pyo3(signature = (*args))]
    #[allow(non_snake_case)]
    fn hasGroup(&self, args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        match args.len() {
            1 => {
                let tag = Self::count_tag_of(&args.get_item(0)?)?;
                Ok(!self.lock()?.entries(tag).is_empty())
            }
            2 => {
                let num: usize = args.get_item(0)?.extract()?;
                let tag = Self::count_tag_of(&args.get_item(1)?)?;
                Ok(self.lock()?.entry(tag, num).is_some())
            }
            n => Err(PyTypeError::new_err(format!("hasGroup takes 1 or 2 arguments ({n} given)"))),
        }
    }

    /// How many entries the group of count field ``tag`` has.
    #[allow(non_snake_case)]
    fn groupCount(&self, tag: u32) -> PyResult<usize> {
        Ok(self.lock()?.entries(tag).len())
    }

    /// Remove every field and group.
    fn clear(&self) -> PyResult<()> {
        self.lock()?.clear();
        Ok(())
    }

    /// Whether no field is set.
    #[allow(non_snake_case)]
    fn isEmpty(&self) -> PyResult<bool> {
        Ok(self.lock()?.is_empty())
    }

    /// Fields set, group entries' fields included.
    #[allow(non_snake_case)]
    fn totalFields(&self) -> PyResult<usize> {
        Ok(self.lock()?.total_fields())
    }

    /// The count tag of a group entry (NoPartyIDs <453> ...).
    fn field(&self) -> PyResult<u32> {
        Ok(layout_of(&*self.lock()?)?.count_tag())
    }

    /// The tag that starts each entry of a group.
    fn delim(&self) -> PyResult<u32> {
        Ok(layout_of(&*self.lock()?)?.delim())
    }

    /// The value of ``tag``, or ``None``.
    fn _get(&self, tag: u32) -> PyResult<Option<String>> {
        Ok(self.lock()?.get(tag).map(str::to_owned))
    }

    /// Files the fields of ``native`` (a parse) into ``header``, this body and ``trailer`` in
    /// wire order, a group's entries (when ``native`` was parsed with the group's spec) into
    /// entries of its count field.
    fn _fill_from(
        &self,
        header: &PyFieldMap,
        trailer: &PyFieldMap,
        native: &Bound<'_, PyAny>,
        filing: &PyFiling,
    ) -> PyResult<()> {
        let mut body = self.lock()?;
        let mut header = header.lock()?;
        let mut trailer = trailer.lock()?;
        fill(native, &filing.filing, &mut [&mut header, &mut body, &mut trailer], true)?;
        Ok(())
    }

    /// The fields in written order as ``(tag, text)``, a group's count field as ``(tag,
    /// [entry, ...])`` with each entry the same: what ``fixwire.Encoder`` takes.
    fn _flat<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        flat(py, &*self.lock()?)
    }

    /// The map's fields as they are written inside a message.
    fn _text(&self) -> PyResult<String> {
        let mut out = Vec::new();
        self.lock()?.write(&mut out);
        String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

/// What a message class makes with each message: ``MessageLayout(header_class,
/// trailer_class, header_fields)``, the classes of its header and trailer and the ``(tag,
/// text)`` fields set in the header (BeginString <8>, ApplVerID <1128>, MsgType <35>).
#[pyclass(frozen, name = "MessageLayout", module = "fixwire._native")]
pub(crate) struct PyMessageLayout {
    header: Py<PyType>,
    trailer: Py<PyType>,
    fields: Vec<(u32, String)>,
}

#[pymethods]
impl PyMessageLayout {
    #[new]
    fn new(
        header_class: Bound<'_, PyType>,
        trailer_class: Bound<'_, PyType>,
        header_fields: Vec<(u32, String)>,
    ) -> Self {
        Self { header: header_class.unbind(), trailer: trailer_class.unbind(), fields: header_fields }
    }
}

/// A message: its body, and the header and trailer made with it.
///
/// A subclass's ``_LAYOUT`` class attribute (a :class:`MessageLayout`) gives the classes of
/// the header and trailer and the header fields each new message has. A class whose layout
/// sets header fields (a version's message class) takes no arguments; any other leaves its
/// arguments to ``__init__``.
#[pyclass(frozen, subclass, extends = PyFieldMap, name = "MessageMap", module = "fixwire._native")]
pub(crate) struct PyMessageMap {
    header: Py<PyFieldMap>,
    trailer: Py<PyFieldMap>,
}

#[pymethods]
impl PyMessageMap {
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args))]
    fn new(cls: &Bound<'_, PyType>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let py = cls.py();
        let layout = cls.getattr(intern!(py, "_LAYOUT"))?;
        let layout = layout
            .cast::<PyMessageLayout>()
            .map_err(|_| PyTypeError::new_err("a message class needs a MessageLayout as _LAYOUT"))?
            .get();
        if !layout.fields.is_empty() && !args.is_empty() {
            return Err(PyTypeError::new_err(format!("{}() takes no arguments", cls.name()?)));
        }
        let header = layout.header.bind(py).call0()?.cast_into::<PyFieldMap>()?;
        {
            let mut map = header.get().lock()?;
            for (tag, text) in &layout.fields {
                map.set(*tag, text);
            }
        }
        let trailer = layout.trailer.bind(py).call0()?.cast_into::<PyFieldMap>()?;
        let body = PyFieldMap { map: Mutex::new(fieldmap::FieldMap::new(Order::Body)) };
        Ok(PyClassInitializer::from(body).add_subclass(Self { header: header.unbind(), trailer: trailer.unbind() }))
    }

    /// The header, shared (changes to it change the message).
    #[allow(non_snake_case)]
    fn getHeader(&self, py: Python<'_>) -> Py<PyFieldMap> {
        self.header.clone_ref(py)
    }

    /// The trailer, shared.
    #[allow(non_snake_case)]
    fn getTrailer(&self, py: Python<'_>) -> Py<PyFieldMap> {
        self.trailer.clone_ref(py)
    }

    /// The message as FIX text, with BodyLength <9> and CheckSum <10> computed (and set in
    /// header and trailer).
    #[allow(non_snake_case)]
    fn toString(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let this = slf.get();
        let body = slf.as_super().get().lock()?;
        let mut header = this.header.bind(py).get().lock()?;
        let mut trailer = this.trailer.bind(py).get().lock()?;
        let wire = fieldmap::write_message(&mut header, &body, &mut trailer);
        String::from_utf8(wire).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn __str__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Self::toString(slf)
    }
}
