//! Parser for the text of Asterisk's `manager show` CLI commands (nom, complete mode).
//!
//! Input is whole files; every section the CLI prints is recognised and an unknown one is
//! an error naming its line. See [`load_folder`] for a folder under `specs/`: the dumps of
//! one Asterisk version ([`load_spec`]) or observed entries ([`load_observed`]).

mod args;
mod doc;
mod error;
mod lines;
mod list;
mod syntax;

use std::fs;
use std::path::Path;

pub use error::DumpError;
pub use syntax::pattern_matches;

use crate::model::{Doc, DocFile, DocKind, Folder, NameList, Observed, Spec};

/// Runs a parser over a whole text, turning nom's error into a located [`DumpError`].
fn run<'a, T>(
    text: &'a str,
    parser: impl FnOnce(&'a str) -> lines::Res<'a, T>,
) -> Result<T, DumpError> {
    match parser(text) {
        Ok((_, value)) => Ok(value),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            Err(DumpError::at(text, e.input, e.message))
        }
        Err(nom::Err::Incomplete(_)) => Err(DumpError::at(text, "", "incomplete input".into())),
    }
}

/// Parses the output of `manager show event NAME` or `manager show command NAME`.
pub fn parse_doc(text: &str) -> Result<DocFile, DumpError> {
    run(text, doc::doc_file)
}

/// Parses the output of `manager show events`.
pub fn parse_event_list(text: &str) -> Result<NameList, DumpError> {
    run(text, list::event_table)
}

/// Parses the output of `manager show commands`.
pub fn parse_action_list(text: &str) -> Result<NameList, DumpError> {
    run(text, list::action_table)
}

/// Loads a folder under `specs/`: observed entries when it has `event/` or `action/` but no
/// `events.txt`, otherwise a version's dumps (so a missing or empty folder is an error
/// naming its `events.txt`).
pub fn load_folder(dir: &Path) -> Result<Folder, DumpError> {
    let entries = dir.join("event").is_dir() || dir.join("action").is_dir();
    if entries && !dir.join("events.txt").exists() {
        load_observed(dir).map(Folder::Observed)
    } else {
        load_spec(dir).map(Folder::Dump)
    }
}

/// Loads observed entries: `event/*.txt` and `action/*.txt` in the dump format, each with
/// an `[Observed In]` section naming the captures it was written from.
pub fn load_observed(dir: &Path) -> Result<Observed, DumpError> {
    let mut observed = Observed::default();
    for (sub, kind) in [("event", DocKind::Event), ("action", DocKind::Action)] {
        let folder = dir.join(sub);
        if !folder.exists() {
            continue;
        }
        for path in txt_files(&folder)? {
            let located = |line: usize, message: String| DumpError {
                file: Some(path.clone()),
                line,
                message,
            };
            let DocFile::Found(docs) = parse_file(&path, parse_doc)? else {
                return Err(located(
                    1,
                    "an observed entry cannot be `Could not find`".into(),
                ));
            };
            for doc in docs {
                if doc.kind != kind {
                    return Err(located(
                        1,
                        format!("{:?} {} in the {sub} folder", doc.kind, doc.name),
                    ));
                }
                if doc.observed_in.is_empty() {
                    return Err(located(
                        1,
                        format!("{} has no [Observed In] section", doc.name),
                    ));
                }
                if doc.list_condition.is_some() && kind == DocKind::Event {
                    return Err(located(
                        1,
                        format!("event {} has a [List Condition]", doc.name),
                    ));
                }
                let docs = match kind {
                    DocKind::Event => &mut observed.events,
                    DocKind::Action => &mut observed.actions,
                };
                match docs.iter_mut().find(|d| d.name == doc.name) {
                    Some(existing) => existing.merge(doc),
                    None => docs.push(doc),
                }
            }
        }
    }
    observed.events.sort_by(|a, b| a.name.cmp(&b.name));
    observed.actions.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(observed)
}

/// Loads a version's dumps: `events.txt`, `actions.txt`, `event/*.txt`, `action/*.txt`.
///
/// The version is the folder name without an `asterisk-` prefix.
pub fn load_spec(dir: &Path) -> Result<Spec, DumpError> {
    let version = dir
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let mut spec = Spec {
        version: version
            .strip_prefix("asterisk-")
            .unwrap_or(&version)
            .to_string(),
        event_list: parse_file(&dir.join("events.txt"), parse_event_list)?,
        action_list: parse_file(&dir.join("actions.txt"), parse_action_list)?,
        ..Spec::default()
    };
    for (sub, kind) in [("event", DocKind::Event), ("action", DocKind::Action)] {
        for path in txt_files(&dir.join(sub))? {
            match parse_file(&path, parse_doc)? {
                DocFile::NotFound { kind, name } => spec.not_found.push((kind, name)),
                DocFile::Found(docs) => {
                    for doc in docs {
                        add(&mut spec, kind, doc).map_err(|m| DumpError {
                            file: Some(path.clone()),
                            line: 1,
                            message: m,
                        })?;
                    }
                }
            }
        }
    }
    spec.events.sort_by(|a, b| a.name.cmp(&b.name));
    spec.actions.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(spec)
}

fn add(spec: &mut Spec, folder_kind: DocKind, doc: Doc) -> Result<(), String> {
    if !doc.observed_in.is_empty() || doc.list_condition.is_some() {
        return Err(format!(
            "{}: [Observed In] and [List Condition] belong in observed entries, not in dumps",
            doc.name
        ));
    }
    if doc.kind != folder_kind {
        return Err(format!(
            "{:?} {} in the {:?} folder",
            doc.kind, doc.name, folder_kind
        ));
    }
    let docs = match doc.kind {
        DocKind::Event => &mut spec.events,
        DocKind::Action => &mut spec.actions,
    };
    match docs.iter_mut().find(|d| d.name == doc.name) {
        Some(existing) => existing.merge(doc),
        None => docs.push(doc),
    }
    Ok(())
}

fn parse_file<T>(
    path: &Path,
    parse: impl Fn(&str) -> Result<T, DumpError>,
) -> Result<T, DumpError> {
    let text = fs::read_to_string(path).map_err(|e| DumpError {
        file: Some(path.to_path_buf()),
        line: 0,
        message: e.to_string(),
    })?;
    parse(&text).map_err(|e| e.in_file(path))
}

fn txt_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, DumpError> {
    let entries = fs::read_dir(dir).map_err(|e| DumpError {
        file: Some(dir.to_path_buf()),
        line: 0,
        message: e.to_string(),
    })?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Ok(files)
}
