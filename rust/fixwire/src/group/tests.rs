//! Tests of repeating groups: specs, checks, entries and the notes a parse keeps.

use super::*;

fn members(spec: &GroupSpec) -> Vec<u32> {
    spec.members().iter().map(Member::tag).collect()
}

#[test]
fn kalshi_groups_come_from_the_bundled_dictionary() {
    let kalshi = GroupSpecs::kalshi();
    let dictionary = crate::Dictionary::kalshi().group_specs();
    // A group of one layout applies to every message type, those the dictionary does not
    // give it (or does not know) included.
    for (msg_type, count_tag) in [(&b"8"[..], 453), (b"D", 453), (b"ZZ", 453), (b"8", 136), (b"0", 20108)] {
        assert!(kalshi.lookup(msg_type, count_tag).is_some(), "{count_tag}");
    }
    assert!(dictionary.lookup(b"ZZ", 453).is_none());
    assert_eq!(kalshi.lookup(b"8", 453), dictionary.lookup(b"8", 453));
    // Count tags whose layout differs by message type stay with their message types.
    let quote_request = kalshi.lookup(b"R", 146).unwrap();
    assert_eq!(quote_request.delimiters(), &[55, 38, 152]);
    assert_eq!(members(kalshi.lookup(b"V", 146).unwrap()), [55]);
    assert!(kalshi.lookup(b"D", 146).is_none());
    assert_eq!(kalshi.lookup(b"W", 268).unwrap().delimiters(), &[269]);
    assert_eq!(kalshi.lookup(b"X", 268).unwrap().delimiters(), &[279]);
    assert_eq!(kalshi.lookup(b"R", 146), dictionary.lookup(b"R", 146));
}

#[test]
fn entries_are_the_spans_the_check_finds_nested_groups_included() {
    let leg = GroupSpec::new(539, [524, 525].map(Member::Field)).unwrap();
    let party = GroupSpec::new(453, [Member::Field(448), Member::Field(447), Member::from(leg)]).unwrap();
    let flat = GroupSpec::new(136, [137, 138].map(Member::Field)).unwrap();
    let body = "35=8|453=3|448=A|447=D|539=2|524=x|525=1|524=y|448=B|448=C|539=1|524=z|58=t|\
                136=2|137=1|138=USD|137=2|";
    let text = body.replace('|', "\x01");
    let wire = format!("8=FIXT.1.1\x019={}\x01{text}10=000\x01", text.len()).into_bytes();
    let options = crate::ParseOptions { verify_checksum: false, ..crate::ParseOptions::default() };
    let mut index = crate::FieldIndex::new();
    index.parse(&wire, &options).unwrap();
    let msg = index.view(&wire);
    for (spec, expected) in [(&party, 3), (&flat, 2)] {
        let spans = msg.group_spans(spec).unwrap();
        let entries = msg.group_entries(spec).unwrap();
        assert_eq!(entries.len(), expected);
        let all = msg.as_slice();
        let from_spans: Vec<&[Field]> = spans.into_iter().map(|span| &all[span]).collect();
        assert_eq!(entries.map(|e| e.as_slice()).collect::<Vec<_>>(), from_spans);
    }
    assert_eq!(msg.group_entries(&GroupSpec::new(78, [79].map(Member::Field)).unwrap()).unwrap().len(), 0);
    // A group that does not match its count is refused before any entry is handed out.
    let short = wire.windows(5).position(|w| w == b"136=2").unwrap();
    let mut wrong = wire.clone();
    wrong[short + 4] = b'3';
    index.parse(&wrong, &options).unwrap();
    assert!(index.view(&wrong).group_entries(&flat).is_err());
}

