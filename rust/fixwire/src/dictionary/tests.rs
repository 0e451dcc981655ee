use super::*;
use crate::{FieldIndex, ParseOptions};

const XML: &str = r"<fix type='FIXT' major='1' minor='1'>
 <header>
  <field name='BeginString' required='Y'/>
  <field name='BodyLength' required='Y'/>
  <field name='MsgType' required='Y'/>
  <field name='SenderCompID' required='Y'/>
  <field name='TargetCompID' required='Y'/>
  <field name='MsgSeqNum' required='Y'/>
  <field name='SendingTime' required='Y'/>
 </header>
 <trailer><field name='CheckSum' required='Y'/></trailer>
 <messages>
  <message name='NewOrderSingle' msgtype='D' msgcat='app'>
   <field name='ClOrdID' required='Y'/>
   <field name='Side' required='Y'/>
   <field name='Price' required='N'/>
   <component name='Parties' required='N'/>
   <group name='NoMiscFees' required='N'>
    <field name='MiscFeeAmt' required='Y'/>
    <field name='MiscFeeCurr' required='Y'/>
   </group>
  </message>
 </messages>
 <components>
  <component name='Parties'>
   <group name='NoPartyIDs' required='Y'>
    <field name='PartyID' required='Y'/>
    <field name='PartyRole' required='N'/>
   </group>
  </component>
 </components>
 <fields>
  <field number='8' name='BeginString' type='STRING'/>
  <field number='9' name='BodyLength' type='LENGTH'/>
  <field number='10' name='CheckSum' type='STRING'/>
  <field number='11' name='ClOrdID' type='STRING'/>
  <field number='34' name='MsgSeqNum' type='SEQNUM'/>
  <field number='35' name='MsgType' type='STRING'><value enum='D' description='ORDER_SINGLE'/></field>
  <field number='44' name='Price' type='PRICE'/>
  <field number='49' name='SenderCompID' type='STRING'/>
  <field number='52' name='SendingTime' type='UTCTIMESTAMP'/>
  <field number='54' name='Side' type='CHAR'><value enum='1' description='BUY'/><value enum='2' description='SELL'/></field>
  <field number='56' name='TargetCompID' type='STRING'/>
  <field number='58' name='Text' type='STRING'/>
  <field number='136' name='NoMiscFees' type='NUMINGROUP'/>
  <field number='137' name='MiscFeeAmt' type='AMT'/>
  <field number='138' name='MiscFeeCurr' type='CURRENCY'/>
  <field number='448' name='PartyID' type='STRING'/>
  <field number='452' name='PartyRole' type='INT'/>
  <field number='453' name='NoPartyIDs' type='NUMINGROUP'/>
 </fields>
</fix>";

fn message(body: &str) -> Vec<u8> {
    let body = format!("35=D|49=S|56=T|34=2|52=20260820-13:45:01.123|{body}").replace('|', "\x01");
    let head = format!("8=FIXT.1.1\x019={}\x01{body}", body.len());
    let sum = crate::checksum(head.as_bytes());
    format!("{head}10={sum:03}\x01").into_bytes()
}

fn validate(dict: &Dictionary, body: &str) -> Result<(), Reject> {
    let bytes = message(body);
    let mut index = FieldIndex::new();
    index.parse(&bytes, &ParseOptions::default()).expect("test messages parse");
    dict.validate(&index.view(&bytes), ValidationOptions::default())
}

/// `parse_valid` skips the parse-time group check only where validation covers it.
#[test]
fn groups_in_body_only_without_header_or_trailer_groups() {
    assert!(Dictionary::from_xml(XML, None).unwrap().groups_in_body);
    assert!(Dictionary::kalshi().groups_in_body);
    let group =
        "<header>\n  <group name='NoMiscFees' required='N'>\n   <field name='MiscFeeAmt' required='Y'/>\n  </group>";
    let with_header_group = XML.replacen("<header>", group, 1);
    assert!(!Dictionary::from_xml(&with_header_group, None).unwrap().groups_in_body);
}

#[test]
fn loads_names_types_enums_and_groups() {
    let d = Dictionary::from_xml(XML, None).unwrap();
    assert_eq!(d.begin_string(), "FIXT.1.1");
    assert_eq!(d.tag("ClOrdID"), Some(11));
    assert_eq!(d.field(54).unwrap().describe("2"), Some("SELL"));
    assert_eq!(d.field(44).unwrap().field_type, FieldType::Decimal);
    let order = d.message("D").unwrap();
    assert_eq!(order.name, "NewOrderSingle");
    // The optional component's required group became optional.
    assert!(order.layout.iter().any(|e| matches!(e, Entry::Group { count_tag: 453, required: false, .. })));
    assert!(d.group_specs().lookup(b"D", 453).is_some());
}

