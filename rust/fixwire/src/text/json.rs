//! One JSON object a line for `fixwire decode --json`.
//!
//! An object's keys are the fields' names (the tag when the dictionary does not define it), in
//! the order first met. A repeating group is a list of objects, one per entry; a tag met again
//! outside a group turns its value into a list of its values (a group's list grows by the value
//! too, and a group met again adds its entries to the list). Keys are kept unique: a later value
//! joins an earlier one in its place. A group is read as [`Fields::group_spans`] reads it, from
//! the occurrence of its count tag at hand (so each occurrence shows its own entries, as
//! [`Dictionary::format`] shows them); a group that does not read is a plain field. Strings are
//! written as Python's `json.dumps(..., ensure_ascii=False)` writes them: `"` and `\` escaped,
//! the control characters below U+0020 as `\n`-style or `\u00XX` escapes, all else as it is.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::decode::{Fields, Message};
use crate::dictionary::Dictionary;
use crate::error::{DecodeError, DecodeErrorKind};
use crate::group::GroupSpec;

/// Entries of an object past which a hash index finds a tag's entry.
const LINEAR: usize = 32;
/// The keys every record starts with.
const RECORD_KEYS: [&str; 3] = ["source", "offset", "msg_type"];

/// What [`write()`] needs of a dictionary besides its names and groups.
#[derive(Debug, Default)]
pub(super) struct Keys {
    /// Tags whose key another tag's key, or a record key, may equal: a name two fields share,
    /// a name that is a number (the key of that tag when undefined), `source` and the like.
    /// Keys are found by tag, and by text for these.
    shared: FxHashSet<u32>,
}

impl Keys {
    pub(super) fn new(dictionary: &Dictionary) -> Self {
        let mut by_name: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        for def in dictionary.fields() {
            by_name.entry(def.name.as_str()).or_default().push(def.tag);
        }
        let mut shared = FxHashSet::default();
        for (name, tags) in by_name {
            let number = name.parse::<u32>().ok().filter(|n| n.to_string() == name);
            if tags.len() > 1 || number.is_some() || RECORD_KEYS.contains(&name) {
                shared.extend(tags);
                shared.extend(number);
            }
        }
        Self { shared }
    }
}

/// A key: a field's name, or its tag when the dictionary does not define it.
#[derive(Clone, Copy)]
enum Key<'a> {
    Name(&'a str),
    Tag(u32),
}

impl Key<'_> {
    fn is(self, text: &str) -> bool {
        match self {
            Key::Name(name) => name == text,
            Key::Tag(tag) => text.parse::<u32>().is_ok_and(|n| n == tag && n.to_string() == text),
        }
    }

    fn same(self, other: Key<'_>) -> bool {
        match other {
            Key::Name(name) => self.is(name),
            Key::Tag(tag) => self.is(&tag.to_string()),
        }
    }
}