/// The entries a parse's check noted come out as `Fields::group_entries` finds them, for
/// the spec it checked, an equal one, a different one and one it did not check; and a
/// message made with `from_fields` (nothing noted) reads the same.
#[test]
fn entries_noted_at_parse_time_are_those_read_again() {
    let leg = GroupSpec::new(539, [524, 525].map(Member::Field)).unwrap();
    let party = GroupSpec::new(453, [Member::Field(448), Member::Field(447), Member::from(leg)]).unwrap();
    let flat = GroupSpec::new(453, [448, 447, 452].map(Member::Field)).unwrap();
    let other_order = GroupSpec::new(453, [447, 448, 452].map(Member::Field)).unwrap();
    let misc = GroupSpec::new(136, [137, 138].map(Member::Field)).unwrap();
    let never = GroupSpec::new(78, [79].map(Member::Field)).unwrap();
    let bodies = [
        "35=8|453=2|448=A|447=D|452=3|448=B|136=1|137=1|58=t|",
        "35=8|453=2|448=A|447=D|539=1|524=x|448=B|136=1|137=1|",
        "35=8|136=2|137=1|137=2|453=1|448=A|",
        "35=8|453=1|447=D|448=A|",
        "35=8|453=0|58=t|453=1|448=A|",
        "35=8|58=t|",
    ];
    let options = |spec: &GroupSpec| {
        let mut specs = GroupSpecs::new();
        specs.add(spec.clone(), Some(&[b"8"])).add(misc.clone(), None);
        crate::ParseOptions { verify_checksum: false, groups: Some(Arc::new(specs)), ..Default::default() }
    };
    let spans = |entries: Result<GroupEntries<'_, '_>, DecodeError>| {
        entries.map(|e| e.map(|f| f.as_slice().to_vec()).collect::<Vec<_>>())
    };
    let mut index = crate::FieldIndex::new();
    let mut noted = 0;
    for body in bodies {
        let text = body.replace('|', "\x01");
        let wire = format!("8=FIXT.1.1\x019={}\x01{text}10=000\x01", text.len()).into_bytes();
        for checked in [&party, &flat, &other_order] {
            if index.parse(&wire, &options(checked)).is_err() {
                continue;
            }
            let msg = index.view(&wire);
            let plain = crate::Message::from_fields(&wire, msg.as_slice()).unwrap();
            assert!(plain.checked_groups().is_empty());
            noted += msg.checked_groups().len();
            for read in [&party, &flat, &other_order, &misc, &never, &checked.clone()] {
                let (noted, again) = (msg.group_entries(read), plain.group_entries(read));
                assert_eq!(spans(noted), spans(again), "{body} checked {checked:?} read {read:?}");
            }
        }
    }
    assert!(noted >= 10, "the parses noted {noted} groups");
    // A message parsed after them, without specs or wrong, carries none of their notes.
    let text = bodies[0].replace('|', "\x01");
    let wire = format!("8=FIXT.1.1\x019={}\x01{text}10=000\x01", text.len()).into_bytes();
    let plain_options = crate::ParseOptions { verify_checksum: false, ..Default::default() };
    index.parse(&wire, &options(&flat)).unwrap();
    assert!(!index.view(&wire).checked_groups().is_empty());
    index.parse(&wire, &plain_options).unwrap();
    assert!(index.view(&wire).checked_groups().is_empty());
    index.parse(&wire, &options(&flat)).unwrap();
    let wrong = String::from_utf8(wire.clone()).unwrap().replace("453=2", "453=3").into_bytes();
    assert!(index.parse(&wrong, &options(&flat)).is_err());
    index.parse(&wire, &plain_options).unwrap();
    assert!(index.view(&wire).checked_groups().is_empty());
}

