//! `ami spec`: regenerate the typed events/actions from spec folders, compare two folders,
//! and print messages as typed JSON (for `ami decode --typed`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ami_proto::{Kind, Message};
use ami_spec::codegen::{default_spec_dirs, generate_from_dirs, generated_dir, write_if_changed};
use ami_spec::{dump, Event, Response};

const HELP: &str = "\
ami spec: the `manager show` dumps behind ami-spec's typed events and actions

USAGE:
    ami spec generate [--out DIR] [SPEC_DIR...]
        Parse the spec folders (default: every ami-spec/specs/asterisk-* folder) and
        write the merged types to ami-spec/src/generated (or DIR); files whose content
        did not change are left alone.
    ami spec diff A B
        Events, actions, headers, required/optional and documented values added (+),
        removed (-) or changed (~) from spec A to spec B. A and B are folders or
        versions of the committed folders (e.g. `ami spec diff 13.38.3 23.4.1`).";

/// Runs `ami spec` with its arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("diff") => diff(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("spec: unknown command `{other}`\n\n{HELP}")),
    }
}

fn generate(args: &[String]) -> Result<(), String> {
    let mut out = generated_dir();
    let mut dirs = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(iter.next().ok_or("--out needs a folder")?),
            other if other.starts_with('-') => {
                return Err(format!("spec generate: unknown option `{other}`\n\n{HELP}"))
            }
            other => dirs.push(PathBuf::from(other)),
        }
    }
    if dirs.is_empty() {
        dirs = default_spec_dirs().map_err(|e| format!("spec folders: {e}"))?;
    }
    let files = generate_from_dirs(&dirs).map_err(|e| e.to_string())?;
    let written = write_if_changed(&out, &files).map_err(|e| format!("{}: {e}", out.display()))?;
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!(
        "{} of {} files changed in {}",
        written.len(),
        files.len(),
        out.display()
    );
    Ok(())
}

/// A folder, or the committed folder of a version (`23.4.1` -> `specs/asterisk-23.4.1`).
fn spec_dir(arg: &str) -> Result<PathBuf, String> {
    let path = Path::new(arg);
    if path.is_dir() {
        return Ok(path.to_path_buf());
    }
    let committed = default_spec_dirs().map_err(|e| format!("spec folders: {e}"))?;
    committed
        .into_iter()
        .find(|d| {
            d.file_name()
                .is_some_and(|n| n.to_string_lossy().trim_start_matches("asterisk-") == arg)
        })
        .ok_or_else(|| format!("`{arg}` is neither a folder nor a committed spec version"))
}

fn diff(args: &[String]) -> Result<(), String> {
    let [a, b] = args else {
        return Err(format!("spec diff needs two spec folders\n\n{HELP}"));
    };
    let a = dump::load_spec(&spec_dir(a)?).map_err(|e| e.to_string())?;
    let b = dump::load_spec(&spec_dir(b)?).map_err(|e| e.to_string())?;
    let changes = ami_spec::diff::diff(&a, &b);
    let mut out = io::stdout().lock();
    for change in &changes {
        writeln!(out, "{change}").map_err(|e| e.to_string())?;
    }
    writeln!(
        out,
        "{} changes from {} to {}",
        changes.len(),
        a.version,
        b.version
    )
    .map_err(|e| e.to_string())
}

/// Prints one message as a JSON line: events typed by ami-spec (`Unknown` ones as their
/// header list), responses with their common headers typed.
pub fn print_typed(message: &Message<'_>, out: &mut impl Write) -> io::Result<()> {
    match message.kind() {
        Kind::Response => serde_json::to_writer(&mut *out, &Response::from_message(message))?,
        _ => serde_json::to_writer(&mut *out, &Event::from_message(message))?,
    }
    out.write_all(b"\n")
}
