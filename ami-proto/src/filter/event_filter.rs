//! One event filter: an `eventfilter` line of manager.conf or a `Filter` action, parsed and
//! matched as Asterisk's `manager_add_filter` and `filter_cmp_fn` do.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use super::regex::{Regex, RegexError};
use super::rules::Rules;
use super::text::{lines, name_hash, skip_blanks, strip, until_nul};

/// An event as Asterisk queues it for every session: its text and its name's hash.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventText<'a> {
    /// The whole event, `Event:` line to the final empty line, cut at a NUL.
    pub(crate) text: &'a [u8],
    /// [`name_hash`] of the event name.
    pub(crate) name_hash: u32,
}

/// How a filter compares its pattern (`method(...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// `regex`: a POSIX extended regular expression (the legacy filters' only method).
    Regex,
    /// `exact`: the whole text or header value equals the pattern.
    Exact,
    /// `starts_with`.
    StartsWith,
    /// `ends_with`.
    EndsWith,
    /// `contains`.
    Contains,
    /// `none`: no pattern; the filter selects by `name()` or `header()` alone.
    None,
}

impl Method {
    /// The name written in `method(...)`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Regex => "regex",
            Method::Exact => "exact",
            Method::StartsWith => "starts_with",
            Method::EndsWith => "ends_with",
            Method::Contains => "contains",
            Method::None => "none",
        }
    }

    fn from_name(name: &[u8]) -> Option<Method> {
        [
            Method::Regex,
            Method::Exact,
            Method::StartsWith,
            Method::EndsWith,
            Method::Contains,
            Method::None,
        ]
        .into_iter()
        .find(|m| m.as_str().as_bytes() == name)
    }
}

/// The compiled comparison of a filter.
#[derive(Clone)]
enum Matcher {
    Regex(Regex),
    Exact(Box<[u8]>),
    StartsWith(Box<[u8]>),
    EndsWith(Box<[u8]>),
    Contains(Box<[u8]>),
    Always,
}

impl Matcher {
    fn is_match(&self, subject: &[u8]) -> bool {
        match self {
            Matcher::Regex(re) => re.is_match(subject),
            Matcher::Exact(p) => subject == &p[..],
            Matcher::StartsWith(p) => subject.starts_with(p),
            Matcher::EndsWith(p) => subject.ends_with(p),
            Matcher::Contains(p) => memchr::memmem::find(subject, p).is_some(),
            Matcher::Always => true,
        }
    }
}

/// One filter: include or exclude, optionally bound to an event name and a header, with a
/// comparison.
///
/// ```
/// use ami_proto::filter::{EventFilter, Rules};
///
/// let f = EventFilter::parse(b"eventfilter(action(exclude),header(Channel),method(regex))", b";2$", Rules::Asterisk20).unwrap();
/// assert!(f.is_exclude());
/// let legacy = EventFilter::parse(b"eventfilter", b"!Event: VarSet", Rules::Asterisk20).unwrap();
/// assert!(legacy.is_exclude());
/// let err = EventFilter::parse(b"eventfilter(method(bogus))", b"x", Rules::Asterisk20).unwrap_err();
/// assert_eq!(err.to_string(), "'eventfilter(method(bogus)) = x': 'method' option 'bogus' is unknown");
/// ```
#[derive(Clone)]
pub struct EventFilter {
    exclude: bool,
    /// `name(...)` and its hash; a hash of 0 selects every event, as in Asterisk.
    name: Option<(Box<[u8]>, u32)>,
    /// `header(...)` with its colon.
    header: Option<Box<[u8]>>,
    method: Method,
    matcher: Matcher,
    /// The pattern after a leading `!` was removed.
    pattern: Box<[u8]>,
}