/// The notes of one index are overwritten message after message, with the same specs each
/// time: a message with fewer groups than the one before carries only its own.
#[test]
fn notes_of_the_same_specs_are_each_messages_own() {
    let flat = GroupSpec::new(453, [448, 447, 452].map(Member::Field)).unwrap();
    let misc = GroupSpec::new(136, [137, 138].map(Member::Field)).unwrap();
    let mut specs = GroupSpecs::new();
    specs.add(flat.clone(), None).add(misc.clone(), None);
    let options = crate::ParseOptions { verify_checksum: false, groups: Some(Arc::new(specs)), ..Default::default() };
    let mut index = crate::FieldIndex::new();
    for (body, groups) in [
        ("35=8|453=2|448=A|447=D|448=B|136=1|137=1|58=t|", 2),
        ("35=8|136=2|137=1|137=2|", 1),
        ("35=8|58=t|", 0),
        ("35=8|453=1|448=C|452=3|136=1|137=9|", 2),
        ("35=8|453=3|448=A|448=B|448=C|", 1),
    ] {
        let text = body.replace('|', "\x01");
        let wire = format!("8=FIXT.1.1\x019={}\x01{text}10=000\x01", text.len()).into_bytes();
        index.parse(&wire, &options).unwrap();
        let msg = index.view(&wire);
        assert_eq!(msg.checked_groups().len(), groups, "{body}");
        let plain = crate::Message::from_fields(&wire, msg.as_slice()).unwrap();
        for spec in [&flat, &misc] {
            let noted: Vec<_> = msg.group_entries(spec).unwrap().map(|e| e.as_slice().to_vec()).collect();
            let again: Vec<_> = plain.group_entries(spec).unwrap().map(|e| e.as_slice().to_vec()).collect();
            assert_eq!(noted, again, "{body}");
        }
    }
}

/// A group whose count tag also occurs inside an earlier group: `group_entries` reads the
/// first occurrence (the nested one), not the one the parse's check noted.
#[test]
fn a_count_tag_nested_in_an_earlier_group_is_read_where_it_first_occurs() {
    let inner = GroupSpec::new(200, [201].map(Member::Field)).unwrap();
    let outer = GroupSpec::new(100, [Member::Field(101), Member::from(inner.clone())]).unwrap();
    let mut specs = GroupSpecs::new();
    specs.add(outer.clone(), None).add(inner.clone(), None);
    let options = crate::ParseOptions { verify_checksum: false, groups: Some(Arc::new(specs)), ..Default::default() };
    let body = "35=8|100=1|101=x|200=1|201=y|58=t|200=2|201=z|201=w|".replace('|', "\x01");
    let wire = format!("8=FIXT.1.1\x019={}\x01{body}10=000\x01", body.len()).into_bytes();
    let mut index = crate::FieldIndex::new();
    index.parse(&wire, &options).unwrap();
    let msg = index.view(&wire);
    assert_eq!(msg.checked_groups().len(), 2);
    let plain = crate::Message::from_fields(&wire, msg.as_slice()).unwrap();
    for spec in [&outer, &inner] {
        let noted: Vec<_> = msg.group_entries(spec).unwrap().map(|e| e.as_slice().to_vec()).collect();
        let again: Vec<_> = plain.group_entries(spec).unwrap().map(|e| e.as_slice().to_vec()).collect();
        assert_eq!(noted, again, "{}", spec.count_tag());
    }
    assert_eq!(msg.group_entries(&inner).unwrap().len(), 1);
}

#[test]
fn flat_groups_read_as_the_entry_by_entry_walk_reads_them() {
    // The same members, once flat (its own loop) and once with a nested group that never
    // occurs (the walk with `entry_end`): the same entries, end and errors on any fields.
    let members = [448, 447, 452].map(Member::Field);
    let flat = GroupSpec::new(453, members.clone()).unwrap();
    let never = GroupSpec::new(9999, [Member::Field(9998)]).unwrap();
    let walked = GroupSpec::new(453, members.into_iter().chain([Member::from(never)])).unwrap();
    let tags = [448, 447, 452, 58, 453];
    for seed in 1..4000 {
        let mut rng = crate::testing::Rng(seed);
        let count = rng.below(4);
        // Every field's value is the count (room before it for a tag, which errors name).
        let buf = format!("0123456789{count}\x01").into_bytes();
        let mut fields = vec![Field { tag: 453, start: 10, end: 11 }];
        for _ in 0..rng.below(10) {
            fields.push(Field { tag: *rng.pick(&tags), start: 10, end: 11 });
        }
        let run = Fields::new(&buf, &fields);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let fast = scan_group(run, 0, &flat, |span| a.push(span));
        let slow = scan_group(run, 0, &walked, |span| b.push(span));
        assert_eq!((fast, a), (slow, b), "{fields:?}");
    }
}

