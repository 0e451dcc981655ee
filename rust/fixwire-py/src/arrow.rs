//! `ArrowStream`: columns handed to Arrow consumers (pyarrow, polars, DuckDB) through the Arrow C
//! data and stream interfaces and the PyCapsule protocol (`__arrow_c_schema__`,
//! `__arrow_c_stream__`), pointing at the buffers Python already holds instead of copying them.
//!
//! The Python layer (`fixwire.table`) decides each column's Arrow format and buffers; this file
//! only lays them out as the C structs the Arrow specification defines and keeps the Python
//! buffers alive until every consumer has released what it was given.

// Lengths are those of Python objects (below 2^63), and metadata keys and values are short
// names and JSON of a dictionary's enumerated values (far below 2^31).
#![allow(clippy::cast_possible_wrap)]

use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr;
use std::sync::Arc;

use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// `ARROW_FLAG_NULLABLE`.
const NULLABLE: i64 = 2;

/// `struct ArrowSchema` of the Arrow C data interface.
#[repr(C)]
struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

/// `struct ArrowArray` of the Arrow C data interface.
#[repr(C)]
struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

/// `struct ArrowArrayStream` of the Arrow C stream interface.
#[repr(C)]
struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

impl ArrowSchema {
    const RELEASED: Self = Self {
        format: ptr::null(),
        name: ptr::null(),
        metadata: ptr::null(),
        flags: 0,
        n_children: 0,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    };
}

impl ArrowArray {
    const RELEASED: Self = Self {
        length: 0,
        null_count: 0,
        offset: 0,
        n_buffers: 0,
        n_children: 0,
        buffers: ptr::null_mut(),
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    };
}

/// A schema node: a field, or the record batch's struct of fields.
struct SchemaNode {
    format: CString,
    name: CString,
    /// Arrow's binary metadata encoding, when there is metadata.
    metadata: Option<Vec<u8>>,
    flags: i64,
    children: Vec<SchemaNode>,
    dictionary: Option<Box<SchemaNode>>,
}

/// An array's buffers (`None`: an absent validity bitmap) and its dictionary, if encoded.
struct ArrayNode {
    length: i64,
    null_count: i64,
    buffers: Vec<Option<PyUntypedBuffer>>,
    dictionary: Option<Box<ArrayNode>>,
}

/// What a stream hands out: the schema and the record batches, each a row count and columns.
struct Table {
    schema: SchemaNode,
    batches: Vec<(i64, Vec<Arc<ArrayNode>>)>,
}

/// What an exported `ArrowSchema` owns.
struct SchemaPrivate {
    format: CString,
    name: CString,
    metadata: Option<Vec<u8>>,
    children: Vec<*mut ArrowSchema>,
    dictionary: *mut ArrowSchema,
}

/// What an exported `ArrowArray` owns: its node (holding the Python buffers) and the pointer
/// arrays the struct points at.
struct ArrayPrivate {
    _owner: Option<Arc<ArrayNode>>,
    buffers: Vec<*const c_void>,
    children: Vec<*mut ArrowArray>,
    dictionary: *mut ArrowArray,
}

/// What an exported `ArrowArrayStream` owns.
struct StreamPrivate {
    table: Arc<Table>,
    next: usize,
}

/// Releases a child struct the parent allocated (unless its consumer moved it out), then frees it.
///
/// # Safety
/// `child` came from `Box::into_raw` and is not used afterwards.
unsafe fn free_schema(child: *mut ArrowSchema) {
    // SAFETY: the caller's promise; a moved child has a null release.
    unsafe {
        if let Some(release) = (*child).release {
            release(child);
        }
        drop(Box::from_raw(child));
    }
}

/// # Safety
/// As [`free_schema`].
unsafe fn free_array(child: *mut ArrowArray) {
    // SAFETY: as in `free_schema`.
    unsafe {
        if let Some(release) = (*child).release {
            release(child);
        }
        drop(Box::from_raw(child));
    }
}

