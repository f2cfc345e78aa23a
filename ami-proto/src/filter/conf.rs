//! Asterisk's configuration file syntax (`config.c`), as every `*.conf` file is read:
//! `[category]` headers with templates (`(!)`), inheritance (`(base,...)`) and appending
//! (`(+)`); `name = value` and `name => value` lines, `name += value` to extend the last
//! value; `;` comments, `\;` for a literal semicolon, `;-- ... --;` block comments;
//! `#include`/`#tryinclude` through a caller-given [`Includes`]. Names and values are
//! stripped of blanks (every byte below 33); a line is cut at a NUL.
//!
//! What makes Asterisk refuse the whole file is a [`ConfError`] naming the file and line;
//! what it logs and skips is a [`ConfWarning`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::text::{eq_ignore_case, is_blank, skip_blanks, strip, trim_blanks, until_nul};

/// A line (without its LF) this long or longer does not fit Asterisk's 8 KiB line buffer
/// and is skipped with a warning.
const MAX_LINE: usize = 8190;
/// Longest category name (Asterisk copies names into 80-byte buffers).
const MAX_CATEGORY_NAME: usize = 79;
/// Deepest `;--` nesting; Asterisk loops forever on a deeper one, this parser refuses it.
const MAX_NESTED_COMMENTS: i32 = 128;
/// Deepest `#include` nesting (Asterisk's `MAX_INCLUDE_LEVEL`).
const MAX_INCLUDE_LEVEL: usize = 10;
/// Most variables in one file with its includes and templates: inheritance can copy a
/// template many times over, and memory must stay bounded on hostile input.
pub const MAX_VARIABLES: usize = 100_000;
/// Most files read for one configuration (the file and every file it includes, however
/// often): a file that includes itself several times would otherwise be read an
/// exponential number of times within the 10 levels Asterisk allows.
pub const MAX_FILES: usize = 1_000;

/// Where a line is: file name (as given or as resolved) and 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The file.
    pub file: String,
    /// The line in that file.
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} of {}", self.line, self.file)
    }
}

/// One `name = value` line. `Debug` hides the value of a `secret`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Variable {
    /// The name, blanks stripped.
    pub name: Vec<u8>,
    /// The value, blanks stripped, `\;` unescaped.
    pub value: Vec<u8>,
    /// Where it was written (a variable copied from a template keeps the template's line).
    pub location: Location,
}

impl fmt::Debug for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let value = if eq_ignore_case(&self.name, b"secret") {
            String::from("<hidden>")
        } else {
            text(&self.value)
        };
        f.debug_struct("Variable")
            .field("name", &text(&self.name))
            .field("value", &value)
            .field("location", &self.location)
            .finish()
    }
}

/// One `[name]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Category {
    /// The name between the brackets (not stripped; at most 79 bytes).
    pub name: Vec<u8>,
    /// Whether this is a template (`(!)`), which users of the file do not see.
    pub template: bool,
    /// Its variables in order, inherited ones first.
    pub variables: Vec<Variable>,
    /// Where its header is.
    pub location: Location,
}

/// A file named by `#include`, with its contents.
#[derive(Debug, Clone)]
// Complete: a name and a text, built by the caller's include resolver.
#[allow(clippy::exhaustive_structs)]
pub struct IncludedFile {
    /// Its name, for locations.
    pub name: String,
    /// Its bytes.
    pub text: Vec<u8>,
}

/// Resolves `#include` and `#tryinclude` arguments (a file name relative to Asterisk's
/// configuration directory, or a glob) to files: the parser does no IO itself.
pub trait Includes {
    /// The files `argument` names, in order; empty if none exists.
    fn resolve(&mut self, argument: &[u8]) -> Vec<IncludedFile>;
}

/// Resolves nothing: every `#include` is a missing file.
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::exhaustive_structs)] // Complete: a unit value callers pass as the include resolver.
pub struct NoIncludes;

impl Includes for NoIncludes {
    fn resolve(&mut self, _: &[u8]) -> Vec<IncludedFile> {
        Vec::new()
    }
}

/// A line Asterisk skips, with the reason it logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfWarning {
    /// Where.
    pub location: Location,
    /// Why.
    pub kind: ConfWarningKind,
}

