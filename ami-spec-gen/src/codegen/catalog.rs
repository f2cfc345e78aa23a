//! Merges every spec folder and the observed entries into one version-aware catalog of
//! events and actions.
//!
//! Field order is part of the generated API (accessor order, JSON key order), so it must
//! not move when a user adds a folder between two others: a type's fields follow the order
//! in which the newest folder documents them (the observed entry's order for what no
//! folder documents), and the fields the newest folder does not document come after,
//! sorted by key ignoring ASCII case. Adding any folder but a new newest one therefore
//! never moves an existing field; it can only insert new ones.

use std::collections::BTreeMap;

use super::names::{camel, snake};
use super::rules;
use crate::model::{
    Argument, Doc, DocKind, KeyPattern, ListCondition, Observed, Sighting, Spec, SyntaxValue,
    ValueDoc,
};

/// Everything the emitter needs, merged over the spec folders.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Spec versions, oldest first.
    pub versions: Vec<String>,
    /// Events, sorted by name ignoring ASCII case.
    pub events: Vec<Item>,
    /// Actions, sorted by name ignoring ASCII case.
    pub actions: Vec<Item>,
    /// Open enums shared by event fields.
    pub enums: Vec<EnumDef>,
}

/// One event or action over all versions.
#[derive(Debug, Default)]
pub struct Item {
    /// Wire name.
    pub name: String,
    /// Versions whose tables list it, whose dumps document it or whose captures show it.
    pub versions: Vec<String>,
    /// Versions whose table shows the name cut to the column width.
    pub cut_in: Vec<String>,
    /// The newest documentation (an observed entry's, when no dump documents it).
    pub doc: Doc,
    /// Whether some dump documents it (false: known from observed entries only).
    pub documented: bool,
    /// `[Since]` of the newest version that prints it.
    pub since: Vec<String>,
    /// Literal headers, in field order (see the module docs).
    pub fields: Vec<Field>,
    /// Numbered header families, in field order.
    pub families: Vec<FamilyDef>,
    /// `[List Responses]` event names (actions), documented ones first.
    pub list_items: Vec<String>,
    /// `[Final Response]` event name (actions).
    pub list_complete: Option<String>,
    /// When the answer is a list at all (actions).
    pub list_condition: Option<ListCondition>,
    /// The captures of the observed entries that describe it.
    pub observed_in: Vec<Sighting>,
    /// Keys in the order the newest folder (else the observed entry) documents them.
    base_order: Vec<String>,
}

/// One literal header of an item.
#[derive(Debug, Default)]
pub struct Field {
    /// The key as the newest folder that documents it spells it.
    pub key: String,
    /// Every spelling (they differ in ASCII case only) and the versions using it.
    pub spellings: Vec<(String, Vec<String>)>,
    /// Rust identifier of its accessor or setter.
    pub ident: String,
    /// Versions whose dumps document it.
    pub versions: Vec<String>,
    /// Whether an observed entry lists it.
    pub observed: bool,
    /// Required in every dump that documents it (in every observed entry, for a field no
    /// dump documents).
    pub required: bool,
    /// Its `[Arguments]` documentation (newest).
    pub arg: Option<Argument>,
    /// Documented values, union over versions.
    pub values: Vec<ValueDoc>,
    /// How its value is read (events).
    pub kind: FieldKind,
    /// Whether it may be sent several times (actions).
    pub repeatable: bool,
}

/// How an event accessor reads a header's value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FieldKind {
    /// As text.
    #[default]
    Text,
    /// As an integer ([`rules::is_number`]).
    Number,
    /// As the open enum of this name.
    Enum(String),
}

/// A numbered key family of an item (`ReportX...`).
#[derive(Debug, Default)]
pub struct FamilyDef {
    /// Text before the number (`Report`).
    pub prefix: String,
    /// Digits of a zero-padded number.
    pub width: Option<usize>,
    /// Rust identifier.
    pub ident: String,
    /// (suffix, documented key, its argument doc), in documented order.
    pub members: Vec<(String, String, Option<Argument>)>,
    /// Versions whose dumps document it.
    pub versions: Vec<String>,
    /// Required in every dump that documents it.
    pub required: bool,
}

