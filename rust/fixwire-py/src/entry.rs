//! Hand-written CPython entry points for the hottest calls, beside PyO3's own.
//!
//! `parse(data)` with one `bytes` and nothing else is nearly every call the codec gets: its
//! entry here takes the argument straight from CPython's vector (no PyO3 argument extraction,
//! trampoline or option handling) and answers when the parse succeeds. `msg[tag]` with an exact
//! `int` naming a field that is here with an ASCII value is nearly every read: `Message`'s
//! subscript slot answers it without PyO3's trampoline. Every other call (other arguments,
//! another buffer type, bad bytes, a missing tag, a value that is not ASCII, a failed
//! allocation) is handed, untouched, to the function PyO3 made, which converts, decides and
//! raises exactly as before: the entries here raise nothing themselves. The stable ABI (an
//! abi3 build) has neither vectorcall to hand a call on with nor a type's slots to set, so
//! there PyO3's functions are the only ones.

use pyo3::prelude::*;

use crate::message;

/// Adds `parse` to the module: the fast entry where the build allows it, else PyO3's function.
pub(crate) fn add_parse(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let full = wrap_pyfunction!(message::parse, module)?;
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
    let full = fast::parse_entry(module, full)?;
    module.add_function(full)
}

/// Sets `Message`'s subscript slot to the fast entry where the build allows it.
pub(crate) fn speed_subscript(module: &Bound<'_, PyModule>) {
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
    fast::subscript_entry(module.py());
    #[cfg(any(Py_LIMITED_API, PyPy, GraalPy))]
    let _ = module;
}

#[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
mod fast {
    use std::panic::{catch_unwind, AssertUnwindSafe};

    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::sync::PyOnceLock;
    use pyo3::type_object::PyTypeInfo;
    use pyo3::types::{PyBytes, PyCFunction};

    use crate::conversions::exact_i64;
    use crate::message::{self, PyMessage};

    /// The `parse` PyO3 made, which every call the fast entry does not answer goes to.
    static FULL_PARSE: PyOnceLock<Py<PyCFunction>> = PyOnceLock::new();

    /// The fast `parse`, named and documented as PyO3's (whose docstring carries the text
    /// signature `help()` and stubtest read).
    pub(super) fn parse_entry<'py>(
        module: &Bound<'py, PyModule>,
        full: Bound<'py, PyCFunction>,
    ) -> PyResult<Bound<'py, PyCFunction>> {
        let py = module.py();
        // SAFETY: `full` is a live builtin function, whose layout is PyCFunctionObject; its
        // method definition is a static PyO3 made, with a static docstring.
        let doc = unsafe { (*(*full.as_ptr().cast::<ffi::PyCFunctionObject>()).m_ml).ml_doc };
        let def = Box::leak(Box::new(ffi::PyMethodDef {
            ml_name: c"parse".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: parse },
            ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
            ml_doc: doc,
        }));
        FULL_PARSE.set(py, full.unbind()).map_err(|_| {
            pyo3::exceptions::PyRuntimeError::new_err("fixwire._native is initialised once per process")
        })?;
        let name = module.name()?;
        // SAFETY: `def` lives for the process (leaked, once: FULL_PARSE refuses a second
        // time); `name` is a live str; the result is a new reference or NULL with an error set.
        unsafe {
            Bound::from_owned_ptr_or_err(py, ffi::PyCFunction_NewEx(def, std::ptr::null_mut(), name.as_ptr()))
                .map(|f| f.cast_into_unchecked())
        }
    }

    /// `parse`'s METH_FASTCALL | METH_KEYWORDS entry.
    ///
    /// # Safety
    /// Called by CPython only, attached to the interpreter, with `args` holding `nargs`
    /// borrowed references and `kwnames` NULL or a tuple of the keyword names that follow them.
    unsafe extern "C" fn parse(
        _module: *mut ffi::PyObject,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject {
        // SAFETY: CPython calls this attached to the interpreter.
        let py = unsafe { Python::assume_attached() };
        if nargs == 1 && kwnames.is_null() {
            // SAFETY: `args` holds one borrowed reference, alive for the call.
            let data = unsafe { Bound::from_borrowed_ptr(py, *args) };
            if let Ok(raw) = data.cast::<PyBytes>() {
                // A panic goes on to the full call, where PyO3 turns it into an exception.
                if let Ok(Some(msg)) = catch_unwind(AssertUnwindSafe(|| message::parse_plain(raw))) {
                    return msg.into_ptr();
                }
            }
        }
        let full = FULL_PARSE.get(py).expect("set before the entry exists");
        let count = usize::try_from(nargs).expect("CPython passes a count of at least 0");
        // SAFETY: the call as CPython made it, handed on with the same vector and names.
        unsafe { ffi::PyObject_Vectorcall(full.as_ptr(), args, count, kwnames) }
    }

    /// The subscript slot PyO3 gave `Message`, which every read the fast entry does not
    /// answer goes to.
    static FULL_SUBSCRIPT: std::sync::OnceLock<ffi::binaryfunc> = std::sync::OnceLock::new();

    /// Puts the fast entry in `Message`'s subscript slot, keeping PyO3's for the rest.
    pub(super) fn subscript_entry(py: Python<'_>) {
        let class = PyMessage::type_object(py);
        let class = class.as_type_ptr();
        // SAFETY: the GIL is held. `Message` is a heap type PyO3 made with a subscript slot,
        // so `tp_as_mapping` points into the type object itself, which lives as long as the
        // module; the slot is written once, before any `Message` exists, and PyType_Modified
        // drops what CPython cached about the type. `Message` cannot be subclassed, so the
        // slot sees `Message` objects only.
        unsafe {
            let mapping = (*class).tp_as_mapping;
            let Some(full) = (*mapping).mp_subscript else { return };
            if FULL_SUBSCRIPT.set(full).is_ok() {
                (*mapping).mp_subscript = Some(subscript);
                ffi::PyType_Modified(class);
            }
        }
    }

    /// `Message`'s mp_subscript.
    ///
    /// # Safety
    /// Called by CPython only, attached to the interpreter, with a `Message` and a key, both
    /// borrowed for the call.
    unsafe extern "C" fn subscript(slf: *mut ffi::PyObject, key: *mut ffi::PyObject) -> *mut ffi::PyObject {
        // SAFETY: CPython calls this attached to the interpreter, with live objects.
        let (py, key) = unsafe {
            let py = Python::assume_attached();
            (py, Bound::from_borrowed_ptr(py, key))
        };
        if let Some(tag) = exact_i64(&key).and_then(|t| u32::try_from(t).ok()) {
            // SAFETY: only `Message` objects come to this slot (see `subscript_entry`).
            let msg = unsafe { Bound::from_borrowed_ptr(py, slf).cast_into_unchecked::<PyMessage>() };
            // A panic goes on to the full call, where PyO3 turns it into an exception.
            if let Ok(Some(value)) = catch_unwind(AssertUnwindSafe(|| msg.get().ascii_item(py, tag))) {
                return value.into_ptr();
            }
        }
        let full = FULL_SUBSCRIPT.get().expect("set before the slot is");
        // SAFETY: the call as CPython made it, handed on.
        unsafe { full(slf, key.as_ptr()) }
    }
}