/// Why a line was skipped or a setting ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfWarningKind {
    /// A line without `=`.
    NoEquals,
    /// A line with nothing before its `=`.
    NoVariableName,
    /// A line longer than Asterisk's 8 KiB buffer.
    LineTooLong,
    /// A `#directive` other than `include`, `tryinclude` and `exec`.
    UnknownDirective(Vec<u8>),
    /// `#exec`, which Asterisk runs only with `execincludes` in asterisk.conf.
    ExecDisabled,
    /// A directive without its file name.
    DirectiveWithoutArgument,
    /// A `#tryinclude` that named no file.
    TryIncludeNotFound(Vec<u8>),
    /// A `;--` block comment still open at the end of the file (`Some(line)` where it
    /// began; `None` when a stray `--;` closed more comments than were open, after which
    /// Asterisk skips every line until the next `;--`).
    UnterminatedComment(Option<u32>),
    /// An option of manager.conf this rule set does not know (Asterisk ignores it).
    UnknownOption(Vec<u8>),
    /// A value Asterisk refuses and replaces with its default.
    InvalidValue {
        /// The option.
        name: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// An event filter Asterisk drops (the text is its warning).
    Filter(super::event_filter::FilterError),
}

impl fmt::Display for ConfWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match &self.kind {
            ConfWarningKind::NoEquals => write!(f, "No '=' (equal sign) in {}", self.location),
            ConfWarningKind::NoVariableName => write!(f, "No variable name in {}", self.location),
            ConfWarningKind::LineTooLong => write!(f, "{}: line too long, skipping", self.location),
            ConfWarningKind::UnknownDirective(d) => {
                write!(f, "Unknown directive '#{}' at {}", text(d), self.location)
            }
            ConfWarningKind::ExecDisabled => write!(
                f,
                "Cannot perform #exec unless execincludes option is enabled in asterisk.conf \
                 ({})",
                self.location
            ),
            ConfWarningKind::DirectiveWithoutArgument => {
                write!(f, "Directive needs an argument at {}", self.location)
            }
            ConfWarningKind::TryIncludeNotFound(name) => {
                write!(
                    f,
                    "#tryinclude '{}' found no file ({})",
                    text(name),
                    self.location
                )
            }
            ConfWarningKind::UnterminatedComment(Some(line)) => write!(
                f,
                "Unterminated comment detected beginning on line {line} of {}",
                self.location.file
            ),
            ConfWarningKind::UnterminatedComment(None) => write!(
                f,
                "'--;' without ';--' ({}): the lines after it were skipped",
                self.location
            ),
            ConfWarningKind::UnknownOption(name) => {
                write!(f, "{} is an unknown option ({})", text(name), self.location)
            }
            ConfWarningKind::InvalidValue { name, value } => write!(
                f,
                "Invalid {} value '{}' at {}",
                text(name),
                text(value),
                self.location
            ),
            ConfWarningKind::Filter(e) => write!(f, "{e} ({})", self.location),
        }
    }
}

