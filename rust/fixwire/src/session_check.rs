//! The FIX session's check of the common inbound message, in one call.
//!
//! A session (Python's `fixwire.session`) takes most inbound messages the same way: an
//! application message, in an established session, carrying the MsgSeqNum <34> it expects,
//! without PossDupFlag <43>=Y, whose header passes every check (BeginString <8>, the CompIDs,
//! SendingTime <52> within the allowed skew). [`HeaderCheck::in_sequence`] says whether a parsed
//! message is such a one, reading each field once. Its answer is a promise one way only: `true`
//! means the session's full order of checks would pass the message too, so the session may hand
//! it over at once; `false` means "not necessarily", and the session then takes the message down
//! its full path, which decides (a Reject, a Logout, a gap, a duplicate) and names the problem.
//! A SendingTime within [`SKEW_MARGIN_NANOS`] of the bound is left to that path, whose own
//! arithmetic (floating-point seconds) is then the one that counts.
//!
//! The check reads no clock: the time is the caller's, as everything in the session's core.

use crate::encode::unix_nanos_from_seconds;
use crate::Fields;

/// A SendingTime <52> this close to the allowed skew, either way, is not taken as in sequence:
/// the session's full path decides it (1 ms: far above the rounding of a clock's `f64` seconds,
/// about 0.2 µs today, and far below any skew a session allows).
pub const SKEW_MARGIN_NANOS: i128 = 1_000_000;

/// MsgTypes <35> of the session level, which the full path always takes.
const ADMIN_MSG_TYPES: [&[u8]; 7] = [b"0", b"1", b"2", b"3", b"4", b"5", b"A"];

/// What one session expects of an inbound message's header; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCheck {
    /// BeginString <8> of the session.
    begin_string: Box<[u8]>,
    /// Our own CompID: the TargetCompID <56> every inbound message must carry.
    ours: Box<[u8]>,
    /// The peer's CompID, when SenderCompID <49> must be it.
    peer: Option<Box<[u8]>>,
    /// The largest allowed distance between SendingTime <52> and the time given, less
    /// [`SKEW_MARGIN_NANOS`]; `None` when SendingTime is not checked.
    within_nanos: Option<i128>,
}

impl HeaderCheck {
    /// The check for a session whose BeginString <8> is `begin_string` and whose own CompID is
    /// `ours`; `peer` holds SenderCompID <49> to the peer's CompID (any value is accepted when
    /// `None`), and `max_skew_seconds` bounds SendingTime <52>'s distance from the time each
    /// check is given (`None`, infinite or NaN: not checked; zero or negative: no message is
    /// taken as in sequence, as none would pass).
    pub fn new(begin_string: &str, ours: &str, peer: Option<&str>, max_skew_seconds: Option<f64>) -> Self {
        let within_nanos = max_skew_seconds.filter(|s| s.is_finite()).map(|skew| {
            // A float-to-int cast saturates, so no skew overflows; the margin then only shrinks it.
            (skew * 1e9) as i128 - SKEW_MARGIN_NANOS
        });
        Self {
            begin_string: begin_string.as_bytes().into(),
            ours: ours.as_bytes().into(),
            peer: peer.map(|p| p.as_bytes().into()),
            within_nanos,
        }
    }

    /// Whether `fields` (a whole parsed message) is an application message carrying MsgSeqNum
    /// <34> `expected`, without PossDupFlag <43>=Y, whose BeginString <8>, TargetCompID <56>,
    /// SenderCompID <49> and SendingTime <52> pass the session's checks at `now_seconds`
    /// (seconds since the Unix epoch, as the session is given the time). `false` promises
    /// nothing: see the module documentation.
    pub fn in_sequence(&self, fields: &Fields<'_>, expected: i64, now_seconds: f64) -> bool {
        let Ok(Some(msg_type)) = fields.get_str(35) else { return false };
        if ADMIN_MSG_TYPES.contains(&msg_type.as_bytes()) {
            return false;
        }
        if !matches!(fields.get_i64(34), Ok(Some(seq_num)) if seq_num == expected) {
            return false;
        }
        if fields.get(8) != Some(&self.begin_string[..]) || fields.get(56) != Some(&self.ours[..]) {
            return false;
        }
        if !matches!(fields.get(43), None | Some(b"N")) {
            return false;
        }
        let sender_ok = match &self.peer {
            Some(peer) => fields.get(49) == Some(&peer[..]),
            None => matches!(fields.get_str(49), Ok(Some(_))),
        };
        sender_ok && self.sending_time_ok(fields, now_seconds)
    }

