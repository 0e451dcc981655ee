//! One JSON object a line for `fixwire decode --json`.
//!
//! An object's keys are the fields' names (the tag when the dictionary does not define it), in
//! the order first met. A repeating group is a list of objects, one per entry; a tag met again
//! outside a group turns its value into a list of its values (a group's list grows by the value
//! too). Keys are kept unique: a later value replaces or joins an earlier one in its place. A
//! group is read as [`Fields::group_spans`] reads it, from the first occurrence of its count
//! tag in the run; a group that does not read is a plain field. Strings are written as Python's
//! `json.dumps(..., ensure_ascii=False)` writes them: `"` and `\` escaped, the control
//! characters below U+0020 as `\n`-style or `\u00XX` escapes, all else as it is.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::decode::{Fields, Message};
use crate::dictionary::Dictionary;
use crate::error::DecodeError;
use crate::group::GroupSpec;

/// Keys of an object past which a hash index finds them.
const LINEAR: usize = 16;

/// A value of the JSON tree of one message.
enum Value<'a> {
    Str(&'a str),
    Int(u64),
    Raw(&'a [u8]),
    List(Vec<Value<'a>>),
    Object(Object<'a>),
}

/// Keys in the order first set, each once.
#[derive(Default)]
struct Object<'a> {
    entries: Vec<(Cow<'a, str>, Value<'a>)>,
    index: FxHashMap<Cow<'a, str>, usize>,
}

impl<'a> Object<'a> {
    fn position(&self, key: &str) -> Option<usize> {
        if self.entries.len() <= LINEAR {
            self.entries.iter().position(|(k, _)| k == key)
        } else {
            self.index.get(key).copied()
        }
    }

    /// Sets `key`, in the place it already has if any.
    fn set(&mut self, key: Cow<'a, str>, value: Value<'a>) {
        match self.position(&key) {
            Some(at) => self.entries[at].1 = value,
            None => self.push(key, value),
        }
    }

    fn push(&mut self, key: Cow<'a, str>, value: Value<'a>) {
        self.entries.push((key, value));
        if self.entries.len() == LINEAR + 1 {
            self.index = self.entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect();
        } else if self.entries.len() > LINEAR + 1 {
            let (k, _) = &self.entries[self.entries.len() - 1];
            self.index.insert(k.clone(), self.entries.len() - 1);
        }
    }

    /// Adds a value of a plain field: a second value of a key makes (or grows) a list.
    fn add(&mut self, key: Cow<'a, str>, value: &'a str) {
        let Some(at) = self.position(&key) else {
            self.push(key, Value::Str(value));
            return;
        };
        let slot = &mut self.entries[at].1;
        if let Value::List(items) = slot {
            items.push(Value::Str(value));
        } else {
            let previous = std::mem::replace(slot, Value::List(Vec::new()));
            *slot = Value::List(vec![previous, Value::Str(value)]);
        }
    }
}

/// Appends `message` as one line; an error (and nothing written) when a value is not UTF-8.
pub(super) fn write(
    out: &mut Vec<u8>,
    dictionary: &Dictionary,
    source: &[u8],
    offset: u64,
    message: &Message<'_>,
) -> Result<(), DecodeError> {
    let fields = message.fields();
    for field in fields.as_slice() {
        fields.str_at(*field)?;
    }
    let msg_type = std::str::from_utf8(message.msg_type()).unwrap_or_default();
    let specs = dictionary.group_specs();
    let lookup = |tag| specs.lookup(message.msg_type(), tag).map(AsRef::as_ref);
    let mut body = Object::default();
    object(&mut body, dictionary, fields, &lookup);
    // The fields come after these three keys, and replace any of them they name.
    let mut record = Object::default();
    record.push(Cow::Borrowed("source"), Value::Raw(source));
    record.push(Cow::Borrowed("offset"), Value::Int(offset));
    record.push(Cow::Borrowed("msg_type"), Value::Str(msg_type));
    for (key, value) in body.entries {
        record.set(key, value);
    }
    write_value(out, &Value::Object(record));
    out.push(b'\n');
    Ok(())
}

/// Adds the fields of `run` (a message or a group entry) to `out`; `spec` gives the group a
/// count tag starts in this run.
fn object<'a, 's>(
    out: &mut Object<'a>,
    dictionary: &'a Dictionary,
    run: Fields<'a>,
    spec: &dyn Fn(u32) -> Option<&'s GroupSpec>,
) {
    let all = run.as_slice();
    let mut i = 0;
    while i < all.len() {
        let field = all[i];
        let key = match dictionary.field(field.tag) {
            Some(def) => Cow::Borrowed(def.name.as_str()),
            None => Cow::Owned(field.tag.to_string()),
        };
        if let Some(group) = spec(field.tag) {
            if let Ok(spans) = run.group_spans(group) {
                let mut entries = Vec::with_capacity(spans.len());
                let mut skipped = 0;
                for span in spans {
                    skipped += span.len();
                    let mut entry = Object::default();
                    let fields = Fields::new(run.buf(), &all[span]);
                    object(&mut entry, dictionary, fields, &|tag| group.nested(tag).map(AsRef::as_ref));
                    entries.push(Value::Object(entry));
                }
                out.set(key, Value::List(entries));
                i += 1 + skipped;
                continue;
            }
        }
        // Checked to be UTF-8 before the walk.
        out.add(key, run.str_at(field).unwrap_or_default());
        i += 1;
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match value {
        Value::Str(s) => write_str(out, s),
        Value::Raw(bytes) => out.extend_from_slice(bytes),
        Value::Int(n) => super::push_decimal(out, *n),
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(object) => {
            out.push(b'{');
            for (i, (key, item)) in object.entries.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                write_str(out, key);
                out.extend_from_slice(b": ");
                write_value(out, item);
            }
            out.push(b'}');
        }
    }
}

/// Writes `s` as a JSON string, escaped as `json.dumps(..., ensure_ascii=False)` escapes it.
fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => &[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_python_escapes_them() {
        let mut out = Vec::new();
        write_str(&mut out, "a\"b\\c\n\r\t\x08\x0c\x01\x1f\x7f é");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f é\"".as_bytes());
    }

    #[test]
    fn a_repeated_key_collects_its_values_in_its_first_place() {
        let mut object = Object::default();
        for i in 0..40 {
            object.add(Cow::Owned(format!("k{}", i % 20)), "v");
        }
        object.set(Cow::Borrowed("k3"), Value::Str("w"));
        let mut out = Vec::new();
        write_value(&mut out, &Value::Object(object));
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("{\"k0\": [\"v\", \"v\"], \"k1\": [\"v\", \"v\"], \"k2\": [\"v\", \"v\"], \"k3\": \"w\"")
        );
        assert_eq!(text.matches("\"k19\"").count(), 1);
    }
}