impl EventFilter {
    /// Parses a filter as Asterisk adds one: `criteria` is the option name of manager.conf
    /// (`eventfilter` or `eventfilter(...)`, or the same built from a `Filter` action's
    /// `MatchCriteria`), `pattern` its value (the `Filter:` header). Under
    /// [`Rules::Asterisk13`] the criteria are not looked at.
    pub fn parse(
        criteria: &[u8],
        pattern: &[u8],
        rules: Rules,
    ) -> Result<EventFilter, FilterError> {
        let criteria = until_nul(criteria);
        let (exclude, pattern) = match until_nul(pattern) {
            [b'!', rest @ ..] => (true, rest),
            pattern => (false, pattern),
        };
        // Asterisk's warnings show the pattern without its `!`.
        let error = |kind| FilterError::new(kind, criteria, pattern);
        let mut filter = EventFilter {
            exclude,
            name: None,
            header: None,
            method: Method::Regex,
            matcher: Matcher::Always,
            pattern: pattern.into(),
        };
        if rules == Rules::Asterisk20 {
            if criteria.is_empty() {
                return Err(error(FilterErrorKind::MissingCriteria));
            }
            match criteria.iter().position(|&b| b == b'(') {
                None if pattern.is_empty() => return Err(error(FilterErrorKind::MissingPattern)),
                None => {}
                Some(open) => filter.read_options(&criteria[open + 1..]).map_err(error)?,
            }
        }
        if !pattern.is_empty() {
            filter.matcher = match filter.method {
                Method::Regex => Matcher::Regex(
                    Regex::new(pattern).map_err(|e| error(FilterErrorKind::Compile(e)))?,
                ),
                Method::Exact => Matcher::Exact(pattern.into()),
                Method::StartsWith => Matcher::StartsWith(pattern.into()),
                Method::EndsWith => Matcher::EndsWith(pattern.into()),
                Method::Contains => Matcher::Contains(pattern.into()),
                Method::None => Matcher::Always,
            };
        } else if rules == Rules::Asterisk13 {
            // Asterisk 13 compiles the empty pattern: it matches every event.
            filter.matcher =
                Matcher::Regex(Regex::new(b"").map_err(|e| error(FilterErrorKind::Compile(e)))?);
        }
        Ok(filter)
    }

    /// Reads the advanced criteria after the first `(`, as Asterisk 20+ does: strip blanks,
    /// require a final `)`, split at spaces, commas and `)`, and take `action(`, `name(`,
    /// `header(`, `method(` tokens (compared by prefix; a later one wins).
    fn read_options(&mut self, options: &[u8]) -> Result<(), FilterErrorKind> {
        let options = strip(options);
        if options.is_empty() || !options.ends_with(b")") {
            return Err(FilterErrorKind::OptionsFormat);
        }
        self.method = Method::None;
        let mut found = false;
        let tokens = options
            .split(|b| matches!(b, b' ' | b',' | b')'))
            .filter(|t| !t.is_empty());
        for option in tokens {
            // The value after the token's first `(`. Without one, Asterisk reads through a
            // null pointer for `name`, `header` and `method` (and crashes): refused here.
            let value = option
                .iter()
                .position(|&b| b == b'(')
                .map(|open| strip(&option[open + 1..]));
            if option.starts_with(b"action") {
                match value.ok_or(FilterErrorKind::ActionFormat)? {
                    b"include" => self.exclude = false,
                    b"exclude" => self.exclude = true,
                    other => return Err(FilterErrorKind::UnknownAction(other.into())),
                }
            } else if option.starts_with(b"name") {
                let name = value
                    .filter(|v| !v.is_empty())
                    .ok_or(FilterErrorKind::NameFormat)?;
                self.name = Some((name.into(), name_hash(name)));
            } else if option.starts_with(b"header") {
                let header = value
                    .filter(|v| !v.is_empty())
                    .ok_or(FilterErrorKind::HeaderFormat)?;
                let mut with_colon = Vec::from(header);
                if !header.ends_with(b":") {
                    with_colon.push(b':');
                }
                self.header = Some(with_colon.into());
            } else if option.starts_with(b"method") {
                let method = value
                    .filter(|v| !v.is_empty())
                    .ok_or(FilterErrorKind::MethodFormat)?;
                self.method = Method::from_name(method)
                    .ok_or_else(|| FilterErrorKind::UnknownMethod(method.into()))?;
            } else {
                return Err(FilterErrorKind::UnknownOption(option.into()));
            }
            found = true;
        }
        if !found {
            return Err(FilterErrorKind::NoOptions);
        }
        if self.pattern.is_empty() && self.method != Method::None {
            return Err(FilterErrorKind::EmptyPattern(self.method));
        }
        if !self.pattern.is_empty() && self.method == Method::None {
            return Err(FilterErrorKind::PatternWithNone);
        }
        if self.name.is_none() && self.header.is_none() && self.method == Method::None {
            return Err(FilterErrorKind::NoNameOrHeader);
        }
        Ok(())
    }

