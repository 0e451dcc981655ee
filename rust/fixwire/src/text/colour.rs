//! Colours for [`Dictionary::format`](crate::Dictionary::format)'s lines, as `fixwire decode`
//! has always written them.
//!
//! Each line (split where Python's `str.splitlines` splits, so a value holding U+2028 is two
//! lines) is read as `indent tag name padding "= " value [" (" meaning ")"]`: the indent is the
//! leading white space, the tag a run of decimal digits followed by one space, the name a run
//! without white space, the padding a run of white space followed by `= `; the meaning is the
//! text between the last `(` and a closing `)` at the very end, when it holds no other
//! parenthesis and a space comes before the `(`. A line of any other shape is written as it is.
//! White space and digits are Unicode's, as Python's `re` module reads `\s` and `\d` in text.

/// Bold, and what ends every colour.
pub(super) const BOLD: &str = "\x1b[1m";
pub(super) const RESET: &str = "\x1b[0m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const GREEN: &str = "\x1b[32m";

/// Appends `text`'s lines, coloured, each ending in `\n`.
pub(super) fn colour_lines(text: &str, out: &mut Vec<u8>) {
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut any = false;
    while i < bytes.len() {
        let width = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
            b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1e => 1,
            // U+0085
            0xc2 if bytes.get(i + 1) == Some(&0x85) => 2,
            // U+2028, U+2029
            0xe2 if bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        colour_line(&text[start..i], out);
        out.push(b'\n');
        any = true;
        i += width;
        start = i;
    }
    if start < bytes.len() {
        colour_line(&text[start..], out);
        out.push(b'\n');
    } else if !any {
        out.push(b'\n');
    }
}

/// Appends one line, coloured when it has the shape of a field's line.
fn colour_line(line: &str, out: &mut Vec<u8>) {
    match split_line(line) {
        None => out.extend_from_slice(line.as_bytes()),
        Some(parts) => {
            for piece in [
                parts.indent,
                DIM,
                parts.tag,
                RESET,
                " ",
                CYAN,
                parts.name,
                RESET,
                parts.padding,
                "= ",
                BOLD,
                parts.value,
                RESET,
            ] {
                out.extend_from_slice(piece.as_bytes());
            }
            if let Some(meaning) = parts.meaning {
                for piece in [" ", GREEN, "(", meaning, ")", RESET] {
                    out.extend_from_slice(piece.as_bytes());
                }
            }
        }
    }
}

/// The pieces of a field's line.
#[derive(Debug, PartialEq, Eq)]
struct Parts<'a> {
    indent: &'a str,
    tag: &'a str,
    name: &'a str,
    padding: &'a str,
    value: &'a str,
    meaning: Option<&'a str>,
}

/// The length of the run of `line`'s leading characters for which `test` holds.
fn run(line: &str, test: impl Fn(char) -> bool) -> usize {
    line.char_indices().find(|&(_, c)| !test(c)).map_or(line.len(), |(i, _)| i)
}

fn split_line(line: &str) -> Option<Parts<'_>> {
    let (indent, rest) = line.split_at(run(line, is_space));
    let (tag, rest) = rest.split_at(run(rest, is_decimal));
    let rest = rest.strip_prefix(' ').filter(|_| !tag.is_empty())?;
    let (name, rest) = rest.split_at(run(rest, |c| !is_space(c)));
    let (padding, rest) = rest.split_at(run(rest, is_space));
    if name.is_empty() || padding.is_empty() {
        return None;
    }
    let rest = rest.strip_prefix("= ")?;
    let meaning = rest.strip_suffix(')').and_then(|inner| {
        let open = inner.rfind('(')?;
        let meaning = &inner[open + 1..];
        (!meaning.contains(')') && inner[..open].ends_with(' ')).then(|| (open - 1, meaning))
    });
    let (value, meaning) = match meaning {
        Some((end, meaning)) => (&rest[..end], Some(meaning)),
        None => (rest, None),
    };
    Some(Parts { indent, tag, name, padding, value, meaning })
}

/// White space as Python's `str.isspace` has it: Unicode's, and the four separators
/// U+001C-U+001F.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// A decimal digit (Unicode category Nd), as Python's `str.isdecimal` has it.
fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    let c = u32::from(c);
    let at = DECIMAL_RANGES.partition_point(|&(_, last)| last < c);
    DECIMAL_RANGES.get(at).is_some_and(|&(first, _)| first <= c)
}