#[test]
fn the_usual_group_reads_as_scan_group_reads_it() {
    // Random fields after a count field of random value, for a flat group, one with a second
    // delimiter and one with nested groups: whenever `usual_group` answers, `scan_group` finds
    // the same end and entries; and it answers for most usual groups.
    let flat = GroupSpec::new(453, [448, 447, 452].map(Member::Field)).unwrap();
    let alone = GroupSpec::new(453, [448].map(Member::Field)).unwrap();
    let two = flat.clone().with_delimiters(&[448, 452]).unwrap();
    let nested = GroupSpec::new(453, [Member::Field(448), Member::from(alone.clone())]).unwrap();
    // Two, four and five members: the usual group's whole entries are compared unrolled for one
    // to four members and in a loop past that.
    let pair = GroupSpec::new(453, [448, 447].map(Member::Field)).unwrap();
    let four = GroupSpec::new(453, [448, 447, 452, 802].map(Member::Field)).unwrap();
    let five = GroupSpec::new(453, [448, 447, 452, 802, 523].map(Member::Field)).unwrap();
    let tags = [448, 448, 447, 452, 58, 453, 802, 523];
    let (mut answered, mut usual) = (0, 0);
    for seed in 1..20_000 {
        let mut rng = crate::testing::Rng(seed);
        let count = *rng.pick(&["0", "1", "2", "3", "4", "9", "03", "x", "-1", "12"]);
        let buf = format!("0123456789{count}\x01").into_bytes();
        let mut fields = vec![Field { tag: 453, start: 10, end: 10 + count.len() as u32 }];
        let shaped = rng.below(2) == 0;
        for _ in 0..rng.below(12) {
            let tag = if shaped { [448, 447, 452][(fields.len() - 1) % 3] } else { *rng.pick(&tags) };
            fields.push(Field { tag, start: 10, end: 11 });
        }
        if shaped {
            // Whole entries, then a field that is no member: the usual group's shape.
            fields.truncate(1 + (fields.len() - 1) / 3 * 3);
            fields.push(Field { tag: 58, start: 10, end: 11 });
        }
        let run = Fields::new(&buf, &fields);
        for spec in [&flat, &alone, &two, &nested, &pair, &four, &five] {
            let found = usual_group(run, 0, spec);
            if found == 0 {
                continue;
            }
            answered += 1;
            let mut entries = 0;
            let end = scan_group(run, 0, spec, |_| entries += 1);
            assert_eq!(end, Ok((found >> 32) as usize), "{fields:?} {spec:?}");
            assert_eq!(entries, found as u32, "{fields:?} {spec:?}");
        }
        usual += usize::from(shaped && fields.len() > 2 && count.len() == 1 && count != "0");
    }
    assert!(answered * 2 > usual, "{answered} answers for {usual} usual groups");
}

