//! The encoder's tests: header, typed pushes, refusals, resends, and messages of random fields
//! against the same text written out by hand.

use super::*;
use crate::template::{Part, Rule, Slot, Template, Value};
use crate::testing::Rng;
use crate::{FieldIndex, ParseOptions};

const T: i64 = 1_787_233_501_123_456_789;

#[test]
fn tags_are_written_as_their_digits_and_equals_after_what_is_there() {
    let tags = (1..=200_000).chain([999_999, 1_000_000, 999_999_999, u32::MAX]);
    for tag in tags {
        let mut buf = b"35=D\x01".to_vec();
        push_tag(&mut buf, tag);
        assert_eq!(buf, format!("35=D\x01{tag}=").as_bytes(), "tag {tag}");
    }
}

#[test]
fn seconds_round_to_the_microsecond() {
    let instant = 1_787_236_205_123_456_000;
    let seconds: f64 = 1_787_236_205.123_456;
    // The floats on either side of the instant come back to it.
    for s in [seconds, f64::from_bits(seconds.to_bits() - 1), f64::from_bits(seconds.to_bits() + 1)] {
        assert_eq!(unix_nanos_from_seconds(s), Some(instant), "{s}");
    }
    assert_eq!(unix_nanos_from_seconds(-1.5), Some(-1_500_000_000));
    for bad in [f64::NAN, f64::INFINITY, 1e300, -1e300, 9.3e9] {
        assert_eq!(unix_nanos_from_seconds(bad), None, "{bad}");
    }
}

#[test]
fn header_order_body_length_and_checksum() {
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut w = enc.start(b"0", 1, T).unwrap();
    w.str(112, "ping").unwrap();
    let bytes = w.finish().unwrap().to_vec();
    let expected_body = "35=0\x0149=S\x0156=T\x0134=1\x0152=20260820-13:45:01.123\x01112=ping\x01";
    let head = format!("8=FIXT.1.1\x019={}\x01{expected_body}", expected_body.len());
    let sum = crate::checksum(head.as_bytes());
    assert_eq!(bytes, format!("{head}10={sum:03}\x01").into_bytes());
    let mut index = FieldIndex::new();
    index.parse(&bytes, &ParseOptions::default()).unwrap();
}

#[test]
fn typed_pushes_round_trip() {
    let mut enc = Encoder::with_begin_string("S", "T", "FIX.4.4").unwrap().time_precision(TimePrecision::Micros);
    let mut w = enc.start(b"D", 42, T).unwrap();
    w.int(1, -5).unwrap().uint(2, 7).unwrap().decimal(44, Decimal::new(55, 2)).unwrap();
    w.decimal_fixed(38, Decimal::new(10, 0), 2).unwrap().char(54, b'1').unwrap().bool(141, true).unwrap();
    w.bytes(96, b"sig\x01with\x01soh").unwrap().decimal_text(6, b"123456789012345678901.5").unwrap();
    w.group(453, 1).unwrap().str(448, "p").unwrap().int(452, 24).unwrap();
    w.timestamp(60, UtcTimestamp::parse(b"20260820-13:45:01.123456789").unwrap()).unwrap();
    w.date(75, Date::parse(b"20260820").unwrap()).unwrap();
    let bytes = w.finish().unwrap().to_vec();
    let mut index = FieldIndex::new();
    index.parse(&bytes, &ParseOptions::default()).unwrap();
    let m = index.view(&bytes);
    assert_eq!(m.begin_string(), b"FIX.4.4");
    assert_eq!(m.get(52), Some(&b"20260820-13:45:01.123456"[..]));
    assert_eq!(m.get_i64(1).unwrap(), Some(-5));
    assert_eq!(m.get(44), Some(&b"0.55"[..]));
    assert_eq!(m.get(38), Some(&b"10.00"[..]));
    assert_eq!(m.get(95), Some(&b"12"[..]));
    assert_eq!(m.get(96), Some(&b"sig\x01with\x01soh"[..]));
    assert_eq!(m.get(6), Some(&b"123456789012345678901.5"[..]));
    assert_eq!(m.get(141), Some(&b"Y"[..]));
    assert_eq!(m.get(60), Some(&b"20260820-13:45:01.123456789"[..]));
}

