//! Where this workspace keeps ami-spec's inputs and output: the generator is a tool of
//! the workspace it is built in, and `ami spec` works on these folders by default.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// `ami-spec/` of the workspace this crate was built in.
fn ami_spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("ami-spec")
}

/// The folder holding the spec folders (`ami-spec/specs`).
///
/// ```
/// let root = ami_spec_gen::workspace::specs_dir();
/// assert!(root.join("asterisk-23.4.1").join("events.txt").is_file());
/// ```
pub fn specs_dir() -> PathBuf {
    ami_spec_dir().join("specs")
}

/// The committed spec folders (`ami-spec/specs/*`: every version and `observed`), sorted by
/// name.
pub fn spec_dirs() -> io::Result<Vec<PathBuf>> {
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
    ami_spec_dir().join("src").join("generated")
}