/// The non-ASCII decimal digits (Unicode 14.0, category Nd) as inclusive ranges, in order.
const DECIMAL_RANGES: [(u32, u32); 61] = [
    (0x660, 0x669),
    (0x6F0, 0x6F9),
    (0x7C0, 0x7C9),
    (0x966, 0x96F),
    (0x9E6, 0x9EF),
    (0xA66, 0xA6F),
    (0xAE6, 0xAEF),
    (0xB66, 0xB6F),
    (0xBE6, 0xBEF),
    (0xC66, 0xC6F),
    (0xCE6, 0xCEF),
    (0xD66, 0xD6F),
    (0xDE6, 0xDEF),
    (0xE50, 0xE59),
    (0xED0, 0xED9),
    (0xF20, 0xF29),
    (0x1040, 0x1049),
    (0x1090, 0x1099),
    (0x17E0, 0x17E9),
    (0x1810, 0x1819),
    (0x1946, 0x194F),
    (0x19D0, 0x19D9),
    (0x1A80, 0x1A89),
    (0x1A90, 0x1A99),
    (0x1B50, 0x1B59),
    (0x1BB0, 0x1BB9),
    (0x1C40, 0x1C49),
    (0x1C50, 0x1C59),
    (0xA620, 0xA629),
    (0xA8D0, 0xA8D9),
    (0xA900, 0xA909),
    (0xA9D0, 0xA9D9),
    (0xA9F0, 0xA9F9),
    (0xAA50, 0xAA59),
    (0xABF0, 0xABF9),
    (0xFF10, 0xFF19),
    (0x104A0, 0x104A9),
    (0x10D30, 0x10D39),
    (0x11066, 0x1106F),
    (0x110F0, 0x110F9),
    (0x11136, 0x1113F),
    (0x111D0, 0x111D9),
    (0x112F0, 0x112F9),
    (0x11450, 0x11459),
    (0x114D0, 0x114D9),
    (0x11650, 0x11659),
    (0x116C0, 0x116C9),
    (0x11730, 0x11739),
    (0x118E0, 0x118E9),
    (0x11950, 0x11959),
    (0x11C50, 0x11C59),
    (0x11D50, 0x11D59),
    (0x11DA0, 0x11DA9),
    (0x16A60, 0x16A69),
    (0x16AC0, 0x16AC9),
    (0x16B50, 0x16B59),
    (0x1D7CE, 0x1D7FF),
    (0x1E140, 0x1E149),
    (0x1E2F0, 0x1E2F9),
    (0x1E950, 0x1E959),
    (0x1FBF0, 0x1FBF9),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_line_splits_into_its_pieces() {
        let parts = split_line("   54 Side                         = 1 (Buy)").unwrap();
        assert_eq!(
            parts,
            Parts {
                indent: "   ",
                tag: "54",
                name: "Side",
                padding: "                         ",
                value: "1",
                meaning: Some("Buy")
            }
        );
    }

    #[test]
    fn a_value_ending_in_parentheses_reads_as_a_meaning() {
        let parts = split_line("   58 Text = a (b) (c)").unwrap();
        assert_eq!((parts.value, parts.meaning), ("a (b)", Some("c")));
        let parts = split_line("   58 Text = a (b)c)").unwrap();
        assert_eq!((parts.value, parts.meaning), ("a (b)c)", None));
        let parts = split_line("   58 Text = (c)").unwrap();
        assert_eq!((parts.value, parts.meaning), ("(c)", None));
        let parts = split_line("   58 Text =  ()").unwrap();
        assert_eq!((parts.value, parts.meaning), ("", Some("")));
    }

    #[test]
    fn other_lines_are_not_split() {
        for line in ["", "x", "58 Text= a", "58 Text = ", " Text = a", "58  Text = a"] {
            if line == "58 Text = " {
                assert_eq!(split_line(line).unwrap().value, "");
                continue;
            }
            assert_eq!(split_line(line), None, "{line:?}");
        }
    }

    #[test]
    fn digits_and_spaces_are_unicode() {
        assert!(is_decimal('\u{663}') && is_decimal('\u{1FBF9}') && !is_decimal('\u{1FBFA}') && !is_decimal('x'));
        assert!(is_space('\u{3000}') && is_space('\u{1f}') && !is_space('\u{200b}'));
        let parts = split_line("\u{3000}\u{663}1 N\u{a0}= v").unwrap();
        assert_eq!((parts.indent, parts.tag, parts.padding), ("\u{3000}", "\u{663}1", "\u{a0}"));
    }

    #[test]
    fn lines_split_where_python_splits_them() {
        let mut out = Vec::new();
        colour_lines("a\u{2028}b\r\nc\u{85}d", &mut out);
        assert_eq!(out, b"a\nb\nc\nd\n");
        out.clear();
        colour_lines("", &mut out);
        assert_eq!(out, b"\n");
    }
}
