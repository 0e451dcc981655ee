//! The quick reader's walk over a message body before the SOH masks, a field at a time with
//! [`quick_field`]: kept (for tests and the differential fuzz target only) to hold the masked
//! walk to the same results.

use super::{quick_field, QuickReader};

impl QuickReader<'_> {
    /// Reads the body's fields from `pos` to `trailer` one after the other.
    pub(in crate::columns) fn body_bytewise(&mut self, msg: &[u8], mut pos: usize, trailer: usize) -> Option<()> {
        let mut count = 3;
        while pos < trailer {
            let field = quick_field(msg, pos).filter(|f| f.end < trailer)?;
            self.take(&mut count, field.tag, field.start, field.end)?;
            pos = field.end + 1;
        }
        Some(())
    }
}