unsafe extern "C" fn release_schema(schema: *mut ArrowSchema) {
    // SAFETY: Arrow consumers call release once, on a struct `export_schema` filled, whose
    // private data is a boxed SchemaPrivate; children and dictionary were boxed by it too.
    unsafe {
        let Some(schema) = schema.as_mut() else { return };
        let private = Box::from_raw(schema.private_data.cast::<SchemaPrivate>());
        for &child in &private.children {
            free_schema(child);
        }
        if !private.dictionary.is_null() {
            free_schema(private.dictionary);
        }
        *schema = ArrowSchema::RELEASED;
    }
}

unsafe extern "C" fn release_array(array: *mut ArrowArray) {
    // SAFETY: as in `release_schema`, for structs `export_array` filled.
    unsafe {
        let Some(array) = array.as_mut() else { return };
        let private = Box::from_raw(array.private_data.cast::<ArrayPrivate>());
        for &child in &private.children {
            free_array(child);
        }
        if !private.dictionary.is_null() {
            free_array(private.dictionary);
        }
        // Dropping the node may release Python buffers: PyBuffer attaches to the interpreter.
        drop(private);
        *array = ArrowArray::RELEASED;
    }
}

/// Fills `out` with `node` (copies of its strings, so the node may go first).
fn export_schema(node: &SchemaNode, out: &mut ArrowSchema) {
    let mut children: Vec<*mut ArrowSchema> = node
        .children
        .iter()
        .map(|child| {
            let mut schema = Box::new(ArrowSchema::RELEASED);
            export_schema(child, &mut schema);
            Box::into_raw(schema)
        })
        .collect();
    let dictionary = node.dictionary.as_ref().map_or(ptr::null_mut(), |d| {
        let mut schema = Box::new(ArrowSchema::RELEASED);
        export_schema(d, &mut schema);
        Box::into_raw(schema)
    });
    let private = Box::new(SchemaPrivate {
        format: node.format.clone(),
        name: node.name.clone(),
        metadata: node.metadata.clone(),
        children: Vec::new(),
        dictionary,
    });
    let private = Box::into_raw(private);
    // SAFETY: `private` was just boxed; its strings' heap data do not move with it.
    let p = unsafe { &mut *private };
    *out = ArrowSchema {
        format: p.format.as_ptr(),
        name: p.name.as_ptr(),
        metadata: p.metadata.as_ref().map_or(ptr::null(), |m| m.as_ptr().cast()),
        flags: node.flags,
        n_children: children.len() as i64,
        children: if children.is_empty() { ptr::null_mut() } else { children.as_mut_ptr() },
        dictionary,
        release: Some(release_schema),
        private_data: private.cast(),
    };
    p.children = children;
}

/// Fills `out` with a column (or its dictionary): its buffers point into the node's Python
/// buffers, which `owner` (the column) keeps alive however long the consumer keeps this array.
fn export_array(node: &ArrayNode, owner: &Arc<ArrayNode>, out: &mut ArrowArray) {
    let buffers = node.buffers.iter().map(|b| b.as_ref().map_or(ptr::null(), |b| b.buf_ptr().cast_const())).collect();
    let dictionary = node.dictionary.as_ref().map_or(ptr::null_mut(), |d| {
        let mut array = Box::new(ArrowArray::RELEASED);
        export_array(d, owner, &mut array);
        Box::into_raw(array)
    });
    let private = Box::into_raw(Box::new(ArrayPrivate {
        _owner: Some(Arc::clone(owner)),
        buffers,
        children: Vec::new(),
        dictionary,
    }));
    // SAFETY: `private` was just boxed.
    let p = unsafe { &mut *private };
    *out = ArrowArray {
        length: node.length,
        null_count: node.null_count,
        offset: 0,
        n_buffers: p.buffers.len() as i64,
        n_children: 0,
        buffers: p.buffers.as_mut_ptr(),
        children: ptr::null_mut(),
        dictionary,
        release: Some(release_array),
        private_data: private.cast(),
    };
}

