//! `ami spec diff` on the committed folders: a folder compared with itself has no changes,
//! and 13.38.3 -> 23.4.1 reports the case-only spellings as such.

use ami_spec_gen::diff::{diff, Change};
use ami_spec_gen::dump::load_spec;
use ami_spec_gen::model::DocKind;
use ami_spec_gen::workspace::specs_dir;

#[test]
fn every_committed_folder_equals_itself() {
    for version in ["13.38.3", "23.4.1"] {
        let spec = load_spec(&specs_dir().join(format!("asterisk-{version}"))).unwrap();
        let changes = diff(&spec, &spec);
        assert!(changes.is_empty(), "{version}: {changes:?}");
    }
}

#[test]
fn case_only_changes_between_the_committed_versions() {
    let old = load_spec(&specs_dir().join("asterisk-13.38.3")).unwrap();
    let new = load_spec(&specs_dir().join("asterisk-23.4.1")).unwrap();
    let changes = diff(&old, &new);
    let overlap = Change::KeyCase(
        DocKind::Event,
        "EndpointDetail".into(),
        "Allowoverlap".into(),
        "AllowOverlap".into(),
    );
    assert!(changes.contains(&overlap), "{changes:?}");
    // Neither spelling is reported as removed or added.
    assert!(!changes.iter().any(|c| matches!(
        c,
        Change::FieldAdded(_, item, key) | Change::FieldRemoved(_, item, key)
            if item == "EndpointDetail" && key.eq_ignore_ascii_case("AllowOverlap")
    )));
    assert!(changes
        .iter()
        .any(|c| c.to_string() == "~ action MixMonitor: options -> Options (spelling: case only)"));
    // The opposite direction reports the opposite change, and nothing one-sided.
    let back = diff(&new, &old);
    assert_eq!(back.len(), changes.len());
}
