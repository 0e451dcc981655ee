//! The shared corpus (`tests/data/`, also read by pytest and the benches) through the core:
//! every valid message parses, frames and re-encodes; every invalid one fails with its kind;
//! random and mutated bytes never panic the framer or the parser.

use fixwire::{DecodeErrorKind, Encoder, FieldIndex, Framer, FramerConfig, GroupSpecs, ParseOptions, UtcTimestamp};
use std::sync::Arc;

fn data_file(name: &str) -> String {
    let path = format!("{}/../../tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `(name, fields...)` lines of a corpus file, with `|` turned into SOH in the last field.
fn entries(name: &str, columns: usize) -> Vec<(Vec<String>, Vec<u8>)> {
    data_file(name)
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let parts: Vec<&str> = line.splitn(columns, ' ').collect();
            assert_eq!(parts.len(), columns, "malformed corpus line: {line}");
            let message = parts[columns - 1].replace('|', "\x01").into_bytes();
            (parts[..columns - 1].iter().map(|s| (*s).to_owned()).collect(), message)
        })
        .collect()
}

fn valid() -> Vec<(String, Vec<u8>)> {
    entries("corpus.txt", 2).into_iter().map(|(names, m)| (names[0].clone(), m)).collect()
}

fn kalshi_options() -> ParseOptions {
    ParseOptions { groups: Some(Arc::new(GroupSpecs::kalshi())), ..ParseOptions::default() }
}

#[test]
fn every_valid_message_parses_with_the_kalshi_groups() {
    let corpus = valid();
    assert!(corpus.len() >= 30, "the corpus has {} messages", corpus.len());
    let options = kalshi_options();
    let mut index = FieldIndex::new();
    for (name, message) in &corpus {
        index.parse(message, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let msg = index.view(message);
        assert_eq!(msg.fields().len(), memchr::memchr_iter(1, message).count() - embedded_soh(msg), "{name}");
        assert!(msg.seq_num().unwrap().is_some(), "{name}");
        if let Some(ts) = msg.get_timestamp(52).unwrap() {
            let mut out = Vec::new();
            ts.write_to(&mut out);
            assert_eq!(out, msg.get(52).unwrap(), "{name}");
        }
    }
}

/// SOH bytes inside data field values, which are not field separators.
fn embedded_soh(msg: fixwire::Message<'_>) -> usize {
    msg.iter().map(|(_, v)| memchr::memchr_iter(1, v).count()).sum()
}

#[test]
fn every_invalid_message_fails_with_its_kind() {
    let invalid = entries("invalid.txt", 3);
    assert!(invalid.len() >= 15);
    let mut index = FieldIndex::new();
    for (names, message) in &invalid {
        let err = index.parse(message, &ParseOptions::default()).expect_err(&names[0]);
        assert_eq!(err.kind.name(), names[1], "{}: {err}", names[0]);
        assert!(err.offset <= message.len(), "{}: offset {} past the end", names[0], err.offset);
    }
}

#[test]
fn the_framer_finds_every_message_of_the_concatenated_corpus_at_every_chunk_size() {
    let corpus = valid();
    let stream: Vec<u8> = corpus.iter().flat_map(|(_, m)| m.clone()).collect();
    for chunk in [1, 2, 3, 7, 64, 1000, stream.len()] {
        let mut framer = Framer::new(FramerConfig { parse: kalshi_options(), ..FramerConfig::default() });
        let mut got = Vec::new();
        for piece in stream.chunks(chunk) {
            framer.feed(piece, |m, _| got.push(m.to_vec()));
        }
        assert_eq!(got.len(), corpus.len(), "chunk size {chunk}");
        assert!(got.iter().zip(&corpus).all(|(a, (_, b))| a == b), "chunk size {chunk}");
        assert_eq!(framer.drain_errors().count(), 0);
        assert_eq!(framer.buffered(), 0);
    }
}

#[test]
fn re_encoding_every_message_gives_the_same_bytes() {
    let mut index = FieldIndex::new();
    for (name, message) in valid() {
        index.parse(&message, &ParseOptions::default()).unwrap();
        let msg = index.view(&message);
        if msg.contains(96) && !msg.contains(95) {
            // Kalshi's listener logon sends RawData <96> without its length; the encoder always
            // writes RawDataLength <95>, so this one cannot come out byte-identical.
            continue;
        }
        let text = |tag| std::str::from_utf8(msg.get(tag).unwrap()).unwrap();
        let sending_time = UtcTimestamp::parse(msg.get(52).unwrap()).unwrap();
        let mut encoder =
            Encoder::with_begin_string(text(49), text(56), text(8)).unwrap().time_precision(sending_time.precision);
        let mut writer = encoder
            .start(msg.msg_type(), msg.seq_num().unwrap().unwrap(), i64::try_from(sending_time.unix_nanos()).unwrap())
            .unwrap();
        let header = [8, 9, 35, 49, 56, 34, 52];
        let data_lengths = [95, 93, 90, 212, 354];
        for (tag, value) in msg.iter().filter(|(t, _)| !header.contains(t) && *t != 10 && !data_lengths.contains(t)) {
            writer.bytes(tag, value).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(writer.finish().unwrap(), &message[..], "{name}");
    }
}

/// A small deterministic generator, so failures reproduce without a seed file.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn mutated_messages_never_panic_and_errors_stay_in_bounds() {
    let corpus = valid();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let options = kalshi_options();
    let mut index = FieldIndex::new();
    let interesting = [b'=', 1, b'0', b'9', b'8', b'|', 0xff, b'-', b'.'];
    for round in 0..20_000 {
        let mut bytes = corpus[round % corpus.len()].1.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            match rng.below(4) {
                0 => bytes[at] = interesting[rng.below(interesting.len())],
                1 => bytes[at] = rng.next() as u8,
                2 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, interesting[rng.below(interesting.len())]),
            }
            if bytes.is_empty() {
                break;
            }
        }
        if let Err(e) = index.parse(&bytes, &options) {
            assert!(e.offset <= bytes.len(), "offset {} past {} in {e}", e.offset, bytes.len());
        } else {
            // Whatever parsed must read back without panicking.
            let msg = index.view(&bytes);
            for (tag, _) in msg.iter() {
                let _ = (msg.get_i64(tag), msg.get_decimal(tag), msg.get_timestamp(tag), msg.get_str(tag));
            }
        }
        let mut framer = Framer::default();
        framer.feed(&bytes, |_, _| {});
        assert!(framer.drain_errors().all(|e| e.offset as u64 <= bytes.len() as u64));
    }
}