#[test]
fn each_reject_reason() {
    let d = Dictionary::from_xml(XML, None).unwrap();
    assert_eq!(validate(&d, "11=a|54=1|44=0.5|453=1|448=p|452=3|136=1|137=1.5|138=USD|"), Ok(()));
    let cases = [
        ("54=1|", R::REQUIRED_TAG_MISSING, 11),
        ("11=a|54=1|453=1|452=3|448=p|", R::GROUP_FIELDS_OUT_OF_ORDER, 452),
        ("11=a|54=1|136=1|137=1.5|", R::REQUIRED_TAG_MISSING, 138),
        ("11=a|54=1|136=1|138=USD|", R::GROUP_FIELDS_OUT_OF_ORDER, 138),
        ("11=a|54=1|58=x|", R::TAG_NOT_DEFINED_FOR_MESSAGE, 58),
        ("11=a|54=1|9999=x|", R::UNDEFINED_TAG, 9999),
        ("11=a|54=3|", R::VALUE_INCORRECT, 54),
        ("11=a|54=1|44=abc|", R::INCORRECT_DATA_FORMAT, 44),
        ("11=a|11=b|54=1|", R::TAG_APPEARS_MORE_THAN_ONCE, 11),
        ("11=a|54=1|453=2|448=p|", R::INCORRECT_NUM_IN_GROUP, 453),
        ("11=a|54=1|49=X|", R::TAG_OUT_OF_ORDER, 49),
    ];
    for (body, reason, tag) in cases {
        let reject = validate(&d, body).expect_err(body);
        assert_eq!((reject.reason, reject.ref_tag), (reason, Some(tag)), "{body}: {reject}");
        assert_eq!(reject.ref_msg_type, "D");
    }
    let with_user_tag = message("11=a|54=1|9999=x|");
    let mut index = FieldIndex::new();
    index.parse(&with_user_tag, &ParseOptions::default()).unwrap();
    let lenient = ValidationOptions { allow_user_defined: true };
    assert_eq!(d.validate(&index.view(&with_user_tag), lenient), Ok(()));
}

#[test]
fn unknown_msg_type() {
    let d = Dictionary::from_xml(XML, None).unwrap();
    let bytes = message("11=a|").replace_with_msg_type();
    let mut index = FieldIndex::new();
    index.parse(&bytes, &ParseOptions::default()).unwrap();
    let reject = d.validate(&index.view(&bytes), ValidationOptions::default()).unwrap_err();
    assert_eq!((reject.reason, reject.ref_tag), (R::INVALID_MSG_TYPE, Some(35)));
}

trait WithMsgType {
    fn replace_with_msg_type(self) -> Vec<u8>;
}

impl WithMsgType for Vec<u8> {
    /// The same message with MsgType ZZ and a recomputed BodyLength and CheckSum.
    fn replace_with_msg_type(self) -> Vec<u8> {
        let text = String::from_utf8(self).unwrap();
        let body_start = text.find("35=").unwrap();
        let body_end = text.rfind("10=").unwrap();
        let body = text[body_start..body_end].replacen("35=D", "35=ZZ", 1);
        let head = format!("8=FIXT.1.1\x019={}\x01{body}", body.len());
        let sum = crate::checksum(head.as_bytes());
        format!("{head}10={sum:03}\x01").into_bytes()
    }
}

#[test]
fn formats_names_meanings_and_indented_groups() {
    let d = Dictionary::from_xml(XML, None).unwrap();
    let bytes = message("11=a|54=2|453=1|448=p|452=3|");
    let mut index = FieldIndex::new();
    index.parse(&bytes, &ParseOptions::default()).unwrap();
    let text = d.format(&index.view(&bytes));
    assert!(text.contains("   54 Side                         = 2 (SELL)\n"), "{text}");
    assert!(text.contains("    448 PartyID"), "{text}");
    assert_eq!(text.lines().count(), index.fields().len());
}

#[test]
fn formats_long_tags_control_bytes_and_nested_padding() {
    let d = Dictionary::from_xml(XML, None).unwrap();
    // RawData <96> is read by its length, so its value holds an SOH.
    let bytes = message("11=a|95=3|96=a\x01b|123456=x|453=1|448=p|452=3|");
    let mut index = FieldIndex::new();
    index.parse(&bytes, &ParseOptions::default()).unwrap();
    let text = d.format(&index.view(&bytes));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"   96 ?                            = a\\x01b"), "{text}");
    assert!(lines.contains(&"123456 ?                            = x"), "{text}");
    assert!(lines.contains(&"    448 PartyID                    = p"), "{text}");
    assert!(lines.contains(&"   35 MsgType                      = D (ORDER_SINGLE)"), "{text}");
}

