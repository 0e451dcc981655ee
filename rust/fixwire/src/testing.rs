//! Helpers for the crate's unit tests.

/// A small deterministic generator (xorshift), so the tests need no dependency and a failure
/// names its seed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `items`.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// 512 bytes aligned to 64, so that a slice from offset `k` starts `k` bytes past a 64-byte
/// line: for the paths that load vectors, each alignment.
#[repr(align(64))]
pub(crate) struct Aligned(pub(crate) [u8; 512]);

impl Aligned {
    /// The buffer with byte `i` from `byte(i)`.
    pub(crate) fn filled(byte: impl Fn(usize) -> u8) -> Box<Self> {
        let mut buf = Box::new(Self([0; 512]));
        for (i, b) in buf.0.iter_mut().enumerate() {
            *b = byte(i);
        }
        assert_eq!(buf.0.as_ptr() as usize % 64, 0);
        buf
    }
}

/// How many inputs each of a function's paths compared, to be held to the paths this CPU can
/// run: a test that never ran a path the CPU has fails, rather than passing untested.
pub(crate) struct Ran<P>(std::collections::BTreeMap<P, usize>);

impl<P: Ord + Copy + std::fmt::Debug> Ran<P> {
    pub(crate) fn new() -> Self {
        Self(std::collections::BTreeMap::new())
    }

    /// `path` compared one more input.
    pub(crate) fn note(&mut self, path: P) {
        *self.0.entry(path).or_default() += 1;
    }

    /// The paths that ran are exactly `expected`, each on at least `at_least` inputs.
    pub(crate) fn assert_exactly(&self, expected: impl IntoIterator<Item = P>, at_least: usize) {
        let expected: std::collections::BTreeSet<P> = expected.into_iter().collect();
        assert_eq!(self.0.keys().copied().collect::<std::collections::BTreeSet<P>>(), expected, "{:?}", self.0);
        for (path, &count) in &self.0 {
            assert!(count >= at_least, "{path:?} compared {count} inputs, fewer than {at_least}");
        }
    }
}

/// The messages of the shared validation table and corpus (tests/data), SOH for `|`.
pub(crate) fn shared_messages() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (name, columns) in [("validation.txt", 3), ("corpus.txt", 2)] {
        let path = format!("{}/../../tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let message = line.splitn(columns, ' ').last().unwrap_or_default();
            out.push(message.replace('|', "\x01").into_bytes());
        }
    }
    out
}