/// An open enum: the documented values of one or more fields.
#[derive(Debug)]
pub struct EnumDef {
    /// Type name.
    pub name: String,
    /// The values, in documented order.
    pub values: Vec<ValueDoc>,
    /// Whether values are compared with their case ([`rules::case_sensitive`]).
    pub case_sensitive: bool,
    /// `Item.Field` names that use it.
    pub users: Vec<String>,
}

/// Orders version strings numerically (`9.1` < `13.38.3` < `23.4.1`).
pub fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

/// Every event a folder defines: its own files, then the events embedded in its actions'
/// list sections that have no file of their own.
fn folder_events<'d>(events: &'d [Doc], actions: &'d [Doc]) -> Vec<&'d Doc> {
    let mut out: Vec<&Doc> = events.iter().collect();
    for action in actions {
        for doc in action.list_responses.iter().chain(&action.final_response) {
            if !out.iter().any(|d| d.name == doc.name) {
                out.push(doc);
            }
        }
    }
    out
}

impl Catalog {
    /// Builds the catalog; `specs` in any order.
    pub fn build(specs: &[Spec], observed: &Observed) -> Catalog {
        let mut specs: Vec<&Spec> = specs.iter().collect();
        specs.sort_by_key(|s| version_key(&s.version));
        let mut events: BTreeMap<String, Item> = BTreeMap::new();
        let mut actions: BTreeMap<String, Item> = BTreeMap::new();
        for spec in &specs {
            for doc in &spec.actions {
                add_doc(&mut actions, doc, &spec.version);
            }
            for doc in folder_events(&spec.events, &spec.actions) {
                add_doc(&mut events, doc, &spec.version);
            }
        }
        // Observed list items are defined in `event/`; an action entry names them only.
        for doc in &observed.events {
            add_observed(&mut events, doc);
        }
        for doc in &observed.actions {
            add_observed(&mut actions, doc);
        }
        for spec in &specs {
            resolve_listed(&mut events, spec, DocKind::Event);
            resolve_listed(&mut actions, spec, DocKind::Action);
        }
        if let Some(newest) = specs.last() {
            let newest_events = folder_events(&newest.events, &newest.actions);
            let newest_actions: Vec<&Doc> = newest.actions.iter().collect();
            for (items, docs) in [(&mut events, newest_events), (&mut actions, newest_actions)] {
                for doc in docs {
                    if let Some(item) = items.get_mut(&doc.name) {
                        item.base_order = header_keys(doc);
                    }
                }
            }
        }
        let mut catalog = Catalog {
            versions: specs.iter().map(|s| s.version.clone()).collect(),
            events: events.into_values().collect(),
            actions: actions.into_values().collect(),
            enums: Vec::new(),
        };
        // Names are looked up ignoring ASCII case (the wire says `Newexten` where the
        // documentation says `NewExten`), so sort them that way.
        for items in [&mut catalog.events, &mut catalog.actions] {
            items.sort_by_key(|i| i.name.to_ascii_lowercase());
            let clash = items
                .windows(2)
                .find(|w| w[0].name.eq_ignore_ascii_case(&w[1].name));
            assert!(
                clash.is_none(),
                "two items differ only in case: {:?}",
                clash.map(|w| &w[0].name)
            );
        }
        let newest = catalog.versions.last().cloned();
        for item in &mut catalog.events {
            finish(item, newest.as_deref(), DocKind::Event);
        }
        for item in &mut catalog.actions {
            finish(item, newest.as_deref(), DocKind::Action);
        }
        catalog.enums = assign_enums(&mut catalog.events);
        catalog
    }
}

/// The header keys of a definition (numbered ones as documented), in documented order.
fn header_keys(doc: &Doc) -> Vec<String> {
    doc.syntax
        .iter()
        .filter(|l| !matches!(l.value, SyntaxValue::Fixed(_)))
        .map(|l| l.key.clone())
        .collect()
}

