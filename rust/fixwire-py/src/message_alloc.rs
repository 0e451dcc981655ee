//! `Message` objects made by `parse`'s fast entry and released without PyO3's machinery, through
//! a free list that keeps each object's field array with it.
//!
//! A `Message` made and dropped through PyO3 goes through its class initialiser, `tp_alloc`
//! (zero-filling the object), a `malloc` of the C library for the field array and, on release, a
//! trampoline, PyO3's `tp_dealloc` and the array's `free`: about 400 instructions of a 3,000
//! instruction `parse`. Here a released `Message` (whichever way it was made) keeps its memory
//! and its field array, if no group entry still shares it, in a free list of at most [`KEPT`]
//! objects; `parse` takes one back, copies the new fields into the array and writes the object's
//! value in place. The free list is a process-wide one, touched only with the GIL held: it
//! exists only in builds with a GIL, as the fast entries do (not abi3, PyPy, GraalPy or a
//! free-threaded build). At most [`KEPT`] objects and arrays of up to [`MAX_KEPT_FIELDS`] fields
//! are kept (about 100 KiB: 64 arrays of 128 fields of 12 bytes, and the objects); the rest are
//! freed as before.
//!
//! The object's layout is PyO3's: a GC object (PyO3 makes every class one) with the value at a
//! fixed offset after CPython's object header. It is measured on a `Message` PyO3 makes at the
//! module's first import, and the class's slot is set only if the layout is the plain one this
//! module writes (nothing but the value after the header, no `__dict__`, no weak references, the
//! class's allocation and release CPython's generic ones); otherwise PyO3's own path stays in
//! use. The objects made here are not tracked by the cycle collector: a `Message` holds a
//! `bytes` and Rust data only, and its class reports no reference to the collector (it has no
//! `__traverse__`), so tracking it would find nothing. A cycle through a `bytes` subclass that
//! refers back to its message is therefore not collected, however the message was made; were
//! `Message` ever to report its `bytes`, the objects made here would have to be tracked too.

use std::cell::UnsafeCell;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::OnceLock;

use fixwire::Field;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::type_object::PyTypeInfo;
use pyo3::types::PyBytes;

use crate::message::{FieldStore, PyMessage, Specs};

/// How many released `Message` objects are kept.
const KEPT: usize = 64;

/// The largest field array kept with an object, in fields (12 bytes each).
const MAX_KEPT_FIELDS: usize = 128;

/// A new field array's length is rounded up to a multiple of this, so that a kept one fits the
/// next messages of about the same size.
const ARRAY_STEP: usize = 16;

/// A released `Message`: its memory (the value dropped) and the field array it kept.
struct Free {
    object: NonNull<ffi::PyObject>,
    fields: Option<Arc<[Field]>>,
}

/// The free list: read and written only with the GIL held, in builds that have one (this module
/// is compiled only for them), by code that calls nothing that could reach it again while it
/// holds the reference.
struct GilProtected(UnsafeCell<Vec<Free>>);

// SAFETY: see `GilProtected`: the GIL serialises every access.
unsafe impl Sync for GilProtected {}

static FREE: GilProtected = GilProtected(UnsafeCell::new(Vec::new()));

/// Where a `Message`'s value lies in its object, and the class: set once the layout is checked.
struct Layout {
    offset: usize,
    class: usize,
}

static LAYOUT: OnceLock<Layout> = OnceLock::new();

/// Measures `Message`'s layout on one PyO3 makes and, when it is the plain one, sets the class's
/// `tp_dealloc` to [`dealloc`] (so that every `Message` released is kept or freed here) and lets
/// [`new_message`] make objects. Called once, before any other `Message` exists.
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    if LAYOUT.get().is_some() {
        return Ok(()); // a later import of the module in the process: the class has the slot
    }
    let class = PyMessage::type_object(py);
    let class_ptr = class.as_type_ptr();
    let sample = Bound::new(py, PyMessage::new(&PyBytes::new(py, b""), &[], Specs::None))?;
    let offset = (std::ptr::from_ref(sample.get()) as usize).wrapping_sub(sample.as_ptr() as usize);
    drop(sample); // through PyO3's own tp_dealloc, before the slot changes
    let size = std::mem::size_of::<PyMessage>();
    // SAFETY: the GIL is held and `class_ptr` is the live type object of `Message`.
    let plain = unsafe {
        let t = &*class_ptr;
        offset == std::mem::size_of::<ffi::PyObject>()
            && usize::try_from(t.tp_basicsize).is_ok_and(|b| b == offset + size)
            && t.tp_itemsize == 0
            && t.tp_dictoffset == 0
            && t.tp_weaklistoffset == 0
            && t.tp_flags & ffi::Py_TPFLAGS_HAVE_GC != 0
            && t.tp_flags & ffi::Py_TPFLAGS_BASETYPE == 0
            && t.tp_flags & ffi::Py_TPFLAGS_HEAPTYPE != 0
            && t.tp_alloc.is_some_and(|alloc| alloc as usize == ffi::PyType_GenericAlloc as *const () as usize)
            && t.tp_free.is_some_and(|free| free as usize == ffi::PyObject_GC_Del as *const () as usize)
            && std::mem::align_of::<PyMessage>() <= 8
    };
    if !plain {
        return Ok(());
    }
    // SAFETY: as above; the slot is written once, before any `Message` is made through it, and
    // PyType_Modified drops what CPython cached about the type. `Message` cannot be subclassed,
    // so `dealloc` sees `Message` objects only.
    unsafe {
        (*class_ptr).tp_dealloc = Some(dealloc);
        ffi::PyType_Modified(class_ptr);
    }
    let _ = LAYOUT.set(Layout { offset, class: class_ptr as usize });
    Ok(())
}

