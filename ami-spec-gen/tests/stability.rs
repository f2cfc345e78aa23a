//! Adding a spec folder between the others (a user regenerating for their own Asterisk)
//! moves no existing field: every existing type keeps its fields, their order, their
//! spellings and names, so its accessors and its JSON keys stay as they were.

use std::fs;
use std::path::{Path, PathBuf};

use ami_spec_gen::codegen::catalog::{Catalog, Item};
use ami_spec_gen::codegen::{generate, load};
use ami_spec_gen::dump::parse_doc;
use ami_spec_gen::model::{DocFile, NameList, Observed, Spec};
use ami_spec_gen::workspace::spec_dirs;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// A temporary `specs/` holding the shipped folders and a copy of `source` named
/// `asterisk-<version>`.
fn workspace_with_copy(source: &str, version: &str) -> (PathBuf, Vec<PathBuf>) {
    let root = std::env::temp_dir().join(format!(
        "ami-spec-gen-stability-{}-{version}-{source}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&root);
    let mut dirs = Vec::new();
    for dir in spec_dirs().unwrap() {
        let target = root.join(dir.file_name().unwrap());
        copy_dir(&dir, &target);
        if dir.ends_with(format!("asterisk-{source}")) {
            let copy = root.join(format!("asterisk-{version}"));
            copy_dir(&dir, &copy);
            dirs.push(copy);
        }
        dirs.push(target);
    }
    dirs.sort();
    (root, dirs)
}

/// Each field as `key ident` (spelling and accessor name), then each family, in order.
fn fields(item: &Item) -> Vec<String> {
    let mut out: Vec<String> = item
        .fields
        .iter()
        .map(|f| format!("{} {}", f.key, f.ident))
        .collect();
    out.extend(
        item.families
            .iter()
            .map(|f| format!("{}N {}", f.prefix, f.ident)),
    );
    out
}

/// Every existing item keeps its fields in order; new fields may only be inserted.
fn assert_stable(before: &Catalog, after: &Catalog, what: &str) {
    let mut compared = 0;
    for (old, new) in [
        (&before.events, &after.events),
        (&before.actions, &after.actions),
    ] {
        for item in old.iter() {
            let now = new
                .iter()
                .find(|i| i.name == item.name)
                .unwrap_or_else(|| panic!("{what}: {} is gone", item.name));
            let was = fields(item);
            let kept: Vec<String> = fields(now)
                .into_iter()
                .filter(|f| was.contains(f))
                .collect();
            assert_eq!(kept, was, "{what}: {} changed its fields", item.name);
            compared += 1;
        }
    }
    assert!(compared > 350, "{compared} items");
}

/// The `event_type!` line of each event (its JSON keys, in order) in the generated text.
fn layouts(events_rs: &str) -> Vec<(String, String)> {
    events_rs
        .lines()
        .filter_map(|l| l.strip_prefix("crate::typed::event_type!("))
        .map(|rest| {
            let (ty, keys) = rest.split_once(", ").unwrap();
            (ty.to_string(), keys.to_string())
        })
        .collect()
}

#[test]
fn a_copied_folder_in_the_middle_moves_no_field() {
    let shipped = load(&spec_dirs().unwrap()).unwrap();
    let before = Catalog::build(&shipped.specs, &shipped.observed);
    let before_layouts = layouts(&events_rs(&shipped));
    for (source, version) in [
        ("13.38.3", "20.0.0"),
        ("23.4.1", "20.0.0"),
        ("23.4.1", "1.0.0"),
    ] {
        let (root, dirs) = workspace_with_copy(source, version);
        let inputs = load(&dirs).unwrap();
        assert_eq!(inputs.specs.len(), shipped.specs.len() + 1);
        let after = Catalog::build(&inputs.specs, &inputs.observed);
        let what = format!("{source} copied as {version}");
        assert_stable(&before, &after, &what);
        // The generated layouts, which give each event's JSON keys, are the same text.
        let after_layouts = layouts(&events_rs(&inputs));
        assert_eq!(before_layouts, after_layouts, "{what}");
        let _ = fs::remove_dir_all(root);
    }
}

fn events_rs(inputs: &ami_spec_gen::codegen::Inputs) -> String {
    generate(inputs)
        .into_iter()
        .find(|f| f.name == "events.rs")
        .unwrap()
        .content
}

fn spec(version: &str, syntax: &[&str]) -> Spec {
    let text = format!(
        "Event: E\n[Synopsis]\nx\n\n[Syntax]\nEvent: E\n{}\n",
        syntax.join("\n")
    );
    let DocFile::Found(events) = parse_doc(&text).unwrap() else {
        panic!()
    };
    Spec {
        version: version.into(),
        event_list: NameList {
            names: vec!["E".into()],
            ..NameList::default()
        },
        events,
        ..Spec::default()
    }
}

fn keys(specs: &[Spec]) -> Vec<String> {
    let catalog = Catalog::build(specs, &Observed::default());
    catalog.events[0]
        .fields
        .iter()
        .map(|f| f.key.clone())
        .collect()
}

#[test]
fn field_order_follows_the_newest_folder_then_the_alphabet() {
    let old = spec("13.0.0", &["A: <value>", "Gone: <value>"]);
    let new = spec("23.0.0", &["A: <value>", "X: <value>", "Y: <value>"]);
    assert_eq!(keys(&[old.clone(), new.clone()]), ["A", "X", "Y", "Gone"]);
    // A middle folder that documents the newest's fields in another order, and a field of
    // its own, moves nothing: its own field goes among those the newest lacks.
    let middle = spec(
        "20.0.0",
        &["Y: <value>", "A: <value>", "Mid: <value>", "X: <value>"],
    );
    assert_eq!(keys(&[old, middle, new]), ["A", "X", "Y", "Gone", "Mid"]);
    // Keys differing only in case are one field, spelled as the newest folder spells it.
    let older = spec("13.0.0", &["Allowoverlap: <value>"]);
    let newer = spec("23.0.0", &["AllowOverlap: <value>"]);
    let catalog = Catalog::build(&[older, newer], &Observed::default());
    let field = &catalog.events[0].fields[0];
    assert_eq!(
        (field.key.as_str(), field.ident.as_str()),
        ("AllowOverlap", "allow_overlap")
    );
    assert_eq!(field.spellings.len(), 2);
    assert_eq!(catalog.events[0].fields.len(), 1);
}
