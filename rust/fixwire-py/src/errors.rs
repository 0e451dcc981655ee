//! The one conversion of the core's errors into Python exceptions.
//!
//! The exception classes are defined in `python/fixwire/errors.py` and raised from here through
//! `import_exception!`; their `kind` is the core's own name for the error kind.

use fixwire::EncodeErrorKind;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::PyErr;

pyo3::import_exception!(fixwire.errors, DecodeError);
pyo3::import_exception!(fixwire.errors, EncodeError);
pyo3::import_exception!(fixwire.errors, RejectError);
pyo3::import_exception!(fixwire.errors, DictionaryError);

/// Any error of the codec, on its way to its Python exception. (A local type, because Rust
/// lets a crate implement `From` only where it owns one side.)
pub(crate) struct CoreError(fixwire::Error);

impl<E: Into<fixwire::Error>> From<E> for CoreError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl From<CoreError> for PyErr {
    fn from(CoreError(e): CoreError) -> PyErr {
        match e {
            fixwire::Error::Decode(e) => DecodeError::new_err((e.reason, e.kind.name(), e.offset, e.tag)),
            // A value of the wrong type is the caller's type error, as Python spells it.
            fixwire::Error::Encode(e) if e.kind == EncodeErrorKind::WrongType => PyTypeError::new_err(e.reason),
            fixwire::Error::Encode(e) => EncodeError::new_err((e.reason, e.kind.name(), e.tag)),
            fixwire::Error::Dictionary(e) => DictionaryError::new_err((e.reason, e.line)),
            fixwire::Error::Reject(r) => RejectError::new_err((r.reason, r.text, r.ref_tag, r.ref_msg_type)),
            fixwire::Error::GroupSpec(e) => PyValueError::new_err(e.0),
        }
    }
}

/// Converts any error of the core into its Python exception (for `map_err`).
pub(crate) fn py_err(e: impl Into<fixwire::Error>) -> PyErr {
    CoreError::from(e).into()
}
