//! Hand-written CPython entry points for the hottest calls, beside PyO3's own.
//!
//! `parse(data)` with one `bytes` and nothing else is nearly every call the codec gets: its
//! entry here takes the argument straight from CPython's vector (no PyO3 argument extraction,
//! trampoline or option handling) and answers when the parse succeeds. `msg[tag]` with an exact
//! `int` naming a field that is here with an ASCII value is nearly every read: `Message`'s
//! subscript slot answers it without PyO3's trampoline. Every other call (other arguments,
//! another buffer type, bad bytes, a missing tag, a value that is not ASCII, a failed
//! allocation) is handed, untouched, to the function PyO3 made, which converts, decides and
//! raises exactly as before: these entries raise nothing themselves. `Encoder.encode(msg_type,
//! fields, seq_num=..., sending_time=...)` and `encode_template(template, values, ...)` take
//! their arguments the same way (no PyO3 keyword matching); a call of any other shape, or with
//! an argument PyO3 would convert otherwise or refuse, goes to PyO3's method before any work
//! is done, and the encoding's own errors are raised as that method raises them. The stable ABI
//! (an abi3 build) has neither vectorcall to hand a call on with nor a type's slots to set, so
//! there PyO3's functions are the only ones.

use pyo3::prelude::*;

use crate::message;

/// Adds `parse` to the module: the fast entry where the build allows it, else PyO3's function.
pub(crate) fn add_parse(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let full = wrap_pyfunction!(message::parse, module)?;
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
    let full = fast::parse_entry(module, &full)?;
    module.add_function(full)
}