/// A file Asterisk would refuse as a whole (manager.conf then configures nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfError {
    /// Where.
    pub location: Location,
    /// What.
    pub kind: ConfErrorKind,
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfErrorKind {
    /// `[` without `]`.
    NoClosingBracket,
    /// `[name](` without `)`.
    NoClosingParen,
    /// `[name](+)` for a category that does not exist.
    AppendToMissing(Vec<u8>),
    /// `[name](+filter)`: category filters are not supported here.
    UnsupportedCategoryFilter(Vec<u8>),
    /// `[name](base)` for a base that does not exist.
    InheritFromMissing(Vec<u8>),
    /// A variable before any `[category]`.
    NoCategory,
    /// A line that starts with `\` followed by a blank.
    InvalidEscape,
    /// An `#include` that named no file (with [`NoIncludes`], every `#include`).
    IncludeNotFound(Vec<u8>),
    /// More than 10 levels of `#include`.
    IncludeTooDeep,
    /// More than 128 nested `;--` comments (Asterisk hangs on these).
    CommentTooDeep,
    /// More than [`MAX_VARIABLES`] variables.
    TooManyVariables,
    /// More than [`MAX_FILES`] files read.
    TooManyFiles,
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let at = &self.location;
        match &self.kind {
            ConfErrorKind::NoClosingBracket => write!(f, "parse error: no closing ']', {at}"),
            ConfErrorKind::NoClosingParen => write!(f, "parse error: no closing ')', {at}"),
            ConfErrorKind::AppendToMissing(name) => write!(
                f,
                "Category addition requested, but category '{}' does not exist, {at}",
                text(name)
            ),
            ConfErrorKind::UnsupportedCategoryFilter(filter) => write!(
                f,
                "category filter '+{}' is not supported, {at}",
                text(filter)
            ),
            ConfErrorKind::InheritFromMissing(name) => write!(
                f,
                "Inheritance requested, but category '{}' does not exist, {at}",
                text(name)
            ),
            ConfErrorKind::NoCategory => write!(f, "parse error: No category context for {at}"),
            ConfErrorKind::InvalidEscape => write!(f, "Invalid escape in {at}"),
            ConfErrorKind::IncludeNotFound(name) => write!(
                f,
                "The file '{}' was listed as a #include but it does not exist ({at})",
                text(name)
            ),
            ConfErrorKind::IncludeTooDeep => {
                write!(
                    f,
                    "Maximum Include level ({MAX_INCLUDE_LEVEL}) exceeded, {at}"
                )
            }
            ConfErrorKind::CommentTooDeep => write!(
                f,
                "Maximum nest limit of {MAX_NESTED_COMMENTS} comments reached, {at}"
            ),
            ConfErrorKind::TooManyVariables => {
                write!(f, "more than {MAX_VARIABLES} variables, {at}")
            }
            ConfErrorKind::TooManyFiles => write!(f, "more than {MAX_FILES} files read, {at}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ConfError {}

/// A parsed configuration file: its categories in order, templates included.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConfFile {
    /// Every category, in the order their headers appear.
    pub categories: Vec<Category>,
    /// Lines that were skipped.
    pub warnings: Vec<ConfWarning>,
}

impl ConfFile {
    /// Parses `text` (named `file` in locations), resolving `#include` through `includes`.
    ///
    /// ```
    /// use ami_proto::filter::{ConfFile, NoIncludes};
    ///
    /// let conf = ConfFile::parse(b"[a](!)\nx = 1 ; comment\n[b](a)\ny = \\;2\n", "m.conf", &mut NoIncludes).unwrap();
    /// let b = &conf.categories[1];
    /// assert_eq!(b.variables[0].value, b"1");
    /// assert_eq!(b.variables[1].value, b";2");
    /// ```
    pub fn parse(
        text: &[u8],
        file: &str,
        includes: &mut dyn Includes,
    ) -> Result<ConfFile, ConfError> {
        let mut parser = Parser {
            conf: ConfFile::default(),
            includes,
            variables: 0,
            files: 1,
        };
        parser.file(text, file, None, 1)?;
        Ok(parser.conf)
    }

    /// The first category named `name` (ASCII case-insensitive) that is not a template.
    pub fn category(&self, name: &[u8]) -> Option<&Category> {
        self.categories
            .iter()
            .find(|c| !c.template && eq_ignore_case(&c.name, name))
    }
}

struct Parser<'i> {
    conf: ConfFile,
    includes: &'i mut dyn Includes,
    variables: usize,
    files: usize,
}

impl Parser<'_> {
    /// Parses one file. `current` is the category its first lines belong to (an included
    /// file continues the includer's category; the includer continues its own afterwards).
    fn file(
        &mut self,
        text: &[u8],
        file: &str,
        current: Option<usize>,
        level: usize,
    ) -> Result<(), ConfError> {
        let mut current = current;
        // Open `;--` comments; negative after a stray `--;`, as in Asterisk.
        let mut comment: i32 = 0;
        let mut comment_starts: Vec<u32> = Vec::new();
        let mut lineno: u32 = 0;
        for raw in text.split_inclusive(|&b| b == b'\n') {
            lineno += 1;
            let location = || Location {
                file: String::from(file),
                line: lineno,
            };
            let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
            if raw.len() >= MAX_LINE {
                self.warn(location(), ConfWarningKind::LineTooLong);
                continue;
            }
            let mut buf: Vec<u8> = until_nul(raw).to_vec();
            let mut process: Option<usize> = (comment == 0).then_some(0);
            let mut search = 0;
            // The comment loop of `config_text_file_load`, on a buffer in which a NUL ends
            // the text as in C.
            while let Some(found) = memchr::memchr(b';', until_nul(&buf[search..])) {
                let semi = search + found;
                let at = |i: usize| buf.get(i).copied().unwrap_or(0);
                if semi > search && at(semi - 1) == b'\\' {
                    // `\;` is a semicolon: drop the backslash and go on after it.
                    buf.remove(semi - 1);
                    search = semi;
                } else if at(semi + 1) == b'-' && at(semi + 2) == b'-' && at(semi + 3) != b'-' {
                    if comment >= MAX_NESTED_COMMENTS {
                        return Err(ConfError {
                            location: location(),
                            kind: ConfErrorKind::CommentTooDeep,
                        });
                    }
                    buf[semi] = 0;
                    search = semi + 3;
                    comment += 1;
                    if comment > 0 {
                        comment_starts.truncate(comment as usize - 1);
                        comment_starts.push(lineno);
                    }
                } else if semi >= search + 2 && at(semi - 1) == b'-' && at(semi - 2) == b'-' {
                    comment -= 1;
                    search = semi + 1;
                    if comment == 0 {
                        match process {
                            Some(start) => {
                                // Join what came before the comment with what follows it.
                                let end = start + until_nul(&buf[start..]).len();
                                let tail = until_nul(&buf[search..]).to_vec();
                                buf.truncate(end);
                                buf.extend_from_slice(&tail);
                                search = end;
                            }
                            None => process = Some(search),
                        }
                    }
                } else if comment == 0 {
                    buf[semi] = 0;
                    search = semi;
                } else {
                    search = semi + 1;
                }
            }
            if let Some(start) = process {
                let line = strip(until_nul(&buf[start..]));
                if !line.is_empty() {
                    self.line(line, file, lineno, &mut current, level)?;
                }
            }
        }
        if comment != 0 {
            let began = match comment {
                1.. => comment_starts.get(comment as usize - 1).copied(),
                _ => None,
            };
            let kind = ConfWarningKind::UnterminatedComment(began);
            let location = Location {
                file: String::from(file),
                line: lineno,
            };
            self.warn(location, kind);
        }
        Ok(())
    }

    fn warn(&mut self, location: Location, kind: ConfWarningKind) {
        self.conf.warnings.push(ConfWarning { location, kind });
    }

    /// `process_text_line`: one non-empty line without its comment.
    fn line(
        &mut self,
        line: &[u8],
        file: &str,
        lineno: u32,
        current: &mut Option<usize>,
        level: usize,
    ) -> Result<(), ConfError> {
        let location = Location {
            file: String::from(file),
            line: lineno,
        };
        let error = |kind| ConfError {
            location: location.clone(),
            kind,
        };
        match line[0] {
            b'[' => self
                .category(line, location.clone(), current)
                .map_err(error),
            b'#' => self.directive(line, location, current, level),
            _ => {
                let Some(category) = *current else {
                    return Err(error(ConfErrorKind::NoCategory));
                };
                self.variable(line, location.clone(), category)
                    .map_err(error)
            }
        }
    }

    /// A `[name](options)` header.
    fn category(
        &mut self,
        line: &[u8],
        location: Location,
        current: &mut Option<usize>,
    ) -> Result<(), ConfErrorKind> {
        let close = memchr::memchr(b']', line).ok_or(ConfErrorKind::NoClosingBracket)?;
        let name = &line[1..close];
        let name = &name[..name.len().min(MAX_CATEGORY_NAME)];
        let options = match line.get(close + 1) {
            Some(b'(') => {
                let rest = &line[close + 2..];
                let end = memchr::memchr(b')', rest).ok_or(ConfErrorKind::NoClosingParen)?;
                Some(&rest[..end])
            }
            _ => None,
        };
        let mut new = Some(Category {
            name: name.to_vec(),
            template: false,
            variables: Vec::new(),
            location,
        });
        // The category the options act on: the new one, or the one `+` appends to.
        let mut target: Option<usize> = None;
        for option in options.into_iter().flat_map(|o| o.split(|&b| b == b',')) {
            if eq_ignore_case(option, b"!") {
                match (&mut new, target) {
                    (Some(category), _) => category.template = true,
                    (None, Some(existing)) => self.conf.categories[existing].template = true,
                    (None, None) => {}
                }
            } else if let Some(filter) = option.strip_prefix(b"+") {
                if !filter.is_empty() {
                    return Err(ConfErrorKind::UnsupportedCategoryFilter(filter.to_vec()));
                }
                // An empty name matches any category, as Asterisk skips the name test then.
                let existing = self
                    .conf
                    .categories
                    .iter()
                    .position(|c| !c.template && (name.is_empty() || eq_ignore_case(&c.name, name)))
                    .ok_or_else(|| ConfErrorKind::AppendToMissing(name.to_vec()))?;
                if let Some(category) = new.take() {
                    let existing_category = &mut self.conf.categories[existing];
                    existing_category.template |= category.template;
                    existing_category.variables.extend(category.variables);
                }
                target = Some(existing);
            } else {
                let base = self
                    .conf
                    .categories
                    .iter()
                    .position(|c| option.is_empty() || eq_ignore_case(&c.name, option))
                    .ok_or_else(|| ConfErrorKind::InheritFromMissing(option.to_vec()))?;
                let inherited = self.conf.categories[base].variables.clone();
                self.count(inherited.len())?;
                match (&mut new, target) {
                    (Some(category), _) => category.variables.extend(inherited),
                    (None, Some(existing)) => {
                        self.conf.categories[existing].variables.extend(inherited)
                    }
                    (None, None) => {}
                }
            }
        }
        *current = match new {
            Some(category) => {
                self.conf.categories.push(category);
                Some(self.conf.categories.len() - 1)
            }
            None => target,
        };
        Ok(())
    }

    /// A `#include`, `#tryinclude` or `#exec` line.
    fn directive(
        &mut self,
        line: &[u8],
        location: Location,
        current: &mut Option<usize>,
        level: usize,
    ) -> Result<(), ConfError> {
        let body = &line[1..];
        let name_end = body.iter().position(|&b| b <= 32).unwrap_or(body.len());
        let name = &body[..name_end];
        let argument = body
            .get(name_end + 1..)
            .map(strip)
            .filter(|a| !a.is_empty());
        let try_include = eq_ignore_case(name, b"tryinclude");
        if eq_ignore_case(name, b"exec") {
            self.warn(location, ConfWarningKind::ExecDisabled);
            return Ok(());
        }
        if !try_include && !eq_ignore_case(name, b"include") {
            self.warn(location, ConfWarningKind::UnknownDirective(name.to_vec()));
            return Ok(());
        }
        let Some(mut argument) = argument else {
            self.warn(location, ConfWarningKind::DirectiveWithoutArgument);
            return Ok(());
        };
        if let (Some(&open), Some(&close)) = (argument.first(), argument.last()) {
            let quoted = (open == b'"' && close == b'"') || (open == b'<' && close == b'>');
            if quoted && argument.len() >= 2 {
                argument = &argument[1..argument.len() - 1];
            } else if quoted {
                argument = b"";
            }
        }
        let files = if level >= MAX_INCLUDE_LEVEL {
            if !try_include {
                return Err(ConfError {
                    location,
                    kind: ConfErrorKind::IncludeTooDeep,
                });
            }
            Vec::new()
        } else {
            self.includes.resolve(argument)
        };
        if files.is_empty() {
            if try_include {
                self.warn(
                    location,
                    ConfWarningKind::TryIncludeNotFound(argument.to_vec()),
                );
                return Ok(());
            }
            return Err(ConfError {
                location,
                kind: ConfErrorKind::IncludeNotFound(argument.to_vec()),
            });
        }
        for included in files {
            self.files += 1;
            if self.files > MAX_FILES {
                return Err(ConfError {
                    location,
                    kind: ConfErrorKind::TooManyFiles,
                });
            }
            self.file(&included.text, &included.name, *current, level + 1)?;
        }
        Ok(())
    }

    /// A `name = value`, `name => value` or `name += value` line.
    fn variable(
        &mut self,
        line: &[u8],
        location: Location,
        category: usize,
    ) -> Result<(), ConfErrorKind> {
        let escaped = usize::from(line[0] == b'\\');
        let cur = &line[escaped..];
        if escaped == 1 && cur.first().is_none_or(|&b| is_blank(b)) {
            return Err(ConfErrorKind::InvalidEscape);
        }
        // Asterisk looks for `=` one byte further after an escape.
        let Some(eq) = cur
            .get(escaped..)
            .and_then(|rest| memchr::memchr(b'=', rest))
            .map(|i| i + escaped)
        else {
            self.warn(location, ConfWarningKind::NoEquals);
            return Ok(());
        };
        if eq > escaped && cur[eq - 1] == b'+' {
            let name = strip(&cur[..eq - 1]);
            let addition = &cur[eq + 1..];
            let variables = &mut self.conf.categories[category].variables;
            if let Some(last) = variables.iter().rposition(|v| v.name == name) {
                let mut joined = variables[last].value.clone();
                joined.extend_from_slice(addition);
                let joined = skip_blanks(trim_blanks(&joined)).to_vec();
                // `ast_variable_update` changes the last variable with that name and that
                // old value, both compared in any case (any value when the old one is empty).
                let old = variables[last].value.clone();
                let target = variables
                    .iter()
                    .rposition(|v| {
                        eq_ignore_case(&v.name, name)
                            && (old.is_empty() || eq_ignore_case(&v.value, &old))
                    })
                    .unwrap_or(last);
                variables[target].value = joined;
                return Ok(());
            }
            return self.push_variable(name, strip(addition), location, category);
        }
        let name = strip(&cur[..eq]);
        let rest = &cur[eq + 1..];
        let value = rest.strip_prefix(b">").unwrap_or(rest);
        self.push_variable(name, strip(value), location, category)
    }

    fn push_variable(
        &mut self,
        name: &[u8],
        value: &[u8],
        location: Location,
        category: usize,
    ) -> Result<(), ConfErrorKind> {
        if name.is_empty() {
            self.warn(location, ConfWarningKind::NoVariableName);
            return Ok(());
        }
        self.count(1)?;
        self.conf.categories[category].variables.push(Variable {
            name: name.to_vec(),
            value: value.to_vec(),
            location,
        });
        Ok(())
    }

    fn count(&mut self, more: usize) -> Result<(), ConfErrorKind> {
        self.variables += more;
        if self.variables > MAX_VARIABLES {
            return Err(ConfErrorKind::TooManyVariables);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn parse(text: &str) -> Result<ConfFile, ConfError> {
        ConfFile::parse(text.as_bytes(), "manager.conf", &mut NoIncludes)
    }

    fn values(conf: &ConfFile, category: usize) -> Vec<(String, String)> {
        conf.categories[category]
            .variables
            .iter()
            .map(|v| {
                (
                    String::from_utf8_lossy(&v.name).into_owned(),
                    String::from_utf8_lossy(&v.value).into_owned(),
                )
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn comments_escapes_and_blanks() {
        let conf = parse(
            "[u]\r\nsecret = s3cret ; the secret\r\neventfilter=!Channel: .*\\;2\r\n\
             a=b;--block\r\nstill comment\r\nend--; c=d\r\n  e =>  f \t\r\n\
             g = h ;-- inline --; i\r\n",
        )
        .unwrap();
        assert_eq!(
            values(&conf, 0),
            pairs(&[
                ("secret", "s3cret"),
                ("eventfilter", "!Channel: .*;2"),
                ("a", "b"),
                ("c", "d"),
                ("e", "f"),
                ("g", "h  i"),
            ])
        );
    }

    #[test]
    fn templates_inheritance_and_append() {
        let conf =
            parse("[tpl](!)\nread = call\n[user](tpl)\nsecret = x\n[user](+)\nwrite = all\n")
                .unwrap();
        assert_eq!(conf.categories.len(), 2);
        assert!(conf.categories[0].template);
        assert_eq!(
            values(&conf, 1),
            pairs(&[("read", "call"), ("secret", "x"), ("write", "all")])
        );
        assert_eq!(conf.categories[1].variables[0].location.line, 2);
        assert!(conf.category(b"TPL").is_none());
        assert!(conf.category(b"USER").is_some());
    }

    #[test]
    fn plus_equals_extends_the_last_value() {
        // What follows `+=` is appended as written, blanks included.
        let conf = parse("[u]\nread = call\nread +=,user\nwrite += all\nread += ,x\n").unwrap();
        assert_eq!(
            values(&conf, 0),
            pairs(&[("read", "call,user ,x"), ("write", "all")])
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("; top\nsecret = x\n").unwrap_err();
        assert_eq!(err.kind, ConfErrorKind::NoCategory);
        assert_eq!(err.location.line, 2);
        assert_eq!(
            err.to_string(),
            "parse error: No category context for line 2 of manager.conf"
        );
        let err = parse("[a]\n[b\n").unwrap_err();
        assert_eq!(
            (err.kind, err.location.line),
            (ConfErrorKind::NoClosingBracket, 2)
        );
        let err = parse("[a](nosuch)\n").unwrap_err();
        assert_eq!(
            err.kind,
            ConfErrorKind::InheritFromMissing(b"nosuch".to_vec())
        );
        let err = parse("[a]\n\\ x=1\n").unwrap_err();
        assert_eq!(err.kind, ConfErrorKind::InvalidEscape);
        let err = parse("[a]\n#include other.conf\n").unwrap_err();
        assert_eq!(
            err.kind,
            ConfErrorKind::IncludeNotFound(b"other.conf".to_vec())
        );
        assert_eq!(err.location.line, 2);
    }

    #[test]
    fn warnings_name_the_line() {
        let conf =
            parse("[a]\nno equals here\n = novalue\n#tryinclude \"x.conf\"\n#exec ls\n").unwrap();
        let kinds: Vec<_> = conf
            .warnings
            .iter()
            .map(|w| (w.location.line, w.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (2, ConfWarningKind::NoEquals),
                (3, ConfWarningKind::NoVariableName),
                (4, ConfWarningKind::TryIncludeNotFound(b"x.conf".to_vec())),
                (5, ConfWarningKind::ExecDisabled),
            ]
        );
    }

    #[test]
    fn includes_continue_the_including_category() {
        struct One;
        impl Includes for One {
            fn resolve(&mut self, argument: &[u8]) -> Vec<IncludedFile> {
                assert_eq!(argument, b"users.conf");
                vec![IncludedFile {
                    name: "users.conf".to_string(),
                    text: b"x = 1\n[other]\ny = 2\n".to_vec(),
                }]
            }
        }
        let conf =
            ConfFile::parse(b"[a]\n#include <users.conf>\nz = 3\n", "m.conf", &mut One).unwrap();
        assert_eq!(values(&conf, 0), pairs(&[("x", "1"), ("z", "3")]));
        assert_eq!(values(&conf, 1), pairs(&[("y", "2")]));
        assert_eq!(conf.categories[1].variables[0].location.file, "users.conf");
    }

    #[test]
    fn a_stray_comment_end_hides_the_rest_as_in_asterisk() {
        let conf = parse("[a]\nx = y--;\nz = 1\n;-- reopen\nw = 2\n").unwrap();
        assert_eq!(values(&conf, 0), pairs(&[("x", "y--;"), ("w", "2")]));
    }

    #[test]
    fn debug_hides_secrets() {
        let conf = parse("[u]\nSecret = hunter2\nread = call\n").unwrap();
        let shown = alloc::format!("{conf:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("call"));
    }

    #[test]
    fn inheritance_is_bounded() {
        let mut text = String::from("[t0](!)\nx=1\n");
        for i in 1..40 {
            let p = i - 1;
            text.push_str(&alloc::format!("[t{i}](!,t{p},t{p},t{p},t{p})\n"));
        }
        let err = parse(&text).unwrap_err();
        assert_eq!(err.kind, ConfErrorKind::TooManyVariables);
    }
}
