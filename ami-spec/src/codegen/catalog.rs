//! Merges every spec folder into one version-aware catalog of events and actions.

use std::collections::BTreeMap;

use super::names::{camel, snake};
use crate::model::{Argument, Doc, DocKind, KeyPattern, Spec, SyntaxValue, ValueDoc};

/// Everything the emitter needs, merged over the spec folders.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// Spec versions, oldest first.
    pub(crate) versions: Vec<String>,
    /// Events by name.
    pub(crate) events: Vec<Item>,
    /// Actions by name.
    pub(crate) actions: Vec<Item>,
    /// Open enums shared by event fields.
    pub(crate) enums: Vec<EnumDef>,
}

/// One event or action over all versions.
#[derive(Debug, Default)]
pub(crate) struct Item {
    pub(crate) name: String,
    /// Versions whose tables list it (or document it).
    pub(crate) versions: Vec<String>,
    /// Versions whose table shows the name cut to the column width.
    pub(crate) cut_in: Vec<String>,
    /// The newest documentation.
    pub(crate) doc: Doc,
    /// `[Since]` of the newest version that prints it.
    pub(crate) since: Vec<String>,
    pub(crate) fields: Vec<Field>,
    pub(crate) families: Vec<FamilyDef>,
    /// `[List Responses]` event names (actions).
    pub(crate) list_items: Vec<String>,
    /// `[Final Response]` event name (actions).
    pub(crate) list_complete: Option<String>,
}

/// One literal header of an item.
#[derive(Debug, Default)]
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) ident: String,
    pub(crate) versions: Vec<String>,
    /// Required in every version that documents it.
    pub(crate) required: bool,
    pub(crate) arg: Option<Argument>,
    /// Documented values, union over versions.
    pub(crate) values: Vec<ValueDoc>,
    /// The open enum for its values, if it gets one.
    pub(crate) enum_type: Option<String>,
}

/// A numbered key family of an item (`ReportX...`).
#[derive(Debug, Default)]
pub(crate) struct FamilyDef {
    pub(crate) prefix: String,
    pub(crate) width: Option<usize>,
    pub(crate) ident: String,
    /// (suffix, documented key, its argument doc), in documented order.
    pub(crate) members: Vec<(String, String, Option<Argument>)>,
    pub(crate) versions: Vec<String>,
    pub(crate) required: bool,
}

/// An open enum: the documented values of one or more fields.
#[derive(Debug)]
pub(crate) struct EnumDef {
    pub(crate) name: String,
    pub(crate) values: Vec<ValueDoc>,
    /// `Item.Field` names that use it.
    pub(crate) users: Vec<String>,
}

/// Orders version strings numerically (`9.1` < `13.38.3` < `23.4.1`).
pub(crate) fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

