//! `ami spec`: regenerate the typed events/actions from spec folders, and compare two
//! folders.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ami_spec_gen::codegen::{generate_from_dirs, write_if_changed};
use ami_spec_gen::diff::LEGEND;
use ami_spec_gen::dump::{self, DumpError};
use ami_spec_gen::workspace::{generated_dir, spec_dirs, specs_dir};

use crate::exit::{self, Error, Exit};

/// Work with the `manager show` dumps behind ami-spec's typed events and actions
#[derive(Debug, clap::Args)]
#[command(after_help = exit::HELP)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Parse spec folders and write the merged Rust types
    ///
    /// Parse the spec folders (default: every ami-spec/specs/ folder: the asterisk-*
    /// dumps and the observed entries) and write the merged types to
    /// ami-spec/src/generated (or DIR); files whose content did not change are left alone.
    #[command(verbatim_doc_comment, after_help = exit::HELP)]
    Generate {
        /// Write the generated files here instead of ami-spec/src/generated
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Spec folders, each holding the `manager show` dumps of one Asterisk version, or
        /// observed entries
        #[arg(value_name = "SPEC_DIR")]
        dirs: Vec<PathBuf>,
    },
    /// What changed from spec A to spec B
    ///
    /// Events, actions, headers, required/optional, spellings and documented values added
    /// (+), removed (-) or changed (~) from spec A to spec B; names and keys compare
    /// ignoring ASCII case, so a case-only change is reported as a change of spelling. A
    /// and B are folders or versions of the committed folders (e.g. `ami spec diff
    /// 13.38.3 23.4.1`). The output starts with the legend of its signs.
    #[command(verbatim_doc_comment, after_help = exit::HELP)]
    Diff {
        /// The older spec: a folder or a committed version
        #[arg(value_name = "A")]
        a: String,
        /// The newer spec: a folder or a committed version
        #[arg(value_name = "B")]
        b: String,
    },
}

/// Runs `ami spec`.
pub fn run(args: Args) -> Result<Exit, Error> {
    match args.command {
        Command::Generate { out, dirs } => generate(out.unwrap_or_else(generated_dir), dirs),
        Command::Diff { a, b } => diff(&a, &b),
    }
}

fn generate(out: PathBuf, mut dirs: Vec<PathBuf>) -> Result<Exit, Error> {
    if dirs.is_empty() {
        dirs = committed_dirs()?;
    }
    let files = generate_from_dirs(&dirs).map_err(dump_error)?;
    let written =
        write_if_changed(&out, &files).map_err(|e| Error::io("write to", quoted(&out), e))?;
    let mut stdout = io::stdout().lock();
    for path in &written {
        writeln!(stdout, "wrote {}", path.display()).map_err(Error::output)?;
    }
    writeln!(
        stdout,
        "{} of {} files changed in {}",
        written.len(),
        files.len(),
        out.display()
    )
    .map_err(Error::output)?;
    Ok(Exit::Success)
}

fn diff(a: &str, b: &str) -> Result<Exit, Error> {
    let a = dump::load_spec(&spec_dir(a)?).map_err(dump_error)?;
    let b = dump::load_spec(&spec_dir(b)?).map_err(dump_error)?;
    let changes = ami_spec_gen::diff::diff(&a, &b);
    let mut out = io::BufWriter::new(io::stdout().lock());
    for line in LEGEND.lines() {
        writeln!(out, "# {line}").map_err(Error::output)?;
    }
    for change in &changes {
        writeln!(out, "{change}").map_err(Error::output)?;
    }
    writeln!(
        out,
        "{} changes from {} to {}",
        changes.len(),
        a.version,
        b.version
    )
    .and_then(|()| out.flush())
    .map_err(Error::output)?;
    Ok(Exit::Success)
}

/// The committed spec folders (`ami-spec/specs/*`).
fn committed_dirs() -> Result<Vec<PathBuf>, Error> {
    spec_dirs().map_err(|e| Error::io("read", quoted(&specs_dir()), e))
}

/// A folder, or the committed folder of a version (`23.4.1` -> `specs/asterisk-23.4.1`).
fn spec_dir(arg: &str) -> Result<PathBuf, Error> {
    let path = Path::new(arg);
    if path.is_dir() {
        return Ok(path.to_path_buf());
    }
    committed_dirs()?
        .into_iter()
        .find(|d| {
            d.file_name()
                .is_some_and(|n| n.to_string_lossy().trim_start_matches("asterisk-") == arg)
        })
        .ok_or_else(|| {
            Error::usage(format!(
                "`{arg}` is neither a folder nor a committed spec version"
            ))
        })
}

/// A dump that could not be read (the parser reports those at line 0) is an IO failure
/// naming the file; one that does not parse is a failure of the input, at its line.
fn dump_error(error: DumpError) -> Error {
    match (&error.file, error.line) {
        (Some(file), 0) => Error {
            exit: Exit::Io,
            message: format!("cannot read {}: {}", quoted(file), error.message),
        },
        _ => Error::failure(error.to_string()),
    }
}

fn quoted(path: &Path) -> String {
    format!("`{}`", path.display())
}