/// Puts the fast entries of `Encoder.encode` and `Encoder.encode_template` in the class where
/// the build allows it.
#[cfg_attr(any(Py_LIMITED_API, PyPy, GraalPy), allow(clippy::unnecessary_wraps))] // nothing to fail there
pub(crate) fn speed_encoder(module: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
    fast::encoder_entries(module.py())?;
    #[cfg(any(Py_LIMITED_API, PyPy, GraalPy))]
    let _ = module;
    Ok(())
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
    use std::sync::atomic::{AtomicI64, Ordering};

    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::sync::PyOnceLock;
    use pyo3::type_object::PyTypeInfo;
    use pyo3::types::{PyBytes, PyCFunction};
    use pyo3::Borrowed;

    use pyo3::exceptions::PyImportError;
    use pyo3::panic::PanicException;
    use pyo3::types::{PyString, PyTuple, PyType};

    use crate::conversions::{exact_i64, str_text};
    use crate::encoder::PyEncoder;
    use crate::message::{self, PyMessage};
    use crate::template::PyTemplate;

    /// The `parse` PyO3 made, which every call the fast entry does not answer goes to.
    static FULL_PARSE: PyOnceLock<Py<PyCFunction>> = PyOnceLock::new();

    /// The fast `parse` made by the first import, handed to every later import of the module
    /// in the process (a fresh import runs the module's body again on a new module object).
    static FAST_PARSE: PyOnceLock<Py<PyCFunction>> = PyOnceLock::new();

    /// The interpreter the entries were made in (-1 before the first import): they and the
    /// objects they keep belong to it, so the module is not imported into another one.
    static INTERPRETER: AtomicI64 = AtomicI64::new(-1);

    /// The fast `parse`, named and documented as PyO3's (whose docstring carries the text
    /// signature `help()` and stubtest read).
    pub(super) fn parse_entry<'py>(
        module: &Bound<'py, PyModule>,
        full: &Bound<'py, PyCFunction>,
    ) -> PyResult<Bound<'py, PyCFunction>> {
        let py = module.py();
        // SAFETY: the GIL is held, so there is a current interpreter.
        let interpreter = unsafe { ffi::PyInterpreterState_GetID(ffi::PyInterpreterState_Get()) };
        if let Err(first) = INTERPRETER.compare_exchange(-1, interpreter, Ordering::AcqRel, Ordering::Acquire) {
            if first != interpreter {
                return Err(PyImportError::new_err("fixwire._native cannot be imported into a sub-interpreter"));
            }
        }
        let fast = FAST_PARSE.get_or_try_init(py, || {
            // SAFETY: `full` is a live builtin function, whose layout is PyCFunctionObject;
            // its method definition is a static PyO3 made, with a static docstring.
            let doc = unsafe { (*(*full.as_ptr().cast::<ffi::PyCFunctionObject>()).m_ml).ml_doc };
            let def = Box::leak(Box::new(ffi::PyMethodDef {
                ml_name: c"parse".as_ptr(),
                ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: parse },
                ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
                ml_doc: doc,
            }));
            FULL_PARSE.get_or_init(py, || full.clone().unbind());
            let name = module.name()?;
            // SAFETY: `def` lives for the process (leaked, once: FAST_PARSE keeps the function
            // made of it); `name` is a live str; the result is a new reference or NULL with an
            // error set.
            unsafe {
                Bound::from_owned_ptr_or_err(py, ffi::PyCFunction_NewEx(def, std::ptr::null_mut(), name.as_ptr()))
                    .map(|f| f.cast_into_unchecked::<PyCFunction>().unbind())
            }
        })?;
        Ok(fast.bind(py).clone())
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
            let data = unsafe { Borrowed::from_ptr(py, *args) };
            if let Ok(raw) = data.cast::<PyBytes>() {
                // A panic goes on to the full call, where PyO3 turns it into an exception.
                if let Ok(Some(msg)) = catch_unwind(AssertUnwindSafe(|| message::parse_plain(&raw))) {
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
        // SAFETY: CPython calls this attached to the interpreter, with live objects, borrowed
        // for the call (so no reference of our own is taken).
        let (py, key) = unsafe {
            let py = Python::assume_attached();
            (py, Borrowed::from_ptr(py, key))
        };
        if let Some(tag) = exact_i64(&key).and_then(|t| u32::try_from(t).ok()) {
            // SAFETY: only `Message` objects come to this slot (see `subscript_entry`).
            let msg = unsafe { Borrowed::from_ptr(py, slf).cast_unchecked::<PyMessage>() };
            // A panic goes on to the full call, where PyO3 turns it into an exception.
            if let Ok(Some(value)) = catch_unwind(AssertUnwindSafe(|| msg.get().ascii_item(py, tag))) {
                return value.into_ptr();
            }
        }
        let full = FULL_SUBSCRIPT.get().expect("set before the slot is");
        // SAFETY: the call as CPython made it, handed on.
        unsafe { full(slf, key.as_ptr()) }
    }

    /// The `Encoder` methods PyO3 made, which every call the fast entries do not take goes to.
    static FULL_ENCODE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    static FULL_ENCODE_TEMPLATE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

    /// Replaces `Encoder.encode` and `encode_template` by the fast entries, named and
    /// documented as PyO3's.
    pub(super) fn encoder_entries(py: Python<'_>) -> PyResult<()> {
        let class = PyEncoder::type_object(py);
        replace_method(&class, c"encode", encode, &FULL_ENCODE)?;
        replace_method(&class, c"encode_template", encode_template, &FULL_ENCODE_TEMPLATE)
    }

    fn replace_method(
        class: &Bound<'_, PyType>,
        name: &'static std::ffi::CStr,
        entry: ffi::PyCFunctionFastWithKeywords,
        full: &'static PyOnceLock<Py<PyAny>>,
    ) -> PyResult<()> {
        let py = class.py();
        if full.get(py).is_some() {
            // A later import of the module in the process: the class, made once per process,
            // has the entry already.
            return Ok(());
        }
        let original = class.getattr(name.to_str().expect("an ASCII name"))?;
        // `PyMethodDescr_Type` is CPython's static type: only its address is read.
        if original.get_type().as_type_ptr() != std::ptr::addr_of_mut!(ffi::PyMethodDescr_Type) {
            return Ok(()); // Not a plain method (another PyO3 would make): PyO3's stays.
        }
        // SAFETY: `original` is a live method descriptor, whose layout is PyMethodDescrObject;
        // its method definition is a static PyO3 made, with a static docstring.
        let doc = unsafe { (*(*original.as_ptr().cast::<ffi::PyMethodDescrObject>()).d_method).ml_doc };
        full.set(py, original.unbind()).map_err(|_| {
            pyo3::exceptions::PyRuntimeError::new_err("fixwire._native is initialised once per process")
        })?;
        let def = Box::leak(Box::new(ffi::PyMethodDef {
            ml_name: name.as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: entry },
            ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
            ml_doc: doc,
        }));
        let class_ptr = class.as_type_ptr();
        // SAFETY: the GIL is held; `def` lives for the process (leaked once: `full` refuses a
        // second time); `class` is a heap type PyO3 made, whose `tp_dict` is its own dict, set
        // once before any `Encoder` exists, and PyType_Modified drops what CPython cached.
        unsafe {
            let descr = Bound::from_owned_ptr_or_err(py, ffi::PyDescr_NewMethod(class_ptr, def))?;
            if ffi::PyDict_SetItemString((*class_ptr).tp_dict, name.as_ptr(), descr.as_ptr()) != 0 {
                return Err(PyErr::fetch(py));
            }
            ffi::PyType_Modified(class_ptr);
        }
        Ok(())
    }

    /// The arguments of a call `(a, b, seq_num=..., sending_time=...)` (`sending_time`
    /// optional, the keywords in either order): `(a, b, seq_num, sending_time or NULL)`, or
    /// `None` for a call of any other shape.
    ///
    /// # Safety
    /// As the entries': `args` holds `nargs` positional references, then one per name in
    /// `kwnames` (NULL or a tuple of str).
    unsafe fn order_call(
        py: Python<'_>,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
    ) -> Option<[*mut ffi::PyObject; 4]> {
        if nargs != 2 || kwnames.is_null() {
            return None;
        }
        // SAFETY: `kwnames` is a tuple of str, alive for the call.
        let names = unsafe { Bound::from_borrowed_ptr(py, kwnames).cast_into_unchecked::<PyTuple>() };
        let (seq_num, sending_time) = (pyo3::intern!(py, "seq_num"), pyo3::intern!(py, "sending_time"));
        let mut out = [std::ptr::null_mut(); 4];
        // SAFETY: `args` holds the two positional references and one per keyword name.
        unsafe { out[..2].copy_from_slice(std::slice::from_raw_parts(args, 2)) };
        for (at, name) in names.iter_borrowed().enumerate() {
            // Keyword names in a call are interned, as `intern!`'s are: one comparison each.
            let slot = if name.is(seq_num) {
                2
            } else if name.is(sending_time) {
                3
            } else {
                return None;
            };
            if !out[slot].is_null() {
                return None;
            }
            // SAFETY: as above; `at` is below the number of names.
            out[slot] = unsafe { *args.add(2 + at) };
        }
        (!out[2].is_null()).then_some(out)
    }

    /// Hands a method call on to `full`, `slf` first, as CPython made it.
    ///
    /// # Safety
    /// As the entries'.
    unsafe fn hand_on(
        full: &PyOnceLock<Py<PyAny>>,
        slf: *mut ffi::PyObject,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject {
        // SAFETY: CPython calls the entries attached to the interpreter.
        let py = unsafe { Python::assume_attached() };
        let full = full.get(py).expect("set before the entry exists");
        let positional = usize::try_from(nargs).expect("CPython passes a count of at least 0");
        // SAFETY: `kwnames` is NULL or a tuple, alive for the call.
        let keywords = if kwnames.is_null() { 0 } else { unsafe { ffi::PyTuple_GET_SIZE(kwnames) } };
        let keywords = usize::try_from(keywords).expect("a tuple's length is at least 0");
        let mut all = Vec::with_capacity(1 + positional + keywords);
        all.push(slf);
        // SAFETY: `args` holds `positional` references and one per keyword name.
        all.extend_from_slice(unsafe { std::slice::from_raw_parts(args, positional + keywords) });
        // SAFETY: the call as CPython made it, `slf` first, as a method descriptor takes it.
        unsafe { ffi::PyObject_Vectorcall(full.as_ptr(), all.as_ptr(), 1 + positional, kwnames) }
    }

    /// Answers a call `(a, b, seq_num=..., sending_time=...)` of an `Encoder` method with
    /// `call`, which returns `None` for arguments PyO3 would convert otherwise or refuse; that
    /// call, and one of any other shape, goes to `full`, PyO3's method.
    ///
    /// `call` runs outside PyO3's count of attached calls (taking it costs as much as the
    /// keyword matching saves): a `Py` it drops (an error it discards) is released at PyO3's
    /// next call instead of at once. Its error, or a panic's, is raised inside that count, as
    /// PyO3's methods raise theirs.
    ///
    /// # Safety
    /// As the entries': called by CPython only, attached to the interpreter, through the method
    /// descriptor (which checked that `slf` is an `Encoder`), with `args` holding `nargs`
    /// borrowed references and then one per name in `kwnames` (NULL or a tuple of str).
    unsafe fn order_entry(
        slf: *mut ffi::PyObject,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
        full: &PyOnceLock<Py<PyAny>>,
        call: impl for<'py> FnOnce(
            &'py PyEncoder,
            &Bound<'py, PyAny>,
            &Bound<'py, PyAny>,
            i64,
            Option<&Bound<'py, PyAny>>,
        ) -> Option<PyResult<Bound<'py, PyBytes>>>,
    ) -> *mut ffi::PyObject {
        // SAFETY: the caller's promises.
        let py = unsafe { Python::assume_attached() };
        // SAFETY: the caller's promises; each argument is alive for the call.
        if let Some([a, b, seq_num, sending_time]) = unsafe { order_call(py, args, nargs, kwnames) } {
            let (encoder, a, b, seq_num, sending_time) = unsafe {
                (
                    Bound::from_borrowed_ptr(py, slf).cast_into_unchecked::<PyEncoder>(),
                    Bound::from_borrowed_ptr(py, a),
                    Bound::from_borrowed_ptr(py, b),
                    Bound::from_borrowed_ptr(py, seq_num),
                    Bound::from_borrowed_ptr_or_opt(py, sending_time).filter(|t| !t.is_none()),
                )
            };
            if let Some(seq_num) = exact_i64(&seq_num) {
                let answer =
                    catch_unwind(AssertUnwindSafe(|| call(encoder.get(), &a, &b, seq_num, sending_time.as_ref())))
                        .unwrap_or_else(|_| Some(Err(PanicException::new_err("panic in fixwire's encoder"))));
                match answer {
                    Some(Ok(bytes)) => return bytes.into_ptr(),
                    Some(Err(error)) => {
                        return Python::attach(|py| {
                            error.restore(py);
                            std::ptr::null_mut()
                        })
                    }
                    None => {}
                }
            }
        }
        // SAFETY: the call as CPython made it.
        unsafe { hand_on(full, slf, args, nargs, kwnames) }
    }

    /// `Encoder.encode`'s METH_FASTCALL | METH_KEYWORDS entry.
    ///
    /// # Safety
    /// As [`order_entry`]'s.
    unsafe extern "C" fn encode(
        slf: *mut ffi::PyObject,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject {
        // SAFETY: the caller's promises.
        unsafe {
            order_entry(slf, args, nargs, kwnames, &FULL_ENCODE, |encoder, msg_type, fields, seq_num, sending_time| {
                let msg_type = str_text(msg_type.cast::<PyString>().ok()?).ok()?;
                Some(encoder.encode(fields.py(), msg_type, fields, seq_num, sending_time))
            })
        }
    }

    /// `Encoder.encode_template`'s METH_FASTCALL | METH_KEYWORDS entry.
    ///
    /// # Safety
    /// As [`order_entry`]'s.
    unsafe extern "C" fn encode_template(
        slf: *mut ffi::PyObject,
        args: *const *mut ffi::PyObject,
        nargs: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject {
        // SAFETY: the caller's promises.
        unsafe {
            order_entry(
                slf,
                args,
                nargs,
                kwnames,
                &FULL_ENCODE_TEMPLATE,
                |encoder, template, values, seq_num, sending_time| {
                    let (template, values) = (template.cast::<PyTemplate>().ok()?, values.cast::<PyTuple>().ok()?);
                    Some(encoder.encode_template(values.py(), template, values, seq_num, sending_time))
                },
            )
        }
    }
}