#[test]
fn bad_arguments_are_refused() {
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut w = enc.start(b"D", 1, T).unwrap();
    assert_eq!(w.str(0, "x").unwrap_err().kind, Kind::InvalidTag);
    assert_eq!(w.str(35, "x").unwrap_err().kind, Kind::InvalidTag);
    assert_eq!(w.str(58, "").unwrap_err().kind, Kind::EmptyValue);
    assert_eq!(w.str(58, "a\x01b").unwrap_err().kind, Kind::SohInValue);
    assert_eq!(w.char(54, SOH).unwrap_err().kind, Kind::SohInValue);
    assert_eq!(w.decimal_fixed(44, Decimal::new(555, 3), 2).unwrap_err().kind, Kind::InvalidValue);
    assert_eq!(w.decimal_text(44, b"1e5").unwrap_err().kind, Kind::InvalidValue);
    assert_eq!(w.bytes(96, b"").unwrap_err().kind, Kind::EmptyValue);
    assert!(Encoder::new("S\x01", "T").is_err());
    assert!(Encoder::new("S", "").is_err());
    assert!(Encoder::with_begin_string("S", "T", "FIX.4.4.EXTENDED.VERSION.X").is_err());
    assert!(Encoder::with_begin_string("S", "T", "FIX 4.4").is_err());
    assert_eq!(w_tag_error(1_000_000_000), Kind::InvalidTag);
    assert_eq!(enc.start(b"", 1, T).unwrap_err().kind, Kind::EmptyValue);
    for msg_type in [&b"\x01"[..], b"A\x01", b"\x01A"] {
        let err = enc.start(msg_type, 1, T).unwrap_err();
        assert_eq!((err.kind, err.tag), (Kind::SohInValue, Some(35)), "{msg_type:?}");
    }
}

fn w_tag_error(tag: u32) -> Kind {
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut w = enc.start(b"D", 1, T).unwrap();
    w.str(tag, "x").unwrap_err().kind
}

#[test]
fn data_length_fields_are_written_by_the_encoder() {
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut w = enc.start(b"A", 1, T).unwrap();
    assert_eq!(w.uint(95, 3).unwrap_err().kind, Kind::InvalidTag);
    assert_eq!(w.str(95, "3").unwrap_err().kind, Kind::InvalidTag);
    w.bytes(96, b"a\x01b").unwrap();
    let bytes = w.finish().unwrap();
    assert_eq!(bytes.windows(4).filter(|w| w == b"\x0195=").count(), 1);
}

#[test]
fn refused_pushes_write_nothing() {
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut w = enc.start(b"0", 1, T).unwrap();
    assert!(w.str(58, "a\x01b").is_err());
    let with_error = w.finish().unwrap().to_vec();
    let clean = enc.start(b"0", 1, T).unwrap().finish().unwrap().to_vec();
    assert_eq!(with_error, clean);
}

#[test]
fn sending_time_cache_follows_the_clock() {
    let mut enc = Encoder::new("S", "T").unwrap();
    let a = enc.start(b"0", 1, T).unwrap().finish().unwrap().to_vec();
    let b = enc.start(b"0", 1, T + 1_000).unwrap().finish().unwrap().to_vec();
    let c = enc.start(b"0", 1, T + 1_000_000).unwrap().finish().unwrap().to_vec();
    assert_eq!(a, b, "same millisecond");
    assert_ne!(a, c, "next millisecond");
    assert!(c.windows(21).any(|w| w == b"20260820-13:45:01.124"));
}

#[test]
fn possible_duplicate_patches_the_header_and_keeps_the_body() {
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut w = enc.start(b"D", 9, T).unwrap();
    w.str(11, "id-1").unwrap().group(453, 1).unwrap().str(448, "p").unwrap().bytes(96, b"a\x01b").unwrap();
    let original = w.finish().unwrap().to_vec();
    let later = T + 5_000_000_000;
    let resent = enc.possible_duplicate(&original, later).unwrap().to_vec();
    let body = "35=D\x0149=S\x0156=T\x0134=9\x0152=20260820-13:45:06.123\x0143=Y\x01\
                122=20260820-13:45:01.123\x0111=id-1\x01453=1\x01448=p\x0195=3\x0196=a\x01b\x01";
    let head = format!("8=FIXT.1.1\x019={}\x01{body}", body.len());
    assert_eq!(resent, format!("{head}10={:03}\x01", crate::checksum(head.as_bytes())).into_bytes());
    // A resend of a resend keeps the first OrigSendingTime and one PossDupFlag.
    let again = enc.possible_duplicate(&resent, later + 1_000_000_000).unwrap().to_vec();
    let text = String::from_utf8(again).unwrap();
    assert_eq!(text.matches("43=Y").count(), 1);
    assert!(text.contains("52=20260820-13:45:07.123\x0143=Y\x01122=20260820-13:45:01.123\x01"));
}

