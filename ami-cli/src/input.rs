//! `FILE|-` arguments: a file named on the command line, or standard input, and the errors
//! that name it.

use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use clap::builder::{OsStringValueParser, TypedValueParser};

use crate::exit::Error;

/// Where a subcommand reads its input from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input: `-` or no argument.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// The argument parser's reading of `FILE|-`: `-` is standard input.
    pub fn parser() -> impl TypedValueParser<Value = Input> {
        OsStringValueParser::new().map(|arg| Input::from_arg(&arg))
    }

    /// `-` is standard input, anything else a path.
    pub fn from_arg(arg: &OsStr) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::File(PathBuf::from(arg))
        }
    }

    /// Opens the input for reading; a failure names the file (exit status 3).
    pub fn open(&self) -> Result<Box<dyn Read>, Error> {
        match self {
            Input::Stdin => Ok(Box::new(io::stdin().lock())),
            Input::File(path) => match File::open(path) {
                Ok(file) => Ok(Box::new(file)),
                Err(e) => Err(Error::io("open", self, e)),
            },
        }
    }

    /// Reads the whole input; a failure names it (exit status 3).
    pub fn read_all(&self) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::new();
        self.open()?
            .read_to_end(&mut bytes)
            .map_err(|e| self.read_error(e))?;
        Ok(bytes)
    }

    /// The error for a failed read from this input (exit status 3).
    pub fn read_error(&self, error: io::Error) -> Error {
        Error::io("read", self, error)
    }
}

/// As error messages name it: the path in backquotes, or `standard input`.
impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("standard input"),
            Input::File(path) => write!(f, "`{}`", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_is_stdin_and_errors_name_the_path() {
        assert_eq!(Input::from_arg(OsStr::new("-")), Input::Stdin);
        let missing = Input::from_arg(OsStr::new("no/such/capture.bin"));
        assert_eq!(missing, Input::File(PathBuf::from("no/such/capture.bin")));
        let error = missing.open().err().expect("no such file");
        assert_eq!(error.exit, crate::exit::Exit::Io);
        assert!(
            error
                .message
                .starts_with("cannot open `no/such/capture.bin`: "),
            "{}",
            error.message
        );
    }
}
