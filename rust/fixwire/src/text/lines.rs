//! [`Dictionary::format`]: a message as text, one field a line, as `fixwire decode` prints it.

use std::borrow::Cow;

use crate::decode::{Field, Fields, Message};
use crate::dictionary::Dictionary;
use crate::group::GroupSpec;

impl Dictionary {
    /// The message as text, one field a line: tag, name, value and the value's meaning, with
    /// group entries indented.
    pub fn format(&self, msg: &Message<'_>) -> String {
        let all = msg.fields();
        // About 40 bytes of name and padding per field come on top of its bytes on the wire.
        let mut out = Vec::with_capacity(all.buf().len() + 40 * all.len());
        self.format_into(msg, &mut out);
        // Every piece written is text (names, and values read as UTF-8), so this never copies.
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// [`format`](Self::format), appended to `out` as UTF-8 (so that a log is formatted into
    /// one buffer).
    pub fn format_into(&self, msg: &Message<'_>, out: &mut Vec<u8>) {
        let msg_type = msg.msg_type();
        let all = msg.fields();
        let mut i = 0;
        while i < all.len() {
            i = self.format_from(out, all, i, msg_type, None, 0);
        }
    }

    /// Formats the field at `i` (a group with all its entries); returns the next position.
    fn format_from(
        &self,
        out: &mut Vec<u8>,
        run: Fields<'_>,
        i: usize,
        msg_type: &[u8],
        parent: Option<&GroupSpec>,
        depth: usize,
    ) -> usize {
        let field = run.as_slice()[i];
        self.format_line(out, run, field, depth);
        let spec = match parent {
            Some(p) => p.nested(field.tag).cloned(),
            None => self.groups().lookup(msg_type, field.tag).cloned(),
        };
        let Some(spec) = spec else { return i + 1 };
        let rest = Fields::new(run.buf(), &run.as_slice()[i..]);
        let Ok(spans) = rest.group_spans(&spec) else { return i + 1 };
        let mut end = i + 1;
        for span in spans {
            let entry = Fields::new(run.buf(), &rest.as_slice()[span.clone()]);
            let mut j = 0;
            while j < entry.len() {
                j = self.format_from(out, entry, j, msg_type, Some(&spec), depth + 1);
            }
            end = i + span.end;
        }
        end
    }

    fn format_line(&self, out: &mut Vec<u8>, run: Fields<'_>, field: Field, depth: usize) {
        /// Spaces to pad a name with; names are padded to at most 28 characters.
        const SPACES: &[u8; 28] = b"                            ";
        let raw = &run.buf()[field.range()];
        let def = self.field(field.tag);
        let name = def.map_or("?", |d| d.name.as_str());
        // Written piece by piece rather than through `write!`, whose padding goes a character at
        // a time: `fixwire decode` formats every field of a log this way.
        for _ in 0..depth {
            out.extend_from_slice(b"  ");
        }
        // The tag right-aligned in five columns (longer tags take more).
        let digits = field.tag.checked_ilog10().map_or(1, |n| n as usize + 1);
        out.extend_from_slice(&SPACES[..5usize.saturating_sub(digits)]);
        super::push_decimal(out, u64::from(field.tag));
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        let width = 28usize.saturating_sub(2 * depth);
        let chars = if name.is_ascii() { name.len() } else { name.chars().count() };
        out.extend_from_slice(&SPACES[..width.saturating_sub(chars).min(SPACES.len())]);
        out.extend_from_slice(b" = ");
        // Printable ASCII, most values, is written as it is. Anything else is read as UTF-8
        // (invalid bytes as U+FFFD); data fields may hold SOH and other control bytes, which are
        // shown, not emitted.
        let printable = raw.iter().all(|&b| (0x20..0x7f).contains(&b));
        let read;
        let value: &[u8] = if printable {
            out.extend_from_slice(raw);
            raw
        } else {
            read = lossy_escaped(raw, out);
            &read
        };
        if let Some(meaning) = def.and_then(|d| d.values.iter().find(|(v, _)| v.as_bytes() == value)) {
            out.extend_from_slice(b" (");
            out.extend_from_slice(meaning.1.as_bytes());
            out.push(b')');
        }
        out.push(b'\n');
    }
}

/// Writes `raw` as UTF-8 (invalid bytes as U+FFFD) with control characters as `\xNN`; returns
/// the text read (unescaped), which enum meanings are looked up by.
fn lossy_escaped<'a>(raw: &'a [u8], out: &mut Vec<u8>) -> Cow<'a, [u8]> {
    let value = String::from_utf8_lossy(raw);
    for c in value.chars() {
        if c.is_control() {
            // Control characters are below U+00A0: two hex digits.
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let code = u32::from(c) as usize;
            out.extend_from_slice(&[b'\\', b'x', HEX[code >> 4 & 15], HEX[code & 15]]);
        } else {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
    match value {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}