#[test]
fn a_resend_of_another_header_leaves_the_next_message_its_own() {
    // The encoder keeps the last header it wrote for the next message of the type; a resend
    // writes the original's header (here another session's, of the same type) in its place.
    let mut other = Encoder::new("OTHER", "PEER").unwrap();
    let original = other.start(b"D", 3, T).unwrap().finish().unwrap().to_vec();
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut fresh = enc.clone();
    enc.start(b"D", 1, T).unwrap().finish().unwrap();
    enc.possible_duplicate(&original, T).unwrap();
    let next = enc.start(b"D", 2, T).unwrap().finish().unwrap().to_vec();
    assert_eq!(next, fresh.start(b"D", 2, T).unwrap().finish().unwrap());
}

#[test]
fn possible_duplicate_refuses_what_is_not_a_message() {
    let mut enc = Encoder::new("S", "T").unwrap();
    assert!(matches!(enc.possible_duplicate(b"8=FIXT.1.1\x019=5\x01", T), Err(Error::Decode(_))));
    let head = "8=FIXT.1.1\x019=5\x0135=0\x01";
    let no_time = format!("{head}10={:03}\x01", crate::checksum(head.as_bytes()));
    let refused = enc.possible_duplicate(no_time.as_bytes(), T);
    assert!(matches!(refused, Err(Error::Encode(e)) if e.tag == Some(52)));
}

#[test]
fn caller_values_checked_for_fix() {
    assert_eq!(seq_num(7), Ok(7));
    for bad in [0, -1, i64::MIN] {
        let err = seq_num(bad).unwrap_err();
        assert_eq!((err.kind, err.tag), (Kind::InvalidValue, Some(34)));
        assert_eq!(err.reason, format!("MsgSeqNum <34> must be positive, not {bad}"));
    }
    assert_eq!(tag_number(35), Ok(35));
    for bad in [0, -5, i64::from(u32::MAX) + 1] {
        assert_eq!(tag_number(bad).unwrap_err().kind, Kind::InvalidTag);
    }
    assert_eq!(tag_out_of_range("99999999999999999999").reason, "tag 99999999999999999999 is out of range");
    assert_eq!(sending_time_from_seconds(1.5), Ok(1_500_000_000));
    for bad in [f64::NAN, f64::INFINITY, 1e300] {
        assert_eq!(sending_time_from_seconds(bad).unwrap_err().tag, Some(52));
    }
    let far = UtcTimestamp::parse(b"25000101-00:00:00").unwrap();
    assert_eq!(sending_time_from_timestamp(far).unwrap_err().reason, "SendingTime <52> must be within years 1677-2262");
}

#[test]
fn floats_and_values_without_a_fix_form_are_refused() {
    let mut enc = Encoder::new("S", "T").unwrap();
    let mut w = enc.start(b"D", 1, T).unwrap();
    let err = w.float(44, 0.5).unwrap_err();
    assert_eq!(err.kind, Kind::WrongType);
    assert_eq!(err.reason, "tag 44: float values are not exact; pass a decimal.Decimal or a str");
    let err = w.unsupported(58, "object").unwrap_err();
    assert_eq!(err.kind, Kind::WrongType);
    assert!(err.reason.starts_with("tag 58: cannot encode a object (use str"), "{}", err.reason);
    let err = w.big_int(38, "18446744073709551616").unwrap_err();
    assert_eq!((err.kind, err.tag), (Kind::InvalidValue, Some(38)));
    // Nothing refused was written.
    let bytes = w.finish().unwrap();
    assert!(!bytes.windows(4).any(|f| f == b"\x0144=" || f == b"\x0158="));
}