#[test]
fn a_wrong_group_is_found_wherever_it_starts() {
    // The count tags are found eight fields a step: every place in a step, and the tail.
    let mut specs = GroupSpecs::new();
    specs.add(GroupSpec::new(453, [448, 447].map(Member::Field)).unwrap(), None);
    specs.add(GroupSpec::new(20_108, [20_109].map(Member::Field)).unwrap(), None);
    let options = crate::ParseOptions { verify_checksum: false, groups: Some(Arc::new(specs)), ..Default::default() };
    let mut index = crate::FieldIndex::new();
    for before in 0..17 {
        for (group, good) in [
            ("453=2|448=P|448=Q|", true),
            ("453=3|448=P|448=Q|", false),
            ("20108=1|20109=x|", true),
            ("20108=2|20109=x|", false),
        ] {
            let body = format!("35=8|{}{group}58=t|", "1=a|".repeat(before)).replace('|', "\x01");
            let wire = format!("8=FIXT.1.1\x019={}\x01{body}10=000\x01", body.len()).into_bytes();
            let result = index.parse(&wire, &options);
            assert_eq!(result.is_ok(), good, "{before} {group}: {result:?}");
            if !good {
                assert_eq!(result.unwrap_err().kind, crate::DecodeErrorKind::BadGroupCount);
            }
        }
    }
}

/// The pre-check never refuses a count tag, whatever the tags are (below the smallest, in
/// the byte table, above it), and refuses the tags below the smallest.
#[test]
fn the_count_tag_pre_check_lets_every_count_tag_through() {
    for seed in 1..300 {
        let mut rng = crate::testing::Rng(seed);
        let mut specs = GroupSpecs::new();
        let mut counts = Vec::new();
        for _ in 0..=rng.below(5) {
            let count = [1, 63, 64, 453, 8191, 8192, 20_108][rng.below(7)] + rng.below(3) as u32;
            specs.add(GroupSpec::new(count, [Member::Field(count + 1_000_000)]).unwrap(), None);
            counts.push(count);
        }
        let min = *counts.iter().min().unwrap();
        for tag in 0..30_000 {
            if counts.contains(&tag) {
                assert!(specs.may_count(tag), "{tag} in {counts:?}");
                assert!(specs.lookup(b"8", tag).is_some(), "{tag} in {counts:?}");
            } else if tag < min {
                assert!(!specs.may_count(tag), "{tag} below {counts:?}");
            }
        }
    }
}

/// The byte table and the binary search above it find what a walk over every count tag finds,
/// for every tag below the table's end and around the count tags above it: random sets of
/// count tags, some with a layout per message type, some with more count tags than a byte
/// can place.
#[test]
fn the_count_tag_table_finds_what_a_walk_finds() {
    let types: [&[u8]; 3] = [b"8", b"W", b"AE"];
    for seed in 1..60 {
        let mut rng = crate::testing::Rng(seed);
        let mut specs = GroupSpecs::new();
        // A quarter of the sets have more count tags below the table's end than a byte places.
        let many = if rng.below(4) == 0 { 400 } else { 1 + rng.below(40) };
        let mut counts = Vec::new();
        for k in 0..many {
            let count = match if k < 300 && many == 400 { 4 } else { rng.below(4) } {
                4 => 1 + rng.below(4000) as u32,
                0 => 1 + rng.below(300) as u32,
                1 => 8180 + rng.below(30) as u32,
                2 => 20_000 + rng.below(200) as u32,
                _ => 1 + rng.below(8192) as u32,
            };
            let spec = GroupSpec::new(count, [Member::Field(1_000_000 + k as u32)]).unwrap();
            match rng.below(3) {
                0 => specs.add(spec, None),
                _ => specs.add(spec, Some(&[*rng.pick(&types)])),
            };
            counts.push(count);
        }
        let placed = counts.iter().filter(|&&c| c < GroupSpecs::TABLE_END).collect::<FxHashSet<_>>().len();
        assert!(many < 400 || placed > usize::from(u8::MAX), "{placed} count tags below the table's end");
        let above = counts.iter().filter(|&&c| c >= GroupSpecs::TABLE_END).flat_map(|&c| [c - 1, c, c + 1]);
        for tag in (0..GroupSpecs::TABLE_END + 2).chain(above) {
            for msg_type in types {
                let (table, walk) = (specs.lookup(msg_type, tag), specs.lookup_walked(msg_type, tag));
                assert_eq!(table.map(Arc::as_ptr), walk.map(Arc::as_ptr), "{tag} {msg_type:?} in {counts:?}");
            }
        }
    }
}

