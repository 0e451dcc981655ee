//! Loading QuickFIX XML: fields, components flattened into message layouts, repeating groups
//! and their specs.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::compiled::Compiled;
use super::{Dictionary, DictionaryError, Entry, FieldDef, FieldType, MessageDef, TagBits};
use crate::group::{GroupSpec, GroupSpecs, Member};

/// Reads QuickFIX XML documents into a [`Dictionary`].
#[derive(Default)]
pub(super) struct Builder {
    begin_string: Option<String>,
    /// Whether the document being read is FIX.4.0 or FIX.4.1, whose `char` type is free text
    /// (a value of one or more characters; FIX.4.2 made it a single character).
    char_is_text: bool,
    /// What was accepted although the document is not quite right, one line each.
    warnings: Vec<String>,
    pub(super) fields: FxHashMap<u32, FieldDef>,
    pub(super) transport_fields: Option<FxHashMap<u32, FieldDef>>,
    by_name: HashMap<String, u32>,
    header: Option<Vec<Entry>>,
    trailer: Option<Vec<Entry>>,
    messages: HashMap<String, MessageDef>,
}

/// Component definitions of one document, by name, unresolved.
type Components<'a, 'i> = HashMap<&'a str, roxmltree::Node<'a, 'i>>;

impl Builder {
    /// Reads one document; `transport` marks the transport dictionary of a FIXT pair.
    pub(super) fn read(&mut self, xml: &str, transport: bool) -> Result<(), DictionaryError> {
        let doc = roxmltree::Document::parse(xml)
            .map_err(|e| DictionaryError { line: Some(e.pos().row), reason: format!("malformed XML: {e}") })?;
        let root = doc.root_element();
        let at = |node: roxmltree::Node<'_, '_>| Some(doc.text_pos_at(node.range().start).row);
        if root.tag_name().name() != "fix" {
            return Err(DictionaryError { line: at(root), reason: "the root element is not <fix>".into() });
        }
        let kind = root.attribute("type").unwrap_or("FIX");
        let version =
            format!("{}.{}.{}", kind, root.attribute("major").unwrap_or("?"), root.attribute("minor").unwrap_or("?"));
        if kind == "FIXT" || self.begin_string.is_none() {
            self.begin_string = Some(version);
        }
        self.char_is_text =
            kind == "FIX" && root.attribute("major") == Some("4") && matches!(root.attribute("minor"), Some("0" | "1"));
        let section = |name: &str| root.children().find(|n| n.has_tag_name(name));
        // Fields first: layouts refer to them by name.
        if let Some(fields) = section("fields") {
            for node in fields.children().filter(|n| n.has_tag_name("field")) {
                self.read_field(node).map_err(|reason| DictionaryError { line: at(node), reason })?;
            }
        }
        let components: Components<'_, '_> = section("components")
            .map(|c| {
                c.children()
                    .filter(|n| n.has_tag_name("component"))
                    .filter_map(|n| Some((n.attribute("name")?, n)))
                    .collect()
            })
            .unwrap_or_default();
        let by_name = &self.by_name;
        let warnings = &mut self.warnings;
        let mut layout = |node: roxmltree::Node<'_, '_>| layout(by_name, node, &components, true, &doc, 0, warnings);
        if let Some(h) = section("header") {
            let l = layout(h)?;
            if !l.is_empty() || self.header.is_none() {
                self.header = Some(l);
            }
        }
        if let Some(t) = section("trailer") {
            let l = layout(t)?;
            if !l.is_empty() || self.trailer.is_none() {
                self.trailer = Some(l);
            }
        }
        if let Some(messages) = section("messages") {
            let mut defined_here = std::collections::HashSet::new();
            for node in messages.children().filter(|n| n.has_tag_name("message")) {
                let attr = |name: &str| {
                    node.attribute(name).map(str::to_owned).ok_or_else(|| DictionaryError {
                        line: at(node),
                        reason: format!("<message> without a {name} attribute"),
                    })
                };
                let body = layout(node)?;
                let def = MessageDef {
                    name: attr("name")?,
                    msg_type: attr("msgtype")?,
                    category: node.attribute("msgcat").unwrap_or("app").to_owned(),
                    positions: body.iter().enumerate().map(|(i, e)| (e.tag(), i)).collect(),
                    layout: body,
                    transport,
                };
                if !defined_here.insert(def.msg_type.clone()) {
                    return Err(DictionaryError {
                        line: at(node),
                        reason: format!("MsgType {:?} is defined twice", def.msg_type),
                    });
                }
                self.messages.insert(def.msg_type.clone(), def);
            }
        }
        Ok(())
    }

