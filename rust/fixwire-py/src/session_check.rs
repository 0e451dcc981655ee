//! `HeaderCheck`: the core's `fixwire::session_check`, for the session layer's read path.

use fixwire::session_check::HeaderCheck;
use fixwire::Fields;
use pyo3::prelude::*;

use crate::message::PyMessage;

/// The check a session makes of the common inbound message, in one call.
///
/// ``in_sequence`` is True when a message is an application message carrying the expected
/// MsgSeqNum <34>, without PossDupFlag <43>=Y, whose BeginString <8>, TargetCompID <56>,
/// SenderCompID <49> and SendingTime <52> pass the session's checks: the session's full order of
/// checks would pass it too. False promises nothing (the full path decides); a SendingTime
/// within 1 ms of the allowed skew is left to it.
#[pyclass(frozen, name = "HeaderCheck", module = "fixwire")]
pub(crate) struct PyHeaderCheck {
    check: HeaderCheck,
}

#[pymethods]
impl PyHeaderCheck {
    #[new]
    #[pyo3(signature = (begin_string, sender_comp_id, target_comp_id, max_skew))]
    fn new(begin_string: &str, sender_comp_id: &str, target_comp_id: Option<&str>, max_skew: Option<f64>) -> Self {
        Self { check: HeaderCheck::new(begin_string, sender_comp_id, target_comp_id, max_skew) }
    }

    /// Whether ``message`` is the common inbound message: MsgSeqNum <34> ``expected``, the
    /// time ``now`` (seconds since the Unix epoch). A group entry is read as its whole message.
    #[pyo3(signature = (message, expected, now, /))]
    fn in_sequence(&self, py: Python<'_>, message: &Bound<'_, PyMessage>, expected: i64, now: f64) -> bool {
        let message = message.get();
        self.check.in_sequence(&Fields::new(message.bytes(py), message.message_fields()), expected, now)
    }
}
