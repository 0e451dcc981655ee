//! `pack_strings`: text columns into numpy StringDType arrays through numpy's string C API.

use std::ffi::{c_char, c_int, c_void};

use fixwire::columns;
use numpy::npyffi::flags::NPY_ARRAY_WRITEABLE;
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyCapsule;

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

/// Store text column values (UTF-8) into ``out``, a new one-dimensional ``StringDType``
/// array with a row per value, through numpy's string API: one copy of each value.
///
/// Raises:
///     ValueError: ``out`` is not such an array, or a value is not UTF-8.
///     MemoryError: numpy could not store a value.
#[pyfunction]
#[pyo3(signature = (out, offsets, data, /))]
// PyO3 hands readonly array views over by value; they release their borrow when dropped.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn pack_strings(
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
    // Every cut of ASCII text is ASCII: one check of the whole buffer does for the usual case.
    if let Some(row) = (!data.is_ascii()).then(|| rows().position(|v| std::str::from_utf8(v).is_err())).flatten() {
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