fn item_entry<'m>(items: &'m mut BTreeMap<String, Item>, name: &str) -> &'m mut Item {
    items.entry(name.to_string()).or_insert_with(|| Item {
        name: name.to_string(),
        ..Item::default()
    })
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// Adds one version's definition of an item (once per version: a list item embedded in
/// several actions is the same definition).
fn add_doc(items: &mut BTreeMap<String, Item>, doc: &Doc, version: &str) {
    let item = item_entry(items, &doc.name);
    if item.documented && item.versions.iter().any(|v| v == version) {
        return;
    }
    push_unique(&mut item.versions, version);
    item.documented = true;
    // Newer versions come later: their text wins, older text fills gaps.
    let mut newest = doc.clone();
    for (mine, old) in [
        (&mut newest.synopsis, &item.doc.synopsis),
        (&mut newest.description, &item.doc.description),
        (&mut newest.provided_by, &item.doc.provided_by),
    ] {
        if mine.is_none() {
            mine.clone_from(old);
        }
    }
    if !doc.since.is_empty() {
        item.since = doc.since.clone();
    }
    add_list_parts(item, doc, true);
    add_headers(item, doc, Some(version));
    item.doc = newest;
}

/// Adds an observed entry: its headers, its captures, and for an action its list parts.
fn add_observed(items: &mut BTreeMap<String, Item>, doc: &Doc) {
    let item = item_entry(items, &doc.name);
    for sighting in &doc.observed_in {
        push_unique(&mut item.versions, &sighting.version);
        if !item.observed_in.contains(sighting) {
            item.observed_in.push(sighting.clone());
        }
    }
    item.versions.sort_by_key(|v| version_key(v));
    add_list_parts(item, doc, false);
    if doc.list_condition.is_some() {
        item.list_condition.clone_from(&doc.list_condition);
    }
    add_headers(item, doc, None);
    if !item.documented {
        item.doc = doc.clone();
        item.base_order = header_keys(doc);
    }
}

/// Item and final events of a list action: the union of every definition's, documented
/// ones first; the documented final event wins over an observed one.
fn add_list_parts(item: &mut Item, doc: &Doc, documented: bool) {
    for d in &doc.list_responses {
        push_unique(&mut item.list_items, &d.name);
    }
    if let Some(last) = doc.final_response.first() {
        if documented || item.list_complete.is_none() {
            item.list_complete = Some(last.name.clone());
        }
    }
}

/// Adds the headers of one definition; `version` is `None` for an observed entry.
fn add_headers(item: &mut Item, doc: &Doc, version: Option<&str>) {
    for line in &doc.syntax {
        let required = line.value == SyntaxValue::Required;
        match &line.pattern {
            KeyPattern::Literal => {
                if matches!(line.value, SyntaxValue::Fixed(_)) {
                    continue;
                }
                let at = match item
                    .fields
                    .iter()
                    .position(|f| f.key.eq_ignore_ascii_case(&line.key))
                {
                    Some(at) => at,
                    None => {
                        item.fields.push(Field {
                            key: line.key.clone(),
                            required: true,
                            ..Field::default()
                        });
                        item.fields.len() - 1
                    }
                };
                let field = &mut item.fields[at];
                let label = version.unwrap_or("observed");
                match field.spellings.iter_mut().find(|(s, _)| *s == line.key) {
                    Some((_, versions)) => push_unique(versions, label),
                    None => field
                        .spellings
                        .push((line.key.clone(), vec![label.to_string()])),
                }
                match version {
                    // A key listed twice in one dump (23.4.1 RequestBadFormat `AccountID`,
                    // required then optional) is required only if both lines say so.
                    Some(v) => {
                        push_unique(&mut field.versions, v);
                        field.required &= required;
                    }
                    // An observed entry says what every capture sent; it decides for the
                    // fields no dump documents.
                    None => {
                        field.observed = true;
                        if field.versions.is_empty() {
                            field.required &= required;
                        }
                    }
                }
                if let Some(arg) = doc.argument(&line.key) {
                    for v in &arg.values {
                        if !field.values.iter().any(|f| f.name == v.name) {
                            field.values.push(v.clone());
                        }
                    }
                    if version.is_some() || field.arg.is_none() {
                        field.arg = Some(arg.clone());
                    }
                }
            }
            KeyPattern::Numbered {
                prefix,
                suffix,
                width,
            } => {
                let at = match item
                    .families
                    .iter()
                    .position(|f| f.prefix.eq_ignore_ascii_case(prefix) && f.width == *width)
                {
                    Some(at) => at,
                    None => {
                        item.families.push(FamilyDef {
                            prefix: prefix.clone(),
                            width: *width,
                            required: true,
                            ..FamilyDef::default()
                        });
                        item.families.len() - 1
                    }
                };
                let family = &mut item.families[at];
                if let Some(v) = version {
                    push_unique(&mut family.versions, v);
                }
                family.required &= required;
                let arg = doc.argument(&line.key).cloned();
                match family
                    .members
                    .iter_mut()
                    .find(|m| m.0.eq_ignore_ascii_case(suffix))
                {
                    Some(member) => {
                        if arg.is_some() {
                            member.2 = arg;
                        }
                    }
                    None => family.members.push((suffix.clone(), line.key.clone(), arg)),
                }
            }
        }
    }
}

