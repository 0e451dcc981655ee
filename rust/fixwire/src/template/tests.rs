use super::*;

const T: i64 = 1_787_233_501_123_000_000;

fn decimal(text: &str) -> Decimal {
    Decimal::parse(text.as_bytes()).unwrap()
}

/// A NewOrderSingle laid out as a venue's order entry would lay it out.
fn order() -> Template {
    let price =
        DecimalRule { above: Some(decimal("0")), below: Some(decimal("1")), places: Some(4), ..DecimalRule::default() };
    let quantity = DecimalRule { above: Some(decimal("0")), places: Some(2), ..DecimalRule::default() };
    Template::new(
        b"D",
        vec![
            Part::Slot(Slot::new(11, Rule::text(Some(b"abcdef0123456789-"), 8)).named("cl_ord_id")),
            Part::Slot(Slot::new(38, Rule::Decimal(quantity)).named("quantity")),
            Part::Fixed(40, b"2".to_vec()),
            Part::Slot(Slot::new(44, Rule::Decimal(price)).named("price")),
            Part::Slot(Slot::new(54, Rule::OneOf(vec![Choice::same(b"1"), Choice::same(b"2")]))),
            Part::Slot(
                Slot::new(
                    59,
                    Rule::OneOf(vec![
                        Choice { given: b"gtc".to_vec(), wire: b"1".to_vec() },
                        Choice { given: b"ioc".to_vec(), wire: b"3".to_vec() },
                    ]),
                )
                .named("time_in_force"),
            ),
            Part::Slot(Slot::new(79, Rule::Int { min: 0, max: 63 }).optional()),
            Part::Slot(Slot::new(21006, Rule::Bool).optional()),
            Part::Slot(Slot::new(126, Rule::Timestamp).optional()),
        ],
    )
    .unwrap()
}

fn body(template: &Template, values: &[Value<'_>]) -> Result<String, EncodeError> {
    let mut enc = Encoder::new("S", "T").unwrap();
    let bytes = enc.encode_template(template, values, 1, T)?;
    let text = String::from_utf8(bytes.to_vec()).unwrap().replace('\x01', "|");
    let start = text.find("52=").unwrap();
    let body = &text[start..text.rfind("10=").unwrap()];
    Ok(body[body.find('|').unwrap() + 1..].to_owned())
}

fn values<'a>(cl_ord_id: &'a [u8], quantity: Value<'a>, price: Value<'a>) -> [Value<'a>; 8] {
    let gtc = Value::Text(b"gtc");
    [Value::Text(cl_ord_id), quantity, price, Value::Int(1), gtc, Value::Absent, Value::Absent, Value::Absent]
}

#[test]
fn writes_the_fixed_fields_and_values_in_order() {
    let t = order();
    let when = UtcTimestamp::parse(b"20261124-10:00:00.000").unwrap();
    let all = [
        Value::Text(b"ab-1"),
        Value::Int(10),
        Value::Decimal(b"0.5500"),
        Value::Text(b"2"),
        Value::Text(b"ioc"),
        Value::Int(63),
        Value::Bool(true),
        Value::Timestamp(when),
    ];
    assert_eq!(
        body(&t, &all).unwrap(),
        "11=ab-1|38=10|40=2|44=0.5500|54=2|59=3|79=63|21006=Y|126=20261124-10:00:00.000|"
    );
    let some = values(b"ab-2", Value::Decimal(b"2.50"), Value::Text(b".5"));
    assert_eq!(body(&t, &some).unwrap(), "11=ab-2|38=2.50|40=2|44=0.5|54=1|59=1|");
}

#[test]
fn the_message_reads_back() {
    let t = order();
    let mut enc = Encoder::new("S", "T").unwrap();
    let bytes = enc.encode_template(&t, &values(b"ab", Value::Int(3), Value::Decimal(b"0.1")), 9, T).unwrap();
    let mut index = crate::FieldIndex::new();
    index.parse(bytes, &crate::ParseOptions::default()).unwrap();
    assert_eq!(index.view(bytes).get(34), Some(&b"9"[..]));
    assert_eq!(index.view(bytes).get(44), Some(&b"0.1"[..]));
}

#[test]
fn decimals_beyond_their_places_are_refused_and_zeros_dropped() {
    let t = order();
    let ok = values(b"a", Value::Decimal(b"1.000"), Value::Decimal(b"0.123400"));
    assert_eq!(body(&t, &ok).unwrap(), "11=a|38=1.00|40=2|44=0.1234|54=1|59=1|");
    for bad in [&b"0.."[..], b"1..0", b"0.0.0000000000000000000"] {
        let err = body(&t, &values(b"a", Value::Int(1), Value::Decimal(bad))).unwrap_err();
        assert!(err.reason.contains("not a decimal"), "{}", err.reason);
    }
    let long = values(b"a", Value::Int(1), Value::Decimal(b"0.50000000000000000000000"));
    assert_eq!(body(&t, &long).unwrap(), "11=a|38=1|40=2|44=0.5|54=1|59=1|");
    let fine = values(b"a", Value::Decimal(b"1.001"), Value::Decimal(b"0.5"));

    assert_eq!(body(&t, &fine).unwrap_err().reason, "quantity: 1.001 has more than 2 decimals");
}

