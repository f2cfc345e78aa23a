//! How `ami` ends: one table of exit statuses for every subcommand, and the error that
//! carries a one-line message to standard error together with its status.

use std::fmt;
use std::io;
use std::process::ExitCode;

/// The exit statuses, shown at the end of every `--help` and in the README.
pub const HELP: &str = "\
Exit status:
  0  success
  1  the input was read but held errors, each one reported (a malformed AMI stream,
     a spec dump that does not parse)
  2  usage error: an unknown option, a bad or missing argument (reported by the
     argument parser), or an action the encoder refuses
  3  a file, standard input or standard output could not be opened, read or written;
     or (listen, send, record) the server could not be reached, refused the login, or did
     not answer in time";

/// Why `ami` stops, as the process exit status of [`HELP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything went well.
    Success,
    /// 1: the input held errors, which were reported as they were found.
    Failure,
    /// 2: the command line, or an action given on it, was refused.
    Usage,
    /// 3: a file or a standard stream could not be opened, read or written, or the
    /// server could not be reached, refused the login or did not answer in time.
    Io,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Io => 3,
        })
    }
}

/// A failure that ends a subcommand: `main` prints `error: MESSAGE` (the argument
/// parser's own format) and exits with `exit`.
#[derive(Debug)]
pub struct Error {
    /// The exit status.
    pub exit: Exit,
    /// One line saying what failed and on what.
    pub message: String,
}

impl Error {
    /// A refused argument or action (exit status 2).
    pub fn usage(message: impl Into<String>) -> Error {
        Error {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// Input that was read but could not be used (exit status 1).
    pub fn failure(message: impl Into<String>) -> Error {
        Error {
            exit: Exit::Failure,
            message: message.into(),
        }
    }

    /// `doing` (`open`, `read`, `write`) failed on `what` (a path, `standard input`),
    /// exit status 3.
    pub fn io(doing: &str, what: impl fmt::Display, error: io::Error) -> Error {
        Error {
            exit: Exit::Io,
            message: format!("cannot {doing} {what}: {error}"),
        }
    }

    /// The server could not be reached, refused the login, or did not answer in time
    /// (exit status 3).
    pub fn connection(message: impl Into<String>) -> Error {
        Error {
            exit: Exit::Io,
            message: message.into(),
        }
    }

    /// A failed write to standard output. A reader that went away (`ami decode | head`)
    /// is not a failure: `main` then stops quietly with status 0, as `ripgrep` does.
    pub fn output(error: io::Error) -> Error {
        if error.kind() == io::ErrorKind::BrokenPipe {
            return Error {
                exit: Exit::Success,
                message: String::new(),
            };
        }
        Error::io("write", "standard output", error)
    }
}