    /// Whether this filter excludes what it matches (`!` or `action(exclude)`).
    pub fn is_exclude(&self) -> bool {
        self.exclude
    }

    /// The event name of `name(...)`.
    pub fn name(&self) -> Option<&[u8]> {
        self.name.as_ref().map(|(name, _)| &name[..])
    }

    /// The header of `header(...)`, with its colon.
    pub fn header(&self) -> Option<&[u8]> {
        self.header.as_deref()
    }

    /// How the pattern is compared.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The pattern, without a leading `!`.
    pub fn pattern(&self) -> &[u8] {
        &self.pattern
    }

    /// Whether the filter matches an event (`filter_cmp_fn`): the name by hash, then either
    /// the whole text, or each line that begins with the header name and has a non-empty
    /// value after it (blanks skipped) until one matches.
    pub(crate) fn matches(&self, event: &EventText<'_>) -> bool {
        if let Some((_, hash)) = self.name {
            if hash != 0 && hash != event.name_hash {
                return false;
            }
        }
        let Some(header) = &self.header else {
            return self.matcher.is_match(event.text);
        };
        lines(event.text).any(|line| {
            line.strip_prefix(&header[..]).is_some_and(|rest| {
                let value = skip_blanks(rest);
                !value.is_empty() && self.matcher.is_match(value)
            })
        })
    }
}

impl fmt::Debug for EventFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = |b: &[u8]| alloc::string::String::from_utf8_lossy(b).into_owned();
        f.debug_struct("EventFilter")
            .field("exclude", &self.exclude)
            .field("name", &self.name().map(bytes))
            .field("header", &self.header().map(bytes))
            .field("method", &self.method)
            .field("pattern", &bytes(&self.pattern))
            .finish()
    }
}

/// Why a filter was not added: Asterisk logs a warning (the [`Display`](fmt::Display) of
/// this error is its text) and the filter is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    kind: FilterErrorKind,
    criteria: Box<[u8]>,
    pattern: Box<[u8]>,
}

/// What is wrong with a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterErrorKind {
    /// No criteria at all (a `Filter` action never has this).
    MissingCriteria,
    /// A legacy filter (no `(`) with an empty pattern (Asterisk 20+).
    MissingPattern,
    /// The criteria after `(` are empty or do not end in `)`.
    OptionsFormat,
    /// `action` without `(`.
    ActionFormat,
    /// `action(...)` other than `include` and `exclude`.
    UnknownAction(Box<[u8]>),
    /// `name` without a value (Asterisk crashes when the `(` is missing too).
    NameFormat,
    /// `header` without a value (Asterisk crashes when the `(` is missing too).
    HeaderFormat,
    /// `method` without a value (Asterisk crashes when the `(` is missing too).
    MethodFormat,
    /// `method(...)` that is none of the six methods.
    UnknownMethod(Box<[u8]>),
    /// An option that is not `action`, `name`, `header` or `method`.
    UnknownOption(Box<[u8]>),
    /// `eventfilter()` and the like.
    NoOptions,
    /// A method other than `none` with an empty pattern.
    EmptyPattern(Method),
    /// Method `none` (also the default of an advanced filter) with a pattern.
    PatternWithNone,
    /// Method `none` with neither `name()` nor `header()`.
    NoNameOrHeader,
    /// The regular expression does not compile (or this engine refuses it; see
    /// [`RegexError::asterisk_accepts`]).
    Compile(RegexError),
}