#[test]
fn widening_keeps_layouts_that_differ_by_message_type() {
    let spec = |members: &[u32]| GroupSpec::new(100, members.iter().map(|&t| Member::Field(t))).unwrap();
    let mut specs = GroupSpecs::new();
    specs.add(spec(&[1, 2]), Some(&[b"A"])).add(spec(&[1, 2]), Some(&[b"B"]));
    specs.add(GroupSpec::new(200, [Member::Field(3)]).unwrap(), Some(&[b"A"]));
    specs.add(GroupSpec::new(200, [Member::Field(4)]).unwrap(), Some(&[b"B"]));
    let wide = specs.widened();
    assert_eq!(members(wide.lookup(b"C", 100).unwrap()), [1, 2]);
    assert_eq!(members(wide.lookup(b"A", 200).unwrap()), [3]);
    assert_eq!(members(wide.lookup(b"B", 200).unwrap()), [4]);
    assert!(wide.lookup(b"C", 200).is_none());
}

#[test]
fn a_spec_listing_a_member_twice_is_refused_naming_the_first_repeat() {
    let nested = Arc::new(GroupSpec::new(539, [524.into(), 525.into()]).unwrap());
    let refused = |members: Vec<Member>| GroupSpec::new(453, members).unwrap_err().0;
    assert_eq!(refused(vec![448.into(), 447.into(), 448.into()]), "group 453 lists member 448 twice");
    // The first tag seen again is named, not the first one listed twice.
    assert_eq!(refused(vec![1.into(), 2.into(), 3.into(), 2.into(), 1.into()]), "group 453 lists member 2 twice");
    // A nested group is a member by its count tag.
    let twice = vec![Member::Group(nested.clone()), 448.into(), 539.into()];
    assert_eq!(refused(twice), "group 453 lists member 539 twice");
    // Large specs (a dictionary's flattened components) are checked as exactly.
    let mut wide: Vec<Member> = (1..=2_000).map(Member::from).collect();
    assert!(GroupSpec::new(453, wide.clone()).is_ok());
    wide.push(1_999.into());
    assert_eq!(refused(wide), "group 453 lists member 1999 twice");
}

/// NumInGroup is read as a number whatever its digits (one, the usual count, or more, with
/// leading zeros); a negative count, one that is not a number and one that overflows are
/// refused, naming the count field.
#[test]
fn counts_are_numbers_whatever_their_digits() {
    use crate::DecodeErrorKind::{BadGroupCount, InvalidValue};
    let spec = GroupSpec::new(453, [Member::Field(448)]).unwrap();
    for (count, expected) in [
        ("0", Ok(0_usize)),
        ("1", Ok(1)),
        ("9", Ok(9)),
        ("03", Ok(3)),
        ("12", Ok(12)),
        ("-1", Err(BadGroupCount)),
        ("-0", Ok(0)),
        ("x", Err(InvalidValue)),
        ("", Err(InvalidValue)),
        ("1x", Err(InvalidValue)),
        ("99999999999999999999", Err(InvalidValue)),
    ] {
        let buf = format!("0123456789{count}\x01").into_bytes();
        let at = Field { tag: 453, start: 10, end: 10 + count.len() as u32 };
        let entries = expected.unwrap_or(1);
        let fields: Vec<_> =
            std::iter::once(at).chain((0..entries).map(|_| Field { tag: 448, start: 0, end: 1 })).collect();
        let mut found = 0;
        let result = scan_group(Fields::new(&buf, &fields), 0, &spec, |_| found += 1);
        match expected {
            Ok(n) => assert_eq!((result.unwrap(), found), (1 + n, n), "{count}"),
            Err(kind) => {
                let error = result.unwrap_err();
                assert_eq!((error.kind, error.tag), (kind, Some(453)), "{count}");
                assert!(error.to_string().contains("NumInGroup <453>"), "{count}: {error}");
            }
        }
    }
}