    /// Adds one `<field>` definition; the error is a reason, placed by the caller (finding the
    /// line costs a scan of the document, so it is done only on error).
    fn read_field(&mut self, node: roxmltree::Node<'_, '_>) -> Result<(), String> {
        let name = node.attribute("name").ok_or("<field> without a name")?;
        let tag: u32 = node
            .attribute("number")
            .and_then(|n| n.parse().ok())
            .filter(|&t| t > 0)
            .ok_or_else(|| format!("field {name} has no valid number"))?;
        let type_name = node.attribute("type").unwrap_or("STRING").to_owned();
        let values: Vec<(String, String)> = node
            .children()
            .filter(|n| n.has_tag_name("value"))
            .filter_map(|v| {
                Some((v.attribute("enum")?.to_owned(), v.attribute("description").unwrap_or("").to_owned()))
            })
            .collect();
        if let Some(existing) = self.fields.get(&tag) {
            if existing.name != name {
                return Err(format!("tag {tag} is both {} and {name}", existing.name));
            }
        }
        if let Some(&other) = self.by_name.get(name) {
            if other != tag {
                return Err(format!("field {name} is both tag {other} and tag {tag}"));
            }
        }
        self.by_name.insert(name.to_owned(), tag);
        let field_type =
            if self.char_is_text && type_name == "CHAR" { FieldType::String } else { FieldType::from_name(&type_name) };
        let allowed = values.iter().map(|(v, _)| v.as_bytes().into()).collect();
        self.fields.insert(tag, FieldDef { tag, name: name.to_owned(), type_name, field_type, values, allowed });
        Ok(())
    }
}