/// A value of the JSON tree of one message.
enum Value<'a> {
    Str(&'a str),
    Int(u64),
    Raw(&'a [u8]),
    List(Vec<Value<'a>>),
    Object(Object<'a>),
}

/// An entry of an object: the tag it came from (0 for a record key), its key, its value.
struct Entry<'a> {
    tag: u32,
    key: Key<'a>,
    value: Value<'a>,
}

/// Keys in the order first set, each once.
#[derive(Default)]
struct Object<'a> {
    entries: Vec<Entry<'a>>,
    /// Tag to entry, once there are more than [`LINEAR`] entries.
    index: FxHashMap<u32, usize>,
}

impl<'a> Object<'a> {
    /// The entry with the key of `tag` (`key`): found by tag, or by text when it may be shared.
    fn position(&self, tag: u32, key: Key<'_>, keys: &Keys) -> Option<usize> {
        if keys.shared.contains(&tag) {
            return self.entries.iter().position(|e| e.key.same(key));
        }
        if self.entries.len() <= LINEAR {
            self.entries.iter().position(|e| e.tag == tag)
        } else {
            self.index.get(&tag).copied()
        }
    }

    fn push(&mut self, tag: u32, key: Key<'a>, value: Value<'a>) {
        self.entries.push(Entry { tag, key, value });
        let n = self.entries.len();
        if n == LINEAR + 1 {
            // Later duplicates of a tag are never entries of their own: the first wins.
            self.index = self.entries.iter().enumerate().rev().map(|(i, e)| (e.tag, i)).collect();
        } else if n > LINEAR + 1 {
            self.index.entry(tag).or_insert(n - 1);
        }
    }

    /// Adds the entries of a group: a key met again collects them in its place, after what it
    /// holds (a value before them, or the entries of the same group met before).
    fn join(&mut self, tag: u32, key: Key<'a>, entries: Vec<Value<'a>>, keys: &Keys) {
        let Some(at) = self.position(tag, key, keys) else {
            self.push(tag, key, Value::List(entries));
            return;
        };
        let slot = &mut self.entries[at].value;
        if let Value::List(items) = slot {
            items.extend(entries);
        } else {
            let previous = std::mem::replace(slot, Value::List(Vec::new()));
            let mut items = vec![previous];
            items.extend(entries);
            *slot = Value::List(items);
        }
    }

    /// Adds a value of a plain field: a second value of a key makes (or grows) a list.
    fn add(&mut self, tag: u32, key: Key<'a>, value: &'a str, keys: &Keys) {
        let Some(at) = self.position(tag, key, keys) else {
            self.push(tag, key, Value::Str(value));
            return;
        };
        let slot = &mut self.entries[at].value;
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
    keys: &Keys,
    source: &[u8],
    offset: u64,
    message: &Message<'_>,
) -> Result<(), DecodeError> {
    let fields = message.fields();
    // Tags, '=' and separators are ASCII, so the message is UTF-8 exactly when every value is,
    // and each value is then a slice of it.
    let Ok(text) = std::str::from_utf8(message.as_bytes()) else {
        for field in fields.as_slice() {
            fields.str_at(*field)?;
        }
        return Err(DecodeError::new(DecodeErrorKind::InvalidUtf8, 0, None, "value is not valid UTF-8"));
    };
    let msg_type = std::str::from_utf8(message.msg_type()).unwrap_or_default();
    let specs = dictionary.group_specs();
    let lookup = |tag| specs.lookup(message.msg_type(), tag).map(AsRef::as_ref);
    let mut record = Object::default();
    record.push(0, Key::Name(RECORD_KEYS[0]), Value::Raw(source));
    record.push(0, Key::Name(RECORD_KEYS[1]), Value::Int(offset));
    record.push(0, Key::Name(RECORD_KEYS[2]), Value::Str(msg_type));
    let mut body = Object::default();
    object(&mut body, dictionary, keys, text, fields, &lookup);
    // The fields come after the record's keys, and replace any of them they name.
    for entry in body.entries {
        let named = keys.shared.contains(&entry.tag);
        match RECORD_KEYS.iter().position(|k| named && entry.key.is(k)) {
            Some(at) => record.entries[at].value = entry.value,
            None => record.entries.push(entry),
        }
    }
    write_value(out, &Value::Object(record));
    out.push(b'\n');
    Ok(())
}

/// Adds the fields of `run` (a message or a group entry; its values slices of `text`) to
/// `out`; `spec` gives the group a count tag starts in this run.
fn object<'a, 's>(
    out: &mut Object<'a>,
    dictionary: &'a Dictionary,
    keys: &Keys,
    text: &'a str,
    run: Fields<'a>,
    spec: &dyn Fn(u32) -> Option<&'s GroupSpec>,
) {
    let all = run.as_slice();
    let mut i = 0;
    while i < all.len() {
        let field = all[i];
        let tag = field.tag;
        let key = dictionary.field(tag).map_or(Key::Tag(tag), |def| Key::Name(def.name.as_str()));
        if let Some(group) = spec(tag) {
            // Read from this occurrence of the count tag: a count tag met again starts a group
            // of its own, with its own entries.
            let rest = Fields::new(run.buf(), &all[i..]);
            if let Ok(spans) = rest.group_spans(group) {
                let mut entries = Vec::with_capacity(spans.len());
                let mut skipped = 0;
                for span in spans {
                    skipped += span.len();
                    let mut entry = Object::default();
                    let fields = Fields::new(run.buf(), &rest.as_slice()[span]);
                    let nested = |tag| group.nested(tag).map(AsRef::as_ref);
                    object(&mut entry, dictionary, keys, text, fields, &nested);
                    entries.push(Value::Object(entry));
                }
                out.join(tag, key, entries, keys);
                i += 1 + skipped;
                continue;
            }
        }
        // Values start after '=' and end before a separator: both are char boundaries.
        out.add(tag, key, text.get(field.range()).unwrap_or_default(), keys);
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
            for (i, entry) in object.entries.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                match entry.key {
                    Key::Name(name) => write_str(out, name),
                    Key::Tag(tag) => {
                        out.push(b'"');
                        super::push_decimal(out, u64::from(tag));
                        out.push(b'"');
                    }
                }
                out.extend_from_slice(b": ");
                write_value(out, &entry.value);
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
    // Most text needs no escape: one pass that the compiler can vectorise says so.
    let special = |b: u8| u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\');
    if bytes.iter().fold(0, |any, &b| any | special(b)) == 0 {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
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
        let keys = Keys::default();
        let mut object = Object::default();
        for i in 0..80 {
            object.add(i % 40, Key::Tag(i % 40), "v", &keys);
        }
        object.join(3, Key::Tag(3), vec![Value::Str("w")], &keys);
        object.join(80, Key::Tag(80), vec![Value::Str("x")], &keys);
        object.join(80, Key::Tag(80), vec![Value::Str("y")], &keys);
        let mut out = Vec::new();
        write_value(&mut out, &Value::Object(object));
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "{\"0\": [\"v\", \"v\"], \"1\": [\"v\", \"v\"], \"2\": [\"v\", \"v\"], \"3\": [\"v\", \"v\", \"w\"]"
        ));
        assert!(text.ends_with("\"80\": [\"x\", \"y\"]}"));
        assert_eq!(text.matches("\"39\"").count(), 1);
    }

    #[test]
    fn shared_keys_are_one_key() {
        let mut keys = Keys::default();
        keys.shared.extend([7, 58, 59]);
        let mut object = Object::default();
        object.add(58, Key::Name("Text"), "a", &keys);
        object.add(59, Key::Name("Text"), "b", &keys);
        object.add(7, Key::Name("58"), "c", &keys);
        let mut out = Vec::new();
        write_value(&mut out, &Value::Object(object));
        assert_eq!(out, br#"{"Text": ["a", "b"], "58": "c"}"#);
    }
}