/// One random push on `w`, and the text it must add (or `None` when it must be refused).
fn random_push(rng: &mut Rng, w: &mut MessageWriter<'_>) -> Option<String> {
    let tags = [1, 11, 38, 44, 55, 58, 95, 96, 448, 453, 526, 2964, 21006, 99_999, 100_000, 123_456_789, 35, 0];
    let tag = tags[rng.below(tags.len())];
    let text: String = (0..rng.below(70)).map(|i| char::from(b'!' + ((i * 7 + rng.below(90)) % 90) as u8)).collect();
    let soh = rng.below(8) == 0 && !text.is_empty();
    let value = if soh { format!("{text}\x01") } else { text.clone() };
    let header = matches!(tag, 0 | 35);
    let number = i64::from_ne_bytes(rng.next().to_ne_bytes()) >> rng.below(64);
    let (ok, expected) = match rng.below(7) {
        0 => (
            w.str(tag, &value).is_ok(),
            (!header && tag != 95 && !value.is_empty() && (!soh || tag == 96)).then(|| {
                if tag == 96 {
                    format!("95={}\x0196={value}\x01", value.len())
                } else {
                    format!("{tag}={value}\x01")
                }
            }),
        ),
        1 => (w.int(tag, number).is_ok(), (!header && tag != 95).then(|| format!("{tag}={number}\x01"))),
        2 => (
            w.uint(tag, number.unsigned_abs()).is_ok(),
            (!header && tag != 95).then(|| format!("{tag}={}\x01", number.unsigned_abs())),
        ),
        3 => {
            let d = Decimal::new(number, rng.below(24) as u8);
            (w.decimal(tag, d).is_ok(), (!header).then(|| format!("{tag}={d}\x01")))
        }
        4 => {
            let c = [b'1', b'Y', SOH, b'~'][rng.below(4)];
            let refused = header || tag == 95 || (c == SOH && tag != 96);
            let text = if tag == 96 {
                format!("95=1\x0196={}\x01", char::from(c))
            } else {
                format!("{tag}={}\x01", char::from(c))
            };
            (w.char(tag, c).is_ok(), (!refused).then_some(text))
        }
        5 => (
            w.bool(tag, number & 1 == 0).is_ok(),
            (!header && tag != 95).then(|| {
                let yn = if number & 1 == 0 { "Y" } else { "N" };
                if tag == 96 {
                    format!("95=1\x0196={yn}\x01")
                } else {
                    format!("{tag}={yn}\x01")
                }
            }),
        ),
        _ => {
            let digits = format!("{}.{}", number, number.unsigned_abs() % 1000);
            (w.decimal_text(tag, digits.as_bytes()).is_ok(), (!header).then(|| format!("{tag}={digits}\x01")))
        }
    };
    assert_eq!(ok, expected.is_some(), "tag {tag}: accepted {ok}, expected {expected:?}");
    expected
}

#[test]
fn random_messages_are_the_text_written_out_by_hand() {
    let mut enc = Encoder::new("SENDER", "TARGET").unwrap();
    let template =
        Template::new(b"D", vec![Part::Fixed(40, b"2".to_vec()), Part::Slot(Slot::new(58, Rule::text(None, 200)))])
            .unwrap();
    for seed in 1..400u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let time = T + i64::try_from(rng.below(3 * 86_400_000_000_000)).unwrap();
        // Templates and resends between typed messages shrink and regrow the buffer's zone.
        if seed % 5 == 0 {
            let long = "t".repeat(rng.below(200) + 1);
            enc.encode_template(&template, &[Value::Text(long.as_bytes())], seed, time).unwrap();
        }
        // The header written for the last message's type is kept for the next one of that type:
        // the types change, and a refused type (SOH in it) comes between them.
        if seed % 11 == 0 {
            let bad: &[u8] = [&b"\x01"[..], b"D\x01", b"\x01D"][rng.below(3)];
            assert_eq!(enc.start(bad, seed, time).map(|_| ()).unwrap_err().kind, Kind::SohInValue);
        }
        let msg_type = *rng.pick(&["AE", "D", "D", "0", "8", "BE"]);
        let mut w = enc.start(msg_type.as_bytes(), seed, time).unwrap();
        let mut body = String::new();
        for _ in 0..rng.below(40) {
            if let Some(text) = random_push(&mut rng, &mut w) {
                body.push_str(&text);
            }
        }
        let bytes = w.finish().unwrap().to_vec();
        let mut stamp = Vec::new();
        UtcTimestamp::from_unix_nanos(i128::from(time), TimePrecision::Millis).unwrap().write_to(&mut stamp);
        let body = format!(
            "35={msg_type}\x0149=SENDER\x0156=TARGET\x0134={seed}\x0152={}\x01{body}",
            String::from_utf8(stamp).unwrap()
        );
        let head = format!("8=FIXT.1.1\x019={}\x01{body}", body.len());
        let expected = format!("{head}10={:03}\x01", crate::checksum(head.as_bytes()));
        assert_eq!(String::from_utf8_lossy(&bytes), expected, "seed {seed}");
        if seed % 7 == 0 {
            // A resend rewrites the buffer as a vector; some of these messages do not parse (an
            // int written as RawDataLength <95>), which is all the same to the next message.
            let resent = enc.possible_duplicate(&bytes, time + 1);
            assert!(resent.map_or(true, |r| r.ends_with(b"\x01")));
        }
    }
}