impl FilterError {
    fn new(kind: FilterErrorKind, criteria: &[u8], pattern: &[u8]) -> FilterError {
        FilterError {
            kind,
            criteria: criteria.into(),
            pattern: pattern.into(),
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> &FilterErrorKind {
        &self.kind
    }

    /// Whether Asterisk counts this as a pattern that did not compile (its `Filter` action
    /// then answers `Filter did not compile.`) rather than a badly formatted filter.
    pub fn is_compile_error(&self) -> bool {
        matches!(self.kind, FilterErrorKind::Compile(_))
    }
}

/// Asterisk's warning for the filter, as its log shows it after `WARNING manager.c: `.
impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |b: &[u8]| alloc::string::String::from_utf8_lossy(b).into_owned();
        let (criteria, pattern) = (text(&self.criteria), text(&self.pattern));
        let head = |f: &mut fmt::Formatter<'_>| write!(f, "'{criteria} = {pattern}': ");
        match &self.kind {
            FilterErrorKind::MissingCriteria => f.write_str("Missing criteria"),
            FilterErrorKind::Compile(_) => {
                write!(f, "Unable to compile regex filter for '{pattern}'")
            }
            FilterErrorKind::MissingPattern => {
                head(f)?;
                f.write_str("Legacy filter with no filter pattern specified")
            }
            FilterErrorKind::OptionsFormat => {
                head(f)?;
                f.write_str("Filter options not formatted correctly")
            }
            FilterErrorKind::ActionFormat => {
                head(f)?;
                f.write_str("'action' parameter not formatted correctly")
            }
            FilterErrorKind::UnknownAction(v) => {
                head(f)?;
                write!(f, "'action' option '{}' is unknown", text(v))
            }
            FilterErrorKind::NameFormat => {
                head(f)?;
                f.write_str("'name' parameter not formatted correctly")
            }
            FilterErrorKind::HeaderFormat => {
                head(f)?;
                f.write_str("'header' parameter not formatted correctly")
            }
            FilterErrorKind::MethodFormat => {
                head(f)?;
                f.write_str("'method' parameter not formatted correctly")
            }
            FilterErrorKind::UnknownMethod(v) => {
                head(f)?;
                write!(f, "'method' option '{}' is unknown", text(v))
            }
            FilterErrorKind::UnknownOption(v) => {
                head(f)?;
                write!(f, "Filter option '{}' is unknown", text(v))
            }
            FilterErrorKind::NoOptions => {
                head(f)?;
                f.write_str("No action, name, header, or method option found")
            }
            FilterErrorKind::EmptyPattern(m) => {
                head(f)?;
                write!(f, "method can't be '{}' with no filter pattern", m.as_str())
            }
            FilterErrorKind::PatternWithNone => {
                head(f)?;
                f.write_str("method can't be 'none' with a filter pattern")
            }
            FilterErrorKind::NoNameOrHeader => {
                head(f)?;
                f.write_str("No name or header option found and no filter pattern")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FilterError {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn event(text: &[u8]) -> EventText<'_> {
        let name = text
            .strip_prefix(b"Event: ")
            .and_then(|rest| rest.split(|&b| b == b'\r').next())
            .unwrap_or(b"");
        EventText {
            text,
            name_hash: name_hash(name),
        }
    }

    fn parse(criteria: &str, pattern: &str) -> Result<EventFilter, FilterError> {
        EventFilter::parse(criteria.as_bytes(), pattern.as_bytes(), Rules::Asterisk20)
    }

    const NEWCHANNEL: &[u8] = b"Event: Newchannel\r\nChannel: XXX\r\nSomeheader: YYY\r\n\r\n";
    const VARSET: &[u8] = b"Event: VarSet\r\nChannel: ABC\r\nSomeheader: XXX\r\n\r\n";

    /// The cases of Asterisk's own unit test of filter creation (`eventfilter_test_creation`).
    #[test]
    fn asterisk_creation_cases() {
        let ok: &[(&str, &str, &[u8], bool, bool)] = &[
            ("eventfilter", "XXX", NEWCHANNEL, false, true),
            ("eventfilter", "!XXX", VARSET, true, true),
            (
                "eventfilter(name(VarSet),method(none))",
                "",
                VARSET,
                false,
                true,
            ),
            (
                "eventfilter(name(Newchannel),method(regex))",
                "X[XYZ]X",
                NEWCHANNEL,
                false,
                true,
            ),
            (
                "eventfilter(name(Newchannel),method(regex))",
                "X[abc]X",
                NEWCHANNEL,
                false,
                false,
            ),
            (
                "eventfilter(action(exclude),name(Newchannel),method(regex))",
                "X[XYZ]X",
                NEWCHANNEL,
                true,
                true,
            ),
            (
                "eventfilter(action(exclude),name(Newchannel),method(regex))",
                "X[abc]X",
                NEWCHANNEL,
                true,
                false,
            ),
            (
                "eventfilter(action(include),name(VarSet),header(Channel),method(starts_with))",
                "AB",
                VARSET,
                false,
                true,
            ),
            (
                "eventfilter(action(include),name(VarSet),header(Channel),method(ends_with))",
                "BC",
                VARSET,
                false,
                true,
            ),
            (
                "eventfilter(action(include),name(VarSet),header(Channel),method(exact))",
                "ABC",
                VARSET,
                false,
                true,
            ),
            (
                "eventfilter(action(include),name(VarSet),header(Channel),method(exact))",
                "XXX",
                VARSET,
                false,
                false,
            ),
            (
                "eventfilter(name(VarSet),header(Channel),method(exact))",
                "!ZZZ",
                VARSET,
                true,
                false,
            ),
            (
                "eventfilter(action(exclude),name(VarSet),header(Channel),method(exact))",
                "ZZZ",
                VARSET,
                true,
                false,
            ),
            (
                "eventfilter(action(include),name(VarSet),header(Someheader),method(exact))",
                "!XXX",
                VARSET,
                false,
                true,
            ),
        ];
        for (criteria, pattern, text, exclude, matches) in ok {
            let f = parse(criteria, pattern).unwrap();
            assert_eq!(f.is_exclude(), *exclude, "{criteria} = {pattern}");
            assert_eq!(f.matches(&event(text)), *matches, "{criteria} = {pattern}");
        }
        let bad = [
            ("eventfilter(action(include)", "", false),
            ("eventfilter(action(inlude)", "", false),
            ("eventfilter(nnnn(yyy)", "XXX", false),
            ("eventfilter(eader(VarSet)", "XXX", false),
            ("eventfilter(ethod(contains)", "XXX", false),
            (
                "eventfilter(nnnn(yyy),header(VarSet),method(contains)",
                "XXX",
                false,
            ),
            (
                "eventfilter(name(yyy),heder(VarSet),method(contains)",
                "XXX",
                false,
            ),
            (
                "eventfilter(name(yyy),header(VarSet),mehod(contains)",
                "XXX",
                false,
            ),
            ("eventfilter(method(yyy))", "XXX", false),
            ("eventfilter", "", false),
            ("eventfilter", "!", false),
            ("eventfilter()", "XXX", false),
            ("eventfilter", "XX[X", true),
            ("eventfilter(method(regex))", "XX[X", true),
        ];
        for (criteria, pattern, compile) in bad {
            let err = parse(criteria, pattern).unwrap_err();
            assert_eq!(
                err.is_compile_error(),
                compile,
                "{criteria} = {pattern}: {err}"
            );
        }
    }

    #[test]
    fn header_values_skip_blanks_and_empty_lines() {
        let f = parse("eventfilter(header(Exten))", "").unwrap();
        assert!(!f.matches(&event(b"Event: A\r\nExten: \r\n\r\n")));
        assert!(f.matches(&event(b"Event: A\r\nExten: \r\nExten:  1\r\n\r\n")));
        assert!(!f.matches(&event(b"Event: A\r\nDestExten: 1\r\nEXTEN: 1\r\n\r\n")));
        let f = parse(
            "eventfilter(header(Channel:),method(regex))",
            "^Local/(100|500)@",
        )
        .unwrap();
        assert!(f.matches(&event(b"Event: A\r\nChannel:\tLocal/500@x\r\n\r\n")));
        assert!(!f.matches(&event(b"Event: A\r\nChannel: PJSIP/Local/500@x\r\n\r\n")));
    }

    #[test]
    fn action_beats_bang_and_errors_show_the_pattern_without_it() {
        let f = parse(
            "eventfilter(action(include),header(Channel),method(starts_with))",
            "!Local/400@",
        )
        .unwrap();
        assert!(!f.is_exclude());
        assert_eq!(f.pattern(), b"Local/400@");
        let err = parse("eventfilter", "!").unwrap_err();
        assert_eq!(
            err.to_string(),
            "'eventfilter = ': Legacy filter with no filter pattern specified"
        );
        let err = parse("eventfilter(name)", "").unwrap_err();
        assert_eq!(err.kind(), &FilterErrorKind::NameFormat);
    }

    #[test]
    fn asterisk_13_reads_every_pattern_as_a_regex() {
        let f = EventFilter::parse(b"eventfilter(name(X))", b"", Rules::Asterisk13).unwrap();
        assert!(f.matches(&event(VARSET)));
        let f = EventFilter::parse(b"eventfilter", b"!", Rules::Asterisk13).unwrap();
        assert!(f.is_exclude() && f.matches(&event(VARSET)));
        let f = EventFilter::parse(b"x", b"Event: Var", Rules::Asterisk13).unwrap();
        assert!(f.matches(&event(VARSET)) && !f.matches(&event(NEWCHANNEL)));
    }
}
