//! Fuzzes [`fixwire::Framer`] with a byte stream that arrives in pieces.
//!
//! The first input byte picks where the stream is first cut, and so the size of every later
//! chunk; the rest of the input is the stream. It is framed twice: with the default
//! configuration, and without CheckSum <10> verification, so that messages the fuzzer changed
//! (and whose checksum it cannot fix) still reach the parse step. Whatever the bytes and however
//! they arrive:
//!
//! - every message handed out parses again on its own, with default options (less the checksum
//!   check when the framer skips it), to the same fields;
//! - every error's stream offset lies inside the bytes fed so far, and errors come in stream
//!   order;
//! - every byte fed is either consumed (`offset()`) or held for later (`buffered()`);
//! - the messages are exactly those of the same stream fed in one piece, and so are the errors,
//!   except for extra `Garbage` reports: a chunk that ends inside what may be a message start
//!   makes the framer stop there, then report the bytes as garbage once more arrive.

#![no_main]

use fixwire::{DecodeErrorKind, FieldIndex, Framer, FramerConfig, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, stream)) = data.split_first() else { return };
    // Scaled over the whole stream, so that long streams are cut late as well as early.
    let cut = stream.len() * usize::from(selector) / usize::from(u8::MAX);
    for verify_checksum in [true, false] {
        let config = FramerConfig { verify_checksum, ..FramerConfig::default() };
        let mut chunked = Run::new(&config);
        chunked.feed(&stream[..cut]);
        for chunk in stream[cut..].chunks(cut.max(1)) {
            chunked.feed(chunk);
        }
        let mut whole = Run::new(&config);
        whole.feed(stream);
        chunked.same_as(&whole, cut);
    }
});

/// A framer fed piece by piece, with what it handed out and the checks made after each piece.
struct Run {
    framer: Framer,
    /// Bytes fed so far.
    fed: usize,
    messages: Vec<Vec<u8>>,
    /// (kind, stream offset, tag) of every error drained.
    errors: Vec<(DecodeErrorKind, usize, Option<u32>)>,
    reparsed: FieldIndex,
    options: ParseOptions,
}

impl Run {
    fn new(config: &FramerConfig) -> Self {
        let options = ParseOptions { verify_checksum: config.verify_checksum, ..ParseOptions::default() };
        Self {
            framer: Framer::new(config.clone()),
            fed: 0,
            messages: Vec::new(),
            errors: Vec::new(),
            reparsed: FieldIndex::new(),
            options,
        }
    }

    /// Checks that this run (fed in chunks of `cut` bytes) framed what `whole` (fed in one
    /// piece) did.
    fn same_as(&self, whole: &Run, cut: usize) {
        assert!(self.messages == whole.messages, "chunks of {cut} bytes change the messages framed");
        let mut expected = whole.errors.iter().peekable();
        for error in &self.errors {
            if expected.peek() == Some(&error) {
                expected.next();
            } else {
                assert_eq!(error.0, DecodeErrorKind::Garbage, "chunks of {cut} bytes add the error {error:?}");
            }
        }
        assert!(expected.next().is_none(), "chunks of {cut} bytes lose errors");
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.fed += chunk.len();
        let Self { framer, messages, reparsed, options, .. } = self;
        framer.feed(chunk, |message, index| {
            if let Err(error) = reparsed.parse(message, options) {
                panic!("a framed message does not parse on its own: {error}");
            }
            assert_eq!(reparsed.fields(), index.fields(), "a framed message parses to other fields on its own");
            messages.push(message.to_vec());
        });
        for error in self.framer.drain_errors() {
            // Each error stands for at least one byte skipped, so it starts before the end.
            assert!(error.offset < self.fed, "error past the {} bytes fed: {error}", self.fed);
            if let Some(previous) = self.errors.last() {
                assert!(previous.1 < error.offset, "errors out of stream order: {previous:?}, then {error}");
            }
            self.errors.push((error.kind, error.offset, error.tag));
        }
        assert_eq!(
            self.framer.offset() + self.framer.buffered() as u64,
            self.fed as u64,
            "bytes consumed and bytes held do not add up to the bytes fed"
        );
    }
}