/// Fills `out` with a record batch: a struct array of `rows` rows whose children are the columns.
fn export_batch(rows: i64, columns: &[Arc<ArrayNode>], out: &mut ArrowArray) {
    let children: Vec<*mut ArrowArray> = columns
        .iter()
        .map(|column| {
            let mut array = Box::new(ArrowArray::RELEASED);
            export_array(column, column, &mut array);
            Box::into_raw(array)
        })
        .collect();
    let private = Box::into_raw(Box::new(ArrayPrivate {
        _owner: None,
        buffers: vec![ptr::null()],
        children,
        dictionary: ptr::null_mut(),
    }));
    // SAFETY: `private` was just boxed.
    let p = unsafe { &mut *private };
    *out = ArrowArray {
        length: rows,
        null_count: 0,
        offset: 0,
        n_buffers: 1,
        n_children: p.children.len() as i64,
        buffers: p.buffers.as_mut_ptr(),
        children: if p.children.is_empty() { ptr::null_mut() } else { p.children.as_mut_ptr() },
        dictionary: ptr::null_mut(),
        release: Some(release_array),
        private_data: private.cast(),
    };
}

unsafe extern "C" fn stream_schema(stream: *mut ArrowArrayStream, out: *mut ArrowSchema) -> c_int {
    // SAFETY: consumers call this on a live stream `export_stream` filled, with a struct to fill.
    unsafe {
        let private = &*(*stream).private_data.cast::<StreamPrivate>();
        export_schema(&private.table.schema, &mut *out);
    }
    0
}

unsafe extern "C" fn stream_next(stream: *mut ArrowArrayStream, out: *mut ArrowArray) -> c_int {
    // SAFETY: as in `stream_schema`.
    unsafe {
        let private = &mut *(*stream).private_data.cast::<StreamPrivate>();
        let table = Arc::clone(&private.table);
        match table.batches.get(private.next) {
            Some((rows, columns)) => {
                private.next += 1;
                export_batch(*rows, columns, &mut *out);
            }
            // The end of the stream: a released array.
            None => *out = ArrowArray::RELEASED,
        }
    }
    0
}

unsafe extern "C" fn stream_error(_stream: *mut ArrowArrayStream) -> *const c_char {
    ptr::null()
}

unsafe extern "C" fn release_stream(stream: *mut ArrowArrayStream) {
    // SAFETY: consumers release a stream once; its private data is a boxed StreamPrivate.
    unsafe {
        let Some(stream) = stream.as_mut() else { return };
        drop(Box::from_raw(stream.private_data.cast::<StreamPrivate>()));
        stream.release = None;
        stream.private_data = ptr::null_mut();
    }
}

/// A C struct in a capsule: raw pointers are not `Send`, but the struct is only handed to the
/// consumer that takes it and to the capsule's destructor.
#[repr(transparent)]
struct Capsuled<T>(T);
// SAFETY: see above; what the structs point at (Python buffers, boxed strings) may be released
// from any thread (PyBuffer attaches to the interpreter to release).
unsafe impl<T> Send for Capsuled<T> {}