/// The entries under `node`, components flattened; `required` is false inside an optional
/// component.
fn layout(
    by_name: &HashMap<String, u32>,
    node: roxmltree::Node<'_, '_>,
    components: &Components<'_, '_>,
    required: bool,
    doc: &roxmltree::Document<'_>,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Entry>, DictionaryError> {
    // Components can nest; a cycle would otherwise recurse forever.
    const MAX_DEPTH: usize = 32;
    // Components used several times each could multiply into a huge layout from a few lines.
    const MAX_ENTRIES: usize = 20_000;
    let at = |n: roxmltree::Node<'_, '_>| Some(doc.text_pos_at(n.range().start).row);
    if depth > MAX_DEPTH {
        return Err(DictionaryError { line: at(node), reason: "components nest too deeply (a cycle?)".into() });
    }
    let mut out = Vec::new();
    for child in node.children().filter(roxmltree::Node::is_element) {
        if out.len() > MAX_ENTRIES {
            return Err(DictionaryError {
                line: at(node),
                reason: format!("layout expands to more than {MAX_ENTRIES} entries"),
            });
        }
        let name = child.attribute("name").unwrap_or("");
        let child_required = required && child.attribute("required") == Some("Y");
        let tag = || {
            by_name.get(name).copied().ok_or_else(|| DictionaryError {
                line: at(child),
                reason: format!("field {name:?} is used but not defined in <fields>"),
            })
        };
        match child.tag_name().name() {
            "field" => out.push(Entry::Field { tag: tag()?, required: child_required }),
            "group" => {
                let mut layout = layout(by_name, child, components, true, doc, depth + 1, warnings)?;
                // QuickFIX's own FIX50.xml lists a member of one group twice; QuickFIX keeps the
                // first, and so does fixwire, saying so in the dictionary's warnings.
                let mut seen = FxHashSet::default();
                layout.retain(|e| {
                    let first = seen.insert(e.tag());
                    if !first {
                        let line = at(child).map_or(String::new(), |l| format!("line {l}: "));
                        warnings
                            .push(format!("{line}group {name} lists member {} twice; the second is ignored", e.tag()));
                    }
                    first
                });
                if layout.is_empty() {
                    return Err(DictionaryError { line: at(child), reason: format!("group {name} has no members") });
                }
                let delimiters = child
                    .attribute("delimiters")
                    .unwrap_or("")
                    .split_whitespace()
                    .map(|d| {
                        by_name.get(d).copied().ok_or_else(|| DictionaryError {
                            line: at(child),
                            reason: format!("delimiter {d:?} of group {name} is not a defined field"),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let count_tag = tag()?;
                // Build the group's spec now, so that a bad one is reported with its line.
                group_spec(count_tag, &layout, &delimiters)
                    .map_err(|e| DictionaryError { line: at(child), reason: e.reason })?;
                out.push(Entry::Group { count_tag, required: child_required, layout, delimiters });
            }
            "component" => {
                let definition = components.get(name).ok_or_else(|| DictionaryError {
                    line: at(child),
                    reason: format!("component {name:?} is used but not defined in <components>"),
                })?;
                out.extend(layout(by_name, *definition, components, child_required, doc, depth + 1, warnings)?);
            }
            other => return Err(DictionaryError { line: at(child), reason: format!("unexpected element <{other}>") }),
        }
    }
    if out.len() > MAX_ENTRIES {
        return Err(DictionaryError {
            line: at(node),
            reason: format!("layout expands to more than {MAX_ENTRIES} entries"),
        });
    }
    Ok(out)
}

impl Builder {
    pub(super) fn finish(self) -> Result<Dictionary, DictionaryError> {
        let header = self.header.unwrap_or_default();
        let trailer = self.trailer.unwrap_or_default();
        let mut groups = GroupSpecs::new();
        let placed: FxHashSet<u32> = header.iter().chain(&trailer).map(Entry::tag).collect();
        let mut groups_in_body = true;
        for spec in group_specs(&header)? {
            groups_in_body = false;
            groups.add(spec, None);
        }
        for def in self.messages.values() {
            for spec in group_specs(&def.layout)? {
                groups_in_body &= !touches(&spec, &placed);
                groups.add(spec, Some(&[def.msg_type.as_bytes()]));
            }
        }
        let tags = |layout: &[Entry]| layout.iter().map(Entry::tag).collect::<TagBits>();
        let transport_fields = self.transport_fields.as_ref().unwrap_or(&self.fields);
        let compiled = Compiled::new(&self.fields, transport_fields, &self.messages, [&header, &trailer], &groups);
        Ok(Dictionary {
            compiled,
            begin_string: self.begin_string.unwrap_or_default(),
            header_tags: tags(&header),
            trailer_tags: tags(&trailer),
            fields: self.fields,
            transport_fields: self.transport_fields,
            by_name: self.by_name,
            header,
            trailer,
            messages: self.messages,
            groups: Arc::new(groups),
            groups_in_body,
            warnings: self.warnings,
        })
    }
}

/// Whether `spec`'s count tag or any member, nested ones included, is in `tags`.
fn touches(spec: &GroupSpec, tags: &FxHashSet<u32>) -> bool {
    tags.contains(&spec.count_tag())
        || spec.members().iter().any(|m| match m {
            Member::Group(nested) => touches(nested, tags),
            Member::Field(tag) => tags.contains(tag),
        })
}

/// Group specs for the groups of a layout (nested ones inside their parents).
fn group_specs(layout: &[Entry]) -> Result<Vec<GroupSpec>, DictionaryError> {
    layout
        .iter()
        .filter_map(|e| match e {
            Entry::Group { count_tag, layout, delimiters, .. } => Some(group_spec(*count_tag, layout, delimiters)),
            Entry::Field { .. } => None,
        })
        .collect()
}

fn group_spec(count_tag: u32, layout: &[Entry], delimiters: &[u32]) -> Result<GroupSpec, DictionaryError> {
    let members = layout
        .iter()
        .map(|e| match e {
            Entry::Field { tag, .. } => Ok(Member::Field(*tag)),
            Entry::Group { count_tag, layout, delimiters, .. } => {
                group_spec(*count_tag, layout, delimiters).map(Member::from)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let invalid = |e: crate::InvalidGroupSpec| DictionaryError { line: None, reason: e.0 };
    let spec = GroupSpec::new(count_tag, members).map_err(invalid)?;
    if delimiters.is_empty() {
        Ok(spec)
    } else {
        spec.with_delimiters(delimiters).map_err(invalid)
    }
}