#[test]
fn bounds_are_checked_by_value() {
    let t = order();
    for (price, reason) in [
        (&b"0"[..], "price: 0 is not greater than 0"),
        (b"0.0000", "price: 0.0000 is not greater than 0"),
        (b"1.00", "price: 1.00 is not less than 1"),
        (b"-0.5", "price: -0.5 is not greater than 0"),
        (b"1e-2", "price: \"1e-2\": not a decimal"),
    ] {
        let err = body(&t, &values(b"a", Value::Int(1), Value::Decimal(price))).unwrap_err();
        assert_eq!(err.reason, reason);
        assert_eq!(err.tag, Some(44));
    }
    let err = body(&t, &values(b"a", Value::Int(0), Value::Decimal(b"0.5"))).unwrap_err();
    assert_eq!(err.reason, "quantity: 0 is not greater than 0");
}

#[test]
fn text_is_held_to_its_bytes_and_length() {
    let t = order();
    for (id, reason) in [
        (&b""[..], "cl_ord_id: text is empty"),
        (b"abcdef012", "cl_ord_id: 9 bytes is longer than 8"),
        (b"ab/c", "cl_ord_id: \"ab/c\" holds a byte not allowed here (0x2f) at byte 2; allowed: - 0-9 a-f"),
        (b"ab\n", "cl_ord_id: \"ab\\n\" holds a byte not allowed here (0x0a) at byte 2; allowed: - 0-9 a-f"),
    ] {
        let err = body(&t, &values(id, Value::Int(1), Value::Int(0))).unwrap_err();
        assert_eq!(err.reason, reason);
    }
    let any = Template::new(b"D", vec![Part::Slot(Slot::new(58, Rule::text(None, 10)))]).unwrap();
    assert_eq!(body(&any, &[Value::Text("né |".as_bytes())]).unwrap(), "58=né ||");
    let soh = body(&any, &[Value::Text(b"a\x01b")]).unwrap_err();
    assert_eq!((soh.kind, soh.reason.as_str()), (Kind::SohInValue, "tag 58: value contains SOH at byte 1"));
}

#[test]
fn kinds_ranges_choices_and_absence() {
    let t = order();
    let mut v = values(b"a", Value::Int(1), Value::Decimal(b"0.5"));
    v[3] = Value::Int(3);
    assert_eq!(body(&t, &v).unwrap_err().reason, "tag 54: \"3\" is not one of \"1\", \"2\"");
    v[3] = Value::Bool(true);
    assert_eq!(body(&t, &v).unwrap_err().reason, "tag 54: expected text or an integer, not a Boolean");
    v[3] = Value::Int(2);
    v[4] = Value::Text(b"1");
    assert_eq!(body(&t, &v).unwrap_err().reason, "time_in_force: \"1\" is not one of \"gtc\", \"ioc\"");
    v[4] = Value::Text(b"ioc");
    v[5] = Value::Int(64);
    assert_eq!(body(&t, &v).unwrap_err().reason, "tag 79: 64 is not within 0 to 63");
    v[5] = Value::Text(b"1");
    assert_eq!(body(&t, &v).unwrap_err().reason, "tag 79: expected an integer, not text");
    v[5] = Value::Other("float");
    assert_eq!(body(&t, &v).unwrap_err().reason, "tag 79: expected an integer, not float");
    v[5] = Value::Absent;
    v[0] = Value::Absent;
    let err = body(&t, &v).unwrap_err();
    assert_eq!((err.kind, err.reason.as_str()), (Kind::EmptyValue, "cl_ord_id: a value is required"));
    let err = body(&t, &v[..7]).unwrap_err();
    assert_eq!(err.reason, "7 values for a template of 8 slots");
}

#[test]
fn cents_are_written_as_units() {
    let cents = DecimalRule {
        above: Some(decimal("0")),
        below: Some(decimal("1")),
        places: Some(2),
        in_units: true,
        ..DecimalRule::default()
    };
    let t = Template::new(b"D", vec![Part::Slot(Slot::new(44, Rule::Decimal(cents)))]).unwrap();
    assert_eq!(body(&t, &[Value::Decimal(b"0.55")]).unwrap(), "44=55|");
    assert_eq!(body(&t, &[Value::Decimal(b"0.0700")]).unwrap(), "44=7|");
    assert_eq!(body(&t, &[Value::Decimal(b"0.555")]).unwrap_err().reason, "tag 44: 0.555 has more than 2 decimals");
}