    /// SendingTime <52> is present, readable and inside the skew less the margin.
    fn sending_time_ok(&self, fields: &Fields<'_>, now_seconds: f64) -> bool {
        let Some(within) = self.within_nanos else { return true };
        let Ok(Some(sent)) = fields.get_timestamp(52) else { return false };
        let Some(now) = unix_nanos_from_seconds(now_seconds) else { return false };
        (sent.unix_nanos() - i128::from(now)).abs() <= within
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, FieldIndex};

    /// 2026-12-07T12:00:00Z in seconds since the epoch.
    const NOON: f64 = 1_796_644_800.0;

    fn message(body: &str) -> Vec<u8> {
        let body = body.replace('|', "\x01");
        let head = format!("8=FIXT.1.1\x019={}\x01", body.len());
        let mut out = format!("{head}{body}").into_bytes();
        let sum = out.iter().fold(0u8, |s, b| s.wrapping_add(*b));
        out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        out
    }

    fn verdict(check: &HeaderCheck, body: &str, expected: i64, now: f64) -> bool {
        let raw = message(body);
        let mut index = FieldIndex::default();
        let parsed = parse(&raw, &mut index).expect("test messages parse");
        check.in_sequence(&parsed.fields(), expected, now)
    }

    fn check() -> HeaderCheck {
        HeaderCheck::new("FIXT.1.1", "US", Some("THEM"), Some(120.0))
    }

    const ORDER: &str = "35=D|34=7|49=THEM|56=US|52=20261207-12:00:00.000|11=A|";

    #[test]
    fn takes_the_common_message() {
        assert!(verdict(&check(), ORDER, 7, NOON));
        assert!(verdict(&check(), &ORDER.replace("|11=A", "|43=N|11=A"), 7, NOON));
        assert!(verdict(&HeaderCheck::new("FIXT.1.1", "US", None, None), &ORDER.replace("THEM", "X"), 7, 0.0));
    }

    #[test]
    fn leaves_every_other_message_to_the_full_path() {
        let c = check();
        assert!(!verdict(&c, ORDER, 8, NOON), "another MsgSeqNum");
        assert!(!verdict(&c, &ORDER.replace("35=D", "35=0"), 7, NOON), "a Heartbeat");
        assert!(!verdict(&c, &ORDER.replace("35=D", "35=A"), 7, NOON), "a Logon");
        assert!(!verdict(&c, &ORDER.replace("|11=A", "|43=Y|11=A"), 7, NOON), "PossDupFlag");
        assert!(!verdict(&c, &ORDER.replace("56=US", "56=OTHER"), 7, NOON), "TargetCompID");
        assert!(!verdict(&c, &ORDER.replace("49=THEM", "49=OTHER"), 7, NOON), "SenderCompID");
        assert!(!verdict(&c, &ORDER.replace("49=THEM|", ""), 7, NOON), "no SenderCompID");
        assert!(!verdict(&c, &ORDER.replace("34=7", "34=x"), 7, NOON), "MsgSeqNum not an int");
        assert!(!verdict(&c, &ORDER.replace("52=20261207-12:00:00.000|", ""), 7, NOON), "no SendingTime");
        assert!(!verdict(&c, &ORDER.replace(".000", ".0"), 7, NOON), "SendingTime unreadable");
        assert!(!verdict(&c, ORDER, 7, NOON + 121.0), "SendingTime too old");
        assert!(!verdict(&c, ORDER, 7, NOON - 121.0), "SendingTime too far ahead");
        assert!(!verdict(&c, ORDER, 7, f64::NAN), "no time");
        let fix44 = HeaderCheck::new("FIX.4.4", "US", Some("THEM"), Some(120.0));
        assert!(!verdict(&fix44, ORDER, 7, NOON), "BeginString");
    }

    #[test]
    fn leaves_a_sending_time_near_the_bound_to_the_full_path() {
        let c = check();
        assert!(verdict(&c, ORDER, 7, NOON + 119.998));
        assert!(!verdict(&c, ORDER, 7, NOON + 119.9995));
        assert!(!verdict(&c, ORDER, 7, NOON + 120.0));
    }

    #[test]
    fn an_unbounded_skew_checks_no_sending_time() {
        for skew in [None, Some(f64::INFINITY), Some(f64::NAN)] {
            let c = HeaderCheck::new("FIXT.1.1", "US", Some("THEM"), skew);
            assert!(verdict(&c, &ORDER.replace("52=20261207-12:00:00.000|", ""), 7, NOON));
        }
        let none = HeaderCheck::new("FIXT.1.1", "US", Some("THEM"), Some(0.0));
        assert!(!verdict(&none, ORDER, 7, NOON));
        let huge = HeaderCheck::new("FIXT.1.1", "US", Some("THEM"), Some(1e300));
        assert!(verdict(&huge, ORDER, 7, 0.0));
    }
}
