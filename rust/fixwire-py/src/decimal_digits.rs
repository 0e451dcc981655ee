//! A `decimal.Decimal`'s digits read from CPython's C implementation (`_decimal`, libmpdec)
//! without `str()`, for the values an order carries: up to 19 significant digits written
//! plainly (no exponent), which is how `str()` writes any such value with at most six zeros
//! after the point before its first digit.
//!
//! The layout read here (`PyDecObject` holding an `mpd_t`) is `_decimal`'s own, not an API: it
//! has not changed since Python 3.3, and the first read checks it against `str()` on values of
//! every shape this path takes, taking `str()` for good when any differs. Any value outside that
//! shape (special, exponent above zero, more digits, a subclass) takes `str()` as well. Not in an
//! abi3 build, and only where libmpdec's words are 64 bits.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// libmpdec's `mpd_t`, 64-bit configuration.
#[repr(C)]
struct Mpd {
    flags: u8,
    exp: isize,
    digits: isize,
    len: isize,
    alloc: isize,
    data: *const u64,
}

/// `_decimal`'s `PyDecObject`.
#[repr(C)]
struct PyDec {
    ob_base: ffi::PyObject,
    hash: isize,
    dec: Mpd,
}

/// `MPD_NEG`; the other flags (infinity, NaNs, and how the data is held) need no test but
/// the special ones.
const NEGATIVE: u8 = 1;
/// `MPD_INF | MPD_NAN | MPD_SNAN`.
const SPECIAL: u8 = 2 | 4 | 8;
/// The longest text this path writes: a sign, `0.`, six zeros and 19 digits.
pub(crate) const LONGEST: usize = 28;

/// The C `Decimal` type when its layout read back every check value as `str()` writes it.
static CHECKED: PyOnceLock<Option<Py<PyType>>> = PyOnceLock::new();

/// Values of every shape the fast path writes, with the exponent and digit count libmpdec
/// keeps for each (compared before the coefficient is read through its pointer).
const CHECKS: [(&str, isize, isize); 9] = [
    ("0.55", -2, 2),
    ("-123.4567", -4, 7),
    ("10", 0, 2),
    ("0", 0, 1),
    ("-0", 0, 1),
    ("0.000001", -6, 1),
    ("0.00", -2, 1),
    ("9999999999999999999", 0, 19),
    ("-1.000000000000000001", -18, 19),
];

/// The text of `value` when it is a C `Decimal` of the shape this path reads, else `None`.
pub(crate) fn plain_digits(value: &Bound<'_, PyAny>, out: &mut [u8; LONGEST]) -> Option<usize> {
    let decimal = CHECKED.get_or_init(value.py(), || checked_type(value.py())).as_ref()?;
    if value.get_type().as_ptr() != decimal.as_ptr() {
        return None;
    }
    // SAFETY: `value` is exactly the C Decimal type whose layout `checked_type` verified, alive
    // while borrowed; a Decimal never changes, and its `data` holds `len` words.
    unsafe { read(&(*value.as_ptr().cast::<PyDec>()).dec, out) }
}

/// Writes a plain `mpd_t` of one word as `str()` does; `None` for any other.
///
/// # Safety
/// `dec` is a live, initialised `mpd_t` whose `data` holds at least `len` words.
unsafe fn read(dec: &Mpd, out: &mut [u8; LONGEST]) -> Option<usize> {
    // One word holds a coefficient below 10**19; the exponent makes `str()` plain when it is
    // at most 0 and the adjusted exponent (of the first digit) at least -6.
    if dec.flags & SPECIAL != 0 || dec.len != 1 || dec.exp > 0 || dec.exp + dec.digits - 1 < -6 {
        return None;
    }
    // SAFETY: `len` is 1, so `data` holds one word (the caller's promise).
    let coefficient = unsafe { *dec.data };
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = coefficient;
    loop {
        at -= 1;
        digits[at] = b'0' + u8::try_from(rest % 10).expect("a digit");
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = &digits[at..];
    if isize::try_from(digits.len()).ok()? != dec.digits {
        return None;
    }
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        out[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    if dec.flags & NEGATIVE != 0 {
        put(b"-");
    }
    // Where the point goes among the digits: `integer` of them before it.
    let integer = dec.digits + dec.exp;
    match usize::try_from(integer) {
        _ if dec.exp == 0 => put(digits),
        Ok(0) | Err(_) => {
            put(b"0.");
            put(&b"000000"[..integer.unsigned_abs()]);
            put(digits);
        }
        Ok(integer) => {
            put(&digits[..integer]);
            put(b".");
            put(&digits[integer..]);
        }
    }
    Some(len)
}

/// The C `Decimal` type, if `decimal` is the C implementation and every check value reads back
/// as `str()` writes it.
fn checked_type(py: Python<'_>) -> Option<Py<PyType>> {
    let module = py.import("decimal").ok()?;
    // Only the C implementation has libmpdec (the pure-Python one has other objects).
    if cfg!(not(target_pointer_width = "64")) || !module.hasattr("__libmpdec_version__").ok()? {
        return None;
    }
    let decimal = module.getattr("Decimal").ok()?.cast_into::<PyType>().ok()?;
    for (text, exp, digits) in CHECKS {
        let value = decimal.call1((text,)).ok()?;
        // SAFETY: `value` is a live object of the C Decimal type (made by it just now), at
        // least as large as a PyDecObject holds; its header fields are compared with what
        // libmpdec keeps for `text` before `data` is followed, and the text read is compared
        // with `str()` before the layout is trusted anywhere else.
        let dec = unsafe { &(*value.as_ptr().cast::<PyDec>()).dec };
        if (dec.exp, dec.digits, dec.len) != (exp, digits, 1) || dec.alloc < 1 || dec.data.is_null() {
            return None;
        }
        let mut out = [0; LONGEST];
        // SAFETY: as above.
        let len = unsafe { read(dec, &mut out) }?;
        if value.str().ok()?.to_str().ok()?.as_bytes() != &out[..len] {
            return None;
        }
    }
    Some(decimal.unbind())
}