impl Catalog {
    /// Builds the catalog; `specs` in any order.
    pub(crate) fn build(specs: &[Spec]) -> Catalog {
        let mut specs: Vec<&Spec> = specs.iter().collect();
        specs.sort_by_key(|s| version_key(&s.version));
        let mut events: BTreeMap<String, Item> = BTreeMap::new();
        let mut actions: BTreeMap<String, Item> = BTreeMap::new();
        for spec in &specs {
            for doc in &spec.actions {
                add_doc(&mut actions, doc, &spec.version);
            }
            let mut embedded: Vec<&Doc> = Vec::new();
            for action in &spec.actions {
                embedded.extend(action.list_responses.iter().chain(&action.final_response));
            }
            for doc in spec.events.iter().chain(
                embedded
                    .into_iter()
                    .filter(|d| spec.doc(DocKind::Event, &d.name).is_none()),
            ) {
                if !events
                    .get(&doc.name)
                    .is_some_and(|i| i.versions.contains(&spec.version))
                {
                    add_doc(&mut events, doc, &spec.version);
                }
            }
        }
        for spec in &specs {
            resolve_listed(&mut events, spec, DocKind::Event);
            resolve_listed(&mut actions, spec, DocKind::Action);
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
        for item in catalog.events.iter_mut().chain(catalog.actions.iter_mut()) {
            name_fields(item);
        }
        catalog.enums = assign_enums(&mut catalog.events);
        catalog
    }
}

/// Adds one version's definition of an item.
fn add_doc(items: &mut BTreeMap<String, Item>, doc: &Doc, version: &str) {
    let item = items.entry(doc.name.clone()).or_insert_with(|| Item {
        name: doc.name.clone(),
        ..Item::default()
    });
    if !item.versions.iter().any(|v| v == version) {
        item.versions.push(version.to_string());
    }
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
    item.list_items = doc
        .list_responses
        .iter()
        .map(|d| d.name.clone())
        .collect::<Vec<_>>();
    if item.list_items.is_empty() {
        item.list_items = item
            .doc
            .list_responses
            .iter()
            .map(|d| d.name.clone())
            .collect();
    }
    item.list_complete = doc
        .final_response
        .first()
        .or(item.doc.final_response.first())
        .map(|d| d.name.clone());
    for line in &doc.syntax {
        let required = line.value == SyntaxValue::Required;
        match &line.pattern {
            KeyPattern::Literal => {
                if matches!(line.value, SyntaxValue::Fixed(_)) {
                    continue;
                }
                let field = match item
                    .fields
                    .iter_mut()
                    .position(|f| f.key.eq_ignore_ascii_case(&line.key))
                {
                    Some(at) => &mut item.fields[at],
                    None => {
                        item.fields.push(Field {
                            key: line.key.clone(),
                            required: true,
                            ..Field::default()
                        });
                        item.fields.last_mut().expect("just pushed")
                    }
                };
                field.versions.push(version.to_string());
                field.required &= required;
                if let Some(arg) = doc.argument(&line.key) {
                    for v in &arg.values {
                        if !field.values.iter().any(|f| f.name == v.name) {
                            field.values.push(v.clone());
                        }
                    }
                    field.arg = Some(arg.clone());
                }
            }
            KeyPattern::Numbered {
                prefix,
                suffix,
                width,
            } => {
                let family = match item
                    .families
                    .iter_mut()
                    .position(|f| f.prefix == *prefix && f.width == *width)
                {
                    Some(at) => &mut item.families[at],
                    None => {
                        item.families.push(FamilyDef {
                            prefix: prefix.clone(),
                            width: *width,
                            required: true,
                            ..FamilyDef::default()
                        });
                        item.families.last_mut().expect("just pushed")
                    }
                };
                if !family.versions.iter().any(|v| v == version) {
                    family.versions.push(version.to_string());
                }
                family.required &= required;
                let arg = doc.argument(&line.key).cloned();
                match family.members.iter_mut().find(|m| m.0 == *suffix) {
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
    item.doc = newest;
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
        let item = items.entry(target.clone()).or_insert_with(|| Item {
            name: target.clone(),
            ..Item::default()
        });
        if !item.versions.contains(&spec.version) {
            item.versions.push(spec.version.clone());
        }
        if target != *name {
            item.cut_in.push(spec.version.clone());
        }
    }
    for item in items.values_mut() {
        item.versions.sort_by_key(|v| version_key(v));
    }
}

/// Gives fields and families unique snake_case identifiers.
fn name_fields(item: &mut Item) {
    let mut taken: Vec<String> = vec!["extra".to_string(), "wire_name".to_string()];
    let mut unique = |base: String| {
        let mut ident = base.clone();
        let mut n = 2;
        while taken.contains(&ident) {
            ident = format!("{base}_{n}");
            n += 1;
        }
        taken.push(ident.clone());
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
            if !enumerable(&field.values) {
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
            events[i].fields[f].enum_type = Some(name.clone());
        }
        defs.push(EnumDef {
            name,
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

/// A value list becomes an enum when every value has a distinct variant name.
fn enumerable(values: &[ValueDoc]) -> bool {
    let idents: Vec<String> = values.iter().map(|v| camel(&v.name)).collect();
    !values.is_empty()
        && idents.iter().all(|i| !i.is_empty() && i != "Unrecognized")
        && idents
            .iter()
            .enumerate()
            .all(|(n, i)| !idents[..n].contains(i))
        && values
            .iter()
            .all(|v| v.name.chars().all(|c| c.is_ascii_graphic() || c == ' '))
}