#[test]
fn component_bombs_are_refused() {
    use std::fmt::Write as _;
    // Each component uses the next one twice: 2^30 entries from a few lines.
    let mut components = String::new();
    for level in 0..30 {
        let n = level + 1;
        let _ = write!(
                components,
                "<component name='C{level}'><component name='C{n}' required='N'/><component name='C{n}' required='N'/></component>",
            );
    }
    components.push_str("<component name='C30'><field name='Text' required='N'/></component>");
    let xml = XML.replace(" <components>", &format!(" <components>{components}")).replace(
        "<component name='Parties' required='N'/>",
        "<component name='Parties' required='N'/><component name='C0' required='N'/>",
    );
    let e = Dictionary::from_xml(&xml, None).unwrap_err();
    assert!(e.reason.contains("more than"), "{e}");
}

#[test]
fn malformed_documents_name_the_line() {
    let broken =
        XML.replace("<field number='44' name='Price' type='PRICE'/>", "<field number='44' name='Price' type='PRICE'>");
    let e = Dictionary::from_xml(&broken, None).unwrap_err();
    assert!(e.line.is_some() && e.reason.contains("malformed XML"), "{e}");
    let undefined = XML.replace("<field name='Side' required='Y'/>", "<field name='Sidee' required='Y'/>");
    let e = Dictionary::from_xml(&undefined, None).unwrap_err();
    assert_eq!(e.line, Some(XML.lines().position(|l| l.contains("name='Side' required")).unwrap() as u32 + 1));
    assert!(e.reason.contains("Sidee"));
}

/// FIX.4.0 and 4.1 define `char` as one or more characters (FIX.4.2 made it a single one), so
/// their CHAR fields, BeginString <8> among them in QuickFIX's FIX40.xml, read as free text.
#[test]
fn char_is_free_text_before_fix_4_2() {
    for (minor, expected) in [("0", FieldType::String), ("1", FieldType::String), ("2", FieldType::Char)] {
        let xml = XML
            .replacen("<fix type='FIXT' major='1' minor='1'>", &format!("<fix major='4' minor='{minor}'>"), 1)
            .replacen("name='BeginString' type='STRING'", "name='BeginString' type='CHAR'", 1);
        let dict = Dictionary::from_xml(&xml, None).expect("the dictionary loads");
        assert_eq!(dict.begin_string(), format!("FIX.4.{minor}"));
        assert_eq!(dict.field(8).map(|f| &f.field_type), Some(&expected), "FIX.4.{minor}");
        assert_eq!(dict.field(54).map(|f| &f.field_type), Some(&expected), "FIX.4.{minor}");
        assert_eq!(dict.field(54).map(|f| f.type_name.as_str()), Some("CHAR"));
    }
}

/// A group that lists a member twice (QuickFIX's own FIX50.xml does) loads as QuickFIX loads
/// it: the second listing is dropped, and the dictionary says so in its warnings.
#[test]
fn a_member_listed_twice_is_kept_once_with_a_warning() {
    let xml = XML.replacen(
        "<field name='MiscFeeCurr' required='Y'/>",
        "<field name='MiscFeeCurr' required='Y'/>\n    <field name='MiscFeeAmt' required='N'/>",
        1,
    );
    let dict = Dictionary::from_xml(&xml, None).expect("the dictionary loads");
    assert_eq!(dict.warnings().len(), 1);
    assert!(dict.warnings()[0].contains("group NoMiscFees lists member 137 twice"), "{:?}", dict.warnings());
    assert!(Dictionary::from_xml(XML, None).expect("loads").warnings().is_empty());
    let members = dict.group_specs();
    let spec = members.lookup(b"D", 136).expect("NoMiscFees is a group of D");
    assert_eq!(spec.members().iter().map(crate::group::Member::tag).collect::<Vec<_>>(), [137, 138]);
}

#[test]
fn groups_by_count_tag() {
    let d = Dictionary::from_xml(XML, None).unwrap();
    let fees = d.group(136, None).expect("NoMiscFees is a group of D");
    assert_eq!(fees.count_tag(), 136);
    assert_eq!(fees.members().iter().map(crate::Member::tag).collect::<Vec<_>>(), [137, 138]);
    // A group inside a component, by the message that uses it.
    assert_eq!(d.group(453, Some("D")).map(|g| g.count_tag()), Some(453));
    assert!(d.group(453, Some("8")).is_none());
    assert!(d.group(11, None).is_none());
}
