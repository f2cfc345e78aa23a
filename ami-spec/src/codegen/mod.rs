//! Generator: spec folders in, Rust modules out (`src/generated/`).
//!
//! Kept apart from the parser: it only reads [`crate::model`] values. All versions are
//! merged into one set of types; each type and field says which spec versions have it.

mod catalog;
mod emit;
mod names;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::dump::{load_spec, DumpError};
use crate::model::Spec;

/// One generated source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name inside the generated folder (`events.rs`).
    pub name: String,
    /// Its full text.
    pub content: String,
}

/// Where the spec folders are committed (`ami-spec/specs`), for messages that name it.
///
/// ```
/// let root = ami_spec::codegen::specs_dir();
/// assert!(root.join("asterisk-23.4.1").join("events.txt").is_file());
/// ```
pub fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")
}

/// The spec folders committed with the crate ([`specs_dir`]`/*`), sorted by name.
pub fn default_spec_dirs() -> io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(specs_dir())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Where the committed generated code lives (`ami-spec/src/generated`).
pub fn generated_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("generated")
}

/// Loads every folder, in the given order.
pub fn load_specs(dirs: &[PathBuf]) -> Result<Vec<Spec>, DumpError> {
    dirs.iter().map(|d| load_spec(d)).collect()
}

/// Generates the modules from parsed specs. `sources` name the inputs in the file headers
/// (`specs/asterisk-23.4.1`).
pub fn generate(specs: &[Spec], sources: &[String]) -> Vec<GeneratedFile> {
    let catalog = catalog::Catalog::build(specs);
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

/// Loads and generates from spec folders; headers name them as `specs/<folder>`.
pub fn generate_from_dirs(dirs: &[PathBuf]) -> Result<Vec<GeneratedFile>, DumpError> {
    let specs = load_specs(dirs)?;
    let mut sources: Vec<(Vec<u64>, String)> = specs
        .iter()
        .zip(dirs)
        .map(|(s, d)| {
            let folder = d.file_name().map(|n| n.to_string_lossy().into_owned());
            (
                catalog::version_key(&s.version),
                format!("specs/{}", folder.unwrap_or_default()),
            )
        })
        .collect();
    sources.sort();
    let sources: Vec<String> = sources.into_iter().map(|(_, s)| s).collect();
    Ok(generate(&specs, &sources))
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
