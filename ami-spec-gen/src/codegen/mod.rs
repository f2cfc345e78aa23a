//! Generator: spec folders in, Rust modules out (`ami-spec/src/generated/`).
//!
//! Kept apart from the parser: it only reads [`crate::model`] values. All versions and the
//! observed entries are merged into one set of types ([`catalog`]); each type and field
//! says which spec versions have it.

pub mod catalog;
mod emit;
mod names;
pub mod rules;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::dump::{load_folder, DumpError};
use crate::model::{Folder, Observed, Spec};

pub use catalog::Catalog;

/// One generated source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name inside the generated folder (`events.rs`).
    pub name: String,
    /// Its full text.
    pub content: String,
}

/// The parsed contents of some spec folders: version dumps and observed entries.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// One per version folder, in the order given.
    pub specs: Vec<Spec>,
    /// Every observed entry, merged.
    pub observed: Observed,
    /// The folders, as `specs/<folder>`, versions oldest first, for the file headers.
    pub sources: Vec<String>,
}

/// Loads every folder: a version's dumps or observed entries (see [`load_folder`]).
pub fn load(dirs: &[PathBuf]) -> Result<Inputs, DumpError> {
    let mut inputs = Inputs::default();
    let mut sources: Vec<(Vec<u64>, String)> = Vec::new();
    for dir in dirs {
        let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let source = format!("specs/{}", folder.unwrap_or_default());
        match load_folder(dir)? {
            Folder::Dump(spec) => {
                sources.push((catalog::version_key(&spec.version), source));
                inputs.specs.push(spec);
            }
            Folder::Observed(observed) => {
                sources.push((vec![u64::MAX], source));
                for doc in observed.events {
                    merge_into(&mut inputs.observed.events, doc);
                }
                for doc in observed.actions {
                    merge_into(&mut inputs.observed.actions, doc);
                }
            }
        }
    }
    sources.sort();
    inputs.sources = sources.into_iter().map(|(_, s)| s).collect();
    Ok(inputs)
}

fn merge_into(docs: &mut Vec<crate::model::Doc>, doc: crate::model::Doc) {
    match docs.iter_mut().find(|d| d.name == doc.name) {
        Some(existing) => existing.merge(doc),
        None => docs.push(doc),
    }
}

/// Generates the modules from loaded inputs.
pub fn generate(inputs: &Inputs) -> Vec<GeneratedFile> {
    let catalog = Catalog::build(&inputs.specs, &inputs.observed);
    let sources = &inputs.sources;
    let file = |name: &str, content: String| GeneratedFile {
        name: name.to_string(),
        content,
    };
    vec![
        file("mod.rs", emit::module(&catalog, sources)),
        file("values.rs", emit::values(&catalog, sources)),
        file("events.rs", emit::events(&catalog, sources)),
        file("actions.rs", emit::actions(&catalog, sources)),
    ]
}

/// Loads and generates from spec folders.
pub fn generate_from_dirs(dirs: &[PathBuf]) -> Result<Vec<GeneratedFile>, DumpError> {
    load(dirs).map(|inputs| generate(&inputs))
}

/// Writes the files into `dir`, skipping those whose content is already the same.
/// Returns the paths written.
pub fn write_if_changed(dir: &Path, files: &[GeneratedFile]) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for f in files {
        let path = dir.join(&f.name);
        if fs::read_to_string(&path).ok().as_deref() != Some(f.content.as_str()) {
            fs::write(&path, &f.content)?;
            written.push(path);
        }
    }
    Ok(written)
}
