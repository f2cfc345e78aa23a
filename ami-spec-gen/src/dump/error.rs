//! Errors of the dump parser: nom's error plumbing and the public, located error.

use std::fmt;
use std::path::PathBuf;

use nom::error::{ErrorKind, ParseError};

/// A dump file that does not match the grammar, with the place it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpError {
    /// The file, when parsing from disk.
    pub file: Option<PathBuf>,
    /// 1-based line number.
    pub line: usize,
    /// What was expected or found.
    pub message: String,
}

impl DumpError {
    /// Locates `rest` (a slice of `text`: its unparsed tail or one of its lines).
    pub(crate) fn at(text: &str, rest: &str, message: String) -> DumpError {
        let start = text.as_ptr() as usize;
        let here = rest.as_ptr() as usize;
        let consumed = if (start..=start + text.len()).contains(&here) {
            here - start
        } else {
            text.len().saturating_sub(rest.len())
        };
        let line = text.as_bytes()[..consumed]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        DumpError {
            file: None,
            line,
            message,
        }
    }

    /// The same error, naming `file`.
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> DumpError {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}:{}: {}", file.display(), self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for DumpError {}

/// nom's error type for this grammar: where it failed and, for our own failures, why.
#[derive(Debug)]
pub(crate) struct PErr<'a> {
    pub(crate) input: &'a str,
    pub(crate) message: String,
}

impl<'a> PErr<'a> {
    /// A hard failure (no alternative may be tried) with a message.
    pub(crate) fn fail<T>(input: &'a str, message: String) -> Result<T, nom::Err<PErr<'a>>> {
        Err(nom::Err::Failure(PErr { input, message }))
    }

    /// A soft error (the caller may try something else).
    pub(crate) fn soft<T>(input: &'a str, message: &str) -> Result<T, nom::Err<PErr<'a>>> {
        Err(nom::Err::Error(PErr {
            input,
            message: message.to_string(),
        }))
    }
}

impl<'a> ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, kind: ErrorKind) -> Self {
        PErr {
            input,
            message: format!("expected {}", kind.description()),
        }
    }

    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

impl<'a, E: fmt::Display> nom::error::FromExternalError<&'a str, E> for PErr<'a> {
    fn from_external_error(input: &'a str, _: ErrorKind, e: E) -> Self {
        PErr {
            input,
            message: e.to_string(),
        }
    }
}
