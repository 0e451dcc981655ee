//! Differential fuzzing of [`fixwire::FieldIndex::parse`] against
//! [`fixwire::FieldIndex::parse_checked_in_full`]: the single pass for the common message must
//! give the verdict of every check made in turn (the same fields, the same error) on any bytes.
//!
//! The first input byte picks the options: bit 0 verifies CheckSum <10>, bit 1 reads no data
//! fields, bit 2 checks Kalshi's repeating groups, and the high nibble, when not zero, is the
//! limit on fields. The rest is the message. Both indexes are reused across inputs, as in a loop,
//! so that fields left from an earlier message would show. A lookup of each tag of the message
//! (and of tags it lacks) must find the field a plain scan of the fields finds, and the entries
//! of each of its Kalshi groups, read through the parsed message (which may take them from the
//! parse's check), must be those a message without that check reads, its groups' verdict
//! by the usual group's loop that of the general walk, and the spec the count tag table finds
//! for each of its tags the one a walk over the count tags finds. Every value read as text
//! must give what the standard library's UTF-8 check gives (the typed reads check ASCII in
//! vector lanes), every value read as a decimal what `Decimal::parse` gives (the typed read takes
//! short ones a word at a time), and the SOH masks of the input's 64-byte blocks must be the same by every path
//! ([`MaskPath`]: AVX2 when the CPU has it, SSE2 lanes, words, one block at a time, as dispatched).
//! The walk of the body is held to its baseline build by every path this CPU runs ([`WalkPath`]:
//! BMI1 and BMI2 when the CPU has them, as dispatched): the same answer and fields.

#![no_main]

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use fixwire::{
    DataFields, Decimal, DecodeError, Field, FieldIndex, GroupEntries, GroupSpecs, MaskPath, Message, ParseOptions,
    WalkPath,
};
use libfuzzer_sys::fuzz_target;

static KALSHI: LazyLock<Arc<GroupSpecs>> = LazyLock::new(|| Arc::new(GroupSpecs::kalshi()));

thread_local! {
    static INDEXES: RefCell<(FieldIndex, FieldIndex)> = RefCell::new((FieldIndex::new(), FieldIndex::new()));
    /// Slots and masks for the walks, reused as the index reuses its own.
    static WALKS: RefCell<(Vec<Field>, Vec<u64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Every walk path's parse of `bytes` gives the baseline's answer and fields, with the slots
/// [`FieldIndex::parse`] gives.
fn walks_agree(bytes: &[u8], options: &ParseOptions) {
    WALKS.with_borrow_mut(|(slots, masks)| {
        slots.resize(bytes.len() / 3 + 5, Field { tag: 0, start: 0, end: 0 });
        let mut walk = |path: WalkPath| {
            let (count, _) = path.parse(bytes, options, slots, masks)?;
            Some(count.map(|n| slots[..n].to_vec()))
        };
        let baseline = walk(WalkPath::Baseline).expect("the baseline runs everywhere");
        for path in WalkPath::ALL {
            if let Some(fields) = walk(path) {
                assert_eq!(fields, baseline, "{path:?} walk differs from the baseline");
            }
        }
    });
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let mut options = ParseOptions { verify_checksum: pick & 1 != 0, ..ParseOptions::default() };
    if pick & 2 != 0 {
        options.data_fields = DataFields::none();
    }
    if pick & 4 != 0 {
        options.groups = Some(Arc::clone(&KALSHI));
    }
    if pick >> 4 != 0 {
        options.max_fields = usize::from(pick >> 4);
    }
    let blocks = MaskPath::Blocks.masks(bytes, fixwire::SOH);
    for path in MaskPath::ALL {
        if let Some(masks) = path.masks(bytes, fixwire::SOH) {
            assert_eq!(Some(masks), blocks, "SOH masks ({path:?}) differ");
        }
    }
    walks_agree(bytes, &options);
    INDEXES.with_borrow_mut(|(common, checked)| {
        let fast = common.parse(bytes, &options);
        let full = checked.parse_checked_in_full(bytes, &options);
        assert_eq!(fast, full, "verdicts differ");
        assert_eq!(common.fields(), checked.fields(), "fields differ");
        if fast.is_ok() {
            let msg = common.view(bytes);
            for tag in checked.fields().iter().map(|f| f.tag).chain([1, 7, 58, 1023, 1024, 5000]) {
                let scanned = checked.fields().iter().find(|f| f.tag == tag).copied();
                assert_eq!(msg.find(tag), scanned, "lookups of {tag} differ");
                let parsed = scanned.map_or(Some(None), |f| Decimal::parse(&bytes[f.range()]).ok().map(Some));
                assert_eq!(msg.get_decimal(tag).ok(), parsed, "decimals of {tag} differ");
                let text = scanned.map(|f| msg.str_at(f)).transpose();
                assert_eq!(msg.get_str(tag), text, "text of {tag} differs");
            }
            for &field in checked.fields() {
                let standard = std::str::from_utf8(&bytes[field.range()]).map_err(|e| e.valid_up_to());
                let read = msg.str_at(field).map_err(|e| e.offset - field.start as usize);
                assert_eq!(read, standard, "text of {} differs", field.tag);
            }
            let plain = Message::from_fields(bytes, checked.fields()).expect("a parsed message");
            let entries = |read: Result<GroupEntries<'_, '_>, DecodeError>| {
                read.map(|entries| entries.map(|e| e.as_slice().to_vec()).collect::<Vec<Vec<Field>>>())
            };
            let (walked, usual) = (plain.check_groups_walked(msg.msg_type(), &KALSHI), plain.check_groups(&KALSHI));
            assert_eq!(usual, walked, "group verdicts differ");
            for field in checked.fields() {
                let found = KALSHI.lookup(msg.msg_type(), field.tag);
                let walked = KALSHI.lookup_walked(msg.msg_type(), field.tag);
                assert_eq!(found.map(Arc::as_ptr), walked.map(Arc::as_ptr), "specs of {} differ", field.tag);
                if let Some(spec) = found {
                    let again = entries(plain.group_entries(spec));
                    assert_eq!(entries(msg.group_entries(spec)), again, "entries of {} differ", field.tag);
                    let equal = (**spec).clone();
                    assert_eq!(entries(msg.group_entries(&equal)), again, "entries of {} differ", field.tag);
                }
            }
        }
    });
});