#[test]
fn body_lengths_have_their_digits_from_either_path() {
    for n in (0..30_000).chain([99_999, 100_000, 1_234_567, 9_999_999]) {
        assert_eq!(body_length_digits(n), digit_values(n), "{n}");
    }
}

#[test]
fn sequence_numbers_after_a_kept_header_are_the_ones_asked_for() {
    // The header of a one-character MsgType is kept, and MsgSeqNum after it is counted up in its
    // last digit when it can be: every step that cannot (a 9, a jump, the same or a smaller
    // number, another width) is written in full.
    let mut enc = Encoder::new("S", "T").unwrap();
    let seqs = [1, 2, 9, 10, 11, 19, 20, 21, 99, 100, 100, 101, 7, 8, 1_000_000, 999_999_999_999, 1_000_000_000_000, 5];
    for seq in seqs {
        let got = enc.start(b"0", seq, T).unwrap().finish().unwrap().to_vec();
        let want = Encoder::new("S", "T").unwrap().start(b"0", seq, T).unwrap().finish().unwrap().to_vec();
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{seq}");
    }
}

#[test]
fn random_values_round_trip_through_the_parser_and_soh_anywhere_is_refused() {
    // Values of every length up to 80 bytes (the copy's word and lane paths), each with SOH at
    // one position or none, after a kept header and a counted-up MsgSeqNum: a value with SOH is
    // refused and leaves the message as it was; the others parse back, CheckSum and BodyLength
    // verified by the parser, to the values pushed.
    let mut enc = Encoder::new("SENDER", "TARGET").unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut index = FieldIndex::new();
    for (seq, len) in (1..=80i64).zip(1..=80usize) {
        let text: Vec<u8> = (0..len).map(|_| b' ' + rng.below(95) as u8).collect();
        let mut w = enc.start(b"D", seq.unsigned_abs(), T + seq * 1_000_000).unwrap();
        for at in 0..len {
            let mut bad = text.clone();
            bad[at] = SOH;
            let err = w.bytes(58, &bad).map(|_| ()).unwrap_err();
            assert_eq!((err.kind, err.tag), (Kind::SohInValue, Some(58)), "length {len}, SOH at {at}");
        }
        let number = i64::from_ne_bytes(rng.next().to_ne_bytes()) >> rng.below(64);
        let decimal = Decimal::new(number, rng.below(12) as u8);
        w.bytes(58, &text).unwrap().int(44, number).unwrap().decimal(38, decimal).unwrap();
        w.char(54, text[0]).unwrap();
        let bytes = w.finish().unwrap().to_vec();
        index.parse(&bytes, &ParseOptions::default()).unwrap_or_else(|e| panic!("length {len}: {e:?}"));
        let msg = index.view(&bytes);
        assert_eq!(msg.get_str(58).unwrap(), Some(std::str::from_utf8(&text).unwrap()), "length {len}");
        assert_eq!(msg.get_i64(44).unwrap(), Some(number));
        assert_eq!(msg.get_decimal(38).unwrap(), Some(decimal));
        assert_eq!(msg.get_char(54).unwrap(), Some(text[0]));
        assert_eq!(msg.get_i64(34).unwrap(), Some(seq));
    }
}