/// Counts a listed name without its own definition in `spec` (a name the table cut to
/// its column width) for the one item whose name it starts.
fn resolve_listed(items: &mut BTreeMap<String, Item>, spec: &Spec, kind: DocKind) {
    let list = match kind {
        DocKind::Event => &spec.event_list,
        DocKind::Action => &spec.action_list,
    };
    for name in &list.names {
        if items
            .get(name)
            .is_some_and(|i| i.versions.contains(&spec.version))
        {
            continue;
        }
        let candidates: Vec<String> = items
            .keys()
            .filter(|full| list.may_be_truncated(name) && full.starts_with(name.as_str()))
            .cloned()
            .collect();
        let target = match candidates.as_slice() {
            [only] => only.clone(),
            _ => name.clone(),
        };
        let item = item_entry(items, &target);
        item.documented |= target == *name;
        push_unique(&mut item.versions, &spec.version);
        if target != *name {
            item.cut_in.push(spec.version.clone());
        }
    }
    for item in items.values_mut() {
        item.versions.sort_by_key(|v| version_key(v));
    }
}

/// Orders fields and families (module docs), picks each key's spelling, reads the rules
/// and names the fields.
fn finish(item: &mut Item, newest: Option<&str>, kind: DocKind) {
    let base = std::mem::take(&mut item.base_order);
    let position = |key: &str| base.iter().position(|b| b.eq_ignore_ascii_case(key));
    let order = |key: &str| {
        (
            position(key).unwrap_or(usize::MAX),
            key.to_ascii_lowercase(),
        )
    };
    item.fields.sort_by_cached_key(|f| order(&f.key));
    for field in &mut item.fields {
        field.key = spelling(field, newest);
        field.versions.sort_by_key(|v| version_key(v));
    }
    // A family sits where its first member is documented; members keep documented order.
    let family_at = |family: &FamilyDef| {
        let first = family
            .members
            .iter()
            .filter_map(|m| position(&m.1))
            .min()
            .unwrap_or(usize::MAX);
        (first, family.prefix.to_ascii_lowercase())
    };
    let mut families = std::mem::take(&mut item.families);
    for family in &mut families {
        family.members.sort_by_cached_key(|m| {
            (
                position(&m.1).unwrap_or(usize::MAX),
                m.0.to_ascii_lowercase(),
            )
        });
        family.versions.sort_by_key(|v| version_key(v));
    }
    families.sort_by_cached_key(family_at);
    item.families = families;
    for field in &mut item.fields {
        match kind {
            DocKind::Event if rules::is_number(field.arg.as_ref()) => {
                field.kind = FieldKind::Number
            }
            DocKind::Action => {
                field.repeatable = rules::is_repeatable(
                    &field.key,
                    field.arg.as_ref(),
                    item.doc.description.as_deref(),
                )
            }
            DocKind::Event => {}
        }
    }
    name_fields(item, kind);
}

/// The key as the newest dump that documents it spells it; an observed spelling otherwise.
fn spelling(field: &Field, newest: Option<&str>) -> String {
    let newest_version = |versions: &Vec<String>| {
        versions
            .iter()
            .filter(|v| *v != "observed")
            .map(|v| version_key(v))
            .max()
    };
    if let Some(newest) = newest {
        if let Some((s, _)) = field
            .spellings
            .iter()
            .find(|(_, vs)| vs.iter().any(|v| v == newest))
        {
            return s.clone();
        }
    }
    field
        .spellings
        .iter()
        .max_by_key(|(_, vs)| newest_version(vs))
        .map_or_else(|| field.key.clone(), |(s, _)| s.clone())
}