/// Arrow's metadata encoding: the pair count, then each key and value with its length.
fn encode_metadata(pairs: &[(String, String)]) -> Option<Vec<u8>> {
    if pairs.is_empty() {
        return None;
    }
    let mut out = (pairs.len() as i32).to_ne_bytes().to_vec();
    for text in pairs.iter().flat_map(|(key, value)| [key, value]) {
        out.extend_from_slice(&(text.len() as i32).to_ne_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    Some(out)
}

fn c_string(text: String) -> PyResult<CString> {
    CString::new(text).map_err(|_| PyValueError::new_err("Arrow names and formats hold no NUL"))
}

/// A field from Python: `(name, format, nullable, metadata, dictionary_format)`.
type FieldTuple = (String, String, bool, Vec<(String, String)>, Option<String>);

fn field_node((name, format, nullable, metadata, dictionary): FieldTuple) -> PyResult<SchemaNode> {
    let dictionary = dictionary
        .map(|format| {
            Ok::<_, PyErr>(Box::new(SchemaNode {
                format: c_string(format)?,
                name: CString::default(),
                metadata: None,
                flags: 0,
                children: Vec::new(),
                dictionary: None,
            }))
        })
        .transpose()?;
    Ok(SchemaNode {
        format: c_string(format)?,
        name: c_string(name)?,
        metadata: encode_metadata(&metadata),
        flags: if nullable { NULLABLE } else { 0 },
        children: Vec::new(),
        dictionary,
    })
}

/// An array from Python: `(length, null_count, buffers, dictionary)`.
type ArrayTuple<'py> = (i64, i64, Vec<Option<Bound<'py, PyAny>>>, Option<Bound<'py, PyAny>>);

/// An array from Python, its buffers C-contiguous.
fn array_node(array: &Bound<'_, PyAny>) -> PyResult<ArrayNode> {
    let (length, null_count, buffers, dictionary): ArrayTuple<'_> = array.extract()?;
    let buffers = buffers
        .iter()
        .map(|b| {
            b.as_ref()
                .map(|b| {
                    let buffer = PyUntypedBuffer::get(b)?;
                    if buffer.is_c_contiguous() {
                        Ok(buffer)
                    } else {
                        Err(PyValueError::new_err("Arrow buffers must be C-contiguous"))
                    }
                })
                .transpose()
        })
        .collect::<PyResult<Vec<_>>>()?;
    let dictionary = dictionary.as_ref().map(|d| array_node(d).map(Box::new)).transpose()?;
    Ok(ArrayNode { length, null_count, buffers, dictionary })
}

/// Columns as an Arrow C stream (private: ``fixwire.table`` builds it).
///
/// ``fields`` are ``(name, format, nullable, metadata, dictionary_format)``; each batch is
/// ``(rows, columns)`` with a column per field, ``(length, null_count, buffers, dictionary)``,
/// its buffers (objects with the buffer protocol, ``None`` for an absent validity bitmap) laid
/// out as the field's Arrow format requires. The buffers are not copied: consumers read them
/// in place, and they stay alive until every consumer has released its arrays.
#[pyclass(frozen, name = "ArrowStream", module = "fixwire")]
pub(crate) struct PyArrowStream {
    table: Arc<Table>,
}

#[pymethods]
impl PyArrowStream {
    #[new]
    #[pyo3(signature = (fields, batches, metadata))]
    // PyO3 extracts arguments by value.
    #[allow(clippy::needless_pass_by_value)]
    fn new(
        fields: Vec<FieldTuple>,
        batches: Vec<(i64, Vec<Bound<'_, PyAny>>)>,
        metadata: Vec<(String, String)>,
    ) -> PyResult<Self> {
        let dictionary_encoded: Vec<bool> = fields.iter().map(|f| f.4.is_some()).collect();
        let children = fields.into_iter().map(field_node).collect::<PyResult<Vec<_>>>()?;
        let schema = SchemaNode {
            format: c_string("+s".to_owned())?,
            name: CString::default(),
            metadata: encode_metadata(&metadata),
            flags: 0,
            children,
            dictionary: None,
        };
        let batches = batches
            .into_iter()
            .map(|(rows, columns)| {
                if columns.len() != dictionary_encoded.len() {
                    return Err(PyValueError::new_err("a batch needs one column per field"));
                }
                let columns = columns.iter().map(|c| array_node(c).map(Arc::new)).collect::<PyResult<Vec<_>>>()?;
                if columns.iter().zip(&dictionary_encoded).any(|(c, &d)| c.dictionary.is_some() != d) {
                    return Err(PyValueError::new_err("dictionary-encoded columns need a dictionary array"));
                }
                Ok((rows, columns))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self { table: Arc::new(Table { schema, batches }) })
    }

    /// The schema, as an ``arrow_schema`` capsule.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let mut schema = ArrowSchema::RELEASED;
        export_schema(&self.table.schema, &mut schema);
        PyCapsule::new_with_value_and_destructor(py, Capsuled(schema), c"arrow_schema", |mut s, _| {
            if let Some(release) = s.0.release {
                // SAFETY: an unconsumed schema is still ours to release.
                unsafe { release(&raw mut s.0) };
            }
        })
    }

    /// The batches, as an ``arrow_array_stream`` capsule. A requested schema is not applied
    /// (the PyCapsule protocol lets the consumer cast).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let private = Box::new(StreamPrivate { table: Arc::clone(&self.table), next: 0 });
        let stream = ArrowArrayStream {
            get_schema: Some(stream_schema),
            get_next: Some(stream_next),
            get_last_error: Some(stream_error),
            release: Some(release_stream),
            private_data: Box::into_raw(private).cast(),
        };
        PyCapsule::new_with_value_and_destructor(py, Capsuled(stream), c"arrow_array_stream", |mut s, _| {
            if let Some(release) = s.0.release {
                // SAFETY: an unconsumed stream is still ours to release.
                unsafe { release(&raw mut s.0) };
            }
        })
    }
}