#[test]
fn unusable_templates_are_refused() {
    let slot = |rule| vec![Part::Slot(Slot::new(11, rule))];
    for (parts, reason) in [
        (
            vec![Part::Fixed(34, b"1".to_vec())],
            "tag 34 is part of the standard header or trailer, which the encoder writes",
        ),
        (vec![Part::Fixed(40, b"".to_vec())], "value is empty"),
        (slot(Rule::text(Some(b""), 5)), "tag 11: a text rule must admit at least one byte and a length of at least 1"),
        (slot(Rule::OneOf(vec![])), "tag 11: a choice needs at least one value"),
        (slot(Rule::Int { min: 2, max: 1 }), "tag 11: the least integer is greater than the greatest"),
        (
            slot(Rule::Decimal(DecimalRule { in_units: true, ..DecimalRule::default() })),
            "tag 11: in_units needs places",
        ),
        (
            slot(Rule::Decimal(DecimalRule { places: Some(19), ..DecimalRule::default() })),
            "tag 11: places must be at most 18, the most a decimal here carries",
        ),
    ] {
        assert_eq!(Template::new(b"D", parts).unwrap_err().reason, reason);
    }
}

#[test]
fn bounds_that_admit_nothing_and_split_characters_are_refused() {
    let d = |text: &str| Some(decimal(text));
    let decimal_slot = |rule| vec![Part::Slot(Slot::new(44, Rule::Decimal(rule)))];
    for rule in [
        DecimalRule { at_least: d("2"), at_most: d("1"), ..DecimalRule::default() },
        DecimalRule { above: d("1"), below: d("1.0"), ..DecimalRule::default() },
        DecimalRule { above: d("1"), at_most: d("1"), ..DecimalRule::default() },
    ] {
        let err = Template::new(b"D", decimal_slot(rule)).unwrap_err();
        assert_eq!(err.reason, "tag 44: the bounds admit no value");
    }
    let one = DecimalRule { at_least: d("1"), at_most: d("1.00"), ..DecimalRule::default() };
    assert!(Template::new(b"D", decimal_slot(one)).is_ok());
    let accented = vec![Part::Slot(Slot::new(58, Rule::text(Some("é".as_bytes()), 10)))];
    let err = Template::new(b"D", accented).unwrap_err();
    assert_eq!(err.reason, "tag 58: a charset holds ASCII characters only (the rule checks bytes)");
    assert!(Template::new(b"D", vec![Part::Slot(Slot::new(58, Rule::text(None, 10)))]).is_ok());
}

#[test]
fn errors_show_at_most_40_characters_of_a_value() {
    let t = Template::new(b"D", vec![Part::Slot(Slot::new(38, Rule::Int { min: 0, max: 9 }).named("qty"))]).unwrap();
    let digits = "9".repeat(100);
    let err = body(&t, &[Value::BigInt(&digits)]).unwrap_err();
    assert_eq!(err.reason, format!("qty: {}... does not fit in 64 bits", "9".repeat(40)));
    assert_eq!(ByteSet::of(b"abcxyz_-+/0123456789").describe(), "+ - / 0-9 _ a-c x-z");
    assert!(ByteSet::ANY.describe().starts_with("  ! \" #"));
    assert!(ByteSet::ANY.describe().ends_with("0-9 : ; < = > ? @ A-Z [ \\ ] ^ _ ` a-z { | } ~ and 160 other bytes"));
}

#[test]
fn data_fields_are_refused_by_the_encoder_that_has_them() {
    let raw = Template::new(b"A", vec![Part::Slot(Slot::new(96, Rule::text(None, 100)))]).unwrap();
    let err = body(&raw, &[Value::Text(b"abc")]).unwrap_err();
    assert_eq!(err.reason, "tag 96 is a data field or its length, which templates do not write");
    let length = Template::new(b"A", vec![Part::Fixed(95, b"3".to_vec())]).unwrap();
    assert_eq!(body(&length, &[]).unwrap_err().tag, Some(95));
    let mut plain = Encoder::new("S", "T").unwrap().data_fields(crate::DataFields::none());
    assert!(plain.encode_template(&raw, &[Value::Text(b"abc")], 1, T).is_ok());
}

#[test]
fn an_error_leaves_the_encoder_usable() {
    let t = order();
    let mut enc = Encoder::new("S", "T").unwrap();
    assert!(enc.encode_template(&t, &values(b"a", Value::Int(0), Value::Int(0)), 1, T).is_err());
    let good = values(b"a", Value::Int(1), Value::Decimal(b"0.5"));
    let bytes = enc.encode_template(&t, &good, 1, T).unwrap().to_vec();
    let mut index = crate::FieldIndex::new();
    index.parse(&bytes, &crate::ParseOptions::default()).unwrap();
}