/// Names the generated types give their own methods; a field that would take one of these
/// names (or its `_bytes` form) is numbered instead.
fn reserved(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Event => &["as_message", "extra", "from_message"],
        // The setter `action_id` shadows `Action::action_id` on purpose: callers set it, the
        // sender reads it through the trait.
        DocKind::Action => &[
            "new",
            "header",
            "headers",
            "extra",
            "each_header",
            "name",
            "write_headers",
            "list_shape",
            "encode",
            "encode_to_vec",
        ],
    }
}

/// Gives fields and families unique snake_case identifiers: an event field takes `name`
/// and `name_bytes`, an action field `name`.
fn name_fields(item: &mut Item, kind: DocKind) {
    let mut taken: Vec<String> = reserved(kind).iter().map(|s| s.to_string()).collect();
    let mut unique = |base: String| {
        let plain = |ident: &str| ident.trim_start_matches("r#").to_string();
        let mut ident = base.clone();
        let mut n = 2;
        let clashes = |ident: &str, taken: &[String]| {
            let bytes = format!("{}_bytes", plain(ident));
            taken
                .iter()
                .any(|t| *t == plain(ident) || (kind == DocKind::Event && *t == bytes))
        };
        while clashes(&ident, &taken) {
            ident = format!("{}_{n}", plain(&base));
            n += 1;
        }
        taken.push(plain(&ident));
        if kind == DocKind::Event {
            taken.push(format!("{}_bytes", plain(&ident)));
        }
        ident
    };
    for field in &mut item.fields {
        field.ident = unique(snake(&field.key));
    }
    for family in &mut item.families {
        let base = family.prefix.trim_end_matches(['-', '(']);
        family.ident = unique(snake(base));
    }
}

/// Fields that share a value list, as (item index, field index).
type Users = Vec<(usize, usize)>;

/// Chooses the event fields that get an open enum and names the enums.
fn assign_enums(events: &mut [Item]) -> Vec<EnumDef> {
    // Value lists, keyed by their names in order; users as (item index, field index).
    let mut lists: Vec<(Vec<ValueDoc>, Users)> = Vec::new();
    for (i, item) in events.iter().enumerate() {
        for (f, field) in item.fields.iter().enumerate() {
            if !rules::enumerable(&field.values) {
                continue;
            }
            let names: Vec<&str> = field.values.iter().map(|v| v.name.as_str()).collect();
            match lists.iter_mut().find(|(values, _)| {
                values
                    .iter()
                    .map(|v| v.name.as_str())
                    .eq(names.iter().copied())
            }) {
                Some((_, users)) => users.push((i, f)),
                None => lists.push((field.values.clone(), vec![(i, f)])),
            }
        }
    }
    // Name each list after its most common key; a name two lists want is qualified by the
    // first user's item name.
    let preferred: Vec<String> = lists
        .iter()
        .map(|(_, users)| {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for &(i, f) in users {
                *counts.entry(camel(&events[i].fields[f].key)).or_default() += 1;
            }
            let best = counts.values().copied().max().unwrap_or(0);
            counts
                .into_iter()
                .filter(|(_, c)| *c == best)
                .map(|(name, _)| name)
                .min_by_key(|n| (n.len(), n.clone()))
                .unwrap_or_default()
        })
        .collect();
    let mut defs: Vec<EnumDef> = Vec::new();
    for (n, (values, users)) in lists.into_iter().enumerate() {
        let clash = preferred.iter().filter(|p| **p == preferred[n]).count() > 1;
        let mut name = if clash {
            let (i, _) = users[0];
            format!("{}{}", camel(&events[i].name), preferred[n])
        } else {
            preferred[n].clone()
        };
        while defs.iter().any(|d| d.name == name) {
            name.push('_');
        }
        for &(i, f) in &users {
            events[i].fields[f].kind = FieldKind::Enum(name.clone());
        }
        defs.push(EnumDef {
            name,
            case_sensitive: rules::case_sensitive(&values),
            values,
            users: users
                .iter()
                .map(|&(i, f)| format!("{}.{}", events[i].name, events[i].fields[f].key))
                .collect(),
        });
    }
    defs.sort_by(|a, b| a.name.cmp(&b.name));
    defs
}