#[test]
fn garbage_between_messages_never_loses_a_message() {
    let corpus = valid();
    let mut rng = XorShift(42);
    for round in 0..500 {
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for _ in 0..5 {
            // Garbage without '8' cannot fake the start of a message.
            let garbage: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).filter(|&b| b != b'8').collect();
            stream.extend_from_slice(&garbage);
            let (_, message) = &corpus[rng.below(corpus.len())];
            stream.extend_from_slice(message);
            expected.push(message.clone());
        }
        let mut framer = Framer::default();
        let mut got = Vec::new();
        let chunk = 1 + rng.below(300);
        for piece in stream.chunks(chunk) {
            framer.feed(piece, |m, _| got.push(m.to_vec()));
        }
        assert_eq!(got, expected, "round {round}");
        assert!(framer.drain_errors().all(|e| e.kind == DecodeErrorKind::Garbage));
    }
}

/// `fields` (`tag=value`, without BeginString, BodyLength and CheckSum) framed as a message.
fn framed(fields: &[&[u8]]) -> Vec<u8> {
    let body: Vec<u8> = fields.iter().flat_map(|f| f.iter().copied().chain([1])).collect();
    let mut out = format!("8=FIXT.1.1\x019={}\x01", body.len()).into_bytes();
    out.extend_from_slice(&body);
    let sum = fixwire::checksum(&out);
    out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    out
}

/// `Dictionary::parse_valid` gives the answer of parsing with the dictionary's groups and then
/// validating, reject reason, tag and text included, on the validation table, the corpus and
/// each with fields dropped, repeated and swapped at random.
#[test]
fn parse_valid_answers_as_parse_then_validate() {
    let dictionary = fixwire::Dictionary::kalshi();
    let with_groups = ParseOptions { groups: Some(dictionary.group_specs()), ..ParseOptions::default() };
    let options = fixwire::ValidationOptions::default();
    let messages = entries("validation.txt", 3).into_iter().map(|(_, m)| m).chain(valid().into_iter().map(|(_, m)| m));
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut below = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let (mut index, mut other) = (FieldIndex::new(), FieldIndex::new());
    let mut outcomes = [0usize; 3];
    for message in messages {
        let inner: Vec<&[u8]> = message.split(|&b| b == 1).filter(|f| !f.is_empty()).collect();
        let Some(inner) = inner.get(2..inner.len() - 1) else { continue };
        for round in 0..40 {
            let mut fields = inner.to_vec();
            for _ in 0..(if round == 0 { 0 } else { 1 + below(2) }) {
                let (i, j) = (below(fields.len()), below(fields.len()));
                match below(3) {
                    0 => drop(fields.remove(i)),
                    1 => fields.insert(j, fields[i]),
                    _ => fields.swap(i, j),
                }
            }
            let bytes = framed(&fields);
            let expected = match index.parse(&bytes, &with_groups) {
                Err(e) => Err(fixwire::Invalid::Decode(e)),
                Ok(()) => dictionary.validate(&index.view(&bytes), options).map_err(fixwire::Invalid::Reject),
            };
            let got = dictionary.parse_valid(&mut other, &bytes, &ParseOptions::default(), options);
            assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(&bytes));
            outcomes[match got {
                Ok(()) => 0,
                Err(fixwire::Invalid::Decode(_)) => 1,
                Err(fixwire::Invalid::Reject(_)) => 2,
            }] += 1;
            if got.is_ok() {
                assert_eq!(other.fields(), index.fields());
            }
        }
    }
    // Every answer must have been exercised.
    assert!(outcomes.iter().all(|&n| n > 100), "{outcomes:?}");
}
