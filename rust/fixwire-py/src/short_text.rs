//! Short ASCII values as `str`, the strings kept in a small cache for the next read of the same
//! bytes.
//!
//! Most FIX values a reader asks for are short and repeat from message to message: MsgType
//! <35>, Side <54>, OrdType <40>, a quantity, a price, a symbol (a Kalshi market ticker is up to
//! about 24 characters). Making a `str` of one costs an allocation, a copy and, when the caller
//! lets it go, a release: about 180 instructions. Here a value of 1 to [`LONGEST`] ASCII bytes
//! is looked up in a direct-mapped table of [`SLOTS`] strings, keyed by its length and bytes
//! (read as up to three words, the last overlapping the others: the same reads that check it is
//! ASCII); a hit hands out the kept string with one more reference, a miss makes the string
//! (copied by those words, no `memcpy` call) and keeps it in the slot instead of the one there.
//! A `str` is immutable and its identity means nothing to a reader, so handing out one object
//! for equal values changes no answer; longer values (ClOrdID <11>, a UUID of 36) are not kept,
//! as they rarely repeat.
//!
//! The table is a process-wide one, touched only with the GIL held: it exists only in builds
//! with a GIL that read a string's layout (not abi3, PyPy, GraalPy or a free-threaded build),
//! and the module is not imported into a sub-interpreter (entry.rs). It holds at most [`SLOTS`]
//! strings of at most [`LONGEST`] characters (about 45 KiB), kept until their slot is taken.

use std::cell::UnsafeCell;

use pyo3::ffi;

/// How many strings are kept: a power of two.
const SLOTS: usize = 512;

/// The longest value kept, in bytes: three words.
pub(crate) const LONGEST: usize = 24;

/// A value's length and bytes as three words: for 17 to 24 bytes the first sixteen and the last
/// eight, for 8 to 16 the first eight and the last eight, for 4 to 7 the first and last four
/// (overlapping, so that together they are every byte), for 1 to 3 the bytes in the first word;
/// a word not read is 0.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    len: usize,
    head: u64,
    middle: u64,
    tail: u64,
}

impl Key {
    /// The key of `value`, 1 to [`LONGEST`] bytes long.
    #[inline(always)]
    fn of(value: &[u8]) -> Self {
        let len = value.len();
        let word = |at: usize| u64::from_le_bytes(value[at..at + 8].try_into().expect("eight bytes"));
        let half = |at: usize| u64::from(u32::from_le_bytes(value[at..at + 4].try_into().expect("four bytes")));
        let (head, middle, tail) = match len {
            17.. => (word(0), word(8), word(len - 8)),
            8..=16 => (word(0), 0, word(len - 8)),
            4..=7 => (half(0), 0, half(len - 4)),
            _ => (value.iter().rev().fold(0, |acc, &b| acc << 8 | u64::from(b)), 0, 0),
        };
        Self { len, head, middle, tail }
    }

    fn is_ascii(self) -> bool {
        (self.head | self.middle | self.tail) & 0x8080_8080_8080_8080 == 0
    }

    #[inline(always)]
    fn slot(self) -> usize {
        let words = self.head ^ self.middle.rotate_left(17) ^ self.tail.rotate_left(29);
        let mixed = (words ^ self.len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // The top bits are the best mixed; SLOTS is a power of two below 2^32.
        (mixed >> (64 - SLOTS.trailing_zeros())) as usize
    }

    /// Writes the value the key was read from at `out`, as it was read.
    ///
    /// # Safety
    /// `out` is valid for `len` bytes of writes.
    #[inline(always)]
    unsafe fn write(self, out: *mut u8) {
        // SAFETY: every write lies in the `len` bytes the caller promises: the words were read
        // at these offsets of a value that long.
        unsafe {
            match self.len {
                17.. => {
                    out.cast::<u64>().write_unaligned(self.head.to_le());
                    out.add(8).cast::<u64>().write_unaligned(self.middle.to_le());
                    out.add(self.len - 8).cast::<u64>().write_unaligned(self.tail.to_le());
                }
                8..=16 => {
                    out.cast::<u64>().write_unaligned(self.head.to_le());
                    out.add(self.len - 8).cast::<u64>().write_unaligned(self.tail.to_le());
                }
                4..=7 => {
                    // The halves are the low 32 bits of the words.
                    let (head, tail) = (self.head as u32, self.tail as u32);
                    out.cast::<u32>().write_unaligned(head.to_le());
                    out.add(self.len - 4).cast::<u32>().write_unaligned(tail.to_le());
                }
                _ => {
                    for at in 0..self.len {
                        // The bytes were packed low byte first.
                        out.add(at).write((self.head >> (8 * at)) as u8);
                    }
                }
            }
        }
    }
}

/// A kept string and the key of its bytes; an empty slot has length 0, which no key has.
#[derive(Clone, Copy)]
struct Slot {
    key: Key,
    text: *mut ffi::PyObject,
}

const EMPTY: Slot = Slot { key: Key { len: 0, head: 0, middle: 0, tail: 0 }, text: std::ptr::null_mut() };

/// The table: read and written only with the GIL held, by code that calls nothing that could
/// reach it again while it holds the reference (releasing a `str` runs no Python code).
struct GilProtected(UnsafeCell<[Slot; SLOTS]>);

// SAFETY: see `GilProtected`: the GIL serialises every access.
unsafe impl Sync for GilProtected {}

static KEPT: GilProtected = GilProtected(UnsafeCell::new([EMPTY; SLOTS]));

/// A `str` of `value` (1 to [`LONGEST`] bytes) when it is ASCII: a new reference, or NULL with
/// a Python error set when CPython could not make it. `None` when it is not ASCII.
///
/// # Safety
/// The GIL is held.
#[inline(always)]
pub(crate) unsafe fn text(value: &[u8]) -> Option<*mut ffi::PyObject> {
    debug_assert!((1..=LONGEST).contains(&value.len()));
    let key = Key::of(value);
    if !key.is_ascii() {
        return None;
    }
    // SAFETY: the GIL is held; the reference to the table is dropped before anything that could
    // reach it runs (a string's allocation may run the cycle collector; its release nothing).
    unsafe {
        let slot = &raw mut (*KEPT.0.get())[key.slot()];
        if (*slot).key == key {
            let text = (*slot).text;
            ffi::Py_INCREF(text);
            return Some(text);
        }
        Some(make(slot, key))
    }
}

/// A new `str` of `key`'s bytes, then kept in `slot` in place of the one there.
///
/// # Safety
/// The GIL is held; `slot` points into the table and is not borrowed.
#[inline(never)]
unsafe fn make(slot: *mut Slot, key: Key) -> *mut ffi::PyObject {
    let len = isize::try_from(key.len).expect("at most LONGEST bytes");
    // SAFETY: a string made with maxchar 127 is compact ASCII, one byte per character, with room
    // for exactly `len` bytes after its header (and the NUL CPython wrote); the key's bytes are
    // ASCII, as that kind requires, and the string is not shared yet. The slot is read and
    // written after the allocation, which may run the cycle collector (never this function).
    unsafe {
        let text = ffi::PyUnicode_New(len, 127);
        if text.is_null() {
            return text;
        }
        key.write(ffi::PyUnicode_1BYTE_DATA(text));
        let old = std::mem::replace(&mut *slot, Slot { key, text });
        ffi::Py_INCREF(text);
        if !old.text.is_null() {
            ffi::Py_DECREF(old.text);
        }
        text
    }
}
