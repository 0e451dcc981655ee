//! `fixwire._native`: the Python binding of the fixwire codec.
//!
//! This crate converts between Python and Rust types and maps errors; every decision (what is
//! valid FIX, how a value is written) is made by the `fixwire` crate. One file per concern:
//!
//! | file | holds |
//! |---|---|
//! | `errors.rs` | the one conversion of the core's errors into the classes of `fixwire.errors` |
//! | `decimal_digits.rs` | a `Decimal`'s digits read in place (the C implementation's layout, checked) |
//! | `conversions.rs` | Python values to and from the core's types; the GIL release; the per-object lock |
//! | `message.rs` | `Message`, `parse`, `checksum` |
//! | `short_text.rs` | short ASCII values as `str`, kept for the next read of the same bytes (with a GIL only) |
//! | `message_alloc.rs` | `Message` objects made and released through a free list (with a GIL only) |
//! | `entry.rs` | hand-written CPython entries for the hottest calls, handing every other call to PyO3's |
//! | `framer.rs` | `Framer` |
//! | `encoder.rs` | `Encoder` |
//! | `template.rs` | `Rule`, `Template` |
//! | `groups.rs` | `GroupSpec`, `GroupSpecs` |
//! | `dictionary.rs` | `Dictionary`, `FieldInfo`, `MessageInfo` |
//! | `columns.rs` | `scan_columns`, `find_messages` (logs) |
//! | `numpy_strings.rs` | `pack_strings`, through numpy's string C API |
//! | `text.rs` | `LogPrinter`: `fixwire decode`'s output, a read at a time |
//! | `arrow.rs` | `ArrowStream`: columns to Arrow consumers through the C stream interface |
//! | `fieldmap.rs` | `FieldMap`, `MessageMap`, `MessageLayout`, `GroupLayout`, `Filing`: `fixwire.quickfix`'s messages |
//! | `fieldbase.rs` | `FieldBase`: `fixwire.quickfix`'s field objects |

use pyo3::prelude::*;

mod arrow;
mod columns;
mod conversions;
#[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy)))]
mod decimal_digits;
mod dictionary;
mod encoder;
mod entry;
mod errors;
mod fieldbase;
mod fieldmap;
mod framer;
mod groups;
mod message;
#[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy, Py_GIL_DISABLED)))]
mod message_alloc;
mod numpy_strings;
mod session_check;
#[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy, Py_GIL_DISABLED)))]
mod short_text;
mod template;
mod text;

/// The native module; `fixwire` re-exports its public names.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    conversions::note_int_layout(m.py())?;
    entry::add_parse(m)?;
    m.add_function(wrap_pyfunction!(message::checksum, m)?)?;
    m.add_function(wrap_pyfunction!(columns::scan_columns, m)?)?;
    m.add_function(wrap_pyfunction!(numpy_strings::pack_strings, m)?)?;
    m.add_function(wrap_pyfunction!(columns::find_messages, m)?)?;
    m.add_class::<arrow::PyArrowStream>()?;
    m.add_class::<dictionary::PyDictionary>()?;
    m.add_class::<dictionary::PyFieldInfo>()?;
    m.add_class::<dictionary::PyMessageInfo>()?;
    m.add_class::<message::PyMessage>()?;
    entry::speed_subscript(m);
    #[cfg(not(any(Py_LIMITED_API, PyPy, GraalPy, Py_GIL_DISABLED)))]
    message_alloc::install(m.py())?;
    m.add_class::<framer::PyFramer>()?;
    m.add_class::<encoder::PyEncoder>()?;
    entry::speed_encoder(m)?;
    m.add_class::<template::PyRule>()?;
    m.add_class::<template::PyTemplate>()?;
    m.add_class::<groups::PyGroupSpec>()?;
    m.add_class::<groups::PyGroupSpecs>()?;
    m.add_class::<text::PyLogPrinter>()?;
    m.add_class::<fieldmap::PyFieldMap>()?;
    m.add_class::<fieldmap::PyMessageMap>()?;
    m.add_class::<fieldmap::PyMessageLayout>()?;
    m.add_class::<fieldmap::PyGroupLayout>()?;
    m.add_class::<fieldbase::PyFieldBase>()?;
    m.add_class::<session_check::PyHeaderCheck>()?;
    m.add_class::<fieldmap::PyFiling>()?;
    // Benchmarks refuse a debug build: `make lint` and `make build` install one silently.
    m.add("DEBUG_BUILD", cfg!(debug_assertions))?;
    // The workspace `Cargo.toml` is the version's one home; maturin writes it into the package
    // metadata, the same text for a plain X.Y.Z (a pre-release's Cargo form, 0.2.0-rc.1,
    // becomes 0.2.0rc1 there; tests/test_packaging.py holds the version to X.Y.Z). `fixwire`
    // re-exports it as a plain attribute: a module `__getattr__`
    // reading the metadata lazily would keep CPython from specialising `fixwire.parse` and
    // every other attribute read of the module (about 270 instructions a read on 3.11).
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