/// A message's field array, and the kept object it goes in when there was one: what
/// [`prepare`] takes while the parse's index is borrowed and [`new_message`] makes a `Message`
/// of after. Always handed to [`new_message`] (a popped object dropped here would be lost).
pub(crate) struct Prepared {
    object: Option<NonNull<ffi::PyObject>>,
    fields: Arc<[Field]>,
    len: usize,
}

/// Takes a kept object, if there is one, and a field array holding a copy of `fields` (the
/// object's own when it is large enough); `None` when the layout was not installed. Runs no
/// Python code, so the caller may hold borrows that Python code could ask for again.
pub(crate) fn prepare(fields: &[Field]) -> Option<Prepared> {
    LAYOUT.get()?;
    // SAFETY: the GIL is held (every caller holds a `Bound`); the reference is dropped before
    // anything else runs.
    let kept = unsafe { (*FREE.0.get()).pop() };
    let (object, array) = match kept {
        Some(free) => (Some(free.object), free.fields),
        None => (None, None),
    };
    let fields_array = match array {
        Some(mut array) if array.len() >= fields.len() => {
            // Only arrays nothing else holds are kept (see `dealloc`).
            let own = Arc::get_mut(&mut array).expect("a kept array is not shared");
            own[..fields.len()].copy_from_slice(fields);
            array
        }
        _ => {
            let room = fields.len().next_multiple_of(ARRAY_STEP);
            let blank = Field { tag: 0, start: 0, end: 0 };
            fields.iter().copied().chain(std::iter::repeat_n(blank, room - fields.len())).collect()
        }
    };
    Some(Prepared { object, fields: fields_array, len: fields.len() })
}

/// A `Message` that is all of `raw`, with the fields `prepared` holds, made in its kept object
/// or a new one; `None` when memory ran out (the caller then makes it through PyO3, which
/// raises). A new object's allocation may run the cycle collector and Python code with it.
pub(crate) fn new_message<'py>(raw: &Bound<'py, PyBytes>, prepared: Prepared) -> Option<Bound<'py, PyMessage>> {
    let layout = LAYOUT.get().expect("set before `prepare` gives anything");
    let py = raw.py();
    let class = layout.class as *mut ffi::PyTypeObject;
    // SAFETY: the GIL is held; a kept object is memory of `Message`'s size with its GC header,
    // untracked, its value dropped: PyObject_Init sets its type (taking a reference to the heap
    // type) and reference count. A new one comes from the class's own allocation (NULL, its
    // error cleared, when memory runs out: the caller's path raises it).
    let object = unsafe {
        if let Some(free) = prepared.object {
            ffi::PyObject_Init(free.as_ptr(), class)
        } else {
            let object = ffi::PyType_GenericAlloc(class, 0);
            if object.is_null() {
                ffi::PyErr_Clear();
                return None;
            }
            ffi::PyObject_GC_UnTrack(object.cast());
            object
        }
    };
    let value = PyMessage::lent(
        raw.clone().unbind(),
        0..raw.as_bytes().len(),
        FieldStore::Own(prepared.fields),
        0..prepared.len,
        Specs::None,
    );
    // SAFETY: `object` is an initialised `Message` object, not shared, whose value is not
    // written yet: it is written at the offset PyO3 reads it from, which `install` checked is
    // all the object holds after its header.
    unsafe {
        object.byte_add(layout.offset).cast::<PyMessage>().write(value);
        Some(Bound::from_owned_ptr(py, object).cast_into_unchecked())
    }
}

/// `Message`'s tp_dealloc: drops the value, then keeps the object (and its field array, when
/// nothing else shares it) in the free list, or frees it.
///
/// # Safety
/// Called by CPython only, with the GIL held, on a `Message` whose reference count is zero.
unsafe extern "C" fn dealloc(object: *mut ffi::PyObject) {
    let layout = LAYOUT.get().expect("set before the slot is");
    // SAFETY: CPython calls this with the GIL held, on a `Message` (the class cannot be
    // subclassed), whose value lies at the checked offset and is read out once, here.
    let (py, value) = unsafe {
        ffi::PyObject_GC_UnTrack(object.cast());
        (Python::assume_attached(), object.byte_add(layout.offset).cast::<PyMessage>().read())
    };
    let array = value.release(py).filter(|array| array.len() <= MAX_KEPT_FIELDS);
    // SAFETY: the GIL is held; the value is gone, so the object is plain memory of the class's
    // size. The list is not reached by anything that runs while it is borrowed here. The
    // instance's reference to its heap type is dropped last, as CPython's own deallocators do.
    unsafe {
        let class = ffi::Py_TYPE(object);
        let free = &mut *FREE.0.get();
        if free.len() < KEPT {
            free.push(Free { object: NonNull::new_unchecked(object), fields: array });
        } else {
            drop(array);
            ffi::PyObject_GC_Del(object.cast());
        }
        ffi::Py_DECREF(class.cast());
    }
}
